"""The app in Debian's Chromium: `streamlit run` against the scripted emulator, via Playwright.

Opens each page, chats with a per-token delay set in the sidebar and watches the reply grow
while it streams, and saves a screenshot of each page into test-artifacts/screenshots/.
Waits have timeouts; nothing asserts on how long anything took.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Iterator

import pytest
import requests
from conftest import ROOT, Emulator, free_port, start_emulator, stop_emulator
from playwright.sync_api import Browser, Page, expect, sync_playwright

pytestmark = pytest.mark.browser

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
SCREENSHOTS = ROOT / "test-artifacts" / "screenshots"
LOG = ROOT / "test-artifacts" / "streamlit.log"  # the app server's output, for debugging
VIEWPORT = {"width": 1440, "height": 1000}
TOKEN_DELAY = 0.1  # seconds per token: slow enough to see the reply grow


@pytest.fixture(scope="module")
def scripted() -> Iterator[Emulator]:
    """An emulator of this module's own, so a slow stream here delays nobody else."""
    emu = start_emulator("--engine", "scripted")
    yield emu
    stop_emulator(emu)


@pytest.fixture(scope="module")
def app_url(scripted: Emulator) -> Iterator[str]:
    """`streamlit run streamlit_app.py` on a free port, configured like `make run` does."""
    port = free_port()
    env = {
        **os.environ,
        "PLAYGROUND_LOCAL_URL": scripted.base_url,
        "PLAYGROUND_LOCAL_KEY": scripted.api_key,
    }
    for name in ("AZURE_AI_CHAT_ENDPOINT", "AZURE_AI_CHAT_KEY"):
        env.pop(name, None)
    command = [
        sys.executable,
        "-m",
        "streamlit",
        "run",
        "streamlit_app.py",
        "--server.headless",
        "true",
        "--server.port",
        str(port),
        "--server.address",
        "127.0.0.1",
        "--browser.gatherUsageStats",
        "false",
    ]
    LOG.parent.mkdir(parents=True, exist_ok=True)
    with LOG.open("w") as log:
        process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=log, stderr=log)
        url = f"http://127.0.0.1:{port}"
        try:
            _wait_healthy(process, f"{url}/_stcore/health")
            yield url
        finally:
            process.terminate()
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def _wait_healthy(process: subprocess.Popen, health: str) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"streamlit exited early; see {LOG}")
        try:
            if requests.get(health, timeout=1).status_code == 200:
                return
        except requests.ConnectionError:
            pass
        time.sleep(0.1)
    raise RuntimeError("streamlit did not become healthy in time")


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


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
    yield tab
    context.close()


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


def go_to(page: Page, title: str) -> None:
    """Navigate with the sidebar menu, which keeps the browser session (and its state)."""
    page.get_by_test_id("stSidebarNav").get_by_text(title, exact=True).click()
    expect(page.get_by_role("heading", name=title)).to_be_visible()
    settle(page)


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
