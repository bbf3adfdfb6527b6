"""`core.live.LiveStream` filling a `core.reply.Reply` from a worker thread, against the real
emulator over HTTP (faults and pace set per request with `x-emulator-*` headers), plus the
pure logic of `PiecesSource` and `Reply`.

Waits poll with a generous deadline and fail when it passes; nothing asserts how long
anything took. Orderings are asserted on observed states.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator

import pytest

from core import (
    PROFILES,
    Client,
    Endpoint,
    EndpointError,
    InterruptedStreamError,
    RateLimitError,
    RetryCancelled,
    RetryNotice,
    RetryPolicy,
)
from core.live import LiveStream, PiecesSource, RetryHooks, TextStreamSource
from core.reply import Reply, ReplyStatus, RequestRecord
from emulator.process import Emulator

MESSAGES = [{"role": "user", "content": "Tell me about the sea"}]
PATIENCE = 60.0  # seconds a wait may take before the test fails (never reached when it works)
STALLED = "stall=600"  # three tokens, then ten minutes of silence: only a Stop ends it early


def client_for(emulator: Emulator, **headers: str) -> Client:
    """A client whose every request carries `headers` (underscores become dashes)."""
    sent = tuple((name.replace("_", "-"), value) for name, value in headers.items())
    endpoint = Endpoint(emulator.base_url, key=emulator.api_key, headers=sent)
    return Client(endpoint, PROFILES["local"])


def stream(client: Client, policy: RetryPolicy | None = None) -> LiveStream:
    """A chat reply from `client`, streaming in its worker."""
    source = TextStreamSource(lambda: client.stream_chat(MESSAGES, max_tokens=100))
    return LiveStream(Reply(request=RequestRecord(params={"max_tokens": 100})), source, policy)


def until(condition: Callable[[], bool], what: str) -> None:
    """Wait for `condition`, failing after PATIENCE seconds."""
    deadline = time.monotonic() + PATIENCE
    while not condition():
        assert time.monotonic() < deadline, f"gave up waiting for {what}"
        time.sleep(0.01)


def finish(live: LiveStream) -> Reply:
    assert live.wait(PATIENCE), "the worker did not finish"
    return live.reply


# Against the emulator -----------------------------------------------------------------------


def test_a_reply_streams_to_done_with_its_numbers_and_request(emulator: Emulator) -> None:
    live = stream(client_for(emulator, x_emulator_token_delay="0.01"))
    reply = finish(live)
    assert reply.status == ReplyStatus.DONE and reply.error is None
    assert reply.text.startswith('You said: "Tell me about the sea')
    assert reply.finish_reason == "stop" and reply.usage["completion_tokens"] == reply.pieces
    assert reply.time_to_first_token is not None and reply.tokens_per_second is not None
    assert reply.events[-1].data == "[DONE]"
    assert reply.request is not None and reply.request.sent is not None
    assert '"stream": true' in reply.request.body  # the body as sent, not as built
    assert reply.request.params == {"max_tokens": 100}  # what it was made with, kept
    assert emulator.api_key not in reply.request.body + str(reply.request.sent.headers)


def test_stop_keeps_the_partial_text_and_interrupts_a_stalled_read(emulator: Emulator) -> None:
    live = stream(client_for(emulator, x_emulator_fault=STALLED))
    until(lambda: live.reply.pieces >= 3, "the first three tokens")
    assert live.reply.status == ReplyStatus.STREAMING and not live.ended
    live.stop()
    reply = live.reply
    assert live.ended and reply.status == ReplyStatus.STOPPED  # at once, not at the next token
    assert reply.text.startswith('You said: "') and reply.error is None
    kept = reply.text
    # The read was blocked for ten minutes; the worker ends because Stop shut it down.
    assert finish(live).status == ReplyStatus.STOPPED
    assert reply.text == kept and reply.pieces == 3
    live.stop()  # stopping twice changes nothing
    assert reply.status == ReplyStatus.STOPPED


def test_a_429_is_retried_visibly_then_the_reply_streams(emulator: Emulator) -> None:
    live = stream(client_for(emulator, x_emulator_fault="429-once=1"), RetryPolicy(attempts=3))
    seen: list[tuple[ReplyStatus, str]] = []
    while not live.done:
        waiting = live.reply.waiting
        state = (live.reply.status, waiting.message() if waiting else "")
        if not seen or seen[-1] != state:
            seen.append(state)
        time.sleep(0.005)
    reply = finish(live)
    assert reply.status == ReplyStatus.DONE and reply.error is None
    assert reply.text.startswith('You said: "Tell me about the sea')
    assert reply.retries == ["Rate limited (429): retrying in 1 s (1 of 3)."]
    assert (ReplyStatus.RETRYING, "Rate limited (429): retrying in 1 s (1 of 3).") in seen
    assert reply.waiting is None


def test_cancel_during_a_retry_wait_fails_the_reply_with_the_error_it_waited_on(
    emulator: Emulator,
) -> None:
    policy = RetryPolicy(attempts=3, max_total=120)
    live = stream(client_for(emulator, x_emulator_fault="429=100"), policy)
    until(lambda: live.reply.waiting is not None, "the retry wait")
    assert live.reply.status == ReplyStatus.RETRYING
    assert live.reply.waiting.message().startswith("Rate limited (429): retrying in ")
    live.cancel_retry()
    reply = finish(live)  # a 100-second wait, ended by the cancel
    assert reply.status == ReplyStatus.FAILED and reply.waiting is None
    assert isinstance(reply.error, RetryCancelled)
    assert isinstance(reply.error.error, RateLimitError)
    assert reply.retries == ["Rate limited (429): retrying in 100 s (1 of 3)."]
    assert reply.text == ""


@pytest.mark.parametrize("fault", ["cut", "error-event", "content-filter-output"])
def test_a_fault_mid_stream_interrupts_the_reply_and_keeps_its_text(
    emulator: Emulator, fault: str
) -> None:
    reply = finish(stream(client_for(emulator, x_emulator_fault=fault)))
    assert reply.status == ReplyStatus.INTERRUPTED
    assert isinstance(reply.error, EndpointError)
    assert reply.text.startswith('You said: "') and reply.pieces == 3
    if fault == "cut":
        assert isinstance(reply.error, InterruptedStreamError)


def test_a_request_that_fails_before_the_stream_fails_the_reply(emulator: Emulator) -> None:
    reply = finish(stream(client_for(emulator, x_emulator_fault="401")))
    assert reply.status == ReplyStatus.FAILED and "rejected the key" in str(reply.error)
    assert reply.text == "" and reply.events == []


def test_a_stalled_stream_never_holds_up_another(emulator: Emulator) -> None:
    """Two streams at once: the stalled one is started first, the fast one still finishes
    while the stalled one has its first three tokens; then Stop ends the stalled one."""
    slow = stream(client_for(emulator, x_emulator_fault=STALLED))
    until(lambda: slow.reply.pieces >= 3, "the stalled stream's first tokens")
    fast = stream(client_for(emulator, x_emulator_token_delay="0.01"))
    observed = []
    while not fast.done:
        observed.append((slow.reply.pieces, slow.ended))
        time.sleep(0.005)
    assert finish(fast).status == ReplyStatus.DONE
    assert fast.reply.text.startswith('You said: "Tell me about the sea')
    assert not slow.ended and slow.reply.pieces == 3  # still early when the fast one ended
    assert observed and all(pieces == 3 and not ended for pieces, ended in observed)
    slow.stop()
    assert finish(slow).status == ReplyStatus.STOPPED and slow.reply.pieces == 3
    assert fast.reply.status == ReplyStatus.DONE  # untouched by the other's Stop


# Pure logic: any iterator of pieces ----------------------------------------------------------


class Broken(Exception):
    """What a third-party library might raise."""


def translate(exc: Exception, text: str) -> EndpointError:
    return InterruptedStreamError(f"translated {type(exc).__name__}", partial_text=text)


def pieces_stream(make: Callable[[RetryHooks], Iterator[str]]) -> LiveStream:
    return LiveStream(Reply(), PiecesSource(make, translate=translate))


def test_pieces_stream_to_done() -> None:
    reply = finish(pieces_stream(lambda hooks: iter(["", "Hello", ", ", "world"])))
    assert reply.status == ReplyStatus.DONE and reply.text == "Hello, world"
    assert reply.pieces == 3 and reply.time_to_first_token is not None


def test_a_failure_before_the_first_piece_fails_after_it_interrupts() -> None:
    def early(hooks: RetryHooks) -> Iterator[str]:
        raise Broken
        yield ""

    def late(hooks: RetryHooks) -> Iterator[str]:
        yield "Half a "
        yield "sentence"
        raise Broken

    failed = finish(pieces_stream(early))
    assert failed.status == ReplyStatus.FAILED and str(failed.error) == "translated Broken"
    cut = finish(pieces_stream(late))
    assert cut.status == ReplyStatus.INTERRUPTED and cut.text == "Half a sentence"


def test_stop_is_final_at_once_even_when_the_iterator_is_blocked() -> None:
    release = threading.Event()

    def blocked(hooks: RetryHooks) -> Iterator[str]:
        yield "Some "
        release.wait(PATIENCE)
        yield "more"

    live = pieces_stream(blocked)
    until(lambda: live.reply.pieces == 1, "the first piece")
    live.stop()
    assert live.reply.status == ReplyStatus.STOPPED and live.reply.text == "Some "
    assert not live.done  # the worker is still blocked in the iterator
    release.set()
    assert finish(live).text == "Some "  # what came after the Stop is not added


def test_hooks_retry_a_rate_limit_through_the_stream_wait() -> None:
    calls = []

    def flaky(hooks: RetryHooks) -> Iterator[str]:
        def start() -> list[str]:
            calls.append(1)
            if len(calls) == 1:
                raise RateLimitError("slow down", status_code=429, retry_after=0)
            return ["fine"]

        return iter(hooks.call(start))

    live = LiveStream(Reply(), PiecesSource(flaky, translate=translate), RetryPolicy())
    reply = finish(live)
    assert reply.status == ReplyStatus.DONE and reply.text == "fine" and len(calls) == 2
    assert reply.retries == ["Rate limited (429): retrying in 0 s (1 of 3)."]


def test_cancel_ends_a_wait_in_a_retry_loop_that_takes_only_a_sleep() -> None:
    waited_on = RateLimitError("slow down", status_code=429, retry_after=100)

    def adapter(hooks: RetryHooks) -> Iterator[str]:  # as LangChain's: on_retry, sleep, no more
        hooks.on_retry(RetryNotice(1, 3, 100, waited_on))
        hooks.sleep(100)
        yield "never sent"

    live = LiveStream(Reply(), PiecesSource(adapter, translate=translate))
    until(lambda: live.reply.waiting is not None, "the retry wait")
    assert live.reply.status == ReplyStatus.RETRYING
    live.cancel_retry()
    reply = finish(live)  # a 100-second wait, ended by the cancel
    assert reply.status == ReplyStatus.FAILED and reply.text == ""
    assert isinstance(reply.error, RetryCancelled) and reply.error.error is waited_on


def test_an_unexpected_exception_from_a_core_stream_is_named_not_shown() -> None:
    class Source(TextStreamSource):
        def open(self, hooks: RetryHooks) -> Iterator[str]:
            raise Broken("secret-looking text")

    reply = finish(LiveStream(Reply(), Source(lambda: None)))  # type: ignore[arg-type]
    assert reply.status == ReplyStatus.FAILED
    assert "Broken" in str(reply.error) and "secret-looking" not in str(reply.error)


# A reply whose worker is gone ----------------------------------------------------------------


def test_an_orphaned_reply_is_settled() -> None:
    streaming = Reply("Once upon a", ReplyStatus.STREAMING)
    streaming.orphaned()
    assert streaming.status == ReplyStatus.STOPPED and streaming.text == "Once upon a"
    waited_on = RateLimitError("slow down", status_code=429)
    retrying = Reply(status=ReplyStatus.RETRYING, error=waited_on)
    retrying.orphaned()
    assert retrying.status == ReplyStatus.FAILED
    assert isinstance(retrying.error, RetryCancelled) and retrying.error.error is waited_on
    done = Reply("All of it", ReplyStatus.DONE)
    done.orphaned()
    assert done.status == ReplyStatus.DONE
