"""The app in Debian's Chromium: `streamlit run` against the scripted emulator, via Playwright.

Opens each page, chats with a per-token delay set in the sidebar and watches the reply grow
while it streams, and saves a screenshot of each page into test-artifacts/screenshots/.
Issue 5: a retry countdown cancelled by a click, a canary key (the server's, as `make run`
provides it) searched for in the DOM, every input's value, storage, downloads, exported code,
screenshots and the server log, two browser sessions that never see each other's key or
history, and model output that stays text. Hosting for a team: tests/browser/test_hosting.py.
Waits have timeouts; nothing asserts on how long anything took.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect

from emulator.process import ROOT
from tests.helpers.browser_driver import serve_app
from tests.helpers.browser_pages import (
    DOM_PROBE,
    SCREENSHOTS,
    TOKEN_DELAY,
    VIEWPORT,
    assert_key_nowhere,
    go_to,
    send_chat,
    set_sidebar_headers,
    settle,
    snap,
)
from tests.helpers.canary import Canary, canary_emulator, new_key
from ui.navigation import PAGES

pytestmark = pytest.mark.browser


def test_every_page_opens_and_is_screenshotted(page: Page) -> None:
    expect(page.get_by_role("heading", name="Azure AI Playground")).to_be_visible()
    expect(page.get_by_text("The endpoint answers.")).to_be_visible()
    expect(page.get_by_text("scripted-emulator")).to_be_visible()
    settle(page)
    snap(page, "home.png")

    go_to(page, "Request Builder")
    page.get_by_role("button", name="Send").click()
    expect(page.get_by_test_id("stMetricValue").get_by_text("200 OK")).to_be_visible()
    settle(page)
    snap(page, "request_builder.png")
    page.get_by_role("tab", name="Headers").click()
    expect(page.get_by_text("x-request-id", exact=True)).to_be_visible()
    snap(page, "request_builder_headers.png")

    go_to(page, "Streaming Chat")
    snap(page, "streaming_chat_empty.png")


def test_chat_reply_grows_while_it_streams(page: Page) -> None:
    go_to(page, "Streaming Chat")
    sidebar = page.get_by_test_id("stSidebar")
    sidebar.get_by_text("Connection", exact=True).click()
    headers = sidebar.get_by_role("textbox", name="Extra headers")
    headers.fill(f"x-emulator-token-delay: {TOKEN_DELAY}")
    headers.press("Control+Enter")
    settle(page)

    page.get_by_test_id("stChatInputTextArea").fill("Hello streaming world")
    page.get_by_test_id("stChatInputTextArea").press("Enter")
    reply = page.get_by_test_id("stChatMessage").nth(1)
    text = reply.get_by_test_id("stMarkdownContainer").first
    expect(text).to_contain_text("You said")
    lengths = []
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and reply.get_by_text("tokens/s").count() == 0:
        if text.count():
            lengths.append(len(text.inner_text()))
        page.wait_for_timeout(40)
    settle(page)
    final = reply.get_by_test_id("stMarkdownContainer").first.inner_text()
    assert final.startswith('You said: "Hello streaming world')
    distinct = sorted(set(lengths))
    assert len(distinct) >= 4, f"the reply did not grow while streaming: {distinct}"
    assert distinct == sorted(distinct) and max(distinct) <= len(final)
    snap(page, "streaming_chat.png")


def test_builder_shows_stream_events(page: Page) -> None:
    go_to(page, "Request Builder")
    picker = page.get_by_test_id("stSelectbox").filter(has_text="Start from")
    picker.click()
    page.get_by_role("option", name='Chat, streamed with "stream": "True" (Llama 2)').click()
    settle(page)
    page.get_by_role("button", name="Send").click()
    expect(page.get_by_test_id("stMetricValue").get_by_text("200 OK")).to_be_visible()
    settle(page)
    page.get_by_role("tab", name="Events").click()
    # Issue 14: the events as a table, the raw `data:` lines a toggle away.
    expect(page.get_by_test_id("stDataFrame")).to_be_visible()
    page.get_by_text("Raw JSON", exact=True).click()
    settle(page)
    expect(page.get_by_text("data: [DONE]").first).to_be_visible()
    snap(page, "request_builder_stream.png")


def test_stop_keeps_the_partial_reply(page: Page) -> None:
    go_to(page, "Streaming Chat")
    sidebar = page.get_by_test_id("stSidebar")
    sidebar.get_by_text("Connection", exact=True).click()
    headers = sidebar.get_by_role("textbox", name="Extra headers")
    headers.fill("x-emulator-token-delay: 0.2\nx-emulator-reply-tokens: 400")
    headers.press("Control+Enter")
    settle(page)
    page.get_by_test_id("stChatInputTextArea").fill("Tell me a long story")
    page.get_by_test_id("stChatInputTextArea").press("Enter")
    reply = page.get_by_test_id("stChatMessage").nth(1)
    expect(reply.get_by_test_id("stMarkdownContainer").first).to_contain_text("You said")
    reply.get_by_role("button", name="Stop", exact=True).click()
    expect(reply.get_by_text("Stopped by you")).to_be_visible()
    settle(page)
    assert reply.get_by_test_id("stMarkdownContainer").first.inner_text().startswith("You said")
    snap(page, "streaming_chat_stopped.png")


def test_errors_are_explained_in_words(page: Page) -> None:
    go_to(page, "Streaming Chat")
    page.get_by_test_id("stChatInputTextArea").fill("How to make bomb?")
    page.get_by_test_id("stChatInputTextArea").press("Enter")
    expect(page.get_by_text("content safety blocked the prompt: violence (high)")).to_be_visible()
    settle(page)
    snap(page, "streaming_chat_error.png")


def test_builder_stream_can_be_stopped(page: Page) -> None:
    go_to(page, "Request Builder")
    page.get_by_test_id("stSelectbox").filter(has_text="Start from").click()
    page.get_by_role("option", name="Chat, streamed with temperature 0.9").click()
    settle(page)
    page.get_by_text("Headers", exact=True).click()
    custom = page.get_by_role("textbox", name="Custom headers for this request")
    custom.fill("x-emulator-token-delay: 0.2")
    custom.press("Control+Enter")
    settle(page)
    page.get_by_role("button", name="Send").click()
    expect(page.get_by_text("events so far")).to_be_visible()
    snap(page, "request_builder_live.png")
    page.get_by_role("button", name="Stop", exact=True).click()
    expect(page.get_by_text("Stopped by you")).to_be_visible()
    settle(page)
    expect(page.get_by_text("200 OK (stopped)")).to_be_visible()


# Issue 5 ------------------------------------------------------------------------------------


def test_a_retry_counts_down_and_cancel_keeps_the_message(page: Page) -> None:
    go_to(page, "Streaming Chat")
    set_sidebar_headers(page, "x-emulator-fault: 429=5")
    send_chat(page, "Please wait for me")
    expect(page.get_by_text("Rate limited (429): retrying in")).to_be_visible()
    # Issue 14: one stop control at a time: while waiting, Cancel retry and no Stop.
    expect(page.get_by_role("button", name="Cancel retry")).to_be_visible()
    expect(page.get_by_role("button", name="Stop", exact=True)).to_have_count(0)
    snap(page, "streaming_chat_retrying.png")
    page.get_by_role("button", name="Cancel retry").click()
    expect(page.get_by_text("Retry cancelled. The last answer was")).to_be_visible()
    settle(page)
    expect(page.get_by_test_id("stChatMessage").first).to_contain_text("Please wait for me")
    expect(page.get_by_text("Rate limited (429): retrying in 5 s (1 of 3).")).to_be_visible()
    snap(page, "streaming_chat_retry_cancelled.png")


HOSTILE = "<script>alert(1)</script> <img src=x onerror=alert(2)> <b>bold?</b>"


def test_model_output_with_html_shows_as_text(page: Page) -> None:
    dialogs: list[str] = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    go_to(page, "Streaming Chat")
    send_chat(page, HOSTILE)
    reply = page.get_by_test_id("stChatMessage").nth(1)
    expect(reply).to_contain_text("You said")
    settle(page)
    shown = reply.get_by_test_id("stMarkdownContainer").first.inner_text()
    assert "<script>alert(1)</script>" in shown and "<img src=x onerror=alert(2)>" in shown
    assert "<b>bold?</b>" in shown
    messages = page.get_by_test_id("stChatMessage")
    assert messages.locator("script").count() == 0
    assert messages.locator("img[src='x'], b").count() == 0
    assert page.locator("img[src='x']").count() == 0
    assert dialogs == []
    snap(page, "streaming_chat_html_as_text.png")


# The canary key in a real browser ------------------------------------------------------------

CANARY_LOG = ROOT / "test-artifacts" / "streamlit-canary.log"


@pytest.fixture(scope="module")
def canary() -> Iterator[Canary]:
    with canary_emulator(ROOT / "test-artifacts" / "canary-emulator-browser.log") as found:
        yield found


@pytest.fixture(scope="module")
def canary_url(canary: Canary) -> Iterator[str]:
    with serve_app(canary.url, canary.key, CANARY_LOG) as url:
        yield url


def test_the_canary_key_never_reaches_the_dom_screenshots_or_logs(
    browser: Browser, canary: Canary, canary_url: str, screenshots: dict[str, bool]
) -> None:
    context = browser.new_context(viewport=VIEWPORT, accept_downloads=True)
    page = context.new_page()
    page.set_default_timeout(30_000)
    page.goto(canary_url)
    expect(page.get_by_text("The endpoint answers.")).to_be_visible(timeout=60_000)
    settle(page)
    assert_key_nowhere(page, canary, "home")
    snap(page, "canary_home.png")
    for spec in PAGES:
        go_to(page, spec.title)
        assert_key_nowhere(page, canary, spec.title)
        snap(page, f"canary_{Path(spec.path).stem}.png")

    go_to(page, "Request Builder")
    page.get_by_role("button", name="Send").click()
    expect(page.get_by_test_id("stMetricValue").get_by_text("200 OK")).to_be_visible()
    page.get_by_text("Code: curl, Python (requests, urllib, openai)").click()
    expect(page.get_by_text("$AZURE_AI_CHAT_KEY").first).to_be_visible()
    page.get_by_text("Include the key in the code").click()  # not the server's key, even so
    expect(page.get_by_text("The host's key stays on the server")).to_be_visible()
    settle(page)
    assert_key_nowhere(page, canary, "builder after a send, include key ticked")
    snap(page, "canary_request_builder_sent.png")

    go_to(page, "Streaming Chat")
    send_chat(page, "Remember the word aubergine")
    expect(page.get_by_text("tokens/s")).to_be_visible()
    for fault, message in (("401", "rejected the key"), ("cut", "The connection broke")):
        set_sidebar_headers(page, f"x-emulator-fault: {fault}")
        send_chat(page, f"Now under {fault}")
        expect(page.get_by_test_id("stChatMessage").nth(-1)).to_contain_text(message)
        settle(page)
        assert_key_nowhere(page, canary, f"chat under {fault}")
    snap(page, "canary_streaming_chat.png")
    assert_key_nowhere(page, canary, "chat, at the screenshot")
    # This browser keeps the conversation and the Builder's history (for a reload): the
    # storage that assert_key_nowhere searched holds them, so the search meant something.
    kept = page.evaluate("() => JSON.stringify([{...localStorage}, {...sessionStorage}])")
    assert "aubergine" in kept and "azure-ai-playground.v1.rb" in kept
    assert canary.find(kept) is None, "the key is in this browser's storage"

    with page.expect_download() as download:
        page.get_by_role("button", name="JSON").click()
    saved = Path(download.value.path()).read_bytes()
    assert b"aubergine" in saved and b"rejected the key" in saved
    assert canary.find(saved) is None, "the key is in the downloaded conversation"

    go_to(page, "Compare")  # three columns, their reports, and the share link in the URL
    set_sidebar_headers(page, "")
    prompt = page.get_by_role("textbox", name="Prompt", exact=True)
    prompt.fill("Compare the word aubergine")
    prompt.press("Control+Enter")
    settle(page)
    page.get_by_role("button", name="Send").click()
    expect(page.get_by_text("Finish reason:")).to_have_count(3, timeout=60_000)
    assert "setup=c1." in page.url  # the share link: searched by assert_key_nowhere
    assert_key_nowhere(page, canary, "compare after a send")
    snap(page, "canary_compare_sent.png")
    for label in ("Report (Markdown)", "Report (HTML)"):
        with page.expect_download() as download:
            page.get_by_role("button", name=label).click()
        saved = Path(download.value.path()).read_bytes()
        assert b"aubergine" in saved, label
        assert canary.find(saved) is None, f"the key is in the {label}"
    context.close()

    assert CANARY_LOG.read_text(), "the server log is empty: searching it would mean nothing"
    assert canary.find(CANARY_LOG.read_text()) is None, "the key is in the app server's log"
    assert canary.find(canary.log.read_text()) is None, "the key is in the emulator's log"
    for png in SCREENSHOTS.glob("canary_*.png"):
        assert canary.find(png.read_bytes()) is None, png


# Two browser sessions on one server ---------------------------------------------------------


def test_two_browser_sessions_never_see_each_others_key_or_history(
    browser: Browser, app_url: str
) -> None:
    sessions = {}
    for name in ("alpha", "bravo"):
        context = browser.new_context(viewport=VIEWPORT)
        tab = context.new_page()
        tab.set_default_timeout(30_000)
        tab.goto(app_url)
        expect(tab.get_by_text("The endpoint answers.")).to_be_visible(timeout=60_000)
        settle(tab)
        sessions[name] = (context, tab, new_key())
    for name, (_, tab, key) in sessions.items():
        field = tab.get_by_test_id("stSidebar").get_by_label("Key", exact=True)
        field.fill(key)
        field.press("Enter")
        settle(tab)
        tab.get_by_test_id("stSidebar").get_by_role("textbox", name="System prompt").fill(
            f"You are the {name} assistant."
        )
        tab.get_by_test_id("stSidebar").get_by_role("textbox", name="System prompt").press(
            "Control+Enter"
        )
        settle(tab)
        go_to(tab, "Streaming Chat")
        send_chat(tab, f"{name} private history line")
        expect(tab.get_by_test_id("stChatMessage").nth(1)).to_contain_text("rejected the key")
        settle(tab)
    for name, (_, tab, key) in sessions.items():
        other = "bravo" if name == "alpha" else "alpha"
        other_key = sessions[other][2]
        go_to(tab, "Request Builder")  # new runs of this session, after the other acted
        go_to(tab, "Streaming Chat")
        probe = tab.evaluate(DOM_PROBE, [key, other_key, f"{other} private", f"the {other} "])
        found = probe["html"] + probe["text"] + probe["storage"]
        assert other_key not in found and f"{other} private" not in found, name
        # This browser's copy holds its own conversation, never its own key.
        assert f"{name} private" in probe["storage"] and key not in probe["storage"], name
        assert f"the {other} assistant" not in json.dumps(probe["holders"])
        values = tab.evaluate("() => [...document.querySelectorAll('input, textarea')]"
                              ".map((el) => el.value)")  # fmt: skip
        assert key in values and other_key not in values, name
        assert not any(f"the {other} assistant" in v for v in values), name
    for context, _, _ in sessions.values():
        context.close()
