"""LangChain over `core`: a chat model, the translator and memory chains, the notebook backend.

    model = ChatAzureServerless.from_endpoint(endpoint, profile="local", temperature=0.2)
    chain = translator_chain(model)                 # prompt | model | StrOutputParser()
    for piece in chain.stream({"input_language": "English", ...}): ...

This is the only module that imports LangChain (`core/__init__.py` does not import it), so
pages that do not need LangChain load without it. All HTTP goes through `core.Client`, so
the typed errors of `core.errors` reach the caller unchanged. The notebooks' own backend,
langchain-community's `AzureMLChatOnlineEndpoint`, is kept selectable through
`community_chat_model`, configured so that it works as shipped today.
"""

from __future__ import annotations

import json
import string
import threading
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal, NamedTuple, TypeVar
from urllib.parse import urlsplit

from langchain_core.callbacks import BaseCallbackHandler, CallbackManagerForLLMRun
from langchain_core.language_models import BaseChatModel, LangSmithParams, LanguageModelInput
from langchain_core.messages import (
    AIMessage,
    AIMessageChunk,
    BaseMessage,
    ChatMessage,
    HumanMessage,
    SystemMessage,
    UsageMetadata,
)
from langchain_core.output_parsers import StrOutputParser
from langchain_core.outputs import ChatGeneration, ChatGenerationChunk, ChatResult, LLMResult
from langchain_core.prompts import (
    BasePromptTemplate,
    ChatPromptTemplate,
    MessagesPlaceholder,
    PromptTemplate,
)
from langchain_core.prompts.string import get_template_variables
from langchain_core.runnables import Runnable
from langchain_core.utils import from_env, secret_from_env
from pydantic import ConfigDict, Field, SecretStr, field_validator

from . import errors
from .client import Client
from .config import ENDPOINT_ENV, KEY_ENV, AuthStyle, Endpoint, ExtraParameters, split_route
from .hosts import ALLOWED_HOSTS_ENV, HostPolicy
from .memory import (
    DEFAULT_K,
    DEFAULT_SYSTEM_PROMPT,
    NOTEBOOK_TEMPLATE,
    Mode,
    TurnRequest,
    check_k,
    render_history,
)
from .params import clean_params, split_stop
from .profiles import PROFILES
from .records import Exchange, SentRequest
from .retry import RetryNotice, RetryPolicy, call_with_retries

# The notebook's translator template (Llama 3.1 notebook), without its surrounding newlines.
TRANSLATOR_TEMPLATE = (
    "You are a Translator. Translate the following content from {input_language} to "
    "{output_language} and reply with only the translated result.\n{input_content}"
)
TRANSLATOR_VARIABLES = ("input_language", "output_language", "input_content")
COMMUNITY_ROUTE = "/models/chat/completions"
_SAMPLING = ("temperature", "top_p", "max_tokens", "seed", "presence_penalty", "frequency_penalty")
_CALL_ONLY = frozenset({"stream", "streaming", "timeout"})  # call options, never body keys
_ROLES = {"system": "system", "human": "user", "ai": "assistant"}

App = Literal["translator", "memory"]
T = TypeVar("T")


