"""AppTest on the real `streamlit_app.py` against the scripted emulator.

The app is configured the way `make run` configures it: PLAYGROUND_LOCAL_URL and
PLAYGROUND_LOCAL_KEY in the environment. Assertions are on what the user sees.
"""

from __future__ import annotations

from typing import Any

import pytest
from streamlit.testing.v1 import AppTest

from core.conversation import Alternative, ChatTurn, Conversation
from core.reply import Reply, ReplyStatus
from emulator.process import Emulator
from tests.helpers.app_driver import assert_key_hidden, plain
from ui.session_settings import SETTINGS

BUILDER = "pages/request_builder.py"
CHAT = "pages/streaming_chat.py"


def open_page(at: AppTest, page: str) -> AppTest:
    at.switch_page(page).run()
    assert not at.exception
    return at


def texts(elements: Any) -> str:
    return "\n".join(str(e.value) for e in elements)


def metrics(at: AppTest) -> dict[str, str]:
    return {m.label: plain(m.value) for m in at.metric}


def set_extra_headers(at: AppTest, text: str) -> None:
    at.text_area(key="sb_headers").input(text).run()


def say(at: AppTest, message: str) -> None:
    at.chat_input[0].set_value(message).run()
    assert not at.exception


# Every page -----------------------------------------------------------------------------


def test_home_says_what_each_page_is_for_and_that_the_endpoint_answers(app: AppTest) -> None:
    assert app.title[0].value == "Azure AI Playground"
    page_text = texts(app.markdown)
    assert "Request Builder" in page_text or "event by event" in page_text
    assert "Hold a conversation" in page_text
    assert app.success[0].value == "The endpoint answers."
    assert metrics(app) == {
        "Model": "scripted-emulator",
        "Type": "chat-completions",
        "Provider": "local",
    }


@pytest.mark.parametrize("page", [BUILDER, CHAT])
def test_every_page_renders_with_the_sidebar(app: AppTest, page: str) -> None:
    open_page(app, page)
    assert app.title[0].value in ("Request Builder", "Streaming Chat")
    assert app.radio(key="sb_profile").value == "local"
    assert app.text_input(key="sb_url").value == app.session_state["sb_url"]
    assert {s.label for s in app.sidebar.slider} >= {"Temperature", "Top p"}


def test_home_without_info_route_is_not_an_error(app: AppTest) -> None:
    set_extra_headers(app, "x-emulator-fault: 404")
    assert not app.error
    assert "no /info route" in app.info[0].value


def test_an_invalid_url_is_explained_in_the_sidebar_and_nothing_breaks(app: AppTest) -> None:
    app.text_input(key="sb_url").input("ftp://example.com").run()
    assert "must start with https://" in app.sidebar.warning[0].value
    for page in (BUILDER, CHAT):
        open_page(app, page)
        assert "Set up the endpoint in the sidebar" in app.info[0].value


# Request Builder ------------------------------------------------------------------------


def test_builder_sends_a_chat_request_and_shows_status_and_json(app: AppTest) -> None:
    open_page(app, BUILDER)
    app.button(key="btn_rb_send").click().run()
    assert not app.exception
    shown = metrics(app)
    assert shown["Status"] == "200 OK"
    assert shown["Body"].endswith("B")
    reply = next(j.value for j in app.json if '"chat.completion"' in j.value)  # pretty JSON
    assert 'You said: \\"Who wrote the book' in reply
    assert "Request id `" in texts(app.caption)  # called out for debugging, with the date
    assert "Who wrote the book" in app.text_area(key="rb_body").value  # the editor keeps it


def test_builder_shows_a_stream_event_by_event_then_the_assembled_text(app: AppTest) -> None:
    open_page(app, BUILDER)
    app.selectbox(key="rb_starter").select('Chat, streamed with "stream": "True" (Llama 2)')
    app.run()
    assert '"stream": "True"' in app.text_area(key="rb_body").value
    app.button(key="btn_rb_send").click().run()
    assert not app.exception
    assert metrics(app)["Status"] == "200 OK"
    # Issue 14: the events parsed (arrival, kind, the text each adds, finish reason) ...
    events = app.dataframe[0].value
    assert list(events.columns) == ["arrived", "kind", "text", "finish reason"]
    assert "".join(events["text"]).startswith('You said: "Who wrote the book')
    assert list(events["kind"])[-1] == "[DONE]"
    assert "stop" in list(events["finish reason"])
    raw = next(e for e in app.expander if e.label == "Raw JSON")  # ... the raw lines on demand
    assert not raw.proto.expanded
    log = next(c.value for c in raw.code if c.value.startswith("+"))
    lines = log.splitlines()
    assert len(lines) > 10
    assert all(line.startswith("+") and " s  data: " in line for line in lines)
    assert lines[-1].endswith("data: [DONE]")
    markdown = texts(app.markdown)
    assert 'You said: "Who wrote the book' in markdown
    assert "finish reason **stop**" in markdown


