"""What the two LangChain pages (Translator, Memory Chatbot) share: the backend picker, the
model built from the sidebar, streaming a chain into the page, and the request and code views.

Only those pages import this module, so LangChain loads only when one of them opens.
Two backends serve the same chains: `core.langchain.ChatAzureServerless` (all HTTP through
`core`, every sidebar setting applied) and langchain-community's `AzureMLChatOnlineEndpoint`,
the notebooks' own class, configured as `core.langchain.community_chat_model` makes it work.
"""

from __future__ import annotations

import contextlib
import dataclasses
import json
import math
import time
import warnings
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import streamlit as st

from core import (
    AuthStyle,
    Endpoint,
    EndpointError,
    HostPolicy,
    Profile,
    Redactor,
    RetryNotice,
)
from core.chain_snippets import adapter_code, community_code
from core.langchain import (
    NOTEBOOK_DIFFERENCES,
    ChatAzureServerless,
    RequestRecorder,
    community_chat_model,
    community_request_body,
    community_url,
    render_prompt,
    request_record,
    translate_lines,
    translator_prompt,
)
from core.memory import Turn
from core.transport import CHECK_SETTINGS, backend_error
from ui import settings, widgets
from ui.conversation import (
    DONE,
    FAILED,
    INTERRUPTED,
    LIVE_INTERVAL,
    STOPPED,
    STREAMING,
    draw_live,
    reply_text,
)

ADAPTER, COMMUNITY = "adapter", "community"
BACKENDS = {
    ADAPTER: "Adapter (core.langchain)",
    COMMUNITY: "Notebook class (AzureMLChatOnlineEndpoint)",
}
# What to do when a backend fails in a way no mapping explains.
ADVICE = {
    ADAPTER: CHECK_SETTINGS,
    COMMUNITY: CHECK_SETTINGS.removesuffix(".") + ", or switch to the adapter backend.",
}
SESSION = "session"  # persist_state: a widget keeps its value across page switches

# langchain-community announces its sunset on import and uses pydantic-v1 idioms; the user
# can do nothing about either, so these exact warnings stay out of the page and the log.
_COMMUNITY_WARNINGS = (
    "`langchain-community` is being sunset",
    "Pydantic V1 style `@validator` validators are deprecated",
    "The `dict` method is deprecated",
)


# The model ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Setup:
    """What a LangChain page takes from the sidebar, plus the backend picked on the page."""

    backend: str
    endpoint: Endpoint
    profile: Profile
    params: Mapping[str, Any]
    system_prompt: str
    hosts: HostPolicy  # the outbound allow-list; the notebook class is checked against it too
    retries: int  # 429/503 retries the sidebar allows (the adapter only)


def backend_picker() -> str:
    """The backend switch, shared by both pages (one choice for the session)."""
    return st.segmented_control(
        "LangChain backend",
        list(BACKENDS),
        format_func=BACKENDS.__getitem__,
        default=ADAPTER,
        required=True,
        key="lc_backend",
        persist_state=SESSION,
        help="The adapter sends every request through this playground's client, with all "
        "the sidebar's settings. The notebook class is the langchain-community code the "
        "notebooks use, set up so that it works today.",
    )


def setup(backend: str) -> Setup:
    """The sidebar's endpoint and parameters; stops the page with a hint when unusable."""
    client = settings.require_client()
    retry = settings.retry_policy()
    return Setup(
        backend=backend,
        endpoint=client.endpoint,
        profile=client.profile,
        params=settings.request_params(client),
        system_prompt=settings.current().system_prompt.strip(),
        hosts=settings.host_policy(),
        retries=retry.attempts if retry is not None else 0,
    )


def chat_model(
    setup: Setup,
    *,
    on_retry: Callable[[RetryNotice], None] | None = None,
    retry_sleep: Callable[[float], None] | None = None,
) -> Any:
    """A chat model for one request (the notebook class must not be reused, see its notes)."""
    if setup.backend == COMMUNITY:
        with quiet_community():
            return community_chat_model(
                setup.endpoint.url,
                setup.endpoint.key.reveal(),
                timeout=max(1, round(setup.endpoint.read_timeout)),
                hosts=setup.hosts,
                **setup.params,
            )
    return ChatAzureServerless.from_endpoint(
        setup.endpoint,
        profile=setup.profile.id,
        hosts=setup.hosts,
        max_retries=setup.retries,
        on_retry=on_retry,
        retry_sleep=retry_sleep,
        **setup.params,
    )


