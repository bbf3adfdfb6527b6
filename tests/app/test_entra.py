"""Microsoft Entra ID in the sidebar: a pasted token (its expiry shown, never its value), this
machine's Azure login (through a local managed-identity stand-in that the real
DefaultAzureCredential finds offline), the hosting gate, and code export that never writes
a token out.
"""

from __future__ import annotations

import json
import time

import pytest
from streamlit.testing.v1 import AppTest

from core.reply import ReplyStatus
from emulator.process import Emulator
from tests.helpers.app_driver import (
    BUILDER,
    CHAT,
    open_page,
    plain_texts,
    rendered,
    say,
    start_app,
    texts,
)
from tests.helpers.azure_emulator import TOKEN
from tests.helpers.managed_identity import managed_identity
from tests.helpers.surfaces import SURFACES, set_up
from ui.browser_store import STATE, Store
from ui.credentials import AUTH_LABELS, ENTRA_LOGIN, ENTRA_TOKEN

V1 = SURFACES["azure-v1"]
LOGIN = AUTH_LABELS[ENTRA_LOGIN]


@pytest.fixture
def at(azure: Emulator, monkeypatch: pytest.MonkeyPatch) -> AppTest:
    """The app on the v1 surface with its api-key (the Entra choice is each test's)."""
    app = start_app(monkeypatch, azure.base_url, azure.api_key)
    return set_up(app, V1, azure.base_url, "api-key", azure.api_key)


def paste_token(at: AppTest, text: str) -> None:
    at.selectbox(key="sb_auth").select(ENTRA_TOKEN).run()
    at.text_input(key="sb_entra_token").input(text).run()
    assert not at.exception, at.exception


def test_a_pasted_token_shows_when_it_expires_and_never_itself(at: AppTest) -> None:
    expires = int(time.time()) + 3600
    printed = {"accessToken": TOKEN, "expires_on": str(expires), "tokenType": "Bearer"}
    paste_token(at, json.dumps(printed, indent=2))  # what `az account get-access-token` prints
    shown = texts(at.sidebar.caption)
    assert "Expires at " in shown and "(in 60 min)" in shown
    assert "no key is sent" in shown
    open_page(at, BUILDER)
    at.button(key="btn_rb_send").click().run()
    entry = at.session_state["rb_history"][-1]
    assert entry.exchange.status == 200
    assert entry.exchange.request.headers["Authorization"] == "Bearer ***"
    assert "api-key" not in entry.exchange.request.headers
    page = rendered(at)
    assert TOKEN not in page and TOKEN.split(".")[1] not in page
    assert TOKEN in rendered(at, skip_key_value=False)  # the control: the search sees the field


def test_an_expired_token_is_refused_before_sending_and_says_what_to_do(at: AppTest) -> None:
    paste_token(at, json.dumps({"accessToken": TOKEN, "expires_on": int(time.time()) - 60}))
    assert "Expired at " in texts(at.sidebar.caption)
    open_page(at, CHAT)
    say(at, "Hello with an old token")
    reply = at.session_state["chat_conversation"].turns[-1].answer.reply
    assert reply.status == ReplyStatus.FAILED
    message = plain_texts(at.chat_message[-1].error)
    assert "The pasted Entra token expired at" in message
    assert "az account get-access-token" in message
    assert TOKEN not in message


def test_text_that_is_no_token_is_explained_in_the_sidebar(at: AppTest) -> None:
    paste_token(at, '{"accessToken": ')
    assert "does not parse" in at.sidebar.warning[0].value
    paste_token(at, "")
    assert "The Entra token is empty" in at.sidebar.warning[0].value
    open_page(at, CHAT)
    assert at.chat_input[0].proto.disabled