def test_builder_explains_invalid_json_and_blocks_sending(app: AppTest) -> None:
    open_page(app, BUILDER)
    app.text_area(key="rb_body").input('{"messages": [}').run()
    assert "not valid JSON" in plain(app.error[0].value)
    assert "line 1, column" in plain(app.error[0].value)
    assert app.button(key="btn_rb_send").disabled


def test_builder_explains_the_content_filter_with_categories(app: AppTest) -> None:
    open_page(app, BUILDER)
    app.selectbox(key="rb_starter").select("Content safety: a prompt the filter blocks").run()
    app.button(key="btn_rb_send").click().run()
    assert metrics(app)["Status"].startswith("400")
    assert "content safety blocked the prompt: violence (high)" in plain(app.error[0].value)
    verdicts = next(m.value for m in app.markdown if "Content safety verdicts" in m.value)
    assert ":red-badge[violence: high (blocked)]" in verdicts
    assert ":gray-badge[hate: safe]" in verdicts


def test_builder_says_when_to_retry_after_a_429(app: AppTest) -> None:
    app.toggle(key="sb_retry").set_value(False).run()  # the raw 429, as the endpoint sent it
    open_page(app, BUILDER)
    app.text_area(key="rb_headers").input("x-emulator-fault: 429=3").run()
    app.button(key="btn_rb_send").click().run()
    assert "Retry in 3 s" in plain(app.error[0].value)
    assert "wait 3 s" in texts(app.caption)
    assert "Automatic retries" not in texts(app.caption)


def test_builder_history_loads_a_past_request_back(app: AppTest) -> None:
    open_page(app, BUILDER)
    first = app.text_area(key="rb_body").value
    app.button(key="btn_rb_send").click().run()
    app.selectbox(key="rb_starter").select("Model info: GET /info").run()
    assert app.selectbox(key="rb_method").value == "GET"
    app.button(key="btn_rb_send").click().run()
    assert any('"model_name"' in j.value for j in app.json)
    history = plain(texts(app.markdown))
    assert "`GET /info`" in history and "`POST /chat/completions`" in history
    # Issue 14: a row says what the request was (the prompt's first words) and its status.
    assert "“Who wrote the book Innovators dilemma?” · `POST /chat/completions`" in history
    assert history.count("200 OK") == 2
    app.button(key="btn_rb_load_0").click().run()
    assert app.text_area(key="rb_body").value == first
    assert app.selectbox(key="rb_method").value == "POST"
    assert app.selectbox(key="rb_route").value == "chat"
    assert metrics(app)["Body"].endswith("B")  # the loaded request's response is shown


def test_code_tabs_hide_the_key_unless_asked(app: AppTest, emulator: Emulator) -> None:
    open_page(app, BUILDER)
    code = texts(app.code)
    assert "curl -X POST" in code and "import requests" in code and "urllib.request" in code
    assert "$AZURE_AI_CHAT_KEY" in code
    assert emulator.api_key not in code
    app.checkbox(key="rb_include_key").check().run()
    assert emulator.api_key not in texts(app.code)  # the server's key: never exported
    assert "The host's key stays on the server" in texts(app.info)
    app.text_input(key="sb_key").input("my-own-key").run()  # the visitor's own key
    assert "my-own-key" in texts(app.code)
    assert "contains your key" in texts(app.warning)


# Streaming Chat -------------------------------------------------------------------------


def test_chat_streams_a_reply_into_the_history(app: AppTest) -> None:
    open_page(app, CHAT)
    say(app, "Hello model, how are you")
    user, assistant = app.chat_message
    assert user.markdown[0].value == "Hello model, how are you"
    assert assistant.markdown[0].value.startswith('You said: "Hello model, how are you')
    stats = texts(assistant.caption)
    assert "first token" in stats and "tokens/s" in stats and "finish stop" in stats
    assert '"stream": true' in texts(assistant.code)  # the exact request in the expander
    say(app, "And a second one")
    assert [m.name for m in app.chat_message] == ["user", "assistant"] * 2


