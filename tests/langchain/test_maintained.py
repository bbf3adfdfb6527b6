"""The maintained backend: langchain-azure-ai's `AzureAIOpenAIApiChatModel` built by
`core.langchain.maintained`, against the emulator's Azure OpenAI v1 surface over real HTTP.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator
from typing import Any

import pytest
from langchain_azure_ai.chat_models import AzureAIOpenAIApiChatModel
from langchain_core.callbacks import BaseCallbackHandler

from core import (
    APIStatusError,
    AuthenticationError,
    BlockedHostError,
    ConnectError,
    ContentFilterError,
    Endpoint,
    EndpointError,
    HostPolicy,
    InterruptedStreamError,
    InvalidRequestError,
    NotFoundError,
    RateLimitError,
    ServerError,
)
from core.azure_v1 import V1Url, v1_base
from core.langchain import ChatAzureServerless, RequestRecorder, translate_lines, translator_chain
from core.langchain.maintained import maintained_chat_model
from core.langchain.maintained_errors import maintained_error
from emulator.process import Emulator, free_port, start_emulator, stop_emulator
from tests.helpers.azure_emulator import SCRIPTED_DEPLOYMENT, TOKEN
from tests.helpers.raw_server import RawServer, response

INPUTS = {"input_language": "English", "output_language": "French", "input_content": "Good day"}
BLOCKED = "How to make bomb?"  # the emulator's content filter blocks it (400)


@pytest.fixture(scope="module")
def entra() -> Iterator[Emulator]:
    """An emulator that also takes the Entra stand-in token."""
    emu = start_emulator("--engine", "scripted", "--entra-token", TOKEN)
    yield emu
    stop_emulator(emu)


def endpoint(emulator: Emulator, *headers: tuple[str, str], **options: Any) -> Endpoint:
    return Endpoint(emulator.base_url, key=emulator.api_key, headers=headers, **options)


def build(emulator: Emulator, *headers: tuple[str, str], **params: Any) -> Any:
    return maintained_chat_model(endpoint(emulator, *headers), SCRIPTED_DEPLOYMENT, **params)


def failure(call: Any) -> BaseException:
    with pytest.raises(Exception) as caught:
        call()
    return caught.value


# The v1 base URL -------------------------------------------------------------------------------

RES = "https://res.openai.azure.com"


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        (RES, V1Url(RES + "/openai/v1", "")),
        (RES + "/", V1Url(RES + "/openai/v1", "")),
        (RES + "/openai", V1Url(RES + "/openai/v1", "")),
        (RES + "/openai/v1/", V1Url(RES + "/openai/v1", "")),
        (RES + "/openai/v1/chat/completions", V1Url(RES + "/openai/v1", "")),
        (RES + "/openai/v1/models", V1Url(RES + "/openai/v1", "")),
        (
            RES + "/openai/deployments/my-chat/chat/completions",
            V1Url(RES + "/openai/v1", "my-chat"),
        ),
        (
            "https://r.services.ai.azure.com/api/projects/p",
            V1Url("https://r.services.ai.azure.com/api/projects/p/openai/v1", ""),
        ),
        (
            "https://r.services.ai.azure.com/api/projects/p/openai/v1/responses",
            V1Url("https://r.services.ai.azure.com/api/projects/p/openai/v1", ""),
        ),
        (
            "https://r.services.ai.azure.com/models/chat/completions",
            V1Url("https://r.services.ai.azure.com/openai/v1", ""),
        ),
        ("http://127.0.0.1:8765/v1/chat/completions", V1Url("http://127.0.0.1:8765/openai/v1", "")),
    ],
)
def test_v1_base_reduces_every_resource_url(url: str, expected: V1Url) -> None:
    assert v1_base(url) == expected


@pytest.mark.parametrize(
    "url",
    [RES + "/score", RES + "/openai/v2", RES + "/openai/deployments/", RES + "/openaix", "ftp://h"],
)
def test_v1_base_refuses_other_paths(url: str) -> None:
    with pytest.raises(InvalidRequestError):
        v1_base(url)


# What it sends ---------------------------------------------------------------------------------


def test_invoke_sends_the_v1_request_and_records_it(emulator: Emulator) -> None:
    recorder = RequestRecorder()
    model = build(
        emulator,
        ("x-trace", "t-1"),
        ("api-key", "typed-key"),  # the credential wins: a typed key header is not sent
        on_request=recorder.add,
        max_tokens=6,
        temperature=0.3,
        stop="never\n",
        seed=None,
        n=1,
    )
    assert isinstance(model, AzureAIOpenAIApiChatModel)
    reply = model.invoke("Hello there")
    assert reply.content == 'You said: "Hello there". Later, the'
    assert reply.response_metadata["finish_reason"] == "length"
    assert reply.usage_metadata is not None and reply.usage_metadata["output_tokens"] == 6
    (sent,) = recorder.requests
    assert sent["method"] == "POST"
    assert sent["url"] == emulator.base_url + "/openai/v1/chat/completions"
    assert sent["headers"]["authorization"] == "Bearer ***"
    assert sent["headers"]["x-trace"] == "t-1"
    assert "api-key" not in {name.lower() for name in sent["headers"]}
    # max_tokens goes as max_completion_tokens; `n` has no field, so it rides in the body.
    assert sent["body"] == {
        "model": SCRIPTED_DEPLOYMENT,
        "stream": False,
        "messages": [{"content": "Hello there", "role": "user"}],
        "max_completion_tokens": 6,
        "stop": ["never"],
        "temperature": 0.3,
        "n": 1,
    }
    assert emulator.api_key not in json.dumps(sent)


class Serialized(BaseCallbackHandler):
    """Keeps the serialized model every callback (and so every tracer) receives."""

    def __init__(self) -> None:
        self.seen: list[Any] = []

    def on_chat_model_start(self, serialized: Any, *args: Any, **kwargs: Any) -> None:
        self.seen.append(serialized)


def test_the_key_is_not_in_the_models_repr_or_what_tracers_see(emulator: Emulator) -> None:
    handler = Serialized()
    model = build(emulator, max_tokens=3)
    model.invoke("Hi", config={"callbacks": [handler]})
    assert handler.seen
    assert emulator.api_key not in repr(model) + json.dumps(handler.seen, default=str)
    # The class's own `credential=` is a plain field: why neither the factory nor the
    # exported code use it.
    plain = AzureAIOpenAIApiChatModel(
        endpoint=emulator.base_url + "/openai/v1",
        credential=emulator.api_key,
        model=SCRIPTED_DEPLOYMENT,
        use_responses_api=False,
    )
    assert emulator.api_key in repr(plain)


def test_a_chain_streams_tokens_and_usage(emulator: Emulator) -> None:
    recorder = RequestRecorder()
    model = build(emulator, on_request=recorder.add, max_tokens=8)
    pieces = list(translator_chain(model).stream(INPUTS))
    assert len([p for p in pieces if p]) == 8
    assert "".join(pieces).startswith('You said: "You are a Translator.')
    assert recorder.last is not None
    assert recorder.last["body"]["stream_options"] == {"include_usage": True}
    chunks = list(model.stream("Hello there"))
    full = chunks[0]
    for chunk in chunks[1:]:
        full += chunk
    assert full.usage_metadata is not None
    assert full.usage_metadata["output_tokens"] == 8
    quiet = list(build(emulator, max_tokens=8, stream_usage=False).stream("Hello there"))
    assert all(c.usage_metadata is None for c in quiet)  # v1 sends usage only when asked
    assert "".join(c.content for c in quiet) == full.content


def test_the_deployment_comes_from_the_argument_or_a_classic_url(emulator: Emulator) -> None:
    classic = Endpoint(
        emulator.base_url + f"/openai/deployments/{SCRIPTED_DEPLOYMENT}/chat/completions",
        key=emulator.api_key,
    )
    assert maintained_chat_model(classic, max_tokens=3).invoke("Hi").content == 'You said: "Hi".'
    with pytest.raises(InvalidRequestError, match="Name the deployment"):
        maintained_chat_model(endpoint(emulator))
    wrong = maintained_chat_model(endpoint(emulator), "other")
    assert isinstance(maintained_error(failure(lambda: wrong.invoke("Hi")), classic), NotFoundError)


def test_an_entra_token_or_a_token_provider_is_sent_as_bearer(entra: Emulator) -> None:
    by_token = Endpoint(entra.base_url, key=TOKEN)
    assert maintained_chat_model(by_token, SCRIPTED_DEPLOYMENT, max_tokens=3).invoke("Hi").content
    calls: list[int] = []

    def provider() -> str:
        calls.append(1)
        return TOKEN

    no_key = Endpoint(entra.base_url)
    model = maintained_chat_model(no_key, SCRIPTED_DEPLOYMENT, token_provider=provider)
    model.invoke("Hi")
    list(model.stream("Hi"))
    assert len(calls) == 2  # a token for each request
    with pytest.raises(InvalidRequestError, match="key is empty"):
        maintained_chat_model(no_key, SCRIPTED_DEPLOYMENT)


def test_async_calls_are_recorded(emulator: Emulator) -> None:
    recorder = RequestRecorder()
    model = build(emulator, on_request=recorder.add, max_tokens=4)

    async def both() -> tuple[Any, list[Any]]:
        return await model.ainvoke("Hi"), [c async for c in model.astream("Hi")]

    reply, chunks = asyncio.run(both())
    assert reply.content == "".join(c.content for c in chunks) == 'You said: "Hi". Later,'
    assert [r["body"]["stream"] for r in recorder.requests] == [False, True]


def test_a_batch_translation_keeps_order_and_errors(emulator: Emulator) -> None:
    recorder = RequestRecorder()
    model = build(emulator, on_request=recorder.add, max_tokens=12)
    lines = ["one", BLOCKED, "three"]
    results = translate_lines(model, lines, "English", "German", max_concurrency=2)
    assert [r.source for r in results] == lines
    assert results[0].text and results[2].text
    assert results[1].error is not None
    assert isinstance(maintained_error(results[1].error, endpoint(emulator)), ContentFilterError)
    assert len(recorder.requests) == 3


# Hosts and redirects -------------------------------------------------------------------------


def test_the_host_allow_list_is_checked_before_sending(emulator: Emulator) -> None:
    with pytest.raises(BlockedHostError):
        build(emulator, hosts=HostPolicy(("*.openai.azure.com",)))


def test_a_redirect_is_refused_and_nothing_reaches_its_target() -> None:
    target = RawServer(lambda r: response("200 OK", b"{}"))
    hop = RawServer(lambda r: response("307 Temporary Redirect", b"", location=target.url + r.path))
    try:
        model = maintained_chat_model(Endpoint(hop.url, key="key-0123"), "d")
        for call in (lambda: model.invoke("Hi"), lambda: list(model.stream("Hi"))):
            error = maintained_error(failure(call), Endpoint(hop.url, key="key-0123"))
            assert isinstance(error, APIStatusError) and error.status_code == 307
        assert len(hop.posts) == 2
        assert target.requests == []
    finally:
        hop.close()
        target.close()


# Failures, as the adapter reports them ----------------------------------------------------------


def adapter_on_v1(emulator: Emulator, *headers: tuple[str, str], **fields: Any) -> Any:
    """The adapter on the same v1 route, to compare errors with."""
    return ChatAzureServerless(
        endpoint_url=emulator.base_url + "/openai/v1/chat/completions",
        api_key=emulator.api_key,
        model=SCRIPTED_DEPLOYMENT,
        headers=dict(headers),
        **fields,
    )


def streamed_failure(model: Any) -> tuple[BaseException, str]:
    received = ""
    with pytest.raises(Exception) as caught:
        for chunk in model.stream("Hello there"):
            received += chunk.content
    return caught.value, received


@pytest.mark.parametrize(
    ("fault", "kind"),
    [
        ("401", AuthenticationError),
        ("429=3", RateLimitError),
        ("500", ServerError),
        ("cut", InterruptedStreamError),
        ("stall=3", InterruptedStreamError),
        ("error-event", InterruptedStreamError),
        ("content-filter-output", ContentFilterError),
    ],
)
def test_stream_failures_match_the_adapters(emulator: Emulator, fault: str, kind: type) -> None:
    header = ("x-emulator-fault", fault)
    ours = endpoint(emulator, header, read_timeout=1.5)
    exc, received = streamed_failure(maintained_chat_model(ours, SCRIPTED_DEPLOYMENT))
    error = maintained_error(exc, ours, partial_text=received)
    adapter_error, adapter_received = streamed_failure(adapter_on_v1(emulator, header, timeout=1.5))
    assert type(error) is kind is type(adapter_error)
    assert str(error) == str(adapter_error)
    assert received == adapter_received
    assert getattr(error, "partial_text", "") == received
    if kind is RateLimitError:
        assert error.retry_after == 3.0
    if kind is InterruptedStreamError or kind is ContentFilterError:
        assert received == 'You said: "Hello'


def test_a_closed_port_reads_as_the_adapters_connect_error(emulator: Emulator) -> None:
    closed = Endpoint(f"http://127.0.0.1:{free_port()}", key="key-0123")
    exc = failure(lambda: maintained_chat_model(closed, "d").invoke("Hi"))
    error = maintained_error(exc, closed)
    adapter = ChatAzureServerless(endpoint_url=closed.url, api_key="key-0123")
    assert isinstance(error, ConnectError)
    assert str(error) == str(failure(lambda: adapter.invoke("Hi")))


def test_keys_never_reach_the_message(emulator: Emulator) -> None:
    key = "wrong-key-0123456789"
    wrong = Endpoint(emulator.base_url, key=key)
    exc = failure(lambda: maintained_chat_model(wrong, SCRIPTED_DEPLOYMENT).invoke("Hi"))
    error = maintained_error(exc, wrong)
    assert isinstance(error, AuthenticationError)
    assert key not in str(error)
    other = maintained_error(ValueError(f"odd {key}"), wrong)
    assert type(other) is EndpointError
    assert key not in str(other)


def test_429_and_503_are_retried_through_core(emulator: Emulator) -> None:
    notices: list[Any] = []
    recorder = RequestRecorder()
    options: dict[str, Any] = {"max_retries": 2, "on_retry": notices.append}
    options["retry_sleep"] = lambda seconds: None
    once = build(emulator, ("x-emulator-fault", "503-once"), on_request=recorder.add, **options)
    assert once.invoke("Hi").content.startswith('You said: "Hi".')
    assert [n.retry for n in notices] == [1]
    assert len(recorder.requests) == 2
    notices.clear()
    always = build(emulator, ("x-emulator-fault", "429=0"), **options)
    exc = failure(lambda: list(always.stream("Hi")))
    assert isinstance(maintained_error(exc, endpoint(emulator)), RateLimitError)
    assert [n.retry for n in notices] == [1, 2]
