"""Home: the page cards, and the endpoint check (`GET /info`, once per client and session)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import streamlit as st

from core import Client, Completion, EndpointError, NotFoundError, RetryNotice
from ui import exchange_views, safe_text, widgets
from ui.navigation import PageSpec
from ui.session_settings import Settings

CHECKS = "home_info"  # st.session_state key: {(profile id, endpoint): info or EndpointError}
TESTS = "home_test"  # st.session_state key: {(profile id, endpoint): ConnectionTest}
TEST_MESSAGE = "Say OK."
MAX_TOKENS_NAMES = ("max_tokens", "max_completion_tokens")


@dataclass(frozen=True)
class ConnectionTest:
    """What the one-token chat request found: the completion, or the error."""

    completion: Completion | None
    error: EndpointError | None


def page_cards(pages: Sequence[PageSpec]) -> None:
    """One bordered card per page, side by side: its link and what it is for."""
    for column, spec in zip(st.columns(len(pages)), pages, strict=True):
        with column.container(border=True, height="stretch"):
            st.page_link(spec.path, label=f"**{spec.title}**", icon=spec.icon)
            st.markdown(spec.summary)


def check(client: Client, settings: Settings) -> dict[str, Any] | EndpointError:
    """The endpoint's `/info` answer (or why there is none), asked once per client.

    A 429 or 503 is retried as the sidebar says, with a countdown and Cancel; a Cancel ends
    the run during the wait, so the error waited on is kept and shown instead.
    """
    checks = st.session_state.setdefault(CHECKS, {})
    key = _key(client, settings)
    if key not in checks:

        def on_wait(notice: RetryNotice) -> None:
            checks[key] = notice.error  # a Cancel ends this run: show this, not a new check

        with st.spinner(f"Asking {client.endpoint.base_url} …"):
            try:
                checks[key] = widgets.run_with_retries(
                    client.info, settings.retry, key="btn_home_cancel_retry", on_wait=on_wait
                )
            except EndpointError as exc:
                checks[key] = exc
    found: dict[str, Any] | EndpointError = checks[key]
    return found


def forget(client: Client, settings: Settings) -> None:
    """Drop the check's answer, so that the next run asks again."""
    st.session_state.get(CHECKS, {}).pop(_key(client, settings), None)


def _key(client: Client, settings: Settings) -> tuple[str, Any]:
    return settings.profile.id, client.endpoint


def info_result(found: dict[str, Any] | EndpointError) -> None:
    """What the check found: the model, a route the endpoint lacks, or the error."""
    if isinstance(found, NotFoundError):
        st.info(
            "This endpoint has no /info route (normal for Llama 2 native and most "
            "OpenAI-compatible servers). Send a request from the Request Builder to test it.",
            icon=":material/info:",
        )
    elif isinstance(found, EndpointError):
        widgets.error_box(found)
    else:
        st.success("The endpoint answers.", icon=":material/check_circle:")
        widgets.metrics_row(
            {
                "Model": safe_text.literal(str(found.get("model_name", "—"))),
                "Type": safe_text.literal(str(found.get("model_type", "—"))),
                "Provider": safe_text.literal(str(found.get("model_provider_name", "—"))),
            }
        )


# The one-token connection test -------------------------------------------------------------


def connection_test(client: Client, settings: Settings) -> None:
    """ "Test connection": one chat request for one token (any endpoint, with or without
    /info), then its status, latency and model, or the error in words."""
    tests = st.session_state.setdefault(TESTS, {})
    key = _key(client, settings)
    if st.button(
        "Test connection",
        key="btn_home_test",
        icon=":material/network_check:",
        help="Sends one chat message asking for a single token (max_tokens 1), the cheapest "
        "request that proves the URL, key and deployment work together.",
    ):
        tests[key] = run_test(client)
    found: ConnectionTest | None = tests.get(key)
    if found is not None:
        connection_result(found)


def run_test(client: Client) -> ConnectionTest:
    """One chat request for one token."""
    names = [p.name for p in client.profile.params if p.name in MAX_TOKENS_NAMES]
    limit = {names[0] if names else "max_tokens": 1}
    try:
        completion = client.chat([{"role": "user", "content": TEST_MESSAGE}], **limit)
    except EndpointError as exc:
        return ConnectionTest(None, exc)
    return ConnectionTest(completion, None)


def connection_result(found: ConnectionTest) -> None:
    """The test's status, latency and model, or its error."""
    if found.error is not None or found.completion is None:
        if found.error is not None:
            widgets.error_box(found.error)
        return
    exchange = found.completion.exchange
    st.success("The endpoint answered a one-token chat request.", icon=":material/check_circle:")
    widgets.metrics_row(
        {
            "Status": safe_text.literal(exchange_views.status_text(exchange)),
            "Latency": widgets.seconds(exchange.elapsed),
            "Model": safe_text.literal(found.completion.model or "—"),
        }
    )
