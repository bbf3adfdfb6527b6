"""The reply limits on every page: small limits set the way a host sets them
(`PLAYGROUND_LIMITS`), and a real local server (tests/helpers/raw_server.py) whose second reply
passes one of them: a body over the size limit, one event over the line limit, a reply that
trickles past the time limit, too many events. Each becomes a row of the fault table.

The page must stop reading there with a message naming the limit and what to do, keep what
arrived (marked Interrupted), and keep the user's input and the earlier exchange. A JSON reply
has no events, so the Request Builder's JSON request has rows for the size and time limits.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterator

import pytest
from streamlit.testing.v1 import AppTest

from tests.helpers.fault_table import LIMIT_ROWS, LIMITS_SETTING, Expect, Record, check
from tests.helpers.page_drivers import DRIVERS
from tests.helpers.raw_server import DONE, Reply, Request, chunk, completion, response, stream
from tests.helpers.raw_server import streamed as asks_for_stream
from ui.hosting import LIMITS_ENV

ECHO = 'You said: "'
JSON_PAGE = "Request Builder (JSON)"
TICK = 0.1  # seconds between the pieces of a trickling reply: 100 of them outlast 2 s


def good(request: Request) -> Reply:
    """The drivers' first exchange: a short reply, as asked (streamed or not)."""
    if asks_for_stream(request):
        return stream([chunk(ECHO + 'First question"'), chunk("", "stop"), DONE])
    return response("200 OK", completion(json.dumps(ECHO + 'First question"')[1:-1].encode()))


def too_big(request: Request) -> Reply:
    if asks_for_stream(request):  # ~220 KB of events
        return stream([chunk(ECHO), *(chunk("word " * 40) for _ in range(1000)), DONE])
    return response("200 OK", completion(b'You said: \\"' + b"x" * 100_000))


def long_event(request: Request) -> Iterator[bytes]:
    # The long event comes a moment later, as a model's tokens do: the client has read the
    # first one by then. (Events that arrive in the same read as an event past the limit are
    # not kept: `SSEDecoder.feed` raises before it returns them.)
    yield from stream([chunk(ECHO)])
    time.sleep(3 * TICK)
    yield from [chunk("y" * 10_000), DONE]


def trickle(request: Request) -> Iterator[bytes]:
    if asks_for_stream(request):
        yield from stream([chunk(ECHO)])
        for _ in range(100):
            time.sleep(TICK)
            yield chunk("tick ")
        return
    body = completion(b'You said: \\"' + b"z" * 1000)
    head = f"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {len(body)}"
    yield (head + "\r\nConnection: close\r\n\r\n").encode()
    for start in range(0, len(body), 10):
        time.sleep(TICK)
        yield body[start : start + 10]


def too_many(request: Request) -> Reply:
    return stream([chunk(ECHO), *(chunk("a ") for _ in range(400)), DONE])


def expect(cause: str) -> Expect:
    return Expect((cause,), ("whoever hosts the playground can raise the limit",), partial=True)


SIZE, LINE, TIME, EVENTS = LIMIT_ROWS
CASES: dict[str, tuple[Callable[[Request], Reply], Expect]] = {
    SIZE: (too_big, expect("passed the limit of 65,536 bytes for one reply")),
    LINE: (long_event, expect("One server-sent event passed the limit of 4,096 characters")),
    TIME: (trickle, expect("took longer than the limit of 2 s for one reply")),
    EVENTS: (too_many, expect("The stream passed the limit of 200 events")),
}
ROWS = [
    (page, limit)
    for page in DRIVERS
    for limit in CASES
    if page != JSON_PAGE or limit in (SIZE, TIME)  # a JSON reply has no events
]


@pytest.mark.parametrize(("page", "limit"), ROWS)
def test_limit(
    raw_app: Callable[..., AppTest],
    monkeypatch: pytest.MonkeyPatch,
    record: Record,
    page: str,
    limit: str,
) -> None:
    monkeypatch.setenv(LIMITS_ENV, LIMITS_SETTING)
    handler, expected = CASES[limit]
    app = raw_app(good, handler)
    driver = DRIVERS[page]()
    driver.prepare(app)
    driver.act(app)
    assert not app.exception
    seen = driver.observe(app)
    assert "Limits." in seen.message, seen.message
    record(page, limit, *check(page, expected, seen))
