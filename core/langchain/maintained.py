"""The maintained backend: Microsoft's `AzureAIOpenAIApiChatModel` (langchain-azure-ai) on an
Azure OpenAI v1 endpoint, set up so that the playground's rules hold.

    recorder = RequestRecorder()
    model = maintained_chat_model(endpoint, "my-chat", hosts=policy, on_request=recorder.add,
                                  temperature=0.2, max_tokens=200)
    for piece in translator_chain(model).stream(inputs): ...

What the factory decides (each line of `maintained_code` says the same to the reader):

- **URL**: any URL of the resource reduces to `<resource>/openai/v1` (`core.azure_v1`); the
  deployment is the body's `model`, from the argument or a classic deployment URL.
- **Auth**: the openai client always sends `Authorization: Bearer <credential>`, which v1
  takes for a key and for an Entra token alike, so the endpoint's key field may hold either;
  `token_provider` (azure-identity's `get_bearer_token_provider`) fetches a token per request.
  Either goes in as `api_key`, a secret: the class's own `credential=` is a plain field that
  shows in the model's repr and in the serialized model every callback and tracer receives.
  The auth style and `extra-parameters` settings do not apply to v1.
- **Chat completions**: `use_responses_api=False` (the class defaults to the Responses API).
- **max_tokens** is sent as `max_completion_tokens`, the class's own mapping and the only form
  newer Azure OpenAI models take (`docs/azure-v1.md` §3); parameters the class has no field for
  go into the body verbatim (`extra_body`).
- **Usage when streaming**: `stream_usage=True` asks for `stream_options.include_usage`.
- **HTTP**: our own httpx clients, so the class's own client is never built: redirects are
  refused (`follow_redirects=False`), every request is recorded as sent (key redacted) through
  `on_request`, timeouts come from the endpoint, and the openai client's retries are off; 429
  and 503 are retried here by `core.call_with_retries` when `max_retries` > 0, telling the page
  through `on_retry` and waiting through `retry_sleep`, before any body byte is read. Sync
  requests share one connection pool per process (`shared_client`).
- **Finish**: a reply cut by content safety (`finish_reason: content_filter`) raises
  ContentFilterError, as the adapter does; other failures are openai exceptions, which
  `maintained_errors.maintained_error` maps to `core.errors`.

langchain-azure-ai (and so openai) loads only when this module is imported.
"""

from __future__ import annotations

import atexit
import functools
import ssl
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import httpx
from langchain_azure_ai.chat_models import (  # type: ignore[import-untyped]  # no py.typed
    AzureAIOpenAIApiChatModel,
)
from langchain_core.callbacks import BaseCallbackHandler
from langchain_core.outputs import LLMResult

from .. import errors
from ..azure_v1 import v1_base
from ..config import Endpoint
from ..failures import error_from_response
from ..headers import FRAMING_HEADERS, KEY_HEADERS
from ..hosts import HostPolicy
from ..params import clean_params
from ..records import Exchange, SentRequest
from ..redact import Redactor
from ..retry import RetryNotice, RetryPolicy, call_with_retries
from ..streams import completion_from_json
from .recorder import recorded

#: The sidebar's parameters that are fields of the class; any other goes into `extra_body`.
FIELDS = (
    "temperature",
    "top_p",
    "max_tokens",
    "stop",
    "seed",
    "presence_penalty",
    "frequency_penalty",
)
RETRIED = (429, 503)  # the statuses `core.retry` retries: the request was not served
TokenProvider = Callable[[], str]
OnRequest = Callable[[dict[str, Any]], None]


def maintained_chat_model(
    endpoint: Endpoint,
    deployment: str = "",
    *,
    token_provider: TokenProvider | None = None,
    hosts: HostPolicy | None = None,
    on_request: OnRequest | None = None,
    max_retries: int = 0,
    on_retry: Callable[[RetryNotice], None] | None = None,
    retry_sleep: Callable[[float], None] | None = None,
    stream_usage: bool = True,
    **params: Any,
) -> AzureAIOpenAIApiChatModel:
    """An `AzureAIOpenAIApiChatModel` for the v1 API of `endpoint`'s resource (see the module).

    `deployment` is the body's `model` (default: the one a classic deployment URL names).
    The credential is `token_provider` when given, else the endpoint's key (a key or an Entra
    token). `params` are the sidebar's sampling parameters; None and "" are skipped.
    Raises InvalidRequestError (no deployment, no credential, a URL with no v1 form) and
    BlockedHostError before anything is sent.
    """
    base, named = v1_base(endpoint.url)
    model_name = deployment.strip() or named
    if not model_name:
        raise errors.InvalidRequestError(
            "Name the deployment: Azure OpenAI v1 routes each request by the deployment name "
            "in the body's `model` (Azure portal, Deployments)."
        )
    if hosts is not None:
        hosts.check(base)
    credential: str | TokenProvider = token_provider or endpoint.key.reveal()
    if not credential:
        raise errors.InvalidRequestError(
            "The key is empty: paste the resource's key, or an Entra token, in the sidebar."
        )
    record = _record_with(Redactor(endpoint.key.reveal()), on_request)
    retry = _Retry(RetryPolicy(attempts=max_retries), on_retry, retry_sleep or time.sleep)
    fields, extra = _split(params)
    return AzureAIOpenAIApiChatModel(
        endpoint=base,
        api_key=credential,
        model=model_name,
        use_responses_api=False,
        stream_usage=stream_usage,
        timeout=httpx.Timeout(endpoint.read_timeout, connect=endpoint.connect_timeout),
        max_retries=0,
        default_headers=typed_headers(endpoint),
        default_query={"api-version": endpoint.api_version} if endpoint.api_version else None,
        http_client=PlaygroundClient(record, retry if max_retries > 0 else None),
        http_async_client=PlaygroundAsyncClient(record),
        extra_body=extra or None,
        callbacks=[FinishCheck()],
        **fields,
    )


