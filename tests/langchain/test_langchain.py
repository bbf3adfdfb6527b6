"""The LangChain layer against the emulator over real HTTP: the adapter, the translator and
memory chains, and the notebooks' community backend (the exported code: test_chain_snippets.py).
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
import threading
from typing import Any

import pytest
from langchain_core.callbacks import BaseCallbackHandler
from langchain_core.messages import (
    AIMessage,
    HumanMessage,
    SystemMessage,
    ToolMessage,
    get_buffer_string,
)
from pydantic import ValidationError

from core import (
    AuthenticationError,
    AuthStyle,
    BlockedHostError,
    ConnectError,
    ContentFilterError,
    Endpoint,
    EndpointError,
    HostPolicy,
    InterruptedStreamError,
    InvalidRequestError,
    RateLimitError,
    Redactor,
)
from core.langchain import (
    NOTEBOOK_DIFFERENCES,
    TRANSLATOR_TEMPLATE,
    ChatAzureServerless,
    RequestRecorder,
    check_template,
    community_chat_model,
    community_request_body,
    community_url,
    memory_chain,
    memory_inputs,
    render_prompt,
    to_wire,
    translate_lines,
    translator_chain,
)
from core.memory import Mode, Turn, build_turn, render_history
from core.transport import backend_error
from emulator.process import ROOT, Emulator, free_port

INPUTS = {"input_language": "English", "output_language": "French", "input_content": "Good day"}
BLOCKED = "How to make bomb?"  # the emulator's content filter blocks it (400)

# langchain-community warns when imported and uses pydantic-v1 idioms; these filters are
# limited to the tests that drive it, and to those exact messages.
COMMUNITY_WARNINGS = (
    "ignore:`langchain-community` is being sunset:DeprecationWarning",
    "ignore:Pydantic V1 style `@validator` validators are deprecated:DeprecationWarning",
    "ignore:The `dict` method is deprecated; use `model_dump` instead:DeprecationWarning",
)


def community(test: Any) -> Any:
    """Apply COMMUNITY_WARNINGS to one test."""
    for rule in COMMUNITY_WARNINGS:
        test = pytest.mark.filterwarnings(rule)(test)
    return test


def make_model(emulator: Emulator, **fields: Any) -> ChatAzureServerless:
    fields = {"max_tokens": 12, "seed": 3, **fields}
    return ChatAzureServerless(endpoint_url=emulator.base_url, api_key=emulator.api_key, **fields)


# The adapter -------------------------------------------------------------------------------


def test_invoke_returns_text_usage_and_the_request_as_sent(emulator: Emulator) -> None:
    reply = make_model(emulator).invoke("Hello there")
    assert isinstance(reply, AIMessage)
    assert reply.content.startswith('You said: "Hello there".')
    assert reply.usage_metadata is not None
    assert reply.usage_metadata["output_tokens"] == 12
    assert reply.usage_metadata["total_tokens"] == reply.usage_metadata["input_tokens"] + 12
    meta = reply.response_metadata
    assert meta["finish_reason"] == "length"
    assert meta["model_name"] == "scripted-emulator"
    assert meta["request_id"]
    request = meta["request"]
    assert request["url"] == emulator.base_url + "/chat/completions"
    assert request["headers"]["Authorization"] == "Bearer ***"
    assert request["body"] == {
        "messages": [{"role": "user", "content": "Hello there"}],
        "max_tokens": 12,
        "seed": 3,
        "stream": False,
    }
    assert emulator.api_key not in json.dumps(meta)


@pytest.mark.parametrize("streamed", [False, True])
def test_replies_carry_azures_filter_verdicts_and_service_headers(
    emulator: Emulator, streamed: bool
) -> None:
    model = make_model(
        emulator, endpoint_profile="azure-v1", auth="api-key", model="scripted-emulator"
    )
    if streamed:
        chunks = list(model.stream("Hello there"))
        meta = chunks[-1].response_metadata
    else:
        meta = model.invoke("Hello there").response_metadata
    verdicts = meta["content_filter"]
    assert {"name": "jailbreak", "filtered": False, "severity": "", "detected": False} in (
        verdicts["prompt"]
    )
    assert {c["name"] for c in verdicts["completion"]} >= {"violence", "protected_material_code"}
    assert meta["service"]["deployment"] == "scripted-emulator"
    assert meta["service"]["region"] == "local"
    assert meta["service"]["remaining_requests"] > 0
    assert json.loads(json.dumps(meta))["service"] == meta["service"]  # plain JSON values


def test_serverless_replies_carry_empty_verdicts(emulator: Emulator) -> None:
    meta = make_model(emulator).invoke("Hello there").response_metadata
    assert meta["content_filter"] == {"prompt": (), "completion": ()}
    assert meta["service"]["deployment"] == ""


def test_stream_yields_each_delta_as_it_arrives(emulator: Emulator) -> None:
    model = make_model(emulator)
    chunks = list(model.stream("Hello there"))
    assert len(chunks) == 13  # 12 tokens, then the closing chunk
    assert all(c.content for c in chunks[:-1])
    last = chunks[-1]
    assert last.chunk_position == "last"
    assert last.response_metadata["request"]["body"]["stream"] is True
    full = chunks[0]
    for chunk in chunks[1:]:
        full += chunk
    assert full.content == model.invoke("Hello there").content  # same seed, same words
    assert full.usage_metadata is not None
    assert full.usage_metadata["output_tokens"] == 12


class TokenCounter(BaseCallbackHandler):
    def __init__(self) -> None:
        self.tokens: list[str] = []

    def on_llm_new_token(self, token: str, **kwargs: Any) -> None:
        self.tokens.append(token)


def test_callbacks_see_each_token_once(emulator: Emulator) -> None:
    counter = TokenCounter()
    model = make_model(emulator)
    streamed = [c.content for c in model.stream("Hello there", config={"callbacks": [counter]})]
    assert len(streamed) > 5
    assert [t for t in counter.tokens if t] == [c for c in streamed if c]
    counter.tokens.clear()
    reply = make_model(emulator, streaming=True).invoke(
        "Hello there", config={"callbacks": [counter]}
    )
    assert "".join(counter.tokens) == reply.content


def test_a_broken_stream_has_already_delivered_its_first_deltas(emulator: Emulator) -> None:
    # The emulator cuts the connection after 3 tokens: a buffering adapter would deliver none.
    model = make_model(emulator, headers={"x-emulator-fault": "cut"})
    received: list[str] = []
    with pytest.raises(InterruptedStreamError) as caught:
        for chunk in model.stream("Hello there"):
            received.append(chunk.content)
    assert len(received) == 3
    assert caught.value.partial_text == "".join(received)


def test_batch_keeps_the_order_of_its_inputs(emulator: Emulator) -> None:
    replies = make_model(emulator).batch(
        ["first one", "second one", "third one"], config={"max_concurrency": 2}
    )
    assert [r.content.split('"')[1] for r in replies] == ["first one", "second one", "third one"]


def test_stop_sequences_from_the_call_and_from_the_field(emulator: Emulator) -> None:
    reply = make_model(emulator).invoke("Hello", stop=["said"])
    assert reply.content == "You "
    assert reply.response_metadata["request"]["body"]["stop"] == ["said"]
    configured = make_model(emulator, stop="said\nnever")  # the sidebar's one-per-line text
    assert configured.stop == ["said", "never"]
    assert "".join(c.content for c in configured.stream("Hello")) == "You "


def test_errors_arrive_typed_from_invoke_and_stream(emulator: Emulator) -> None:
    model = make_model(emulator)
    with pytest.raises(ContentFilterError) as caught:
        model.invoke(BLOCKED)
    assert caught.value.where == "prompt"
    assert caught.value.flagged
    with pytest.raises(ContentFilterError):
        next(iter(model.stream(BLOCKED)))
    wrong = ChatAzureServerless(endpoint_url=emulator.base_url, api_key="wrong-key-123")
    with pytest.raises(AuthenticationError) as denied:
        wrong.invoke("Hello")
    assert denied.value.status_code == 401
    assert "wrong-key-123" not in str(denied.value)


def test_a_filtered_completion_keeps_its_partial_text(emulator: Emulator) -> None:
    model = make_model(emulator, headers={"x-emulator-fault": "content-filter-output"})
    received: list[str] = []
    with pytest.raises(ContentFilterError) as caught:
        for chunk in model.stream("Hello there"):
            received.append(chunk.content)
    assert caught.value.where == "completion"
    assert received
    assert caught.value.partial_text == "".join(received)


def test_retries_go_through_core_and_tell_the_page(emulator: Emulator) -> None:
    notices: list[Any] = []
    model = make_model(
        emulator, headers={"x-emulator-fault": "429=0"}, max_retries=2, on_retry=notices.append
    )
    with pytest.raises(RateLimitError):
        model.invoke("Hello")
    assert [n.retry for n in notices] == [1, 2]


def test_from_endpoint_uses_the_endpoints_route_and_auth(emulator: Emulator) -> None:
    endpoint = Endpoint(
        emulator.base_url + "/v1/chat/completions", key=emulator.api_key, auth=AuthStyle.BARE
    )
    model = ChatAzureServerless.from_endpoint(endpoint, "llama2-chat", temperature=0.5, seed=None)
    reply = model.invoke("Hello")
    request = reply.response_metadata["request"]
    assert request["url"] == emulator.base_url + "/v1/chat/completions"
    assert request["headers"]["Authorization"] == "***"
    assert request["body"]["temperature"] == 0.5
    assert "seed" not in request["body"]


def test_the_host_allow_list_is_enforced(emulator: Emulator) -> None:
    only_azure = HostPolicy(("*.inference.ai.azure.com",))
    with pytest.raises(BlockedHostError):
        make_model(emulator, hosts=only_azure).invoke("Hello")
    with pytest.raises(BlockedHostError):
        community_chat_model(emulator.base_url, emulator.api_key, hosts=only_azure)


def test_unknown_profile_is_refused() -> None:
    with pytest.raises(ValidationError, match="Unknown profile"):
        ChatAzureServerless(endpoint_url="http://127.0.0.1:9", endpoint_profile="nope")


def test_to_wire_sends_text_only() -> None:
    messages = [
        SystemMessage("s"),
        HumanMessage([{"type": "text", "text": "a"}, "b"], name="dropped"),
        AIMessage("c"),
    ]
    assert to_wire(messages) == [
        {"role": "system", "content": "s"},
        {"role": "user", "content": "ab"},
        {"role": "assistant", "content": "c"},
    ]
    with pytest.raises(InvalidRequestError, match="ToolMessage"):
        to_wire([ToolMessage("x", tool_call_id="1")])
    image = {"type": "image", "url": "https://example.com/a.png"}
    with pytest.raises(InvalidRequestError, match="text only"):
        to_wire([HumanMessage([image])])


def _loaded_after(module: str, prefixes: tuple[str, ...]) -> list[str]:
    """Top-level packages starting with `prefixes` that importing `module` loads (fresh)."""
    code = (
        f"import sys, {module}; "
        f"print(sorted({{m.split('.')[0] for m in sys.modules if m.startswith({prefixes!r})}}))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True
    )
    return json.loads(result.stdout.replace("'", '"'))


def test_core_loads_without_langchain() -> None:
    assert _loaded_after("core", ("langchain",)) == []
    assert _loaded_after("core.chain_snippets", ("langchain", "openai")) == []


def test_core_langchain_loads_no_backend_until_one_is_chosen() -> None:
    backends = ("langchain_community", "langchain_azure_ai", "langchain_openai", "openai")
    assert _loaded_after("core.langchain", (*backends, "azure")) == []
    assert _loaded_after("core.chain_snippets", (*backends, "langchain")) == []
    assert _loaded_after("core.langchain.maintained", backends) == [
        "langchain_azure_ai",
        "langchain_openai",
        "openai",
    ]


# The translator ----------------------------------------------------------------------------


def test_translator_chain_invoke_and_stream(emulator: Emulator) -> None:
    model = make_model(emulator, max_tokens=20)
    recorder = RequestRecorder()
    text = translator_chain(model).invoke(INPUTS, config={"callbacks": [recorder]})
    assert text.startswith('You said: "You are a Translator. Translate the following content...".')
    prompt = render_prompt(TRANSLATOR_TEMPLATE, **INPUTS)
    assert prompt.endswith(
        "from English to French and reply with only the translated result.\nGood day"
    )
    assert recorder.last is not None
    assert recorder.last["body"]["messages"] == [{"role": "user", "content": prompt}]
    pieces = list(translator_chain(model).stream(INPUTS, config={"callbacks": [recorder]}))
    assert len(pieces) > 1
    assert "".join(pieces) == text
    assert len(recorder.requests) == 2
    assert recorder.last["body"]["stream"] is True


@pytest.mark.parametrize(
    "backend",
    [
        "adapter",
        pytest.param(
            "community", marks=[pytest.mark.filterwarnings(w) for w in COMMUNITY_WARNINGS]
        ),
    ],
)
def test_the_recorder_keeps_how_each_call_ended(emulator: Emulator, backend: str) -> None:
    if backend == "adapter":
        model: Any = make_model(emulator, max_tokens=5)
    else:
        model = community_chat_model(emulator.base_url, emulator.api_key, max_tokens=5)
    recorder = RequestRecorder()
    text = "".join(translator_chain(model).stream(INPUTS, config={"callbacks": [recorder]}))
    ending = recorder.ending
    assert ending is not None and ending.text == text
    assert ending.finish_reason == "length"  # cut at max_tokens=5
    if backend == "adapter":  # the community class drops the stream's usage chunk
        assert ending.usage["completion_tokens"] == 5
        assert ending.usage["total_tokens"] == ending.usage["prompt_tokens"] + 5
        assert ending.request is recorder.last
    else:
        assert ending.usage == {}


class InFlight(BaseCallbackHandler):
    """Counts model calls running at once."""

    def __init__(self) -> None:
        self.now = self.most = 0
        self._lock = threading.Lock()

    def on_chat_model_start(self, *args: Any, **kwargs: Any) -> None:
        with self._lock:
            self.now += 1
            self.most = max(self.most, self.now)

    def _done(self) -> None:
        with self._lock:
            self.now -= 1

    def on_llm_end(self, *args: Any, **kwargs: Any) -> None:
        self._done()

    def on_llm_error(self, *args: Any, **kwargs: Any) -> None:
        self._done()


def test_batch_translation_is_bounded_ordered_and_keeps_errors(emulator: Emulator) -> None:
    # Each reply streams slowly, so an unbounded batch would run all six at once.
    model = make_model(emulator, headers={"x-emulator-token-delay": "0.02"})
    lines = ["one", "two", BLOCKED, "four", "five", "six"]
    counter, recorder = InFlight(), RequestRecorder()
    results = translate_lines(
        model, lines, "English", "German", max_concurrency=2, callbacks=[counter, recorder]
    )
    assert [r.source for r in results] == lines
    assert 1 <= counter.most <= 2
    assert isinstance(results[2].error, ContentFilterError)
    assert results[2].text is None
    for result in results[:2] + results[3:]:
        assert result.error is None
        assert result.text.startswith('You said: "You are a Translator.')
    sent = sorted(r["body"]["messages"][0]["content"].rsplit("\n", 1)[1] for r in recorder.requests)
    assert sent == sorted(line for line in lines if line != BLOCKED)


@pytest.mark.parametrize(
    ("template", "problem"),
    [
        (TRANSLATOR_TEMPLATE, None),
        ("", "The template is empty."),
        ("{input_language} {output_language} {input_content", "Unbalanced braces"),
        ("{input_language} {output_language} }", "Unbalanced braces"),
        ("{input_language} {output_language}", "Missing variable {input_content}."),
        ("{input_language} {output_language} {input_content} {tone}", "Unknown variable {tone}"),
        ("{input_language} {output_language} {input_content.x}", "attribute access"),
        ("{} {input_language}", "not {} or {0}"),
        ("{{literal}} {input_language} {output_language} {input_content}", None),
    ],
)
def test_check_template(template: str, problem: str | None) -> None:
    problems = check_template(template)
    if problem is None:
        assert problems == []
    else:
        assert any(problem in p for p in problems), problems


def test_a_bad_template_is_refused_before_sending(emulator: Emulator) -> None:
    with pytest.raises(InvalidRequestError, match="Missing variable"):
        translator_chain(make_model(emulator), "Translate {input_content}")


# The memory chatbot ------------------------------------------------------------------------


def test_render_history_matches_langchains_buffer_string() -> None:
    turns = [Turn("Hi", "Hello!"), Turn("How are you?", "Fine.")]
    messages = [m for t in turns for m in (HumanMessage(t.user), AIMessage(t.assistant))]
    assert render_history(turns) == get_buffer_string(
        messages, human_prefix="User", ai_prefix="Assistant"
    )


def questions_sent(messages: list[dict[str, str]], mode: Mode) -> list[str]:
    """The past questions a request carries, read off the wire form."""
    if mode is Mode.NOTEBOOK:
        return re.findall(r"^User: (.*)$", messages[0]["content"], re.MULTILINE)
    return [m["content"] for m in messages if m["role"] == "user"][:-1]


@pytest.mark.parametrize("mode", list(Mode))
def test_memory_chat_over_7_turns_sends_exactly_the_last_5(emulator: Emulator, mode: Mode) -> None:
    model = make_model(emulator, max_tokens=6)
    chain = memory_chain(model, mode, "Be brief.")
    history: list[Turn] = []
    recorder = RequestRecorder()
    for n in range(8):  # seven exchanges, then the eighth question
        question = f"Question number {n}"
        turn = build_turn(history, question, k=5, mode=mode, system_prompt="Be brief.")
        answer = "".join(chain.stream(memory_inputs(turn), config={"callbacks": [recorder]}))
        assert recorder.last is not None
        sent = recorder.last["body"]["messages"]
        assert sent == turn.messages
        expected = [f"Question number {i}" for i in range(max(0, n - 5), n)]
        assert questions_sent(sent, mode) == expected
        history.append(Turn(question, answer))
    assert [t.user for t in turn.window.dropped] == ["Question number 0", "Question number 1"]


# The community backend (the notebooks' AzureMLChatOnlineEndpoint) ---------------------------


@pytest.mark.parametrize(
    ("suffix", "expected"),
    [
        ("", "/models/chat/completions"),
        ("/", "/models/chat/completions"),
        ("/v1/chat/completions", "/models/chat/completions"),
        ("/models/chat/completions", "/models/chat/completions"),
        ("/models", "/models/chat/completions"),
    ],
)
def test_community_url(suffix: str, expected: str) -> None:
    assert community_url("https://h.eastus2.inference.ai.azure.com" + suffix) == (
        "https://h.eastus2.inference.ai.azure.com" + expected
    )


def test_community_url_refuses_other_paths() -> None:
    with pytest.raises(InvalidRequestError, match="/models/chat/completions"):
        community_url("http://localhost:8000/openai/v1")


@community
def test_community_invoke_and_stream_send_the_parameters(emulator: Emulator) -> None:
    model = community_chat_model(emulator.base_url, emulator.api_key, max_tokens=5, seed=2)
    said = model.invoke("hi there").content
    streamed = "".join(c.content for c in model.stream("hi there"))
    # max_tokens reaches the streamed request too (the class's _stream ignores model_kwargs).
    assert said == streamed
    assert said.startswith('You said: "hi there".')
    assert len(said.split()) == 5
    # Its _stream rewrote the URL; invoke on the same object still reaches the right route.
    assert model.bound.endpoint_url == emulator.base_url + "/models"
    assert model.invoke("hi there").content == said
    fresh = community_chat_model(emulator.base_url, emulator.api_key)
    assert fresh.bound.endpoint_url == emulator.base_url + "/models/chat/completions"


@community
def test_community_failures_map_to_core_errors(emulator: Emulator) -> None:
    redactor = Redactor(emulator.api_key)
    model = community_chat_model(emulator.base_url, emulator.api_key, max_tokens=5)
    for call in (lambda: model.invoke(BLOCKED), lambda: list(model.stream(BLOCKED))):
        with pytest.raises(Exception) as caught:  # urllib's HTTPError, then openai's
            call()
        assert isinstance(backend_error(caught.value, redactor, source="x"), ContentFilterError)
    wrong = community_chat_model(emulator.base_url, "wrong-key-123", max_tokens=5)
    with pytest.raises(Exception) as caught:
        wrong.invoke("hi")
    assert isinstance(backend_error(caught.value, redactor, source="x"), AuthenticationError)
    closed = community_chat_model(f"http://127.0.0.1:{free_port()}", "k", max_tokens=5)
    for call in (lambda: closed.invoke("hi"), lambda: list(closed.stream("hi"))):
        with pytest.raises(Exception) as caught:  # urllib's URLError, then openai's
            call()
        assert isinstance(backend_error(caught.value, redactor, source="x"), ConnectError)
    other = backend_error(ValueError("not HTTP, key-1"), Redactor("key-1"), source="The class")
    assert type(other) is EndpointError
    assert str(other) == (
        "The class failed: ValueError: not HTTP, ***. "
        "Check the endpoint and parameters in the sidebar."
    )
    cut = backend_error(ValueError("late"), redactor, source="x", partial_text="Bonjour")
    assert isinstance(cut, InterruptedStreamError) and cut.partial_text == "Bonjour"


@community
def test_community_request_body_is_what_the_model_saw(emulator: Emulator) -> None:
    text = 'He said "hi"\nbye'
    body = community_request_body([HumanMessage(text)], {"max_tokens": 9, "seed": None})
    # The shipped formatter escapes the text before json.dumps, so the model sees backslashes.
    assert body == {
        "messages": [{"role": "user", "content": 'He said \\"hi\\"\\nbye'}],
        "max_tokens": 9,
    }
    reply = community_chat_model(emulator.base_url, emulator.api_key, max_tokens=9).invoke(text)
    assert reply.content.startswith('You said: "He said \\"hi\\"\\nbye".')
    streamed = community_request_body([HumanMessage("x")], {"max_tokens": 9}, stream=True)
    assert streamed == {
        "model": None,
        "stream": True,
        "messages": [{"role": "user", "content": "x"}],
        "stop": None,
        "max_tokens": 9,
    }


@community
def test_the_documented_notebook_differences_still_hold(emulator: Emulator) -> None:
    from langchain_community.chat_models.azureml_endpoint import (
        AzureMLChatOnlineEndpoint,
        AzureMLEndpointApiType,
        CustomOpenAIChatContentFormatter,
    )

    def build(url: str, api_type: Any) -> AzureMLChatOnlineEndpoint:
        return AzureMLChatOnlineEndpoint(
            endpoint_api_key="k",
            endpoint_url=url,
            endpoint_api_type=api_type,
            content_formatter=CustomOpenAIChatContentFormatter(),
        )

    good = emulator.base_url + "/models/chat/completions"
    with pytest.raises(ValidationError, match=r"AzureMLEndpointApiType\.serverless"):
        build(good, AzureMLEndpointApiType.serverless)
    with pytest.raises(ValidationError, match="serverless"):
        build(emulator.base_url + "/v1/chat/completions", "serverless")
    assert build(good, "serverless").endpoint_api_type == AzureMLEndpointApiType.serverless
    assert all(d.notebook and d.ours and d.why for d in NOTEBOOK_DIFFERENCES)
