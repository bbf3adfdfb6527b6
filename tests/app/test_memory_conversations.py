"""Conversations that survive mistakes on the Memory Chatbot, through AppTest on the real app:
a failed or over-long turn stays out of memory (asserted on the bodies a real local server
received), keep as context, a reply cut at max_tokens marked in memory and continued,
answers with their own parameters, edit and delete, and the export/import round trip with
the cut and kept marks.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
from streamlit.testing.v1 import AppTest

from core.conversation import CONTINUE_PROMPT, Conversation
from core.memory import Turn, import_history, notebook_prompt
from tests.helpers.app_driver import CHATBOT, Downloads, open_page, plain, say, start_app, texts
from tests.helpers.chat_server import KEY, LONG, received, running
from tests.helpers.raw_server import RawServer


@pytest.fixture
def server() -> Iterator[RawServer]:
    yield from running()


def conversation(at: AppTest) -> Conversation:
    found: Conversation = at.session_state["mc_conversation"]
    return found


def open_chatbot(at: AppTest) -> None:
    open_page(at, CHATBOT)
    at.segmented_control(key="mc_mode").set_value("messages").run()


def last_sent(at: AppTest) -> list[dict[str, Any]]:
    """The messages of the last request, from the reply's own record."""
    answer = conversation(at).turns[-1].answer
    assert answer is not None and answer.latest.request is not None
    messages: list[dict[str, Any]] = json.loads(answer.latest.request.body)["messages"]
    return messages


def click(at: AppTest, key: str) -> None:
    at.button(key=key).click().run()
    assert not at.exception, at.exception


def window(at: AppTest) -> Any:
    """The window table of the last answer shown."""
    return [d.value for d in at.dataframe if "sent" in d.value][-1]


