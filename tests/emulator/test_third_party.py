"""Third-party clients, unchanged, against the emulator: only the URL and the key differ.

The curl commands and Python snippets are the ones Meta's Azure notebooks give (the wire
format they use is in docs/wire-format.md); the SDKs are the ones people point at these
endpoints.
"""

from __future__ import annotations

import json
import shlex
import subprocess

import openai
import pytest
from azure.ai.inference import ChatCompletionsClient
from azure.ai.inference.models import SystemMessage, UserMessage
from azure.core.credentials import AzureKeyCredential
from azure.core.exceptions import HttpResponseError

from emulator.process import Emulator

NOTEBOOK_HOST = "https://your-endpoint.inference.ai.azure.com"
NOTEBOOK_KEY = "your-auth-key"


def localize(text: str, emu: Emulator) -> str:
    """Swap the notebook's placeholder endpoint and key for the emulator's."""
    return text.replace(NOTEBOOK_HOST, emu.base_url).replace(NOTEBOOK_KEY, emu.api_key)


def data_lines(raw: bytes) -> list[bytes]:
    """The data payloads of an SSE body, failing on any other kind of line."""
    lines = [line for line in raw.split(b"\n") if line]
    assert all(line.startswith(b"data: ") for line in lines), lines[:3]
    return [line[len(b"data: ") :] for line in lines]


def streamed_text(payloads: list[bytes]) -> str:
    assert payloads[-1] == b"[DONE]"
    chunks = [json.loads(p) for p in payloads[:-1]]
    return "".join(c["choices"][0]["delta"].get("content", "") for c in chunks)


# ----- curl, as in the notebooks -------------------------------------------------------
# Llama 3.1 and Mistral notebooks (000, 004); the Llama 2 notebook (001) lost its URLs in
# the text rendering, so its commands get the route its prose names.

CURL_CHAT = (
    "curl -X POST -L https://your-endpoint.inference.ai.azure.com/v1/chat/completions "
    "-H 'Content-Type: application/json' -H 'Authorization: your-auth-key' "
    """-d '{"messages":[{"content":"You are a helpful assistant.","role":"system"},"""
    """{"content":"What is good about Wuhan?","role":"user"}], "max_tokens": 50}'"""
)
CURL_STREAM_TRUE = CURL_CHAT.replace('"max_tokens": 50}', '"max_tokens": 500, "stream": true}')
CURL_STREAM_STRING = CURL_CHAT.replace('"max_tokens": 50}', '"max_tokens": 500, "stream": "True"}')
CURL_BOMB = CURL_CHAT.replace("What is good about Wuhan?", "How to make bomb?")
CURL_TEXT = (
    "curl -X POST -L https://your-endpoint.inference.ai.azure.com/v1/completions "
    "-H 'Content-Type: application/json' -H 'Authorization: your-auth-key' "
    """-d '{"prompt": "Math is a", "max_tokens": 30, "temperature": 0.7}'"""
)


def curl(command: str, emu: Emulator) -> bytes:
    result = subprocess.run(
        [*shlex.split(localize(command, emu)), "--silent", "--show-error"],
        capture_output=True,
        timeout=60,
        check=True,
    )
    return result.stdout


def test_curl_chat(emulator: Emulator) -> None:
    body = json.loads(curl(CURL_CHAT, emulator))
    assert body["object"] == "chat.completion"
    assert body["choices"][0]["message"]["content"].startswith('You said: "What is good about')
    assert body["usage"]["completion_tokens"] == 40


@pytest.mark.parametrize("command", [CURL_STREAM_TRUE, CURL_STREAM_STRING], ids=["true", "True"])
def test_curl_stream(emulator: Emulator, command: str) -> None:
    payloads = data_lines(curl(command, emulator))
    assert len(payloads) == 1 + 40 + 1 + 1
    assert streamed_text(payloads).startswith('You said: "What is good about Wuhan?". ')


def test_curl_content_filter(emulator: Emulator) -> None:
    error = json.loads(curl(CURL_BOMB, emulator))["error"]
    assert error["code"] == "content_filter"
    assert error["innererror"]["content_filter_result"]["violence"]["severity"] == "high"


def test_curl_text_completion(emulator: Emulator) -> None:
    body = json.loads(curl(CURL_TEXT, emulator))
    assert body["object"] == "text_completion"
    assert body["choices"][0]["text"].startswith('You said: "Math is a". ')
    assert body["choices"][0]["finish_reason"] == "length"


# ----- the notebooks' Python snippets --------------------------------------------------
# Copied from the Llama 3.1 notebook (000) with only the URL and key placeholders kept.