# The adapter ---------------------------------------------------------------------------------


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
    profile: str = "local"
    """A `core.PROFILES` id: where the chat route is when the URL names none."""
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

        `params` may also set `hosts`, `on_retry`, `retry_sleep` and `max_retries`; None and ""
        are skipped.
        """
        return cls(
            endpoint_url=endpoint.url,
            api_key=SecretStr(endpoint.key.reveal()),
            auth=endpoint.auth,
            profile=profile,
            extra_parameters=endpoint.extra_parameters,
            api_version=endpoint.api_version,
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

    @field_validator("profile")
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
            "profile": self.profile,
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
            connect_timeout=self.connect_timeout,
            headers=tuple(self.headers.items()),
            **options,
        )

    def new_client(self) -> Client:
        """A new `core.Client` for one call; the caller closes it."""
        return Client(self.endpoint(), PROFILES[self.profile], hosts=self.hosts)

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
                done.exchange, done.model, done.finish_reason, done.id
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
                    deltas.exchange, deltas.model, deltas.finish_reason, deltas.id
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
        self, exchange: Exchange, model: str, finish_reason: str | None, reply_id: str
    ) -> dict[str, Any]:
        return {
            "model_name": model or self.model_name or "unknown",
            "finish_reason": finish_reason,
            "id": reply_id,
            "request_id": exchange.request_id,
            "request": request_record(exchange.request),
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


def request_record(sent: SentRequest) -> dict[str, Any]:
    """The request as sent, for display: method, URL, headers (key redacted), JSON body."""
    body = sent.json()
    return {
        "method": sent.method,
        "url": sent.url,
        "headers": dict(sent.headers),
        "body": body if body is not None else sent.body,
    }


class RequestRecorder(BaseCallbackHandler):
    """A callback that keeps every request a run sent: pass it in `config["callbacks"]`.

    Chains end in `StrOutputParser`, which drops the message's metadata; this keeps the
    `response_metadata["request"]` of each model call, streamed or not, in finishing order.
    """

    def __init__(self) -> None:
        self.requests: list[dict[str, Any]] = []
        self._lock = threading.Lock()

    @property
    def last(self) -> dict[str, Any] | None:
        """The most recent request, or None."""
        return self.requests[-1] if self.requests else None

    def on_llm_end(self, response: LLMResult, **kwargs: Any) -> None:
        """Record the request of each generation that carries one."""
        for generations in response.generations:
            for generation in generations:
                message = getattr(generation, "message", None)
                request = getattr(message, "response_metadata", {}).get("request")
                if request is not None:
                    with self._lock:
                        self.requests.append(request)


# The translator --------------------------------------------------------------------------------


@dataclass(frozen=True)
class LineResult:
    """One line of a batch translation: its source, and the translation or the error."""

    source: str
    text: str | None
    error: BaseException | None


def check_template(template: str, required: Sequence[str] = TRANSLATOR_VARIABLES) -> list[str]:
    """Problems that would stop `template` from rendering with `required` variables; [] if none."""
    if not template.strip():
        return ["The template is empty."]
    try:
        fields = [name for _, name, _, _ in string.Formatter().parse(template) if name is not None]
    except ValueError as exc:
        return [f"Unbalanced braces: {exc}. Write {{{{ and }}}} for literal braces."]
    if any(name == "" or name.isdigit() for name in fields):
        return ["Use named variables such as {input_content}, not {} or {0}."]
    try:
        found = get_template_variables(template, "f-string")
    except ValueError as exc:
        return [str(exc)]
    problems = [f"Missing variable {{{name}}}." for name in required if name not in found]
    problems += [
        f"Unknown variable {{{name}}}: use only {', '.join('{' + r + '}' for r in required)}."
        for name in found
        if name not in required
    ]
    return problems


def translator_prompt(template: str = TRANSLATOR_TEMPLATE) -> PromptTemplate:
    """The translator's prompt; raises InvalidRequestError listing the template's problems."""
    problems = check_template(template)
    if problems:
        raise errors.InvalidRequestError(" ".join(problems))
    return PromptTemplate.from_template(template)


def translator_chain(model: Runnable, template: str = TRANSLATOR_TEMPLATE) -> Runnable[dict, str]:
    """`prompt | model | StrOutputParser()`: inputs are the three template variables."""
    return translator_prompt(template) | model | StrOutputParser()


def render_prompt(template: str, **variables: str) -> str:
    """The text the model receives for these variables (any template, checked by LangChain)."""
    return PromptTemplate.from_template(template).format(**variables)


def translate_lines(
    model: Runnable,
    lines: Sequence[str],
    input_language: str,
    output_language: str,
    *,
    template: str = TRANSLATOR_TEMPLATE,
    max_concurrency: int = 4,
    callbacks: list[BaseCallbackHandler] | None = None,
) -> list[LineResult]:
    """Translate each line as one batch, at most `max_concurrency` at once; errors stay per line."""
    inputs = [
        {
            "input_language": input_language,
            "output_language": output_language,
            "input_content": line,
        }
        for line in lines
    ]
    config: dict[str, Any] = {"max_concurrency": max_concurrency, "callbacks": callbacks or []}
    outputs = translator_chain(model, template).batch(
        inputs,
        config=config,  # type: ignore[arg-type]  # a RunnableConfig dict
        return_exceptions=True,
    )
    return [
        LineResult(line, None, out)
        if isinstance(out, BaseException)
        else LineResult(line, out, None)
        for line, out in zip(lines, outputs, strict=True)
    ]


# The memory chatbot -------------------------------------------------------------------------


def memory_prompt(
    mode: Mode | str = Mode.NOTEBOOK, system_prompt: str = DEFAULT_SYSTEM_PROMPT
) -> BasePromptTemplate:
    """The notebook's single prompt, or system + history + question as chat messages."""
    if Mode(mode) is Mode.NOTEBOOK:
        return PromptTemplate.from_template(NOTEBOOK_TEMPLATE)
    system = [SystemMessage(system_prompt)] if system_prompt else []
    return ChatPromptTemplate.from_messages(
        [*system, MessagesPlaceholder("history"), ("human", "{input}")]
    )