def test_a_failed_turn_stays_out_of_the_next_request(
    server: RawServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    app = start_app(monkeypatch, server.url, "wrong-key")
    open_page(app, CHATBOT)
    say(app, "First question")
    assert "rejected the key" in app.chat_message[1].error[0].value
    app.text_input(key="sb_key").input(KEY).run()
    say(app, "Second question")
    assert received(server) == [{"role": "user", "content": notebook_prompt([], "Second question")}]
    assert app.chat_message[3].markdown[0].value == "Fine, thanks."
    say(app, "Third question")
    expected = notebook_prompt([Turn("Second question", "Fine, thanks.")], "Third question")
    assert received(server) == [{"role": "user", "content": expected}]


def test_an_over_long_question_is_explained_then_hi_succeeds(
    server: RawServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    app = start_app(monkeypatch, server.url, KEY)
    open_page(app, CHATBOT)
    say(app, LONG)
    error = plain(app.chat_message[1].error[0].value)
    assert error.startswith("The prompt is 3031 tokens; the context window is 2048.")
    say(app, "hi")
    assert received(server) == [{"role": "user", "content": notebook_prompt([], "hi")}]
    assert not app.chat_message[3].error
    assert app.metric[0].value == "1 exchanges"


def test_an_interrupted_reply_is_remembered_only_when_kept(app: AppTest) -> None:
    open_chatbot(app)
    app.text_area(key="sb_headers").input("x-emulator-fault: cut").run()
    say(app, "Start a story")
    partial = conversation(app).turns[0].answer
    assert partial is not None and partial.text
    assert "not kept in memory" in texts(app.chat_message[1].caption)
    app.text_area(key="sb_headers").input("").run()
    say(app, "Something else")
    assert [m["content"] for m in last_sent(app) if m["role"] == "user"] == ["Something else"]
    click(app, "btn_mc_keep_0")
    assert "kept in memory" in texts(app.chat_message[1].caption)
    say(app, "And now?")
    sent = last_sent(app)
    assert sent[1:3] == [
        {"role": "user", "content": "Start a story"},
        {"role": "assistant", "content": partial.text},
    ]
    table = window(app)
    assert list(table["mark"]) == ["kept (unfinished)", ""]
    assert app.metric[0].value == "3 exchanges"


def test_a_cut_reply_is_marked_in_memory_and_continues(app: AppTest) -> None:
    open_chatbot(app)
    app.session_state["sb_param_max_tokens"] = 5
    say(app, "Tell me a long story")
    answer = app.chat_message[1]
    assert "Cut at max_tokens" in answer.warning[0].value
    caption = texts(answer.caption)
    assert "finish length" in caption and "usage" in caption and "5 out" in caption
    first = answer.markdown[0].value
    click(app, "btn_mc_continue_0")
    sent = last_sent(app)
    assert sent[-3:] == [
        {"role": "user", "content": "Tell me a long story"},
        {"role": "assistant", "content": first},
        {"role": "user", "content": CONTINUE_PROMPT},
    ]
    answer = conversation(app).turns[0].answer
    assert answer is not None and len(answer.parts) == 2
    assert app.chat_message[1].markdown[0].value == answer.text
    say(app, "Next")
    assert list(window(app)["mark"]) == ["✂ cut at max_tokens"]  # cut again: still marked
    assert sent[-2]["content"] in last_sent(app)[2]["content"]


def test_another_answer_keeps_the_first_with_its_own_parameters(app: AppTest) -> None:
    open_chatbot(app)
    app.session_state["sb_param_max_tokens"] = 30
    say(app, "Hello there")
    app.session_state["sb_param_max_tokens"] = 6
    click(app, "btn_mc_retry_0")
    answer = app.chat_message[1]
    assert "2/2" in texts(answer.caption) and "max_tokens 6" in texts(answer.caption)
    click(app, "btn_mc_prev_0")
    assert "max_tokens 30" in texts(app.chat_message[1].caption)
    say(app, "Next")  # the selected answer is the one remembered
    first = conversation(app).turns[0].alternatives[0].text
    assert last_sent(app)[2] == {"role": "assistant", "content": first}


def test_edit_and_delete(app: AppTest) -> None:
    open_chatbot(app)
    for question in ("One", "Two", "Three"):
        say(app, question)
    click(app, "btn_mc_edit_1")
    app.text_area(key="mc_edit_text").input("Two, edited").run()
    click(app, "btn_mc_edit_send")
    assert [t.user for t in conversation(app).turns] == ["One", "Two, edited"]
    assert [m["content"] for m in last_sent(app) if m["role"] == "user"] == ["One", "Two, edited"]
    assert "saw 1 of 1 earlier exchanges (k=5)" in texts(app.chat_message[3].caption)
    click(app, "btn_mc_delete_0")
    assert [t.user for t in conversation(app).turns] == ["Two, edited"]
    assert app.metric[0].value == "1 exchanges"
    # The remaining answer still says what it saw when it was sent.
    assert "saw 1 of 1 earlier exchanges (k=5)" in texts(app.chat_message[1].caption)


def test_export_then_import_keeps_the_cut_and_kept_marks(
    app: AppTest, downloads: Downloads
) -> None:
    open_chatbot(app)
    app.text_area(key="sb_headers").input("x-emulator-fault: cut").run()
    say(app, "Interrupted one")
    click(app, "btn_mc_keep_0")
    app.text_area(key="sb_headers").input("").run()
    app.session_state["sb_param_max_tokens"] = 4
    say(app, "Cut one")
    exported = downloads.named("memory-chat.json")[-1]
    marks = [(t.user, t.cut, t.kept) for t in import_history(exported)]
    assert marks == [("Interrupted one", False, True), ("Cut one", True, False)]
    click(app, "btn_mc_clear")
    app.file_uploader[0].set_value(("memory-chat.json", exported, "application/json")).run()
    assert "Imported 2 exchanges from memory-chat.json." in app.success[0].value
    assert conversation(app).turns[0].kept and conversation(app).turns[1].answer.cut
    assert "Cut at max_tokens" in app.chat_message[3].warning[0].value
    app.session_state["sb_param_max_tokens"] = 50
    say(app, "After the import")
    assert list(window(app)["mark"]) == ["kept (unfinished)", "✂ cut at max_tokens"]


def test_the_next_request_is_estimated_against_the_context_window(app: AppTest) -> None:
    open_chatbot(app)
    app.session_state["sb_param_max_tokens"] = 1900
    app.run()
    assert "near the model's 2,048-token context" in texts(app.caption)
