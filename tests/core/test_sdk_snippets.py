"""Code export per surface: every form (curl, requests, urllib, the openai SDK) runs in a
subprocess against the emulator, with its secret in the environment, and prints what the
client got. The Entra forms read a token from $AZURE_OPENAI_AD_TOKEN, or get one from
azure-identity's DefaultAzureCredential through a local managed-identity endpoint
(docs/azure-v1.md §1, §2)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from core import (
    PROFILES,
    TOKEN_ENV,
    AuthStyle,
    Client,
    Endpoint,
    InvalidRequestError,
    RequestSpec,
    StaticToken,
    exports,
    to_openai,
)
from core.profiles import AZURE_OPENAI_KEY_ENV
from emulator.process import Emulator, start_emulator, stop_emulator
from tests.helpers.azure_emulator import SCRIPTED_DEPLOYMENT, TOKEN
from tests.helpers.managed_identity import managed_identity

MESSAGES = [
    {"role": "system", "content": "You are a helpful assistant."},
    {"role": "user", "content": "What's good about Wuhan? It's \"great\" — 100%!"},
]
ENTRA = None  # the auth column's mark for a case with an Entra token instead of a key
#: case -> (profile, auth style, the variable the exported code reads, the forms expected)
CASES: dict[str, tuple[str, AuthStyle | None, str, set[str]]] = {
    "v1-key": ("azure-v1", AuthStyle.API_KEY, AZURE_OPENAI_KEY_ENV, {"openai"}),
    "v1-entra": ("azure-v1", ENTRA, TOKEN_ENV, {"openai"}),
    "classic-key": ("azure-classic", AuthStyle.API_KEY, AZURE_OPENAI_KEY_ENV, {"openai"}),
    "classic-entra": ("azure-classic", ENTRA, TOKEN_ENV, {"openai"}),
    "foundry-key": ("foundry-models", AuthStyle.API_KEY, "AZURE_AI_CHAT_KEY", set()),
    "foundry-entra": ("foundry-models", ENTRA, TOKEN_ENV, set()),
    "local": ("local", AuthStyle.BEARER, "AZURE_AI_CHAT_KEY", {"openai"}),
}
RAW = {"curl", "requests", "urllib"}


@pytest.fixture(scope="module")
def entra() -> Iterator[Emulator]:
    emu = start_emulator("--engine", "scripted", "--entra-token", TOKEN)
    yield emu
    stop_emulator(emu)


@pytest.fixture(scope="module")
def identity() -> Iterator[dict[str, str]]:
    with managed_identity(TOKEN) as (env, _):
        yield env


def client_for(emu: Emulator, case: str) -> Client:
    profile, auth, _, _ = CASES[case]
    secret: dict[str, Any] = (
        {"token": StaticToken(TOKEN)} if auth is ENTRA else {"key": emu.api_key, "auth": auth}
    )
    deployment = "" if profile == "local" else SCRIPTED_DEPLOYMENT
    endpoint = Endpoint(emu.base_url, deployment=deployment, **secret)
    return Client(endpoint, PROFILES[profile])


def run(kind: str, code: str, env: dict[str, str], tmp_path: Path) -> str:
    """Run an exported form with exactly `env` added to a clean environment."""
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("AZURE_", "IDENTITY_"))}
    if kind == "curl":
        if shutil.which("curl") is None:
            pytest.fail("curl is not installed; the Makefile's test set-up must provide it")
        command = ["bash", "-c", code.replace("curl ", "curl -sS ", 1)]
    else:
        script = tmp_path / f"exported_{kind}.py"  # not requests.py: it would shadow
        script.write_text(code)
        if kind == "openai":  # what it imports is used, and in isort's order
            lint = [sys.executable, "-m", "ruff", "check", "--isolated", "--select", "F,I"]
            checked = subprocess.run([*lint, str(script)], capture_output=True, text=True)
            assert checked.returncode == 0, checked.stdout + code
        command = [sys.executable, str(script)]
    done = subprocess.run(
        command, capture_output=True, text=True, env={**clean, **env}, timeout=120, check=False
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return done.stdout


def printed_text(kind: str, output: str, stream: bool) -> str:
    """The reply's text as each form prints it: curl and the raw Python forms print the body
    (or the events, for a curl stream); the others print the text."""
    if stream and kind == "curl":
        chunks = [
            json.loads(line[6:]) for line in output.splitlines() if line.startswith("data: {")
        ]
        return "".join(
            (c["choices"][0].get("delta") or {}).get("content") or ""
            for c in chunks
            if c["choices"]
        )
    if not stream and kind != "openai":
        return json.loads(output)["choices"][0]["message"]["content"]
    return output.rstrip("\n")


@pytest.mark.parametrize("stream", [False, True], ids=["reply", "stream"])
@pytest.mark.parametrize("case", CASES)
def test_every_exported_form_gets_the_clients_text(
    entra: Emulator, identity: dict[str, str], case: str, stream: bool, tmp_path: Path
) -> None:
    client = client_for(entra, case)
    params = {"max_tokens": 12, "seed": 3, "temperature": 0.5}
    if stream:
        expected = "".join(client.stream_chat(MESSAGES, **params))
    else:
        expected = client.chat(MESSAGES, **params).text
    body = client.build_body({"messages": MESSAGES, "stream": stream}, params)
    forms = exports(client.export_spec("POST", client.chat_route, body=body))
    _, auth, variable, extra = CASES[case]
    assert set(forms) == RAW | extra
    secret = TOKEN if auth is ENTRA else entra.api_key
    env = {variable: secret}
    for kind, code in forms.items():
        assert secret not in code and TOKEN not in code, kind
        assert variable in code or (kind == "openai" and auth is ENTRA), kind
        if kind == "openai" and auth is ENTRA:
            assert "get_bearer_token_provider(" in code and "os.environ" not in code
            ran = run(kind, code, identity, tmp_path)  # no token in the environment at all
        else:
            ran = run(kind, code, env, tmp_path)
        assert printed_text(kind, ran, stream) == expected, (kind, code)


def test_the_openai_forms_are_the_ones_azure_documents(entra: Emulator) -> None:
    def code(case: str) -> str:
        client = client_for(entra, case)
        body = client.build_body({"messages": MESSAGES}, {"max_completion_tokens": 5, "n": 1})
        return to_openai(client.export_spec("POST", client.chat_route, body=body))

    v1 = code("v1-key")
    assert f'base_url="{entra.base_url}/openai/v1/"' in v1 and "OpenAI(" in v1
    assert f'api_key=os.environ["{AZURE_OPENAI_KEY_ENV}"]' in v1
    assert f'model="{SCRIPTED_DEPLOYMENT}",  # the deployment name' in v1
    assert "max_completion_tokens=5" in v1 and "n=1" in v1 and "extra_body" not in v1
    classic = code("classic-key")
    assert "AzureOpenAI(" in classic and f'azure_endpoint="{entra.base_url}"' in classic
    assert 'api_version="2024-10-21"' in classic
    entra_v1, entra_classic = code("v1-entra"), code("classic-entra")
    assert "api_key=token_provider" in entra_v1
    assert "azure_ad_token_provider=token_provider" in entra_classic
    assert '"https://cognitiveservices.azure.com/.default"' in entra_v1


def test_a_stream_export_keeps_stream_options_and_unknown_fields_go_in_extra_body(
    entra: Emulator,
) -> None:
    client = client_for(entra, "v1-key")
    body = {
        **client.build_body({"messages": MESSAGES, "stream": True}, {"top_k": 5}),
        "stream_options": {"include_usage": True},
    }
    code = to_openai(client.export_spec("POST", client.chat_route, body=body))
    assert 'stream_options={"include_usage": True}' in code
    assert 'extra_body={"top_k": 5}' in code


def test_the_token_is_never_exported_even_when_the_key_is_asked_for(entra: Emulator) -> None:
    client = client_for(entra, "v1-entra")  # nothing sent yet: the client knows the paste
    pasted = [{"role": "user", "content": f"my token is {TOKEN}"}]
    spec = client.export_spec("POST", client.chat_route, body={"messages": pasted})
    assert TOKEN not in spec.body and "my token is ***" in spec.body
    assert spec.hosts_key and spec.key_env == TOKEN_ENV
    for kind, code in exports(spec, key=TOKEN).items():
        assert TOKEN not in code, kind
    keyed = client_for(entra, "v1-key")
    spec = keyed.export_spec("POST", keyed.chat_route, body={"messages": MESSAGES})
    assert all(entra.api_key in code for code in exports(spec, key=entra.api_key).values())


def test_exporting_never_asks_for_a_token(entra: Emulator) -> None:
    class Refuses:
        def token(self) -> Any:
            raise AssertionError("the export asked for a token")

        def issued(self) -> tuple[str, ...]:
            return ()

    endpoint = Endpoint(entra.base_url, token=Refuses(), deployment=SCRIPTED_DEPLOYMENT)
    client = Client(endpoint, PROFILES["azure-v1"])
    spec = client.export_spec("POST", client.chat_route, body={"messages": MESSAGES})
    assert "Authorization: Bearer $AZURE_OPENAI_AD_TOKEN" in exports(spec)["curl"]


def test_no_sdk_form_where_the_sdk_does_not_speak_the_surface(entra: Emulator) -> None:
    client = client_for(entra, "foundry-key")
    spec = client.export_spec("POST", client.chat_route, body={"messages": MESSAGES})
    assert spec.sdk is None
    with pytest.raises(InvalidRequestError, match="openai SDK"):
        to_openai(spec)
    v1 = client_for(entra, "v1-key")
    info = v1.export_spec("GET", "/openai/v1/models")
    assert info.sdk is None and set(exports(info)) == RAW
    assert isinstance(info, RequestSpec)
