"""Compare rows of the fault table: one column faulted (the emulator's `x-emulator-fault`
header in that column's extra headers, or a real connect timeout on its endpoint) while the
two others finish intact, through AppTest on the real app.

Each row asserts what every fault row does (tests/helpers/fault_table.py `check`), read from
the faulted column: its message, its notes, its partial reply; "input kept" is the prompt
field; "history intact" is the other columns, which must finish (`done`) with the same text
as in the round before, when no column was faulted.
"""

from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

from core.reply import ReplyStatus
from tests.helpers.app_driver import open_page, plain_texts
from tests.helpers.fault_table import CONNECT_TIMEOUT, FAULTS, Record, check
from tests.helpers.page_drivers import Observed, notes_of
from tests.helpers.raw_server import unanswered_port
from ui import compare_run, saved_endpoints

from .test_faults import CONNECT_EXPECT

PAGE = "Compare (one column faulted)"
PROMPT = "Compare this"
FAULTED = 1  # the middle column of three


class CompareDriver:
    """A good round of three columns, then the same round with column 2 faulted."""

    def __init__(self) -> None:
        self.first: list[str] = []

    def prepare(self, at: AppTest) -> None:
        open_page(at, "pages/compare.py")
        at.text_area(key="cmp_prompt").input(PROMPT).run()
        self.send(at)
        replies = self.replies(at)
        assert [r.status for r in replies] == [ReplyStatus.DONE] * 3
        self.first = [r.text for r in replies]

    @staticmethod
    def send(at: AppTest) -> None:
        at.button(key="btn_cmp_send").click().run()
        assert not at.exception, at.exception

    @staticmethod
    def replies(at: AppTest) -> list[object]:
        round_ = at.session_state[compare_run.ROUND]
        return list(round_.replies())

    def observe(self, at: AppTest) -> Observed:
        replies = self.replies(at)
        faulted = replies[FAULTED]
        others = [r for i, r in enumerate(replies) if i != FAULTED]
        first = [t for i, t in enumerate(self.first) if i != FAULTED]
        return Observed(
            message=plain_texts(at.main.error),
            notes=notes_of(at.main.caption),
            partial=faulted.text if faulted.error is not None else "",  # type: ignore[attr-defined]
            input_kept=at.text_area(key="cmp_prompt").value == PROMPT,
            history_intact=[r.status for r in others] == [ReplyStatus.DONE] * 2  # type: ignore[attr-defined]
            and [r.text for r in others] == first,  # type: ignore[attr-defined]
        )


@pytest.mark.parametrize("fault", list(FAULTS))
def test_compare_fault(app: AppTest, record: Record, fault: str) -> None:
    driver = CompareDriver()
    driver.prepare(app)
    app.text_area(key=f"cmp_{FAULTED}_hdr").input(f"x-emulator-fault: {fault}").run()
    driver.send(app)
    record(PAGE, fault, *check(PAGE, FAULTS[fault], driver.observe(app)))


def test_compare_connect_timeout(app: AppTest, record: Record) -> None:
    driver = CompareDriver()
    driver.prepare(app)
    app.number_input(key="sb_connect_timeout").set_value(1.0).run()
    with unanswered_port() as url:
        app.text_input(key=saved_endpoints.NAME).input("Unanswered").run()
        app.button(key="btn_se_duplicate").click().run()
        app.text_input(key="sb_url").input(url).run()
        app.selectbox(key=saved_endpoints.PICK).set_value(saved_endpoints.FIRST_NAME).run()
        app.selectbox(key=f"cmp_{FAULTED}_ep").set_value("Unanswered").run()
        driver.send(app)
    assert not app.exception
    record(PAGE, CONNECT_TIMEOUT, *check(PAGE, CONNECT_EXPECT, driver.observe(app)))
