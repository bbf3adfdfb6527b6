"""The Compare page in Chromium: three columns grow on screen interleaved in time (each began
growing before any finished), and a share link opened in a new browser context restores the
setup and sends. Nothing here asserts on how long anything took; waits have timeouts.
"""

from __future__ import annotations

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.helpers.browser_pages import TOKEN_DELAY, VIEWPORT, go_to, settle, snap

pytestmark = pytest.mark.browser

COLUMNS = 3
# Per column: the length of its text, and whether its Stop button is there (it is live).
SAMPLE = """(count) => [...Array(count).keys()].map((i) => {
    const box = document.querySelector(`.st-key-cmp_col_${i}`);
    if (!box) return [0, false];
    const live = [...box.querySelectorAll("button")].some((b) => b.innerText.includes("Stop"));
    return [box.innerText.length, live];
})"""


def type_prompt(page: Page, text: str) -> None:
    box = page.get_by_role("textbox", name="Prompt", exact=True)
    box.fill(text)
    box.press("Control+Enter")
    settle(page)


def sample(page: Page) -> list[tuple[int, bool]]:
    """(text length, live) per column."""
    return [(length, live) for length, live in page.evaluate(SAMPLE, COLUMNS)]


def test_three_columns_grow_together(page: Page) -> None:
    go_to(page, "Compare")
    headers = page.get_by_test_id("stSidebar").get_by_role("textbox", name="Extra headers")
    if not headers.is_visible():
        page.get_by_test_id("stSidebar").get_by_text("Connection", exact=True).click()
    headers.fill(f"x-emulator-token-delay: {TOKEN_DELAY}")
    headers.press("Control+Enter")
    settle(page)
    type_prompt(page, "Tell me about rivers and the sea, at some length please")
    page.get_by_role("button", name="Send").click()
    samples: list[list[tuple[int, bool]]] = []
    metrics = page.get_by_text("Finish reason:")
    for _ in range(2_000):  # a bound, not a time: the loop ends when every column has ended
        samples.append(sample(page))
        if metrics.count() == COLUMNS:
            break
        page.wait_for_timeout(50)
    assert metrics.count() == COLUMNS, "the columns did not all finish"
    # Per column: the first sample in which it is live, the first in which its text is longer
    # than then (it grew while live), and the first after that in which it is no longer live.
    began = [next(n for n, s in enumerate(samples) if s[i][1]) for i in range(COLUMNS)]
    grew = [
        next(n for n, s in enumerate(samples) if n > began[i] and s[i][0] > samples[began[i]][i][0])
        for i in range(COLUMNS)
    ]
    ended = [
        next(n for n, s in enumerate(samples) if n > began[i] and not s[i][1])
        for i in range(COLUMNS)
    ]
    assert all(samples[grew[i]][i][1] for i in range(COLUMNS)), "a column grew only at its end"
    assert max(grew) < min(ended), (grew, ended)  # one after another would fail this
    snap(page, "compare_three_columns.png")


def test_a_share_link_restores_the_setup_in_a_new_browser_context(
    browser: Browser, page: Page
) -> None:
    go_to(page, "Compare")
    page.get_by_role("button", name="Sweep temperature").click()
    settle(page)
    type_prompt(page, "Which river is longest?")
    expect(page.get_by_text("The address bar holds this setup")).to_be_visible()
    link = page.url
    assert "setup=c1." in link

    context = browser.new_context(viewport=VIEWPORT)
    other = context.new_page()
    other.set_default_timeout(30_000)
    other.goto(link)
    expect(other.get_by_text("Setup loaded from the link")).to_be_visible(timeout=60_000)
    settle(other)
    prompt = other.get_by_role("textbox", name="Prompt", exact=True)
    expect(prompt).to_have_value("Which river is longest?")
    expect(other.get_by_text("Parameters: one endpoint, different parameters")).to_be_visible()
    other.get_by_role("button", name="Send").click()
    expect(other.get_by_text("Finish reason:")).to_have_count(COLUMNS, timeout=60_000)
    for value in ("temperature 0.0", "temperature 0.7", "temperature 1.4"):
        expect(other.get_by_role("heading", name=value)).to_be_visible()
    snap(other, "compare_shared_link.png")
    context.close()


def test_stop_one_column_while_the_others_finish(page: Page) -> None:
    go_to(page, "Compare")
    page.get_by_role("textbox", name="Extra headers").nth(0).fill("x-emulator-fault: stall=600")
    page.get_by_role("textbox", name="Extra headers").nth(0).press("Control+Enter")
    settle(page)
    type_prompt(page, "One of you will be stopped")
    page.get_by_role("button", name="Send").click()
    first = page.locator(".st-key-cmp_col_0")
    expect(first.get_by_text("You said")).to_be_visible()  # its first tokens, then silence
    for position in (1, 2):  # the others end while the first one is still live
        column = page.locator(f".st-key-cmp_col_{position}")
        expect(column.get_by_text("You said")).to_be_visible()
        expect(column.get_by_role("button", name="Stop", exact=True)).to_have_count(0)
    expect(first.get_by_role("button", name="Stop", exact=True)).to_be_visible()
    first.get_by_role("button", name="Stop", exact=True).click()
    expect(first.get_by_text("Stopped by you")).to_be_visible()
    expect(page.get_by_text("Finish reason:")).to_have_count(COLUMNS)
    for position in (1, 2):
        column = page.locator(f".st-key-cmp_col_{position}")
        expect(column.get_by_text("Status: done")).to_be_visible()
    expect(first.get_by_text("Status: stopped")).to_be_visible()
    snap(page, "compare_stopped_column.png")


def test_the_diff_marks_words_and_shows_no_markup(page: Page) -> None:
    go_to(page, "Compare")
    system = page.get_by_test_id("stMain").get_by_role("textbox", name="System prompt").nth(1)
    system.fill("Answer as a pirate [arr] *now*.")
    system.press("Control+Enter")
    settle(page)
    type_prompt(page, "Say [hello] to *everyone*, please.")
    page.get_by_role("button", name="Send").click()
    expect(page.get_by_text("Finish reason:")).to_have_count(COLUMNS)
    page.get_by_text("Diff two columns").click()
    diff = page.get_by_test_id("stExpander").filter(has_text="Similarity")
    expect(diff.get_by_text("Similarity")).to_be_visible()
    shown = diff.inner_text()
    assert "Say [hello] to *everyone*" in shown  # the words as written, in both replies
    for markup in (":red-background", ":green-background", "~~", "\\"):
        assert markup not in shown, markup
    struck = diff.locator("del, s")
    assert struck.count() + diff.locator("span[style*='background']").count() > 0
    snap(page, "compare_diff.png")
