"""Every emulator fault on both LangChain pages over Microsoft's maintained class
(`AzureAIOpenAIApiChatModel` on the local endpoint's v1 API), and a real connect timeout: the
openai SDK's exceptions go through `maintained_error` into the same messages, with the same
guarantees as every other row of the fault table (tests/helpers/fault_table.py).
"""

from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

from tests.app.fault_table.test_faults import CONNECT_EXPECT
from tests.helpers.app_driver import set_extra_headers
from tests.helpers.fault_table import CONNECT_TIMEOUT, MAINTAINED_FAULTS, Record, check
from tests.helpers.page_drivers import MAINTAINED_DRIVERS
from tests.helpers.raw_server import unanswered_port


@pytest.mark.parametrize("fault", list(MAINTAINED_FAULTS))
@pytest.mark.parametrize("page", list(MAINTAINED_DRIVERS))
def test_fault(app: AppTest, record: Record, page: str, fault: str) -> None:
    driver = MAINTAINED_DRIVERS[page]()
    driver.prepare(app)
    set_extra_headers(app, f"x-emulator-fault: {fault}")
    driver.act(app)
    assert not app.exception
    record(page, fault, *check(page, MAINTAINED_FAULTS[fault], driver.observe(app)))


@pytest.mark.parametrize("page", list(MAINTAINED_DRIVERS))
def test_connect_timeout(app: AppTest, record: Record, page: str) -> None:
    driver = MAINTAINED_DRIVERS[page]()
    driver.prepare(app)
    app.number_input(key="sb_connect_timeout").set_value(1.0).run()
    # The host's key stays with the host's origin, and the class sends nothing without a key:
    # the visitor's own key, which goes wherever the URL says.
    app.text_input(key="sb_key").input("visitors-own-key-0123").run()
    with unanswered_port() as url:
        app.text_input(key="sb_url").input(url).run()
        driver.act(app)
    assert not app.exception
    record(page, CONNECT_TIMEOUT, *check(page, CONNECT_EXPECT, driver.observe(app)))
