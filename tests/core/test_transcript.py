"""Conversation files: JSON written from each reply's own record, read back with checks, and
the Markdown transcript. Pure logic: the replies are built as a stream leaves them."""

from __future__ import annotations

import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from core import errors
from core.conversation import Alternative, ChatTurn, Conversation
from core.errors import InvalidRequestError
from core.records import SentRequest
from core.reply import Reply, ReplyStatus, RequestRecord
from core.transcript import (
    FORMAT,
    MAX_ALTERNATIVES,
    MAX_IMPORT_BYTES,
    MAX_TURNS,
    HistoryImportError,
    export_json,
    import_json,
    params_caption,
    rebuild_error,
    sent_messages,
    to_markdown,
)

URL = "http://127.0.0.1:8765/chat/completions"


def record(messages: list[dict[str, str]], **params: object) -> RequestRecord:
    body = json.dumps({"messages": messages, **params, "stream": True}, indent=2)
    sent = SentRequest("POST", URL, {"Authorization": "Bearer ***"}, body)
    return RequestRecord(body, params, "local", sent)


def sample() -> Conversation:
    """Two turns: one answered twice with different parameters, one failed."""
    ask = [{"role": "user", "content": "Hi"}]
    first = Reply("Hello!", ReplyStatus.DONE, request=record(ask, temperature=0.2, max_tokens=9))
    first.finish_reason, first.usage = "length", {"completion_tokens": 9}
    first.time_to_first_token, first.elapsed, first.pieces = 0.25, 1.25, 9
    cont = Reply(" there.", ReplyStatus.DONE, request=record(ask, temperature=0.2, max_tokens=9))
    cont.finish_reason = "stop"
    second = Reply("Hey.", ReplyStatus.DONE, request=record(ask, temperature=1.1))
    failed = Reply(status=ReplyStatus.FAILED, request=record(ask, temperature=1.1))
    failed.error = errors.AuthenticationError("The endpoint rejected the key.", status_code=401)
    return Conversation(
        [
            ChatTurn("Hi", [Alternative(first, [cont]), Alternative(second)], selected=0),
            ChatTurn("Again?", [Alternative(failed)]),
        ]
    )


def test_each_reply_is_exported_with_its_own_request_and_numbers() -> None:
    document = json.loads(export_json(sample()))
    assert document["format"] == FORMAT and document["version"] == 1
    first, second = document["turns"][0]["alternatives"]
    assert [part["text"] for part in first] == ["Hello!", " there."]
    assert first[0]["request"]["params"] == {"temperature": 0.2, "max_tokens": 9}
    assert second[0]["request"]["params"] == {"temperature": 1.1}
    assert first[0]["request"]["body"]["messages"] == [{"role": "user", "content": "Hi"}]
    assert first[0]["request"]["endpoint"] == URL and "headers" not in first[0]["request"]
    assert first[0]["finish_reason"] == "length" and first[0]["usage"] == {"completion_tokens": 9}
    assert first[0]["tokens_per_second"] == 9 / 1.0
    failed = document["turns"][1]["alternatives"][0][0]
    assert failed["status"] == "failed"
    assert failed["error"] == {
        "type": "AuthenticationError",
        "message": "The endpoint rejected the key.",
        "status_code": 401,
        "request_id": None,
    }


def test_import_restores_the_conversation() -> None:
    chat = import_json(export_json(sample()).encode())
    first = chat.turns[0].answer
    assert first is not None and first.text == "Hello! there."
    assert len(chat.turns[0].alternatives) == 2
    assert first.reply.request is not None and first.reply.request.sent is not None
    assert first.reply.request.sent.url == URL and first.reply.request.params["max_tokens"] == 9
    error = chat.turns[1].alternatives[0].reply.error
    assert type(error) is errors.AuthenticationError and error.status_code == 401
    assert export_json(chat) == export_json(sample())


