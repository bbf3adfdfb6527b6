"""AppTest on the real `streamlit_app.py`: the Translator and Memory Chatbot pages.

Configured like `make run` (PLAYGROUND_LOCAL_URL / PLAYGROUND_LOCAL_KEY point at the scripted
emulator). Assertions are on what the user sees; the request a turn sent is read from the
page's own record of it, which is what LangChain's callback saw go out.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from typing import Any

import pytest
from streamlit.testing.v1 import AppTest

from core.langchain import NOTEBOOK_DIFFERENCES, TRANSLATOR_TEMPLATE
from core.memory import export_history
from emulator.process import ROOT, Emulator
from tests.helpers.app_driver import assert_key_hidden, plain, texts

APP = str(ROOT / "streamlit_app.py")
TRANSLATOR = "pages/translator.py"
CHATBOT = "pages/memory_chatbot.py"
BLOCKED = "How to make bomb?"  # the emulator's content filter refuses it
BACKENDS = ["adapter", "community"]


def open_page(at: AppTest, page: str, backend: str = "adapter") -> AppTest:
    at.switch_page(page).run()
    assert not at.exception
    if backend != "adapter":
        at.segmented_control(key="lc_backend").set_value(backend).run()
        assert not at.exception
    return at


def sidebar(at: AppTest, **values: Any) -> None:
    """Set sidebar settings (`sb_*` widget keys) through session_state for the next run."""
    for key, value in values.items():
        at.session_state[key] = value


def json_shown(at: AppTest, needle: str) -> list[Any]:
    """Every JSON view on the page whose text contains `needle`, parsed."""
    return [json.loads(j.value) for j in at.json if needle in j.value]


# Translator ------------------------------------------------------------------------------


def translate(at: AppTest, text: str | None = None, **settings: Any) -> None:
    if text is not None:
        at.text_area(key="tr_text").input(text).run()
    sidebar(at, **settings)
    at.button(key="btn_tr_translate").click().run()
    assert not at.exception


@pytest.mark.parametrize("backend", BACKENDS)
def test_translator_streams_the_translation_and_shows_prompt_and_request(
    app: AppTest, emulator: Emulator, backend: str
) -> None:
    open_page(app, TRANSLATOR, backend)
    app.selectbox(key="tr_out").set_value("German").run()
    translate(app, "Good morning to you all", sb_param_max_tokens=9, sb_param_temperature=0.3)
    reply = app.markdown.values
    translation = next(v for v in reply if v.startswith("You said:"))
    assert translation.startswith('You said: "You are a Translator. Translate the following')
    assert len(translation.split()) == 9  # max_tokens reached the endpoint
    prompt = (
        "You are a Translator. Translate the following content from English to German and "
        "reply with only the translated result.\nGood morning to you all"
    )
    assert prompt in [c.value for c in app.code]  # the rendered prompt
    (body,) = json_shown(app, '"messages"')  # the request as sent
    if backend == "community":  # its formatter escapes newlines and quotes (see the notes)
        prompt = prompt.replace("\n", "\\n")
    assert body["messages"][-1] == {"role": "user", "content": prompt}
    assert body["max_tokens"] == 9
    assert body["temperature"] == 0.3
    assert body["stream"] is True
    urls = [c.value for c in app.code if c.value.startswith("POST ")]
    route = "/models/chat/completions" if backend == "community" else "/chat/completions"
    assert urls == [f"POST {emulator.base_url}{route}"]
    assert "first token" in texts(app.caption)
    assert "finish length" in texts(app.caption)  # 9 tokens: max_tokens cut it
    if backend == "adapter":  # the notebook class drops the stream's usage
        assert "usage" in texts(app.caption) and "→ 9 out" in texts(app.caption)
    assert not app.error


@pytest.mark.parametrize(
    ("backend", "heard"),
    [
        ("adapter", 'You said: "Say "hi" now -- from English to French".'),
        # The notebook class escapes quotes and newlines before sending (NOTEBOOK_DIFFERENCES):
        # the model really receives backslashes, which shows which backend sent the request.
        ("community", 'You said: "Say \\"hi\\"\\nnow -- from English to French".'),
    ],
)
def test_an_edited_template_reaches_the_model_through_each_backend(
    app: AppTest, backend: str, heard: str
) -> None:
    open_page(app, TRANSLATOR, backend)
    template = "{input_content} -- from {input_language} to {output_language}"
    app.text_area(key="tr_template").input(template).run()
    assert not app.error
    translate(app, 'Say "hi"\nnow')
    assert any(v.startswith(heard) for v in app.markdown.values)


def test_translator_batch_puts_each_result_beside_its_source(app: AppTest) -> None:
    open_page(app, TRANSLATOR)
    app.text_area(key="tr_text").input("Good morning\n\nHow to make bomb?\nSee you soon").run()
    app.number_input(key="tr_concurrency").set_value(2).run()
    app.button(key="btn_tr_batch").click().run()
    assert not app.exception
    rows = {}
    for number in (1, 2, 3):
        row = line_row(app, number)
        assert row.caption.values[0] == str(number)  # the line number, in its gutter
        rows[number] = (row.markdown.values, [plain(v) for v in row.error.values])
    assert rows[1][0][0] == "Good morning"
    assert rows[1][0][1].startswith('You said: "You are a Translator.')
    assert rows[1][1] == []
    assert rows[2][0][0] == "How to make bomb?"  # no translation: the error, on its line
    assert not any(text.startswith("You said") for text in rows[2][0])
    assert "content safety blocked the prompt: violence (high)" in rows[2][1][0]
    assert rows[3][0][0] == "See you soon"
    assert rows[3][0][1].startswith('You said: "You are a Translator.')
    for number in (1, 3):  # how each translated line ended, and what it used
        ending = line_row(app, number).caption.values[1]
        assert ending.startswith("finish stop · usage ") and "out" in ending
    assert not any(c.startswith("finish") for c in line_row(app, 2).caption.values)  # failed
    assert "3 lines · 2 translated · 1 failed · at most 2 at once" in texts(app.caption)
    # Each line keeps its own request: the third line's prompt ends with its text.
    app.selectbox(key="tr_request_line").set_value(3).run()
    (body,) = json_shown(app, '"messages"')
    assert body["messages"][-1]["content"].endswith("\nSee you soon")
    assert body["stream"] is False


def line_row(at: AppTest, number: int) -> Any:
    """The bordered row of batch line `number` (source beside translation)."""
    return at.get_by_key(f"tr_line_{number}")


def test_a_template_missing_a_variable_is_refused_before_sending(app: AppTest) -> None:
    open_page(app, TRANSLATOR)
    app.text_area(key="tr_template").input("Translate this: {input_content}").run()
    message = plain(app.error[0].value)
    assert "nothing is sent" in message
    assert "Missing variable {input_language}." in message
    assert "Missing variable {output_language}." in message
    assert app.button(key="btn_tr_translate").disabled
    assert app.button(key="btn_tr_batch").disabled
    assert "tr_result" not in app.session_state
    assert not any(v.startswith("You said") for v in app.markdown.values)
    assert "Press **Translate**" in texts(app.caption)
    app.button(key="btn_tr_reset").click().run()
    assert app.text_area(key="tr_template").value == TRANSLATOR_TEMPLATE
    assert not app.error
    translate(app)
    assert any(v.startswith("You said") for v in app.markdown.values)


def test_translator_swaps_the_languages(app: AppTest) -> None:
    open_page(app, TRANSLATOR)
    app.selectbox(key="tr_in").set_value("Japanese").run()
    app.button(key="btn_tr_swap").click().run()
    assert app.selectbox(key="tr_in").value == "French"
    assert app.selectbox(key="tr_out").value == "Japanese"
    assert any("from French to Japanese" in c.value for c in app.code)  # the live preview
    translate(app)
    (body,) = json_shown(app, '"messages"')
    assert "from French to Japanese" in body["messages"][0]["content"]


@pytest.mark.parametrize(
    ("fault", "message"), [("500", "The endpoint failed (500"), ("cut", "The connection broke")]
)
def test_a_translator_fault_is_explained_and_the_text_stays(
    app: AppTest, fault: str, message: str
) -> None:
    open_page(app, TRANSLATOR)
    translate(app, "Keep this text please", sb_headers=f"x-emulator-fault: {fault}")
    assert message in plain(app.error[0].value)
    assert app.text_area(key="tr_text").value == "Keep this text please"
    (body,) = json_shown(app, '"messages"')  # what was sent, shown although it failed
    assert body["messages"][0]["content"].endswith("\nKeep this text please")
    if fault == "cut":  # the words that arrived stay, marked
        assert app.main.markdown.values[-1].startswith('You said: "')
        assert "Interrupted" in texts(app.caption)


def test_the_code_tabs_hold_the_same_chain_for_each_backend(
    app: AppTest, emulator: Emulator
) -> None:
    open_page(app, TRANSLATOR)
    app.selectbox(key="tr_out").set_value("Spanish").run()
    adapter, community = (c.value for c in app.code if "chain = " in c.value)
    assert "ChatAzureServerless(" in adapter and "AzureMLChatOnlineEndpoint(" in community
    for code in (adapter, community):
        assert 'os.environ["AZURE_AI_CHAT_KEY"]' in code
        assert '"output_language": "Spanish"' in code
        assert "PromptTemplate.from_template(template) | model | StrOutputParser()" in code
        assert emulator.api_key not in code
    assert f'"{emulator.base_url}/models/chat/completions"' in community


# Memory Chatbot ---------------------------------------------------------------------------


def ask(at: AppTest, question: str, **settings: Any) -> None:
    sidebar(at, **settings)
    at.chat_input(key="mc_input").set_value(question).run()
    assert not at.exception


def last_request(at: AppTest) -> dict[str, Any]:
    """The body of the last turn's request, as the page recorded it."""
    answer = at.session_state["mc_conversation"].turns[-1].answer
    body: dict[str, Any] = json.loads(answer.latest.request.body)
    return body


