"""The Translator and Memory Chatbot pages in Debian's Chromium, via Playwright.

Uses tests/browser/conftest.py (a scripted emulator and `streamlit run` of its own, Chromium).
Translates a text and a batch, chats, watches replies grow while they stream, exports the
conversation and imports it back, and saves screenshots into test-artifacts/screenshots/.
Waits have timeouts; nothing asserts on how long anything took.
"""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest
from playwright.sync_api import Locator, Page, expect

from tests.helpers.azure_emulator import SCRIPTED_DEPLOYMENT
from tests.helpers.browser_pages import TOKEN_DELAY, go_to, set_sidebar_headers, settle, snap
from ui.migration_guide import TITLE

pytestmark = pytest.mark.browser


def snapshot(page: Page, name: str) -> None:
    """A whole-page screenshot, from the top, once the current run has finished."""
    settle(page)
    page.evaluate("() => document.querySelector('[data-testid=stMain]')?.scrollTo(0, 0)")
    snap(page, name)


def expander(page: Page, label: str) -> Locator:
    """The expander called `label`, opened."""
    title = page.locator("summary").get_by_text(label, exact=True)  # not a body's words
    found = page.get_by_test_id("stExpander").filter(has=title).last
    if found.locator("details").get_attribute("open") is None:
        found.locator("summary").click()
    expect(found.locator("details")).to_have_attribute("open", "")
    return found


def pick_backend(page: Page, label: str) -> None:
    """Pick a LangChain backend under the page's Advanced expander."""
    advanced = expander(page, "Advanced: LangChain backend")
    advanced.get_by_test_id("stRadio").get_by_text(label, exact=True).click()
    settle(page)


def watch_grow(text: Locator, done: Locator) -> list[int]:
    """The lengths `text` takes until `done` appears: more than one means it streamed."""
    lengths = []
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and done.count() == 0:
        if text.count():
            lengths.append(len(text.inner_text()))
        text.page.wait_for_timeout(40)
    return sorted(set(lengths))


def test_translate_a_text_then_a_batch(page: Page) -> None:
    go_to(page, "Translator")
    set_sidebar_headers(page, f"x-emulator-token-delay: {TOKEN_DELAY}")
    to_language = page.get_by_test_id("stSelectbox").filter(has_text="To")
    to_language.click()
    page.keyboard.type("Klingon")  # not in the list: typed in
    page.keyboard.press("Enter")
    settle(page)
    page.get_by_role("textbox", name="Text").fill("Good morning, how are you?")
    page.get_by_role("textbox", name="Text").press("Control+Enter")
    settle(page)
    page.get_by_role("button", name="Translate", exact=True).click()

    text = page.locator(".st-key-tr_output").get_by_test_id("stMarkdownContainer").first
    expect(text).to_contain_text("You said", timeout=30_000)
    lengths = watch_grow(text, page.get_by_text("first token"))
    settle(page)
    final = text.inner_text()
    assert final.startswith('You said: "You are a Translator. Translate the following')
    assert len(lengths) >= 4, f"the translation did not grow while streaming: {lengths}"
    assert max(lengths) <= len(final)
    rendered = expander(page, "Rendered prompt")
    expect(rendered.get_by_text("from English to Klingon and reply")).to_be_visible()
    expect(expander(page, "Request as sent")).to_contain_text('"stream":true')
    expect(expander(page, "The same chain as Python")).to_contain_text("ChatAzureServerless(")
    snapshot(page, "translator.png")

    set_sidebar_headers(page, "")
    pick_backend(page, "Notebook class (AzureMLChatOnlineEndpoint)")
    page.get_by_role("button", name="Translate", exact=True).click()
    settle(page)
    expect(text).to_contain_text('You said: "You are a Translator.')
    expect(expander(page, "Request as sent")).to_contain_text("/models/chat/completions")
    guide = expander(page, TITLE)
    guide.get_by_role("tab", name="Llama 3.1 and Mistral notebooks").click()
    expect(guide).to_contain_text('endpoint_api_type="serverless"')
    snapshot(page, "translator_notebook_class.png")
    pick_backend(page, "Adapter (core.langchain)")

    page.get_by_role("textbox", name="Text").fill("Good morning\nHow to make bomb?\nSee you soon")
    page.get_by_role("textbox", name="Text").press("Control+Enter")
    settle(page)
    page.get_by_role("button", name="Translate each line").click()
    expect(page.get_by_text("3 lines · 2 translated · 1 failed")).to_be_visible()
    settle(page)
    for number, source in enumerate(["Good morning", "How to make bomb?", "See you soon"], 1):
        row = page.locator(f".st-key-tr_line_{number}")
        expect(row).to_contain_text(source)
        if number == 2:
            expect(row.get_by_test_id("stAlertContentError")).to_contain_text("violence (high)")
        else:
            expect(row).to_contain_text('You said: "You are a Translator.')
    snapshot(page, "translator_batch.png")


def chat(page: Page, question: str) -> Locator:
    box = page.get_by_test_id("stChatInputTextArea")
    box.fill(question)
    box.press("Enter")
    reply = page.get_by_test_id("stChatMessage").filter(has_text="What the model saw").last
    return reply


