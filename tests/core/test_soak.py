"""Soak: many concurrent streams, with faults mixed in, against the emulator for a fixed period.

Every stream must end well-formed (finish reason and `[DONE]`) or with a typed `core` error;
none may hang (each thread has a hard deadline, and the read timeout bounds a stall); the
emulator's and this process's memory must stay flat once warm. The figures are written to
`test-artifacts/soak.json` and quoted in the README.
"""

from __future__ import annotations

import gc
import json
import os
import statistics
import threading
import time
from collections import Counter
from pathlib import Path

import pytest

from core import PROFILES, Client, Endpoint, EndpointError
from emulator.process import ROOT, start_emulator, stop_emulator

pytestmark = pytest.mark.soak

THREADS = 8
PERIOD = 12.0  # seconds of load; a bound, not an assertion
# 7 requests in 18 carry a fault; a stall (3 s) is longer than the read timeout (1 s),
# so it ends as InterruptedStreamError rather than hanging.
FAULTS = [None, None, None, None, None, "cut", None, "malformed", None, "500", None, "stall=3",
          None, "429=1", None, "no-done", None, "content-filter-output"]  # fmt: skip
MESSAGES = [{"role": "user", "content": "Describe a lighthouse at night."}]


def rss_kib(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    raise AssertionError("no VmRSS")


@pytest.fixture(scope="module")
def soak_emulator():
    emu = start_emulator("--engine", "scripted", "--token-delay", "0.002", "--reply-tokens", "60")
    yield emu
    stop_emulator(emu)


def test_soak_concurrent_streams_with_faults(soak_emulator) -> None:
    emu = soak_emulator
    outcomes: Counter[str] = Counter()
    ttfts: list[float] = []
    hung: list[str] = []
    lock = threading.Lock()
    stop_at = time.monotonic() + PERIOD

    def worker(index: int) -> None:
        n = index
        while time.monotonic() < stop_at:
            fault = FAULTS[n % len(FAULTS)]
            n += THREADS
            headers = (("x-emulator-fault", fault),) if fault else ()
            endpoint = Endpoint(emu.base_url, key=emu.api_key, headers=headers, read_timeout=1.0)
            with Client(endpoint, PROFILES["local"]) as client:
                try:
                    stream = client.stream_chat(MESSAGES, max_tokens=60)
                    text = "".join(stream)
                    well_formed = bool(text) and stream.finish_reason and stream.done
                    kind = "ok" if well_formed else "malformed-success"
                    ttft = stream.time_to_first_token
                except EndpointError as exc:
                    kind, ttft = type(exc).__name__, None
                except Exception as exc:  # anything untyped is a defect this test reports
                    kind, ttft = f"UNTYPED {type(exc).__name__}", None
            with lock:
                outcomes[kind] += 1
                if ttft is not None and kind == "ok":
                    ttfts.append(ttft)

    # Warm up both processes, then measure memory around the load.
    warm = Client(Endpoint(emu.base_url, key=emu.api_key), PROFILES["local"])
    for _ in range(20):
        "".join(warm.stream_chat(MESSAGES, max_tokens=60))
    gc.collect()
    before = (rss_kib(emu.process.pid), rss_kib(os.getpid()))

    threads = [threading.Thread(target=worker, args=(i,), daemon=True) for i in range(THREADS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=PERIOD + 30)
        if t.is_alive():
            hung.append(t.name)
    gc.collect()
    after = (rss_kib(emu.process.pid), rss_kib(os.getpid()))

    total = sum(outcomes.values())
    ttfts.sort()
    figures = {
        "threads": THREADS,
        "seconds": PERIOD,
        "requests": total,
        "outcomes": dict(outcomes),
        "ttft_p50_ms": round(statistics.median(ttfts) * 1000, 1),
        "ttft_p99_ms": round(ttfts[max(0, int(len(ttfts) * 0.99) - 1)] * 1000, 1),
        "emulator_rss_kib": {"before": before[0], "after": after[0]},
        "client_rss_kib": {"before": before[1], "after": after[1]},
    }
    out = ROOT / "test-artifacts"
    out.mkdir(exist_ok=True)
    (out / "soak.json").write_text(json.dumps(figures, indent=2))
    print("soak:", json.dumps(figures))

    assert not hung, f"threads still running after the period: {hung}"
    assert not [k for k in outcomes if k.startswith("UNTYPED") or k == "malformed-success"], (
        outcomes
    )
    assert outcomes["ok"] > total / 2
    expected_errors = {
        "InterruptedStreamError",
        "ServerError",
        "RateLimitError",
        "ContentFilterError",
    }
    assert set(outcomes) - {"ok"} == expected_errors, outcomes
    # Flat memory: growth under 20 MiB for each process across the whole soak.
    assert after[0] - before[0] < 20 * 1024, figures
    assert after[1] - before[1] < 20 * 1024, figures
