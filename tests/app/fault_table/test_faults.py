"""Every emulator fault on every page that calls the endpoint, through AppTest, and a real
connect timeout; each becomes a row of the fault table (tests/helpers/fault_table.py).

Each fault must give: a message that names the cause and the next step, no exception, the
user's input still there, the earlier history intact, and any partial reply kept and marked.
"""

from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

from tests.helpers.app_driver import set_extra_headers
from tests.helpers.fault_table import CONNECT_TIMEOUT, FAULTS, Expect, Record, check
from tests.helpers.page_drivers import DRIVERS
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
