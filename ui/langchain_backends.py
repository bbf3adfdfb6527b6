"""The LangChain pages' backends: which of them fit the sidebar's endpoint, the picker (under
**Advanced**), the model each builds, and each one's failures as `core` errors.

    adapter      core.langchain.ChatAzureServerless: every request through core's client
    community    langchain-community's AzureMLChatOnlineEndpoint (the Llama 3.1 and Mistral
                 notebooks), set up so that it works today
    maintained   Microsoft's AzureAIOpenAIApiChatModel (langchain-azure-ai) on Azure OpenAI v1
    llama2       the Llama 2 notebook's AzureMLOnlineEndpoint: a text LLM that does not stream

The maintained class pulls in langchain-openai, openai and azure-ai-projects (about a second):
`core.langchain.maintained` is imported only when a model is built with it, so neither the
pages' first visit nor the background preload (`ui/langchain_preload.py`) pays for it.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Literal

import streamlit as st

from core import Endpoint, EndpointError, HostPolicy, Limits, Profile, Redactor, RetryNotice
from core.azure_v1 import v1_base
from core.langchain import ChatAzureServerless, community_chat_model
from core.notebook import LLAMA2_CHATBOT_SYSTEM, LLAMA2_TRANSLATOR_SYSTEM
from core.transport import CHECK_SETTINGS, backend_error
from ui import hosting, session_settings, widgets

App = Literal["translator", "memory"]
ADAPTER, COMMUNITY, MAINTAINED, LLAMA2 = "adapter", "community", "maintained", "llama2"
BACKENDS = {
    ADAPTER: "Adapter (core.langchain)",
    COMMUNITY: "Notebook class (AzureMLChatOnlineEndpoint)",
    MAINTAINED: "Maintained class (AzureAIOpenAIApiChatModel)",
    LLAMA2: "Llama 2 notebook (AzureMLOnlineEndpoint)",
}
# One line under each choice of the picker.
NOTES = {
    ADAPTER: "This playground's client, with every sidebar setting.",
    COMMUNITY: "The Llama 3.1 and Mistral notebooks' class (langchain-community), made to work.",
    MAINTAINED: "Microsoft's langchain-azure-ai on the v1 API: the way forward.",
    LLAMA2: "The Llama 2 notebook's text LLM and formatter, fixed to run; it does not stream.",
}
# Where each backend fits: the maintained class needs the resource's /openai/v1 (the local
# endpoint serves it too); the Llama 2 class posts to <host>/models/chat/completions.
MAINTAINED_PROFILES = ("azure-v1", "azure-classic", "foundry-models", "local")
LLAMA2_PROFILES = ("serverless", "llama2-chat", "local")
# What to do when a backend fails in a way no mapping explains.
SWITCH = CHECK_SETTINGS.removesuffix(".") + ", or switch to the adapter backend."
ADVICE = {ADAPTER: CHECK_SETTINGS, COMMUNITY: SWITCH, MAINTAINED: SWITCH, LLAMA2: SWITCH}
#: The backends that record their requests at the HTTP level (`on_request=recorder.add`).
HTTP_RECORDED = (MAINTAINED, LLAMA2)


@dataclass(frozen=True)
class Setup:
    """What a LangChain page takes from the sidebar, plus the backend picked on the page."""

    backend: str
    endpoint: Endpoint
    profile: Profile
    params: Mapping[str, Any]
    system_prompt: str
    hosts: HostPolicy  # the outbound allow-list; every backend is checked against it
    retries: int  # 429/503 retries the sidebar allows (the adapter and the maintained class)
    limits: Limits  # what one reply may take (the adapter only; the others have their own)
    app: App = "translator"  # the page: the Llama 2 notebook's system message differs


# Which backend fits -------------------------------------------------------------------------


def unfit(backend: str, profile: Profile, endpoint: Endpoint | None) -> str:
    """Why `backend` cannot serve the sidebar's endpoint, in one line ("" when it can)."""
    if backend == MAINTAINED:
        if profile.id not in MAINTAINED_PROFILES:
            return "needs an Azure OpenAI or Foundry endpoint (v1 API) or the local one."
        if endpoint is None:
            return "set up the endpoint in the sidebar first."
        try:
            named = v1_base(endpoint.url).deployment
        except EndpointError:
            return "the URL has no v1 form: paste the resource's URL."
        if not (endpoint.deployment or named):
            return "needs the deployment's name: type it in the sidebar."
    elif backend == LLAMA2:
        if profile.id not in LLAMA2_PROFILES:
            return "needs a serverless, Llama 2 chat or local endpoint."
        if endpoint is not None and endpoint.entra:
            return "sends a key only: pick a key under Auth in the sidebar."
    return ""


