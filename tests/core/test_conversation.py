"""The conversation model: what the next request carries, and the operations on the history.

Pure logic (no network): the replies are built by hand in the states a stream leaves them.
`test_conversation_live.py` runs the same operations against the emulator.
"""

from __future__ import annotations

import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from core.conversation import (
    CONTINUE_PROMPT,
    Alternative,
    Ask,
    ChatTurn,
    Conversation,
    is_context,
)
from core.errors import InvalidRequestError
from core.reply import Reply, ReplyStatus, RequestRecord

DONE, FAILED, STOPPED = ReplyStatus.DONE, ReplyStatus.FAILED, ReplyStatus.STOPPED
INTERRUPTED, STREAMING = ReplyStatus.INTERRUPTED, ReplyStatus.STREAMING


def answered(
    chat: Conversation, ask: Ask, text: str, status: str = DONE, **fields: object
) -> Reply:
    """Attach a reply made for `ask`, as its stream would have left it."""
    record = RequestRecord(json.dumps({"messages": ask.messages}), {"temperature": 0.5})
    reply = Reply(text, ReplyStatus(status), request=record, **fields)  # type: ignore[arg-type]
    chat.attach(ask, reply)
    return reply


def roles(messages: list[dict[str, str]]) -> list[str]:
    return [m["role"] for m in messages]


def test_a_failed_turn_is_not_sent_again() -> None:
    """Wrong key, then fixed: the next request carries only what succeeded (seen in Chromium:
    the failed question went along, so the model saw two user messages in a row)."""
    chat = Conversation()
    answered(chat, chat.ask("first"), "", FAILED)
    ask = chat.ask("second")
    assert ask.messages == [{"role": "user", "content": "second"}]
    answered(chat, ask, "answer two")
    assert chat.ask("third").messages == [
        {"role": "user", "content": "second"},
        {"role": "assistant", "content": "answer two"},
        {"role": "user", "content": "third"},
    ]


def test_an_over_long_message_does_not_fail_every_later_turn() -> None:
    chat = Conversation()
    answered(chat, chat.ask("hello"), "hi there")
    answered(chat, chat.ask("word " * 3000), "", FAILED)
    assert chat.ask("hi").messages == [
        {"role": "user", "content": "hello"},
        {"role": "assistant", "content": "hi there"},
        {"role": "user", "content": "hi"},
    ]


@pytest.mark.parametrize("status", [STOPPED, INTERRUPTED])
def test_an_unfinished_answer_is_context_only_when_kept(status: ReplyStatus) -> None:
    chat = Conversation()
    answered(chat, chat.ask("tell a story"), "Once upon", status)
    assert chat.turns[0].can_keep and not chat.turns[0].in_context
    assert roles(chat.retry(0).messages) == ["user"]
    chat.ask("go on")
    assert roles(chat.context()) == ["user"]
    chat.keep(0)
    assert chat.context() == [
        {"role": "user", "content": "tell a story"},
        {"role": "assistant", "content": "Once upon"},
        {"role": "user", "content": "go on"},
    ]
    chat.keep(0, kept=False)
    assert roles(chat.context()) == ["user"]


def test_keeping_needs_an_unfinished_answer_with_text() -> None:
    chat = Conversation()
    answered(chat, chat.ask("a"), "", FAILED)
    answered(chat, chat.ask("b"), "fine")
    for turn in (0, 1):
        with pytest.raises(InvalidRequestError, match="unfinished answer with text"):
            chat.keep(turn)
    assert not chat.turns[0].kept and not chat.turns[1].kept


def test_a_live_or_empty_answer_is_never_context() -> None:
    assert not is_context(STREAMING, "partial", kept=True)
    assert not is_context(ReplyStatus.RETRYING, "", kept=True)
    assert not is_context(DONE, "  \n", kept=True)
    assert is_context(DONE, "x") and is_context(FAILED, "x", kept=True)
    assert not is_context(FAILED, "x")


