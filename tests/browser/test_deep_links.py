"""Deep links in Debian's Chromium: a page URL opened as the very first visit of a new server.

Each test starts its own `streamlit run` process, so the page URL is the first session the
server ever sees: the case Streamlit got wrong while a `pages/` folder sits beside the entry
point (issue "Restructure", item 6; see `ui/navigation.py`). The page must show with the
shared sidebar and no "Page not found" dialog, and a query string must survive (the Compare
page will keep its setup in `st.query_params`). An unknown path gets Streamlit's own
not-found dialog over the home view; that test also proves the dialog check can see one.
"""

from __future__ import annotations

from collections.abc import Iterator
from urllib.parse import parse_qs, urlsplit

import pytest
from playwright.sync_api import Browser, Page, expect

from emulator.process import ROOT, Emulator, start_emulator, stop_emulator
from tests.helpers.browser_driver import chromium, serve_app
from ui import url_state
from ui.navigation import PAGES, PageSpec

pytestmark = pytest.mark.browser

LOG = ROOT / "test-artifacts" / "streamlit-deep-links.log"
HOME_TITLE = "Azure AI Playground"
QUERY = "x=1&setup=two%20models"  # shaped like the setup the Compare page will keep
CHAT = next(spec for spec in PAGES if spec.path == "pages/streaming_chat.py")


@pytest.fixture(scope="module")
def scripted() -> Iterator[Emulator]:
    emu = start_emulator("--engine", "scripted")
    yield emu
    stop_emulator(emu)


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with chromium() as launched:
        yield launched


@pytest.fixture
def fresh_app(scripted: Emulator) -> Iterator[str]:
    """A new app server per test: no browser session has reached it yet."""
    with serve_app(scripted.base_url, scripted.api_key, LOG) as url:
        yield url


@pytest.fixture
def tab(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(viewport={"width": 1440, "height": 1000})
    page = context.new_page()
    page.set_default_timeout(30_000)
    yield page
    context.close()


def open_cold(tab: Page, url: str, title: str) -> None:
    """Open `url` and wait until the heading `title` shows and the script run has finished.

    The server sends a not-found message before any element of the page, so once the
    heading shows, a "Page not found" dialog would already be on screen.
    """
    tab.goto(url)
    # The first visit to a LangChain page imports LangChain: allow for it.
    expect(tab.get_by_role("heading", name=title, exact=True)).to_be_visible(timeout=60_000)
    tab.wait_for_timeout(300)
    expect(tab.get_by_test_id("stStatusWidget")).to_have_count(0, timeout=30_000)


def assert_shared_sidebar(tab: Page) -> None:
    """The app's own sidebar: the endpoint settings and a menu entry for every page."""
    sidebar = tab.get_by_test_id("stSidebar")
    expect(sidebar.get_by_role("textbox", name="Endpoint URL", exact=True)).to_be_visible()
    expect(sidebar.get_by_role("textbox", name="Key", exact=True)).to_be_visible()
    nav = tab.get_by_test_id("stSidebarNav")
    for title in ["Home", *(spec.title for spec in PAGES)]:
        expect(nav.get_by_text(title, exact=True)).to_be_visible()


def assert_no_not_found(tab: Page) -> None:
    expect(tab.get_by_role("dialog")).to_have_count(0)
    expect(tab.get_by_text("Page not found")).to_have_count(0)
    expect(tab.get_by_text("does not seem to exist")).to_have_count(0)


def test_home_opened_first(fresh_app: str, tab: Page) -> None:
    open_cold(tab, fresh_app, HOME_TITLE)
    assert_shared_sidebar(tab)
    assert_no_not_found(tab)
    expect(tab.get_by_text("The endpoint answers.")).to_be_visible()


@pytest.mark.parametrize("spec", PAGES, ids=[spec.url for spec in PAGES])
def test_page_url_opened_first(fresh_app: str, tab: Page, spec: PageSpec) -> None:
    open_cold(tab, f"{fresh_app}/{spec.url}", spec.title)
    assert_shared_sidebar(tab)
    assert_no_not_found(tab)
    assert urlsplit(tab.url).path == f"/{spec.url}"


def test_page_url_with_query_opened_first_keeps_its_query_and_first_message(
    fresh_app: str, tab: Page
) -> None:
    open_cold(tab, f"{fresh_app}/{CHAT.url}?{QUERY}", CHAT.title)
    assert_shared_sidebar(tab)
    assert_no_not_found(tab)
    assert_query_kept(tab.url)
    # The first message goes through (the page's widgets keep their ids from the first
    # run on), and the query stays.
    tab.get_by_test_id("stChatInputTextArea").fill("Hello from a deep link")
    tab.get_by_test_id("stChatInputTextArea").press("Enter")
    expect(tab.get_by_test_id("stChatMessage").nth(1)).to_contain_text("You said")
    expect(tab.get_by_test_id("stStatusWidget")).to_have_count(0, timeout=30_000)
    assert_query_kept(tab.url)


def assert_query_kept(url: str) -> None:
    """The page's path and every entry of its query as opened; anything added is the
    sidebar's own state (`ui/url_state.py`)."""
    address = urlsplit(url)
    assert address.path == f"/{CHAT.url}"
    found = parse_qs(address.query)
    for name, values in parse_qs(QUERY).items():
        assert found.get(name) == values, (name, address.query)
    added = set(found) - set(parse_qs(QUERY))
    assert all(n in (url_state.PROFILE, url_state.ENDPOINTS) or n.startswith("p_") for n in added)


def test_unknown_path_opened_first_shows_streamlits_not_found_over_home(
    fresh_app: str, tab: Page
) -> None:
    open_cold(tab, f"{fresh_app}/no-such-page?{QUERY}", HOME_TITLE)
    dialog = tab.get_by_role("dialog")
    expect(dialog).to_be_visible()
    expect(dialog.get_by_text("Page not found")).to_be_visible()
    dialog.get_by_role("button", name="Close").click()
    expect(dialog).to_have_count(0)
    assert_shared_sidebar(tab)
