"""Benchmark 2: the delay our client adds between the server writing a chunk and us yielding it.

The server runs in this process (same clock) and writes one event every 20 ms; the gap for each
content chunk is (time yielded) - (time written). Bunching: consecutive yields closer than a
quarter of the cadence, which would mean chunks were held back and released together.
"""

from __future__ import annotations

import itertools
import statistics
import time

from core import PROFILES, Client, Endpoint, Secret

from .server import running

CADENCE = 0.020


def run(chunks: int = 100) -> dict[str, float]:
    """Median and p99 added latency in ms, and the number of bunched chunks."""
    with running(chunks, delay=CADENCE) as server:
        client = Client(Endpoint(server.url, key=Secret("bench")), PROFILES["local"])
        yielded = []
        for _ in client.stream_chat([{"role": "user", "content": "hi"}]):
            yielded.append(time.perf_counter())
        writes = server.write_times[1 : 1 + len(yielded)]  # skip the role chunk
    gaps = sorted((y - w) * 1000 for y, w in zip(yielded, writes, strict=True))
    spacing = [b - a for a, b in itertools.pairwise(yielded)]
    return {
        "median_ms": statistics.median(gaps),
        "p99_ms": gaps[int(len(gaps) * 0.99) - 1],
        "bunched": sum(1 for s in spacing if s < CADENCE / 4),
        "chunks": len(gaps),
    }
