"""Benchmark 1c: one Server-Sent Events line of 5 MB and of 50 MB, arriving in 64 KiB chunks
with no line break until its end: the decoder's CPU time per MB must not grow with the size.

Before the decoder kept an unterminated line as pieces (joined once, at its end), it copied
the whole line so far on every chunk: 50 MB took 35 s, a hundred times the 5 MB cost per MB.
CPU time (`time.process_time`), median of a few rounds; no limit is set, so the whole line is
decoded. The tests check the same property structurally (`tests/test_limits.py`).
"""

from __future__ import annotations

import statistics
import time

from core.sse import SSEDecoder

CHUNK = 65536
SIZES_MB = (5, 50)


def decode_seconds(megabytes: int) -> float:
    """CPU seconds to decode one `data:` line of `megabytes` MB, fed in 64 KiB chunks."""
    piece = b"x" * CHUNK
    decoder = SSEDecoder()
    started = time.process_time()
    decoder.feed(b"data: ")
    for _ in range(megabytes * 1_000_000 // CHUNK):
        decoder.feed(piece)
    (event,) = decoder.feed(b"\n\n")
    elapsed = time.process_time() - started
    assert len(event.data) >= megabytes * 1_000_000 - CHUNK
    return elapsed


def run(rounds: int = 3) -> dict[str, float]:
    """CPU ms per MB at each size, and the ratio of the largest to the smallest."""
    per_mb = {
        size: statistics.median(decode_seconds(size) for _ in range(rounds)) * 1000 / size
        for size in SIZES_MB
    }
    return {
        **{f"{size} MB": value for size, value in per_mb.items()},
        "ratio": per_mb[SIZES_MB[-1]] / per_mb[SIZES_MB[0]],
    }
