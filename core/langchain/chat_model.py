"""`ChatAzureServerless`: a LangChain chat model over `core.Client`.

    model = ChatAzureServerless.from_endpoint(endpoint, profile="local", temperature=0.2)
    model.invoke("Hello").content

A thin `BaseChatModel` (`_generate`, `_stream`, `_llm_type`, `_identifying_params`): all HTTP
goes through `core.Client`, so the typed errors of `core.errors` reach the caller unchanged,
and each reply carries the request as sent in `response_metadata["request"]`.
"""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from typing import Any, TypeVar

from langchain_core.callbacks import CallbackManagerForLLMRun
from langchain_core.language_models import BaseChatModel, LangSmithParams
from langchain_core.messages import (
    AIMessage,
    AIMessageChunk,
    BaseMessage,
    ChatMessage,
    HumanMessage,
    SystemMessage,
    UsageMetadata,
)
from langchain_core.outputs import ChatGeneration, ChatGenerationChunk, ChatResult
from langchain_core.utils import from_env, secret_from_env
from pydantic import ConfigDict, Field, SecretStr, field_validator

from .. import errors
from ..annotations import FilterResults
from ..client import Client
from ..config import ENDPOINT_ENV, KEY_ENV, AuthStyle, Endpoint, ExtraParameters
from ..hosts import HostPolicy
from ..limits import Limits
from ..params import clean_params, split_stop
from ..profiles import PROFILES
from ..records import Exchange
from ..retry import RetryNotice, RetryPolicy, call_with_retries
from .recorder import request_record

_SAMPLING = ("temperature", "top_p", "max_tokens", "seed", "presence_penalty", "frequency_penalty")
_CALL_ONLY = frozenset({"stream", "streaming", "timeout"})  # call options, never body keys
_ROLES = {"system": "system", "human": "user", "ai": "assistant"}
T = TypeVar("T")


