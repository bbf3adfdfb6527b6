"""This browser's copy through the real app (AppTest against the emulator): a copy the
browser reports comes back on its page and the next turn works; a copy that cannot be read is
dropped with a message; nothing is written before the browser reported; the key never goes
into a copy; a copy over the limit is not kept, and the page says so.

AppTest runs no JavaScript, so the browser's report is put where the bridge's callback puts
it (`browser_store.Store.report`); what the page writes is read from `Store.held`/`pending`.
The bridge itself is tested in Chromium (tests/browser/test_reload.py).
"""

from __future__ import annotations

import json

import pytest
from streamlit.testing.v1 import AppTest

from core.conversation import Alternative, ChatTurn, Conversation
from core.reply import Reply, ReplyStatus, RequestRecord
from core.transcript import export_json
from emulator.process import Emulator
from tests.helpers.app_driver import (
    BUILDER,
    CHAT,
    CHATBOT,
    open_page,
    plain_texts,
    say,
    start_app,
    texts,
)
from ui import browser_store
from ui.browser_store import STATE, Store


def reported(at: AppTest, **items: str) -> None:
    """The browser reports `items` (as the bridge's callback records them)."""
    at.session_state[STATE] = Store(report=dict(items))


def store_of(at: AppTest) -> Store:
    """The session's view of the browser's copy, after the last run."""
    found = at.session_state[STATE]
    assert isinstance(found, Store)
    return found


def copy_of_chat(*pairs: tuple[str, str]) -> str:
    turns = [
        ChatTurn(user, [Alternative(Reply(answer, ReplyStatus.DONE, request=RequestRecord("{}")))])
        for user, answer in pairs
    ]
    return json.dumps(json.loads(export_json(Conversation(turns))))


def test_a_reported_conversation_comes_back_and_the_next_turn_works(app: AppTest) -> None:
    reported(app, chat=copy_of_chat(("Before the reload", "An answer")), system='"Be brief."')
    open_page(app, CHAT)
    assert "Before the reload" in texts(app.chat_message[0].markdown)
    assert "Restored from this browser: 1 message(s)" in texts(app.caption)
    assert app.text_area(key="sb_system").value == "Be brief."
    say(app, "After the reload")
    answer = texts(app.chat_message[3].markdown)
    assert 'You said: "After the reload"' in answer
    assert "Restored from this browser" not in texts(app.caption)
    held = json.loads(store_of(app).held["chat"])
    assert [turn["user"] for turn in held["turns"]] == ["Before the reload", "After the reload"]
    sent = held["turns"][1]["alternatives"][0][0]["request"]["body"]["messages"]
    assert sent[0] == {"role": "system", "content": "Be brief."}
    assert [m["content"] for m in sent[1:]] == [
        "Before the reload",
        "An answer",
        "After the reload",
    ]


def test_a_copy_that_cannot_be_read_is_dropped_with_a_message(app: AppTest) -> None:
    reported(app, chat="{not json", mc='{"k": 3}', rb='{"a": 1}', system="5")
    for page in (CHAT, CHATBOT, BUILDER):
        open_page(app, page)
        assert not app.exception
    toasts = texts(app.toast)
    assert "could not be read, so it was dropped" in toasts
    assert store_of(app).restored >= {"chat", "mc", "rb", "system"}
    # Every copy was dropped; the system prompt in use (the default) is kept in its place.
    assert store_of(app).held == {"system": '"You are a helpful assistant."'}
    open_page(app, CHAT)
    say(app, "Still works")
    assert 'You said: "Still works"' in texts(app.chat_message[1].markdown)


def test_nothing_is_written_before_the_browser_reported(app: AppTest) -> None:
    open_page(app, CHAT)
    say(app, "Hello")
    store = store_of(app)
    assert store.report is None and not store.held and not store.pending


def test_the_key_never_goes_into_a_copy(app: AppTest, emulator: Emulator) -> None:
    reported(app)
    open_page(app, CHAT)
    say(app, f"My key is {emulator.api_key}, keep it safe")
    app.text_area(key="sb_system").input(f"Key {emulator.api_key}").run()
    store = store_of(app)
    text = json.dumps(store.held)
    assert "My key is ***, keep it safe" in json.loads(store.held["chat"])["turns"][0]["user"]
    assert emulator.api_key not in text and "***" in store.held["system"]


def test_clear_forgets_the_copy(app: AppTest) -> None:
    reported(app)
    open_page(app, CHAT)
    say(app, "Hello")
    assert "chat" in store_of(app).held
    app.button(key="btn_chat_clear").click().run()
    assert "chat" not in store_of(app).held


def test_a_copy_over_the_limit_is_not_kept_and_the_page_says_so(
    app: AppTest, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(browser_store, "MAX_CHARS", 500)
    reported(app)
    open_page(app, CHAT)
    say(app, "Hello " * 100)
    assert "This conversation is too large to keep in this browser" in texts(app.caption)
    assert "chat" not in store_of(app).held


def reloaded(monkeypatch: pytest.MonkeyPatch, emulator: Emulator, held: dict[str, str]) -> AppTest:
    """A new session (as after a reload) whose browser reports what the last one kept."""
    at = start_app(monkeypatch, emulator.base_url, emulator.api_key)
    reported(at, **held)
    return at


def test_the_builder_history_comes_back_in_a_new_session(
    app: AppTest, emulator: Emulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    reported(app)
    open_page(app, BUILDER)
    app.button(key="btn_rb_send").click().run()
    app.button(key="btn_rb_send").click().run()
    held = store_of(app).held
    assert len(json.loads(held["rb"])) == 2
    again = open_page(reloaded(monkeypatch, emulator, held), BUILDER)
    assert [b.key for b in again.button if b.key and b.key.startswith("btn_rb_load_")] == [
        "btn_rb_load_1",
        "btn_rb_load_0",
    ]
    assert "200 OK" in plain_texts(again.metric)
    again.button(key="btn_rb_send").click().run()  # and the next request goes on the list
    assert again.button(key="btn_rb_load_2")


def test_the_memory_comes_back_in_a_new_session_with_its_k(
    app: AppTest, emulator: Emulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    reported(app)
    open_page(app, CHATBOT)
    app.slider(key="mc_k").set_value(3).run()
    say(app, "First question")
    say(app, "Second question")
    again = open_page(reloaded(monkeypatch, emulator, store_of(app).held), CHATBOT)
    assert again.slider(key="mc_k").value == 3
    assert "Restored from this browser: 2 message(s)" in texts(again.caption)
    say(again, "Third question")
    assert "saw 2 of 2 earlier exchanges (k=3)" in texts(again.caption)
