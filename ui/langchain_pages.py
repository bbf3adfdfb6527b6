"""What the two LangChain pages (Translator, Memory Chatbot) share: the backend picker, the
model built from the sidebar, streaming a chain into a reply, the request each reply sent, and
the request and code views.

Only those pages import this module, so the other pages never wait for LangChain (which
`ui/langchain_preload.py` imports in the background, once per server process). Two backends
serve the same chains: `core.langchain.ChatAzureServerless` (all HTTP through `core`, every
sidebar setting applied) and langchain-community's `AzureMLChatOnlineEndpoint`, the notebooks'
own class, configured as `core.langchain.community_chat_model` makes it work. A chain streams
in a worker thread like every reply (`ui.follow`, `core.live.PiecesSource`).
"""

from __future__ import annotations

import json
import warnings
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

import streamlit as st

from core import (
    AuthStyle,
    Endpoint,
    EndpointError,
    HostPolicy,
    Limits,
    Profile,
    Redactor,
    RetryNotice,
    ServiceHeaders,
)
from core.chain_snippets import adapter_code, community_code
from core.langchain import (
    NOTEBOOK_DIFFERENCES,
    ChatAzureServerless,
    RequestRecorder,
    community_chat_model,
    community_request_body,
    community_url,
)
from core.live import PiecesSource, RetryHooks
from core.records import SentRequest
from core.reply import Reply, RequestRecord
from core.transport import CHECK_SETTINGS, backend_error
from ui import exchange_views, follow, hosting, service_views, session_settings, widgets
from ui.credentials import AUTH_LABELS

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
REQUEST_WHOLE = "The whole body went out; only this view is clipped."

# langchain-community announces its sunset on import and uses pydantic-v1 idioms; the user
# can do nothing about either, so these exact warnings stay out of the page and the log.
# Installed once, here: chains run in worker threads, and `warnings.catch_warnings` (which
# swaps the process-wide filter list) is not thread-safe.
COMMUNITY_WARNINGS = (
    "`langchain-community` is being sunset",
    "Pydantic V1 style `@validator` validators are deprecated",
    "The `dict` method is deprecated",
)
for _message in COMMUNITY_WARNINGS:
    warnings.filterwarnings("ignore", message=_message, category=DeprecationWarning)


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
    limits: Limits  # what one reply may take (the adapter only; the notebook class has its own)


def backend_picker() -> str:
    """The backend switch, shared by both pages (one choice for the session)."""
    picked: str = st.segmented_control(
        "LangChain backend",
        list(BACKENDS),
        format_func=BACKENDS.__getitem__,
        default=ADAPTER,
        required=True,
        key="lc_backend",
        persist_state=widgets.SESSION,
        help="The adapter sends every request through this playground's client, with all "
        "the sidebar's settings. The notebook class is the langchain-community code the "
        "notebooks use, set up so that it works today.",
    )
    return picked


def setup(backend: str) -> Setup:
    """The sidebar's endpoint and parameters; stops the page with a hint when unusable."""
    settings = session_settings.current()
    client = session_settings.require_client()
    return Setup(
        backend=backend,
        # Both backends do their own HTTP: the host's key only while the URL is the host's.
        endpoint=hosting.outbound(client.endpoint),
        profile=client.profile,
        params=session_settings.request_params(client),
        system_prompt=settings.system_prompt.strip(),
        hosts=settings.hosts,
        retries=settings.retry.attempts if settings.retry is not None else 0,
        limits=client.limits,
    )


def chat_model(
    setup: Setup,
    *,
    on_retry: Callable[[RetryNotice], None] | None = None,
    retry_sleep: Callable[[float], None] | None = None,
) -> Any:
    """A chat model for one request (the notebook class must not be reused, see its notes)."""
    if setup.backend == COMMUNITY:
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
        limits=setup.limits,
        on_retry=on_retry,
        retry_sleep=retry_sleep,
        **setup.params,
    )


def as_error(exc: BaseException, setup: Setup, partial: str = "") -> EndpointError:
    """Any failure of a chain as a `core` error whose message says what to do next."""
    redactor = Redactor(setup.endpoint.key.reveal())
    if setup.endpoint.token is not None:
        redactor.add(*setup.endpoint.token.issued())
    return backend_error(
        exc,
        redactor,
        source=BACKENDS[setup.backend],
        partial_text=partial,
        advice=ADVICE[setup.backend],
    )


# Streaming a chain --------------------------------------------------------------------------


def stream(
    key: str,
    reply: Reply,
    chain: Callable[[Any], Any],
    inputs: Mapping[str, Any],
    setup: Setup,
    messages: Sequence[Any],
) -> None:
    """Start streaming `chain(model)` into `reply` under the stream key `key` (draw it with
    `follow.slot`); a stream still running under `key` is stopped first, keeping its text.

    `messages` are what the prompt renders to, for rebuilding the notebook class's request.
    The adapter retries a 429 or 503 itself (`Setup.retries`), through the stream's hooks:
    the follower shows the countdown and its Cancel.
    """
    recorder = RequestRecorder()

    def start(hooks: RetryHooks) -> Iterable[str]:
        model = chat_model(setup, on_retry=hooks.on_retry, retry_sleep=hooks.sleep)
        pieces: Iterable[str] = chain(model).stream(dict(inputs), config={"callbacks": [recorder]})
        return pieces

    def describe(reply: Reply) -> None:
        reply.request = sent_request(setup, messages, recorder, reply.error) or reply.request
        if (ending := recorder.ending) is not None:  # once the model call ended
            reply.finish_reason, reply.usage = ending.finish_reason, ending.usage
            reply.annotations, reply.service = service_views.from_metadata(ending.metadata)

    source = PiecesSource(
        start, translate=lambda exc, text: as_error(exc, setup, text), describe=describe
    )
    follow.start(key, reply, source, None)