def test_retry_keeps_each_answer_with_its_own_parameters() -> None:
    chat = Conversation()
    first = answered(chat, chat.ask("q"), "one")
    ask = chat.retry(0)
    assert ask == Ask(0, [{"role": "user", "content": "q"}])
    second = Reply("two", DONE, request=RequestRecord("{}", {"temperature": 1.2}))
    chat.attach(ask, second)
    turn = chat.turns[0]
    assert [a.reply for a in turn.alternatives] == [first, second] and turn.selected == 1
    assert turn.alternatives[0].reply.request.params == {"temperature": 0.5}  # type: ignore[union-attr]
    assert chat.ask("next").messages[1]["content"] == "two"
    chat.select(0, 0)
    assert chat.context()[1]["content"] == "one"


def test_the_context_for_an_earlier_turn_ignores_the_later_ones() -> None:
    chat = Conversation()
    answered(chat, chat.ask("a"), "A")
    answered(chat, chat.ask("b"), "B")
    answered(chat, chat.ask("c"), "C")
    assert [m["content"] for m in chat.retry(1).messages] == ["a", "A", "b"]
    assert [m["content"] for m in chat.context(0)] == ["a"]


def test_selecting_another_answer_resets_kept() -> None:
    chat = Conversation()
    answered(chat, chat.ask("q"), "partial", STOPPED)
    chat.keep(0)
    answered(chat, chat.retry(0), "more", INTERRUPTED)
    assert not chat.turns[0].kept  # a new answer resets it
    chat.select(0, 0)
    chat.keep(0)
    chat.select(0, 1)
    assert not chat.turns[0].kept
    chat.select(0, 1)  # the same answer again: nothing changes
    with pytest.raises(IndexError):
        chat.select(0, 2)


def test_edit_replaces_the_message_and_drops_what_followed() -> None:
    chat = Conversation()
    answered(chat, chat.ask("a"), "A")
    answered(chat, chat.ask("b"), "B")
    answered(chat, chat.ask("c"), "C")
    ask = chat.edit(1, "b2")
    assert ask.turn == 1 and [t.user for t in chat.turns] == ["a", "b2"]
    assert chat.turns[1].alternatives == []
    assert [m["content"] for m in ask.messages] == ["a", "A", "b2"]
    with pytest.raises(InvalidRequestError, match="empty"):
        chat.edit(0, "  ")
    assert [t.user for t in chat.turns] == ["a", "b2"]


def test_delete_a_turn_or_one_answer() -> None:
    chat = Conversation()
    answered(chat, chat.ask("a"), "A")
    answered(chat, chat.ask("b"), "B1")
    answered(chat, chat.retry(1), "B2")
    answered(chat, chat.retry(1), "B3")
    turn = chat.turns[1]
    assert [a.text for a in turn.alternatives] == ["B1", "B2", "B3"] and turn.selected == 2
    chat.delete(1, 2)  # the selected one: the one before is selected
    assert [a.text for a in turn.alternatives] == ["B1", "B2"] and turn.selected == 1
    chat.select(1, 1)
    chat.delete(1, 0)  # one before the selected: it stays selected
    assert [a.text for a in turn.alternatives] == ["B2"] and turn.selected == 0
    chat.delete(1, 0)
    assert turn.answer is None and not turn.in_context
    assert [m["content"] for m in chat.ask("c").messages] == ["a", "A", "c"]
    chat.delete(0)
    assert [t.user for t in chat.turns] == ["b", "c"]
    with pytest.raises(IndexError):
        chat.delete(5)
    with pytest.raises(IndexError):
        chat.delete(0, 0)


def test_an_empty_message_is_refused() -> None:
    chat = Conversation()
    with pytest.raises(InvalidRequestError, match="empty"):
        chat.ask(" \n")
    assert chat.turns == []
    with pytest.raises(IndexError):
        chat.context()


# Continuing a cut answer -------------------------------------------------------------------


