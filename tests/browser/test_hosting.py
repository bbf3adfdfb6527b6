"""Safe to host, in Debian's Chromium: `streamlit run` as a host runs it for a team, a
visitor in the browser (the AppTest half is tests/app/test_hosting.py).

1. The hoster's Azure key (a canary in the server's environment) is in no DOM, no input's
   value, no storage, no exported code (with "include the key" ticked), no text at a
   screenshot, no log; a visitor who points the URL at another origin is told the host's
   key only goes to the host's endpoint, and that server (a real one, recording headers)
   receives no key.
2. With `PLAYGROUND_HOSTED=1` a loopback URL is blocked with a message, and the configured
   local endpoint still answers.
4. Replies, an error body, a response header and a model name carrying Markdown images
   (inline, reference-style, shortcut) make the browser request nothing from the server the
   images point at, on every page; that server does log a request the page makes itself.
"""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, Page, expect

from emulator.process import ROOT, Emulator
from tests.helpers.browser_driver import serve_app
from tests.helpers.browser_pages import (
    SCREENSHOTS,
    VIEWPORT,
    assert_key_nowhere,
    go_to,
    send_chat,
    set_sidebar_headers,
    settle,
    snap,
)
from tests.helpers.canary import Canary, canary_emulator
from tests.helpers.raw_server import RawServer, hostile_markdown, response, routes

pytestmark = pytest.mark.browser

ARTIFACTS = ROOT / "test-artifacts"
LOG = ARTIFACTS / "streamlit-hosting.log"
AZURE_PROFILE = "Serverless API (Models as a Service)"
DENIED = response("401 Unauthorized", b'{"error": {"code": "401", "message": "Access denied"}}')


@pytest.fixture(scope="module")
def hoster() -> Iterator[Canary]:
    """The hoster's Azure endpoint: an emulator whose key is a fresh canary."""
    with canary_emulator(ARTIFACTS / "canary-emulator-hosting-browser.log") as found:
        yield found


@pytest.fixture(scope="module")
def elsewhere() -> Iterator[RawServer]:
    """Another origin (same host, another port), recording what it receives."""
    server = RawServer(routes(DENIED))
    yield server
    server.close()


def visit(browser: Browser, url: str) -> Page:
    """A new visitor (a browser context of its own) on the home view, after its check."""
    page = browser.new_context(viewport=VIEWPORT).new_page()
    page.set_default_timeout(30_000)
    page.goto(url)
    expect(page.get_by_role("heading", name="Azure AI Playground")).to_be_visible(timeout=60_000)
    settle(page)
    return page


def set_url(page: Page, url: str) -> None:
    field = page.get_by_test_id("stSidebar").get_by_role("textbox", name="Endpoint URL")
    field.fill(url)
    field.press("Enter")
    settle(page)


# 1. The hoster's key ---------------------------------------------------------------------------


def test_the_hosters_key_never_reaches_the_browser(
    browser: Browser,
    scripted: Emulator,
    hoster: Canary,
    elsewhere: RawServer,
    screenshots: dict[str, bool],
) -> None:
    env = {"AZURE_AI_CHAT_ENDPOINT": hoster.url, "AZURE_AI_CHAT_KEY": hoster.key}
    with serve_app(scripted.base_url, scripted.api_key, LOG, env) as url:
        page = visit(browser, url)
        sidebar = page.get_by_test_id("stSidebar")
        sidebar.get_by_role("radiogroup", name="Endpoint profile").get_by_text(
            AZURE_PROFILE, exact=True
        ).click()
        expect(page.get_by_text("The endpoint answers.")).to_be_visible()  # the host's key works
        key = sidebar.get_by_label("Key", exact=True)
        expect(key).to_have_value("")
        expect(key).to_have_attribute("placeholder", "provided by the host")
        assert_key_nowhere(page, hoster, "home")
        snap(page, "hosting_home.png")

        go_to(page, "Request Builder")
        page.get_by_role("button", name="Send").click()
        expect(page.get_by_test_id("stMetricValue").get_by_text("200 OK")).to_be_visible()
        page.get_by_text("Code: curl, Python (requests, urllib, openai)").click()
        page.get_by_text("Include the key in the code").click()
        expect(page.get_by_text("The host's key stays on the server")).to_be_visible()
        code = "\n".join(page.get_by_test_id("stCode").all_text_contents())
        assert "$AZURE_AI_CHAT_KEY" in code and hoster.find(code) is None
        assert_key_nowhere(page, hoster, "builder, include key ticked")
        snap(page, "hosting_builder_include_key.png")

        set_url(page, elsewhere.url)
        note = sidebar.get_by_text("The host's key only goes to the host's endpoint")
        expect(note).to_be_visible()
        go_to(page, "Streaming Chat")
        send_chat(page, "Who gets the key?")
        expect(page.get_by_text("No key was sent").first).to_be_visible()
        assert_key_nowhere(page, hoster, "chat at another origin")
        snap(page, "hosting_chat_elsewhere.png")
        assert_key_nowhere(page, hoster, "chat, at the screenshot")
        page.context.close()
    assert elsewhere.posts, "the other server was never called: the check would mean nothing"
    for request in elsewhere.requests:
        assert hoster.find(json.dumps(request.headers) + request.path) is None, request.headers
        assert hoster.find(request.body) is None
    assert hoster.find(LOG.read_text()) is None, "the key is in the app server's log"
    for png in SCREENSHOTS.glob("hosting_*.png"):
        assert hoster.find(png.read_bytes()) is None, png


