"""Azure AI Playground: the entry point. Navigation, the shared sidebar, and the home view.

Run with `make run` (starts the local endpoint too) or `streamlit run streamlit_app.py`.
Pages are listed once, in `ui/navigation.py`.
"""

import streamlit as st

from core import EndpointError, NotFoundError, RetryNotice
from ui import navigation, settings, widgets

st.set_page_config(page_title="Azure AI Playground", page_icon=":material/science:", layout="wide")


def home() -> None:
    """What each page is for, and whether the selected endpoint answers."""
    st.title("Azure AI Playground", anchor=False)
    st.markdown(
        "Try models deployed as **Azure AI serverless endpoints** (Llama 2, Llama 3.1, "
        "Mistral) or any OpenAI-compatible chat server: tweak parameters, watch replies "
        "stream, read the raw JSON, and copy the call as code. Settings live in the sidebar "
        "and stay in this browser tab only."
    )
    columns = st.columns(len(navigation.PAGES))
    for column, spec in zip(columns, navigation.PAGES, strict=True):
        with column.container(border=True, height="stretch"):
            st.page_link(spec.path, label=f"**{spec.title}**", icon=spec.icon)
            st.markdown(spec.summary)
    st.subheader("Endpoint", anchor=False)
    endpoint_status()
    if settings.current().profile.id == "local":
        st.caption(
            "Demo tip: the local endpoint misbehaves on request. Put `x-emulator-fault: 429` "
            "(or 401, 500, 503, cut, stall=5, malformed, content-filter-output, …) or "
            "`x-emulator-token-delay: 0.2` in the sidebar under Connection → Extra headers."
        )


def endpoint_status() -> None:
    """`GET /info` once per client (cached in the session), with a button to ask again."""
    current = settings.current()
    client = settings.client()
    if client is None:
        st.info(f"No endpoint yet: {current.problem}", icon=":material/arrow_back:")
        return
    checks = st.session_state.setdefault("home_info", {})
    key = (current.profile.id, client.endpoint)
    if key not in checks:

        def on_wait(notice: RetryNotice) -> None:
            checks[key] = notice.error  # a Cancel ends this run: show this, not a new check

        with st.spinner(f"Asking {client.endpoint.base_url} …"):
            try:
                checks[key] = widgets.run_with_retries(
                    client.info,
                    settings.retry_policy(),
                    key="btn_home_cancel_retry",
                    on_wait=on_wait,
                )
            except EndpointError as exc:
                checks[key] = exc
    st.caption(f"{current.profile.label} · `{client.endpoint.base_url}`")
    found = checks[key]
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
                "Model": str(found.get("model_name", "—")),
                "Type": str(found.get("model_type", "—")),
                "Provider": str(found.get("model_provider_name", "—")),
            }
        )
    st.button(
        "Check again",
        key="btn_home_check",
        icon=":material/refresh:",
        on_click=checks.pop,
        args=(key, None),
    )


pages = [st.Page(home, title="Home", icon=":material/home:", default=True)]
page = st.navigation(pages + navigation.streamlit_pages())
settings.sidebar()
navigation.run(page)
