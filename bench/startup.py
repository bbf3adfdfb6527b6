"""Benchmark 3: import time of `core` beside the SDKs people would otherwise import.

Each import runs in a fresh interpreter, several rounds; the median counts. `core` must not
pull in LangChain or Streamlit.
"""

from __future__ import annotations

import json
import statistics
import subprocess
import sys

IMPORTS = {
    "core (ours)": "core",
    "requests": "requests",
    "openai": "openai",
    "azure.ai.inference": "azure.ai.inference",
    "langchain_core.language_models": "langchain_core.language_models",
    "core.langchain (ours)": "core.langchain",
}
PROBE = (
    "import sys, time, json; t = time.perf_counter(); import {module}; "
    "print(json.dumps([time.perf_counter() - t, "
    "'langchain_core' in sys.modules, 'streamlit' in sys.modules]))"
)


def import_time(module: str, rounds: int = 5) -> tuple[float, bool, bool]:
    """Median import time in ms, and whether LangChain / Streamlit were loaded by it."""
    times = []
    flags = (False, False)
    for _ in range(rounds):
        out = subprocess.run(
            [sys.executable, "-c", PROBE.format(module=module)],
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        seconds, has_lc, has_st = json.loads(out)
        times.append(seconds * 1000)
        flags = (has_lc, has_st)
    return statistics.median(times), *flags


def run() -> dict[str, tuple[float, bool, bool] | str]:
    """Import time per module, or the reason it failed."""
    results: dict[str, tuple[float, bool, bool] | str] = {}
    for label, module in IMPORTS.items():
        try:
            results[label] = import_time(module)
        except subprocess.CalledProcessError as exc:
            results[label] = (exc.stderr or "failed").strip().splitlines()[-1][:100]
    return results
