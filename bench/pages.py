"""Benchmark 3b: each page's first render in AppTest, and the first visit to a LangChain page.

Every probe runs in a fresh interpreter, as a server process's first session: the home page
renders (the app's first run), then, after `delay` seconds, the switch to the page. Import
costs count.

- `run`: each page's own first render with LangChain's background import off
  (`PLAYGROUND_PRELOAD_LANGCHAIN=0`, see ui/langchain_preload.py), so that "loaded LangChain"
  says whether the page imports it itself; only the two LangChain pages may.
- `first_visits`: a user who opens a LangChain page a few seconds after start-up, with the
  background import off and on, rounds interleaved; and the home page's first render both
  ways (the import starts at the end of that run).
"""

from __future__ import annotations

import contextlib
import json
import os
import statistics
import subprocess
import sys
from collections.abc import Iterable, Iterator

from emulator.process import ROOT, start_emulator, stop_emulator

PRELOAD_ENV = "PLAYGROUND_PRELOAD_LANGCHAIN"  # ui.langchain_preload.PRELOAD_ENV
DELAY = 3.0  # seconds on the home page before opening a LangChain page: "a few seconds"
PROBE = """
import json, sys, time
from streamlit.testing.v1 import AppTest
at = AppTest.from_file("streamlit_app.py", default_timeout=60)
started = time.perf_counter()
at.run()
home = time.perf_counter() - started
page = {page!r}
elapsed = home
if page:
    time.sleep({delay!r})
    started = time.perf_counter()
    at.switch_page(page).run()
    elapsed = time.perf_counter() - started
print(json.dumps([home, elapsed, not at.exception, "langchain_core" in sys.modules]))
"""


def run(rounds: int = 3) -> dict[str, tuple[float, bool, bool]]:
    """Median first-render ms per page, whether it rendered cleanly, whether LangChain loaded
    (the background import off)."""
    from ui.navigation import HOME, PAGES

    results: dict[str, tuple[float, bool, bool]] = {}
    with _emulator() as env:
        for spec in (HOME, *PAGES):
            path = "" if spec is HOME else spec.path
            probes = [_probe(path, 0.0, env, preload=False) for _ in range(rounds)]
            clean = all(ok for _, _, ok, _ in probes)
            results[spec.title] = (_median(p[1] for p in probes), clean, probes[-1][3])
    return results


def first_visits(rounds: int = 3, delay: float = DELAY) -> dict[str, dict[str, float]]:
    """Median ms, by page, of the first visit `delay` s after start-up, LangChain's background
    import "off" and "on"; "Home" is the app's first render itself."""
    from ui.navigation import PAGES

    langchain = [spec for spec in PAGES if spec.url in ("translator", "memory_chatbot")]
    times: dict[str, dict[str, list[float]]] = {"Home": {}}
    with _emulator() as env:
        for _ in range(rounds):
            for spec in langchain:
                for mode in ("off", "on"):
                    home, page, _, _ = _probe(spec.path, delay, env, preload=mode == "on")
                    times.setdefault(spec.title, {}).setdefault(mode, []).append(page)
                    times.setdefault("Home", {}).setdefault(mode, []).append(home)
    return {title: {m: _median(v) for m, v in modes.items()} for title, modes in times.items()}


def _probe(
    path: str, delay: float, env: dict[str, str], *, preload: bool
) -> tuple[float, float, bool, bool]:
    """(home ms, page ms, rendered cleanly, LangChain loaded) of one fresh interpreter."""
    out = subprocess.run(
        [sys.executable, "-c", PROBE.format(page=path, delay=delay)],
        capture_output=True,
        text=True,
        check=True,
        cwd=ROOT,
        env={**_base_env(), **env, PRELOAD_ENV: "1" if preload else "0"},
    ).stdout
    home, page, clean, loaded = json.loads(out.strip().splitlines()[-1])
    return home * 1000, page * 1000, clean, loaded


@contextlib.contextmanager
def _emulator() -> Iterator[dict[str, str]]:
    """The scripted emulator for the probes; yields the environment pointing the app at it."""
    emu = start_emulator("--engine", "scripted")
    try:
        yield {"PLAYGROUND_LOCAL_URL": emu.base_url, "PLAYGROUND_LOCAL_KEY": emu.api_key}
    finally:
        stop_emulator(emu)


def _median(values: Iterable[float]) -> float:
    return statistics.median(values)


def _base_env() -> dict[str, str]:
    return {
        k: v for k, v in os.environ.items() if not k.startswith(("AZURE_AI_CHAT", "PLAYGROUND"))
    }