def typed_headers(endpoint: Endpoint) -> dict[str, str]:
    """The endpoint's extra headers, without key headers (the credential wins: two keys would
    go) and framing headers (httpx sets those itself)."""
    skipped = KEY_HEADERS | FRAMING_HEADERS
    return {name: value for name, value in endpoint.headers if name.lower() not in skipped}


def _split(params: Mapping[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """(class fields, body extras) from the sidebar's parameters that are set."""
    kept = clean_params(params)
    fields = {name: value for name, value in kept.items() if name in FIELDS}
    return fields, {name: value for name, value in kept.items() if name not in FIELDS}


def _record_with(
    redactor: Redactor, on_request: OnRequest | None
) -> Callable[[httpx.Request], None]:
    """An httpx request hook that hands each request, as sent, to `on_request`."""

    def record(request: httpx.Request) -> None:
        if on_request is not None:
            headers = [(k.decode("latin-1"), v.decode("latin-1")) for k, v in request.headers.raw]
            url = str(request.url)
            on_request(recorded(request.method, url, headers, request.read(), redactor))

    return record


@dataclass(frozen=True)
class _Retry:
    """429/503 retries around one send, by `core.call_with_retries`, before the body is read."""

    policy: RetryPolicy
    on_retry: Callable[[RetryNotice], None] | None
    sleep: Callable[[float], None]

    def send(self, attempt: Callable[[], httpx.Response]) -> httpx.Response:
        """The first answer that is not 429/503, or the last one when retries run out (the
        openai client then raises its own error for it)."""
        refused: list[httpx.Response] = []

        def once() -> httpx.Response:
            response = attempt()
            if response.status_code not in RETRIED:
                return response
            response.read()
            response.close()
            refused.append(response)
            headers = {k.lower(): v for k, v in response.headers.items()}
            raise error_from_response(response.status_code, headers, response.text)

        try:
            return call_with_retries(once, self.policy, on_retry=self.on_retry, sleep=self.sleep)
        except errors.APIStatusError:
            if refused:
                return refused[-1]
            raise


class PlaygroundClient(httpx.Client):
    """The sync client the model gets: each request recorded, 429/503 retried when asked, and
    sent through `shared_client()` without following redirects.

    It opens no connection of its own, so a model built per request leaves none behind, and
    the page's requests reuse the shared client's connections.
    """

    def __init__(self, record: Callable[[httpx.Request], None], retry: _Retry | None) -> None:
        super().__init__(transport=_Unused(), follow_redirects=False)
        self._record = record
        self._retry = retry

    def send(self, request: httpx.Request, **kwargs: Any) -> httpx.Response:
        """Record and send `request` (retrying per the page's policy when there is one)."""
        kwargs["follow_redirects"] = False

        def attempt() -> httpx.Response:
            self._record(request)
            return shared_client().send(request, **kwargs)

        return attempt() if self._retry is None else self._retry.send(attempt)


class _Unused(httpx.BaseTransport):
    """The transport a PlaygroundClient never uses (it sends through the shared client)."""

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        raise RuntimeError("PlaygroundClient sends through shared_client()")


@functools.cache
def shared_client() -> httpx.Client:
    """The one connection pool of the maintained backend in this process, closed at exit.

    httpx clients are thread-safe; redirects are never followed; proxies come from the
    environment, as for the adapter's `requests`.
    """
    client = httpx.Client(verify=tls_context(), follow_redirects=False)
    atexit.register(client.close)
    return client


class PlaygroundAsyncClient(httpx.AsyncClient):
    """The async client (`ainvoke`, `astream`): no redirects, each request recorded, no retries.

    It keeps no idle connection: one could not be closed once its event loop is gone.
    """

    def __init__(self, record: Callable[[httpx.Request], None]) -> None:
        async def arecord(request: httpx.Request) -> None:
            record(request)

        super().__init__(
            verify=tls_context(),
            follow_redirects=False,
            event_hooks={"request": [arecord]},
            limits=httpx.Limits(max_keepalive_connections=0),
        )


@functools.cache
def tls_context() -> ssl.SSLContext:
    """One TLS context for every client (building one reads the CA bundle: about 20 ms)."""
    return httpx.create_ssl_context()


class FinishCheck(BaseCallbackHandler):
    """Raises ContentFilterError when content safety cut the reply (HTTP 200 with
    `finish_reason: content_filter`), keeping the text that came before, as the adapter does."""

    raise_error = True

    def on_llm_end(self, response: LLMResult, **kwargs: Any) -> None:
        """Check each generation's finish reason."""
        for generations in response.generations:
            for generation in generations:
                info = generation.generation_info or {}
                message = getattr(generation, "message", None)
                metadata = getattr(message, "response_metadata", {})
                finish = info.get("finish_reason") or metadata.get("finish_reason")
                if finish == "content_filter":
                    # core's own reading of a finished reply raises the adapter's error.
                    choice = {"message": {"content": generation.text}, "finish_reason": finish}
                    completion_from_json({"choices": [choice]}, _NOTHING_SENT)


_NOTHING_SENT = Exchange(SentRequest("POST", "", {}, ""))

__all__ = [
    "FIELDS",
    "FinishCheck",
    "PlaygroundAsyncClient",
    "PlaygroundClient",
    "maintained_chat_model",
    "shared_client",
    "tls_context",
    "typed_headers",
]
