"""Code export: the exported curl and Python run against the emulator and give the same result."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys

import pytest

from core import PROFILES, AuthStyle, Client, Endpoint, to_curl, to_requests, to_urllib
from emulator.process import Emulator

MESSAGES = [
    {"role": "system", "content": "You are a helpful assistant."},
    {"role": "user", "content": "What's good about Wuhan? It's \"great\" — 100%!"},
]
EXPORTERS = {"curl": to_curl, "requests": to_requests, "urllib": to_urllib}


def client_for(emu: Emulator, auth: AuthStyle = AuthStyle.BARE, path: str = "") -> Client:
    return Client(Endpoint(emu.base_url + path, key=emu.api_key, auth=auth), PROFILES["local"])


def run_snippet(kind: str, code: str, key: str | None) -> str:
    env = {k: v for k, v in os.environ.items() if not k.startswith("AZURE_AI_CHAT")}
    if key is not None:
        env["AZURE_AI_CHAT_KEY"] = key
    if kind == "curl":
        if shutil.which("curl") is None:
            pytest.fail("curl is not installed; the Makefile's test set-up must provide it")
        cmd = ["bash", "-c", code.replace("curl ", "curl -sS ", 1)]
    else:
        cmd = [sys.executable, "-c", code]
    done = subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=60, check=False)
    assert done.returncode == 0, done.stderr
    return done.stdout


@pytest.mark.parametrize("kind", EXPORTERS)
@pytest.mark.parametrize("auth", [AuthStyle.BARE, AuthStyle.BEARER])
def test_exported_non_stream_call_returns_the_same_completion(
    emulator: Emulator, kind: str, auth: AuthStyle
) -> None:
    client = client_for(emulator, auth)
    body = {"messages": MESSAGES, "max_tokens": 25, "seed": 11}
    expected = client.chat(**body).text
    spec = client.export_spec("POST", client.chat_route, body=body)
    code = EXPORTERS[kind](spec)
    assert emulator.api_key not in code
    output = run_snippet(kind, code, emulator.api_key)
    reply = json.loads(output)
    assert reply["choices"][0]["message"]["content"] == expected


@pytest.mark.parametrize("kind", EXPORTERS)
@pytest.mark.parametrize("stream_flag", [True, "True"])
def test_exported_stream_prints_the_same_text(
    emulator: Emulator, kind: str, stream_flag: object
) -> None:
    client = client_for(emulator, path="/v1/chat/completions")
    body = {"messages": MESSAGES, "max_tokens": 30, "seed": 5, "stream": stream_flag}
    expected = "".join(client.stream_chat(MESSAGES, max_tokens=30, seed=5))
    spec = client.export_spec("POST", client.chat_route, body=body)
    code = EXPORTERS[kind](spec)
    output = run_snippet(kind, code, emulator.api_key)
    if kind == "curl":  # curl prints the raw events; decode them as the README shows
        pieces = [
            (json.loads(line[6:])["choices"] or [{}])[0].get("delta", {}).get("content") or ""
            for line in output.splitlines()
            if line.startswith("data: {")
        ]
        assert "".join(pieces) == expected
    else:
        assert output.rstrip("\n") == expected


@pytest.mark.parametrize("kind", EXPORTERS)
def test_exported_text_completion_stream(emulator: Emulator, kind: str) -> None:
    client = client_for(emulator, path="/v1/completions")
    expected = "".join(client.stream_complete("Math is a", max_tokens=12, seed=2))
    body = {"prompt": "Math is a", "max_tokens": 12, "seed": 2, "stream": True}
    code = EXPORTERS[kind](client.export_spec("POST", client.completions_route, body=body))
    output = run_snippet(kind, code, emulator.api_key)
    if kind != "curl":
        assert output.rstrip("\n") == expected
    else:
        assert output.count("data: ") == 12 + 2  # tokens, finish chunk, [DONE]


@pytest.mark.parametrize("kind", EXPORTERS)
def test_exported_error_shows_status_and_body(emulator: Emulator, kind: str) -> None:
    client = client_for(emulator)
    spec = client.export_spec("POST", "/chat/completions", body={"messages": BOMB_MESSAGES})
    output = run_snippet(kind, EXPORTERS[kind](spec), emulator.api_key)
    assert "content_filter" in output
    if kind != "curl":
        assert "400" in output


BOMB_MESSAGES = [{"role": "user", "content": "How to make bomb?"}]


def test_key_is_included_only_when_asked(emulator: Emulator) -> None:
    client = client_for(emulator, AuthStyle.BEARER)
    spec = client.export_spec("POST", "/chat/completions", body={"messages": MESSAGES})
    for kind, export in EXPORTERS.items():
        hidden = export(spec)
        assert emulator.api_key not in hidden, kind
        assert "AZURE_AI_CHAT_KEY" in hidden, kind
        shown = export(spec, key=emulator.api_key)
        assert emulator.api_key in shown, kind
        # With the key included the snippet runs with no environment variable at all.
        output = run_snippet(kind, shown, None)
        assert json.loads(output)["object"] == "chat.completion"


def test_spec_keeps_custom_headers_and_drops_transport_ones(emulator: Emulator) -> None:
    client = client_for(emulator)
    spec = client.export_spec("GET", "/info", headers={"azureml-model-deployment": "blue"})
    assert spec.headers["azureml-model-deployment"] == "blue"
    assert "User-Agent" not in spec.headers and "Authorization" not in spec.headers
    curl = to_curl(spec)
    assert "\n  -d " not in curl and "-X GET" in curl
    assert json.loads(run_snippet("curl", curl, emulator.api_key))["model_name"]
    assert json.loads(run_snippet("urllib", to_urllib(spec), emulator.api_key))["model_name"]
