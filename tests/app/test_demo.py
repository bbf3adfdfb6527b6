"""Issue 14, "the screen is ready for a demo", through the real `streamlit_app.py` against the
scripted emulator: the sidebar ordered by use with "not used here" per page, the extra
headers badge and the header named in errors, presentation mode, the readable events, the
Request Builder's history rows and status, the URL without a scheme, Home's one-token
connection test, and the JSON mode and tool call starters.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
from streamlit.testing.v1 import AppTest

from core import InvalidRequestError
from core.config import validate_url
from emulator.process import Emulator
from tests.helpers.app_driver import (
    BUILDER,
    CHAT,
    TRANSLATOR,
    open_page,
    plain,
    plain_texts,
    say,
    set_extra_headers,
    start_app,
    texts,
)

FAULT = "x-emulator-fault: 500"
NAMED = "This request carried x-emulator-fault: 500 from the sidebar's extra headers"


def in_order(node: Any) -> Iterator[Any]:
    """Every element under `node`, in the order the page shows them."""
    for child in getattr(node, "children", {}).values():
        yield child
        yield from in_order(child)


def sidebar_labels(at: AppTest) -> list[str]:
    """The labels of the sidebar's widgets and expanders, top to bottom."""
    return [str(e.label) for e in in_order(at.sidebar) if getattr(e, "label", None)]


def metrics(at: AppTest) -> dict[str, str]:
    return {m.label: plain(m.value) for m in at.metric}


# The sidebar ---------------------------------------------------------------------------------


def test_the_sidebar_is_ordered_by_use(app: AppTest) -> None:
    open_page(app, CHAT)
    labels = sidebar_labels(app)
    order = [
        "Endpoint profile",
        "Endpoint URL",
        "Key",
        "Max tokens",
        "Temperature",
        "System prompt",
        "More parameters",
        "Top p",
        "Connection",
        "Extra parameters header",
        "Extra headers",
        "Presentation mode",
    ]
    assert [labels.index(label) for label in order] == sorted(labels.index(x) for x in order)
    # The rarely used are folded; the common ones are not in an expander.
    folded = {e.label: e for e in app.sidebar.expander}
    assert not folded["More parameters"].proto.expanded
    assert not folded["Connection"].proto.expanded
    assert "Top p" in [s.label for s in folded["More parameters"].slider]
    assert "Temperature" not in [s.label for s in folded["More parameters"].slider]


def test_plain_labels_name_the_api_field_in_their_help(app: AppTest) -> None:
    helps = {w.label: w.help for w in [*app.sidebar.slider, *app.sidebar.number_input]}
    assert helps["Top p"].startswith("`top_p`")
    assert helps["Presence penalty"].startswith("`presence_penalty`")
    assert helps["Max tokens"].startswith("`max_tokens`")
    extra = app.selectbox(key="sb_extra")
    assert extra.label == "Extra parameters header" and "`extra-parameters`" in extra.help


@pytest.mark.parametrize(
    ("page", "unused"),
    [
        (CHAT, []),
        (BUILDER, ["Parameters", "System prompt", "More parameters"]),
        (TRANSLATOR, ["System prompt"]),
    ],
)
def test_what_a_page_does_not_use_is_marked_not_used_here(
    app: AppTest, page: str, unused: list[str]
) -> None:
    open_page(app, page)
    marked = [e.label for e in app.sidebar.expander if e.label.endswith("· not used here")]
    assert marked == [f"{name} · not used here" for name in unused]
    for expander in app.sidebar.expander:
        if expander.label in marked:
            assert not expander.proto.expanded
            assert "The " in expander.caption[0].value  # the page's reason
    # The values stay for the other pages: the widgets are still there.
    assert app.slider(key="sb_param_temperature").value == 0.7
    assert app.text_area(key="sb_system").value


# Extra headers ------------------------------------------------------------------------------


