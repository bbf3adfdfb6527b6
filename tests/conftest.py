"""Shared fixtures: a real emulator on a free loopback port, and a clean environment.

Every test that needs an endpoint talks HTTP to a real `python -m emulator` process
(httpx and requests do the same in their own conftest files); nothing is mocked.
Fixtures only one folder uses live in that folder's conftest.py; helpers are in tests/helpers/.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from emulator.process import Emulator, start_emulator, stop_emulator

ENV_VARS = (
    "AZURE_AI_CHAT_ENDPOINT",
    "AZURE_AI_CHAT_KEY",
    "PLAYGROUND_ALLOWED_HOSTS",
    "PLAYGROUND_HOSTED",
    "PLAYGROUND_LIMITS",
)


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
