"""The Memory Chatbot's window logic: pure data, no network, no LangChain."""

from __future__ import annotations

import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from core.errors import InvalidRequestError
from core.memory import (
    MAX_IMPORT_BYTES,
    MAX_IMPORT_EXCHANGES,
    NOTEBOOK_TEMPLATE,
    HistoryImportError,
    Mode,
    Turn,
    build_turn,
    export_history,
    import_history,
    render_history,
    window,
)

SYSTEM = "You are a helpful assistant."


def conversation(n: int, width: int = 3) -> list[Turn]:
    """n exchanges whose texts all have the same length (`width` digits of the index)."""
    return [Turn(f"question {i:0{width}d}", f"answer {i:0{width}d}") for i in range(n)]


def sent_exchanges(messages: list[dict[str, str]], mode: Mode) -> list[Turn]:
    """Read the exchanges back out of a request, in order, for either mode."""
    if mode is Mode.MESSAGES:
        body = [m for m in messages if m["role"] != "system"][:-1]
        assert [m["role"] for m in body] == ["user", "assistant"] * (len(body) // 2)
        return [
            Turn(u["content"], a["content"]) for u, a in zip(body[::2], body[1::2], strict=True)
        ]
    (only,) = messages
    history = only["content"].split("Current conversation:\n", 1)[1].split("\n\nUser question:")[0]
    lines = history.splitlines()
    return [
        Turn(u.removeprefix("User: "), a.removeprefix("Assistant: "))
        for u, a in zip(lines[::2], lines[1::2], strict=True)
    ]


@pytest.mark.parametrize("mode", list(Mode))
@pytest.mark.parametrize("k", range(1, 21))
@pytest.mark.parametrize("n", [0, 1, 4, 5, 6, 7, 20, 23])
def test_request_holds_exactly_the_last_min_n_k_exchanges(n: int, k: int, mode: Mode) -> None:
    history = conversation(n)
    turn = build_turn(history, "new question", k=k, mode=mode, system_prompt=SYSTEM)
    expected = history[max(0, n - k) :]
    assert sent_exchanges(turn.messages, mode) == expected
    assert list(turn.window.kept) == expected
    assert list(turn.window.dropped) == history[: max(0, n - k)]
    assert turn.window.first_kept == max(0, n - k)
    for dropped in turn.window.dropped:
        assert dropped.user not in json.dumps(turn.messages)


@given(
    history=st.lists(st.tuples(st.text(max_size=20), st.text(max_size=20)), max_size=30),
    k=st.integers(min_value=1, max_value=20),
)
def test_window_is_the_tail_of_the_history(history: list[tuple[str, str]], k: int) -> None:
    shown = window(history, k)
    assert list(shown.dropped) + list(shown.kept) == [Turn(*pair) for pair in history]
    assert len(shown.kept) == min(len(history), k)


def test_notebook_mode_is_the_notebooks_single_prompt() -> None:
    history = [Turn("Hi", "Hello!"), Turn("Where is Wuhan?", "In Hubei.")]
    turn = build_turn(history, "What is good about it?", k=5, mode=Mode.NOTEBOOK)
    assert turn.messages == [
        {
            "role": "user",
            "content": "Current conversation:\nUser: Hi\nAssistant: Hello!\n"
            "User: Where is Wuhan?\nAssistant: In Hubei.\n\nUser question:What is good about it?",
        }
    ]
    assert NOTEBOOK_TEMPLATE == "Current conversation:\n{chat_history}\n\nUser question:{input}"


def test_first_turn_in_notebook_mode_has_an_empty_history() -> None:
    turn = build_turn([], "Hello", mode="notebook")
    assert turn.messages[0]["content"] == "Current conversation:\n\n\nUser question:Hello"
    assert render_history([]) == ""


def test_messages_mode_starts_with_the_system_prompt_and_ends_with_the_question() -> None:
    turn = build_turn([("a", "b")], "c", k=5, mode=Mode.MESSAGES, system_prompt="Be brief.")
    assert turn.messages == [
        {"role": "system", "content": "Be brief."},
        {"role": "user", "content": "a"},
        {"role": "assistant", "content": "b"},
        {"role": "user", "content": "c"},
    ]
    assert build_turn([], "c", mode=Mode.MESSAGES, system_prompt="").messages == [
        {"role": "user", "content": "c"}
    ]


@pytest.mark.parametrize("mode", list(Mode))
def test_request_size_depends_on_k_not_on_the_history_length(mode: Mode) -> None:
    at_turn_5 = build_turn(conversation(5), "same question", k=5, mode=mode)
    at_turn_500 = build_turn(conversation(500), "same question", k=5, mode=mode)
    size_5 = len(json.dumps(at_turn_5.messages).encode())
    size_500 = len(json.dumps(at_turn_500.messages).encode())
    assert size_5 == size_500
    assert [len(m["content"]) for m in at_turn_5.messages] == [
        len(m["content"]) for m in at_turn_500.messages
    ]
    assert len(at_turn_500.window.dropped) == 495


@pytest.mark.parametrize("k", [0, 21, -1, 2.5, True, "5"])
def test_k_outside_1_to_20_is_refused(k: object) -> None:
    with pytest.raises(InvalidRequestError, match="1 to 20"):
        window(conversation(3), k)  # type: ignore[arg-type]


@given(st.lists(st.tuples(st.text(), st.text()), max_size=20))
def test_export_import_round_trip(history: list[tuple[str, str]]) -> None:
    assert import_history(export_history(history)) == [Turn(*pair) for pair in history]


def test_import_accepts_bytes_and_gradio_pairs() -> None:
    assert import_history(b'[["hi", "hello"]]') == [Turn("hi", "hello")]
    exported = json.loads(export_history([("u", "a")]))
    assert exported["exchanges"] == [{"user": "u", "assistant": "a"}]


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ("{not json", "not valid JSON"),
        ('"a string"', "Expected a JSON object"),
        ("{}", "'exchanges' must be a list, got nothing"),
        ('{"exchanges": {}}', "'exchanges' must be a list, got an object"),
        ('{"format": "other", "exchanges": []}', "Unknown format 'other'"),
        ('{"version": 9, "exchanges": []}', "Unsupported version 9"),
        ('{"exchanges": [{"user": "u"}]}', "Exchange 1 lacks 'assistant'"),
        ('{"exchanges": [{"user": "u", "assistant": "a", "x": 1}]}', "unknown keys ['x']"),
        ('{"exchanges": [{"user": 1, "assistant": "a"}]}', "'user' must be text, got a number"),
        ('[["u", "a"], ["u2", null]]', "Exchange 2: 'assistant' must be text, got null"),
        ('[["u", "a", "extra"]]', "got a list of 3 items"),
        ("[42]", "Exchange 1 must be an object"),
    ],
)
def test_import_rejects_bad_input_with_a_clear_message(data: str, message: str) -> None:
    with pytest.raises(HistoryImportError) as caught:
        import_history(data)
    assert message in str(caught.value)
    assert isinstance(caught.value, InvalidRequestError)


def test_import_rejects_files_that_are_too_big() -> None:
    with pytest.raises(HistoryImportError, match="limit is"):
        import_history(" " * (MAX_IMPORT_BYTES + 1))
    too_many = json.dumps([["u", "a"]] * (MAX_IMPORT_EXCHANGES + 1))
    with pytest.raises(HistoryImportError, match="exchanges; the limit"):
        import_history(too_many)
