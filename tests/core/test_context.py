"""Prompt size against the context window: the estimate, `fits`, and the refusals endpoints
send when a prompt does not fit (pure logic; `test_context_llama.py` uses the real model)."""

from __future__ import annotations

import dataclasses
import json

import pytest

from core import PROFILES, BadRequestError, ContextLengthError, ValidationError
from core.context import (
    MESSAGE_TOKENS,
    REPLY_TOKENS,
    FitLevel,
    endpoint_counts,
    estimate_tokens,
    fits,
    text_tokens,
)
from core.failures import error_from_response

LOCAL = PROFILES["local"]  # context_length 2048
UNKNOWN = PROFILES["openai"]


def user(text: str) -> list[dict[str, str]]:
    return [{"role": "user", "content": text}]


def test_text_tokens_counts_letters_digits_signs_and_bytes() -> None:
    assert text_tokens("") == 0
    assert text_tokens("abcd efg") == 2  # 8 letters and spaces
    assert text_tokens("2048") == 4  # a digit each
    assert text_tokens("{}") == 1  # half a token per sign
    assert text_tokens("é") == 1 and text_tokens("日本") == 3  # half a token per UTF-8 byte


def test_the_estimate_adds_each_messages_framing() -> None:
    messages = [{"role": "system", "content": "abcd"}, {"role": "user", "content": "efgh"}]
    assert estimate_tokens(messages) == REPLY_TOKENS + 2 * MESSAGE_TOKENS + 2
    parts = [{"role": "user", "content": [{"type": "text", "text": "abcd"}]}]
    assert estimate_tokens(parts) == REPLY_TOKENS + MESSAGE_TOKENS + 1
    assert estimate_tokens([{"role": "assistant", "content": None}]) == REPLY_TOKENS + 5


def test_fits_says_ok_near_or_over_the_window() -> None:
    ok = fits(user("hi"), 256, LOCAL)
    assert ok.level is FitLevel.OK and ok.ok and ok.context_length == 2048
    assert ok.message == (
        "About 9 tokens of prompt + max_tokens 256, within the model's 2,048-token context."
    )
    near = fits(user("word " * 1000), 512, LOCAL)  # ~1258 + 512 > 80% of 2048
    assert near.level is FitLevel.NEAR and not near.ok and "may be cut short" in near.message
    assert fits(user("word " * 1000), None, LOCAL).level is FitLevel.OK
    over = fits(user("word " * 3000), 256, LOCAL)
    assert over.level is FitLevel.OVER
    assert "more than the model's 2,048-token context" in over.message
    unknown = fits(user("word " * 3000), 256, UNKNOWN)
    assert unknown.level is FitLevel.UNKNOWN and unknown.ok and "not known" in unknown.message
    tiny = dataclasses.replace(LOCAL, context_length=12)  # near from 9.6 tokens
    assert fits(user("hi"), 0, tiny).level is FitLevel.OK
    assert fits(user("hi"), 1, tiny).level is FitLevel.NEAR


# The refusals ------------------------------------------------------------------------------

EMULATOR_422 = {
    "status": 422,
    "code": "invalid_input",
    "detail": {"loc": ["body", "messages"], "input": None},
    "message": "The prompt is 7031 tokens; the context window is 2048.",
}
AZURE_400 = {
    "error": {
        "message": "This model's maximum context length is 8192 tokens. However, your messages "
        "resulted in 9000 tokens. Please reduce the length of the messages.",
        "type": "invalid_request_error",
        "param": "messages",
        "code": "context_length_exceeded",
    }
}
VLLM_400 = {
    "object": "error",
    "message": "This model's maximum context length is 4096 tokens. However, you requested "
    "4200 tokens (4000 in the messages, 200 in the completion). Please reduce the length of "
    "the messages or completion.",
    "type": "BadRequestError",
    "param": None,
    "code": 400,
}
LLAMA_CPP_400 = {
    "error": {
        "code": 400,
        "message": "request (4476 tokens) exceeds the available context size (4096 tokens)",
        "type": "exceed_context_size_error",
        "n_prompt_tokens": 4476,
        "n_ctx": 4096,
    }
}
LLAMA_CPP_OLD = {
    "error": {
        "code": 400,
        "message": "the request exceeds the available context size, try increasing it",
        "type": "exceed_context_size_error",
    }
}
CODE_ONLY = {"error": {"code": "context_length_exceeded", "message": "Too long."}}


@pytest.mark.parametrize(
    ("status", "body", "said", "numbers"),
    [
        (422, EMULATOR_422, EMULATOR_422["message"], (2048, 7031)),
        (400, AZURE_400, AZURE_400["error"]["message"], (8192, 9000)),  # type: ignore[index]
        (400, VLLM_400, VLLM_400["message"], (4096, 4200)),
        (400, LLAMA_CPP_400, LLAMA_CPP_400["error"]["message"] + ".", (4096, 4476)),  # type: ignore[index]
        (400, LLAMA_CPP_OLD, LLAMA_CPP_OLD["error"]["message"] + ".", (None, None)),  # type: ignore[index]
        (413, CODE_ONLY, "Too long.", (None, None)),
    ],
)
def test_a_prompt_too_long_is_a_context_length_error_in_the_endpoints_words_first(
    status: int, body: dict[str, object], said: str, numbers: tuple[int | None, int | None]
) -> None:
    error = error_from_response(status, {}, json.dumps(body))
    assert type(error) is ContextLengthError and isinstance(error, BadRequestError)
    assert not isinstance(error, ValidationError)
    assert str(error).startswith(said), str(error)
    assert f"does not fit the model's context window ({status})" in str(error)
    for advice in ("shorten the message", "earlier turns", "lower max_tokens", "new conversation"):
        assert advice in str(error)
    assert (error.context_length, error.requested) == numbers
    assert error.status_code == status and error.body == json.dumps(body)


def test_other_refusals_keep_their_classes_and_messages() -> None:
    invalid = {"detail": [{"loc": ["body", "n"], "input": 3}]}
    error = error_from_response(422, {}, json.dumps(invalid))
    assert type(error) is ValidationError
    assert str(error) == (
        "The model does not accept a parameter value (422: n: 3 is not supported). "
        "Change or remove it and send again."
    )
    plain = error_from_response(400, {}, '{"error": {"message": "bad"}}')
    assert type(plain) is BadRequestError
    assert str(plain) == "The endpoint refused the request (400: bad). Check the body and headers."
    # A 401 or a 500 that mentions the context is not about its length.
    assert type(error_from_response(500, {}, "context window full")) is not ContextLengthError


def test_endpoint_counts_reads_fields_then_words() -> None:
    assert endpoint_counts(LLAMA_CPP_400, "") == (4096, 4476)
    assert endpoint_counts({"error": {"n_ctx": True}}, "") == (None, None)
    assert endpoint_counts(None, "The prompt is 12 tokens; the context window is 10.") == (10, 12)
    assert endpoint_counts("x", "nothing here") == (None, None)
