"""Benchmark 5: the local endpoint itself.

The scripted engine under 100 concurrent streams (time to first token p50/p99, total tokens
per second), and the llama engine's generation speed on this machine.
"""

from __future__ import annotations

import statistics
import threading
import time
from pathlib import Path

from core import PROFILES, Client, Endpoint, Secret
from emulator.process import start_emulator, stop_emulator

MESSAGES = [{"role": "user", "content": "Tell me a story about a lighthouse."}]
MODEL = (
    Path(__file__).resolve().parent.parent
    / "emulator"
    / "models"
    / "SmolLM2-135M-Instruct.Q4_1.gguf"
)


def scripted_concurrency(streams: int = 100, tokens: int = 100) -> dict[str, float]:
    """p50/p99 time to first token (ms) and total tokens/s for `streams` concurrent streams."""
    emu = start_emulator("--engine", "scripted", "--queue-limit", str(streams))
    ttft: list[float] = []
    counted: list[int] = []
    errors: list[str] = []
    barrier = threading.Barrier(streams)

    def one() -> None:
        client = Client(
            Endpoint(emu.base_url, key=Secret(emu.api_key), read_timeout=120), PROFILES["local"]
        )
        barrier.wait()
        started = time.perf_counter()
        try:
            stream = client.stream_chat(MESSAGES, max_tokens=tokens)
            n = sum(1 for _ in stream)
        except Exception as exc:  # counted and reported, never hidden
            errors.append(type(exc).__name__)
            return
        ttft.append((stream.time_to_first_token or 0) * 1000)
        counted.append(n)
        del started

    threads = [threading.Thread(target=one) for _ in range(streams)]
    began = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    wall = time.perf_counter() - began
    stop_emulator(emu)
    ttft.sort()
    return {
        "streams": streams,
        "failed": len(errors),
        "ttft_p50_ms": statistics.median(ttft) if ttft else float("nan"),
        "ttft_p99_ms": ttft[max(0, int(len(ttft) * 0.99) - 1)] if ttft else float("nan"),
        "tokens_per_s": sum(counted) / wall,
    }


def llama_speed(tokens: int = 128, rounds: int = 3) -> dict[str, float] | str:
    """Streamed tokens per second of the llama engine (median of rounds)."""
    if not MODEL.exists():
        return "model file missing (make model)"
    emu = start_emulator("--engine", "llama", ready_timeout=120)
    try:
        client = Client(
            Endpoint(emu.base_url, key=Secret(emu.api_key), read_timeout=300), PROFILES["local"]
        )
        speeds, ttfts = [], []
        for i in range(rounds):
            started = time.perf_counter()
            stream = client.stream_chat(MESSAGES, max_tokens=tokens, seed=i, temperature=0.7)
            for _ in stream:
                pass
            elapsed = time.perf_counter() - started
            produced = stream.usage.get("completion_tokens", 0)
            speeds.append(produced / elapsed)
            ttfts.append((stream.time_to_first_token or 0) * 1000)
        return {"tokens_per_s": statistics.median(speeds), "ttft_ms": statistics.median(ttfts)}
    finally:
        stop_emulator(emu)
