"""Shared by the Azure OpenAI / Foundry emulator tests: the Entra stand-in and its emulator."""

from __future__ import annotations

import subprocess
import sys

from emulator.process import ROOT, Emulator, free_port, wait_healthy

# JWT-shaped, as Entra tokens are: {"typ":"JWT"} . {"aud":"https://cognitiveservices.azure.com"}
TOKEN = (
    "eyJ0eXAiOiJKV1QifQ.eyJhdWQiOiJodHRwczovL2NvZ25pdGl2ZXNlcnZpY2VzLmF6dXJlLmNvbSJ9.c2lnbmF0dXJl"
)
# The deployment name the Entra emulator is started with (--deployment).
CUSTOM_DEPLOYMENT = "my-chat"
SCRIPTED_DEPLOYMENT = "scripted-emulator"
SNAPSHOT = "scripted-emulator-2025-01-01"


def launch(*args: str, env: dict[str, str] | None = None, key: str = "") -> Emulator:
    """Start `python -m emulator` with exactly `args` (and `env`) and wait for /health."""
    port = free_port()
    cmd = [sys.executable, "-m", "emulator", "--port", str(port), *args]
    process = subprocess.Popen(
        cmd, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
    )
    base_url = f"http://127.0.0.1:{port}"
    try:
        wait_healthy(process, base_url + "/health", "the emulator")
    except RuntimeError:
        process.kill()
        process.wait()
        raise
    return Emulator(base_url, key, process)
