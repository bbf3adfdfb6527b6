"""Conversations that survive mistakes and reloads, on Streaming Chat, through AppTest on the
real app: a failed or over-long turn never rides along with the next ones (asserted on the
bodies a real local server received), edit, delete, send again, keep as context, answers with
their own parameters, Continue after a cut, and the JSON import.

The Memory Chatbot's side is in tests/app/test_memory_conversations.py; the last test runs
both pages against the real SmolLM2.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
from streamlit.testing.v1 import AppTest

from core.conversation import CONTINUE_PROMPT, Conversation
from emulator.process import ROOT, Emulator, start_emulator, stop_emulator
from tests.helpers.app_driver import (
    CHAT,
    CHATBOT,
    Downloads,
    open_page,
    plain,
    say,
    start_app,
    texts,
)
from tests.helpers.chat_server import KEY, LONG, received, running
from tests.helpers.raw_server import RawServer

SYSTEM = {"role": "system", "content": "You are a helpful assistant."}


@pytest.fixture
def server() -> Iterator[RawServer]:
    yield from running()


def conversation(at: AppTest) -> Conversation:
    found: Conversation = at.session_state["chat_conversation"]
    return found


def click(at: AppTest, key: str) -> None:
    at.button(key=key).click().run()
    assert not at.exception, at.exception


def seen(at: AppTest, message: int) -> list[dict[str, Any]]:
    """The messages "What the model saw" shows under chat message `message` (an answer)."""
    views = [json.loads(j.value) for j in at.chat_message[message].json]
    return next(v for v in views if isinstance(v, list))


def sidebar(at: AppTest, **values: Any) -> None:
    for key, value in values.items():
        at.session_state[key] = value


# Failures do not poison the turns after them ---------------------------------------------


def test_a_failed_turn_is_not_sent_with_the_next_one(
    server: RawServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    app = start_app(monkeypatch, server.url, "wrong-key")
    open_page(app, CHAT)
    say(app, "First question")
    assert "rejected the key" in app.chat_message[1].error[0].value
    assert "not sent with later messages" in texts(app.chat_message[1].caption)
    app.text_input(key="sb_key").input(KEY).run()
    say(app, "Second question")
    assert received(server) == [SYSTEM, {"role": "user", "content": "Second question"}]
    assert app.chat_message[3].markdown[0].value == "Fine, thanks."
    say(app, "Third question")  # the good turn is context; the failed one still is not
    assert received(server) == [
        SYSTEM,
        {"role": "user", "content": "Second question"},
        {"role": "assistant", "content": "Fine, thanks."},
        {"role": "user", "content": "Third question"},
    ]


def test_an_over_long_message_is_explained_then_hi_succeeds(
    server: RawServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    app = start_app(monkeypatch, server.url, KEY)
    open_page(app, CHAT)
    say(app, LONG)
    error = plain(app.chat_message[1].error[0].value)
    assert error.startswith("The prompt is 3031 tokens; the context window is 2048.")
    assert "does not fit the model's context window (422)" in error
    # The message is drawn clipped, so the error under it stays in view.
    assert app.chat_message[0].markdown[0].value == LONG[:2000].strip()
    assert "Showing the first 2,000 of 15,000 characters" in texts(app.chat_message[0].caption)
    say(app, "hi")
    assert received(server) == [SYSTEM, {"role": "user", "content": "hi"}]
    assert not app.chat_message[3].error
    assert [len(json.loads(p.body)["messages"]) for p in server.posts] == [2, 2]


def test_the_next_request_is_estimated_against_the_context_window(app: AppTest) -> None:
    open_page(app, CHAT)
    sidebar(app, sb_param_max_tokens=1900)
    app.run()
    assert "near the model's 2,048-token context" in texts(app.caption)
    sidebar(app, sb_param_max_tokens=50)
    say(app, LONG)  # the scripted emulator takes it; the next request would carry it
    warning = texts(app.warning)
    assert "more than the model's 2,048-token context" in warning
    assert "Next request: About" in warning
    assert app.chat_input[0].proto.disabled is False  # a warning, never a block
    click(app, "btn_chat_delete_0")
    assert "2,048-token context" not in texts(app.warning) + texts(app.caption)


# Edit, delete, send again ----------------------------------------------------------------


def test_editing_a_message_resends_from_there(app: AppTest) -> None:
    open_page(app, CHAT)
    for message in ("One", "Two", "Three"):
        say(app, message)
    click(app, "btn_chat_edit_1")
    assert app.text_area(key="chat_edit_text").value == "Two"
    app.text_area(key="chat_edit_text").input("Two, edited").run()
    click(app, "btn_chat_edit_send")
    assert [t.user for t in conversation(app).turns] == ["One", "Two, edited"]
    assert app.chat_message[3].markdown[0].value.startswith('You said: "Two, edited".')
    said = [m["content"] for m in seen(app, 3) if m["role"] == "user"]
    assert said == ["One", "Two, edited"]


def test_cancelling_an_edit_changes_nothing(app: AppTest) -> None:
    open_page(app, CHAT)
    say(app, "Keep me")
    click(app, "btn_chat_edit_0")
    app.text_area(key="chat_edit_text").input("Changed my mind").run()
    click(app, "btn_chat_edit_cancel")
    assert [t.user for t in conversation(app).turns] == ["Keep me"]
    assert app.chat_message[0].markdown[0].value == "Keep me"


def test_deleting_a_message_or_an_answer(app: AppTest) -> None:
    open_page(app, CHAT)
    for message in ("One", "Two", "Three"):
        say(app, message)
    click(app, "btn_chat_delete_1")  # "Two" and its answer
    assert [t.user for t in conversation(app).turns] == ["One", "Three"]
    click(app, "btn_chat_drop_1")  # the answer to "Three" only
    assert [m.name for m in app.chat_message] == ["user", "assistant", "user"]
    say(app, "Four")  # "Three" has no answer: it is not sent
    said = [m["content"] for m in seen(app, 4) if m["role"] == "user"]
    assert said == ["One", "Four"]
    click(app, "btn_chat_resend_1")  # an answer to "Three" after all
    assert app.chat_message[3].markdown[0].value.startswith('You said: "Three".')


# Answers with their own parameters -------------------------------------------------------


def test_another_answer_keeps_the_first_with_its_own_parameters(
    app: AppTest, downloads: Downloads
) -> None:
    open_page(app, CHAT)
    sidebar(app, sb_param_max_tokens=40, sb_param_stop=",")
    say(app, "Tell me, then tell me more")
    first = app.chat_message[1].markdown[0].value
    sidebar(app, sb_param_max_tokens=7, sb_param_stop="")
    click(app, "btn_chat_retry_0")
    answer = app.chat_message[1]
    assert "2/2" in texts(answer.caption)
    assert "max_tokens 7" in texts(answer.caption) and "stop [" not in texts(answer.caption)
    assert len(answer.markdown[0].value.split()) == 7
    click(app, "btn_chat_prev_0")
    answer = app.chat_message[1]
    assert answer.markdown[0].value == first
    assert "1/2" in texts(answer.caption)
    params = next(c for c in texts(answer.caption).splitlines() if "max_tokens" in c)
    assert "max_tokens 40" in params and "stop [',']" in params  # not the sidebar's 7
    sidebar(app, sb_param_max_tokens=99)
    app.run()
    exported = json.loads(downloads.named("conversation.json")[-1])
    alternatives = exported["turns"][0]["alternatives"]
    assert [a[0]["request"]["params"]["max_tokens"] for a in alternatives] == [40, 7]
    assert alternatives[0][0]["request"]["params"]["stop"] == [","]
    assert alternatives[0][0]["request"]["body"]["stop"] == [","]  # the body as sent
    assert exported["turns"][0]["selected"] == 0
    click(app, "btn_chat_next_0")
    assert "2/2" in texts(app.chat_message[1].caption)


def test_what_the_model_saw_is_the_answers_own_request(app: AppTest) -> None:
    open_page(app, CHAT)
    say(app, "First")
    sidebar(app, sb_system="Answer in French.")
    say(app, "Second")
    assert seen(app, 1) == [SYSTEM, {"role": "user", "content": "First"}]
    assert seen(app, 3)[0] == {"role": "system", "content": "Answer in French."}
    assert [m["role"] for m in seen(app, 3)] == ["system", "user", "assistant", "user"]


# Keep as context -------------------------------------------------------------------------


def test_an_interrupted_answer_is_left_out_until_kept(app: AppTest) -> None:
    open_page(app, CHAT)
    app.text_area(key="sb_headers").input("x-emulator-fault: cut").run()
    say(app, "Start a story")
    partial = conversation(app).turns[0].answer
    assert partial is not None and partial.text.startswith('You said: "')
    app.text_area(key="sb_headers").input("").run()
    say(app, "Something else")
    assert [m["content"] for m in seen(app, 3)][1:] == ["Something else"]
    click(app, "btn_chat_keep_0")
    assert "Kept as context" in texts(app.chat_message[1].caption)
    say(app, "And now?")
    assert [m["content"] for m in seen(app, 5)][1:] == [
        "Start a story",
        partial.text,
        "Something else",
        app.chat_message[3].markdown[0].value,
        "And now?",
    ]
    click(app, "btn_chat_keep_0")  # leave it out again
    assert not conversation(app).turns[0].kept


# Truncation ------------------------------------------------------------------------------


def test_a_cut_answer_stands_out_and_continues(app: AppTest, downloads: Downloads) -> None:
    open_page(app, CHAT)
    sidebar(app, sb_param_max_tokens=5)
    say(app, "Tell me a long story")
    answer = app.chat_message[1]
    assert "Cut at max_tokens (finish reason `length`)" in answer.warning[0].value
    assert "finish length" in texts(answer.caption)
    first = answer.markdown[0].value
    click(app, "btn_chat_continue_0")
    answer = app.chat_message[1]
    continuation = conversation(app).turns[0].alternatives[0].continuations[0]
    assert continuation.text == 'You said: "Continue exactly where'  # 5 tokens again
    assert answer.markdown[0].value == first + continuation.text  # one answer, two parts
    assert "Continued 1 time(s)." in texts(answer.caption)
    sent = json.loads(continuation.request.body)["messages"]
    assert sent[-2:] == [
        {"role": "assistant", "content": first},
        {"role": "user", "content": CONTINUE_PROMPT},
    ]
    exported = json.loads(downloads.named("conversation.json")[-1])
    assert len(exported["turns"][0]["alternatives"][0]) == 2  # the reply and its continuation


# Import ----------------------------------------------------------------------------------


def upload(at: AppTest, name: str, data: bytes) -> None:
    at.file_uploader[0].set_value((name, data, "application/json")).run()
    assert not at.exception, at.exception


def shown(at: AppTest) -> list[tuple[str, str]]:
    return [(m.name, m.markdown[0].value) for m in at.chat_message]


def test_export_then_import_round_trip(app: AppTest, downloads: Downloads) -> None:
    open_page(app, CHAT)
    sidebar(app, sb_param_max_tokens=12)
    say(app, "First one")
    click(app, "btn_chat_retry_0")
    say(app, "Second one")
    before = shown(app)
    exported = downloads.named("conversation.json")[-1]
    click(app, "btn_chat_clear")
    assert not app.chat_message
    upload(app, "conversation.json", exported)
    assert "Imported 2 exchanges from conversation.json." in app.success[0].value
    assert shown(app) == before
    assert "2/2" in texts(app.chat_message[1].caption)
    assert "max_tokens 12" in texts(app.chat_message[1].caption)
    say(app, "Third one")  # the imported turns are context now
    assert [m["content"] for m in seen(app, 5) if m["role"] == "user"] == [
        "First one", "Second one", "Third one",
    ]  # fmt: skip


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"{not json", "not valid JSON"),
        (b'{"format": "something-else", "version": 1, "turns": []}', "not a conversation"),
        (
            b'{"format": "azure-ai-playground/conversation", "version": 1, "turns": [{}]}',
            "Turn 1 lacks 'user'",
        ),
    ],
)
def test_a_bad_import_file_is_explained_and_the_conversation_stays(
    app: AppTest, data: bytes, message: str
) -> None:
    open_page(app, CHAT)
    say(app, "Keep me")
    before = shown(app)
    upload(app, "broken.json", data)
    assert message in plain(app.error[0].value)
    assert "the conversation is unchanged" in texts(app.caption)
    assert shown(app) == before


def test_the_conversation_goes_on_after_a_fault_with_the_emulator(
    app: AppTest, emulator: Emulator
) -> None:
    open_page(app, CHAT)
    say(app, "Hello")
    app.text_area(key="sb_headers").input("x-emulator-fault: 500").run()
    say(app, "This one fails")
    app.text_area(key="sb_headers").input("").run()
    click(app, "btn_chat_regenerate")  # another answer to the failed message
    assert "2/2" in texts(app.chat_message[3].caption)
    assert app.chat_message[3].markdown[0].value.startswith('You said: "This one fails".')
    assert [m["content"] for m in seen(app, 3) if m["role"] == "user"] == [
        "Hello", "This one fails",
    ]  # fmt: skip


# The real model ----------------------------------------------------------------------------

MODEL = ROOT / "emulator" / "models" / "SmolLM2-135M-Instruct.Q4_1.gguf"


@pytest.mark.llama
@pytest.mark.skipif(not MODEL.is_file(), reason=f"{MODEL} is absent; `make` fetches it")
def test_with_the_real_model_an_over_long_message_then_hi(monkeypatch: pytest.MonkeyPatch) -> None:
    """SmolLM2 (2,048 tokens of context) refuses the long message; "hi" then goes through on
    both chat pages, sent alone."""
    llama = start_emulator("--engine", "llama")
    try:
        app = start_app(monkeypatch, llama.base_url, llama.api_key)
        sidebar(app, sb_param_max_tokens=8)
        for page, state in ((CHAT, "chat_conversation"), (CHATBOT, "mc_conversation")):
            open_page(app, page)
            say(app, LONG)
            error = plain(app.chat_message[1].error[0].value)
            assert error.startswith("The prompt is "), error
            assert "the context window is 2048." in error
            say(app, "hi")
            assert not app.chat_message[3].error
            answer = app.session_state[state].turns[1].answer
            assert answer.status == "done" and answer.text.strip()
            sent = json.loads(answer.reply.request.body)["messages"]
            assert LONG not in json.dumps(sent) and sent[-1]["content"].endswith("hi")
    finally:
        stop_emulator(llama)
