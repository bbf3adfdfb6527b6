"""Retries (429/503 only, bounded, visible, cancellable) and the outbound host allow-list."""

from __future__ import annotations

import socket

import pytest

from core import (
    PROFILES,
    BlockedHostError,
    Client,
    Endpoint,
    HostPolicy,
    RateLimitError,
    RetryCancelled,
    RetryNotice,
    RetryPolicy,
    ServerError,
    ValidationError,
    call_with_retries,
)
from emulator.process import Emulator

MESSAGES = [{"role": "user", "content": "Hello there"}]


def failing(*errors_then_result):
    """A call that raises each error in turn, then returns the last item (pure logic)."""
    items = list(errors_then_result)
    calls = []

    def call():
        calls.append(1)
        item = items.pop(0)
        if isinstance(item, Exception):
            raise item
        return item

    return call, calls


def rate_limited(after: float | None = None) -> RateLimitError:
    return RateLimitError("429", status_code=429, retry_after=after)


def unavailable() -> ServerError:
    return ServerError("503", status_code=503)


def test_retries_429_and_503_then_succeeds_with_notices() -> None:
    call, calls = failing(rate_limited(2), unavailable(), "ok")
    notices: list[RetryNotice] = []
    waits: list[float] = []
    assert (
        call_with_retries(call, RetryPolicy(), on_retry=notices.append, sleep=waits.append) == "ok"
    )
    assert len(calls) == 3
    assert waits == [2, 2]  # Retry-After honoured, then backoff 1 * 2**1
    assert [n.message for n in notices] == [
        "Rate limited (429): retrying in 2 s (1 of 3).",
        "Endpoint unavailable (503): retrying in 2 s (2 of 3).",
    ]


@pytest.mark.parametrize(
    "error",
    [ServerError("500", status_code=500), ValidationError("422", status_code=422)],
)
def test_nothing_else_is_retried(error: Exception) -> None:
    call, calls = failing(error, "ok")
    with pytest.raises(type(error)):
        call_with_retries(call, sleep=lambda s: None)
    assert len(calls) == 1


def test_retries_are_bounded_in_count() -> None:
    call, calls = failing(*[unavailable() for _ in range(10)])
    with pytest.raises(ServerError):
        call_with_retries(call, RetryPolicy(attempts=2), sleep=lambda s: None)
    assert len(calls) == 3


def test_retries_are_bounded_in_total_time() -> None:
    call, calls = failing(rate_limited(20), rate_limited(20), "ok")
    waits: list[float] = []
    with pytest.raises(RateLimitError):
        call_with_retries(call, RetryPolicy(max_total=30), sleep=waits.append)
    assert waits == [20]  # the second 20 s wait would pass the 30 s budget
    assert len(calls) == 2


def test_cancel_while_waiting() -> None:
    call, calls = failing(rate_limited(1), "ok")
    cancelled = iter([False, True])
    with pytest.raises(RetryCancelled) as info:
        call_with_retries(call, sleep=lambda s: None, cancelled=lambda: next(cancelled))
    assert isinstance(info.value.error, RateLimitError)
    assert len(calls) == 1


def test_retry_against_the_emulator_honours_retry_after(emulator: Emulator) -> None:
    endpoint = Endpoint(
        emulator.base_url, key=emulator.api_key, headers=(("x-emulator-fault", "429=1"),)
    )
    client = Client(endpoint, PROFILES["local"])
    notices: list[RetryNotice] = []
    waits: list[float] = []
    with pytest.raises(RateLimitError):
        call_with_retries(
            lambda: client.stream_chat(MESSAGES), on_retry=notices.append, sleep=waits.append
        )
    assert waits == [1, 1, 1]
    assert [n.retry for n in notices] == [1, 2, 3]


@pytest.mark.parametrize(
    ("host", "allowed"),
    [
        ("127.0.0.1", True),
        ("127.1.2.3", True),
        ("localhost", True),
        ("::1", True),
        ("[::1]", True),
        ("my-llama.eastus2.inference.ai.azure.com", True),
        ("Mistral-large.swedencentral.models.ai.azure.com", True),
        ("x.services.ai.azure.com", True),
        ("evil.com", False),
        ("inference.ai.azure.com.evil.com", False),
        ("10.0.0.5", False),
        ("", False),
    ],
)
def test_default_allow_list(host: str, allowed: bool) -> None:
    assert HostPolicy().allows(host) is allowed


def test_setting_parses_and_star_allows_any() -> None:
    policy = HostPolicy.from_setting(" api.example.com , *.corp.example ")
    assert policy.allows("api.example.com") and policy.allows("a.corp.example")
    assert not policy.allows("127.0.0.1")
    assert HostPolicy.from_setting("*").allows("anything.example")
    assert HostPolicy.from_setting("").patterns == HostPolicy().patterns


def test_blocked_host_never_leaves_the_process() -> None:
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen()
        listener.setblocking(False)
        port = listener.getsockname()[1]
        client = Client(
            Endpoint(f"http://127.0.0.1:{port}", key="k"),
            hosts=HostPolicy.from_setting("only.example.com"),
        )
        with pytest.raises(BlockedHostError, match=r"may not call 127\.0\.0\.1"):
            client.chat(MESSAGES)
        with pytest.raises(BlockedHostError):
            client.send("GET", "/info")
        with pytest.raises(BlockingIOError):
            listener.accept()  # nobody connected
