"""Fixtures for the AppTest tests: the app pointed at the emulator, and its downloads."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from streamlit.runtime.memory_media_file_storage import MemoryMediaFileStorage
from streamlit.testing.v1 import AppTest

from emulator.process import Emulator, start_emulator, stop_emulator
from tests.helpers.app_driver import Downloads, start_app
from tests.helpers.azure_emulator import TOKEN


@pytest.fixture
def app(emulator: Emulator, monkeypatch: pytest.MonkeyPatch) -> AppTest:
    """The app on its home view, pointed at the emulator."""
    return start_app(monkeypatch, emulator.base_url, emulator.api_key)


@pytest.fixture(scope="module")
def azure() -> Iterator[Emulator]:
    """A scripted emulator that takes its key and the Entra stand-in token (one per module)."""
    emu = start_emulator("--engine", "scripted", "--entra-token", TOKEN)
    yield emu
    stop_emulator(emu)


@pytest.fixture
def downloads(monkeypatch: pytest.MonkeyPatch) -> Downloads:
    """Record what `st.download_button` hands to Streamlit's in-memory media storage.

    AppTest throws its media storage away after each run, so a spy on the storage's one
    entry point is the only way to read download data; it records and delegates, changing
    nothing.
    """
    found = Downloads()
    original = MemoryMediaFileStorage.load_and_get_id

    def spy(self: Any, path_or_data: Any, mimetype: str, kind: Any, filename: Any = None) -> str:
        data = path_or_data if isinstance(path_or_data, bytes) else b""
        found.files.append((filename, data))
        return original(self, path_or_data, mimetype, kind, filename)

    monkeypatch.setattr(MemoryMediaFileStorage, "load_and_get_id", spy)
    return found
