"""Issue 5, reliability: retries that show, count down and stop; nothing else retried; the
allow-list; and the Request Builder's input handling under hypothesis.

Servers are real: the scripted emulator, or `raw_server.RawServer` for a 429 that clears on
the next try and a stream that breaks after some text (it also counts the requests).
"""

from __future__ import annotations

import json
import socket
from collections.abc import Callable, Iterator

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from streamlit.testing.v1 import AppTest

from core import PROFILES, Client, Endpoint, EndpointError, RateLimitError, RawResponse
from core.conversation import Alternative, ChatTurn, Conversation
from core.headers import parse_headers
from core.langchain import ChatAzureServerless
from core.reply import Reply, ReplyStatus
from emulator.process import Emulator
from tests.helpers.app_driver import (
    APP,
    BUILDER,
    CHAT,
    act,
    open_page,
    plain,
    plain_texts,
    say,
    start_app,
    texts,
)
from tests.helpers.raw_server import (
    DONE,
    RawServer,
    Request,
    chunk,
    completion,
    response,
    routes,
    stream,
)
from ui import request_builder as builder
from ui.navigation import PAGES

RATE_LIMITED = response("429 Too Many Requests", b'{"error": {"message": "slow down"}}',
                        retry_after="1")  # fmt: skip
UNAVAILABLE = response("503 Service Unavailable", b'{"error": {"message": "warming up"}}')
SERVER_ERROR = response("500 Internal Server Error", b'{"error": {"message": "boom"}}')
OK_JSON = response("200 OK", completion(b"Fine, thanks."))


def ok_stream(request: Request) -> Iterator[bytes]:
    return stream([chunk("Fine, "), chunk("thanks.", "stop"), DONE])


def broken_stream(request: Request) -> Iterator[bytes]:
    return stream([chunk("Half a "), chunk("sentence")])  # then the connection closes


@pytest.fixture
def served(monkeypatch: pytest.MonkeyPatch) -> Iterator[Callable[..., tuple[AppTest, RawServer]]]:
    """Start a raw server with the given POST replies and the app pointed at it."""
    servers: list[RawServer] = []

    def start(*posts: object, handler: Callable[[Request], object] | None = None):
        server = RawServer(handler or routes(*posts))  # type: ignore[arg-type]
        servers.append(server)
        return start_app(monkeypatch, server.url, "raw-key"), server

    yield start
    for server in servers:
        server.close()


# Retries: visible, bounded, then the answer --------------------------------------------------


def test_chat_retries_a_429_visibly_then_streams_the_reply(served) -> None:
    app, server = served(RATE_LIMITED, ok_stream)
    open_page(app, CHAT)
    say(app, "How are you?")
    reply = app.chat_message[1]
    assert reply.markdown[0].value == "Fine, thanks."
    assert not reply.error
    assert "Rate limited (429): retrying in 1 s (1 of 3)." in texts(reply.caption)
    assert len(server.posts) == 2
    assert json.loads(server.posts[0].body) == json.loads(server.posts[1].body)


def test_builder_retries_a_503_visibly_then_shows_the_response(served) -> None:
    app, server = served(UNAVAILABLE, OK_JSON)
    open_page(app, BUILDER)
    body = app.text_area(key="rb_body").value
    app.button(key="btn_rb_send").click().run()
    assert not app.exception
    assert {m.label: m.value for m in app.metric}["Status"] == "200 OK"
    assert "Endpoint unavailable (503): retrying in 1 s (1 of 3)." in texts(app.main.caption)
    assert any(m.value == "Fine, thanks." for m in app.main.markdown)
    assert app.text_area(key="rb_body").value == body
    assert len(server.posts) == 2


def test_home_retries_its_info_check(served) -> None:
    info = response("200 OK", b'{"model_name": "m", "model_type": "chat-completions"}')
    answers = iter([RATE_LIMITED, info])
    app, server = served(handler=lambda request: next(answers, info))
    assert app.success[0].value == "The endpoint answers."
    assert [r.method for r in server.requests] == ["GET", "GET"]


def test_retries_stop_at_the_count_set_in_the_sidebar(served) -> None:
    app, server = served(response("429 Too Many Requests", b"{}", retry_after="0"))
    app.number_input(key="sb_retry_attempts").set_value(2).run()
    open_page(app, CHAT)
    say(app, "Anyone there?")
    reply = app.chat_message[1]
    assert "rate limit was reached" in plain(reply.error[0].value)
    assert "(2 of 2)" in texts(reply.caption)
    assert len(server.posts) == 3  # the first try and two retries


