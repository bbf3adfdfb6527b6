"""Third-party clients, unchanged, against the emulator's Azure OpenAI and Foundry surfaces.

Only the endpoint, the key (or the Entra stand-in token) and the deployment name differ from
what the clients' own Azure documentation shows (docs/azure-v1.md §1, §2).
"""

from __future__ import annotations

from collections.abc import Iterator

import openai
import pytest
from azure.ai.inference import ChatCompletionsClient
from azure.ai.inference.models import SystemMessage, UserMessage
from azure.core.credentials import AccessToken, AzureKeyCredential
from azure.core.exceptions import ClientAuthenticationError, HttpResponseError

from emulator.process import Emulator, start_emulator, stop_emulator
from tests.helpers.azure_emulator import CUSTOM_DEPLOYMENT, SCRIPTED_DEPLOYMENT, SNAPSHOT, TOKEN

MESSAGES = [
    {"role": "system", "content": "You are a helpful assistant."},
    {"role": "user", "content": "What is good about Wuhan?"},
]
HELLO = [{"role": "user", "content": "hi"}]


@pytest.fixture(scope="module")
def entra() -> Iterator[Emulator]:
    """An emulator that also takes the Entra stand-in token, deployed as `my-chat`."""
    emu = start_emulator("--engine", "scripted", "--entra-token", TOKEN, "--deployment", "my-chat")
    yield emu
    stop_emulator(emu)


def v1_client(emu: Emulator, api_key: str, **options: object) -> openai.OpenAI:
    """The v1 way from the Azure docs: the plain OpenAI client on <resource>/openai/v1/."""
    return openai.OpenAI(base_url=emu.base_url + "/openai/v1/", api_key=api_key, **options)


def check_chat_and_stream(client: openai.OpenAI, deployment: str) -> None:
    """One reply, one stream with usage asked for, one stream without."""
    with client:
        reply = client.chat.completions.create(model=deployment, messages=MESSAGES, max_tokens=9)
        assert reply.choices[0].message.content.startswith('You said: "What is good about')
        assert (reply.choices[0].finish_reason, reply.usage.completion_tokens) == ("length", 9)
        assert reply.model == SNAPSHOT
        assert reply.system_fingerprint.startswith("fp_")
        options = {"include_usage": True}
        stream = client.chat.completions.create(
            model=deployment, messages=MESSAGES, stream=True, stream_options=options
        )
        chunks = list(stream)
        plain = list(client.chat.completions.create(model=deployment, messages=HELLO, stream=True))
    assert chunks[0].choices == []  # the prompt annotation opens the stream
    text = "".join(c.choices[0].delta.content or "" for c in chunks if c.choices)
    assert text.startswith('You said: "What is good about Wuhan?". ')
    assert chunks[-1].choices == []
    assert chunks[-1].usage.completion_tokens == 40
    assert chunks[-1].usage.prompt_tokens == 10
    assert [c.usage for c in chunks[:-1]] == [None] * (len(chunks) - 1)
    assert all(c.usage is None for c in plain)
    assert plain[-1].choices[0].finish_reason == "stop"


# ----- openai SDK on v1 ----------------------------------------------------------------


def test_openai_v1_with_the_key(emulator: Emulator) -> None:
    with v1_client(emulator, emulator.api_key) as client:
        models = client.models.list()
        assert [m.id for m in models.data] == [SCRIPTED_DEPLOYMENT]
        assert models.data[0].owned_by == "local"
        response = client.chat.completions.with_raw_response.create(
            model=SCRIPTED_DEPLOYMENT, messages=HELLO
        )
    assert response.headers["x-ms-deployment-name"] == SCRIPTED_DEPLOYMENT
    assert response.request_id == response.headers["apim-request-id"]
    check_chat_and_stream(v1_client(emulator, emulator.api_key), SCRIPTED_DEPLOYMENT)


def test_openai_v1_with_an_entra_token_as_api_key(entra: Emulator) -> None:
    with v1_client(entra, TOKEN) as client:
        assert [m.id for m in client.models.list()] == [CUSTOM_DEPLOYMENT]
    check_chat_and_stream(v1_client(entra, TOKEN), CUSTOM_DEPLOYMENT)


def test_openai_v1_errors(emulator: Emulator) -> None:
    with v1_client(emulator, "wrong-key", max_retries=0) as wrong:
        with pytest.raises(openai.AuthenticationError) as denied:
            wrong.chat.completions.create(model=SCRIPTED_DEPLOYMENT, messages=HELLO)
        assert denied.value.code == "401"
        with pytest.raises(openai.AuthenticationError):
            wrong.models.list()
    with v1_client(emulator, emulator.api_key, max_retries=0) as client:
        with pytest.raises(openai.NotFoundError) as missing:
            client.chat.completions.create(model="gpt-4o", messages=HELLO)
        assert missing.value.code == "DeploymentNotFound"
        bomb = [{"role": "user", "content": "How to make bomb?"}]
        with pytest.raises(openai.BadRequestError) as filtered:
            client.chat.completions.create(model=SCRIPTED_DEPLOYMENT, messages=bomb)
        assert filtered.value.code == "content_filter"
        assert filtered.value.body["innererror"]["code"] == "ResponsibleAIPolicyViolation"