def test_this_machines_login_gets_a_token_for_the_scope_picked(
    at: AppTest, monkeypatch: pytest.MonkeyPatch
) -> None:
    with managed_identity(TOKEN) as (env, asked):
        for name, value in env.items():
            monkeypatch.setenv(name, value)
        at.selectbox(key="sb_auth").select(ENTRA_LOGIN).run()
        at.selectbox(key="sb_entra_scope").select("https://ai.azure.com/.default").run()
        at.button(key="btn_sb_check_login").click().run()
        assert "Signed in. Expires at " in texts(at.sidebar.caption)
        open_page(at, CHAT)
        say(at, "Hello with the login")
        assert (
            at.session_state["chat_conversation"].turns[-1].answer.reply.status == ReplyStatus.DONE
        )
    # The home page's check asked once for the default scope; the scope picked was asked
    # once, its token cached for the check and the request.
    assert [p for p in asked if "resource=https://ai.azure.com" in p] == asked[-1:], asked


def test_no_login_on_this_machine_is_explained(
    at: AppTest, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Developer credentials only (az, azd, PowerShell, VS Code): none is signed in here, and
    # the managed-identity probe, which would go to the network, is skipped.
    monkeypatch.setenv("AZURE_TOKEN_CREDENTIALS", "dev")
    at.selectbox(key="sb_auth").select(ENTRA_LOGIN).run()
    at.button(key="btn_sb_check_login").click().run()
    assert "There is no Azure login on this machine: run `az login`" in texts(at.sidebar.caption)
    assert not at.exception


def test_a_hosted_playground_offers_its_hosts_login_only_when_the_host_says_so(
    azure: Emulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PLAYGROUND_HOSTED", "1")
    monkeypatch.setenv("PLAYGROUND_ALLOWED_HOSTS", "127.0.0.1")
    at = start_app(monkeypatch, azure.base_url, azure.api_key)
    at.radio(key="sb_profile").set_value("azure-v1").run()
    assert LOGIN not in at.selectbox(key="sb_auth").options
    assert "PLAYGROUND_ALLOW_SERVER_IDENTITY=1" in texts(at.sidebar.caption)
    monkeypatch.setenv("PLAYGROUND_ALLOW_SERVER_IDENTITY", "1")
    at.run()
    assert LOGIN in at.selectbox(key="sb_auth").options
    assert "PLAYGROUND_ALLOW_SERVER_IDENTITY" not in texts(at.sidebar.caption)


def test_exported_code_gets_its_own_token_and_never_holds_one(
    at: AppTest, monkeypatch: pytest.MonkeyPatch
) -> None:
    paste_token(at, TOKEN)
    open_page(at, BUILDER)
    code = texts(at.code)
    assert "get_bearer_token_provider" in code and "DefaultAzureCredential()" in code
    assert '"https://cognitiveservices.azure.com/.default"' in code
    assert "$AZURE_OPENAI_AD_TOKEN" in code  # curl reads it from the environment
    assert TOKEN not in code and TOKEN.split(".")[2] not in code
    assert "rb_include_key" not in [c.key for c in at.checkbox]  # no way to write it out
    with managed_identity(TOKEN) as (env, _):
        for name, value in env.items():
            monkeypatch.setenv(name, value)
        at.selectbox(key="sb_auth").select(ENTRA_LOGIN).run()
        at.selectbox(key="sb_entra_scope").select("https://ai.azure.com/.default").run()
        assert '"https://ai.azure.com/.default"' in texts(at.code)  # the scope picked


def test_this_browsers_copies_never_hold_the_token(at: AppTest) -> None:
    at.session_state[STATE] = Store(report={})  # the browser reported: copies are written
    paste_token(at, TOKEN)
    open_page(at, CHAT)
    say(at, f"Here is my token {TOKEN}, keep it")
    open_page(at, BUILDER)
    at.button(key="btn_rb_send").click().run()
    held = at.session_state[STATE].held
    assert {"chat", "rb", "system"} <= set(held)  # the control: the copies were made
    copies = json.dumps(held)
    assert TOKEN not in copies and "Here is my token ***" in copies
