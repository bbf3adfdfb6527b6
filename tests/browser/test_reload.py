"""Work that survives a reload, in Debian's Chromium against the scripted emulator: the
Streaming Chat conversation, the Memory Chatbot's memory with its k, the Request Builder's
history and the system prompt come back from this browser's localStorage; Clear clears the
copy; a reload mid-stream keeps the question and leaves a working page; leaving while a reply
streams asks first.
"""

from __future__ import annotations

import json

import pytest
from playwright.sync_api import Dialog, Locator, Page, expect

from tests.helpers.browser_pages import go_to, send_chat, set_sidebar_headers, settle, snap

pytestmark = pytest.mark.browser
PREFIX = "azure-ai-playground.v1."
RESTORED = "Restored from this browser"
LATE = 30_000  # ms: what a run after the browser's report shows (a busy machine is slow)


def message(page: Page, number: int) -> Locator:
    return page.get_by_test_id("stChatMessage").nth(number)


def stored(page: Page) -> dict[str, str]:
    """The app's items in this browser's localStorage, by name."""
    items: dict[str, str] = page.evaluate("() => ({...localStorage})")
    return {k[len(PREFIX) :]: v for k, v in items.items() if k.startswith(PREFIX)}


def wait_for_copy(page: Page, name: str, check: str = "text !== null") -> None:
    """Wait until this browser's copy of `name` (`text`, null when none) passes `check`: the
    bridge writes after the run that changed it has been drawn."""
    page.wait_for_function(
        f"() => {{ const text = localStorage.getItem({json.dumps(PREFIX + name)}); "
        f"return {check}; }}"
    )


def reload(page: Page) -> None:
    """Reload the tab (a new Streamlit session) and wait for its first run; the browser's
    report then starts the run that restores (tests wait for what it shows)."""
    page.reload()
    page.get_by_test_id("stApp").wait_for()
    settle(page)


def restored(page: Page) -> None:
    """Wait for the note of the run that restored (the report's run may come late)."""
    expect(page.get_by_text(RESTORED)).to_be_visible(timeout=LATE)
    settle(page)


def chat_two_turns_then_reload(page: Page, title: str) -> None:
    go_to(page, title)
    for number, text in enumerate(("First question", "Second question")):
        send_chat(page, text)
        expect(message(page, 2 * number + 1)).to_contain_text(f"{text}")
        settle(page)
    name = "chat" if title == "Streaming Chat" else "mc"
    wait_for_copy(page, name, 'text !== null && text.includes("Second question")')
    reload(page)


def test_streaming_chat_comes_back_after_a_reload_and_goes_on(page: Page) -> None:
    chat_two_turns_then_reload(page, "Streaming Chat")
    restored(page)
    expect(message(page, 0).get_by_text("First question", exact=True)).to_be_visible()
    expect(message(page, 3)).to_contain_text('You said: "Second question"')
    send_chat(page, "Third question")
    expect(message(page, 5).get_by_text('You said: "Third question"')).to_be_visible()
    settle(page)
    expect(page.get_by_text(RESTORED)).to_have_count(0)
    snap(page, "streaming_chat_after_reload.png")
    # What the third request carried: the two restored turns.
    message(page, 5).get_by_text("What the model saw").click()
    seen = message(page, 5).get_by_test_id("stExpanderDetails").first.inner_text()
    assert "First question" in seen and "Second question" in seen
    wait_for_copy(page, "chat", 'text !== null && text.includes("Third question")')
    assert len(json.loads(stored(page)["chat"])["turns"]) == 3

    page.locator(".st-key-btn_chat_clear button").first.click()
    settle(page)
    wait_for_copy(page, "chat", "text === null")
    reload(page)
    expect(page.get_by_test_id("stChatMessage")).to_have_count(0)
    expect(page.get_by_text(RESTORED)).to_have_count(0)


def test_memory_chatbot_comes_back_with_its_k(page: Page) -> None:
    go_to(page, "Memory Chatbot")
    slider = page.get_by_role("slider", name="Exchanges the model sees (k)")
    slider.focus()
    slider.press("ArrowLeft")  # k 5 -> 4
    settle(page)
    chat_two_turns_then_reload(page, "Memory Chatbot")
    restored(page)
    expect(page.get_by_role("slider", name="Exchanges the model sees (k)")).to_have_value("4")
    send_chat(page, "Third question")
    expect(message(page, 5).get_by_text("saw 2 of 2 earlier exchanges (k=4)")).to_be_visible()
    settle(page)
    snap(page, "memory_chatbot_after_reload.png")
    page.locator(".st-key-btn_mc_clear button").first.click()
    settle(page)
    wait_for_copy(page, "mc", "text === null")
    reload(page)
    expect(page.get_by_test_id("stChatMessage")).to_have_count(0)


def test_the_system_prompt_comes_back(page: Page) -> None:
    box = page.get_by_test_id("stSidebar").get_by_role("textbox", name="System prompt")
    box.fill("Answer like a pirate.")
    box.press("Control+Enter")
    settle(page)
    wait_for_copy(page, "system", 'text !== null && text.includes("pirate")')
    reload(page)
    box = page.get_by_test_id("stSidebar").get_by_role("textbox", name="System prompt")
    expect(box).to_have_value("Answer like a pirate.", timeout=LATE)
    settle(page)
    go_to(page, "Streaming Chat")
    send_chat(page, "Ahoy")
    expect(message(page, 1).get_by_text('You said: "Ahoy"')).to_be_visible()
    settle(page)
    message(page, 1).get_by_text("What the model saw").click()
    seen = message(page, 1).get_by_test_id("stExpanderDetails").first
    expect(seen).to_contain_text("Answer like a pirate.")  # once the expander has opened