def memory_inputs(turn: TurnRequest) -> dict[str, Any]:
    """The chain's inputs for a turn built by `core.memory.build_turn` (its window only)."""
    history: list[BaseMessage] = []
    for user, assistant in turn.window.kept:
        history += [HumanMessage(user), AIMessage(assistant)]
    return {
        "chat_history": render_history(turn.window.kept),
        "history": history,
        "input": turn.question,
    }


def memory_chain(
    model: Runnable,
    mode: Mode | str = Mode.NOTEBOOK,
    system_prompt: str = DEFAULT_SYSTEM_PROMPT,
) -> Runnable[dict, str]:
    """`memory_prompt | model | StrOutputParser()`; feed it `memory_inputs(turn)`."""
    return memory_prompt(mode, system_prompt) | model | StrOutputParser()


# The notebooks' backend: langchain-community's AzureMLChatOnlineEndpoint -------------------


class Difference(NamedTuple):
    """One way the community backend's code differs from the notebook's, and why."""

    notebook: str
    ours: str
    why: str


NOTEBOOK_DIFFERENCES: tuple[Difference, ...] = (
    Difference(
        "endpoint_api_type=AzureMLEndpointApiType.serverless",
        'endpoint_api_type="serverless"',
        "The class's validator passes the value through get_from_dict_or_env, which calls "
        "str(); on Python 3.11 str() of that enum member is 'AzureMLEndpointApiType.serverless', "
        "which then fails validation. The plain string passes.",
    ),
    Difference(
        'endpoint_url="https://<host>/v1/chat/completions"',
        'endpoint_url="<base>/models/chat/completions"',
        "For serverless the class now accepts only a URL path of exactly /completions or "
        "/models/chat/completions. Streaming strips '/chat/completions' and hands the rest to "
        "the OpenAI client as its base URL, so only /models/chat/completions works for both.",
    ),
    Difference(
        "model_kwargs={...}",
        "model_kwargs={...} and llm.bind(**params)",
        "_stream ignores model_kwargs and sends only the call's own arguments, so the same "
        "parameters are bound to every call; invoke still reads model_kwargs.",
    ),
    Difference(
        "one llm object for the whole session",
        "a new AzureMLChatOnlineEndpoint for every request",
        "_stream rewrites self.endpoint_url, and _generate writes the call's arguments and "
        "stop words into the shared model_kwargs; a fresh object keeps calls independent.",
    ),
    Difference(
        "LLMChain(llm=llm, prompt=PromptTemplate(...)).run(...)",
        "(PromptTemplate.from_template(template) | llm | StrOutputParser()).invoke({...})",
        "LLMChain is deprecated and gone from LangChain 1.x; the pipe form also streams.",
    ),
    Difference(
        "ConversationChain + ConversationBufferWindowMemory(k=5, ...)",
        "the app keeps the history and sends the last k exchanges through the same prompt",
        "Both classes are deprecated (removed from LangChain 1.x); the window is plain data, "
        "so the page can show which exchanges were sent and which were dropped.",
    ),
    Difference(
        "from langchain.prompts import PromptTemplate",
        "from langchain_core.prompts import PromptTemplate",
        "The prompt classes live in langchain-core.",
    ),
    Difference(
        'endpoint_api_key="your-auth-key"',
        'endpoint_api_key=os.environ["AZURE_AI_CHAT_KEY"]',
        "A key never belongs in code that gets copied or committed.",
    ),
    Difference(
        "langchain.debug = True",
        "the page shows the request body it rebuilt",
        "The raw request is shown beside the reply instead of in the console log.",
    ),
    Difference(
        "(kept) message text is escaped by escape_special_characters before json.dumps",
        "unchanged",
        "The shipped formatter escapes quotes and newlines, so the model receives literal "
        'backslashes (\\n, \\"); the adapter backend sends the text as typed.',
    ),
    Difference(
        "(kept) Authorization: Bearer <key>",
        "unchanged",
        "The class always sends Bearer: endpoints that want a bare key, custom headers or "
        "api-version need the adapter backend.",
    ),
)


