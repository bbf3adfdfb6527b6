"""Fixtures for the emulator tests."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from emulator.process import Emulator, stop_emulator


@pytest.fixture
def private_emulator() -> Iterator[list[Emulator]]:
    """Collects emulators a test starts and stops them all afterwards."""
    started: list[Emulator] = []
    yield started
    for emu in started:
        stop_emulator(emu)