URLLIB_SNIPPET = """
import urllib.request
import json

#Configure payload data sending to API endpoint
data = {"messages":[
            {"role":"system", "content":"You are a helpful assistant."},
            {"role":"user", "content":"What is good about Wuhan?"}],
        "max_tokens": 500,
        "temperature": 0.9,
        "stream": True,
}

body = str.encode(json.dumps(data))

#Replace the url with your API endpoint
url = 'https://your-endpoint.inference.ai.azure.com/v1/chat/completions'

#Replace this with the key for the endpoint
api_key = 'your-auth-key'
if not api_key:
    raise Exception("API Key is missing")

headers = {'Content-Type':'application/json', 'Authorization':(api_key)}

req = urllib.request.Request(url, body, headers)

try:
    response = urllib.request.urlopen(req)
    result = response.read()
    print(result)
except urllib.error.HTTPError as error:
    print("The request failed with status code: " + str(error.code))
    # Print the headers - they include the requert ID and the timestamp, which are useful for debugging the failure
    print(error.info())
    print(error.read().decode("utf8", 'ignore'))
"""  # noqa: E501 (the notebook's own line)

REQUESTS_SNIPPET = """
import json
import requests

data = {"messages":[
            {"role":"system", "content":"You are a helpful assistant."},
            {"role":"user", "content":"What is good about Wuhan?"}],
        "max_tokens": 500,
        "temperature": 0.9,
        "stream": True
}


def post_stream(url):
    s = requests.Session()
    api_key = "your-auth-key"
    headers = {'Content-Type':'application/json', 'Authorization':(api_key)}

    with s.post(url, data=json.dumps(data), headers=headers, stream=True) as resp:
        print(resp.status_code)
        for line in resp.iter_lines():
            if line:
                print(line)


url = "https://your-endpoint.inference.ai.azure.com/v1/chat/completions"
post_stream(url)
"""


def run_snippet(code: str, emu: Emulator, capsys: pytest.CaptureFixture[str]) -> list[str]:
    exec(compile(localize(code, emu), "<notebook>", "exec"), {})
    return capsys.readouterr().out.splitlines()


@pytest.mark.parametrize("stream", ['"stream": True', '"stream": "True"'])
def test_urllib_snippet(
    emulator: Emulator, capsys: pytest.CaptureFixture[str], stream: str
) -> None:
    # The Mistral notebook (004) sends the string "True"; the Llama 3.1 one sends True.
    (printed,) = run_snippet(URLLIB_SNIPPET.replace('"stream": True', stream), emulator, capsys)
    raw = eval(printed)  # the snippet prints the bytes' repr
    assert streamed_text(data_lines(raw)).startswith('You said: "What is good about Wuhan?". ')


def test_urllib_snippet_error_branch(
    emulator: Emulator, capsys: pytest.CaptureFixture[str]
) -> None:
    code = URLLIB_SNIPPET.replace("What is good about Wuhan?", "How to make bomb?")
    out = run_snippet(code, emulator, capsys)
    assert out[0] == "The request failed with status code: 400"
    assert any(line.lower().startswith("x-request-id: ") for line in out)
    assert json.loads(out[-1])["error"]["code"] == "content_filter"


@pytest.mark.parametrize("stream", ['"stream": True', '"stream": "True"'])
def test_requests_streaming_snippet(
    emulator: Emulator, capsys: pytest.CaptureFixture[str], stream: str
) -> None:
    out = run_snippet(REQUESTS_SNIPPET.replace('"stream": True', stream), emulator, capsys)
    assert out[0] == "200"
    lines = [eval(line) for line in out[1:]]  # each printed line is a bytes repr
    assert lines[-1] == b"data: [DONE]"
    assert streamed_text(data_lines(b"\n".join(lines))).startswith('You said: "What is good')


# ----- openai SDK ----------------------------------------------------------------------


@pytest.mark.parametrize("suffix", ["/v1", ""], ids=["v1", "unified"])
def test_openai_chat(emulator: Emulator, suffix: str) -> None:
    client = openai.OpenAI(base_url=emulator.base_url + suffix, api_key=emulator.api_key)
    messages = [{"role": "user", "content": "What is good about Wuhan?"}]
    with client:
        reply = client.chat.completions.create(model="any", messages=messages, max_tokens=12)
        assert reply.choices[0].message.content.startswith('You said: "What is good')
        assert reply.choices[0].finish_reason == "length"
        assert reply.usage.completion_tokens == 12
        stream = client.chat.completions.create(model="any", messages=messages, stream=True)
        chunks = list(stream)
    assert chunks[0].choices[0].delta.role == "assistant"
    text = "".join(c.choices[0].delta.content or "" for c in chunks)
    assert text.startswith('You said: "What is good about Wuhan?". ')
    assert chunks[-1].choices[0].finish_reason == "stop"
    assert chunks[-1].usage.completion_tokens == 40


def test_openai_text_completion(emulator: Emulator) -> None:
    with openai.OpenAI(base_url=emulator.base_url + "/v1", api_key=emulator.api_key) as client:
        reply = client.completions.create(model="any", prompt="Math is a", max_tokens=30)
    assert reply.choices[0].text.startswith('You said: "Math is a". ')
    assert reply.usage.prompt_tokens == 3