def community_url(url: str) -> str:
    """The URL the community class accepts for serverless: `<host>/models/chat/completions`.

    Raises InvalidRequestError for a base URL with a path the class cannot take.
    """
    base = split_route(Endpoint(url).url)[0]
    if urlsplit(base).path.rstrip("/") in ("", "/models"):
        return base.removesuffix("/models") + COMMUNITY_ROUTE
    raise errors.InvalidRequestError(
        "The community backend only accepts URLs whose path is /models/chat/completions; "
        f"{url} has the path {urlsplit(base).path!r}. Use the adapter backend for it."
    )


def community_chat_model(
    url: str, key: str, *, timeout: int = 50, hosts: HostPolicy | None = None, **params: Any
) -> Runnable[LanguageModelInput, BaseMessage]:
    """A new `AzureMLChatOnlineEndpoint` for one request, set up as `community_code` shows.

    Build one per request (see NOTEBOOK_DIFFERENCES). It does its own HTTP, so the host is
    checked against `hosts` here; its failures are `urllib`/`openai` exceptions, which
    `core.transport.backend_error` turns into `core.errors`.
    """
    endpoint_url = community_url(url)
    host = urlsplit(endpoint_url).hostname or ""
    if hosts is not None and not hosts.allows(host):
        raise errors.BlockedHostError(
            f"This playground may not call {host}: it only calls {hosts.describe()}. "
            f"Whoever hosts it can add the host to {ALLOWED_HOSTS_ENV}."
        )
    from langchain_community.chat_models.azureml_endpoint import (
        AzureMLChatOnlineEndpoint,
        CustomOpenAIChatContentFormatter,
    )

    sent = clean_params(params)
    llm = AzureMLChatOnlineEndpoint(
        endpoint_url=endpoint_url,
        endpoint_api_key=key,
        endpoint_api_type="serverless",
        model_kwargs=dict(sent),
        content_formatter=CustomOpenAIChatContentFormatter(),
        timeout=timeout,
    )
    return llm.bind(**sent)