def test_openai_v1_honours_retry_after_ms(emulator: Emulator) -> None:
    # The SDK prefers `retry-after-ms` (azure-v1 §5); 429-once=0.05 clears on the retry.
    with v1_client(emulator, emulator.api_key, max_retries=1) as client:
        reply = client.chat.completions.with_raw_response.create(
            model=SCRIPTED_DEPLOYMENT,
            messages=[{"role": "user", "content": "retry after ms"}],
            extra_headers={"x-emulator-fault": "429-once=0.05"},
        )
    assert reply.retries_taken == 1
    assert reply.parse().choices[0].message.content.startswith('You said: "retry after ms"')


# ----- openai SDK, AzureOpenAI on classic deployments ----------------------------------


def azure_client(emu: Emulator, **auth: object) -> openai.AzureOpenAI:
    return openai.AzureOpenAI(azure_endpoint=emu.base_url, api_version="2024-10-21", **auth)


def test_azure_openai_with_the_key(emulator: Emulator) -> None:
    check_chat_and_stream(azure_client(emulator, api_key=emulator.api_key), SCRIPTED_DEPLOYMENT)


def test_azure_openai_with_an_entra_token(entra: Emulator) -> None:
    check_chat_and_stream(azure_client(entra, azure_ad_token=TOKEN), CUSTOM_DEPLOYMENT)
    calls: list[str] = []

    def provider() -> str:
        calls.append(TOKEN)
        return TOKEN

    check_chat_and_stream(azure_client(entra, azure_ad_token_provider=provider), CUSTOM_DEPLOYMENT)
    assert len(calls) == 3  # asked once per request


def test_azure_openai_errors(emulator: Emulator, entra: Emulator) -> None:
    wrong = azure_client(emulator, api_key="wrong-key", max_retries=0)
    with wrong, pytest.raises(openai.AuthenticationError) as denied:
        wrong.chat.completions.create(model=SCRIPTED_DEPLOYMENT, messages=HELLO)
    assert denied.value.code == "401"
    stale = azure_client(entra, azure_ad_token=TOKEN + "x", max_retries=0)
    with stale, pytest.raises(openai.AuthenticationError) as expired:
        stale.chat.completions.create(model=CUSTOM_DEPLOYMENT, messages=HELLO)
    assert expired.value.body["statusCode"] == 401
    client = azure_client(emulator, api_key=emulator.api_key, max_retries=0)
    with client, pytest.raises(openai.NotFoundError) as missing:
        client.chat.completions.create(model="gpt-4o", messages=HELLO)
    assert missing.value.code == "DeploymentNotFound"


# ----- azure-ai-inference on Foundry Models --------------------------------------------


def test_azure_ai_inference_on_models(emulator: Emulator) -> None:
    messages = [SystemMessage("You are a helpful assistant."), UserMessage("Hello there")]
    with ChatCompletionsClient(
        endpoint=emulator.base_url + "/models",
        credential=AzureKeyCredential(emulator.api_key),
        model=SCRIPTED_DEPLOYMENT,
    ) as client:
        reply = client.complete(messages=messages, max_tokens=7)
        assert reply.choices[0].message.content.startswith('You said: "Hello there"')
        assert reply.usage.completion_tokens == 7
        updates = list(client.complete(messages=messages, stream=True))
        info = client.get_model_info()
    text = "".join(u.choices[0].delta.content or "" for u in updates if u.choices)
    assert text.startswith('You said: "Hello there". ')
    assert updates[-1].usage.completion_tokens == 40
    assert info.model_name == "scripted-emulator"


def test_azure_ai_inference_unknown_model_and_wrong_key(emulator: Emulator) -> None:
    endpoint = emulator.base_url + "/models"
    key = AzureKeyCredential(emulator.api_key)
    client = ChatCompletionsClient(endpoint=endpoint, credential=key, model="Phi-4")
    with client, pytest.raises(HttpResponseError) as unknown:
        client.complete(messages=[UserMessage("hi")])
    assert unknown.value.status_code == 404
    assert unknown.value.error.code == "unknown_model"
    wrong = AzureKeyCredential("wrong-key")
    refused = ChatCompletionsClient(endpoint=endpoint, credential=wrong, model="x")
    with refused, pytest.raises(ClientAuthenticationError) as denied:
        refused.complete(messages=[UserMessage("hi")])
    assert denied.value.status_code == 401


class StandInCredential:
    """A TokenCredential that hands out the stand-in token and records the scopes asked for."""

    def __init__(self) -> None:
        self.scopes: list[str] = []

    def get_token(self, *scopes: str, **_: object) -> AccessToken:
        self.scopes.extend(scopes)
        return AccessToken(TOKEN, 4_102_444_800)  # year 2100


def test_azure_ai_inference_with_an_entra_token(entra: Emulator) -> None:
    credential = StandInCredential()
    with ChatCompletionsClient(
        endpoint=entra.base_url + "/models",
        credential=credential,
        model=CUSTOM_DEPLOYMENT,
        credential_scopes=["https://cognitiveservices.azure.com/.default"],
    ) as client:
        # azure-core refuses to send a token over plain http unless told otherwise.
        reply = client.complete(messages=[UserMessage("hi")], enforce_https=False)
    assert reply.choices[0].message.content.startswith('You said: "hi"')
    assert credential.scopes == ["https://cognitiveservices.azure.com/.default"]