def test_extra_headers_show_a_badge_and_are_named_in_every_error(app: AppTest) -> None:
    assert "Extra headers" not in texts(app.sidebar.markdown)
    set_extra_headers(app, FAULT)
    badges = [m.value for m in app.markdown if "Extra headers" in m.value]
    assert len(badges) == 2  # in the sidebar, and at the top of the page
    assert all("orange-badge" in b and "x\\-emulator\\-fault\\: 500" in b for b in badges)
    assert NAMED in plain(app.error[0].value)  # Home's endpoint check
    open_page(app, CHAT)
    say(app, "Hello")
    assert NAMED in plain_texts(app.chat_message[1].error)
    open_page(app, BUILDER)
    app.button(key="btn_rb_send").click().run()
    assert NAMED in plain_texts(app.error)
    set_extra_headers(app, "")
    assert not [m for m in app.markdown if "Extra headers" in m.value]


def test_a_secret_header_value_is_never_shown_in_the_badge(app: AppTest) -> None:
    set_extra_headers(app, "x-api-key: sekrit-value-123")
    shown = texts(app.markdown)
    assert "sekrit" not in shown and "x\\-api\\-key\\: \\*\\*\\*" in shown


# Presentation mode ----------------------------------------------------------------------------


def test_presentation_mode_names_the_model_and_folds_the_numbers(
    app: AppTest, emulator: Emulator
) -> None:
    open_page(app, CHAT)
    say(app, "Hello")
    answer = app.chat_message[1]
    assert "first token" in texts(answer.caption)
    details = next(e for e in answer.expander if e.label == "Request and raw events")
    assert "first token" not in texts(details.caption)  # beside the reply
    app.toggle(key="sb_present").set_value(True).run()
    host = emulator.base_url.split("://", 1)[1]
    header = next(m.value for m in app.main.markdown if "blue-badge" in m.value)
    assert plain(header).endswith(f" · {host}]")  # the model (here the profile) and host
    assert app.html  # the larger type's style
    answer = app.chat_message[1]
    details = next(e for e in answer.expander if e.label == "Request and raw events")
    stats = next(c.value for c in details.caption if "first token" in c.value)
    assert [c.value for c in answer.caption].count(stats) == 1  # folded into the details only
    assert app.query_params["present"] == "1"  # a reload keeps the mode
    app.toggle(key="sb_present").set_value(False).run()
    assert not [m for m in app.main.markdown if "blue-badge" in m.value]
    assert "present" not in app.query_params