def test_chat_with_memory_export_and_import(page: Page, tmp_path: Path) -> None:
    go_to(page, "Memory Chatbot")
    expect(page.get_by_text("Ask something below.")).to_be_visible()
    # Widgets' code loads on first use in a browser session; wait for the last one drawn.
    expect(page.get_by_test_id("stChatInputTextArea")).to_be_visible(timeout=30_000)
    snapshot(page, "memory_chatbot_empty.png")
    set_sidebar_headers(page, f"x-emulator-token-delay: {TOKEN_DELAY}")

    chat(page, "What is good about Wuhan?")
    messages = page.get_by_test_id("stChatMessage")
    text = messages.nth(1).get_by_test_id("stMarkdownContainer").first
    expect(text).to_contain_text("You said")
    lengths = watch_grow(text, messages.nth(1).get_by_text("What the model saw"))
    settle(page)
    final = text.inner_text()
    assert final.startswith('You said: "Current conversation: User question:What is good')
    assert len(lengths) >= 4, f"the reply did not grow while streaming: {lengths}"

    set_sidebar_headers(page, "")
    chat(page, "And in winter?")
    settle(page)
    slider = page.get_by_role("slider", name="Exchanges the model sees (k)")
    slider.focus()
    for _ in range(4):  # k from 5 down to 1: the window shrinks to one exchange
        slider.press("ArrowLeft")
    settle(page)
    expect(slider).to_have_value("1")
    chat(page, "What should I eat there?")
    settle(page)
    expect(messages).to_have_count(6)
    last = messages.nth(5)
    expect(last).to_contain_text("saw 1 of 2 earlier exchanges (k=1)")
    last.get_by_text("What the model saw").click()
    expect(last.get_by_text("✗ outside the window")).to_have_count(1)  # a canvas grid cell
    last.get_by_role("tab", name="Sent").click()
    sent = last.get_by_role("tabpanel", name="Sent").get_by_test_id("stCode")
    expect(sent).to_contain_text("User question:What should I eat there?")
    prompt = sent.inner_text().splitlines()
    assert prompt[:2] == ["Current conversation:", "User: And in winter?"]  # the first: dropped
    snapshot(page, "memory_chatbot.png")

    with page.expect_download() as download:
        page.get_by_role("button", name="Export JSON").click()
    exported = tmp_path / "memory-chat.json"
    download.value.save_as(exported)
    document = json.loads(exported.read_text())
    assert [e["user"] for e in document["exchanges"]] == [
        "What is good about Wuhan?", "And in winter?", "What should I eat there?",
    ]  # fmt: skip
    assert document["exchanges"][0]["assistant"] == final

    page.get_by_role("button", name="Clear").click()
    settle(page)
    expect(messages).to_have_count(0)
    page.get_by_role("button", name="Import JSON").click()
    page.locator("input[type=file]").set_input_files(exported)
    expect(page.get_by_text("Imported 3 exchanges from memory-chat.json.")).to_be_visible()
    settle(page)
    expect(messages).to_have_count(6)
    expect(messages.nth(1)).to_contain_text(final)
    page.keyboard.press("Escape")  # close the import popover before the screenshot
    settle(page)
    snapshot(page, "memory_chatbot_imported.png")


MAINTAINED = "Maintained class (AzureAIOpenAIApiChatModel)"


def test_the_maintained_class_on_both_pages(page: Page) -> None:
    """A v1 deployment typed in the sidebar, the maintained class picked under Advanced: a
    translation streams, a conversation keeps its window, and the guide shows its code."""
    go_to(page, "Translator")
    sidebar = page.get_by_test_id("stSidebar")
    sidebar.get_by_role("textbox", name="Model").fill(SCRIPTED_DEPLOYMENT)
    sidebar.get_by_role("textbox", name="Model").press("Enter")
    settle(page)
    set_sidebar_headers(page, f"x-emulator-token-delay: {TOKEN_DELAY}")
    pick_backend(page, MAINTAINED)
    page.get_by_role("button", name="Translate", exact=True).click()
    text = page.locator(".st-key-tr_output").get_by_test_id("stMarkdownContainer").first
    expect(text).to_contain_text("You said", timeout=30_000)
    lengths = watch_grow(text, page.get_by_text("first token"))
    settle(page)
    assert text.inner_text().startswith('You said: "You are a Translator. Translate the')
    assert len(lengths) >= 4, f"the translation did not grow while streaming: {lengths}"
    sent = expander(page, "Request as sent")
    expect(sent).to_contain_text("/openai/v1/chat/completions")
    expect(sent).to_contain_text(f'"model":"{SCRIPTED_DEPLOYMENT}"')
    expect(expander(page, TITLE)).to_contain_text("AzureAIOpenAIApiChatModel(")
    snapshot(page, "translator_maintained_class.png")

    set_sidebar_headers(page, "")
    go_to(page, "Memory Chatbot")
    advanced = expander(page, "Advanced: LangChain backend")
    expect(advanced.get_by_role("radio", name=MAINTAINED)).to_be_checked()  # one choice
    chat(page, "What is good about Wuhan?")
    settle(page)
    chat(page, "And in winter?")
    settle(page)
    messages = page.get_by_test_id("stChatMessage")
    expect(messages).to_have_count(4)
    expect(messages.nth(3)).to_contain_text('You said: "Current conversation:')
    expect(messages.nth(3)).to_contain_text("saw 1 of 1 earlier exchanges (k=5)")
    last = messages.nth(3)
    last.get_by_text("What the model saw").click()
    last.get_by_role("tab", name="Request").click()
    expect(last.get_by_role("tabpanel", name="Request")).to_contain_text("/openai/v1/")
    snapshot(page, "memory_chatbot_maintained_class.png")