def test_a_reload_mid_stream_leaves_a_working_page(page: Page) -> None:
    go_to(page, "Streaming Chat")
    send_chat(page, "Kept before")
    expect(message(page, 1).get_by_text('You said: "Kept before"')).to_be_visible()
    settle(page)
    wait_for_copy(page, "chat")
    set_sidebar_headers(page, "x-emulator-token-delay: 0.2\nx-emulator-reply-tokens: 200")
    send_chat(page, "A long one")
    answer = message(page, 3)
    expect(answer.get_by_test_id("stMarkdownContainer").first).to_contain_text("You said")
    # The question is in the browser's copy while its answer still streams.
    wait_for_copy(page, "chat", 'text !== null && text.includes("A long one")')
    page.once("dialog", lambda dialog: dialog.accept())
    reload(page)
    restored(page)
    expect(message(page, 1).get_by_text('You said: "Kept before"')).to_be_visible()
    expect(message(page, 2).get_by_text("A long one", exact=True)).to_be_visible()
    expect(message(page, 3).get_by_text("Stopped")).to_be_visible()
    set_sidebar_headers(page, "")
    send_chat(page, "After the reload")
    expect(page.get_by_text('You said: "After the reload"')).to_be_visible()
    settle(page)
    # The reply cut by the reload is not sent with later messages (it can be sent again).
    message(page, 5).get_by_text("What the model saw").click()
    seen = message(page, 5).get_by_test_id("stExpanderDetails").first.inner_text()
    assert "Kept before" in seen and "A long one" not in seen
    snap(page, "streaming_chat_reloaded_mid_stream.png")


def test_leaving_while_a_reply_streams_asks_first(page: Page) -> None:
    go_to(page, "Streaming Chat")
    set_sidebar_headers(page, "x-emulator-token-delay: 0.2\nx-emulator-reply-tokens: 200")
    send_chat(page, "A long one")
    answer = message(page, 1)
    expect(answer.get_by_test_id("stMarkdownContainer").first).to_contain_text("You said")
    dialogs: list[str] = []

    def dismiss(dialog: Dialog) -> None:
        dialogs.append(dialog.type)
        dialog.dismiss()  # stay on the page

    page.on("dialog", dismiss)
    with page.expect_event("dialog"):
        page.evaluate("() => { setTimeout(() => location.reload(), 0); }")
    assert dialogs == ["beforeunload"]
    expect(answer.get_by_role("button", name="Stop", exact=True)).to_be_visible()
    answer.get_by_role("button", name="Stop", exact=True).click()
    expect(answer.get_by_text("Stopped by you")).to_be_visible()
    settle(page)
    page.reload()  # no stream: no question
    page.get_by_test_id("stApp").wait_for()
    settle(page)
    assert dialogs == ["beforeunload"]


def test_the_request_builder_history_comes_back(page: Page) -> None:
    go_to(page, "Request Builder")
    send = page.locator(".st-key-btn_rb_send button").first
    for _ in range(2):
        send.click()
        settle(page)
    expect(page.locator(".st-key-btn_rb_load_1")).to_have_count(1)
    wait_for_copy(page, "rb", "text !== null && JSON.parse(text).length === 2")
    reload(page)
    expect(page.locator(".st-key-btn_rb_load_1")).to_have_count(1, timeout=LATE)
    settle(page)
    expect(page.get_by_text("200 OK").first).to_be_visible()
    wait_for_copy(page, "rb")
    history = json.loads(stored(page)["rb"])
    assert [entry["exchange"]["status"] for entry in history] == [200, 200]
    page.locator(".st-key-btn_rb_send button").first.click()
    settle(page)
    expect(page.locator(".st-key-btn_rb_load_2")).to_have_count(1)
    snap(page, "request_builder_after_reload.png")
    page.locator(".st-key-btn_rb_clear button").first.click()
    settle(page)
    wait_for_copy(page, "rb", "text === null")
    reload(page)
    expect(page.get_by_text("Requests you send appear here")).to_be_visible()


def test_a_full_browser_storage_is_said_and_nothing_loops(page: Page) -> None:
    go_to(page, "Streaming Chat")
    # Another app on this origin filled the storage (Chromium takes about 4.75 M characters).
    page.evaluate(
        """() => { let i = 0;
        for (const size of [100000, 1000, 10]) {
          const chunk = "x".repeat(size);
          for (;; i++) { try { localStorage.setItem("other." + i, chunk); } catch (e) { break; } }
        } }"""
    )
    send_chat(page, "A message the browser has no room for " + "y" * 2000)
    expect(message(page, 1)).to_contain_text("You said")
    settle(page)
    full = page.get_by_text("This conversation is not kept: this browser's storage for the app")
    expect(full).to_be_visible(timeout=30_000)
    settle(page)  # the refusal is said once: no run follows another
    assert "chat" not in stored(page)
    page.evaluate(
        """() => Object.keys(localStorage).filter((k) => k.startsWith("other."))
                  .forEach((k) => localStorage.removeItem(k))"""
    )
    send_chat(page, "Now there is room")
    expect(message(page, 3)).to_contain_text("Now there is room")
    settle(page)
    wait_for_copy(page, "chat", 'text !== null && text.includes("Now there is room")')
    assert len(json.loads(stored(page)["chat"])["turns"]) == 2
