"""Admission over HTTP: running slots, a bounded queue, and 429 when it is full."""

from __future__ import annotations

import threading
import time

import requests

from emulator.process import Emulator, start_emulator
from tests.helpers.emulator_http import CHAT, bearer, post


def open_slow_stream(emu: Emulator) -> requests.Response:
    """Start a slow stream and read its first event, so it surely holds the slot."""
    headers = bearer(emu, **{"x-emulator-token-delay": "0.2", "x-emulator-reply-tokens": "200"})
    url = emu.base_url + "/chat/completions"
    response = requests.post(
        url, json={**CHAT, "stream": True}, headers=headers, stream=True, timeout=60
    )
    assert response.status_code == 200
    # raw.read, not next(iter_content()): dropping that generator would close the socket.
    assert response.raw.read(6) == b"data: "
    return response


def post_until_admitted(emu: Emulator) -> requests.Response:
    """The slot is freed just after the client sees the end; allow that instant."""
    for _ in range(100):
        response = post(emu, "/chat/completions", CHAT)
        if response.status_code != 429:
            return response
        time.sleep(0.05)
    return response


def test_queue_limit_zero_gives_429(private_emulator: list[Emulator]) -> None:
    emu = start_emulator("--engine", "scripted", "--queue-limit", "0")
    private_emulator.append(emu)
    with open_slow_stream(emu):
        busy = post(emu, "/chat/completions", CHAT)
        assert busy.status_code == 429
        assert busy.headers["retry-after"] == "1"
        assert busy.json() == {
            "error": {
                "code": "429",
                "message": "Rate limit is exceeded. Try again in 1 seconds.",
                "status": 429,
            }
        }
    # Closing the stream early releases the slot: the next request is served.
    assert post_until_admitted(emu).status_code == 200


def waiting(emu: Emulator) -> int:
    return requests.get(emu.base_url + "/", timeout=10).json()["queue"]["waiting"]


def test_queue_limit_one_lets_one_wait(private_emulator: list[Emulator]) -> None:
    emu = start_emulator("--engine", "scripted", "--queue-limit", "1")
    private_emulator.append(emu)
    results: list[int] = []

    def wait_in_line() -> None:
        results.append(post(emu, "/chat/completions", CHAT).status_code)

    waiter = threading.Thread(target=wait_in_line)
    with open_slow_stream(emu):
        assert waiting(emu) == 0
        waiter.start()
        for _ in range(400):  # until the server reports the waiter in line
            if waiting(emu) == 1:
                break
            time.sleep(0.02)
        assert waiting(emu) == 1
        assert post(emu, "/chat/completions", CHAT).status_code == 429
    waiter.join(timeout=60)
    assert results == [200]


def test_scripted_without_queue_limit_runs_in_parallel(emulator: Emulator) -> None:
    with open_slow_stream(emulator):
        assert post(emulator, "/chat/completions", CHAT).status_code == 200
        queue = requests.get(emulator.base_url + "/", timeout=10).json()["queue"]
        assert queue["slots"] is None and queue["limit"] is None and queue["waiting"] == 0


def test_slots_run_together_and_the_queue_counts_beyond_them(
    private_emulator: list[Emulator],
) -> None:
    emu = start_emulator("--engine", "scripted", "--slots", "2", "--queue-limit", "1")
    private_emulator.append(emu)
    results: list[int] = []

    def wait_in_line() -> None:
        results.append(post(emu, "/chat/completions", CHAT).status_code)

    waiter = threading.Thread(target=wait_in_line)
    with open_slow_stream(emu), open_slow_stream(emu):  # both admitted: two slots
        queue = requests.get(emu.base_url + "/", timeout=10).json()["queue"]
        assert queue == {"slots": 2, "limit": 1, "running": 2, "waiting": 0}
        waiter.start()
        for _ in range(400):  # until the server reports the waiter in line
            if waiting(emu) == 1:
                break
            time.sleep(0.02)
        assert waiting(emu) == 1
        assert post(emu, "/chat/completions", CHAT).status_code == 429
    waiter.join(timeout=60)
    assert results == [200]
