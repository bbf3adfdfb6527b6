"""What the two LangChain pages (Translator, Memory Chatbot) share: streaming a chain into a
reply, the request each reply sent, and the request and code views. The backends, their
picker and the model each builds are in `ui/langchain_backends.py`; the migration guide in
`ui/migration_guide.py`.

Only those pages import this module, so the other pages never wait for LangChain (which
`ui/langchain_preload.py` imports in the background, once per server process). A chain
streams in a worker thread like every reply (`ui.follow`, `core.live.PiecesSource`).
"""

from __future__ import annotations

import json
import warnings
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from typing import Any, Literal

import streamlit as st

from core import AuthStyle, EndpointError, ServiceHeaders
from core.chain_snippets import (
    Auth,
    adapter_code,
    community_code,
    llama2_notebook_code,
    maintained_code,
)
from core.langchain import RequestRecorder, community_request_body, community_url
from core.live import PiecesSource, RetryHooks
from core.records import SentRequest
from core.reply import Reply, RequestRecord
from ui import exchange_views, follow, service_views, widgets
from ui.credentials import AUTH_LABELS
from ui.langchain_backends import (
    ADAPTER,
    BACKENDS,
    COMMUNITY,
    LLAMA2,
    MAINTAINED,
    Setup,
    as_error,
    chat_model,
)

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
        model = chat_model(
            setup, on_request=recorder.add, on_retry=hooks.on_retry, retry_sleep=hooks.sleep
        )
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


def caveats(setup: Setup) -> None:
    """Say which sidebar settings the picked backend cannot send."""
    endpoint, ignored = setup.endpoint, []
    if setup.backend == MAINTAINED:
        if endpoint.auth is not AuthStyle.BEARER and not endpoint.entra:
            ignored.append(f"the auth style `{AUTH_LABELS[endpoint.auth]}` (v1 takes either)")
        if endpoint.extra_parameters.value:
            ignored.append("the extra-parameters header")
        if ignored:
            st.caption(
                ":material/info: The maintained class sends the key as `Authorization: Bearer`"
                f" and ignores {', '.join(ignored)}."
            )
        return
    if setup.backend not in (COMMUNITY, LLAMA2):
        return
    if setup.backend == LLAMA2:
        st.caption(":material/info: The Llama 2 notebook class does not stream: the reply "
                   "arrives whole.")  # fmt: skip
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


@contextmanager
def lazy_expander(label: str, *, key: str, icon: str) -> Iterator[bool]:
    """An expander whose content is drawn only while it is open (toggling it reruns the
    page): the code and the migration guide are long, rarely opened, and would otherwise be
    built on every run of the page. Yields whether it is open."""
    box = st.expander(label, icon=icon, key=key, on_change="rerun")
    with box:
        yield bool(box.open)


def code_tabs(app: Literal["translator", "memory"], setup: Setup, **options: Any) -> None:
    """The same chain as Python to copy, one tab per backend; the key comes from the env
    (or, for the maintained class on Entra ID, a token from azure-identity)."""
    tabs = st.tabs(list(BACKENDS.values()), default=BACKENDS[setup.backend])
    for name, tab in zip(BACKENDS, tabs, strict=True):
        try:
            tab.code(program(name, app, setup, **options), language="python")
        except EndpointError as exc:
            tab.info(str(exc), icon=":material/info:")
        else:
            tab.caption(NEEDS[name])
    st.caption(
        "The key comes from the environment: `AZURE_AI_CHAT_KEY`, or `AZURE_OPENAI_API_KEY` "
        "for the maintained class."
    )


def program(
    backend: str, app: Literal["translator", "memory"], setup: Setup, **options: Any
) -> str:
    """`backend`'s program for this page and the sidebar's endpoint (`core.chain_snippets`);
    EndpointError when that backend cannot take the endpoint."""
    endpoint, params = setup.endpoint, dict(setup.params)
    if backend == COMMUNITY:
        return community_code(app, endpoint.url, params, **options)
    if backend in (LLAMA2, MAINTAINED):
        # One model per Llama 2 endpoint; the maintained class's deployment is its `model`.
        params.pop("model", None)
    if backend == LLAMA2:
        return llama2_notebook_code(app, endpoint.url, params, **options)
    if backend == MAINTAINED:
        auth: Auth = "entra" if endpoint.entra else "key"
        return maintained_code(app, endpoint.url, endpoint.deployment, params, auth=auth, **options)
    return adapter_code(
        app, endpoint.url, params, profile=setup.profile.id, auth=endpoint.auth,
        extra_parameters=endpoint.extra_parameters, **options,
    )  # fmt: skip


NEEDS = {
    ADAPTER: "Run it from this project's folder (it imports `core`).",
    COMMUNITY: "Needs `pip install langchain-community openai`.",
    MAINTAINED: "Needs `pip install langchain-azure-ai` (it brings langchain-openai and "
    "azure-identity).",
    LLAMA2: "Needs `pip install langchain-community langchain-classic`. It does not stream.",
}