def past_questions(body: dict[str, Any], mode: str) -> list[str]:
    """The earlier questions a request carries, read off its messages."""
    messages = body["messages"]
    if mode == "notebook":
        assert len(messages) == 1
        return re.findall(r"^User: (.*)$", messages[0]["content"], re.MULTILINE)
    return [m["content"] for m in messages if m["role"] == "user"][:-1]


@pytest.mark.parametrize("mode", ["notebook", "messages"])
def test_memory_window_sends_exactly_the_last_5_exchanges_over_7_turns(
    app: AppTest, mode: str
) -> None:
    open_page(app, CHATBOT)
    app.segmented_control(key="mc_mode").set_value(mode).run()
    assert app.slider(key="mc_k").value == 5  # the notebook's k
    sizes = []
    for n in range(8):  # seven exchanges, then the eighth question
        ask(app, f"Question number {n}", sb_param_max_tokens=6, sb_system="Be brief.")
        body = last_request(app)
        assert past_questions(body, mode) == [f"Question number {i}" for i in range(n)][-5:]
        assert body["messages"][-1]["content"].endswith(f"Question number {n}")
        if mode == "messages":
            assert body["messages"][0] == {"role": "system", "content": "Be brief."}
            assert len(body["messages"]) == 2 + 2 * min(n, 5)  # flat once the window is full
        else:
            assert body["messages"][0]["content"].startswith("Current conversation:\n")
        sizes.append(len(json.dumps(body)))
    captions = texts(app.caption)
    assert "saw 5 of 7 earlier exchanges (k=5)" in captions
    assert "saw 2 of 2 earlier exchanges (k=5)" in captions
    window = [d.value for d in app.dataframe if "sent" in d.value][-1]  # the last turn's
    assert list(window["sent"]) == ["✗ outside the window"] * 2 + ["✓ sent"] * 5
    assert list(window["user"]) == [f"Question number {i}" for i in range(7)]
    assert max(sizes[5:]) < 2 * min(sizes[5:])  # the size stops growing with the history
    assert app.metric[0].value == "8 exchanges"
    assert app.metric[1].value == "5 of them"