def test_continue_resends_the_answer_so_far_and_appends_to_it() -> None:
    chat = Conversation()
    answered(chat, chat.ask("a"), "A")
    first = answered(chat, chat.ask("story"), "Once upon", finish_reason="length")
    answer = chat.turns[1].answer
    assert answer is not None and answer.cut
    ask = chat.continue_reply(1)
    assert ask.continues == 0
    assert ask.messages == [
        {"role": "user", "content": "a"},
        {"role": "assistant", "content": "A"},
        {"role": "user", "content": "story"},
        {"role": "assistant", "content": "Once upon"},
        {"role": "user", "content": CONTINUE_PROMPT},
    ]
    second = answered(chat, ask, " a time.", finish_reason="stop")
    assert chat.turns[1].alternatives == [answer] and answer.parts == [first, second]
    assert answer.text == "Once upon a time." and not answer.cut
    assert [p.request.body for p in answer.parts] == [  # type: ignore[union-attr]
        json.dumps({"messages": m}) for m in (chat.context(1), ask.messages)
    ]
    assert chat.ask("next").messages[3] == {"role": "assistant", "content": "Once upon a time."}


def test_a_failed_continuation_leaves_the_answer_cut() -> None:
    chat = Conversation()
    answered(chat, chat.ask("story"), "Once", finish_reason="length")
    ask = chat.continue_reply(0)
    live = Reply(status=STREAMING)
    answer = chat.attach(ask, live)
    assert answer.live and not answer.cut and answer.status == STREAMING
    with pytest.raises(InvalidRequestError, match="cut at max_tokens"):
        chat.continue_reply(0)
    live.status = FAILED
    assert answer.cut and answer.status == DONE and answer.finish_reason == "length"
    assert answer.error is None and chat.turns[0].in_context
    assert chat.continue_reply(0).messages[-2]["content"] == "Once"


def test_a_stopped_continuation_makes_the_answer_stopped() -> None:
    chat = Conversation()
    answered(chat, chat.ask("story"), "Once", finish_reason="length")
    answered(chat, chat.continue_reply(0), " upon", STOPPED)
    answer = chat.turns[0].answer
    assert answer is not None and answer.status == STOPPED and answer.text == "Once upon"
    assert not chat.turns[0].in_context and chat.turns[0].can_keep


@pytest.mark.parametrize(
    ("status", "finish"), [(DONE, "stop"), (STOPPED, "length"), (FAILED, None), (DONE, None)]
)
def test_only_a_cut_answer_can_be_continued(status: ReplyStatus, finish: str | None) -> None:
    chat = Conversation()
    answered(chat, chat.ask("q"), "text", status, finish_reason=finish)
    with pytest.raises(InvalidRequestError, match="cut at max_tokens"):
        chat.continue_reply(0)


# Properties ----------------------------------------------------------------------------------

STATUSES = [DONE, FAILED, STOPPED, INTERRUPTED, STREAMING]
replies = st.builds(
    lambda text, status: Reply(text, status),
    st.sampled_from(["", " ", "answer", "longer answer"]),
    st.sampled_from(STATUSES),
)
turns = st.builds(
    lambda user, answers, pick, kept: ChatTurn(
        user, [Alternative(r) for r in answers], pick % max(1, len(answers)), kept
    ),
    st.text(min_size=1).filter(str.strip),
    st.lists(replies, max_size=3),
    st.integers(0, 5),
    st.booleans(),
)


@given(st.lists(turns, min_size=1, max_size=12), st.data())
def test_context_alternates_and_holds_exactly_the_usable_turns(
    history: list[ChatTurn], data: st.DataObject
) -> None:
    chat = Conversation(history)
    upto = data.draw(st.integers(0, len(history) - 1))
    messages = chat.context(upto)
    assert roles(messages) == ["user", "assistant"] * ((len(messages) - 1) // 2) + ["user"]
    assert messages[-1]["content"] == history[upto].user
    expected = []
    for turn in history[:upto]:
        answer = turn.answer
        if answer is None or not answer.text.strip() or answer.status == STREAMING:
            continue
        if answer.status == DONE or turn.kept:
            expected += [turn.user, answer.text]
    assert [m["content"] for m in messages[:-1]] == expected
