"""TomcatSessionsAcrossNodesIT's request function: writes session values on one node of a Tomcat
cluster, changes them in the two ways Python code does, and reads them back on either node."""
import time
from typing import Any

import httpy

# What /py/write stores: every kind of value a session may hold, nested too.
WRITTEN: dict[str, Any] = {
    "text": "grüße, 東京",
    "count": 42,
    "large": -(2**63),
    "ratio": 0.25,
    "flag": True,
    "items": ["a", 1, 2.5, False, None, ["nested"]],
    "profile": {"name": "alice", "age": 37, "tags": ["x", "y"], "address": {"city": "Oslo"},
                "note": None},
    "pair": ("left", 2),
    "nothing": None,
}

Answer = tuple[int, str, dict[str, list[str]]]


def handle(method: str, path: str, params: dict[str, list[str]], query: dict[str, list[str]],
           headers: dict[str, list[str]], body: bytes) -> Answer:
    req = httpy.request()
    if path == "/async/write":
        # Slow, as a handler that waits on I/O is: its request has long left the container's
        # valves (where Tomcat's ReplicationValve looks for session changes) when it writes.
        time.sleep(1)
        req.create_session()["written_late"] = "after the valves"
        return text("wrote 1 value")
    if path == "/py/write":
        session = req.create_session()
        for name, value in WRITTEN.items():
            session[name] = value
        session["step"] = "written"
        return text(f"wrote {len(WRITTEN)} values")
    session = req.session
    if path == "/py/read":
        return text(describe(session) if session is not None else "no session\n")
    if session is None:
        return 404, "no session here", {"Content-Type": ["text/plain"]}
    if path == "/py/change-in-place":
        # Changes the values Python was handed, not the session: nothing assigns them again.
        session["profile"]["changed_in_place"] = True
        session["items"].append("appended in place")
        session["step"] = "changed in place"
        return text("changed in place")
    if path == "/py/assign-again":
        profile = session["profile"]
        profile["assigned_again"] = True
        session["profile"] = profile
        session["step"] = "assigned again"
        return text("assigned again")
    return 404, f"no route {path}", {"Content-Type": ["text/plain"]}


def describe(session: httpy.Session) -> str:
    """One line a value, sorted by name: its Python type and repr, and whether it equals what
    /py/write stored."""
    if not session:
        return "no values\n"
    lines = []
    for name in sorted(session):
        value = session[name]
        if name not in WRITTEN:
            same = ""
        else:
            same = " (as written)" if value == WRITTEN[name] else " (changed)"
        lines.append(f"{name}: {type(value).__name__} {value!r}{same}")
    return "\n".join(lines) + "\n"


def text(body: str) -> Answer:
    return 200, body, {"Content-Type": ["text/plain; charset=utf-8"]}
