"""The llama engine's slots: concurrent generations stream together; `--slots 1` serializes.

Concurrency is observed as the order of events across streams, never as a time: with three
slots every stream's first content chunk arrives before any stream's `[DONE]`; with one slot
each stream ends before the next one's first content chunk.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator

import pytest
import requests

from emulator.fetch_model import DEFAULT_MODEL_PATH as MODEL
from emulator.process import Emulator, start_emulator, stop_emulator
from tests.helpers.emulator_http import bearer

pytestmark = [
    pytest.mark.llama,
    pytest.mark.skipif(
        not MODEL.is_file(),
        reason=f"{MODEL} is absent; run `python -m emulator.fetch_model` (make does)",
    ),
]
STORY = {"role": "user", "content": "Write a long story about a lighthouse keeper."}
STREAMS = 3


@pytest.fixture(scope="module")
def three_slots() -> Iterator[Emulator]:
    emu = start_emulator("--engine", "llama", "--slots", "3", "--queue-limit", "1")
    yield emu
    stop_emulator(emu)


@pytest.fixture(scope="module")
def one_slot() -> Iterator[Emulator]:
    emu = start_emulator("--engine", "llama", "--slots", "1")
    yield emu
    stop_emulator(emu)


def open_stream(
    emu: Emulator, body: dict, headers: dict[str, str] | None = None
) -> requests.Response:
    url = emu.base_url + "/chat/completions"
    sent = bearer(emu, **(headers or {}))
    response = requests.post(
        url, json={**body, "stream": True}, headers=sent, stream=True, timeout=300
    )
    assert response.status_code == 200, response.text
    return response


def marks(response: requests.Response) -> Iterator[str]:
    """ "content" for each chunk carrying text, "done" for `[DONE]`, as they arrive."""
    buffer = b""
    for data in response.iter_content(chunk_size=None):
        *events, buffer = (buffer + data).split(b"\n\n")
        for event in events:
            payload = event.removeprefix(b"data: ")
            if payload == b"[DONE]":
                yield "done"
            elif json.loads(payload)["choices"][0]["delta"].get("content"):
                yield "content"


def arrival_order(emu: Emulator, max_tokens: int) -> list[tuple[int, str]]:
    """Start STREAMS streams together; (stream, "first" | "done") in the order seen."""
    seen: list[tuple[int, str]] = []
    failures: list[BaseException] = []
    lock, start = threading.Lock(), threading.Barrier(STREAMS)

    def follow(index: int) -> None:
        body = {"messages": [STORY], "max_tokens": max_tokens, "seed": index}
        try:
            start.wait()
            with open_stream(emu, body) as response:
                first = True
                for mark in marks(response):
                    if mark == "done" or first:
                        with lock:
                            seen.append((index, "done" if mark == "done" else "first"))
                        first = False
        except BaseException as exc:  # re-raised below, in the test's thread
            failures.append(exc)

    threads = [threading.Thread(target=follow, args=(i,)) for i in range(STREAMS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=300)
    if failures:
        raise failures[0]
    return seen


def test_three_slots_stream_three_generations_at_once(three_slots: Emulator) -> None:
    seen = arrival_order(three_slots, max_tokens=40)
    kinds = [kind for _, kind in seen]
    assert kinds == ["first"] * STREAMS + ["done"] * STREAMS, seen
    assert {index for index, _ in seen} == set(range(STREAMS))


def test_one_slot_serializes_them(one_slot: Emulator) -> None:
    seen = arrival_order(one_slot, max_tokens=12)
    kinds = [kind for _, kind in seen]
    assert kinds == ["first", "done"] * STREAMS, seen
    assert [index for index, _ in seen[::2]] == [index for index, _ in seen[1::2]]


def ask(emu: Emulator) -> requests.Response:
    """A short non-stream chat."""
    body = {"messages": [STORY], "max_tokens": 3}
    return requests.post(
        emu.base_url + "/chat/completions", json=body, headers=bearer(emu), timeout=300
    )


def queue_state(emu: Emulator) -> dict:
    return requests.get(emu.base_url + "/", timeout=10).json()["queue"]


def test_beyond_slots_and_queue_is_429(three_slots: Emulator) -> None:
    # `stall` holds each slot after three chunks, whatever the model says, until we close.
    hold = {"messages": [STORY], "max_tokens": 5, "seed": 1}
    holders = [open_stream(three_slots, hold, {"x-emulator-fault": "stall=120"}) for _ in range(3)]
    results: list[int] = []

    def wait_in_line() -> None:
        results.append(ask(three_slots).status_code)

    waiter = threading.Thread(target=wait_in_line)
    try:
        assert queue_state(three_slots) == {"slots": 3, "limit": 1, "running": 3, "waiting": 0}
        waiter.start()
        for _ in range(500):  # until the server reports the waiter in line
            if queue_state(three_slots)["waiting"] == 1:
                break
            time.sleep(0.02)
        refused = ask(three_slots)
        assert refused.status_code == 429
        assert refused.headers["retry-after"] == "1"
    finally:
        for holder in holders:
            holder.close()
    waiter.join(timeout=300)
    assert results == [200]