def test_a_reply_exported_mid_stream_comes_back_settled() -> None:
    chat = Conversation([ChatTurn("q", [Alternative(Reply("partial", ReplyStatus.STREAMING))])])
    back = import_json(export_json(chat))
    assert back.turns[0].alternatives[0].reply.status == ReplyStatus.STOPPED
    assert back.turns[0].alternatives[0].reply.text == "partial"


@pytest.mark.parametrize(
    ("kind", "status", "expected"),
    [
        ("ContextLengthError", 422, errors.ContextLengthError),
        ("RateLimitError", 429, errors.RateLimitError),
        ("ConnectError", None, errors.ConnectError),
        ("LimitExceededError", None, errors.InterruptedStreamError),  # needs `limit`
        ("RetryCancelled", None, errors.EndpointError),  # wraps an error it cannot rebuild
        ("ServerError", None, errors.EndpointError),  # a status error without its status
        ("NoSuchError", 500, errors.EndpointError),
        ("Exception", None, errors.EndpointError),
    ],
)
def test_errors_come_back_as_the_nearest_class_that_can_be_built(
    kind: str, status: int | None, expected: type
) -> None:
    error = rebuild_error(kind, "What happened.", status)
    assert type(error) is expected and str(error) == "What happened."


def test_markdown_shows_the_selected_answers_how_they_ended_and_their_parameters() -> None:
    text = to_markdown(sample())
    assert text.startswith("# Conversation with Local endpoint")
    assert "## Assistant (answer 1 of 2)\n\nHello! there.\n" in text
    assert "_(continued 1 times)_" in text
    assert "_temperature 0.2 · max_tokens 9 · 9 tokens in 1.2 s_" in text
    assert "_(failed: The endpoint rejected the key.)_" in text
    assert "Hey." not in text  # not selected


def test_captions_and_what_the_model_saw_come_from_the_reply() -> None:
    assert params_caption({"max_tokens": 5, "top_p": 0.9}) == (
        "temperature endpoint default · max_tokens 5 · top_p 0.9"
    )
    reply = sample().turns[0].alternatives[1].reply
    assert sent_messages(reply) == [{"role": "user", "content": "Hi"}]
    assert sent_messages(Reply()) == []


# Bad files -------------------------------------------------------------------------------------


def _file(turns: object, **top: object) -> str:
    return json.dumps({"format": FORMAT, "version": 1, "turns": turns, **top})


GOOD_PART = {"text": "a", "status": "done"}


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ("{nope", "not valid JSON"),
        ("[1]", "The file must be a JSON object, got a list of 1 items"),
        ('{"format": "other", "version": 1, "turns": []}', "not a conversation export"),
        (_file([], version=7), "Unsupported version 7"),
        (_file([], extra=1), "unknown keys ['extra']"),
        (_file({}), "'turns' must be a list, got an object"),
        (_file([{"kept": True}]), "Turn 1 lacks 'user'"),
        (_file([{"user": 3}]), "Turn 1: 'user' must be text, got a number"),
        (_file([{"user": "u", "kept": "yes"}]), "'kept' must be true/false, got text"),
        (_file([{"user": "u", "alternatives": [[]]}]), "Turn 1, answer 1 holds no reply"),
        (_file([{"user": "u", "alternatives": [[GOOD_PART]], "selected": 1}]), "past its answers"),
        (_file([{"user": "u", "selected": True}]), "'selected' must be a whole number"),
        (_file([{"user": "u", "alternatives": [[{"text": "a"}]]}]), "part 1 lacks 'status'"),
        (
            _file([{"user": "u", "alternatives": [[{"text": "a", "status": "great"}]]}]),
            "Turn 1, answer 1, part 1: unknown status 'great'",
        ),
        (
            _file([{"user": "u", "alternatives": [[{**GOOD_PART, "request": {"body": 3}}]]}]),
            "part 1, request: 'body' must be text or an object or a list, got a number",
        ),
        (
            _file([{"user": "u", "alternatives": [[{**GOOD_PART, "retries": [1]}]]}]),
            "'retries' must be a list of texts",
        ),
        (
            _file([{"user": "u", "alternatives": [[{**GOOD_PART, "error": {"type": "X"}}]]}]),
            "part 1, error lacks 'message'",
        ),
        (_file([{"user": "u", "alternatives": [[GOOD_PART]] * (MAX_ALTERNATIVES + 1)}]), "limit"),
        (_file([{"user": "u"}] * (MAX_TURNS + 1)), "'turns' holds 1,001 items; the limit is 1,000"),
        ("[" * 100_000 + "]" * 100_000, "not valid JSON"),
    ],
)
def test_a_bad_file_is_refused_saying_what_and_where(data: str, message: str) -> None:
    with pytest.raises(HistoryImportError) as caught:
        import_json(data)
    assert message in str(caught.value)
    assert isinstance(caught.value, InvalidRequestError)


