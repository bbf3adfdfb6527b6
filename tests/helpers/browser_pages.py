"""What the browser tests do to a page in Chromium: wait for a run, screenshot, set headers,
and search the page for a canary key."""

from __future__ import annotations

from playwright.sync_api import Page, expect

from emulator.process import ROOT
from tests.helpers.canary import Canary

SCREENSHOTS = ROOT / "test-artifacts" / "screenshots"
VIEWPORT = {"width": 1440, "height": 1000}
TOKEN_DELAY = 0.1  # seconds per token: slow enough to see the reply grow


def snap(page: Page, name: str) -> None:
    """Screenshot the whole page: Streamlit scrolls inside its own panes, so grow the window."""
    height = page.evaluate(
        """() => Math.max(...["stMain", "stSidebarContent"].map(
            (id) => document.querySelector(`[data-testid="${id}"]`)?.scrollHeight || 0))"""
    )
    page.set_viewport_size({"width": VIEWPORT["width"], "height": min(max(height, 800), 4000)})
    page.wait_for_timeout(300)
    page.screenshot(path=SCREENSHOTS / name)
    page.set_viewport_size(VIEWPORT)


def settle(page: Page) -> None:
    """Wait until the script run triggered by the last action has finished."""
    page.wait_for_timeout(300)
    expect(page.get_by_test_id("stStatusWidget")).to_have_count(0, timeout=30_000)


def wait_for_first_run(page: Page) -> None:
    """Wait until a new session's first run is over, and the rerun that brings the browser's
    stored copies (`ui/browser_store.py`) too. A sidebar click sent before that rerun is
    lost: Streamlit keeps the page of the last rerun request, and the bridge's was sent from
    the page shown at load (seen once in a fresh clone's run)."""
    page.wait_for_function("() => window.__playgroundStoreAsk !== undefined")
    settle(page)


def set_sidebar_headers(page: Page, text: str) -> None:
    """The sidebar's Connection → Extra headers, typed and applied (Ctrl+Enter)."""
    sidebar = page.get_by_test_id("stSidebar")
    headers = sidebar.get_by_role("textbox", name="Extra headers")
    if not headers.is_visible():
        sidebar.get_by_text("Connection", exact=True).click()
    headers.fill(text)
    headers.press("Control+Enter")
    settle(page)


def go_to(page: Page, title: str) -> None:
    """Navigate with the sidebar menu, which keeps the browser session (and its state)."""
    page.get_by_test_id("stSidebarNav").get_by_text(title, exact=True).click()
    # The first visit to a LangChain page imports LangChain: allow for it.
    expect(page.get_by_role("heading", name=title, exact=True)).to_be_visible(timeout=30_000)
    settle(page)


def send_chat(page: Page, message: str) -> None:
    box = page.get_by_test_id("stChatInputTextArea")
    box.fill(message)
    box.press("Enter")


# Searching the page for a key ----------------------------------------------------------------

DOM_PROBE = """(fragments) => {
    const has = (text) => fragments.some((f) => (text || "").includes(f));
    const holders = [...document.querySelectorAll("input, textarea")]
        .filter((el) => has(el.value) || has(el.getAttribute("value")) || has(el.textContent))
        .map((el) => ({tag: el.tagName, type: el.type, label: el.getAttribute("aria-label")}));
    // The DOM as HTML, minus the value of password inputs (where a key the visitor typed is).
    const clone = document.documentElement.cloneNode(true);
    clone.querySelectorAll("input[type=password]").forEach((el) => el.removeAttribute("value"));
    const storage = JSON.stringify([{...localStorage}, {...sessionStorage}]);
    return {holders, html: clone.outerHTML, text: document.body.innerText, storage,
            title: document.title, cookies: document.cookie};
}"""


def assert_key_nowhere(page: Page, canary: Canary, where: str) -> None:
    """A key the server provides is nowhere in the page: in no input's value (the key field
    included), not in the DOM, its text, storage, title, cookies or URL."""
    expect(page.locator("input[type=password]")).to_have_count(1, timeout=30_000)
    settle(page)
    probe = page.evaluate(DOM_PROBE, list(canary.fragments))
    assert probe["holders"] == [], f"{where}: the key is in {probe['holders']}"
    assert len(probe["html"]) > 10_000, "the DOM search saw too little to mean anything"
    for name in ("html", "text", "storage", "title", "cookies"):
        assert canary.find(probe[name]) is None, f"{where}: the key is in the page's {name}"
    assert canary.find(page.url) is None, f"{where}: the key is in the URL"