def test_presentation_mode_from_the_address(
    emulator: Emulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PLAYGROUND_LOCAL_URL", emulator.base_url)
    monkeypatch.setenv("PLAYGROUND_LOCAL_KEY", emulator.api_key)
    at = AppTest.from_file(start_app.__globals__["APP"], default_timeout=90)
    at.query_params["present"] = "1"
    at.run()
    assert not at.exception
    assert at.toggle(key="sb_present").value
    assert [m for m in at.main.markdown if "blue-badge" in m.value]


# Readable events ------------------------------------------------------------------------------


def test_each_chat_reply_shows_its_events_parsed_with_the_raw_json_on_demand(
    app: AppTest,
) -> None:
    open_page(app, CHAT)
    say(app, "Hello")
    events = app.chat_message[1].dataframe[0].value
    assert list(events.columns) == ["arrived", "kind", "text", "finish reason"]
    assert "".join(events["text"]) == app.session_state["chat_conversation"].turns[0].answer.text
    assert list(events["kind"])[-1] == "[DONE]"
    raw = next(e for e in app.chat_message[1].expander if e.label == "Raw JSON")
    assert not raw.proto.expanded  # on demand
    one_line, wrapped = (c for c in raw.code if c.value.startswith("+"))
    assert '"delta"' in one_line.value and one_line.value == wrapped.value
    assert not one_line.proto.wrap_lines and wrapped.proto.wrap_lines
    assert [t.label for t in raw.tabs] == ["One line each", "Wrapped"]


# The Request Builder -------------------------------------------------------------------------


def test_the_status_tile_and_history_row_show_the_whole_status(app: AppTest) -> None:
    open_page(app, BUILDER)
    app.text_area(key="rb_headers").input("x-emulator-fault: 503").run()
    app.toggle(key="sb_retry").set_value(False).run()
    app.button(key="btn_rb_send").click().run()
    assert metrics(app)["Status"] == "503 Service Unavailable"
    rows = plain(texts(app.markdown))
    assert "“Who wrote the book Innovators dilemma?” · `POST /chat/completions`" in rows
    assert "503 Service Unavailable" in rows


def test_a_url_without_a_scheme_says_so(app: AppTest) -> None:
    app.text_input(key="sb_url").input("myresource.openai.azure.com").run()
    assert app.text_input(key="sb_url").value == "https://myresource.openai.azure.com"
    assert "The URL had no scheme: https:// was added." in texts(app.sidebar.caption)
    # Where no recognition completes it (an endpoint from the environment, a saved one),
    # the check itself says what to add.
    with pytest.raises(InvalidRequestError, match="no scheme: add https:// at the start"):
        validate_url("myendpoint.azure.com")


@pytest.mark.parametrize(
    ("label", "field"),
    [("JSON mode", "response_format"), ("Tool call", "tool_choice")],
)
def test_the_json_mode_and_tool_call_starters_get_an_answer_on_azure_openai(
    app: AppTest, emulator: Emulator, label: str, field: str
) -> None:
    # Azure OpenAI v1 (whose models take JSON mode and tools) on the emulator.
    app.radio(key="sb_profile").set_value("azure-v1").run()
    app.text_input(key="sb_url").input(emulator.base_url + "/openai/v1").run()
    app.text_input(key="sb_deployment").input("scripted-emulator").run()
    app.text_input(key="sb_key").input(emulator.api_key).run()
    open_page(app, BUILDER)
    starter = next(o for o in app.selectbox(key="rb_starter").options if o.startswith(label))
    assert "models that support" in starter
    app.selectbox(key="rb_starter").select(starter).run()
    assert field in json.loads(app.text_area(key="rb_body").value)
    app.button(key="btn_rb_send").click().run()
    assert not app.exception
    sent = app.session_state["rb_history"][-1].exchange.request.json()
    assert field in sent
    assert metrics(app)["Status"] == "200 OK"
    answer = app.session_state["rb_history"][-1].exchange.json["choices"][0]
    if field == "response_format":
        assert json.loads(answer["message"]["content"])["reply"].startswith("You said:")
    else:
        assert answer["finish_reason"] == "tool_calls"
        assert answer["message"]["tool_calls"][0]["function"]["name"] == "get_weather"


def test_the_local_route_refuses_json_mode_as_llama_does(app: AppTest) -> None:
    open_page(app, BUILDER)
    starter = next(o for o in app.selectbox(key="rb_starter").options if o.startswith("JSON"))
    app.selectbox(key="rb_starter").select(starter).run()
    app.button(key="btn_rb_send").click().run()
    assert metrics(app)["Status"] == "422 Unprocessable Entity"
    assert "is not supported" in plain_texts(app.error)


# Home's connection test ----------------------------------------------------------------------


def test_the_connection_test_sends_one_token_and_shows_status_latency_and_model(
    app: AppTest,
) -> None:
    app.button(key="btn_home_test").click().run()
    assert not app.exception
    assert "one-token chat request" in app.success[-1].value
    found = metrics(app)
    assert found["Status"] == "200 OK"
    assert found["Model"] == "scripted-emulator"
    assert found["Latency"].endswith(("ms", "s"))


def test_the_connection_test_explains_a_failure(app: AppTest) -> None:
    set_extra_headers(app, "x-emulator-fault: 401")
    app.button(key="btn_home_test").click().run()
    assert not app.exception
    error = plain_texts(app.error)
    assert "key" in error.lower()
    assert "This request carried x-emulator-fault: 401" in error
    assert "Status" not in metrics(app)
