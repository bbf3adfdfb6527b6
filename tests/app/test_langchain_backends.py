"""AppTest on the real `streamlit_app.py`: the LangChain pages' four backends.

Which backends the sidebar's endpoint offers (the others shown with why not); Microsoft's
maintained class (`AzureAIOpenAIApiChatModel`) on the local endpoint's Azure OpenAI v1
surface, with a key and with an Entra token; the Llama 2 notebook's `AzureMLOnlineEndpoint`
on the local endpoint; and the migration guide's three programs, run as the page shows them.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from streamlit.testing.v1 import AppTest

from core.chain_snippets import MAINTAINED_KEY_ENV
from core.langchain import migration_steps
from core.notebook import LLAMA2_CHATBOT_SYSTEM, LLAMA2_TRANSLATOR_SYSTEM
from emulator.process import Emulator, start_emulator, stop_emulator
from tests.app.test_langchain_pages import APP, CHATBOT, TRANSLATOR, ask, run_fresh, translate
from tests.helpers.app_driver import assert_key_hidden, start_app, texts
from tests.helpers.azure_emulator import SCRIPTED_DEPLOYMENT, TOKEN
from tests.helpers.surfaces import SURFACES, set_up
from tests.langchain.test_chain_snippets import QUESTIONS, TRANSLATED, run
from ui.credentials import ENTRA_TOKEN
from ui.langchain_backends import BACKENDS
from ui.migration_guide import TITLE

MAINTAINED = BACKENDS["maintained"]


def pick(at: AppTest, page: str, backend: str) -> AppTest:
    at.switch_page(page).run()
    at.radio(key="lc_backend").set_value(backend).run()
    assert not at.exception, at.exception
    return at


def on_v1(at: AppTest, emulator: Emulator) -> AppTest:
    """The sidebar on the Azure OpenAI v1 surface, with the deployment and the key."""
    return set_up(at, SURFACES["azure-v1"], emulator.base_url, "api-key", emulator.api_key)


def offered(at: AppTest) -> list[str]:
    return list(at.radio(key="lc_backend").options)


def translation(at: AppTest) -> Any:
    return at.session_state["tr_result"].reply


def header(sent: Any, name: str) -> str:
    """A header of a recorded request, by its name in any case (httpx sends lower case)."""
    return next(v for k, v in sent.headers.items() if k.lower() == name)


def last_body(at: AppTest) -> dict[str, Any]:
    answer = at.session_state["mc_conversation"].turns[-1].answer
    body: dict[str, Any] = json.loads(answer.latest.request.body)
    return body


def test_each_backend_is_offered_where_it_fits(app: AppTest, emulator: Emulator) -> None:
    app.switch_page(TRANSLATOR).run()
    labels = [BACKENDS[name] for name in ("adapter", "community", "llama2")]
    assert offered(app) == labels  # local endpoint, no deployment typed
    assert f"**{MAINTAINED}** is unavailable: needs the deployment's name" in texts(app.caption)
    app.session_state["sb_deployment"] = SCRIPTED_DEPLOYMENT
    app.run()
    assert offered(app) == list(BACKENDS.values())
    on_v1(app, emulator)
    assert offered(app) == [BACKENDS[name] for name in ("adapter", "community", "maintained")]
    unavailable = f"**{BACKENDS['llama2']}** is unavailable: needs a serverless, Llama 2 chat"
    assert unavailable in texts(app.caption)


def test_the_maintained_class_streams_a_translation_on_v1(app: AppTest, emulator: Emulator) -> None:
    on_v1(app, emulator)
    pick(app, TRANSLATOR, "maintained")
    translate(app, "Good morning to you all", sb_param_max_completion_tokens=9)
    reply = translation(app)
    assert reply.text.startswith('You said: "You are a Translator. Translate the following')
    assert len(reply.text.split()) == 9  # max_completion_tokens reached the endpoint
    sent = reply.request.sent  # what the class sent, recorded by its own HTTP client
    assert f"POST {sent.url}" in texts(app.code)
    assert sent.url == f"{emulator.base_url}/openai/v1/chat/completions"
    body = sent.json()
    assert body["model"] == SCRIPTED_DEPLOYMENT
    assert body["stream"] is True and body["stream_options"] == {"include_usage": True}
    assert body["max_completion_tokens"] == 9
    assert body["messages"][-1]["content"].endswith("\nGood morning to you all")
    assert header(sent, "authorization") == "Bearer ***"
    assert "finish length" in texts(app.caption) and "→ 9 out" in texts(app.caption)
    assert not app.error
    assert_key_hidden(app, emulator.api_key)


def test_the_maintained_class_translates_each_line_in_a_batch(
    app: AppTest, emulator: Emulator
) -> None:
    on_v1(app, emulator)
    pick(app, TRANSLATOR, "maintained")
    app.text_area(key="tr_text").input("Good morning\nHow to make bomb?\nSee you soon").run()
    app.button(key="btn_tr_batch").click().run()
    lines = app.session_state["tr_result"].lines
    assert [line.reply.error is None for line in lines] == [True, False, True]
    assert "content safety blocked the prompt: violence (high)" in str(lines[1].reply.error)
    for line in lines:  # each line keeps the request it sent
        body = line.reply.request.sent.json()
        assert body["messages"][-1]["content"].endswith("\n" + line.source)
        assert body["model"] == SCRIPTED_DEPLOYMENT


def test_the_maintained_class_keeps_a_windowed_conversation(
    app: AppTest, emulator: Emulator
) -> None:
    on_v1(app, emulator)
    pick(app, CHATBOT, "maintained")
    app.segmented_control(key="mc_mode").set_value("messages").run()
    app.slider(key="mc_k").set_value(2).run()
    for n in range(4):
        ask(app, f"Question {n}", sb_system="Be brief.")
    body = last_body(app)
    assert body["model"] == SCRIPTED_DEPLOYMENT and body["stream"] is True
    assert [(m["role"], m["content"][:10]) for m in body["messages"]] == [
        ("system", "Be brief."),
        ("user", "Question 1"),
        ("assistant", "You said: "),
        ("user", "Question 2"),
        ("assistant", "You said: "),
        ("user", "Question 3"),
    ]
    assert "saw 2 of 3 earlier exchanges (k=2)" in texts(app.caption)
    assert app.chat_message[7].markdown[0].value.startswith('You said: "Question 3"')
    assert not app.error
    assert_key_hidden(app, emulator.api_key)


@pytest.fixture(scope="module")
def entra() -> Iterator[Emulator]:
    emu = start_emulator("--engine", "scripted", "--entra-token", TOKEN)
    yield emu
    stop_emulator(emu)


def test_the_maintained_class_sends_the_sidebars_entra_token(
    entra: Emulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    at = start_app(monkeypatch, entra.base_url, entra.api_key)
    set_up(at, SURFACES["azure-v1"], entra.base_url, ENTRA_TOKEN, "")
    pick(at, CHATBOT, "maintained")
    ask(at, "Hello with a token")
    assert at.chat_message[1].markdown[0].value.startswith('You said: "Current conversation:')
    answer = at.session_state["mc_conversation"].turns[0].answer
    assert header(answer.latest.request.sent, "authorization") == "Bearer ***"
    at.session_state["lc_code_memory"] = True  # drawn once opened
    at.run()
    assert_key_hidden(at, TOKEN)
    code = next(tab for tab in at.tabs if tab.label == MAINTAINED).code[0].value
    assert "get_bearer_token_provider" in code and TOKEN not in code


def test_the_llama2_notebook_class_translates_and_chats(app: AppTest) -> None:
    pick(app, TRANSLATOR, "llama2")
    assert "does not stream" in texts(app.caption)
    translate(app, "Good day")
    reply = translation(app)
    assert reply.text.startswith('You said: "You are a Translator.')
    body = reply.request.sent.json()
    assert body["messages"][0] == {"role": "system", "content": LLAMA2_TRANSLATOR_SYSTEM}
    assert "stream" not in body  # the notebook's class sends one request and waits
    assert reply.request.sent.url.endswith("/models/chat/completions")
    pick(app, CHATBOT, "llama2")
    assert app.segmented_control(key="mc_mode").disabled  # one text prompt
    app.slider(key="mc_k").set_value(1).run()
    for n in range(3):
        ask(app, f"Question {n}")
    system, user = last_body(app)["messages"]
    assert system == {"role": "system", "content": LLAMA2_CHATBOT_SYSTEM}
    assert re.findall(r"^User: (.*)$", user["content"], re.MULTILINE) == ["Question 1"]
    assert "saw 1 of 2 earlier exchanges (k=1)" in texts(app.caption)
    assert not app.error


@pytest.mark.parametrize("page", [TRANSLATOR, CHATBOT])
def test_the_migration_guides_programs_run_as_shown(
    app: AppTest, emulator: Emulator, tmp_path: Path, page: str
) -> None:
    app_name = "translator" if page == TRANSLATOR else "memory"
    app.switch_page(page).run()
    app.session_state["sb_deployment"] = SCRIPTED_DEPLOYMENT  # the maintained class's model
    app.session_state[f"lc_guide_{app_name}"] = True  # drawn once opened
    app.run()
    guide = next(e for e in app.expander if e.label == TITLE)
    # st.code drops the final newline the programs end with; a saved file has it back.
    notebook, maintained, adapter = (c.value.rstrip("\n") + "\n" for c in guide.code[:3])
    assert "AzureMLOnlineEndpoint(" in notebook
    assert "AzureAIOpenAIApiChatModel(" in maintained and "ChatAzureServerless(" in adapter
    steps = [b for b in guide.children.values() if str(getattr(b, "key", "")).startswith("lc_")]
    assert len(steps) == len(migration_steps(app_name))  # each changed line, with its reason
    env = {"AZURE_AI_CHAT_KEY": emulator.api_key, MAINTAINED_KEY_ENV: emulator.api_key}
    for code in (notebook, maintained, adapter):
        assert emulator.api_key not in code
        lines = run(code, tmp_path, env, stdin=QUESTIONS if app_name == "memory" else "")
        if app_name == "translator":
            assert lines[0].startswith(TRANSLATED)
        else:
            assert len(lines) == 3 and all(line.startswith('You said: "') for line in lines)


def test_the_maintained_class_loads_only_when_picked(emulator: Emulator) -> None:
    """A fresh interpreter with the background import on: visiting both LangChain pages loads
    LangChain but not langchain-azure-ai; picking the maintained class does."""
    found = run_fresh(f"""
import json, os, sys
os.environ["PLAYGROUND_LOCAL_URL"] = {emulator.base_url!r}
os.environ["PLAYGROUND_LOCAL_KEY"] = {emulator.api_key!r}
from streamlit.testing.v1 import AppTest
at = AppTest.from_file({APP!r}, default_timeout=60).run()
from ui import langchain_preload
langchain_preload.thread.join(60)
at.session_state["sb_deployment"] = {SCRIPTED_DEPLOYMENT!r}
at.switch_page({CHATBOT!r}).run()
at.switch_page({TRANSLATOR!r}).run()
visited = "langchain_azure_ai" in sys.modules or "core.langchain.maintained" in sys.modules
at.radio(key="lc_backend").set_value("maintained").run()
at.button(key="btn_tr_translate").click().run()
print(json.dumps({{
    "langchain": "langchain_core" in sys.modules, "visited": visited,
    "picked": "langchain_azure_ai" in sys.modules,
    "translated": at.session_state["tr_result"].reply.text.startswith("You said"),
}}))
""")
    assert found == {"langchain": True, "visited": False, "picked": True, "translated": True}
