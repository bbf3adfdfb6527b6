"""The scripted engine's generation controls: seed, prompt, max_tokens and stop."""

from __future__ import annotations

import re

import pytest

from emulator.process import Emulator
from tests.helpers.emulator_http import CHAT, USER, chat_text, post, stream_chunks, streamed


def reply(emulator: Emulator, **fields: object) -> dict:
    response = post(emulator, "/chat/completions", {**CHAT, **fields})
    assert response.status_code == 200, response.text
    return response.json()["choices"][0]


def test_same_seed_same_text_other_seed_other_text(emulator: Emulator) -> None:
    one = reply(emulator, seed=7, temperature=0.9)["message"]["content"]
    assert reply(emulator, seed=7, temperature=0.9)["message"]["content"] == one
    other = reply(emulator, seed=8, temperature=0.9)["message"]["content"]
    assert other != one
    assert other.split(". ", 1)[0] == one.split(". ", 1)[0]  # both still quote the user


@pytest.mark.parametrize("seed", [None, 0, 1, 2, 3])
def test_scripted_text_reads_as_sentences(emulator: Emulator, seed: int | None) -> None:
    text = reply(emulator, seed=seed, max_tokens=None)["message"]["content"]
    quote, _, rest = text.partition('". ')
    assert quote == 'You said: "What is good about Wuhan?'
    assert re.fullmatch(r"[A-Za-z ,.]+", rest), rest
    sentences = [s for s in rest.split(". ") if s]
    assert len(sentences) >= 3
    assert all(s[0].isupper() for s in sentences)


def test_different_prompt_different_text(emulator: Emulator) -> None:
    first = reply(emulator, seed=1)["message"]["content"]
    body = {"messages": [{"role": "user", "content": "Tell me about rivers"}], "seed": 1}
    second = post(emulator, "/chat/completions", body).json()["choices"][0]["message"]["content"]
    assert second.startswith('You said: "Tell me about rivers". ')
    assert first.split(". ", 1)[1] != second.split(". ", 1)[1]


def test_long_user_message_is_quoted_briefly(emulator: Emulator) -> None:
    words = ["one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten"]
    body = {"messages": [{"role": "user", "content": " ".join(words)}]}
    text = post(emulator, "/chat/completions", body).json()["choices"][0]["message"]["content"]
    assert text.startswith('You said: "one two three four five six seven eight...". ')


def test_content_parts_are_joined(emulator: Emulator) -> None:
    parts = [{"type": "text", "text": "Hello"}, {"type": "text", "text": "world"}]
    body = {"messages": [{"role": "user", "content": parts}]}
    text = post(emulator, "/chat/completions", body).json()["choices"][0]["message"]["content"]
    assert text.startswith('You said: "Hello world". ')


def test_max_tokens_gives_length(emulator: Emulator) -> None:
    choice = reply(emulator, max_tokens=4)
    assert choice["finish_reason"] == "length"
    assert choice["message"]["content"] == 'You said: "What is'


def test_missing_or_null_max_tokens_uses_the_default(emulator: Emulator) -> None:
    body = {"messages": [USER], "max_tokens": None}
    headers = {"x_emulator_reply_tokens": "1000"}
    response = post(emulator, "/chat/completions", body, **headers).json()
    assert response["usage"]["completion_tokens"] == 256
    assert response["choices"][0]["finish_reason"] == "length"


@pytest.mark.parametrize("stop", [" about", [" nothing here", " about"]])
def test_stop_cuts_the_text(emulator: Emulator, stop: object) -> None:
    choice = reply(emulator, stop=stop)
    assert choice["finish_reason"] == "stop"
    assert choice["message"]["content"] == 'You said: "What is good'


def test_stop_inside_a_token_keeps_its_start(emulator: Emulator) -> None:
    chunks = stream_chunks(streamed(emulator, "/chat/completions", {**CHAT, "stop": "bou"}).content)
    assert chat_text(chunks) == 'You said: "What is good a'
    assert chunks[-1]["choices"][0]["finish_reason"] == "stop"
    assert chunks[-1]["usage"]["completion_tokens"] == 6
