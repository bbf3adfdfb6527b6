"""Conversations that survive mistakes, in Debian's Chromium against the scripted emulator:
a failed turn left out of the next request, another answer with ◀ ▶ between them, editing a
message, Continue after a cut, keeping a stopped answer as context, and the same on the
Memory Chatbot. Screenshots go to test-artifacts/screenshots/.
"""

from __future__ import annotations

import pytest
from playwright.sync_api import Locator, Page, expect

from tests.helpers.browser_pages import go_to, send_chat, set_sidebar_headers, settle, snap

pytestmark = pytest.mark.browser


def control(page: Page, key: str) -> Locator:
    """The button with widget key `key` (Streamlit draws a second copy for its tooltip)."""
    return page.locator(f".st-key-{key} button").first


def click(page: Page, key: str) -> None:
    control(page, key).click()
    settle(page)


def message(page: Page, number: int) -> Locator:
    return page.get_by_test_id("stChatMessage").nth(number)


def what_the_model_saw(page: Page, number: int) -> str:
    """Open "What the model saw" under chat message `number` and return its text."""
    answer = message(page, number)
    answer.get_by_text("What the model saw").click()
    details = answer.get_by_test_id("stExpanderDetails").first
    expect(details).to_be_visible()
    return details.inner_text()


def set_max_tokens(page: Page, value: int) -> None:
    box = page.get_by_test_id("stSidebar").get_by_role("spinbutton", name="Max tokens")
    box.fill(str(value))
    box.press("Enter")
    settle(page)


def test_a_failed_turn_stays_out_and_answers_have_alternatives(page: Page) -> None:
    go_to(page, "Streaming Chat")
    set_sidebar_headers(page, "x-emulator-fault: 500")
    send_chat(page, "This one fails")
    expect(message(page, 1).get_by_text("The endpoint failed (500")).to_be_visible()
    expect(message(page, 1).get_by_text("its failed answer are not sent")).to_be_visible()
    set_sidebar_headers(page, "")
    send_chat(page, "Hello again")
    expect(message(page, 3).get_by_text('You said: "Hello again".')).to_be_visible()
    settle(page)
    seen = what_the_model_saw(page, 3)
    assert "Hello again" in seen and "This one fails" not in seen
    click(page, "btn_chat_retry_1")
    expect(message(page, 3).get_by_text("2/2", exact=True)).to_be_visible()
    click(page, "btn_chat_prev_1")
    expect(message(page, 3).get_by_text("1/2", exact=True)).to_be_visible()
    snap(page, "streaming_chat_alternatives.png")


def test_a_cut_answer_continues_and_a_message_can_be_edited(page: Page) -> None:
    go_to(page, "Streaming Chat")
    set_max_tokens(page, 5)
    send_chat(page, "Tell me a long story")
    answer = message(page, 1)
    expect(answer.get_by_text("Cut at max_tokens")).to_be_visible()
    settle(page)
    click(page, "btn_chat_continue_0")
    expect(answer.get_by_text("Continued 1 time(s).")).to_be_visible()
    snap(page, "streaming_chat_continued.png")
    click(page, "btn_chat_edit_0")
    editor = message(page, 0).get_by_role("textbox")
    expect(editor).to_have_value("Tell me a long story")
    editor.fill("Write a poem")
    click(page, "btn_chat_edit_send")
    expect(message(page, 1).get_by_text('You said: "Write a')).to_be_visible()  # max_tokens 5
    settle(page)  # the run that sent it has ended: the editor it replaced is gone
    expect(message(page, 0).get_by_text("Write a poem", exact=True)).to_be_visible()


def test_a_stopped_answer_can_be_kept_as_context(page: Page) -> None:
    go_to(page, "Streaming Chat")
    set_sidebar_headers(page, "x-emulator-token-delay: 0.2\nx-emulator-reply-tokens: 400")
    send_chat(page, "Tell me a long story")
    answer = message(page, 1)
    expect(answer.get_by_test_id("stMarkdownContainer").first).to_contain_text("You said")
    answer.get_by_role("button", name="Stop", exact=True).click()
    expect(answer.get_by_text("Stopped by you")).to_be_visible()
    settle(page)
    expect(answer.get_by_text("Not sent with later messages")).to_be_visible()
    click(page, "btn_chat_keep_0")
    expect(answer.get_by_text("Kept as context:")).to_be_visible()
    set_sidebar_headers(page, "")
    send_chat(page, "Go on")
    expect(message(page, 3).get_by_text('You said: "Go on".')).to_be_visible()
    settle(page)
    assert "Tell me a long story" in what_the_model_saw(page, 3)
    snap(page, "streaming_chat_kept.png")


def test_the_memory_chatbot_leaves_a_failure_out_and_continues_a_cut_reply(page: Page) -> None:
    go_to(page, "Memory Chatbot")
    set_sidebar_headers(page, "x-emulator-fault: 500")
    send_chat(page, "This one fails")
    expect(message(page, 1).get_by_text("The endpoint failed (500")).to_be_visible()
    settle(page)
    set_sidebar_headers(page, "")
    set_max_tokens(page, 5)
    send_chat(page, "Tell me a long story")
    answer = message(page, 3)
    expect(answer.get_by_text("Cut at max_tokens")).to_be_visible()
    expect(answer.get_by_text("saw 0 of 0 earlier exchanges")).to_be_visible()
    expect(answer.get_by_text("finish length")).to_be_visible()
    settle(page)
    click(page, "btn_mc_continue_1")
    expect(answer.get_by_text("Continued 1 time(s).")).to_be_visible()
    send_chat(page, "What next?")
    expect(message(page, 5).get_by_text("saw 1 of 1 earlier exchanges")).to_be_visible()
    settle(page)
    snap(page, "memory_chatbot_continued.png")
