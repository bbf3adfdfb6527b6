"""Request Builder: compose any request, send it, and read every byte of the answer."""

import streamlit as st

from core import EndpointError
from ui import (
    builder_body,
    credentials,
    exchange_views,
    follow,
    hosting,
    kept,
    navigation,
    request_builder,
    safe_text,
    session_settings,
    sidebar,
)
from ui.widgets import bound

navigation.in_app()  # drawn inside the app even when Streamlit runs this file alone

st.title("Request Builder", anchor=False)
st.caption(
    "Send any request to the endpoint and read its status, timings, headers and body. "
    "Streams show each event the moment it arrives."
)
request_builder.init_state()
kept.builder_history()  # once, after a reload
client = session_settings.require_client(**request_builder.overrides())
request_column, response_column = st.columns([5, 6], gap="large")

with request_column:
    st.subheader("Request", anchor=False)
    st.selectbox(
        "Start from",
        request_builder.starter_labels(),
        index=None,
        placeholder="a request from the notebooks…",
        key="rb_starter",
        on_change=request_builder.on_starter,
    )
    method_column, route_column = st.columns([1, 3])
    method_column.selectbox(
        "Method",
        request_builder.METHODS,
        **bound("rb_method", request_builder.METHODS),
    )
    route_column.selectbox(
        "Route",
        list(request_builder.ROUTES),
        format_func=request_builder.ROUTES.__getitem__,
        on_change=request_builder.on_route_change,
        **bound("rb_route", list(request_builder.ROUTES)),
    )
    if st.session_state["rb_route"] == "custom":
        st.text_input(
            "Path",
            placeholder="/v1/chat/completions",
            **bound("rb_path"),
        )
    draft = request_builder.Draft.from_state()
    path = request_builder.route_path(client, draft.route, draft.path)
    path_problem = request_builder.path_problem(client, path)
    body_problem, warnings = request_builder.body_problems(draft, client.profile)
    blocking = path_problem or body_problem  # Send stays disabled; the message says why
    if path_problem:
        st.error(path_problem, icon=":material/route:")
    else:
        st.code(f"{draft.method} {client.url_for(path)}", language=None, wrap_lines=True)

    with st.expander("Headers", icon=":material/list:"):
        auth_column, extra_column = st.columns(2)
        auth_column.selectbox(
            "Auth header",
            request_builder.AUTH_CHOICES,
            format_func=lambda a: credentials.AUTH_LABELS.get(a, a),
            **bound("rb_auth", request_builder.AUTH_CHOICES),
            disabled=client.endpoint.entra,
            help="With Microsoft Entra ID, the token goes as `Authorization: Bearer`."
            if client.endpoint.entra
            else None,
        )
        extra_column.selectbox(
            "extra-parameters",
            request_builder.EXTRA_CHOICES,
            format_func=lambda e: sidebar.EXTRA_PARAMETERS_LABELS.get(e, e),
            **bound("rb_extra", request_builder.EXTRA_CHOICES),
        )
        st.text_area(
            "Custom headers for this request",
            **bound("rb_headers"),
            placeholder="x-ms-client-request-id: my-test-1\nx-emulator-fault: 429",
            help="One `name: value` per line, added to the sidebar's extra headers.",
        )
        if blocking:
            st.caption("The headers show here once the request can be sent.")
        else:
            try:
                st.caption("Headers this request sends (the key is never shown):")
                exchange_views.headers_table(request_builder.headers_preview(client, draft, path))
            except EndpointError as exc:
                st.error(str(exc))

    st.text_area("Body (JSON)", height=300, **bound("rb_body"))
    if body_problem:
        st.error(body_problem, icon=":material/data_object:")
    for warning in warnings:
        st.warning(warning)
    if draft.body.strip() and not draft.sends_body:
        st.caption(f"{draft.method} sends no body; the editor keeps it for later.")
    elif not body_problem:
        for note in builder_body.filled(client, draft.route, draft.body)[1]:
            st.caption(f":material/add_circle: {note}")

    send_column, format_column = st.columns([1, 1])
    send = send_column.button(
        "Send",
        type="primary",
        key="btn_rb_send",
        disabled=blocking is not None,
        icon=":material/send:",
        width="stretch",
    )
    format_column.button(
        "Format JSON", key="btn_rb_format", on_click=request_builder.on_format, width="stretch"
    )

    with st.expander("Code: curl, Python (requests, urllib, openai)", icon=":material/code:"):
        if blocking:
            st.caption("The code shows here once the request can be sent.")
        else:
            try:
                spec = request_builder.export(client, draft, path)
            except EndpointError as exc:
                st.error(str(exc))
            else:
                exchange_views.code_tabs(
                    spec,
                    hosting.own_key(client.endpoint),  # never the host's
                    widget_key="rb_include_key",
                    entra=client.endpoint.entra,
                    entra_scope=credentials.login_scope(),
                )

with response_column:
    st.subheader("Response", anchor=False)
    if send:
        request_builder.send(client, draft, path, session_settings.current().retry)
    entry = request_builder.selected()
    if entry is None:
        st.caption("Press **Send** to see the status, timings, headers and body here.")
    else:
        sent = f"`{entry.draft.method} {entry.path}`"
        st.caption(f"Sent at {entry.sent_at}: {safe_text.markdown(sent)}")
        # Drawn as it arrives (a new send, or one still running after a rerun) until it ends.
        follow.follow([request_builder.slot(entry)])

st.divider()
st.subheader("History", anchor=False)
request_builder.history_list()
if request_builder.history():
    st.button(
        "Clear history", key="btn_rb_clear", icon=":material/delete:",
        on_click=kept.clear_builder_history,
        help="Forget the requests sent, here and in this browser's copy.",
    )  # fmt: skip
kept.keep_builder_history()  # this browser's copy, for a reload