def test_retries_can_be_turned_off(served) -> None:
    app, server = served(RATE_LIMITED, ok_stream)
    app.toggle(key="sb_retry").set_value(False).run()
    assert app.number_input(key="sb_retry_attempts").disabled
    open_page(app, CHAT)
    say(app, "Once only")
    reply = app.chat_message[1]
    assert "Retry in 1 s" in plain(reply.error[0].value)
    assert "retrying" not in texts(reply.caption)
    assert len(server.posts) == 1


@pytest.mark.parametrize(
    ("name", "reply", "message"),
    [
        ("500", SERVER_ERROR, "The endpoint failed (500"),
        ("cut after text", broken_stream, "The stream ended before the model finished"),
    ],
)
def test_nothing_else_is_retried_and_text_is_never_replayed(served, name, reply, message) -> None:
    app, server = served(reply, ok_stream)
    open_page(app, CHAT)
    say(app, "Try once")
    answer = app.chat_message[1]
    assert message in plain(answer.error[0].value)
    assert "retrying" not in texts(answer.caption)
    assert len(server.posts) == 1
    if name == "cut after text":
        assert answer.markdown[0].value == "Half a sentence"  # kept and marked, not re-asked
        assert "Interrupted" in texts(answer.caption)


def test_the_langchain_adapter_waits_through_the_pages_countdown() -> None:
    """`retry_sleep` lets a LangChain page show the same cancellable countdown."""
    server = RawServer(routes(RATE_LIMITED, OK_JSON))
    waits: list[float] = []
    try:
        model = ChatAzureServerless.from_endpoint(
            Endpoint(server.url, key="raw-key"), max_retries=2, retry_sleep=waits.append
        )
        assert model.invoke("Hello").content == "Fine, thanks."
    finally:
        server.close()
    assert waits == [1.0]
    assert len(server.posts) == 2


# Cancel: a click during the countdown ends the run; the next run says so --------------------
# (A real click on Cancel during a countdown is in tests/browser/test_pages.py.)