def test_lowering_k_drops_older_exchanges_from_the_next_turn(app: AppTest) -> None:
    open_page(app, CHATBOT)
    for n in range(3):
        ask(app, f"Question {n}")
    app.slider(key="mc_k").set_value(1).run()
    ask(app, "Final question")
    assert past_questions(last_request(app), "notebook") == ["Question 2"]
    assert "saw 1 of 3 earlier exchanges (k=1)" in texts(app.caption)


def test_notebook_mode_sends_one_prompt_and_no_system_message(app: AppTest) -> None:
    open_page(app, CHATBOT)
    ask(app, "What is good about Wuhan?")
    ask(app, "And in winter?")
    (message,) = last_request(app)["messages"]
    assert message == {
        "role": "user",
        "content": "Current conversation:\n"
        "User: What is good about Wuhan?\n"
        f"Assistant: {app.session_state['mc_conversation'].turns[0].answer.text}\n\n"
        "User question:And in winter?",
    }
    assert message["content"] in [c.value for c in app.code]  # shown under "Sent"


@pytest.mark.parametrize("backend", BACKENDS)
def test_the_chatbot_works_with_both_backends(app: AppTest, backend: str) -> None:
    open_page(app, CHATBOT, backend)
    app.segmented_control(key="mc_mode").set_value("messages").run()
    ask(app, "Hello there")
    ask(app, 'Second "question"', sb_param_max_tokens=12)
    names = [m.name for m in app.chat_message]
    assert names == ["user", "assistant"] * 2
    answer = app.chat_message[3].markdown[0].value
    # The notebook class escapes quotes before sending: the model sees the backslashes.
    quoted = '\\"question\\"' if backend == "community" else '"question"'
    assert answer.startswith(f'You said: "Second {quoted}".')
    assert len(answer.split()) == 12  # the sidebar's max_tokens reached the endpoint
    body = last_request(app)
    assert [m["role"] for m in body["messages"]] == [
        "system", "user", "assistant", "user",
    ]  # fmt: skip
    rebuilt = "rebuilt here with the class's own formatter" in texts(app.caption)
    assert rebuilt is (backend == "community")
    notes = [v for v in app.markdown.values if v.startswith("**Notebook**")]
    assert len(notes) == len(NOTEBOOK_DIFFERENCES)  # what differs from the notebook, and why