def sent_request(
    setup: Setup,
    messages: Sequence[Any],
    recorder: RequestRecorder | None,
    error: EndpointError | None,
    *,
    stream: bool = True,
) -> RequestRecord | None:
    """The request as the adapter recorded it, or as the notebook class builds it (rebuilt);
    None when nothing was sent."""
    if setup.backend == COMMUNITY:
        try:
            url = community_url(setup.endpoint.url)
        except EndpointError:
            return None  # refused before sending: the error box says why
        body = community_request_body(messages, setup.params, stream=stream)
        headers = {"Content-Type": "application/json", "Authorization": "Bearer ***"}
        return _record(setup, SentRequest("POST", url, headers, _json(body)), rebuilt=True)
    if recorder is not None and recorder.last is not None:
        return recorded(setup, recorder.last)
    if error is not None and error.request is not None:
        return _record(setup, error.request)
    return None


def recorded(setup: Setup, request: Mapping[str, Any]) -> RequestRecord:
    """A request the adapter recorded (`core.langchain.request_record`) as a reply's record."""
    sent = SentRequest(
        request["method"], request["url"], dict(request["headers"]), _json(request["body"])
    )
    return _record(setup, sent)


def _record(setup: Setup, sent: SentRequest, *, rebuilt: bool = False) -> RequestRecord:
    return RequestRecord(sent.body, dict(setup.params), setup.profile.id, sent, rebuilt)


def _json(body: Any) -> str:
    """A body as `core` serialises it (so its size is the size that was sent)."""
    return body if isinstance(body, str) else json.dumps(body, ensure_ascii=False)


def request_bytes(request: RequestRecord | None) -> int | None:
    """The size of the request body in UTF-8 bytes, or None when nothing was sent."""
    return None if request is None else len(request.body.encode())


# Rendering ----------------------------------------------------------------------------------


def reply_body(reply: Reply, *, again: str, where: str) -> None:
    """The reply's text (Markdown, no HTML, clipped), how it ended, its error and next step."""
    follow.reply_text(reply, where)
    if reply.live:  # redrawn many times a second: the text only (the follower adds Stop)
        return
    if reply.error is not None:
        widgets.error_box(reply.error)
        st.caption(again)
    follow.retries_note(reply)
    service_views.filter_line(reply.annotations)


def stats_text(reply: Reply) -> str:
    """`first token 85 ms · 1.24 s in all · 1,234 B sent · finish stop · usage 12 in → 40 out`
    (finish reason and usage once the endpoint reported them)."""
    size = request_bytes(reply.request)
    parts = [
        f"first token {widgets.seconds(reply.time_to_first_token)}",
        f"{widgets.seconds(reply.elapsed)} in all",
        f"{size:,} B sent" if size is not None else "nothing sent",
        ending_text(reply),
    ]
    return " · ".join(part for part in parts if part)


def ending_text(reply: Reply) -> str:
    """`finish stop · usage 12 in → 40 out`, as far as the endpoint reported them ("" if not)."""
    parts = [
        f"finish {reply.finish_reason}" if reply.finish_reason else "",
        f"usage {widgets.usage_text(reply.usage)}" if reply.usage else "",
    ]
    return " · ".join(part for part in parts if part)


def request_panel(request: RequestRecord | None, service: ServiceHeaders | None = None) -> None:
    """Method, URL, headers (key redacted) and the JSON body of one request; with `service`,
    what Azure's rate-limit and routing headers said about it."""
    sent = request.sent if request is not None else None
    if request is None or sent is None:
        st.caption("Nothing was sent.")
        return
    if service is not None:
        service_views.service_line(service)
    st.code(f"{sent.method} {sent.url}", language=None, wrap_lines=True)
    if request.rebuilt:
        st.caption(
            "The notebook class sends this itself, so it is rebuilt here with the class's "
            "own formatter: the same body, without the transport headers its client adds."
        )
    exchange_views.headers_table(sent.headers)
    body = sent.json()
    if isinstance(body, dict | list):
        widgets.json_view(body, REQUEST_WHOLE)
    else:
        widgets.text_view(sent.body, REQUEST_WHOLE)
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
        ignored.append(f"the auth style `{AUTH_LABELS[endpoint.auth]}`")
    if endpoint.extra_parameters.value:
        ignored.append("the extra-parameters header")
    if endpoint.entra:
        ignored.append("the Microsoft Entra token (it sends the key field's key)")
    if endpoint.deployment:
        ignored.append("the deployment")
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


def code_tabs(app: Literal["translator", "memory"], setup: Setup, **options: Any) -> None:
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
