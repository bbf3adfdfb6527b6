"""Benchmark 4: a Memory Chatbot turn costs the same at turn 5 and at turn 500 (k = 5).

The request is built by `core.memory.build_turn` and sent by the LangChain adapter to the
scripted emulator; request bytes must be equal and time per turn within 1.2x.
"""

from __future__ import annotations

import json
import statistics
import time

from core import Endpoint, Secret
from core.memory import Mode, Turn, build_turn
from emulator.process import start_emulator, stop_emulator


def run(rounds: int = 15) -> dict[str, float]:
    """Request bytes and median ms per turn at history lengths 5 and 500."""
    from core.langchain import ChatAzureServerless

    emu = start_emulator("--engine", "scripted")
    try:
        model = ChatAzureServerless.from_endpoint(
            Endpoint(emu.base_url, key=Secret(emu.api_key)), profile="local", max_tokens=20, seed=1
        )
        history = [Turn(f"Question number {i:04d}?", f"Answer number {i:04d}.") for i in range(500)]
        figures: dict[str, float] = {}
        for n in (5, 500):
            times = []
            for mode in (Mode.NOTEBOOK, Mode.MESSAGES):
                request = build_turn(history[:n], "And the next one?", k=5, mode=mode)
                figures[f"bytes_{mode.value}_{n}"] = len(json.dumps(request.messages))
            for _ in range(rounds):
                started = time.perf_counter()
                request = build_turn(history[:n], "And the next one?", k=5, mode=Mode.MESSAGES)
                model.invoke(request.messages)
                times.append((time.perf_counter() - started) * 1000)
            figures[f"ms_{n}"] = statistics.median(times)
        return figures
    finally:
        stop_emulator(emu)