def test_the_notebook_class_says_which_sidebar_settings_it_ignores(app: AppTest) -> None:
    open_page(app, CHATBOT, "community")
    assert not app.warning
    sidebar(app, sb_headers="x-emulator-token-delay: 0")
    app.run()
    assert "ignores the extra headers (x-emulator-token-delay)" in app.warning[0].value


@pytest.mark.parametrize(
    ("fault", "message"), [("500", "The endpoint failed (500"), ("cut", "The connection broke")]
)
def test_a_fault_keeps_the_history_and_the_question(app: AppTest, fault: str, message: str) -> None:
    open_page(app, CHATBOT)
    ask(app, "First question")
    first_reply = app.chat_message[1].markdown[0].value
    ask(app, "Second question", sb_headers=f"x-emulator-fault: {fault}")
    assert [m.name for m in app.chat_message] == ["user", "assistant"] * 2
    assert app.chat_message[0].markdown[0].value == "First question"
    assert app.chat_message[1].markdown[0].value == first_reply
    assert app.chat_message[2].markdown[0].value == "Second question"
    failed = app.chat_message[3]
    assert message in plain(failed.error[0].value)
    if fault == "cut":
        assert failed.markdown[0].value.startswith('You said: "')
        assert "Interrupted" in texts(failed.caption)
    assert "not kept in memory" in texts(failed.caption) or fault == "500"
    assert app.button(key="btn_mc_again").label == "Ask again"
    sidebar(app, sb_headers="")
    app.button(key="btn_mc_again").click().run()
    assert not app.exception
    assert [m.name for m in app.chat_message] == ["user", "assistant"] * 2
    assert app.chat_message[3].markdown[0].value.startswith('You said: "Current conversation:')
    assert not app.error
    assert past_questions(last_request(app), "notebook") == ["First question"]