def test_a_cancelled_chat_retry_is_reported_and_the_message_kept(
    emulator: Emulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    app = start_app(monkeypatch, emulator.base_url, emulator.api_key)
    open_page(app, CHAT)
    waited_on = RateLimitError("The endpoint's rate limit was reached.", status_code=429)
    waiting = Reply(
        status=ReplyStatus.RETRYING,
        error=waited_on,
        retries=["Rate limited (429): retrying in 5 s (1 of 3)."],
    )
    app.session_state["chat_conversation"] = Conversation(
        [ChatTurn("Kept question", [Alternative(waiting)])]
    )
    app.run()
    user, reply = app.chat_message
    assert user.markdown[0].value == "Kept question"
    assert plain(reply.error[0].value).startswith("Retry cancelled. The last answer was:")
    assert "retrying in 5 s (1 of 3)" in texts(reply.caption)
    app.button(key="btn_chat_regenerate").click().run()  # and asking again works
    assert app.chat_message[1].markdown[0].value.startswith('You said: "Kept question')


def test_a_cancelled_builder_retry_is_reported_and_the_editor_kept(
    emulator: Emulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    app = start_app(monkeypatch, emulator.base_url, emulator.api_key)
    open_page(app, BUILDER)
    body = app.text_area(key="rb_body").value
    waited_on = RateLimitError("The endpoint's rate limit was reached.", status_code=429)
    reply = Reply(
        status=ReplyStatus.RETRYING,
        error=waited_on,
        retries=["Rate limited (429): retrying in 5 s (1 of 3)."],
    )
    entry = builder.Entry(builder.Draft(body=body), "/chat/completions", "12:00:00", reply)
    app.session_state["rb_history"] = [entry]
    app.run()
    assert plain_texts(app.main.error).startswith("Retry cancelled. The last answer was:")
    assert app.text_area(key="rb_body").value == body
    assert "not sent" in texts(app.main.markdown)


# Outbound hosts ----------------------------------------------------------------------------


def test_a_blocked_host_gets_a_message_and_no_request_leaves(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("PLAYGROUND_ALLOWED_HOSTS", "only.example.com")
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen()
        listener.setblocking(False)
        port = listener.getsockname()[1]
        app = start_app(monkeypatch, f"http://127.0.0.1:{port}", "some-key")
        message = app.sidebar.warning[0].value
        assert "may not call 127.0.0.1" in message and "only.example.com" in message
        assert "PLAYGROUND_ALLOWED_HOSTS" in message
        for spec in PAGES:
            open_page(app, spec.path)
            assert "may not call 127.0.0.1" in texts(app.info), spec.path
            act(app)
        with pytest.raises(BlockingIOError):
            listener.accept()  # nobody connected, from any page


def test_the_allow_list_can_come_from_secrets(emulator: Emulator, monkeypatch) -> None:
    # st.secrets is set through AppTest here: a secrets.toml on disk would be shared with
    # every other test process running from this checkout.
    monkeypatch.setenv("PLAYGROUND_LOCAL_URL", emulator.base_url)
    monkeypatch.setenv("PLAYGROUND_LOCAL_KEY", emulator.api_key)
    app = AppTest.from_file(APP, default_timeout=60)
    app.secrets["PLAYGROUND_ALLOWED_HOSTS"] = ["api.example.com"]
    app.run()
    assert "it only calls api.example.com" in app.sidebar.warning[0].value
    assert "allowed (PLAYGROUND_ALLOWED_HOSTS): api.example.com" in texts(app.sidebar.caption)


# The Request Builder's input, under hypothesis -------------------------------------------------

HEADER_TEXT = st.lists(
    st.one_of(
        st.text(max_size=40),
        st.builds(
            lambda n, v: f"{n}: {v}",
            st.from_regex(r"[A-Za-z0-9-]{1,12}", fullmatch=True),
            st.text(max_size=30),
        ),
    ),
    max_size=5,
).map("\n".join)
BODY_TEXT = st.one_of(
    st.text(max_size=200),
    st.builds(
        lambda text, n: json.dumps({"messages": [{"role": "user", "content": text}], "n": n}),
        st.text(max_size=50),
        st.integers(),
    ),
)
PATH_TEXT = st.one_of(st.text(max_size=40), st.text(max_size=40).map(lambda t: "/" + t))


@pytest.fixture(scope="module")
def sink() -> Iterator[RawServer]:
    """Answers every request with `200 {}`: the property test counts what arrived."""
    server = RawServer(lambda request: response("200 OK", b"{}"))
    yield server
    server.close()


def test_header_lines_become_sendable_headers_or_a_message() -> None:
    @given(HEADER_TEXT)
    def check(text: str) -> None:
        pairs, problems = parse_headers(text)
        meaningful = [
            line for line in text.splitlines() if line.strip() and not line.lstrip().startswith("#")
        ]
        assert len(pairs) + len(problems) == len(meaningful)
        for name, value in pairs:
            name.encode("ascii")
            value.encode("latin-1")
            assert not any(c in value for c in "\r\n\x00")
        assert all(p.startswith("Line ") for p in problems)

    check()


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    method=st.sampled_from(builder.METHODS),
    route=st.sampled_from(list(builder.ROUTES)),
    path=PATH_TEXT,
    headers=HEADER_TEXT,
    body=BODY_TEXT,
)
def test_builder_input_is_sent_or_explained(sink, method, route, path, headers, body):
    """Never a traceback: either a clear message before sending, or a request that arrives."""
    client = Client(Endpoint(sink.url, key="sink-key"), PROFILES["local"])
    draft = builder.Draft(route=route, method=method, path=path, headers=headers, body=body)
    target = builder.route_path(client, route, path)
    blocking = (
        builder.path_problem(client, target) or builder.body_problems(draft, client.profile)[0]
    )
    if blocking:
        assert blocking.endswith(".") and len(blocking) > 20
        return
    pairs, _ = parse_headers(headers)
    before = len(sink.requests)
    try:
        raw = client.open(
            method, target, headers=dict(pairs), body=body if draft.sends_body else None
        )
    except EndpointError as exc:  # refused before sending, in words
        assert str(exc).endswith(".") and len(sink.requests) == before
        return
    assert isinstance(raw, RawResponse)
    exchange = raw.read()
    assert exchange.status == 200, exchange.error
    assert len(sink.requests) == before + 1


@settings(max_examples=8, deadline=None, suppress_health_check=list(HealthCheck))
@given(path=PATH_TEXT, headers=HEADER_TEXT, body=BODY_TEXT)
def test_the_builder_page_never_shows_a_traceback(emulator: Emulator, path, headers, body):
    """The same inputs typed into the real page: a message or a response, never an exception."""
    with pytest.MonkeyPatch.context() as monkeypatch:
        app = start_app(monkeypatch, emulator.base_url, emulator.api_key)
        open_page(app, BUILDER)
        app.selectbox(key="rb_route").select("custom").run()
        app.text_input(key="rb_path").input(path)
        app.text_area(key="rb_headers").input(headers)
        app.text_area(key="rb_body").input(body).run()
        assert not app.exception
        send = app.button(key="btn_rb_send")
        if send.disabled:
            assert app.main.error, "Send is disabled without saying why"
            return
        send.click().run()
        assert not app.exception
        assert not app.session_state["rb_history"][-1].reply.live
        assert {m.label for m in app.metric} >= {"Status"} or app.main.error