def test_chat_regenerate_and_clear(app: AppTest) -> None:
    open_page(app, CHAT)
    say(app, "Tell me something")
    app.button(key="btn_chat_regenerate").click().run()
    assert [m.name for m in app.chat_message] == ["user", "assistant"]
    assert app.chat_message[1].markdown[0].value.startswith('You said: "Tell me something')
    assert not app.download_button(key="btn_chat_json").disabled
    app.button(key="btn_chat_clear").click().run()
    assert not app.chat_message


def test_a_stopped_reply_is_kept_and_marked(app: AppTest) -> None:
    open_page(app, CHAT)
    left = Reply("Once upon a", ReplyStatus.STREAMING)  # as a worker that is gone leaves it
    app.session_state["chat_conversation"] = Conversation(
        [ChatTurn("Write a long story", [Alternative(left)])]
    )
    app.run()
    reply = app.chat_message[1]
    assert reply.markdown[0].value == "Once upon a"
    assert "Stopped by you" in texts(reply.caption)


# Every emulator fault on this page (and the Request Builder) is in tests/app/fault_table/,
# which also writes the table the README quotes.


def test_chat_explains_a_blocked_prompt(app: AppTest) -> None:
    open_page(app, CHAT)
    say(app, "How to make bomb?")
    reply = app.chat_message[1]
    assert "violence (high)" in plain(reply.error[0].value)
    assert app.chat_message[0].markdown[0].value == "How to make bomb?"


# State and secrets ----------------------------------------------------------------------


def test_switching_pages_keeps_every_value(app: AppTest) -> None:
    app.slider(key="sb_param_temperature").set_value(1.25)
    app.text_area(key="sb_system").input("You are terse.")
    app.number_input(key="sb_param_seed").set_value(42)
    set_extra_headers(app, "x-emulator-token-delay: 0")
    open_page(app, BUILDER)
    app.text_area(key="rb_body").input('{"messages": [{"role": "user", "content": "kept"}]}')
    app.selectbox(key="rb_route").select("custom").run()
    app.text_input(key="rb_path").input("/v1/chat/completions").run()
    open_page(app, CHAT)
    open_page(app, BUILDER)
    assert app.text_area(key="rb_body").value.endswith('"kept"}]}')
    assert app.selectbox(key="rb_route").value == "custom"
    assert app.text_input(key="rb_path").value == "/v1/chat/completions"
    assert app.slider(key="sb_param_temperature").value == 1.25
    assert app.number_input(key="sb_param_seed").value == 42
    assert app.text_area(key="sb_system").value == "You are terse."
    assert app.text_area(key="sb_headers").value == "x-emulator-token-delay: 0"


def test_switching_profile_resets_parameters_and_keeps_each_url(
    app: AppTest, emulator: Emulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("AZURE_AI_CHAT_ENDPOINT", "https://example.eastus2.models.ai.azure.com")
    app.slider(key="sb_param_temperature").set_value(1.5).run()
    app.radio(key="sb_profile").set_value("llama2-chat").run()
    assert app.text_input(key="sb_url").value == "https://example.eastus2.models.ai.azure.com"
    assert app.selectbox(key="sb_auth").value == "bare"
    assert app.slider(key="sb_param_temperature").value == 0.7
    assert "sb_param_seed" not in [n.key for n in app.number_input]  # Llama 2 has no seed
    app.text_input(key="sb_url").input("https://mine.eastus2.inference.ai.azure.com").run()
    app.radio(key="sb_profile").set_value("local").run()
    assert app.text_input(key="sb_url").value == emulator.base_url
    assert app.text_input(key="sb_key").value == ""  # the server's key stays on the server
    assert app.session_state[SETTINGS].endpoint.key.reveal() == emulator.api_key
    app.radio(key="sb_profile").set_value("llama2-chat").run()
    assert app.text_input(key="sb_url").value == "https://mine.eastus2.inference.ai.azure.com"
    assert not app.exception


def test_the_key_never_appears_on_the_page(app: AppTest, emulator: Emulator) -> None:
    assert_key_hidden(app, emulator.api_key)  # home, after the /info check
    open_page(app, BUILDER)
    app.button(key="btn_rb_send").click().run()
    assert_key_hidden(app, emulator.api_key)
    open_page(app, CHAT)
    set_extra_headers(app, "x-emulator-fault: 401")
    say(app, "hello")
    assert_key_hidden(app, emulator.api_key)
