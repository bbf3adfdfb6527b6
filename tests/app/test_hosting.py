"""Safe to host, the app half, through AppTest on the real app (the browser half is
tests/browser/test_hosting.py):

1. a key the server provides (`AZURE_AI_CHAT_KEY`, env or secrets; `PLAYGROUND_LOCAL_KEY`)
   is in no widget and no export, and goes only to the origin it was configured with;
2. a hosted playground (`PLAYGROUND_HOSTED`) calls its configured endpoint but no other
   loopback address;
4. no Markdown image (or, in server text, link) survives in anything a page draws from a
   server or from the user;
and the reply limits a host sets (`PLAYGROUND_LIMITS`). The fault table's limit rows are in
tests/app/fault_table/test_limits.py.
"""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest
from markdown_it import MarkdownIt
from streamlit.testing.v1 import AppTest

from core import DEFAULT_LIMITS, Limits, Secret
from emulator.process import ROOT, Emulator
from tests.helpers.app_driver import (
    BUILDER,
    CHAT,
    CHATBOT,
    PAGE_PATHS,
    TRANSLATOR,
    act,
    markdown_images,
    open_page,
    plain,
    plain_texts,
    rendered,
    say,
    set_extra_headers,
    start_app,
    texts,
)
from tests.helpers.canary import Canary, canary_emulator
from tests.helpers.raw_server import RawServer, hostile_markdown, response, routes
from ui import hosting
from ui.session_settings import CLIENTS, SETTINGS

AZURE = "serverless"  # an Azure profile: its URL and key come from AZURE_AI_CHAT_*
DENIED = response("401 Unauthorized", b'{"error": {"code": "401", "message": "Access denied"}}')


@pytest.fixture(scope="module")
def canary() -> Iterator[Canary]:
    """The hoster's Azure endpoint: an emulator whose key is a fresh canary."""
    with canary_emulator(ROOT / "test-artifacts" / "canary-emulator-hosting.log") as found:
        yield found


@pytest.fixture
def hosted_key(canary: Canary, emulator: Emulator, monkeypatch: pytest.MonkeyPatch) -> AppTest:
    """The app whose host set AZURE_AI_CHAT_ENDPOINT and AZURE_AI_CHAT_KEY (the canary),
    on an Azure profile."""
    monkeypatch.setenv("AZURE_AI_CHAT_ENDPOINT", canary.url)
    monkeypatch.setenv("AZURE_AI_CHAT_KEY", canary.key)
    at = start_app(monkeypatch, emulator.base_url, emulator.api_key)
    at.radio(key="sb_profile").set_value(AZURE).run()
    assert not at.exception
    return at


def assert_no_key(at: AppTest, canary: Canary, where: str) -> None:
    """The key is in nothing the page sent to the browser, the key field's value included."""
    assert not at.exception, at.exception
    found = canary.find(rendered(at, skip_key_value=False))
    assert found is None, f"{where}: the host's key is on the page ({found[:12]}…)"


# 1. The host's key stays on the server ------------------------------------------------------


def test_the_hosts_key_is_in_no_widget_and_no_export(hosted_key: AppTest, canary: Canary) -> None:
    at = hosted_key
    field = at.text_input(key="sb_key")
    assert field.value == "" and field.proto.placeholder == hosting.KEY_PLACEHOLDER
    assert f"The host provides the key for {canary.url}" in texts(at.sidebar.caption)
    assert at.session_state[SETTINGS].endpoint.key == Secret(canary.key)  # used, server-side
    assert_no_key(at, canary, "home")
    open_page(at, BUILDER)
    at.button(key="btn_rb_send").click().run()
    assert {m.label: plain(m.value) for m in at.metric}["Status"] == "200 OK"  # the key worked
    at.checkbox(key="rb_include_key").check().run()  # "include the key": not the host's
    assert "$AZURE_AI_CHAT_KEY" in texts(at.code) and canary.find(texts(at.code)) is None
    assert "The host's key stays on the server" in texts(at.info)
    assert_no_key(at, canary, "builder, include key ticked")
    for page in PAGE_PATHS:
        open_page(at, page)
        assert act(at) != "nothing to do", page
        assert_no_key(at, canary, page)
    assert at.chat_message[1].markdown[0].value.startswith('You said: "')  # Memory Chatbot


