"""The Llama 2 notebook's own LangChain path (`core.langchain.llama2_notebook`) against the
emulator over real HTTP; the differences and the migration guide checked against what runs.
"""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
from pydantic import ValidationError

from core import (
    APIStatusError,
    AuthenticationError,
    BlockedHostError,
    ConnectError,
    ContentFilterError,
    HostPolicy,
    Redactor,
)
from core.chain_snippets import adapter_code, llama2_notebook_code, maintained_code
from core.langchain import (
    ChatAzureServerless,
    RequestRecorder,
    llama2_differences,
    memory_chain,
    memory_inputs,
    migration,
    migration_steps,
    translator_chain,
)
from core.langchain.llama2_notebook import CHATBOT_SYSTEM, TRANSLATOR_SYSTEM, llama2_notebook_llm
from core.memory import Mode, Turn, build_turn
from core.transport import backend_error
from emulator.process import Emulator, free_port
from tests.helpers.raw_server import RawServer, response

INPUTS = {"input_language": "English", "output_language": "French", "input_content": "Good day"}
BLOCKED = "How to make bomb?"
# langchain-community announces its sunset on import; only that warning is ignored here.
pytestmark = pytest.mark.filterwarnings(
    "ignore:`langchain-community` is being sunset:DeprecationWarning"
)


def failure(call: Any) -> BaseException:
    with pytest.raises(Exception) as caught:
        call()
    return caught.value


def test_the_translator_sends_the_notebooks_request_and_records_it(emulator: Emulator) -> None:
    recorder = RequestRecorder()
    llm = llama2_notebook_llm(
        emulator.base_url + "/v1/chat/completions",  # the notebook's URL, reduced
        emulator.api_key,
        on_request=recorder.add,
        max_tokens=30,
        temperature=0.6,
        stop="",
    )
    text = 'say "hi"\nthen go'
    reply = translator_chain(llm).invoke({**INPUTS, "input_content": text})
    assert reply.startswith('You said: "You are a Translator. Translate the following content...".')
    (sent,) = recorder.requests
    assert sent["url"] == emulator.base_url + "/models/chat/completions"
    assert sent["headers"]["Authorization"] == "Bearer ***"
    body = sent["body"]
    assert body["messages"][0] == {"role": "system", "content": TRANSLATOR_SYSTEM}
    assert body["messages"][1]["content"].endswith('\nsay "hi"\nthen go')  # as typed, unescaped
    assert (body["max_tokens"], body["temperature"]) == (30, 0.6)
    assert "stop" not in body
    assert emulator.api_key not in json.dumps(sent)
    # No streaming: the class has no _stream, so stream() yields the whole reply once.
    assert list(translator_chain(llm).stream({**INPUTS, "input_content": text})) == [reply]


def test_the_windowed_chatbot_sends_the_last_k_exchanges(emulator: Emulator) -> None:
    recorder = RequestRecorder()
    history: list[Turn] = []
    for n in range(4):
        llm = llama2_notebook_llm(
            emulator.base_url, emulator.api_key, system=CHATBOT_SYSTEM, on_request=recorder.add
        )
        turn = build_turn(history, f"question {n}", k=2, mode=Mode.NOTEBOOK)
        answer = memory_chain(llm, Mode.NOTEBOOK).invoke(memory_inputs(turn))
        history.append(Turn(f"question {n}", answer))
    messages = recorder.requests[-1]["body"]["messages"]
    assert messages[0] == {"role": "system", "content": CHATBOT_SYSTEM}
    assert re.findall(r"^User: (.*)$", messages[1]["content"], re.MULTILINE) == [
        "question 1",
        "question 2",
    ]
    assert messages[1]["content"].endswith("User question:question 3")


def test_a_stop_given_once_sticks_to_the_object_so_each_request_gets_a_new_one(
    emulator: Emulator,
) -> None:
    recorder = RequestRecorder()
    # (With parameters set: an empty model_kwargs is falsy, and the class starts a new dict.)
    llm = llama2_notebook_llm(emulator.base_url, emulator.api_key, on_request=recorder.add, seed=1)
    llm.invoke("Hello", stop=["said"])
    llm.invoke("Hello")
    assert [r["body"].get("stop") for r in recorder.requests] == [["said"], ["said"]]
    fresh = llama2_notebook_llm(
        emulator.base_url, emulator.api_key, on_request=recorder.add, seed=1
    )
    fresh.invoke("Hello")
    assert "stop" not in recorder.last["body"]


def test_failures_map_to_the_adapters_errors(emulator: Emulator) -> None:
    redactor = Redactor(emulator.api_key, "wrong-key-0123")
    wrong = llama2_notebook_llm(emulator.base_url, "wrong-key-0123")
    error = backend_error(failure(lambda: wrong.invoke("Hi")), redactor, source="x")
    adapter = ChatAzureServerless(
        endpoint_url=emulator.base_url + "/models/chat/completions", api_key="wrong-key-0123"
    )
    assert isinstance(error, AuthenticationError)
    assert str(error) == str(failure(lambda: adapter.invoke("Hi")))
    llm = llama2_notebook_llm(emulator.base_url, emulator.api_key)
    filtered = backend_error(failure(lambda: llm.invoke(BLOCKED)), redactor, source="x")
    assert isinstance(filtered, ContentFilterError)
    closed = llama2_notebook_llm(f"http://127.0.0.1:{free_port()}", "k-0123")
    refused = backend_error(failure(lambda: closed.invoke("Hi")), redactor, source="x")
    assert isinstance(refused, ConnectError)


