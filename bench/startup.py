"""Benchmark 3: import time of `core` beside the SDKs people would otherwise import.

Each import runs in a fresh interpreter, several rounds; the median counts. `core` must not
pull in LangChain or Streamlit. `core` imports `requests` (its HTTP stack, 200 ms here) when
the first Client is made, not at import; "before" does what `import core` used to do.
"""

from __future__ import annotations

import json
import statistics
import subprocess
import sys

IMPORTS = {
    "core (ours)": "import core",
    "core, before (requests imported with it)": "import requests, core",
    "core, then its first Client (imports requests)": (
        "import core; core.Client(core.Endpoint('http://127.0.0.1:9', key='k'))"
    ),
    "requests": "import requests",
    "openai": "import openai",
    "azure.ai.inference": "import azure.ai.inference",
    "langchain_core.language_models": "import langchain_core.language_models",
    "core.langchain (ours)": "import core.langchain",
}
PROBE = (
    "import sys, time, json; t = time.perf_counter(); {statement}; "
    "print(json.dumps([time.perf_counter() - t, "
    "'langchain_core' in sys.modules, 'streamlit' in sys.modules]))"
)


def import_time(statement: str, rounds: int = 5) -> tuple[float, bool, bool]:
    """Median time of `statement` in ms, and whether LangChain / Streamlit were loaded."""
    times = []
    flags = (False, False)
    for _ in range(rounds):
        out = subprocess.run(
            [sys.executable, "-c", PROBE.format(statement=statement)],
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
    for label, statement in IMPORTS.items():
        try:
            results[label] = import_time(statement)
        except subprocess.CalledProcessError as exc:
            results[label] = (exc.stderr or "failed").strip().splitlines()[-1][:100]
    return results
