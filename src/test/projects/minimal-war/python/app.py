"""The minimal web app's Python: two routes; every other request goes on to the servlets."""
import sys


def routes() -> dict[str, list[str]]:
    return {"/hello": ["GET"], "/hello/:name": ["GET"]}


def handle(method: str, path: str, params: dict[str, list[str]], query: dict[str, list[str]],
           headers: dict[str, list[str]], body: bytes) -> tuple[int, str, dict[str, list[str]]]:
    name = params.get("name", ["world"])[0]
    version = f"{sys.version_info.major}.{sys.version_info.minor}"
    return 200, f"hello {name} from python {version} at {path}", {"Content-Type": ["text/plain"]}
