"""Today's Azure in the app: each surface the local endpoint serves (Azure OpenAI v1, classic
deployments, Foundry Models, serverless, Llama 2 chat, the local profile), set up in the
sidebar as a person does it (pick the profile, paste the URL shape, type the deployment, pick
the auth, type the key or paste the Entra token, or use this machine's login through a local
managed-identity stand-in), and a streamed answer on every page that calls the endpoint.

The emulator takes the scripted engine's key and an Entra stand-in token (`--entra-token`);
its one deployment is `scripted-emulator`.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from streamlit.testing.v1 import AppTest

from core import PROFILES
from core.reply import ReplyStatus
from emulator.process import Emulator
from tests.helpers.app_driver import (
    BUILDER,
    CHAT,
    CHATBOT,
    TRANSLATOR,
    open_page,
    say,
    start_app,
    texts,
)
from tests.helpers.azure_emulator import TOKEN
from tests.helpers.managed_identity import managed_identity
from tests.helpers.surfaces import PAIRS, SURFACES, Surface, set_up
from ui.credentials import ENTRA_LOGIN, ENTRA_TOKEN

STREAMED = "Chat, streamed with temperature 0.9 (Llama 3.1, Mistral)"
# Where each surface's chat requests go, after the origin.
ROUTES = {
    "azure-v1": "/openai/v1/chat/completions",
    "azure-classic": "/openai/deployments/scripted-emulator/chat/completions"
    "?api-version=2024-10-21",
    "foundry-models": "/models/chat/completions?api-version=2024-05-01-preview",
    "serverless": "/chat/completions",
    "llama2-chat": "/v1/chat/completions",
    "local": "/chat/completions",
}
# How each auth choice shows in the request as sent (the secret masked).
SENT_AS = {
    "api-key": ("api-key", "***"),
    "bearer": ("Authorization", "Bearer ***"),
    "bare": ("Authorization", "***"),
    ENTRA_TOKEN: ("Authorization", "Bearer ***"),
    ENTRA_LOGIN: ("Authorization", "Bearer ***"),
}


@pytest.fixture
def identity(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[str]]:
    """This machine's Azure login: a local managed-identity endpoint that DefaultAzureCredential
    finds through the environment; the list of what it was asked (each names the scope)."""
    with managed_identity(TOKEN) as (env, asked):
        for name, value in env.items():
            monkeypatch.setenv(name, value)
        yield asked


def app_on(azure: Emulator, monkeypatch: pytest.MonkeyPatch, name: str, auth: str) -> AppTest:
    at = start_app(monkeypatch, azure.base_url, azure.api_key)
    return set_up(at, SURFACES[name], azure.base_url, auth, azure.api_key)


# Every surface, every auth, every page ------------------------------------------------------


@pytest.mark.parametrize(("name", "auth"), PAIRS)
def test_every_page_streams_an_answer_on_every_surface_with_every_auth(
    azure: Emulator,
    monkeypatch: pytest.MonkeyPatch,
    identity: list[str],
    name: str,
    auth: str,
) -> None:
    surface = SURFACES[name]
    at = app_on(azure, monkeypatch, name, auth)
    builder_streams(at, azure, surface, auth)
    chat_streams(at, surface)
    open_page(at, TRANSLATOR)
    at.button(key="btn_tr_translate").click().run()
    translation = at.session_state["tr_result"].reply
    assert translation.status == ReplyStatus.DONE, translation.error
    assert translation.text.startswith('You said: "')
    open_page(at, CHATBOT)
    say(at, "Remember the word aubergine")
    answer = at.session_state["mc_conversation"].turns[-1].answer.reply
    assert answer.status == ReplyStatus.DONE, answer.error
    assert answer.text.startswith('You said: "')
    assert (
        "Content filter: prompt safe; reply safe." in texts(at.main.caption)
    ) is surface.annotated
    if auth == ENTRA_LOGIN:
        assert identity and all("cognitiveservices.azure.com" in path for path in identity)
    else:
        assert not identity


def builder_streams(at: AppTest, azure: Emulator, surface: Surface, auth: str) -> None:
    """The Request Builder sends the streamed starter where the surface routes it, with the
    credential as picked, and the text arrives as a stream."""
    open_page(at, BUILDER)
    at.selectbox(key="rb_starter").select(STREAMED).run()
    at.button(key="btn_rb_send").click().run()
    entry = at.session_state["rb_history"][-1]
    assert entry.reply.status == ReplyStatus.DONE, entry.reply.error
    assert entry.exchange.is_stream and entry.exchange.status == 200
    assert entry.reply.text.startswith('You said: "What is good about Wuhan?"')
    sent = entry.exchange.request
    assert sent.url == azure.base_url + ROUTES[surface.profile]
    header, shown = SENT_AS[auth]
    assert sent.headers[header] == shown
    if surface.annotated:
        assert "Content filter" in [tab.label for tab in at.tabs]


def chat_streams(at: AppTest, surface: Surface) -> None:
    """Streaming Chat: the answer, its usage from the last chunk, the filter line."""
    open_page(at, CHAT)
    say(at, "Hello from the surface tests")
    reply = at.chat_message[-1]
    assert reply.markdown[0].value.startswith('You said: "Hello from the surface tests"')
    captions = texts(reply.caption)
    usage = at.session_state["chat_conversation"].turns[-1].answer.reply.usage
    assert usage["completion_tokens"] > 0 and f"usage {usage['prompt_tokens']} in" in captions
    assert ("Content filter: prompt safe; reply safe." in captions) is surface.annotated
    assert ("deployment scripted-emulator in local" in captions) is surface.service


# Pasting a URL ------------------------------------------------------------------------------

R = "https://res.openai.azure.com"
F = "https://res.services.ai.azure.com"
S = "https://llama-3-3-70b-xyz.eastus2.models.ai.azure.com"

# pasted -> (profile, URL kept, deployment, api-version, the one line shown)
SHAPES = [
    (f"{R}/openai/deployments/gpt-4o/chat/completions?api-version=2025-04-01-preview",
     ("azure-classic", R, "gpt-4o", "2025-04-01-preview",
      "Azure OpenAI classic deployment 'gpt-4o', api-version 2025-04-01-preview.")),
    (f"{R}/openai/deployments/my-chat/chat/completions",
     ("azure-classic", R, "my-chat", "2024-10-21",
      "Azure OpenAI classic deployment 'my-chat', api-version 2024-10-21 (none in the URL: "
      "the latest GA).")),
    (f"{R}/openai/v1/", ("azure-v1", R, "", "", f"Azure OpenAI v1 API at {R}/openai/v1.")),
    (f"{F}/models/chat/completions?api-version=2025-04-01",
     ("foundry-models", F, "", "2025-04-01",
      f"Foundry Models deployment at {F}/models, api-version 2025-04-01.")),
    (f"{S}/chat/completions", ("serverless", S, "", "", f"Serverless API at {S}.")),
    ("https://api.example.com/v1/chat/completions?x=1",
     ("openai", "https://api.example.com/v1/chat/completions", "", "",
      "Not a URL shape this playground knows: api.example.com is treated as an "
      "OpenAI-compatible server.")),
]  # fmt: skip


@pytest.mark.parametrize(("pasted", "expected"), SHAPES)
def test_a_pasted_url_picks_the_profile_and_fills_the_fields(
    app: AppTest, pasted: str, expected: tuple[str, str, str, str, str]
) -> None:
    app.text_input(key="sb_url").input(pasted).run()
    profile, url, deployment, version, line = expected
    state = app.session_state
    assert app.radio(key="sb_profile").value == profile
    assert app.text_input(key="sb_url").value == url
    assert state["sb_deployment"] == deployment
    assert state["sb_api_version"] == version
    recognised = [c.value for c in app.sidebar.caption if "travel_explore" in c.value]
    assert recognised == [f":material/travel_explore: {line}"]
    assert app.selectbox(key="sb_auth").value == PROFILES[profile].auth
    assert not app.exception


def test_a_url_that_fits_the_picked_profile_keeps_it(app: AppTest) -> None:
    app.radio(key="sb_profile").set_value("llama2-chat").run()
    app.text_input(key="sb_url").input(f"{S}/v1/chat/completions").run()
    assert app.session_state["sb_profile"] == "llama2-chat"
    assert "Kept the profile Llama 2 chat (native API, retired) (the URL fits it too)." in texts(
        app.sidebar.caption
    )
    app.radio(key="sb_profile").set_value("azure-classic").run()
    app.text_input(key="sb_url").input(f"{R}/").run()  # the resource: classic fits it too
    assert app.session_state["sb_profile"] == "azure-classic"
    app.text_input(key="sb_url").input(f"{R}/openai/v1").run()  # v1 named: v1 it is
    assert app.session_state["sb_profile"] == "azure-v1"
    assert app.selectbox(key="sb_auth").value == "api-key"


def test_the_profile_picker_shows_whole_names_and_marks_retired_ones(app: AppTest) -> None:
    picker = app.radio(key="sb_profile")
    labels = dict(zip(PROFILES, picker.options, strict=True))
    assert labels["llama2-text"] == "Llama 2 text (native API, retired)"
    assert labels["azure-v1"] == PROFILES["azure-v1"].label
    assert all(p.label in labels[pid] for pid, p in PROFILES.items())
    assert [pid for pid, label in labels.items() if "retired" in label] == [
        pid for pid, p in PROFILES.items() if p.retired
    ]


def test_the_generic_profile_takes_a_local_url_as_it_is_and_streams(
    app: AppTest, emulator: Emulator
) -> None:
    local = app.session_state["sb_url"]
    app.radio(key="sb_profile").set_value("openai").run()
    app.text_input(key="sb_url").input(local + "/v1").run()
    assert app.text_input(key="sb_url").value == local + "/v1"
    app.text_input(key="sb_key").input(emulator.api_key).run()  # the host's goes only to local
    open_page(app, CHAT)
    say(app, "Hello generic")
    assert app.chat_message[-1].markdown[0].value.startswith('You said: "Hello generic"')
    sent = app.session_state["chat_conversation"].turns[-1].answer.reply.request.sent
    assert sent.url == local + "/v1/chat/completions"


# The deployment -----------------------------------------------------------------------------


def test_listed_models_are_suggestions_and_the_field_stays_free_text(
    azure: Emulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    at = start_app(monkeypatch, azure.base_url, azure.api_key)
    at.radio(key="sb_profile").set_value("azure-v1").run()
    at.text_input(key="sb_url").input(azure.base_url + "/openai/v1").run()
    at.text_input(key="sb_key").input(azure.api_key).run()
    assert "This surface needs the deployment's name." in texts(at.sidebar.caption)
    at.button(key="btn_sb_list_models").click().run()
    shown = texts(at.sidebar.caption)
    assert "Listed: scripted-emulator." in shown and "model catalog, not your deployments" in shown
    at.selectbox(key="sb_model_pick").select("scripted-emulator").run()
    assert at.text_input(key="sb_deployment").value == "scripted-emulator"
    assert at.selectbox(key="sb_model_pick").value is None
    at.text_input(key="sb_deployment").input("my-own-name").run()  # free text still
    assert at.session_state["sb_deployment"] == "my-own-name"
    assert not at.exception


def test_the_deployment_and_api_version_stay_with_their_profile(app: AppTest) -> None:
    app.text_input(key="sb_url").input(f"{R}/openai/deployments/d1/chat/completions").run()
    app.text_input(key="sb_api_version").input("2024-06-01").run()
    app.radio(key="sb_profile").set_value("llama2-chat").run()  # no deployment field here
    assert "sb_deployment" not in [t.key for t in app.sidebar.text_input]
    app.radio(key="sb_profile").set_value("azure-classic").run()
    assert app.text_input(key="sb_deployment").value == "d1"
    assert app.text_input(key="sb_api_version").value == "2024-06-01"
    app.pills(key="sb_version_pick").set_value("2025-04-01-preview").run()
    assert app.text_input(key="sb_api_version").value == "2025-04-01-preview"