# 2. Hosted for others --------------------------------------------------------------------------


def test_a_hosted_playground_blocks_loopback_but_calls_its_endpoint(
    browser: Browser, scripted: Emulator, elsewhere: RawServer, screenshots: dict[str, bool]
) -> None:
    before = len(elsewhere.requests)
    env = {"PLAYGROUND_HOSTED": "1"}
    with serve_app(scripted.base_url, scripted.api_key, LOG, env) as url:
        page = visit(browser, url)
        expect(page.get_by_text("The endpoint answers.")).to_be_visible()  # its configured one
        go_to(page, "Streaming Chat")
        send_chat(page, "Hello from a visitor")
        expect(page.get_by_test_id("stChatMessage").nth(1)).to_contain_text("You said")
        set_url(page, elsewhere.url)
        sidebar = page.get_by_test_id("stSidebar")
        blocked = f"This playground may not call 127.0.0.1:{elsewhere.port}"
        expect(sidebar.get_by_text(blocked)).to_be_visible()
        expect(page.get_by_text("Set up the endpoint in the sidebar first")).to_be_visible()
        snap(page, "hosting_loopback_blocked.png")
        page.context.close()
    assert len(elsewhere.requests) == before, "a blocked URL was called"


# 4. Markdown images ----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def leak() -> Iterator[RawServer]:
    """Where the images point: it logs every request."""
    server = RawServer(lambda request: response("404 Not Found", b"{}"))
    yield server
    server.close()


def test_markdown_images_are_never_fetched(
    browser: Browser, leak: RawServer, screenshots: dict[str, bool]
) -> None:
    model = RawServer(hostile_markdown(leak.url))
    try:
        with serve_app(model.url, "raw-key", LOG) as url:
            page = visit(browser, url)
            expect(page.get_by_text("The endpoint answers.")).to_be_visible()  # model name
            _every_page(page, leak.url)
            settle(page)
            page.wait_for_timeout(1000)  # time enough for any image request to go out
            assert [r.path for r in leak.requests] == []
            # The control: the browser can reach the server the images point at.
            page.evaluate(f"() => {{ new Image().src = '{leak.url}/control'; }}")
            for _ in range(100):  # up to 10 s
                if leak.requests:
                    break
                page.wait_for_timeout(100)
            assert [r.path for r in leak.requests] == ["/control"]
            page.context.close()
    finally:
        model.close()


def _every_page(page: Page, leak: str) -> None:
    """A reply with images on every page, the user's own image, and an error body with one."""
    go_to(page, "Streaming Chat")
    send_chat(page, f"Look ![mine]({leak}/user)")
    reply = page.get_by_test_id("stChatMessage").nth(1)
    expect(reply).to_contain_text(f"![inline]({leak}/inline?q=conversation)")  # as text
    set_sidebar_headers(page, "x-test-fault: 1")
    send_chat(page, "And now an error")
    error = page.get_by_test_id("stChatMessage").nth(3)
    expect(error).to_contain_text(f"![error]({leak}/error) [click me]({leak}/click)")
    for link in error.locator(f"a[href^='{leak}']").all():  # only addresses shown in full
        assert link.inner_text() == link.get_attribute("href"), link.inner_text()
    snap(page, "images_chat.png")
    set_sidebar_headers(page, "")
    go_to(page, "Request Builder")
    page.get_by_role("button", name="Send").click()
    expect(page.get_by_text("![inline](").first).to_be_visible()
    page.get_by_role("tab", name="Headers").click()
    expect(page.get_by_text(f"![header]({leak}/header)").first).to_be_visible()
    for title, button in (("Translator", "Translate"), ("Memory Chatbot", None)):
        go_to(page, title)
        if button:
            page.get_by_role("button", name=button, exact=True).click()
        else:
            send_chat(page, f"Look ![mine]({leak}/user)")
        expect(page.get_by_text("![inline](").first).to_be_visible()
        settle(page)
    snap(page, "images_memory_chatbot.png")
