"""What this browser keeps across a reload, as JSON and back: the Request Builder's history
(key headers left out, the newest entries that fit), the Memory Chatbot's memory with k and
prompt form, and the Streaming Chat conversation. Pure logic: no Streamlit run, no network.
"""

from __future__ import annotations

import json

import pytest

from core import AuthStyle, Exchange, ExtraParameters, TimedEvent, errors
from core.conversation import Alternative, ChatTurn, Conversation
from core.memory import Turn
from core.records import SentRequest
from core.reply import Reply, ReplyStatus, RequestRecord
from core.transcript import HistoryImportError
from ui import kept
from ui.builder_history import history_json, read_history, without_secret_headers
from ui.memory_chatbot import read_file
from ui.memory_window import MODES
from ui.request_builder import MAX_HISTORY, Draft, Entry

URL = "http://127.0.0.1:8765/chat/completions"
BODY = '{"messages": [{"role": "user", "content": "Hi"}], "stream": true}'


def entry(number: int, *, body: str = BODY) -> Entry:
    """A streamed request that answered 200, as the Builder records one."""
    sent = SentRequest("POST", URL, {"authorization": "Bearer ***"}, body)
    exchange = Exchange(
        sent,
        status=200,
        reason="OK",
        headers={"content-type": "text/event-stream", "x-request-id": f"r{number}"},
        body='data: {"choices": []}\n\ndata: [DONE]\n\n',
        events=[TimedEvent(0.05, '{"choices": []}'), TimedEvent(0.1, "[DONE]")],
        time_to_first_byte=0.04,
        elapsed=0.1,
    )
    reply = Reply(f"Hello {number}", ReplyStatus.DONE, request=RequestRecord(body, sent=sent))
    reply.finish_reason, reply.usage = "stop", {"completion_tokens": 2}
    draft = Draft(
        "chat", "POST", "/chat/completions", "x-trace: 1\napi-key: typed-secret", body,
        AuthStyle.API_KEY, ExtraParameters.PASS_THROUGH,
    )  # fmt: skip
    return Entry(draft, "/chat/completions", f"10:00:0{number}", reply, exchange, (), "stream")


def test_the_builder_history_comes_back_as_it_was_sent() -> None:
    entries = [entry(1), entry(2)]
    value = json.loads(json.dumps(history_json(entries)))  # as the browser keeps it
    back = read_history(value)
    assert [e.sent_at for e in back] == ["10:00:01", "10:00:02"]
    first = back[0]
    assert first.draft.body == BODY and first.draft.headers == "x-trace: 1"
    assert first.draft.auth is AuthStyle.API_KEY
    assert first.draft.extra is ExtraParameters.PASS_THROUGH
    assert first.exchange is not None and first.exchange.status == 200
    assert first.exchange.events == entries[0].exchange.events  # type: ignore[union-attr]
    assert first.exchange.headers["x-request-id"] == "r1"
    assert first.exchange.request.headers == {}  # the request's headers are not kept
    assert first.reply.text == "Hello 1" and first.reply.finish_reason == "stop"
    assert first.text_from == "stream"
    assert "typed-secret" not in json.dumps(value) and "authorization" not in json.dumps(value)


def test_a_failed_builder_request_comes_back_with_its_error() -> None:
    failed = entry(1)
    failed.exchange = None
    failed.reply = Reply(status=ReplyStatus.FAILED)
    failed.reply.error = errors.RateLimitError("Too many requests.", status_code=429)
    (back,) = read_history(json.loads(json.dumps(history_json([failed]))))
    assert back.exchange is None
    assert isinstance(back.reply.error, errors.RateLimitError)
    assert back.reply.error.status_code == 429


def test_only_the_newest_builder_entries_that_fit_are_kept() -> None:
    entries = [entry(1, body="x" * 5_000), entry(2), entry(3)]
    kept_items = history_json(entries, budget=4_000)
    assert [item["sent_at"] for item in kept_items] == ["10:00:02", "10:00:03"]
    assert len(history_json([entry(1)] * (MAX_HISTORY + 5))) == MAX_HISTORY


def test_header_lines_that_carry_a_key_are_left_out() -> None:
    text = "Api-Key: k1\nAuthorization: Bearer t\nx-ms-client-request-id: a\nX-Api-Key: s"
    assert without_secret_headers(text) == "x-ms-client-request-id: a"


@pytest.mark.parametrize(
    ("value", "where"),
    [
        ({"not": "a list"}, "not a list"),
        ([{"draft": {}}], "Request 1, draft lacks"),
        ([{**history_json([entry(1)])[0], "extra": 1}], "unknown keys ['extra']"),
        ([{**history_json([entry(1)])[0], "sent_at": 5}], "'sent_at' must be text"),
    ],
)
def test_a_builder_copy_that_is_not_one_says_where(value: object, where: str) -> None:
    with pytest.raises(HistoryImportError, match=where.replace("[", r"\[").replace("]", r"\]")):
        read_history(value)


def test_an_unknown_auth_style_in_a_builder_copy_is_refused() -> None:
    item = history_json([entry(1)])[0]
    item["draft"]["auth"] = "cookie"
    with pytest.raises(HistoryImportError, match="unknown auth style 'cookie'"):
        read_history([item])


# The chat pages ----------------------------------------------------------------------------


def test_the_streaming_chat_copy_is_its_export_and_reads_back() -> None:
    reply = Reply("Hello!", ReplyStatus.DONE, request=RequestRecord(BODY, {"max_tokens": 40}))
    chat = Conversation([ChatTurn("Hi", [Alternative(reply)])])
    value = json.loads(json.dumps(kept.chat_value(chat)))
    back = kept.read_chat(value)
    assert back.turns[0].user == "Hi" and back.turns[0].answer is not None
    assert back.turns[0].answer.text == "Hello!"
    assert back.turns[0].answer.reply.request.params == {"max_tokens": 40}  # type: ignore[union-attr]
    assert kept.chat_value(Conversation()) is None  # nothing to keep: the copy goes
    with pytest.raises(HistoryImportError):
        kept.read_chat({"format": "something else"})


def test_the_memory_copy_keeps_k_and_the_prompt_form() -> None:
    chat = Conversation([ChatTurn("Hi", [Alternative(Reply("Hello!", ReplyStatus.DONE))])])
    value = kept.memory_value(chat, [Turn("Hi", "Hello!")], 3, "messages")
    assert value["k"] == 3 and value["mode"] == "messages"
    assert kept.memory_value(Conversation(), [], 3, "messages") is None


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"k": 0}, "k must be a whole number"),
        ({"k": True}, "k must be a whole number"),
        ({"mode": "poetry"}, "Unknown prompt form 'poetry'"),
        ({"memory": {"format": "x"}}, "Unknown format 'x'"),
        ({"extra": 1}, "not a Memory Chatbot copy"),
    ],
)
def test_a_memory_copy_that_is_not_one_is_refused(change: dict[str, object], message: str) -> None:
    chat = Conversation([ChatTurn("Hi", [Alternative(Reply("Hello!", ReplyStatus.DONE))])])
    value = {**kept.memory_value(chat, [Turn("Hi", "Hello!")], 3, "messages"), **change}
    with pytest.raises(HistoryImportError, match=message):
        kept.read_memory(value, MODES, read_file)