def test_hosts_are_checked_and_redirects_refused(emulator: Emulator) -> None:
    with pytest.raises(BlockedHostError):
        llama2_notebook_llm(emulator.base_url, "k", hosts=HostPolicy(("*.azure.com",)))
    target = RawServer(lambda r: response("200 OK", b"{}"))
    hop = RawServer(lambda r: response("302 Found", b"", location=target.url + r.path))
    try:
        recorder = RequestRecorder()
        llm = llama2_notebook_llm(hop.url, "key-0123", on_request=recorder.add)
        exc = failure(lambda: llm.invoke("Hi"))
        error = backend_error(exc, Redactor("key-0123"), source="x")
        assert isinstance(error, APIStatusError) and error.status_code == 302
        assert len(hop.posts) == 1 and target.requests == []
        assert (
            recorder.last is not None
            and recorder.last["url"] == hop.url + "/models/chat/completions"
        )
    finally:
        hop.close()
        target.close()


# The data: each difference the file quotes is what the class does -----------------------------


def why(fragment: str) -> str:
    """The `why` of the Llama 2 difference whose notebook or ours column holds `fragment`."""
    (row,) = [d for d in llama2_differences() if fragment in d.notebook or fragment in d.ours]
    return row.why


def test_the_documented_llama2_differences_still_hold(emulator: Emulator) -> None:
    from langchain_community.llms.azureml_endpoint import (
        AzureMLEndpointApiType,
        AzureMLOnlineEndpoint,
        ContentFormatterBase,
    )

    class AsWritten(ContentFormatterBase):  # the notebook's formatter, unchanged
        def format_request_payload(self, prompt: str, model_kwargs: dict) -> bytes:  # type: ignore[override]
            prompt = ContentFormatterBase.escape_special_characters(prompt)
            return json.dumps({"messages": [{"role": "user", "content": prompt}]}).encode()

        def format_response_payload(self, output: bytes) -> str:  # type: ignore[override]
            return json.loads(output)["choices"][0]["message"]["content"]

    class Declared(AsWritten):
        supported_api_types = [AzureMLEndpointApiType.serverless]  # noqa: RUF012

    good = emulator.base_url + "/models/chat/completions"

    def build(formatter: Any, url: str = good, api_type: Any = "serverless") -> Any:
        return AzureMLOnlineEndpoint(
            endpoint_url=url,
            endpoint_api_type=api_type,
            endpoint_api_key=emulator.api_key,
            content_formatter=formatter,
        )

    with pytest.raises(ValidationError, match="is not supported by this endpoint"):
        build(AsWritten())
    assert "is not supported by this endpoint" in why("supported_api_types")
    with pytest.raises(ValidationError, match="should follow the format"):
        build(Declared(), emulator.base_url + "/v1/chat/completions")
    assert "should follow the format" in why("/v1/chat/completions")
    with pytest.raises(ValidationError, match="Input should be 'dedicated', 'realtime'"):
        build(Declared(), api_type=AzureMLEndpointApiType.serverless)
    assert "Input should be 'dedicated', 'realtime'" in why('endpoint_api_type="serverless"')
    with pytest.raises(TypeError, match="takes 3 positional arguments but 4 were given"):
        build(Declared()).invoke("Hi")
    assert "takes 3 positional arguments but 4 were given" in why("model_kwargs: Dict)")
    with pytest.raises(TypeError, match="not callable"):
        llama2_notebook_llm(emulator.base_url, emulator.api_key)("Hi")  # type: ignore[operator]
    assert "is not callable" in why('print(llm("Who')
    for module in ("langchain.llms", "langchain.chains", "langchain.memory"):
        with pytest.raises(ModuleNotFoundError):
            __import__(module)
    escaped = ContentFormatterBase.escape_special_characters('say "hi"')
    assert json.dumps(escaped) == '"say \\\\\\"hi\\\\\\""'  # the model would see say \"hi\"
    assert all(d.notebook and d.ours and d.why for d in llama2_differences())


# The migration guide quotes the programs it sits beside ----------------------------------------


def normalized(code: str) -> str:
    """Code without comments, whitespace and trailing commas, to find quotes in."""
    code = re.sub(r"  # [^\n]*", "", code)
    return re.sub(r",([)\]}])", r"\1", re.sub(r"\s+", "", code))


def programs(app: str) -> dict[str, str]:
    params = {"temperature": 0.6, "max_tokens": 512, "top_p": 0.9}
    modes = [{"mode": m} for m in Mode] if app == "memory" else [{}]
    maintained = "".join(
        maintained_code(app, "https://r.openai.azure.com", "d", params, auth=auth, **mode)  # type: ignore[arg-type]
        for auth in ("key", "entra")
        for mode in modes
    )
    adapter = "".join(
        adapter_code(app, "https://n.r.models.ai.azure.com", params, **mode)
        for mode in modes  # type: ignore[arg-type]
    )
    notebook = llama2_notebook_code(app, "https://n.r.inference.ai.azure.com", params)  # type: ignore[arg-type]
    return {
        name: normalized(code)
        for name, code in (("notebook", notebook), ("maintained", maintained), ("adapter", adapter))
    }


@pytest.mark.parametrize("app", ["translator", "memory"])
def test_the_migration_guide_quotes_the_programs(app: str) -> None:
    code = programs(app)
    steps = migration_steps(app)
    assert steps and all(s.notebook and s.maintained and s.adapter and s.why for s in steps)
    quoted = 0
    for step in steps:
        for column in ("notebook", "maintained", "adapter"):
            text = getattr(step, column)
            text = step.maintained if text == "the same" else text
            if text.startswith("("):
                continue
            for fragment in re.split(r"\.\.\.|<[^>]*>|;", text):
                if len(normalized(fragment)) >= 6:
                    assert normalized(fragment) in code[column], (column, fragment)
                    quoted += 1
    assert quoted >= 20
    assert len(migration()) >= len(steps)
