"""Benchmark 3b: each page's first render in AppTest, and whether it loaded LangChain.

Each page renders in a fresh interpreter (home first, then a switch to the page), so import
costs count; pages that do not use LangChain must not import it.
"""

from __future__ import annotations

import json
import statistics
import subprocess
import sys

from emulator.process import ROOT, start_emulator, stop_emulator

PROBE = """
import json, sys, time
from streamlit.testing.v1 import AppTest
at = AppTest.from_file("streamlit_app.py", default_timeout=60)
started = time.perf_counter()
at.run()
home = time.perf_counter() - started
page = {page!r}
if page:
    started = time.perf_counter()
    at.switch_page(page).run()
    elapsed = time.perf_counter() - started
else:
    elapsed = home
print(json.dumps([elapsed, not at.exception, "langchain_core" in sys.modules]))
"""


def run(rounds: int = 3) -> dict[str, tuple[float, bool, bool]]:
    """Median first-render ms per page, whether it rendered cleanly, whether LangChain loaded."""
    from ui.navigation import PAGES

    emu = start_emulator("--engine", "scripted")
    env = {"PLAYGROUND_LOCAL_URL": emu.base_url, "PLAYGROUND_LOCAL_KEY": emu.api_key}
    results: dict[str, tuple[float, bool, bool]] = {}
    try:
        for title, path in [("Home", ""), *((p.title, p.path) for p in PAGES)]:
            times, clean, langchain = [], True, False
            for _ in range(rounds):
                out = (
                    subprocess.run(
                        [sys.executable, "-c", PROBE.format(page=path)],
                        capture_output=True,
                        text=True,
                        check=True,
                        cwd=ROOT,
                        env={**_base_env(), **env},
                    )
                    .stdout.strip()
                    .splitlines()[-1]
                )
                seconds, ok, has_lc = json.loads(out)
                times.append(seconds * 1000)
                clean, langchain = clean and ok, has_lc
            results[title] = (statistics.median(times), clean, langchain)
    finally:
        stop_emulator(emu)
    return results


def _base_env() -> dict[str, str]:
    import os

    return {
        k: v for k, v in os.environ.items() if not k.startswith(("AZURE_AI_CHAT", "PLAYGROUND"))
    }
