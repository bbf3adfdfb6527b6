"""Bad input on every page: URLs, header lines, bodies and messages the app must refuse, and
replies that are not UTF-8; each becomes a row of the fault table.
"""

from __future__ import annotations

import json
from collections.abc import Callable

import pytest
from streamlit.testing.v1 import AppTest

from core.client import MAX_REQUEST_BYTES
from tests.helpers.app_driver import (
    BUILDER,
    CHAT,
    PAGE_PATHS,
    open_page,
    plain,
    say,
    set_extra_headers,
    texts,
)
from tests.helpers.fault_table import Record
from tests.helpers.raw_server import DONE, chunk, completion, response, stream


@pytest.mark.parametrize(
    ("name", "url", "message"),
    [
        ("URL with scheme ftp://", "ftp://example.com", "must start with https://"),
        ("URL javascript:alert(1)", "javascript:alert(1)", "must start with https://"),
        ("URL with the key in it", "https://me:secret@x.models.ai.azure.com", "not in the URL"),
        ("host not on the allow-list", "https://example.com", "may not call example.com"),
    ],
)
def test_bad_url(app: AppTest, name: str, url: str, message: str, record: Record) -> None:
    open_page(app, CHAT)
    say(app, "Before the URL changed")
    app.text_input(key="sb_url").input(url).run()
    warning = app.sidebar.warning[0].value
    assert message in warning
    for page in PAGE_PATHS:
        open_page(app, page)
        assert "Set up the endpoint in the sidebar" in texts(app.info), page
        assert not app.exception
    open_page(app, CHAT)
    assert app.chat_message[0].markdown[0].value == "Before the URL changed"  # history kept
    assert app.chat_input[0].proto.disabled
    record("Sidebar (every page)", name, warning, "every page: “Set up the endpoint in the "
           "sidebar first”; nothing is sent", "—", "yes", "yes")  # fmt: skip


def test_allow_list_names_the_allowed_hosts(app: AppTest) -> None:
    app.text_input(key="sb_url").input("https://api.example.com").run()
    warning = app.sidebar.warning[0].value
    assert "127.0.0.0/8" in warning and "*.models.ai.azure.com" in warning
    assert "PLAYGROUND_ALLOWED_HOSTS" in warning


@pytest.mark.parametrize(
    ("name", "line", "message"),
    [
        ("header line that is not name: value", "no colon here", "is not `name: value`"),
        ("header value with non-Latin-1 text", "x-note: 日本語", "cannot carry"),
    ],
)
def test_bad_header_line(app: AppTest, name: str, line: str, message: str, record: Record) -> None:
    open_page(app, CHAT)
    set_extra_headers(app, line)
    warning = texts(app.sidebar.warning)
    assert message in warning
    say(app, "Still works")
    assert app.chat_message[1].markdown[0].value.startswith('You said: "Still works')
    record("Sidebar (every page)", name, warning, "the line is ignored; requests still go out",
           "—", "yes", "yes")  # fmt: skip


def test_builder_blocks_invalid_json(app: AppTest, record: Record) -> None:
    open_page(app, BUILDER)
    app.text_area(key="rb_body").input('{"messages": [}').run()
    error = plain(app.main.error[0].value)
    assert "not valid JSON" in error and "line 1, column" in error
    assert app.button(key="btn_rb_send").disabled
    assert app.text_area(key="rb_body").value == '{"messages": [}'
    record("Request Builder", "invalid JSON body", error, "Send is disabled", "—", "yes", "yes")


def test_builder_blocks_a_body_over_the_limit(app: AppTest, record: Record) -> None:
    open_page(app, BUILDER)
    body = json.dumps({"messages": [{"role": "user", "content": "x" * MAX_REQUEST_BYTES}]})
    app.text_area(key="rb_body").input(body).run()
    [error] = [plain(e.value) for e in app.main.error]  # said once, under the body
    assert f"the limit is {MAX_REQUEST_BYTES:,}" in error and "Shorten it" in error
    assert app.button(key="btn_rb_send").disabled
    assert app.text_area(key="rb_body").value == body
    record("Request Builder", "body over 1 MB", error, "Send is disabled", "—", "yes", "yes")


def test_builder_blocks_a_path_without_slash(app: AppTest, record: Record) -> None:
    open_page(app, BUILDER)
    app.selectbox(key="rb_route").select("custom").run()
    app.text_input(key="rb_path").input("chat/completions").run()
    error = plain(app.main.error[0].value)
    assert "must start with '/'" in error
    assert app.button(key="btn_rb_send").disabled
    record("Request Builder", "route without a leading /", error, "Send is disabled", "—",
           "yes", "yes")  # fmt: skip


def test_chat_refuses_a_message_over_the_limit(app: AppTest, record: Record) -> None:
    open_page(app, CHAT)
    say(app, "A short one first")
    big = "y" * (MAX_REQUEST_BYTES + 10)
    say(app, big)
    messages = app.chat_message
    assert [m.name for m in messages] == ["user", "assistant"] * 2
    error = plain(messages[3].error[0].value)
    assert f"the limit is {MAX_REQUEST_BYTES:,}" in error and "Shorten" in error
    assert messages[1].markdown[0].value.startswith('You said: "A short one first')
    assert app.session_state["chat_conversation"].turns[1].user == big  # kept whole, drawn clipped
    assert "Showing the first" in texts(messages[2].caption)
    kept = "nothing sent; the message is kept (drawn clipped)"
    record("Streaming Chat", "message over 1 MB", error, kept, "—", "yes", "yes")


LATIN1 = "caf\xe9 cr\xe8me br\xfbl\xe9e".encode("latin-1")  # not UTF-8


def test_non_utf8_json_in_the_builder(raw_app: Callable[..., AppTest], record: Record) -> None:
    app = raw_app(response("200 OK", completion(LATIN1)))
    open_page(app, BUILDER)
    app.button(key="btn_rb_send").click().run()
    assert not app.exception
    reply = next(m.value for m in app.main.markdown if m.value.startswith("caf"))
    assert reply == "caf\ufffd cr\ufffdme br\ufffdl\ufffde"
    note = next(c.value for c in app.main.caption if "U+FFFD" in c.value)
    assert "not valid UTF-8" in note
    record("Request Builder", "non-UTF-8 response (JSON)", note, f"reply shown as {reply!r}",
           "—", "yes", "yes")  # fmt: skip


def test_non_utf8_stream_in_the_chat(raw_app: Callable[..., AppTest], record: Record) -> None:
    events = [chunk(LATIN1), chunk(" ok", finish_reason="stop"), DONE]
    app = raw_app(lambda request: stream(events))
    open_page(app, CHAT)
    say(app, "Say something in French")
    reply = app.chat_message[1]
    assert reply.markdown[0].value == "caf\ufffd cr\ufffdme br\ufffdl\ufffde ok"
    assert not reply.error
    note = next(c.value for c in reply.caption if "U+FFFD" in c.value)
    record("Streaming Chat", "non-UTF-8 response (stream)", note,
           f"reply shown as {reply.markdown[0].value!r}", "—", "yes", "yes")  # fmt: skip