@pytest.mark.parametrize("retry", [True, False])
def test_a_429_is_retried_as_the_sidebar_says_then_explained(app: AppTest, retry: bool) -> None:
    open_page(app, CHATBOT)
    ask(app, "Busy?", sb_headers="x-emulator-fault: 429=0", sb_retry=retry)
    reply = app.chat_message[1]
    assert "Rate limit" in plain(reply.error[0].value) or "429" in plain(reply.error[0].value)
    retried = [c for c in reply.caption.values if c.startswith(":material/replay:")]
    if retry:  # the follower's note, as on every page
        notices = (f"Rate limited (429): retrying in 0 s ({n} of 3)." for n in (1, 2, 3))
        assert retried == [":material/replay: Automatic retries: " + " ".join(notices)]
    else:
        assert retried == []
    assert app.chat_message[0].markdown[0].value == "Busy?"


def test_a_blocked_question_is_explained_and_kept(app: AppTest) -> None:
    open_page(app, CHATBOT)
    ask(app, BLOCKED)
    assert app.chat_message[0].markdown[0].value == BLOCKED
    assert "violence (high)" in plain(app.chat_message[1].error[0].value)
    assert app.metric[0].value == "0 exchanges"  # a refused turn is not remembered


def test_a_stopped_reply_is_kept_and_marked(app: AppTest) -> None:
    open_page(app, CHATBOT)
    ask(app, "Write a long story")
    # As a worker that is gone leaves it (a reload, or a server restart).
    app.session_state["mc_conversation"].turns[0].answer.reply.status = "streaming"
    app.run()
    reply = app.chat_message[1]
    assert reply.markdown[0].value.startswith('You said: "Current conversation:')
    assert "Stopped by you" in texts(reply.caption)
    assert app.button(key="btn_mc_again").label == "Ask again"


def test_export_then_import_round_trip(app: AppTest) -> None:
    open_page(app, CHATBOT)
    for question in ("First one", "Second one", "Third one"):
        ask(app, question)
    export = app.download_button(key="btn_mc_export")
    assert not export.disabled
    shown = [(m.name, m.markdown[0].value) for m in app.chat_message]
    exported = export_history([(shown[i][1], shown[i + 1][1]) for i in range(0, 6, 2)])
    app.button(key="btn_mc_clear").click().run()
    assert not app.chat_message
    assert not app.download_button  # nothing to export
    upload(app, "memory-chat.json", exported.encode())
    assert "Imported 3 exchanges from memory-chat.json." in app.success[0].value
    assert [(m.name, m.markdown[0].value) for m in app.chat_message] == shown
    ask(app, "Fourth one")  # the imported exchanges are the memory now
    assert past_questions(last_request(app), "notebook") == ["First one", "Second one", "Third one"]


def upload(at: AppTest, name: str, data: bytes) -> None:
    at.file_uploader[0].set_value((name, data, "application/json")).run()
    assert not at.exception


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"{not json", "not valid JSON"),
        (b'{"exchanges": [{"user": "hi"}]}', "Exchange 1 lacks 'assistant'"),
        (b'{"format": "something-else", "exchanges": []}', "Unknown format"),
    ],
)
def test_a_bad_import_file_is_explained_and_the_history_stays(
    app: AppTest, data: bytes, message: str
) -> None:
    open_page(app, CHATBOT)
    ask(app, "Keep me")
    before = [(m.name, m.markdown[0].value) for m in app.chat_message]
    upload(app, "broken.json", data)
    assert message in plain(app.error[0].value)
    assert "the conversation is unchanged" in texts(app.caption)
    assert [(m.name, m.markdown[0].value) for m in app.chat_message] == before
    upload(app, "broken.json", data)  # a fresh picker: the same file can be tried again
    assert message in plain(app.error[0].value)


