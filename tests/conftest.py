"""Shared fixtures: a real emulator on a free loopback port, and a clean environment.

Every test that needs an endpoint talks HTTP to a real `python -m emulator` process
(httpx and requests do the same in their own conftest files); nothing is mocked.
"""

from __future__ import annotations

import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import requests

ROOT = Path(__file__).resolve().parent.parent
TEST_KEY = "test-key-0123456789abcdef0123456"
ENV_VARS = ("AZURE_AI_CHAT_ENDPOINT", "AZURE_AI_CHAT_KEY", "PLAYGROUND_ALLOWED_HOSTS")


@dataclass(frozen=True)
class Emulator:
    """A running emulator: where it listens and the key it expects."""

    base_url: str
    api_key: str
    process: subprocess.Popen


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_emulator(*args: str, api_key: str = TEST_KEY, ready_timeout: float = 60.0) -> Emulator:
    """Start `python -m emulator` on a free port and wait until /health answers 200."""
    port = free_port()
    cmd = [sys.executable, "-m", "emulator", "--host", "127.0.0.1", "--port", str(port)]
    cmd += ["--api-key", api_key, *args]
    process = subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    base_url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + ready_timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"emulator exited early: {process.stderr.read().decode()[-2000:]}")
        try:
            if requests.get(f"{base_url}/health", timeout=1).status_code == 200:
                return Emulator(base_url, api_key, process)
        except requests.ConnectionError:
            pass
        time.sleep(0.05)
    process.kill()
    raise RuntimeError("emulator did not become healthy in time")


def stop_emulator(emulator: Emulator) -> None:
    emulator.process.terminate()
    try:
        emulator.process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        emulator.process.kill()
    if emulator.process.stderr:
        emulator.process.stderr.close()


@pytest.fixture(scope="session")
def emulator() -> Iterator[Emulator]:
    """The scripted (deterministic, fast) emulator, shared by the whole session."""
    emu = start_emulator("--engine", "scripted")
    yield emu
    stop_emulator(emu)


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """A developer's own endpoint settings must never leak into a test run."""
    for name in ENV_VARS:
        monkeypatch.delenv(name, raising=False)