@contextlib.contextmanager
def quiet_community() -> Iterator[None]:
    """Hide langchain-community's own deprecation warnings (only those) while it runs.

    `catch_warnings` is process-wide: two sessions overlapping can at worst leave these
    narrow filters installed, which is harmless.
    """
    with warnings.catch_warnings():
        for message in _COMMUNITY_WARNINGS:
            warnings.filterwarnings("ignore", message=message, category=DeprecationWarning)
        yield


def as_error(exc: BaseException, setup: Setup, partial: str = "") -> EndpointError:
    """Any failure of a chain as a `core` error whose message says what to do next."""
    return backend_error(
        exc,
        Redactor(setup.endpoint.key.reveal()),
        source=BACKENDS[setup.backend],
        partial_text=partial,
        advice=ADVICE[setup.backend],
    )


# Streaming a chain --------------------------------------------------------------------------


@dataclass
class Reply:
    """One model reply as the page keeps it: its text, how it ended, and what was sent."""

    text: str = ""
    status: str = STREAMING
    error: EndpointError | None = None
    request: dict[str, Any] | None = None  # as sent (adapter) or rebuilt (notebook class)
    rebuilt: bool = False  # True when `request` was rebuilt rather than recorded
    first_token: float | None = None
    elapsed: float | None = None
    retries: list[str] = field(default_factory=list)  # the 429/503 retry notices shown


def settle(reply: Reply) -> Reply:
    """A reply still marked streaming was cut off by a Stop (which ends the run): say so."""
    if reply.status == STREAMING:
        reply.status = STOPPED
    return reply


def stream_reply(
    reply: Reply,
    chain: Callable[[Any], Any],
    inputs: Mapping[str, Any],
    setup: Setup,
    messages: Sequence[Any],
    *,
    stop_key: str,
    where: str,
) -> None:
    """Stream `chain(model)` into the current container, keeping the text in `reply`.

    The reply is updated in place, so a Stop (a rerun) leaves what arrived in the session.
    `messages` are what the prompt renders to, for rebuilding the notebook class's request;
    `where` says where the whole text is when the view is clipped.
    """
    live = st.empty()
    live.caption("Waiting for the first token…")
    stop = st.empty()
    stop.button("Stop", key=stop_key, icon=":material/stop_circle:", type="tertiary")
    recorder = RequestRecorder()
    started = drawn = time.perf_counter()

    waiting: list[RetryNotice] = []

    def on_retry(notice: RetryNotice) -> None:
        waiting.append(notice)
        reply.retries.append(notice.message)

    def countdown(seconds: float) -> None:  # each redraw is where a Stop click ends the run
        end = time.monotonic() + seconds
        while (left := end - time.monotonic()) > 0:
            notice = dataclasses.replace(waiting[-1], wait=math.ceil(left))
            live.info(f"{notice.message} Press Stop to give up.", icon=":material/hourglass_top:")
            time.sleep(min(widgets.RETRY_TICK, left))
        live.caption(f"Retrying ({waiting[-1].retry} of {waiting[-1].of})…")

    try:
        runnable = chain(chat_model(setup, on_retry=on_retry, retry_sleep=countdown))
        with quiet_community():
            for piece in runnable.stream(dict(inputs), config={"callbacks": [recorder]}):
                if not piece:
                    continue
                if reply.first_token is None:
                    reply.first_token = time.perf_counter() - started
                reply.text += piece
                if time.perf_counter() - drawn >= LIVE_INTERVAL:
                    draw_live(live, reply.text, where)
                    drawn = time.perf_counter()
    except Exception as exc:  # every failure becomes a message; Stop (BaseException) passes
        reply.error = as_error(exc, setup, reply.text)
        reply.text = getattr(reply.error, "partial_text", "") or reply.text
        reply.status = INTERRUPTED if reply.text else FAILED
    else:
        reply.status = DONE
    reply.elapsed = time.perf_counter() - started
    reply.request, reply.rebuilt = sent_request(setup, messages, recorder, reply.error)
    stop.empty()
    live.empty()


# Page state ---------------------------------------------------------------------------------


