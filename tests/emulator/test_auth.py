"""The key check: bearer and bare keys, missing and wrong keys, a key from the environment,
none configured, and never the key in the log.
"""

from __future__ import annotations

import os

import pytest
import requests

from emulator.process import DEFAULT_KEY as TEST_KEY
from emulator.process import Emulator, start_emulator
from tests.helpers.emulator_http import CHAT, chat_with, launch


def test_bearer_and_bare_keys_are_accepted(emulator: Emulator) -> None:
    assert chat_with(emulator, {"Authorization": f"Bearer {TEST_KEY}"}).status_code == 200
    assert chat_with(emulator, {"Authorization": f"bearer {TEST_KEY}"}).status_code == 200
    assert chat_with(emulator, {"Authorization": TEST_KEY}).status_code == 200


@pytest.mark.parametrize("headers", [{}, {"api-key": TEST_KEY}], ids=["none", "api-key"])
def test_missing_authorization_is_400(emulator: Emulator, headers: dict[str, str]) -> None:
    response = chat_with(emulator, headers)
    assert response.status_code == 400
    assert response.json() == {
        "status": "Auth token must be passed as a header called Authorization"
    }


@pytest.mark.parametrize("value", ["Bearer wrong", "wrong", f"Bearer {TEST_KEY}x", "Bearer", ""])
def test_wrong_key_is_401(emulator: Emulator, value: str) -> None:
    response = chat_with(emulator, {"Authorization": value, "api-key": TEST_KEY})
    assert response.status_code == 401
    assert response.headers["x-ms-error-code"] == "Unauthorized"
    assert response.json() == {
        "error": {
            "code": "Unauthorized",
            "message": "Access token is missing or invalid",
            "status": 401,
        }
    }


def test_no_key_configured_means_no_check(private_emulator: list[Emulator]) -> None:
    env = {k: v for k, v in os.environ.items() if k != "EMULATOR_API_KEY"}
    emu = launch("--engine", "scripted", env=env)
    private_emulator.append(emu)
    url = emu.base_url + "/chat/completions"
    assert requests.post(url, json=CHAT, timeout=30).status_code == 200
    assert requests.post(url, json=CHAT, headers={"Authorization": "anything"}, timeout=30).ok


def test_key_from_environment(private_emulator: list[Emulator]) -> None:
    emu = launch("--engine", "scripted", env={**os.environ, "EMULATOR_API_KEY": "env-key"})
    private_emulator.append(emu)
    url = emu.base_url + "/chat/completions"
    assert requests.post(url, json=CHAT, headers={"Authorization": "env-key"}, timeout=30).ok
    wrong = requests.post(url, json=CHAT, headers={"Authorization": "other"}, timeout=30)
    assert wrong.status_code == 401


def test_key_never_reaches_the_log(private_emulator: list[Emulator]) -> None:
    emu = start_emulator("--engine", "scripted", "--log-level", "debug", api_key="secret-k-123")
    private_emulator.append(emu)
    url = emu.base_url + "/chat/completions"
    requests.post(url, json=CHAT, headers={"Authorization": "secret-k-123"}, timeout=30)
    requests.post(url, json=CHAT, headers={"Authorization": "guess-k-456"}, timeout=30)
    emu.process.terminate()
    log = emu.process.stderr.read().decode()
    assert "auth=key required (from --api-key)" in log
    assert "secret-k-123" not in log
    assert "guess-k-456" not in log
