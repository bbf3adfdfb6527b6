"""Benchmark 5: the local endpoint itself.

The scripted engine under 100 concurrent streams (time to first token p50/p99, total tokens
per second), and the llama engine's slots: three streams alone, one after the other, then
the same three at once with 4 slots and with 1 (tokens per second per stream and in total,
time to first token, wall time, memory of the emulator process).
"""

from __future__ import annotations

import statistics
import subprocess
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

from core import PROFILES, Client, Endpoint, Secret
from emulator.process import Emulator, start_emulator, stop_emulator

MESSAGES = [{"role": "user", "content": "Tell me a story about a lighthouse."}]
STORY = [{"role": "user", "content": "Write a long story about a lighthouse keeper."}]
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


@dataclass(frozen=True)
class Run:
    """One llama stream as the client saw it."""

    tokens: int
    first_token_s: float
    seconds: float

    @property
    def tokens_per_s(self) -> float:
        """Completion tokens over the stream's whole time, first byte wait included."""
        return self.tokens / self.seconds


def _one_stream(emu: Emulator, seed: int, tokens: int, start: threading.Barrier | None) -> Run:
    client = Client(
        Endpoint(emu.base_url, key=Secret(emu.api_key), read_timeout=600), PROFILES["local"]
    )
    if start is not None:
        start.wait()
    began = time.perf_counter()
    first = None
    stream = client.stream_chat(STORY, max_tokens=tokens, seed=seed, temperature=0.7)
    for _ in stream:
        first = first or time.perf_counter()
    ended = time.perf_counter()
    produced = stream.usage.get("completion_tokens", 0)
    return Run(produced, (first or ended) - began, ended - began)


def _together(emu: Emulator, streams: int, tokens: int) -> tuple[list[Run], float]:
    """`streams` streams started at once (seeds 0, 1, ...); their runs and the wall time."""
    runs: list[Run | None] = [None] * streams
    start = threading.Barrier(streams + 1, timeout=120)

    def follow(seed: int) -> None:
        try:
            runs[seed] = _one_stream(emu, seed, tokens, start)
        except Exception:  # counted below: the run stays None
            return

    threads = [threading.Thread(target=follow, args=(seed,)) for seed in range(streams)]
    for thread in threads:
        thread.start()
    start.wait()
    began = time.perf_counter()
    for thread in threads:
        thread.join()
    wall = time.perf_counter() - began
    finished = [run for run in runs if run is not None]
    if len(finished) != streams:
        raise RuntimeError(f"{streams - len(finished)} of {streams} streams failed")
    return finished, wall


def _pss_mb(process: subprocess.Popen) -> float:
    """Proportional set size of a child process in MB (shared file pages split), Linux only."""
    try:
        rollup = Path(f"/proc/{process.pid}/smaps_rollup").read_text()
    except OSError:
        return float("nan")
    kb = next(int(line.split()[1]) for line in rollup.splitlines() if line.startswith("Pss:"))
    return kb / 1024


@dataclass
class Slots:
    """The llama slots benchmark: runs alone, runs together per slot count, memory."""

    streams: int
    max_tokens: int
    alone: list[Run] = field(default_factory=list)
    together: dict[int, tuple[list[Run], float]] = field(default_factory=dict)  # runs, wall
    pss_mb: dict[int, float] = field(default_factory=dict)  # after the runs


def llama_slots(streams: int = 3, tokens: int = 200) -> Slots | str:
    """The llama engine: `streams` streams alone, then together with 4 slots and with 1."""
    if not MODEL.exists():
        return "model file missing (make model)"
    result = Slots(streams, tokens)
    for slots in (4, 1):
        emu = start_emulator("--engine", "llama", "--slots", str(slots), ready_timeout=120)
        try:
            if slots == 4:
                result.alone = [_one_stream(emu, seed, tokens, None) for seed in range(streams)]
            result.together[slots] = _together(emu, streams, tokens)
            result.pss_mb[slots] = _pss_mb(emu.process)
        except Exception as exc:  # reported in the table as the reason, never hidden
            return f"{type(exc).__name__}: {exc}"
        finally:
            stop_emulator(emu)
    return result


def llama_lines(result: Slots | str) -> list[str]:
    """The report's llama paragraph and table; ratios are within this one run."""
    if isinstance(result, str):
        return [f"llama engine: n/a ({result})."]
    alone = result.alone
    slowest = max(run.seconds for run in alone)
    alone_rate = sum(run.tokens for run in alone) / sum(run.seconds for run in alone)
    lines = [
        f"**5b. llama engine slots** (SmolLM2-135M Q4_1, 1 llama.cpp thread per slot; "
        f"{result.streams} chat streams of max_tokens {result.max_tokens}, seeds 0–"
        f"{result.streams - 1}, each alone one after the other, then all at once):",
        "",
        "| run | tokens | tokens/s per stream | tokens/s total | first token s | wall s |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    for seed, run in enumerate(alone):
        lines.append(
            f"| alone, seed {seed} | {run.tokens} | {run.tokens_per_s:.1f} | "
            f"{run.tokens_per_s:.1f} | {run.first_token_s:.2f} | {run.seconds:.1f} |"
        )
    for slots, (runs, wall) in result.together.items():
        total = sum(run.tokens for run in runs)
        rates = "–".join(f"{rate:.1f}" for rate in sorted(r.tokens_per_s for r in runs))
        firsts = "–".join(f"{first:.2f}" for first in sorted(r.first_token_s for r in runs))
        lines.append(
            f"| {result.streams} at once, --slots {slots} | {total} | {rates} | "
            f"{total / wall:.1f} | {firsts} | {wall:.1f} |"
        )
    return [*lines, "", *_llama_ratios(result, slowest, alone_rate)]


def _llama_ratios(result: Slots, slowest: float, alone_rate: float) -> list[str]:
    """Wall time, throughput, last first token and memory: together against alone."""
    (runs4, wall4), wall1 = result.together[4], result.together[1][1]
    total4 = sum(run.tokens for run in runs4) / wall4
    last_first = {n: max(r.first_token_s for r in runs) for n, (runs, _) in result.together.items()}
    pss1, pss4 = result.pss_mb[1], result.pss_mb[4]
    return [
        f"{result.streams} at once vs the slowest alone, wall time: {wall4 / slowest:.2f}× "
        f"with 4 slots, {wall1 / slowest:.2f}× with 1 slot (serialized). Total tokens/s at "
        f"once with 4 slots vs alone: {total4 / alone_rate:.2f}×. The last stream's first token: "
        f"{last_first[4]:.2f} s with 4 slots, {last_first[1]:.2f} s with 1. Emulator memory "
        f"(PSS): {pss4:.0f} MB with 4 slots, {pss1:.0f} MB with 1, "
        f"{(pss4 - pss1) / 3:.0f} MB per extra slot (the weights are mapped once and shared).",
    ]