def backend_picker() -> str:
    """The backend switch under **Advanced**, shared by both pages (one choice per session):
    the backends that fit the sidebar's endpoint, and each other one with why it does not."""
    settings = session_settings.current()
    reasons = {name: unfit(name, settings.profile, settings.endpoint) for name in BACKENDS}
    usable = [name for name in BACKENDS if not reasons[name]]
    with st.expander("Advanced: LangChain backend", icon=":material/tune:"):
        picked: str = st.radio(
            "LangChain backend",
            usable,
            format_func=BACKENDS.__getitem__,
            captions=[NOTES[name] for name in usable],
            key="lc_backend",
            persist_state=widgets.SESSION,
            help="The same chains over four LangChain classes. The migration guide below "
            "compares their code.",
        )
        for name, reason in reasons.items():
            if reason:
                st.caption(f":material/block: **{BACKENDS[name]}** is unavailable: {reason}")
    return picked


def setup(backend: str, app: App = "translator") -> Setup:
    """The sidebar's endpoint and parameters; stops the page with a hint when unusable."""
    settings = session_settings.current()
    client = session_settings.require_client()
    return Setup(
        backend=backend,
        # Every backend does its own HTTP: the host's key only while the URL is the host's.
        endpoint=hosting.outbound(client.endpoint),
        profile=client.profile,
        params=session_settings.request_params(client),
        system_prompt=settings.system_prompt.strip(),
        hosts=settings.hosts,
        retries=settings.retry.attempts if settings.retry is not None else 0,
        limits=client.limits,
        app=app,
    )


# The model ----------------------------------------------------------------------------------


def chat_model(
    setup: Setup,
    *,
    on_request: Callable[[dict[str, Any]], None] | None = None,
    on_retry: Callable[[RetryNotice], None] | None = None,
    retry_sleep: Callable[[float], None] | None = None,
) -> Any:
    """A model for one request (the notebook classes must not be reused, see their notes).

    `on_request` receives each request as sent, from the backends that record at the HTTP
    level (`HTTP_RECORDED`); the adapter's requests reach the chain's callbacks instead.
    """
    endpoint = setup.endpoint
    # One model per Llama 2 endpoint; the maintained class's deployment is its own `model`.
    params = {name: value for name, value in setup.params.items() if name != "model"}
    if setup.backend == COMMUNITY:
        return community_chat_model(
            endpoint.url, endpoint.key.reveal(), timeout=_seconds(endpoint), hosts=setup.hosts,
            **setup.params,
        )  # fmt: skip
    if setup.backend == MAINTAINED:
        from core.langchain.maintained import maintained_chat_model  # heavy: only when picked

        source = endpoint.token
        return maintained_chat_model(
            endpoint,
            endpoint.deployment,
            token_provider=(lambda: source.token().value) if source is not None else None,
            hosts=setup.hosts,
            on_request=on_request,
            max_retries=setup.retries,
            on_retry=on_retry,
            retry_sleep=retry_sleep,
            **params,
        )
    if setup.backend == LLAMA2:
        from core.langchain.llama2_notebook import llama2_notebook_llm

        system = LLAMA2_CHATBOT_SYSTEM if setup.app == "memory" else LLAMA2_TRANSLATOR_SYSTEM
        return llama2_notebook_llm(
            endpoint.url, endpoint.key.reveal(), system=system, timeout=_seconds(endpoint),
            hosts=setup.hosts, on_request=on_request, **params,
        )  # fmt: skip
    return ChatAzureServerless.from_endpoint(
        endpoint, profile=setup.profile.id, hosts=setup.hosts, max_retries=setup.retries,
        limits=setup.limits, on_retry=on_retry, retry_sleep=retry_sleep, **setup.params,
    )  # fmt: skip


def _seconds(endpoint: Endpoint) -> int:
    """The notebook classes take whole seconds for their one timeout."""
    return max(1, round(endpoint.read_timeout))


def as_error(exc: BaseException, setup: Setup, partial: str = "") -> EndpointError:
    """Any failure of a chain as a `core` error whose message says what to do next (the
    maintained class's openai exceptions through `maintained_error`), secrets redacted."""
    redactor = Redactor(setup.endpoint.key.reveal())
    if setup.endpoint.token is not None:
        redactor.add(*setup.endpoint.token.issued())
    source, advice = BACKENDS[setup.backend], ADVICE[setup.backend]
    if setup.backend == MAINTAINED:
        from core.langchain.maintained_errors import maintained_error

        mapped = maintained_error(
            exc, setup.endpoint, partial_text=partial, source=source, advice=advice
        )
        return redactor.error(mapped)
    return backend_error(exc, redactor, source=source, partial_text=partial, advice=advice)


__all__ = [
    "ADAPTER",
    "BACKENDS",
    "COMMUNITY",
    "LLAMA2",
    "MAINTAINED",
    "Setup",
    "as_error",
    "backend_picker",
    "chat_model",
    "setup",
    "unfit",
]
