"""A handler that sleeps in C (time.sleep), past python.timeout: its worker stays busy, stuck."""

from __future__ import annotations

import time


def sleep(method: str, path: str, params: dict[str, list[str]], query: dict[str, list[str]],
          headers: dict[str, list[str]], body: bytes) -> tuple[int, str, dict[str, str]]:
    seconds = float(query.get("seconds", ["3"])[0])
    time.sleep(seconds)
    return 200, f"slept {seconds} s", {}
