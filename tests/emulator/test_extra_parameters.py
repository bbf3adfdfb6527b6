"""The `extra-parameters` header: unknown fields rejected, dropped or passed through."""

from __future__ import annotations

import pytest

from emulator.process import Emulator
from tests.helpers.emulator_http import CHAT, TEXT, UNIFIED_ROUTES, body_for, post

NOT_ALLOWED = (
    "Extra parameters ['n', 'logit_bias'] are not allowed when extra-parameters is not set or "
    "set to be 'error'. Set extra-parameters to 'pass-through' to pass to the model."
)


@pytest.mark.parametrize("path", UNIFIED_ROUTES)
@pytest.mark.parametrize("header", [None, "error"])
def test_extra_parameters_rejected(emulator: Emulator, path: str, header: str | None) -> None:
    body = {**body_for(path), "n": 1, "logit_bias": {}}
    extra = {"extra_parameters": header} if header else {}
    response = post(emulator, path, body, **extra)
    assert response.status_code == 400
    assert response.json() == {"detail": NOT_ALLOWED}


@pytest.mark.parametrize("path", UNIFIED_ROUTES)
@pytest.mark.parametrize("header", ["drop", "pass-through"])
def test_extra_parameters_dropped_or_passed(emulator: Emulator, path: str, header: str) -> None:
    body = {**body_for(path), "n": 1, "logit_bias": {}, "ignore_eos": False}
    response = post(emulator, path, body, extra_parameters=header)
    assert response.status_code == 200, response.text
    plain = post(emulator, path, body_for(path)).json()
    assert response.json()["choices"] == plain["choices"]
    assert response.json()["usage"] == plain["usage"]


@pytest.mark.parametrize("path", UNIFIED_ROUTES)
def test_extra_parameters_bad_option(emulator: Emulator, path: str) -> None:
    for body in (body_for(path), {**body_for(path), "n": 1}):
        response = post(emulator, path, body, extra_parameters="ignore")
        assert response.status_code == 400
        assert response.json() == {
            "detail": "Unexpected EXTRA_PARAMETERS option ignore, expected options are "
            "['error', 'drop', 'pass-through']"
        }


@pytest.mark.parametrize("path", ["/v1/chat/completions", "/v1/completions"])
def test_v1_routes_skip_the_extra_parameters_check(emulator: Emulator, path: str) -> None:
    vllm = {"ignore_eos": False, "use_beam_search": False, "best_of": 1, "n": 1, "logprobs": None}
    vllm |= {"stop_token_ids": [2], "skip_special_tokens": True, "safe_prompt": False}
    for extra in ({}, {"extra_parameters": "ignore"}, {"extra_parameters": "error"}):
        response = post(emulator, path, {**body_for(path), **vllm, "anything": 1}, **extra)
        assert response.status_code == 200, response.text


def test_known_unified_fields_need_no_header(emulator: Emulator) -> None:
    body = {**CHAT, "model": "x", "frequency_penalty": 0, "presence_penalty": 0, "seed": 42}
    body |= {"stop": "<|endoftext|>", "stream": False, "temperature": 0, "top_p": 1}
    body |= {"response_format": {"type": "text"}, "tool_choice": "none"}
    assert post(emulator, "/chat/completions", body).status_code == 200
    text = {**TEXT, "model": "x", "seed": 1, "stop": ["\n"], "frequency_penalty": 1.5}
    assert post(emulator, "/completions", text).status_code == 200