class ChatAzureServerless(BaseChatModel):
    """A LangChain chat model over `core.Client` for Azure AI serverless chat endpoints.

    A fresh `Client` serves each call (the client is not thread-safe), so `batch` is safe.
    Every reply's `response_metadata["request"]` holds the request as sent (key redacted).
    """

    endpoint_url: str = Field(default_factory=from_env(ENDPOINT_ENV, default=""))
    """Base URL or full route URL; default $AZURE_AI_CHAT_ENDPOINT."""
    api_key: SecretStr = Field(default_factory=secret_from_env(KEY_ENV, default=""))
    """The endpoint's key; default $AZURE_AI_CHAT_KEY. Never logged or shown."""
    auth: AuthStyle = AuthStyle.BEARER
    """How the key travels: `bearer`, bare `Authorization` (`bare`), or `api-key`."""
    endpoint_profile: str = "local"
    """A `core.PROFILES` id: where the chat route is when the URL names none. (Not `profile`:
    LangChain's `BaseChatModel.profile` is the model's capability record.)"""
    extra_parameters: ExtraParameters = ExtraParameters.OMIT
    """The `extra-parameters` header (`pass-through`, `drop`, `error`), or none."""
    api_version: str = ""
    """The `api-version` query parameter, when the endpoint wants one."""
    headers: dict[str, str] = Field(default_factory=dict)
    """Extra headers sent with every request."""
    connect_timeout: float = 5.0
    """Seconds to wait for the connection."""
    timeout: float | None = None
    """Read timeout in seconds (None: the `Endpoint` default, 60)."""
    max_retries: int = 0
    """Retries after a 429 or 503 (`core.call_with_retries`); a started stream is not replayed."""
    on_retry: Callable[[RetryNotice], None] | None = Field(default=None, exclude=True)
    """Told before each retry wait, so a page can say "retrying in 2 s"."""
    retry_sleep: Callable[[float], None] | None = Field(default=None, exclude=True)
    """Waits between retries (None: `time.sleep`); a page passes a countdown it can cancel."""
    hosts: HostPolicy | None = Field(default=None, exclude=True)
    """The app's host allow-list; None allows any host (library use)."""
    limits: Limits | None = Field(default=None, exclude=True)
    """What one reply may take (`core.Limits`); None: the defaults."""
    token: Any = Field(default=None, exclude=True)
    """A `core.TokenSource`: when set, Microsoft Entra tokens go instead of the key."""
    streaming: bool = False
    """Make `invoke` stream under the hood (LangChain's standard flag)."""
    model_name: str = Field(default="", alias="model")
    """Sent as `model` when set; serverless endpoints serve one model and may ignore it."""
    temperature: float | None = None
    """Sampling temperature; None leaves it to the endpoint."""
    top_p: float | None = None
    """Nucleus sampling mass."""
    max_tokens: int | None = None
    """Upper bound on the reply's tokens."""
    stop: list[str] | None = None
    """Stop sequences (text with one per line is accepted too)."""
    seed: int | None = None
    """Same seed, same reply (best effort)."""
    presence_penalty: float | None = None
    """Penalise tokens already used."""
    frequency_penalty: float | None = None
    """Penalise tokens by how often they appear."""

    model_config = ConfigDict(populate_by_name=True)

    @classmethod
    def from_endpoint(
        cls, endpoint: Endpoint, profile: str = "local", **params: Any
    ) -> ChatAzureServerless:
        """A model for a `core.Endpoint` (as the sidebar builds it) and sampling parameters.

        `profile` is a `core.PROFILES` id (the `endpoint_profile` field). The endpoint's
        deployment is the `model` (unless `params` name one) and its Entra token source goes
        along. `params` may also set `hosts`, `limits`, `on_retry`, `retry_sleep` and
        `max_retries`; None and "" are skipped.
        """
        return cls(
            endpoint_url=endpoint.url,
            api_key=SecretStr(endpoint.key.reveal()),
            auth=endpoint.auth,
            endpoint_profile=profile,
            extra_parameters=endpoint.extra_parameters,
            api_version=endpoint.api_version,
            token=endpoint.token,
            model=params.pop("model", None) or endpoint.deployment,
            headers=dict(endpoint.headers),
            connect_timeout=endpoint.connect_timeout,
            timeout=endpoint.read_timeout,
            **clean_params(params),
        )

    @field_validator("stop", mode="before")
    @classmethod
    def _split_stop(cls, value: Any) -> Any:
        if isinstance(value, str):
            return split_stop(value) or None
        return value

    @field_validator("endpoint_profile")
    @classmethod
    def _known_profile(cls, value: str) -> str:
        if value not in PROFILES:
            raise ValueError(f"Unknown profile {value!r}; choose one of {sorted(PROFILES)}.")
        return value

    @property
    def _llm_type(self) -> str:
        return "azure-ai-serverless"

    @property
    def _identifying_params(self) -> dict[str, Any]:
        return {
            "endpoint_url": self.endpoint_url,
            "endpoint_profile": self.endpoint_profile,
            "auth": self.auth.value,
            "model_name": self.model_name,
            **self._body_params(None, {}),
        }

    def _get_ls_params(self, stop: list[str] | None = None, **kwargs: Any) -> LangSmithParams:
        params = super()._get_ls_params(stop=stop or self.stop, **kwargs)
        params["ls_provider"] = "azure_ai"
        return params

    def endpoint(self) -> Endpoint:
        """The `core.Endpoint` these fields describe (raises InvalidRequestError on a bad URL)."""
        options: dict[str, Any] = {} if self.timeout is None else {"read_timeout": self.timeout}
        return Endpoint(
            url=self.endpoint_url,
            key=self.api_key.get_secret_value(),  # type: ignore[arg-type]  # wrapped in Secret
            auth=self.auth,
            extra_parameters=self.extra_parameters,
            api_version=self.api_version,
            deployment=self.model_name,
            token=self.token,
            connect_timeout=self.connect_timeout,
            headers=tuple(self.headers.items()),
            **options,
        )

    def new_client(self) -> Client:
        """A new `core.Client` for one call; the caller closes it."""
        profile = PROFILES[self.endpoint_profile]
        return Client(self.endpoint(), profile, hosts=self.hosts, limits=self.limits)

    def _generate(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> ChatResult:
        wire, params = to_wire(messages), self._body_params(stop, kwargs)
        with self.new_client() as client:
            done = self._retrying(lambda: client.chat(wire, **params))
        message = AIMessage(
            content=done.text,
            usage_metadata=usage_metadata(done.usage),
            response_metadata=self._metadata(
                done.exchange, done.model, done.finish_reason, done.id, done.annotations
            ),
        )
        info = {"finish_reason": done.finish_reason}
        return ChatResult(generations=[ChatGeneration(message=message, generation_info=info)])

    def _stream(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> Iterator[ChatGenerationChunk]:
        wire, params = to_wire(messages), self._body_params(stop, kwargs)
        with self.new_client() as client:
            deltas = self._retrying(lambda: client.stream_chat(wire, **params))
            # langchain-core's stream() and generate() report each chunk to the callbacks
            # themselves; reporting it here as well would show every token twice.
            for delta in deltas:
                yield ChatGenerationChunk(message=AIMessageChunk(content=delta))
            # One closing chunk carries what is known only at the end (usage, finish reason),
            # so merging chunks never concatenates a metadata string twice.
            last = AIMessageChunk(
                content="",
                usage_metadata=usage_metadata(deltas.usage),
                response_metadata=self._metadata(
                    deltas.exchange,
                    deltas.model,
                    deltas.finish_reason,
                    deltas.id,
                    deltas.annotations,
                ),
                chunk_position="last",
            )
            info = {"finish_reason": deltas.finish_reason}
            yield ChatGenerationChunk(message=last, generation_info=info)

    def _body_params(self, stop: list[str] | None, kwargs: Mapping[str, Any]) -> dict[str, Any]:
        params: dict[str, Any] = {name: getattr(self, name) for name in _SAMPLING}
        params["model"] = self.model_name
        params["stop"] = stop if stop is not None else self.stop
        params.update({k: v for k, v in kwargs.items() if k not in _CALL_ONLY})
        return clean_params(params)

    def _retrying(self, call: Callable[[], T]) -> T:
        policy = RetryPolicy(attempts=self.max_retries)
        return call_with_retries(
            call, policy, on_retry=self.on_retry, sleep=self.retry_sleep or time.sleep
        )

    def _metadata(
        self,
        exchange: Exchange,
        model: str,
        finish_reason: str | None,
        reply_id: str,
        annotations: FilterResults,
    ) -> dict[str, Any]:
        """What a reply carries besides its text, as JSON-ready values: also Azure's
        content-filter verdicts (`content_filter`: a `core.FilterResults` as a dict) and its
        rate-limit and routing headers (`service`: a `core.ServiceHeaders` as a dict), for a
        page to show (`docs/azure-v1.md` §4, §5)."""
        return {
            "model_name": model or self.model_name or "unknown",
            "finish_reason": finish_reason,
            "id": reply_id,
            "request_id": exchange.request_id,
            "request": request_record(exchange.request),
            "content_filter": dataclasses.asdict(annotations),
            "service": dataclasses.asdict(exchange.service),
        }


def to_wire(messages: Sequence[BaseMessage]) -> list[dict[str, str]]:
    """LangChain messages as the endpoint's `{role, content}` dicts; text only.

    A message `name` is not part of the serverless schema and is left out. Tool messages and
    non-text content raise InvalidRequestError: the endpoint cannot take them.
    """
    return [{"role": _role(m), "content": _text(m)} for m in messages]


def _role(message: BaseMessage) -> str:
    if isinstance(message, ChatMessage) and message.role in ("system", "user", "assistant"):
        return message.role
    if isinstance(message, SystemMessage | HumanMessage | AIMessage):
        if isinstance(message, AIMessage) and message.tool_calls:
            raise errors.InvalidRequestError("This adapter does not support tool calls.")
        return _ROLES[message.type]
    raise errors.InvalidRequestError(
        f"A {type(message).__name__} cannot be sent: the endpoint takes system, user and "
        "assistant messages."
    )


def _text(message: BaseMessage) -> str:
    if isinstance(message.content, str):
        return message.content
    parts = []
    for block in message.content:
        if isinstance(block, str):
            parts.append(block)
        elif isinstance(block, dict) and block.get("type") == "text":
            parts.append(str(block.get("text", "")))
        else:
            kind = block.get("type") if isinstance(block, dict) else type(block).__name__
            raise errors.InvalidRequestError(
                f"Content of type {kind!r} cannot be sent: this endpoint takes text only."
            )
    return "".join(parts)


def usage_metadata(usage: Mapping[str, Any]) -> UsageMetadata | None:
    """LangChain's usage record from the endpoint's `usage`, or None when it sent none."""
    if not usage:
        return None
    prompt = int(usage.get("prompt_tokens") or 0)
    completion = int(usage.get("completion_tokens") or 0)
    total = int(usage.get("total_tokens") or prompt + completion)
    return UsageMetadata(input_tokens=prompt, output_tokens=completion, total_tokens=total)


__all__ = ["ChatAzureServerless", "to_wire", "usage_metadata"]