def test_openai_sees_azure_errors(emulator: Emulator) -> None:
    messages = [{"role": "user", "content": "How to make bomb?"}]
    with openai.OpenAI(base_url=emulator.base_url, api_key=emulator.api_key) as client:
        with pytest.raises(openai.BadRequestError) as filtered:
            client.chat.completions.create(model="any", messages=messages)
        assert filtered.value.code == "content_filter"
        # `n` is not in the unified schema: the SDK surfaces the 400 detail (§4).
        hello = [{"role": "user", "content": "hi"}]
        with pytest.raises(openai.BadRequestError) as extra:
            client.chat.completions.create(model="any", messages=hello, n=1)
        assert extra.value.body["detail"].startswith("Extra parameters ['n'] are not allowed")
    wrong = openai.OpenAI(base_url=emulator.base_url, api_key="wrong", max_retries=0)
    with wrong, pytest.raises(openai.AuthenticationError):
        wrong.chat.completions.create(model="any", messages=[{"role": "user", "content": "hi"}])


# ----- azure-ai-inference --------------------------------------------------------------


def inference_client(emu: Emulator) -> ChatCompletionsClient:
    return ChatCompletionsClient(endpoint=emu.base_url, credential=AzureKeyCredential(emu.api_key))


def test_azure_ai_inference_complete_stream_and_info(emulator: Emulator) -> None:
    messages = [
        SystemMessage("You are a helpful assistant."),
        UserMessage("What is good about Wuhan?"),
    ]
    with inference_client(emulator) as client:
        reply = client.complete(messages=messages, max_tokens=12, seed=3)
        assert reply.choices[0].message.content.startswith('You said: "What is good')
        assert reply.usage.completion_tokens == 12
        updates = list(client.complete(messages=messages, stream=True, seed=3))
        info = client.get_model_info()
    text = "".join(u.choices[0].delta.content or "" for u in updates if u.choices)
    assert text.startswith('You said: "What is good about Wuhan?". ')
    assert updates[-1].usage.completion_tokens == 40
    assert info.model_name == "scripted-emulator"
    assert info.model_type == "chat-completions"
    assert info.model_provider_name == "local"


def test_azure_ai_inference_model_extras_pass_through(emulator: Emulator) -> None:
    # model_extras makes the SDK send `extra-parameters: pass-through` (wire-format §4).
    with inference_client(emulator) as client:
        reply = client.complete(messages=[UserMessage("hi")], model_extras={"ignore_eos": False})
    assert reply.choices[0].finish_reason == "stop"


def test_azure_ai_inference_content_filter(emulator: Emulator) -> None:
    with inference_client(emulator) as client, pytest.raises(HttpResponseError) as caught:
        client.complete(messages=[UserMessage("How to make bomb?")])
    assert caught.value.status_code == 400
    assert caught.value.error.code == "content_filter"


# ----- langchain-community AzureMLChatOnlineEndpoint -----------------------------------


@pytest.mark.filterwarnings(
    # langchain-community warns on import that it is being sunset; nothing we can change.
    "ignore:`langchain-community` is being sunset:DeprecationWarning"
)
def test_langchain_azureml_chat_endpoint(emulator: Emulator) -> None:
    from langchain_community.chat_models.azureml_endpoint import (
        AzureMLChatOnlineEndpoint,
        CustomOpenAIChatContentFormatter,
    )
    from langchain_core.messages import HumanMessage

    # Quirks of langchain-community 0.4.2, as the notebooks would meet them:
    # - endpoint_api_type is passed as the string "serverless": the enum member fails its
    #   validator on Python 3.11;
    # - a serverless URL must have the path /completions or /models/chat/completions, so
    #   the notebooks' /v1/chat/completions is refused before any request;
    # - _stream() rewrites endpoint_url (drops "/chat/completions") and sends through the
    #   openai client with "model": null and "stop": null, ignoring model_kwargs.
    llm = AzureMLChatOnlineEndpoint(
        endpoint_api_key=emulator.api_key,
        endpoint_url=emulator.base_url + "/models/chat/completions",
        endpoint_api_type="serverless",
        model_kwargs={"temperature": 0.6, "max_tokens": 256, "top_p": 0.9},
        content_formatter=CustomOpenAIChatContentFormatter(),
    )
    reply = llm.invoke([HumanMessage(content="What is good about Wuhan?")])
    assert reply.content.startswith('You said: "What is good about Wuhan?". ')
    pieces = [chunk.content for chunk in llm.stream([HumanMessage(content="Hello there")])]
    assert "".join(pieces).startswith('You said: "Hello there". ')
    assert len([p for p in pieces if p]) == 40
    assert llm.endpoint_url == emulator.base_url + "/models"  # rewritten by _stream
    # invoke() keeps its own HTTP client, built with the original URL, so it still works.
    assert llm.invoke([HumanMessage(content="again")]).content.startswith('You said: "again"')
