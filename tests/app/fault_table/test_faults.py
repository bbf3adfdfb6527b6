"""Every emulator fault on every page that calls the endpoint, through AppTest, and a real
connect timeout; each becomes a row of the fault table (tests/helpers/fault_table.py).

Each fault must give: a message that names the cause and the next step, no exception, the
user's input still there, the earlier history intact, and any partial reply kept and marked.
"""

from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

from tests.helpers.app_driver import set_extra_headers
from tests.helpers.fault_table import CONNECT_TIMEOUT, FAULTS, Expect, Record
from tests.helpers.page_drivers import DRIVERS, SHOW_EVENTS, Observed
from tests.helpers.raw_server import unanswered_port


@pytest.mark.parametrize("fault", list(FAULTS))
@pytest.mark.parametrize("page", list(DRIVERS))
def test_fault(app: AppTest, record: Record, page: str, fault: str) -> None:
    driver = DRIVERS[page]()
    driver.prepare(app)
    set_extra_headers(app, f"x-emulator-fault: {fault}")
    driver.act(app)
    assert not app.exception
    record(page, fault, *check(page, FAULTS[fault], driver.observe(app)))


# A connect timeout cannot be asked of the emulator (the connection comes before any header).
CONNECT_EXPECT = Expect(("Could not connect to 127.0.0.1",), ("raise the connect timeout",))


@pytest.mark.parametrize("page", list(DRIVERS))
def test_connect_timeout(app: AppTest, record: Record, page: str) -> None:
    driver = DRIVERS[page]()
    driver.prepare(app)
    app.number_input(key="sb_connect_timeout").set_value(1.0).run()
    with unanswered_port() as url:
        app.text_input(key="sb_url").input(url).run()
        driver.act(app)
    assert not app.exception
    record(page, CONNECT_TIMEOUT, *check(page, CONNECT_EXPECT, driver.observe(app)))


def check(page: str, expect: Expect, seen: Observed) -> tuple[str, ...]:
    """Assert what every fault must give; return the row's cells after page and fault."""
    assert seen.input_kept, "the user's input is gone"
    assert seen.history_intact, "the earlier exchange changed"
    if expect.cause:
        assert any(c in seen.message for c in expect.cause), seen.message
        assert any(n in seen.message for n in expect.next_step), seen.message
        partial = "—"
    else:  # the reply is complete; at most a note says what was odd about it
        assert seen.message == ""
        partial = "— (complete reply)"
    if expect.retried:
        assert "retrying in" in seen.notes and expect.retried in seen.notes, seen.notes
    streamed = page != "Request Builder (JSON)"
    if expect.partial and streamed:
        assert seen.partial.startswith('You said: "'), "the partial reply is not shown"
        assert "Interrupted" in seen.notes, "the partial reply is not marked"
        partial = f"kept ({len(seen.partial)} characters shown), marked Interrupted"
    if expect.note and (page in SHOW_EVENTS or not expect.note_from_events):
        assert expect.note in seen.notes, seen.notes
    return (seen.message, seen.notes, partial, _yes(seen.input_kept),
            _yes(seen.history_intact))  # fmt: skip


def _yes(value: bool) -> str:
    return "yes" if value else "NO"
