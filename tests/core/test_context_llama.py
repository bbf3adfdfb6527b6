"""The context window with the real SmolLM2 (2048 tokens) behind the emulator: how far the
estimate is from its tokenizer, the refusal of a prompt too long on two surfaces, and a
conversation that goes on after one.

Runs whenever emulator/models holds the model (`make` fetches it before the tests).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from core import PROFILES, AuthStyle, Client, ContextLengthError, Endpoint
from core.context import FitLevel, estimate_tokens, fits
from core.conversation import Conversation
from core.live import LiveStream, TextStreamSource
from core.reply import Reply, ReplyStatus, RequestRecord
from emulator.process import ROOT, Emulator, start_emulator, stop_emulator

MODEL = ROOT / "emulator" / "models" / "SmolLM2-135M-Instruct.Q4_1.gguf"
DEPLOYMENT = "SmolLM2-135M-Instruct"
SYSTEM = {"role": "system", "content": "You are a helpful assistant."}
TOO_LONG = "word " * 3000

pytestmark = [
    pytest.mark.llama,
    pytest.mark.skipif(
        not MODEL.is_file(),
        reason=f"{MODEL} is absent; run `python -m emulator.fetch_model` (make does)",
    ),
]

# Texts of the kinds the estimate's docstring reports on, with its bounds (estimate / real).
SAMPLES = {
    "English": (
        "Could you help me plan a three-day trip to Lisbon in October? I like museums, food "
        "markets and long walks, but I don't want to spend more than 600 euros on hotels.",
        (0.9, 1.15),
    ),
    "Python": (Path(ROOT / "core" / "memory.py").read_text(encoding="utf-8")[:3000], (0.9, 1.15)),
    "French": (
        "Pourriez-vous m'aider à préparer un voyage de trois jours à Lisbonne en octobre ? "
        "J'aime les musées, les marchés et les longues promenades.",
        (0.7, 1.0),
    ),
    "German": (
        "Könnten Sie mir helfen, eine dreitägige Reise nach Lissabon im Oktober zu planen? "
        "Ich mag Museen, Märkte und lange Spaziergänge.",
        (0.7, 1.0),
    ),
    "Chinese": (
        "你好！你能帮我计划十月份去里斯本的三天旅行吗？我喜欢博物馆和美食市场。",
        (0.7, 1.0),
    ),
    "JSON": (
        json.dumps({"messages": [{"role": "user", "content": "2+2?"}], "top_p": 1.0}),
        (0.8, 1.1),
    ),
}


@pytest.fixture(scope="module")
def llama() -> Iterator[Emulator]:
    emu = start_emulator("--engine", "llama")
    yield emu
    stop_emulator(emu)


def local(emu: Emulator) -> Client:
    return Client(Endpoint(emu.base_url, key=emu.api_key), PROFILES["local"])


@pytest.mark.parametrize("kind", list(SAMPLES))
def test_the_estimate_stays_within_its_documented_error(llama: Emulator, kind: str) -> None:
    text, (low, high) = SAMPLES[kind]
    messages = [SYSTEM, {"role": "user", "content": text}]
    real = local(llama).chat(messages, max_tokens=1).usage["prompt_tokens"]
    ratio = estimate_tokens(messages) / real
    assert low <= ratio <= high, f"{kind}: estimate {estimate_tokens(messages)}, real {real}"


def test_the_serverless_refusal_says_the_endpoints_words_first(llama: Emulator) -> None:
    messages = [{"role": "user", "content": TOO_LONG}]
    assert fits(messages, 256, PROFILES["local"]).level is FitLevel.OVER  # seen before sending
    with pytest.raises(ContextLengthError) as caught:
        local(llama).chat(messages, max_tokens=16)
    error = caught.value
    assert error.status_code == 422 and error.context_length == 2048
    assert error.requested is not None and error.requested > 2048
    assert str(error).startswith(
        f"The prompt is {error.requested} tokens; the context window is 2048. The request "
        "does not fit the model's context window (422): shorten the message"
    )


def test_the_azure_openai_refusal_is_the_same_error(llama: Emulator) -> None:
    endpoint = Endpoint(
        llama.base_url, key=llama.api_key, auth=AuthStyle.API_KEY, deployment=DEPLOYMENT
    )
    with pytest.raises(ContextLengthError) as caught:
        Client(endpoint, PROFILES["azure-v1"]).chat([{"role": "user", "content": TOO_LONG}])
    assert caught.value.status_code == 400 and caught.value.context_length == 2048
    assert str(caught.value).startswith(f"The prompt is {caught.value.requested} tokens")


def test_after_a_message_too_long_the_conversation_goes_on(llama: Emulator) -> None:
    """Seen in Chromium: after one over-long message every later turn failed, even "hi"."""
    chat, chat_client = Conversation(), local(llama)
    for text in (TOO_LONG, "hi"):
        ask = chat.ask(text)
        reply = Reply(request=RequestRecord(json.dumps({"messages": ask.messages}), {}, "local"))
        chat.attach(ask, reply)
        source = TextStreamSource(
            lambda messages=ask.messages: chat_client.stream_chat(messages, max_tokens=8)
        )
        assert LiveStream(reply, source).wait(120)
    failed, answered = (t.alternatives[0].reply for t in chat.turns)
    assert failed.status == ReplyStatus.FAILED and isinstance(failed.error, ContextLengthError)
    assert answered.status == ReplyStatus.DONE and answered.text
    assert answered.request is not None and answered.request.sent is not None
    assert json.loads(answered.request.sent.body)["messages"] == [{"role": "user", "content": "hi"}]
