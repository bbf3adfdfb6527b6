"""Every exported LangChain program runs: each backend x each app, in a subprocess, against a
real emulator (the Entra variant with a real azure-identity credential and a local token
endpoint), and passes ruff's pyflakes and isort checks unchanged by `ruff format`.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from core import InvalidRequestError
from core.chain_snippets import (
    MAINTAINED_KEY_ENV,
    adapter_code,
    community_code,
    llama2_notebook_code,
    maintained_code,
)
from core.memory import Mode
from emulator.process import ROOT, Emulator, start_emulator, stop_emulator
from tests.helpers.azure_emulator import SCRIPTED_DEPLOYMENT, TOKEN
from tests.helpers.managed_identity import managed_identity
from tests.helpers.raw_server import RawServer, completion, response

INPUTS = {"input_language": "English", "output_language": "French", "input_content": "Good day"}
TRANSLATED = 'You said: "You are a Translator. Translate the following content...".'
QUESTIONS = "first question\nsecond question\nthird question\n"
Writer = Callable[..., str]


@pytest.fixture(scope="module")
def entra() -> Iterator[Emulator]:
    """An emulator that serves every surface and also takes the Entra stand-in token."""
    emu = start_emulator("--engine", "scripted", "--entra-token", TOKEN)
    yield emu
    stop_emulator(emu)


@pytest.fixture
def identity() -> Iterator[tuple[dict[str, str], list[str]]]:
    """The environment that points azure-identity at a local managed-identity endpoint."""
    with managed_identity(TOKEN) as found:
        yield found


def run(code: str, tmp_path: Path, env: dict[str, str], stdin: str = "") -> list[str]:
    """Check the program with ruff, run it, and return its output lines."""
    script = tmp_path / "snippet.py"
    script.write_text(code)
    ruff = [sys.executable, "-m", "ruff"]
    lint = [*ruff, "check", "--isolated", "--select", "F,I", "--config"]
    lint += ["lint.isort.known-first-party=['core']", str(script)]
    assert subprocess.run(lint, capture_output=True, text=True).returncode == 0, code
    style = [*ruff, "format", "--isolated", "--line-length", "100", "--check", str(script)]
    assert subprocess.run(style, capture_output=True, text=True).returncode == 0, code
    keys = ("AZURE_AI_CHAT_KEY", MAINTAINED_KEY_ENV, "IDENTITY_ENDPOINT", "IDENTITY_HEADER")
    clean = {k: v for k, v in os.environ.items() if k not in keys}
    full_env = {**clean, "PYTHONPATH": str(ROOT), **env}
    result = subprocess.run(
        [sys.executable, str(script)],
        input=stdin,
        env=full_env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    return result.stdout.splitlines()


def backends(emu: Emulator) -> dict[str, tuple[Writer, dict[str, Any], dict[str, str]]]:
    """Backend name -> (code writer, its extra arguments, the environment it reads)."""
    chat_key = {"AZURE_AI_CHAT_KEY": emu.api_key}
    return {
        "llama2-notebook": (llama2_notebook_code, {}, chat_key),
        "community": (community_code, {}, chat_key),
        "adapter": (adapter_code, {"extra_parameters": "drop"}, chat_key),
        "maintained-key": (
            lambda app, url, params, **o: maintained_code(
                app, url, SCRIPTED_DEPLOYMENT, params, **o
            ),
            {},
            {MAINTAINED_KEY_ENV: emu.api_key},
        ),
    }


BACKENDS = ["llama2-notebook", "community", "adapter", "maintained-key"]


@pytest.mark.parametrize("backend", BACKENDS)
def test_every_translator_program_runs(entra: Emulator, backend: str, tmp_path: Path) -> None:
    write, extra, env = backends(entra)[backend]
    params = {"max_tokens": 15, "stop": ""}
    code = write("translator", entra.base_url, params, inputs=INPUTS, **extra)
    assert entra.api_key not in code
    (line,) = run(code, tmp_path, env)
    assert line.startswith(TRANSLATED)
    assert len(line.split()) == 15


@pytest.mark.parametrize("backend", BACKENDS)
def test_every_notebook_memory_program_keeps_the_window(
    entra: Emulator, backend: str, tmp_path: Path
) -> None:
    write, extra, env = backends(entra)[backend]
    code = write("memory", entra.base_url, {"max_tokens": 12}, k=1, mode=Mode.NOTEBOOK, **extra)
    replies = run(code, tmp_path, env, stdin=QUESTIONS)
    # The model echoes the first words of its prompt: the window holds the last exchange only.
    # (The community class's formatter escapes newlines: the model sees a literal "\\n".)
    echoes = [" ".join(r.split('"')[1].replace("\\n", " ").split()) for r in replies]
    assert echoes[0] == "Current conversation: User question:first question"
    assert echoes[1].startswith("Current conversation: User: first question Assistant:")
    assert echoes[2].startswith("Current conversation: User: second question Assistant:")


def test_the_entra_program_gets_its_token_from_azure_identity(
    entra: Emulator, identity: tuple[dict[str, str], list[str]], tmp_path: Path
) -> None:
    env, asked = identity
    runs: list[tuple[Any, str, dict[str, Any]]] = [
        ("translator", "", {"inputs": INPUTS}),
        ("memory", QUESTIONS, {"k": 1}),
    ]
    for app, stdin, options in runs:
        params = {"max_tokens": 15}
        code = maintained_code(
            app, entra.base_url, SCRIPTED_DEPLOYMENT, params, auth="entra", **options
        )
        assert "get_bearer_token_provider" in code and "os.environ" not in code
        lines = run(code, tmp_path, env, stdin=stdin)
        assert lines[0].startswith(TRANSLATED if app == "translator" else 'You said: "Current')
    # azure-identity asked the managed-identity endpoint for the Azure OpenAI scope.
    assert asked and all("resource=https://cognitiveservices.azure.com" in a for a in asked)
    no_identity = {"IDENTITY_ENDPOINT": "http://127.0.0.1:9/none", "IDENTITY_HEADER": "x"}
    code = maintained_code("translator", entra.base_url, SCRIPTED_DEPLOYMENT, auth="entra")
    with pytest.raises(AssertionError, match=r"ClientAuthenticationError|CredentialUnavailable"):
        run(code, tmp_path, no_identity)


MESSAGES_BACKENDS = ["community", "adapter", "maintained-key"]


@pytest.mark.parametrize("backend", MESSAGES_BACKENDS)
def test_every_messages_memory_program_sends_the_last_k_exchanges(
    backend: str, tmp_path: Path
) -> None:
    server = RawServer(lambda r: response("200 OK", completion(b"noted")))
    try:
        fake = Emulator(server.url, "raw-key-0123", None)  # type: ignore[arg-type]
        write, extra, env = backends(fake)[backend]
        code = write(
            "memory",
            server.url,
            {"max_tokens": 5},
            k=2,
            mode=Mode.MESSAGES,
            system_prompt="Be {brief}.",
            **extra,
        )
        questions = "".join(f"question {n}\n" for n in range(1, 5))
        assert run(code, tmp_path, env, stdin=questions) == ["noted"] * 4
        last = json.loads(server.posts[-1].body)["messages"]
    finally:
        server.close()
    assert [(m["role"], m["content"]) for m in last] == [
        ("system", "Be {brief}."),
        ("user", "question 2"),
        ("assistant", "noted"),
        ("user", "question 3"),
        ("assistant", "noted"),
        ("user", "question 4"),
    ]


def test_the_notebook_class_has_no_messages_prompt() -> None:
    with pytest.raises(InvalidRequestError, match="one text prompt"):
        llama2_notebook_code("memory", "http://127.0.0.1:9", mode=Mode.MESSAGES)


def test_the_maintained_program_needs_a_deployment_and_says_what_it_sends() -> None:
    with pytest.raises(InvalidRequestError, match="Name the deployment"):
        maintained_code("translator", "https://res.openai.azure.com")
    code = maintained_code(
        "translator",
        "https://res.openai.azure.com/openai/deployments/my-chat/chat/completions",
        params={"max_tokens": 9, "seed": None},
    )
    assert 'endpoint="https://res.openai.azure.com/openai/v1",' in code
    assert 'model="my-chat",  # the deployment name' in code
    assert "max_tokens=9,  # sent as max_completion_tokens" in code
    assert "use_responses_api=False," in code
    assert "seed" not in code


@pytest.mark.parametrize("write", [community_code, llama2_notebook_code])
def test_a_long_parameter_dict_is_written_as_ruff_formats_it(write: Writer, tmp_path: Path) -> None:
    params = {"temperature": 0.7, "top_p": 1.0, "presence_penalty": 0.0,
              "frequency_penalty": 0.0, "max_tokens": 256, "seed": 42}  # fmt: skip
    script = tmp_path / "snippet.py"
    script.write_text(write("translator", "https://x.eastus2.inference.ai.azure.com", params))
    style = [sys.executable, "-m", "ruff", "format", "--isolated", "--line-length", "100"]
    checked = subprocess.run([*style, "--check", str(script)], capture_output=True, text=True)
    assert checked.returncode == 0, checked.stdout
    assert '    "frequency_penalty": 0.0,\n' in script.read_text()  # one item a line
