"""What the Memory Chatbot remembers: the chat's rule for failed and stopped replies, the
mark on a reply cut at max_tokens, and files of both export versions."""

from __future__ import annotations

import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from core.memory import (
    HistoryImportError,
    Mode,
    Turn,
    build_turn,
    export_history,
    import_history,
    remember,
)
from core.reply import ReplyStatus


@pytest.mark.parametrize(
    ("status", "text", "kept", "expected"),
    [
        ("done", "answer", False, Turn("q", "answer")),
        ("failed", "", False, None),
        ("failed", "", True, None),  # nothing to keep
        ("stopped", "part", False, None),
        ("stopped", "part", True, Turn("q", "part", kept=True)),
        ("interrupted", "part", True, Turn("q", "part", kept=True)),
        ("streaming", "part", True, None),
        ("done", "", False, None),
    ],
)
def test_memory_holds_finished_exchanges_and_kept_ones(
    status: str, text: str, kept: bool, expected: Turn | None
) -> None:
    assert remember("q", text, status, kept=kept) == expected


def test_a_cut_reply_is_remembered_and_marked() -> None:
    turn = remember("q", "Once upon", ReplyStatus.DONE, finish_reason="length")
    assert turn == Turn("q", "Once upon", cut=True)
    assert remember("q", "x", "stopped", finish_reason="length", kept=True) == Turn(
        "q", "x", kept=True
    )


@pytest.mark.parametrize("mode", list(Mode))
def test_marked_exchanges_are_sent_as_the_model_wrote_them(mode: Mode) -> None:
    plain = [Turn("a", "A"), Turn("b", "B")]
    marked = [Turn("a", "A", cut=True), Turn("b", "B", kept=True)]
    sent = build_turn(marked, "c", k=5, mode=mode)
    assert sent.messages == build_turn(plain, "c", k=5, mode=mode).messages
    assert sent.window.kept == tuple(marked)  # the page still sees the marks
    user, assistant = marked[0]  # a turn still unpacks as the pair sent
    assert (user, assistant) == ("a", "A")


def test_export_writes_marks_only_when_set() -> None:
    exported = json.loads(export_history([Turn("a", "A", cut=True), ("b", "B")]))
    assert exported["version"] == 2
    assert exported["exchanges"] == [
        {"user": "a", "assistant": "A", "cut": True},
        {"user": "b", "assistant": "B"},
    ]


def test_version_1_files_still_import() -> None:
    old = {"format": "azure-ai-playground/memory-chat", "version": 1, "exchanges": []}
    old["exchanges"] = [{"user": "a", "assistant": "A"}]
    assert import_history(json.dumps(old)) == [Turn("a", "A")]
    old["exchanges"] = [{"user": "a", "assistant": "A", "cut": True}]
    refused = r"unknown keys \['cut'\]; expected user, assistant\."
    with pytest.raises(HistoryImportError, match=refused):
        import_history(json.dumps(old))


@pytest.mark.parametrize(
    ("exchange", "message"),
    [
        ({"user": "a", "assistant": "A", "cut": "yes"}, "Exchange 1: 'cut' must be true/false"),
        ({"user": "a", "assistant": "A", "kept": 1}, "'kept' must be true/false, got a number"),
        ({"user": "a", "assistant": "A", "x": 1}, "expected user, assistant, cut, kept"),
    ],
)
def test_bad_marks_are_refused(exchange: dict[str, object], message: str) -> None:
    with pytest.raises(HistoryImportError, match=message):
        import_history(json.dumps({"version": 2, "exchanges": [exchange]}))


@given(st.lists(st.builds(Turn, st.text(), st.text(), st.booleans(), st.booleans()), max_size=20))
def test_marks_survive_a_round_trip(history: list[Turn]) -> None:
    assert import_history(export_history(history)) == history
