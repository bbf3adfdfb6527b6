"""Fixtures for the fault table: the app with a short read timeout, the app against a raw
socket server, and `record`, which collects rows and writes the table at the end.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
from streamlit.testing.v1 import AppTest

from emulator.process import Emulator
from tests.helpers.app_driver import start_app
from tests.helpers.fault_table import READ_TIMEOUT, TABLE, FaultTable, Record
from tests.helpers.raw_server import RawServer, routes


@pytest.fixture(scope="session")
def record() -> Iterator[Record]:
    """Adds a row to the fault table, which is written once every test has run (rows only for
    tests that passed: each test records after its assertions).
    """
    table = FaultTable()
    yield table.record
    table.write(TABLE)


@pytest.fixture
def app(emulator: Emulator, monkeypatch: pytest.MonkeyPatch) -> AppTest:
    """The app pointed at the emulator, with the fault rows' short read timeout."""
    at = start_app(monkeypatch, emulator.base_url, emulator.api_key)
    at.number_input(key="sb_read_timeout").set_value(READ_TIMEOUT).run()
    return at


@pytest.fixture
def raw_app(monkeypatch: pytest.MonkeyPatch) -> Iterator[Callable[..., AppTest]]:
    """Starts the app against a raw socket server answering `posts` in turn."""
    servers: list[RawServer] = []

    def start(*posts: object) -> AppTest:
        server = RawServer(routes(*posts))  # type: ignore[arg-type]
        servers.append(server)
        return start_app(monkeypatch, server.url, "raw-key")

    yield start
    for server in servers:
        server.close()
