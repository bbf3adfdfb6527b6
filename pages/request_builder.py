"""Request Builder: compose any request, send it, and read every byte of the answer."""

import streamlit as st

from core import EndpointError
from ui import builder, navigation, settings, widgets

navigation.in_app()  # drawn inside the app even when Streamlit runs this file alone

SESSION = "session"  # persist_state: the editor keeps its values across page switches

st.title("Request Builder", anchor=False)
st.caption(
    "Send any request to the endpoint and read its status, timings, headers and body. "
    "Streams show each event the moment it arrives."
)
builder.init_state()
client = settings.require_client(**builder.overrides())
request_column, response_column = st.columns([5, 6], gap="large")

with request_column:
    st.subheader("Request", anchor=False)
    st.selectbox(
        "Start from",
        builder.starter_labels(),
        index=None,
        placeholder="a request from the notebooks…",
        key="rb_starter",
        on_change=builder.on_starter,
    )
    method_column, route_column = st.columns([1, 3])
    method_column.selectbox(
        "Method",
        builder.METHODS,
        persist_state=SESSION,
        **settings.bound("rb_method", builder.METHODS),
    )
    route_column.selectbox(
        "Route",
        list(builder.ROUTES),
        format_func=builder.ROUTES.__getitem__,
        on_change=builder.on_route_change,
        persist_state=SESSION,
        **settings.bound("rb_route", list(builder.ROUTES)),
    )
    if st.session_state["rb_route"] == "custom":
        st.text_input(
            "Path",
            placeholder="/v1/chat/completions",
            persist_state=SESSION,
            **settings.bound("rb_path"),
        )
    draft = builder.Draft.from_state()
    path = builder.route_path(client, draft.route, draft.path)
    path_problem = builder.path_problem(client, path)
    body_problem, warnings = builder.body_problems(draft, client.profile)
    blocking = path_problem or body_problem  # Send stays disabled; the message says why
    if path_problem:
        st.error(path_problem, icon=":material/route:")
    else:
        st.code(f"{draft.method} {client.url_for(path)}", language=None, wrap_lines=True)

    with st.expander("Headers", icon=":material/list:"):
        auth_column, extra_column = st.columns(2)
        auth_column.selectbox(
            "Auth header",
            builder.AUTH_CHOICES,
            format_func=lambda a: settings.AUTH_LABELS.get(a, a),
            **settings.bound("rb_auth", builder.AUTH_CHOICES),
            persist_state=SESSION,
        )
        extra_column.selectbox(
            "extra-parameters",
            builder.EXTRA_CHOICES,
            format_func=lambda e: settings.EXTRA_PARAMETERS_LABELS.get(e, e),
            **settings.bound("rb_extra", builder.EXTRA_CHOICES),
            persist_state=SESSION,
        )
        st.text_area(
            "Custom headers for this request",
            **settings.bound("rb_headers"),
            placeholder="x-ms-client-request-id: my-test-1\nx-emulator-fault: 429",
            help="One `name: value` per line, added to the sidebar's extra headers.",
            persist_state=SESSION,
        )
        if blocking:
            st.caption("The headers show here once the request can be sent.")
        else:
            try:
                st.caption("Headers this request sends (the key is never shown):")
                widgets.headers_table(builder.headers_preview(client, draft, path))
            except EndpointError as exc:
                st.error(str(exc))

    st.text_area("Body (JSON)", height=300, persist_state=SESSION, **settings.bound("rb_body"))
    if body_problem:
        st.error(body_problem, icon=":material/data_object:")
    for warning in warnings:
        st.warning(warning)
    if draft.body.strip() and not draft.sends_body:
        st.caption(f"{draft.method} sends no body; the editor keeps it for later.")

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
        "Format JSON", key="btn_rb_format", on_click=builder.on_format, width="stretch"
    )

    with st.expander("Code: curl, Python requests, Python urllib", icon=":material/code:"):
        if blocking:
            st.caption("The code shows here once the request can be sent.")
        else:
            try:
                spec = builder.export(client, draft, path)
            except EndpointError as exc:
                st.error(str(exc))
            else:
                key = client.endpoint.key.reveal()
                widgets.code_tabs(spec, key, widget_key="rb_include_key")

with response_column:
    st.subheader("Response", anchor=False)
    if send:
        builder.send(client, draft, path)
    entry = builder.selected()
    if entry is None:
        st.caption("Press **Send** to see the status, timings, headers and body here.")
    else:
        st.caption(f"Sent at {entry.sent_at}: `{entry.draft.method} {entry.path}`")
        builder.response_panel(entry)

st.divider()
st.subheader("History", anchor=False)
builder.history_list()