def test_a_file_past_the_size_limit_is_refused_before_parsing() -> None:
    with pytest.raises(HistoryImportError, match="limit is 20,000,000"):
        import_json(b" " * (MAX_IMPORT_BYTES + 1))


# Round trip ------------------------------------------------------------------------------------

texts = st.text(max_size=40)
numbers = st.one_of(st.none(), st.floats(0, 1e6, allow_nan=False))
params = st.dictionaries(
    st.sampled_from(["temperature", "max_tokens", "top_p", "seed"]),
    st.one_of(st.integers(0, 4096), st.floats(0, 2, allow_nan=False)),
)
error_kinds = st.sampled_from(
    [(errors.ContextLengthError, 422), (errors.ServerError, 500), (errors.ConnectError, None)]
)


@st.composite
def replies(draw: st.DrawFn) -> Reply:
    settled = [s for s in ReplyStatus if not s.live]
    reply = Reply(draw(texts), draw(st.sampled_from(settled)))
    reply.finish_reason = draw(st.sampled_from([None, "stop", "length"]))
    reply.time_to_first_token, reply.elapsed = draw(numbers), draw(numbers)
    reply.pieces, reply.retries = draw(st.integers(0, 500)), draw(st.lists(texts, max_size=2))
    reply.usage = draw(st.dictionaries(st.sampled_from(["prompt_tokens"]), st.integers(0, 99)))
    if draw(st.booleans()):
        cls, status = draw(error_kinds)
        reply.error = rebuild_error(cls.__name__, draw(texts), status)
    if draw(st.booleans()):
        messages = [{"role": "user", "content": draw(texts)}]
        reply.request = record(messages, **draw(params))
    return reply


@st.composite
def conversations(draw: st.DrawFn) -> Conversation:
    chat = Conversation()
    for _ in range(draw(st.integers(0, 5))):
        answers = draw(st.lists(st.lists(replies(), min_size=1, max_size=3), max_size=3))
        alternatives = [Alternative(parts[0], parts[1:]) for parts in answers]
        selected = draw(st.integers(0, max(0, len(alternatives) - 1)))
        chat.turns.append(ChatTurn(draw(texts), alternatives, selected, draw(st.booleans())))
    return chat


def summary(chat: Conversation) -> list[object]:
    """What must survive a round trip, compared field by field."""
    return [
        (t.user, t.kept, t.selected, [[_reply_fields(p) for p in a.parts] for a in t.alternatives])
        for t in chat.turns
    ]


def _reply_fields(reply: Reply) -> tuple[object, ...]:
    request = reply.request
    # The body comes back as the same JSON, pretty-printed (the bytes sent are not kept).
    asked = (json.loads(request.body), dict(request.params), request.profile) if request else None
    error = (type(reply.error), str(reply.error)) if reply.error else None
    return (
        reply.text, reply.status, reply.finish_reason, dict(reply.usage), reply.pieces,
        reply.time_to_first_token, reply.elapsed, reply.retries, asked, error,
    )  # fmt: skip


@given(conversations())
def test_export_then_import_gives_the_same_conversation(chat: Conversation) -> None:
    text = export_json(chat)
    back = import_json(text)
    assert summary(back) == summary(chat)
    assert export_json(back) == text