@dataclass
class BatchLine:
    """One line of a batch translation: its source, and its translation or its error."""

    source: str
    text: str = ""
    error: EndpointError | None = None
    request: dict[str, Any] | None = None
    rebuilt: bool = False


@dataclass
class Translation:
    """The Translator's latest result: one streamed `reply`, or batch `lines`."""

    inputs: dict[str, str]  # input_language, output_language, input_content
    template: str
    prompt: str  # the rendered prompt (of the first line, for a batch)
    reply: Reply | None = None
    lines: list[BatchLine] = field(default_factory=list)
    concurrency: int = 1
    elapsed: float | None = None


@dataclass
class ChatExchange:
    """One Memory Chatbot turn: the question, the reply, and the window it was sent with."""

    question: str
    reply: Reply
    k: int = 0
    mode: str = ""
    memory_before: int = 0  # completed exchanges before this one; the last `k` were sent
    sent: list[dict[str, str]] = field(default_factory=list)  # the exact messages sent
    backend: str = ADAPTER
    imported: bool = False

    @property
    def dropped(self) -> int:
        """How many earlier exchanges were outside the window."""
        return max(0, self.memory_before - self.k)


def memory(exchanges: Sequence[ChatExchange]) -> list[Turn]:
    """The conversation's memory: the exchanges that finished (failed or cut ones are not)."""
    return [Turn(e.question, e.reply.text) for e in exchanges if e.reply.status == DONE]


def translate_batch(
    setup: Setup, lines: Sequence[str], inputs: Mapping[str, str], template: str, concurrency: int
) -> list[BatchLine]:
    """Translate each line in one LangChain batch, at most `concurrency` at once.

    A failure stays on its line; each line keeps the request it sent.
    """
    recorder = RequestRecorder()
    languages = (inputs["input_language"], inputs["output_language"])
    try:
        with quiet_community():
            results = translate_lines(
                chat_model(setup),
                lines,
                *languages,
                template=template,
                max_concurrency=concurrency,
                callbacks=[recorder],
            )
    except Exception as exc:  # e.g. a URL the notebook class cannot take: no line was sent
        error = as_error(exc, setup)
        return [BatchLine(line, error=error) for line in lines]
    recorded = {_prompt_of(r): r for r in recorder.requests}
    batch = []
    for result in results:
        variables = {**inputs, "input_content": result.source}
        error = as_error(result.error, setup) if result.error is not None else None
        if setup.backend == COMMUNITY:
            messages = translator_prompt(template).invoke(variables).to_messages()
            request, rebuilt = sent_request(setup, messages, None, error, stream=False)
        else:
            request, rebuilt = recorded.get(render_prompt(template, **variables)), False
            if request is None:
                request, rebuilt = sent_request(setup, (), None, error)
        batch.append(BatchLine(result.source, result.text or "", error, request, rebuilt))
    return batch


def _prompt_of(request: Mapping[str, Any]) -> str:
    body = request.get("body")
    messages = body.get("messages") if isinstance(body, dict) else None
    return str(messages[-1].get("content", "")) if messages else ""


def sent_request(
    setup: Setup,
    messages: Sequence[Any],
    recorder: RequestRecorder | None,
    error: EndpointError | None,
    *,
    stream: bool = True,
) -> tuple[dict[str, Any] | None, bool]:
    """The request as the adapter recorded it, or as the notebook class builds it (rebuilt)."""
    if setup.backend == COMMUNITY:
        try:
            url = community_url(setup.endpoint.url)
        except EndpointError:
            return None, True  # refused before sending: the error box says why
        with quiet_community():
            body = community_request_body(messages, setup.params, stream=stream)
        headers = {"Content-Type": "application/json", "Authorization": "Bearer ***"}
        return {"method": "POST", "url": url, "headers": headers, "body": body}, True
    if recorder is not None and recorder.last is not None:
        return recorder.last, False
    if error is not None and error.request is not None:
        return request_record(error.request), False
    return None, False


def request_bytes(request: Mapping[str, Any] | None) -> int | None:
    """The size of the request body: its JSON as `core` serialises it, in UTF-8 bytes."""
    if request is None:
        return None
    body = request.get("body")
    text = body if isinstance(body, str) else json.dumps(body, ensure_ascii=False)
    return len(text.encode())


# Rendering ----------------------------------------------------------------------------------