def community_request_body(
    messages: Sequence[BaseMessage],
    params: Mapping[str, Any],
    *,
    stream: bool = False,
    stop: list[str] | None = None,
) -> dict[str, Any]:
    """The JSON body the community backend sends for these messages, rebuilt with its formatter.

    invoke: `{"messages", **model_kwargs}`; stream: what `_stream` hands the OpenAI client.
    """
    from langchain_community.chat_models.azureml_endpoint import CustomOpenAIChatContentFormatter

    sent = clean_params(params)
    if stop:
        sent["stop"] = stop
    formatter = CustomOpenAIChatContentFormatter()
    if not stream:
        body = formatter.format_messages_request_payload(list(messages), sent, "serverless")
        return json.loads(body)
    wire = [formatter._convert_message_to_dict(m) for m in messages]
    return {"model": None, "stream": True, "messages": wire, "stop": stop, **sent}


# Code to copy -------------------------------------------------------------------------------


def adapter_code(
    app: App,
    url: str,
    params: Mapping[str, Any] | None = None,
    *,
    profile: str = "local",
    auth: AuthStyle | str = AuthStyle.BEARER,
    extra_parameters: ExtraParameters | str = ExtraParameters.OMIT,
    **options: Any,
) -> str:
    """Python for the same chain over `ChatAzureServerless` (run it from the project folder).

    `options` go to the app's part: translator `template`, `inputs`; memory `k`, `mode`,
    `system_prompt`. The key comes from $AZURE_AI_CHAT_KEY.
    """
    imports, body = _APP_CODE[app](**options)
    fields = [f"endpoint_url={_py(url)}", f"api_key=os.environ[{_py(KEY_ENV)}]"]
    fields += [f"profile={_py(profile)}", f"auth={_py(AuthStyle(auth).value)}"]
    if ExtraParameters(extra_parameters).value:
        fields.append(f"extra_parameters={_py(ExtraParameters(extra_parameters).value)}")
    fields += [f"{name}={_py(value)}" for name, value in clean_params(params or {}).items()]
    model = "model = ChatAzureServerless(\n" + "".join(f"    {f},\n" for f in fields) + ")\n"
    first_party = "\nfrom core.langchain import ChatAzureServerless\n"
    return _imports(imports) + first_party + "\n" + model + body


def community_code(
    app: App, url: str, params: Mapping[str, Any] | None = None, **options: Any
) -> str:
    """Python for the same chain over langchain-community's `AzureMLChatOnlineEndpoint`.

    Runs anywhere langchain-community and openai are installed; key from $AZURE_AI_CHAT_KEY.
    """
    imports, body = _APP_CODE[app](**options)
    imports.append(
        "from langchain_community.chat_models.azureml_endpoint import (\n"
        "    AzureMLChatOnlineEndpoint,\n"
        "    CustomOpenAIChatContentFormatter,\n"
        ")"
    )
    model = (
        f"params = {_py(clean_params(params or {}))}\n"
        "llm = AzureMLChatOnlineEndpoint(\n"
        f"    endpoint_api_key=os.environ[{_py(KEY_ENV)}],\n"
        f"    endpoint_url={_py(community_url(url))},  # must end in /models/chat/completions\n"
        '    endpoint_api_type="serverless",  # the enum member fails validation on Python 3.11\n'
        "    model_kwargs=dict(params),\n"
        "    content_formatter=CustomOpenAIChatContentFormatter(),\n"
        ")\n"
        "model = llm.bind(**params)  # streaming ignores model_kwargs: pass them with each call\n"
    )
    return _imports(imports) + "\n" + model + body


def _py(value: Any) -> str:
    """A Python literal for JSON-like data, in double quotes as ruff formats code."""
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, Mapping):
        return "{" + ", ".join(f"{_py(k)}: {_py(v)}" for k, v in value.items()) + "}"
    if isinstance(value, list | tuple):
        return "[" + ", ".join(_py(v) for v in value) + "]"
    return repr(value)


def _imports(third_party: list[str]) -> str:
    stdlib = sorted({"import os", *(i for i in third_party if i == "import sys")})
    others = sorted(i for i in third_party if i != "import sys")
    return "\n".join(stdlib) + "\n\n" + "\n".join(others) + "\n"


