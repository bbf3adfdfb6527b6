"""The stream follower in Debian's Chromium: nothing stale stays on screen while a reply streams.

Reuses test_browser's fixtures (its own scripted emulator, `streamlit run`, the browser). While
the second reply of a conversation streams, the first reply must be on screen exactly once:
finished and live replies are drawn with the same element layout, so the run that streams the
second reply overwrites what the previous run drew instead of leaving a faded copy behind.
Waits have timeouts; nothing asserts on how long anything took.
"""

from __future__ import annotations

import time

import pytest
from playwright.sync_api import Page, expect

from tests.helpers.browser_pages import go_to, send_chat, set_sidebar_headers, settle, snap

pytestmark = pytest.mark.browser

PATIENCE = 60.0  # seconds a wait may take before the test fails


def test_a_finished_reply_is_on_screen_once_while_the_next_one_streams(page: Page) -> None:
    go_to(page, "Streaming Chat")
    set_sidebar_headers(page, "x-emulator-token-delay: 0.1")  # about 4 s per reply
    send_chat(page, "First message of two")
    messages = page.get_by_test_id("stChatMessage")
    expect(messages.nth(1).get_by_text("tokens/s")).to_be_visible(timeout=PATIENCE * 1000)
    settle(page)  # the run that streamed the first reply has ended; nothing else reruns
    first = messages.nth(1).get_by_test_id("stMarkdownContainer").first.inner_text()
    assert first.startswith('You said: "First message of two')

    send_chat(page, "Second message of two")
    second = messages.nth(3)
    expect(second).to_contain_text('You said: "Second')  # streaming now
    counts = []
    deadline = time.monotonic() + PATIENCE
    while second.get_by_text("tokens/s").count() == 0:  # until the second reply has ended
        assert time.monotonic() < deadline, "the second reply never ended"
        counts.append(page.evaluate("() => document.body.innerText").count(first))
        page.wait_for_timeout(100)
    assert counts, "the second reply ended before it could be watched"
    assert set(counts) == {1}, f"the first reply was on screen {max(counts)} times"

    settle(page)
    assert page.evaluate("() => document.body.innerText").count(first) == 1
    snap(page, "streaming_chat_second_reply.png")


def test_a_new_message_shows_only_its_own_controls_while_its_answer_streams(page: Page) -> None:
    """The run that streams a reply draws your message where the last run drew something
    else (an answer, the toolbar): none of that may show inside your message meanwhile."""
    go_to(page, "Streaming Chat")
    messages = page.get_by_test_id("stChatMessage")
    for n, text in enumerate(("One", "Two")):
        send_chat(page, text)
        expect(messages.nth(2 * n + 1).get_by_text("tokens/s")).to_be_visible()
        settle(page)
    set_sidebar_headers(page, "x-emulator-token-delay: 0.1")
    send_chat(page, "Three")
    answer = messages.nth(5)
    expect(answer).to_contain_text('You said: "Three')  # streaming now
    buttons = []
    deadline = time.monotonic() + PATIENCE
    while answer.get_by_text("tokens/s").count() == 0:
        assert time.monotonic() < deadline, "the third reply never ended"
        buttons.append(messages.nth(4).get_by_role("button").count())
        page.wait_for_timeout(100)
    assert buttons, "the third reply ended before it could be watched"
    # edit, send again, delete: nothing left over from the last run's drawing
    assert set(buttons) == {3}, f"your message showed {sorted(set(buttons))} buttons"


def test_a_reply_keeps_streaming_while_another_page_is_open(page: Page) -> None:
    go_to(page, "Streaming Chat")
    set_sidebar_headers(page, "x-emulator-token-delay: 0.1")
    send_chat(page, "Keep going while I look elsewhere")
    reply = page.get_by_test_id("stChatMessage").nth(1)
    expect(reply).to_contain_text('You said: "Keep going')  # streaming now
    go_to(page, "Request Builder")  # a new run of another page: the stream goes on
    go_to(page, "Streaming Chat")
    expect(reply.get_by_text("finish stop")).to_be_visible(timeout=PATIENCE * 1000)
    settle(page)
    assert "Stopped by you" not in reply.inner_text()
    text = reply.get_by_test_id("stMarkdownContainer").first.inner_text()
    assert text.startswith('You said: "Keep going while I look elsewhere"')