def test_a_key_in_secrets_stays_on_the_server_too(
    canary: Canary, emulator: Emulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    # st.secrets is set through AppTest: a secrets.toml on disk would be shared by every test.
    monkeypatch.setenv("PLAYGROUND_LOCAL_URL", emulator.base_url)
    at = AppTest.from_file(str(ROOT / "streamlit_app.py"), default_timeout=60)
    at.secrets["AZURE_AI_CHAT_ENDPOINT"] = canary.url
    at.secrets["AZURE_AI_CHAT_KEY"] = canary.key
    at.run()
    at.radio(key="sb_profile").set_value(AZURE).run()
    assert at.text_input(key="sb_key").value == ""
    assert at.text_input(key="sb_url").value == canary.url
    endpoint = at.session_state[SETTINGS].endpoint
    assert endpoint.key == Secret(canary.key) and endpoint.key_origin == canary.url
    open_page(at, CHAT)
    say(at, "Hello from a visitor")
    assert at.chat_message[1].markdown[0].value.startswith('You said: "Hello from a visitor')
    assert_no_key(at, canary, "chat")


def test_the_local_key_from_make_run_stays_on_the_server(app: AppTest, emulator: Emulator) -> None:
    field = app.text_input(key="sb_key")
    assert field.value == "" and field.proto.placeholder == hosting.KEY_PLACEHOLDER
    assert app.success[0].value == "The endpoint answers."
    assert emulator.api_key not in rendered(app, skip_key_value=False)


def test_a_visitor_who_changes_the_origin_sends_no_host_key(
    hosted_key: AppTest, canary: Canary
) -> None:
    at, server = hosted_key, RawServer(routes(DENIED))
    try:
        at.text_input(key="sb_url").input(server.url).run()  # same host, another port
        warning = texts(at.sidebar.warning)
        assert "The host's key only goes to the host's endpoint" in warning
        assert canary.url in warning
        open_page(at, CHAT)
        say(at, "Who gets the key?")
        assert "No key was sent" in plain(at.chat_message[1].error[0].value)
        for backend in ("adapter", "community"):  # the LangChain backends do their own HTTP
            for page in (TRANSLATOR, CHATBOT):
                open_page(at, page)
                at.radio(key="lc_backend").set_value(backend).run()
                act(at)
                assert not at.exception
        # The chat and the adapter's two; the notebook class refuses to start without a key.
        assert len(server.posts) == 3, [r.path for r in server.posts]
        for request in server.requests:
            assert canary.find(json.dumps(request.headers) + request.path) is None, request
            assert canary.find(request.body) is None
        at.text_input(key="sb_key").input("visitor-key").run()  # the control: their own key
        open_page(at, CHAT)
        say(at, "And with my key?")
        assert server.posts[-1].headers["authorization"] == "Bearer visitor-key"
    finally:
        server.close()


# 2. A hosted playground -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("setting", "address", "hosted"),
    [
        ("", "127.0.0.1", False),  # make run, and the project's config.toml
        ("", "localhost", False),
        ("", "::1", False),
        ("", None, True),  # Streamlit's default: every interface
        ("", "0.0.0.0", True),
        ("", "::", True),
        ("", "127.0.0.2", False),
        ("", "10.1.2.3", True),
        ("1", "127.0.0.1", True),  # behind a proxy on the same machine: say so
        ("yes", None, True),
        ("0", "0.0.0.0", False),  # one's own, in a container
        ("off", None, False),
        ("maybe", "127.0.0.1", True),  # not a "no": hosted
    ],
)
def test_when_the_playground_counts_as_hosted(setting: str, address: str | None, hosted: bool):
    assert hosting.is_hosted(setting, address) is hosted


