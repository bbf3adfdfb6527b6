"""Fixtures for the browser tests: a scripted emulator and `streamlit run` per module, Chromium,
and a fresh browser session per test.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, Page

from emulator.process import ROOT, Emulator, start_emulator, stop_emulator
from tests.helpers.browser_driver import chromium, serve_app
from tests.helpers.browser_pages import SCREENSHOTS, VIEWPORT, wait_for_first_run

LOG = ROOT / "test-artifacts" / "streamlit.log"  # the app server's output, for debugging


@pytest.fixture(scope="module")
def scripted() -> Iterator[Emulator]:
    """An emulator of the module's own, so a slow stream there delays nobody else."""
    emu = start_emulator("--engine", "scripted")
    yield emu
    stop_emulator(emu)


@pytest.fixture(scope="module")
def app_url(scripted: Emulator) -> Iterator[str]:
    """`streamlit run streamlit_app.py` on a free port, configured like `make run` does."""
    with serve_app(scripted.base_url, scripted.api_key, LOG) as url:
        yield url


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with chromium() as launched:
        yield launched


@pytest.fixture(scope="module")
def screenshots() -> dict[str, bool]:
    """The screenshot folder, created once; `page` prints where it is."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    return {"announced": False}


@pytest.fixture
def page(
    browser: Browser, app_url: str, screenshots: dict[str, bool], capsys: pytest.CaptureFixture
) -> Iterator[Page]:
    """A fresh browser session (its own Streamlit session) on the home view."""
    if not screenshots["announced"]:
        with capsys.disabled():
            print(f"\nscreenshots: {SCREENSHOTS}")
        screenshots["announced"] = True
    context = browser.new_context(viewport=VIEWPORT)
    tab = context.new_page()
    tab.set_default_timeout(30_000)
    tab.goto(app_url)
    wait_for_first_run(tab)
    yield tab
    context.close()