def test_a_long_imported_history_still_sends_only_the_window(app: AppTest) -> None:
    open_page(app, CHATBOT)
    history = [(f"Old question {n}", f"Old answer {n}") for n in range(30)]
    upload(app, "long.json", export_history(history).encode())
    app.segmented_control(key="mc_mode").set_value("messages").run()
    ask(app, "Newest question")
    body = last_request(app)
    assert past_questions(body, "messages") == [f"Old question {n}" for n in range(25, 30)]
    assert len(body["messages"]) == 1 + 2 * 5 + 1  # system, five exchanges, the question
    assert "saw 5 of 30 earlier exchanges (k=5)" in texts(app.caption)
    window = [d.value for d in app.dataframe if "sent" in d.value][-1]
    assert list(window["#"]) == list(range(16, 31))  # the 15 oldest are only counted
    assert list(window["sent"]) == ["✗ outside the window"] * 10 + ["✓ sent"] * 5
    assert "The 15 oldest exchanges, also outside the window, are not listed." in texts(app.caption)


def test_html_in_a_reply_is_shown_as_text(app: AppTest) -> None:
    open_page(app, CHATBOT)
    app.segmented_control(key="mc_mode").set_value("messages").run()
    ask(app, "<script>alert(1)</script> <b>bold</b>")
    answer = app.chat_message[1].markdown[0]
    assert answer.value.startswith('You said: "<script>alert(1)</script> <b>bold</b>".')
    assert not any(m.proto.allow_html for m in app.markdown)  # Markdown escapes raw HTML


def test_clear_forgets_the_conversation(app: AppTest) -> None:
    open_page(app, CHATBOT)
    ask(app, "Remember me")
    app.button(key="btn_mc_clear").click().run()
    assert not app.chat_message
    ask(app, "Fresh start")
    assert past_questions(last_request(app), "notebook") == []


# Both pages --------------------------------------------------------------------------------


def test_a_url_the_notebook_class_cannot_take_is_explained(
    app: AppTest, emulator: Emulator
) -> None:
    open_page(app, TRANSLATOR, "community")
    translate(app, "Keep me", sb_url=emulator.base_url + "/v2")
    assert "only accepts URLs whose path is /models/chat/completions" in plain(app.error[0].value)
    assert app.text_area(key="tr_text").value == "Keep me"
    assert any("Use the adapter backend" in i.value for i in app.info)  # in the code tab
    app.segmented_control(key="lc_backend").set_value("adapter").run()
    translate(app, sb_url=emulator.base_url + "/v2")
    assert "has no such route" in plain(app.error[0].value)  # the adapter sends; the emulator 404s


@pytest.mark.parametrize("page", [TRANSLATOR, CHATBOT])
def test_a_host_outside_the_allow_list_is_never_called(
    app: AppTest, monkeypatch: pytest.MonkeyPatch, page: str
) -> None:
    monkeypatch.setenv("PLAYGROUND_ALLOWED_HOSTS", "*.inference.ai.azure.com")
    open_page(app, page, "community")
    assert "may not call 127.0.0.1" in app.info[0].value
    assert "btn_tr_translate" not in [b.key for b in app.button]  # nothing to send with
    assert not app.chat_input


def test_the_key_never_appears_on_either_page(app: AppTest, emulator: Emulator) -> None:
    for backend in BACKENDS:
        open_page(app, TRANSLATOR, backend)
        translate(app)
        assert_key_hidden(app, emulator.api_key)
        open_page(app, CHATBOT, backend)
        ask(app, "hello")
        assert_key_hidden(app, emulator.api_key)


def test_values_survive_switching_pages(app: AppTest) -> None:
    open_page(app, TRANSLATOR, "community")
    app.text_area(key="tr_text").input("Kept text").run()
    open_page(app, CHATBOT)
    assert app.segmented_control(key="lc_backend").value == "community"  # one choice for both
    app.slider(key="mc_k").set_value(3).run()
    ask(app, "Kept question")
    open_page(app, TRANSLATOR)
    assert app.text_area(key="tr_text").value == "Kept text"
    open_page(app, CHATBOT)
    assert app.slider(key="mc_k").value == 3
    assert app.chat_message[0].markdown[0].value == "Kept question"