def test_a_hosted_playground_calls_its_endpoint_and_no_other_loopback(
    emulator: Emulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PLAYGROUND_HOSTED", "1")
    at = start_app(monkeypatch, emulator.base_url, emulator.api_key)
    assert at.success[0].value == "The endpoint answers."  # the configured endpoint
    assert "Hosted for others" in texts(at.sidebar.caption)
    assert "127.0.0.0/8" not in texts(at.sidebar.caption)
    server = RawServer(routes(DENIED))
    try:
        for url in (server.url, f"http://localhost:{server.port}", "http://127.0.0.2:8765"):
            at.text_input(key="sb_url").input(url).run()
            assert "This playground may not call" in texts(at.sidebar.warning), url
            open_page(at, CHAT)
            assert "Set up the endpoint in the sidebar first" in texts(at.info)
        assert server.requests == []
    finally:
        server.close()
    at.text_input(key="sb_url").input(emulator.base_url).run()
    open_page(at, CHAT)
    say(at, "Still here?")
    assert at.chat_message[1].markdown[0].value.startswith('You said: "Still here?')


def test_one_users_playground_keeps_todays_defaults(app: AppTest) -> None:
    caption = texts(app.sidebar.caption)
    assert "127.0.0.0/8" in caption and "Hosted for others" not in caption


# 4. Markdown images --------------------------------------------------------------------------

LEAK = "http://127.0.0.1:9"
LINKS = MarkdownIt("commonmark")


def test_no_page_draws_a_markdown_image(monkeypatch: pytest.MonkeyPatch) -> None:
    server = RawServer(hostile_markdown(LEAK))
    try:
        at = start_app(monkeypatch, server.url, "raw-key")
        assert "model" in texts(at.metric) and markdown_images(at) == []  # GET /info
        open_page(at, BUILDER)
        at.button(key="btn_rb_send").click().run()
        assert markdown_images(at) == [], "builder"
        open_page(at, CHAT)
        say(at, f"Look ![mine]({LEAK}/user)")
        assert "!\\[inline]" in at.chat_message[1].markdown[0].value  # drawn, as text
        set_extra_headers(at, "x-test-fault: 1")
        say(at, "And now an error")
        error = at.chat_message[3].error[0].value
        assert f"![error]({LEAK}/error) [click me]({LEAK}/click)" in plain(error)  # as written
        assert "link_open" not in {t.type for t in LINKS.parse(error)[1].children or ()}
        assert markdown_images(at) == [], "chat"
        set_extra_headers(at, "")
        for page in (TRANSLATOR, CHATBOT):
            open_page(at, page)
            act(at, f"Look ![mine]({LEAK}/user)")
            assert markdown_images(at) == [], page
        open_page(at, TRANSLATOR)
        at.text_area(key="tr_text").input("one\ntwo").run()
        at.button(key="btn_tr_batch").click().run()
        assert "!\\[inline]" in texts(at.main.markdown)
        assert markdown_images(at) == [], "batch"
    finally:
        server.close()


# Limits ------------------------------------------------------------------------------------------


def test_the_host_sets_the_reply_limits(emulator: Emulator, monkeypatch) -> None:
    assert hosting.parse_limits("") == DEFAULT_LIMITS
    assert hosting.parse_limits(" max_seconds=2.5, max_events=100 ") == Limits(
        max_seconds=2.5, max_events=100
    )
    monkeypatch.setenv(hosting.LIMITS_ENV, "max_body_bytes=65536")
    at = start_app(monkeypatch, emulator.base_url, emulator.api_key)
    [client] = at.session_state[CLIENTS].values()  # the home view's check
    assert client.limits == Limits(max_body_bytes=65536)


@pytest.mark.parametrize("value", ["max_bytes=1", "max_seconds=soon", "max_events=0", "60"])
def test_a_limits_setting_that_cannot_be_read_is_said(
    value: str, emulator: Emulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(hosting.LIMITS_ENV, value)
    at = start_app(monkeypatch, emulator.base_url, emulator.api_key)
    warning = plain_texts(at.sidebar.warning)
    assert "PLAYGROUND_LIMITS" in warning and "The default limits apply." in warning
    [client] = at.session_state[CLIENTS].values()
    assert client.limits == DEFAULT_LIMITS