def reply_body(reply: Reply, *, again: str, where: str) -> None:
    """The reply's text (Markdown, no HTML, clipped), how it ended, its error and next step."""
    reply_text(reply.text, reply.status, where)
    if reply.retries:
        times = "once" if len(reply.retries) == 1 else f"{len(reply.retries)} times"
        st.caption(f":material/hourglass_top: Retried {times}; the last: {reply.retries[-1]}")
    if reply.error is not None:
        widgets.error_box(reply.error)
        st.caption(again)


def stats_text(reply: Reply) -> str:
    """`first token 85 ms · 1.24 s in all · 1,234 B sent`."""
    size = request_bytes(reply.request)
    parts = [
        f"first token {widgets.seconds(reply.first_token)}",
        f"{widgets.seconds(reply.elapsed)} in all",
        f"{size:,} B sent" if size is not None else "nothing sent",
    ]
    return " · ".join(parts)


REQUEST_WHOLE = "The whole body went out; only this view is clipped."


def request_panel(request: Mapping[str, Any] | None, *, rebuilt: bool) -> None:
    """Method, URL, headers (key redacted) and the JSON body of one request."""
    if request is None:
        st.caption("Nothing was sent.")
        return
    st.code(f"{request['method']} {request['url']}", language=None, wrap_lines=True)
    if rebuilt:
        st.caption(
            "The notebook class sends this itself, so it is rebuilt here with the class's "
            "own formatter: the same body, without the transport headers its client adds."
        )
    widgets.headers_table(request.get("headers") or {})
    body = request.get("body")
    if isinstance(body, dict | list):
        widgets.json_view(body, REQUEST_WHOLE)
    else:
        widgets.text_view(str(body), REQUEST_WHOLE)
    st.caption(f"Body: {request_bytes(request):,} bytes")


def community_caveats(setup: Setup) -> None:
    """Say which sidebar settings the notebook class cannot send."""
    if setup.backend != COMMUNITY:
        return
    endpoint, ignored = setup.endpoint, []
    if endpoint.headers:
        ignored.append("the extra headers (" + ", ".join(n for n, _ in endpoint.headers) + ")")
    if endpoint.api_version:
        ignored.append("api-version")
    if endpoint.auth is not AuthStyle.BEARER:
        ignored.append(f"the auth style `{settings.AUTH_LABELS[endpoint.auth]}`")
    if endpoint.extra_parameters.value:
        ignored.append("the extra-parameters header")
    if ignored:
        st.warning(
            "The notebook class always sends `Authorization: Bearer <key>` and nothing else, "
            f"so it ignores {', '.join(ignored)}. Switch to the adapter to use them.",
            icon=":material/info:",
        )


def notebook_differences() -> None:
    """An expander listing each change to the notebook's code, and why it was needed."""
    with st.expander("What differs from the notebook's code, and why", icon=":material/compare:"):
        st.caption(
            "The notebooks' LangChain code no longer runs as written. These are the changes "
            "this page makes (the notebook-class backend shows them in action)."
        )
        for row in NOTEBOOK_DIFFERENCES:
            with st.container(border=True):
                st.markdown(f"**Notebook** `{row.notebook}`  \n**Here** `{row.ours}`")
                st.caption(row.why)


def code_tabs(app: str, setup: Setup, **options: Any) -> None:
    """The same chain as Python to copy, one tab per backend; the key comes from the env."""
    endpoint = setup.endpoint
    labels = [BACKENDS[ADAPTER], BACKENDS[COMMUNITY]]
    adapter_tab, community_tab = st.tabs(labels, default=BACKENDS[setup.backend])
    adapter_tab.code(
        adapter_code(
            app,
            endpoint.url,
            setup.params,
            profile=setup.profile.id,
            auth=endpoint.auth,
            extra_parameters=endpoint.extra_parameters,
            **options,
        ),
        language="python",
    )
    adapter_tab.caption("Run it from this project's folder (it imports `core`).")
    try:
        community_tab.code(
            community_code(app, endpoint.url, setup.params, **options), language="python"
        )
    except EndpointError as exc:
        community_tab.info(str(exc), icon=":material/info:")
    else:
        community_tab.caption("Needs `pip install langchain-community openai`.")
    st.caption("Both read the key from the `AZURE_AI_CHAT_KEY` environment variable.")