def run_fresh(script: str) -> Any:
    """Run an AppTest script in a new interpreter; return the JSON it prints last."""
    result = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr[-2000:]
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_langchain_loads_only_on_its_two_pages(emulator: Emulator) -> None:
    """A fresh interpreter (this test process has imported LangChain already), with the
    background import off: no page but the two LangChain ones imports it itself."""
    loaded = run_fresh(f"""
import json, os, sys
os.environ["PLAYGROUND_LOCAL_URL"] = {emulator.base_url!r}
os.environ["PLAYGROUND_LOCAL_KEY"] = {emulator.api_key!r}
os.environ["PLAYGROUND_PRELOAD_LANGCHAIN"] = "0"
from streamlit.testing.v1 import AppTest
def langchain():
    return any(name.split(".")[0].startswith("langchain") for name in sys.modules)
at = AppTest.from_file({APP!r}, default_timeout=60).run()
seen = {{"home": langchain()}}
for page in ("pages/request_builder.py", "pages/streaming_chat.py", {TRANSLATOR!r}):
    at.switch_page(page).run()
    seen[page] = langchain()
print(json.dumps(seen))
""")
    assert loaded == {
        "home": False,
        "pages/request_builder.py": False,
        "pages/streaming_chat.py": False,
        TRANSLATOR: True,
    }


def test_langchain_is_imported_in_the_background_when_the_app_starts(emulator: Emulator) -> None:
    """The app's first run starts importing LangChain in a thread of its own, once per
    process; a LangChain page then finds it loaded."""
    found = run_fresh(f"""
import json, os, sys, threading
os.environ["PLAYGROUND_LOCAL_URL"] = {emulator.base_url!r}
os.environ["PLAYGROUND_LOCAL_KEY"] = {emulator.api_key!r}
from streamlit.testing.v1 import AppTest
at = AppTest.from_file({APP!r}, default_timeout=60).run()
from ui import langchain_preload
thread = langchain_preload.thread
first = thread.name if thread is not None else None
at.run()  # a second run starts nothing new
threads = [t.name for t in threading.enumerate() if t.name == "langchain-preload"]
thread.join(60)
loaded = "core.langchain" in sys.modules
at.switch_page({TRANSLATOR!r}).run()
print(json.dumps({{
    "thread": first, "same": langchain_preload.thread is thread, "running": len(threads),
    "loaded": loaded, "translator": not at.exception and at.title[0].value,
}}))
""")
    assert found["thread"] == "langchain-preload" and found["same"]
    assert found["running"] <= 1  # still importing, or done already: never a second one
    assert found["loaded"]
    assert found["translator"] == "Translator"


def test_the_notebook_class_shows_no_warning(emulator: Emulator) -> None:
    """langchain-community warns when imported; the page hides exactly that warning.

    A fresh interpreter, because the warning fires once, on the first import.
    """
    script = f"""
import json, os, sys, warnings
os.environ["PLAYGROUND_LOCAL_URL"] = {emulator.base_url!r}
os.environ["PLAYGROUND_LOCAL_KEY"] = {emulator.api_key!r}
from streamlit.testing.v1 import AppTest
with warnings.catch_warnings(record=True) as seen:
    warnings.simplefilter("always")
    at = AppTest.from_file({APP!r}, default_timeout=60).run()
    at.switch_page({TRANSLATOR!r}).run()
    at.segmented_control(key="lc_backend").set_value("community").run()
    at.button(key="btn_tr_translate").click().run()
    assert "langchain_community" in sys.modules
print(json.dumps({{
    "translated": any(v.startswith("You said") for v in at.markdown.values),
    "errors": [plain(e.value) for e in at.error],
    "warnings": [str(w.message) for w in seen if "langchain" in str(w.message).lower()
                 or "langchain" in w.filename],
}}))
"""
    assert run_fresh(script) == {"translated": True, "errors": [], "warnings": []}