def _translator_code(
    template: str = TRANSLATOR_TEMPLATE, inputs: Mapping[str, str] | None = None
) -> tuple[list[str], str]:
    values = {
        "input_language": "English",
        "output_language": "French",
        "input_content": "What is good about Wuhan?",
        **(inputs or {}),
    }
    imports = [
        "from langchain_core.output_parsers import StrOutputParser",
        "from langchain_core.prompts import PromptTemplate",
    ]
    body = (
        f"\ntemplate = {_py(template)}\n"
        "chain = PromptTemplate.from_template(template) | model | StrOutputParser()\n"
        "inputs = {\n" + "".join(f"    {_py(k)}: {_py(v)},\n" for k, v in values.items()) + "}\n\n"
        "for piece in chain.stream(inputs):\n"
        '    print(piece, end="", flush=True)\n'
        "print()\n"
    )
    return imports, body


def _memory_code(
    k: int = DEFAULT_K,
    mode: Mode | str = Mode.NOTEBOOK,
    system_prompt: str = DEFAULT_SYSTEM_PROMPT,
) -> tuple[list[str], str]:
    imports = ["import sys", "from langchain_core.output_parsers import StrOutputParser"]
    if Mode(mode) is Mode.NOTEBOOK:
        imports.append("from langchain_core.prompts import PromptTemplate")
        prompt = f"prompt = PromptTemplate.from_template({_py(NOTEBOOK_TEMPLATE)})\n"
        send = (
            '    chat_history = "\\n".join(\n'
            '        f"User: {u}\\nAssistant: {a}" for u, a in history[-K:]\n'
            "    )\n"
            '    answer = chain.invoke({"chat_history": chat_history, "input": question})\n'
        )
    else:
        names = "AIMessage, HumanMessage" + (", SystemMessage" if system_prompt else "")
        imports.append(f"from langchain_core.messages import {names}")
        imports.append("from langchain_core.prompts import ChatPromptTemplate, MessagesPlaceholder")
        system = f"SystemMessage({_py(system_prompt)}), " if system_prompt else ""
        prompt = (
            "prompt = ChatPromptTemplate.from_messages(\n"
            f'    [{system}MessagesPlaceholder("history"), ("human", "{{input}}")]\n'
            ")\n"
        )
        send = (
            "    window = [m for u, a in history[-K:] for m in (HumanMessage(u), AIMessage(a))]\n"
            '    answer = chain.invoke({"history": window, "input": question})\n'
        )
    body = (
        f"\nK = {check_k(k)}  # exchanges the model sees; older ones are dropped\n"
        f"{prompt}"
        "chain = prompt | model | StrOutputParser()\n"
        "history: list[tuple[str, str]] = []  # (user, assistant), kept by the app\n\n\n"
        "def ask(question: str) -> str:\n"
        '    """Send the last K exchanges and the question; remember the answer."""\n'
        f"{send}"
        "    history.append((question, answer))\n"
        "    return answer\n\n\n"
        "for line in sys.stdin:  # one question per line; Ctrl-D ends\n"
        "    if line.strip():\n"
        "        print(ask(line.strip()))\n"
    )
    return imports, body


_APP_CODE: dict[str, Callable[..., tuple[list[str], str]]] = {
    "translator": _translator_code,
    "memory": _memory_code,
}


__all__ = [
    "COMMUNITY_ROUTE",
    "NOTEBOOK_DIFFERENCES",
    "TRANSLATOR_TEMPLATE",
    "TRANSLATOR_VARIABLES",
    "ChatAzureServerless",
    "Difference",
    "LineResult",
    "RequestRecorder",
    "adapter_code",
    "check_template",
    "community_chat_model",
    "community_code",
    "community_request_body",
    "community_url",
    "memory_chain",
    "memory_inputs",
    "memory_prompt",
    "render_prompt",
    "request_record",
    "to_wire",
    "translate_lines",
    "translator_chain",
    "translator_prompt",
    "usage_metadata",
]
