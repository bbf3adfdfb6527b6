"""`core.Client` against the emulator over real HTTP on 127.0.0.1: routes, streams, records."""

from __future__ import annotations

import ast
import json
from pathlib import Path

import pytest

from core import (
    PROFILES,
    AuthStyle,
    Client,
    Endpoint,
    ExtraParameters,
    InvalidRequestError,
    Redactor,
    Secret,
    ServerError,
)
from core.params import clean_params
from emulator.process import ROOT, Emulator

MESSAGES = [
    {"role": "system", "content": "You are a helpful assistant."},
    {"role": "user", "content": "Who wrote the book Innovators dilemma?"},
]


def make_client(emu: Emulator, url: str | None = None, profile: str = "local", **kw) -> Client:
    return Client(Endpoint(url or emu.base_url, key=emu.api_key, **kw), PROFILES[profile])


@pytest.mark.parametrize(
    ("url_suffix", "profile", "auth"),
    [
        ("", "local", AuthStyle.BEARER),
        ("/chat/completions", "local", AuthStyle.BEARER),
        ("/models/chat/completions", "local", AuthStyle.BEARER),
        ("/v1/chat/completions", "llama2-chat", AuthStyle.BARE),
        ("", "serverless", AuthStyle.BEARER),
        ("/v1", "openai", AuthStyle.BEARER),
    ],
)
def test_chat_on_every_route(emulator: Emulator, url_suffix: str, profile: str, auth) -> None:
    client = make_client(emulator, emulator.base_url + url_suffix, profile, auth=auth)
    result = client.chat(MESSAGES, max_tokens=20, seed=1)
    assert result.text.startswith('You said: "Who wrote the book')
    assert result.finish_reason == "length"
    assert result.usage["completion_tokens"] == 20
    assert result.exchange.status == 200
    assert result.exchange.request.url.startswith(emulator.base_url)


@pytest.mark.parametrize(
    ("url_suffix", "profile"),
    [("/v1/completions", "llama2-text"), ("", "local"), ("/completions", "local")],
)
def test_text_completion_routes(emulator: Emulator, url_suffix: str, profile: str) -> None:
    client = make_client(emulator, emulator.base_url + url_suffix, profile, auth=AuthStyle.BARE)
    result = client.complete("Math is a", max_tokens=30, temperature=0.7)
    assert result.text
    assert result.usage["completion_tokens"] <= 30
    streamed = client.stream_complete("Math is a", max_tokens=30, temperature=0.7)
    deltas = list(streamed)
    assert len(deltas) > 1
    assert "".join(deltas) == streamed.text == result.text
    assert streamed.finish_reason == result.finish_reason


def test_stream_yields_deltas_then_finish_reason_and_usage(emulator: Emulator) -> None:
    client = make_client(emulator)
    whole = client.chat(MESSAGES, seed=7)
    stream = client.stream_chat(MESSAGES, seed=7)
    deltas = list(stream)
    assert len(deltas) > 5
    assert "".join(deltas) == stream.text == whole.text
    assert stream.finish_reason == whole.finish_reason == "stop"
    assert stream.usage == whole.usage
    assert stream.done
    assert stream.time_to_first_token is not None
    # First event is the role chunk, the last is [DONE]; arrival times never go backwards.
    events = stream.events
    assert json.loads(events[0].data)["choices"][0]["delta"]["role"] == "assistant"
    assert events[-1].data == "[DONE]"
    assert [e.at for e in events] == sorted(e.at for e in events)


def test_stream_deltas_arrive_before_the_reply_ends(emulator: Emulator) -> None:
    client = make_client(emulator, headers=(("x-emulator-token-delay", "0.05"),))
    stream = client.stream_chat(MESSAGES, max_tokens=8)
    deltas = iter(stream)
    first = next(deltas)
    # The server is still generating: the exchange has no total time and no [DONE] yet.
    assert first
    assert stream.exchange.elapsed is None
    assert not any(e.data == "[DONE]" for e in stream.events)
    rest = list(deltas)
    assert stream.done and len(rest) >= 6


def test_breaking_out_of_a_stream_releases_it(emulator: Emulator) -> None:
    client = make_client(emulator, headers=(("x-emulator-reply-tokens", "5000"),))
    stream = client.stream_chat(MESSAGES, max_tokens=5000)
    for i, _ in enumerate(stream):
        if i == 3:
            break
    assert not stream.done
    assert stream.exchange.elapsed is not None  # the body was closed and timed
    # The same client keeps working after an abandoned stream.
    assert client.chat(MESSAGES, max_tokens=3).text


def test_same_seed_same_text_different_seed_different_text(emulator: Emulator) -> None:
    client = make_client(emulator)
    a = client.chat(MESSAGES, seed=1, temperature=1.0).text
    b = client.chat(MESSAGES, seed=1, temperature=1.0).text
    c = client.chat(MESSAGES, seed=2, temperature=1.0).text
    assert a == b != c


def test_stop_sequences_from_sidebar_text(emulator: Emulator) -> None:
    client = make_client(emulator)
    full = client.chat(MESSAGES, seed=3).text
    word = full.split()[8]
    body = client.build_body(
        {"messages": MESSAGES}, {"seed": 3, "stop": f"{word}\n", "top_p": None}
    )
    assert body["stop"] == [word]
    assert "top_p" not in body
    cut = client.chat(**{k: v for k, v in body.items()})
    assert cut.finish_reason == "stop"
    assert word not in cut.text
    assert full.startswith(cut.text)


def test_raw_send_records_the_whole_exchange(emulator: Emulator) -> None:
    client = make_client(emulator)
    body = {"messages": MESSAGES, "max_tokens": 5}
    exchange = client.send("POST", "/v1/chat/completions", body=body, headers={"X-Trace": "1"})
    assert exchange.ok
    assert exchange.status == 200
    assert exchange.request.method == "POST"
    assert exchange.request.headers["Authorization"] == "Bearer ***"
    assert exchange.request.headers["X-Trace"] == "1"
    assert json.loads(exchange.request.body) == body
    assert exchange.headers["content-type"].startswith("application/json")
    assert exchange.request_id
    assert exchange.json["object"] == "chat.completion"
    assert json.loads(exchange.body) == exchange.json
    assert 0 < exchange.time_to_first_byte <= exchange.elapsed
    assert exchange.events == []
    assert emulator.api_key not in repr(exchange)


def test_raw_send_of_the_notebooks_string_stream_flag(emulator: Emulator) -> None:
    client = make_client(emulator, auth=AuthStyle.BARE)
    text = '{"messages":[{"content":"Hello!","role":"user"}], "max_tokens": 10, "stream": "True"}'
    exchange = client.send("POST", "/v1/chat/completions", body=text)
    assert exchange.ok and exchange.is_stream
    assert exchange.request.body == text  # exactly as typed
    assert exchange.events[-1].data == "[DONE]"
    assert len(exchange.events) == 10 + 3  # role chunk, 10 tokens, finish chunk, [DONE]
    assert exchange.json is None
    assert exchange.body.startswith("data: {")


def test_raw_get_info(emulator: Emulator) -> None:
    client = make_client(emulator)
    exchange = client.send("GET", "/info")
    assert exchange.ok
    assert exchange.json["model_type"] == "chat-completions"
    assert client.info()["model_name"] == exchange.json["model_name"]


def test_raw_open_streams_events_live(emulator: Emulator) -> None:
    client = make_client(emulator, headers=(("x-emulator-token-delay", "0.02"),))
    with client.open(
        "POST", "/chat/completions", body={"messages": MESSAGES, "stream": True, "max_tokens": 6}
    ) as response:
        assert response.exchange.status == 200
        seen = []
        for event in response.events():
            seen.append(event)
            assert response.exchange.events == seen  # recorded as they arrive
    assert seen[-1].data == "[DONE]"
    assert response.exchange.elapsed >= seen[-1].at


def test_api_version_goes_in_the_query(emulator: Emulator) -> None:
    client = make_client(emulator, api_version="2024-05-01-preview")
    result = client.chat(MESSAGES, max_tokens=2)
    assert result.exchange.request.url.endswith("/chat/completions?api-version=2024-05-01-preview")


def test_extra_parameters_modes(emulator: Emulator) -> None:
    for mode in (ExtraParameters.PASS_THROUGH, ExtraParameters.DROP):
        client = make_client(emulator, extra_parameters=mode)
        result = client.chat(MESSAGES, max_tokens=2, ignore_eos=False)
        assert result.exchange.request.headers["extra-parameters"] == mode.value


def test_bad_input_is_refused_before_sending(emulator: Emulator) -> None:
    client = make_client(emulator)
    with pytest.raises(InvalidRequestError, match="start with '/'"):
        client.send("POST", "chat/completions")
    with pytest.raises(InvalidRequestError, match="method"):
        client.send("FETCH", "/info")
    with pytest.raises(InvalidRequestError, match="limit"):
        client.send("POST", "/chat/completions", body="x" * 1_000_001)
    for url, message in [
        ("", "empty"),
        ("ftp://example.com", "https://"),
        ("example.com/v1", "https://"),
        ("https://", "host"),
        ("https://user:pw@example.com", "key field"),
        ("https://example.com/?key=1", "query"),
        ("https://example.com:abc", "port"),
    ]:
        with pytest.raises(InvalidRequestError, match=message):
            Endpoint(url, key="k")


def test_endpoint_resolution_order() -> None:
    env = {"AZURE_AI_CHAT_ENDPOINT": "https://env.example.com", "AZURE_AI_CHAT_KEY": "envkey"}
    assert Endpoint.from_env(environ=env).url == "https://env.example.com"
    assert (
        Endpoint.from_env("https://arg.example.com", environ=env).url == "https://arg.example.com"
    )
    assert (
        Endpoint.from_env(environ={}, default_url="http://127.0.0.1:1").url == "http://127.0.0.1:1"
    )
    assert Endpoint.from_env(environ=env).key.reveal() == "envkey"
    assert Endpoint.from_env(key="", environ=env).key.reveal() == ""


def test_secret_never_shows_itself() -> None:
    secret = Secret("s3cr3t-value")
    endpoint = Endpoint("https://example.com", key=secret)
    for text in (repr(secret), str(secret), repr(endpoint), f"{endpoint}"):
        assert "s3cr3t" not in text
    assert secret.reveal() == "s3cr3t-value"


def test_the_redactor_masks_every_secret_in_text_headers_and_errors() -> None:
    redactor = Redactor("key-123", "key-123-long", "")
    assert redactor.text("a key-123-long b key-123 c") == "a *** b *** c"  # longest first
    assert redactor.header("Authorization", "Bearer key-123") == "Bearer ***"
    assert redactor.header("api-key", "key-123") == "***"
    assert redactor.header("x-note", "see key-123") == "see ***"
    error = ServerError("failed: key-123", status_code=500, body='{"k": "key-123"}')
    assert redactor.error(error) is error
    assert str(error) == "failed: ***" and error.args == ("failed: ***",)
    assert error.body == '{"k": "***"}' and error.request is None
    assert "key-123" not in repr(redactor)
    assert Redactor("").text("nothing to hide") == "nothing to hide"


def test_a_clients_records_and_errors_pass_through_its_redactor(emulator: Emulator) -> None:
    client = Client(Endpoint(emulator.base_url, key="wrong-key-9"), PROFILES["local"])
    exchange = client.send("POST", "/chat/completions?echo=wrong-key-9", body={"k": "wrong-key-9"})
    assert "wrong-key-9" not in exchange.request.url + exchange.request.body + exchange.body
    assert exchange.error is not None and "wrong-key-9" not in str(exchange.error)
    assert exchange.request.headers["Authorization"] == "Bearer ***"


def test_clean_params_keeps_only_what_is_set() -> None:
    params = {"a": None, "b": "", "c": [], "d": 0, "e": False, "stop": "x\n\ny\n"}
    assert clean_params(params) == {"d": 0, "e": False, "stop": ["x", "y"]}
    assert clean_params({"stop": "\n"}) == {}
    assert clean_params({"stop": ["z"]}) == {"stop": ["z"]}


def test_core_imports_form_no_cycle() -> None:
    """client -> response -> streams: a module never imports one that imports it (at run time;
    `if TYPE_CHECKING:` blocks do not count)."""
    graph = {name: _core_imports(path) for name, path in _core_modules().items()}
    assert "core.response" in graph["core.client"] and "core.streams" in graph["core.response"]
    assert not graph["core.streams"] & {"core.client", "core.response"}
    done: set[str] = set()

    def visit(name: str, path: tuple[str, ...]) -> None:
        assert name not in path, " -> ".join((*path, name))
        if name not in done:
            for imported in graph.get(name, ()):
                visit(imported, (*path, name))
            done.add(name)

    for name in graph:
        visit(name, ())


def _core_modules() -> dict[str, Path]:
    core_dir = ROOT / "core"
    modules = {}
    for path in core_dir.rglob("*.py"):
        parts = path.relative_to(ROOT).with_suffix("").parts
        modules[".".join(parts[:-1] if parts[-1] == "__init__" else parts)] = path
    return modules


def _core_imports(path: Path) -> set[str]:
    """The `core` modules `path` imports at run time (relative imports resolved)."""
    package = ".".join(path.relative_to(ROOT).parent.parts)
    found: set[str] = set()
    for node in _runtime_nodes(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom) and node.level:
            base = package.split(".")[: len(package.split(".")) - node.level + 1]
            module = ".".join([*base, *([node.module] if node.module else [])])
            for alias in node.names:
                found.add(f"{module}.{alias.name}" if not node.module else module)
    modules = _core_modules()
    return {name for name in found if name in modules and name != "core"}


def _runtime_nodes(tree: ast.AST) -> list[ast.AST]:
    nodes: list[ast.AST] = []
    for child in ast.iter_child_nodes(tree):
        if isinstance(child, ast.If) and "TYPE_CHECKING" in ast.unparse(child.test):
            continue
        nodes.append(child)
        nodes.extend(_runtime_nodes(child))
    return nodes


def test_full_route_urls_split_into_base_and_route() -> None:
    endpoint = Endpoint("https://x.eastus2.inference.ai.azure.com/v1/chat/completions/")
    assert endpoint.base_url == "https://x.eastus2.inference.ai.azure.com"
    assert endpoint.route == "/v1/chat/completions"
    client = Client(endpoint, PROFILES["llama2-text"])
    assert client.chat_route == "/v1/chat/completions"
    assert client.completions_route == "/v1/completions"


def test_a_content_length_stream_is_not_buffered_until_the_end() -> None:
    """A server that sends Content-Length instead of chunks still streams event by event."""
    import socket
    import threading

    first = b'data: {"choices":[{"delta":{"content":"Hel"}}]}\n\n'
    second = (
        b'data: {"choices":[{"delta":{"content":"lo"},"finish_reason":"stop"}]}\n\ndata: [DONE]\n\n'
    )
    first_seen = threading.Event()
    listener = socket.create_server(("127.0.0.1", 0))
    port = listener.getsockname()[1]

    def serve() -> None:
        conn, _ = listener.accept()
        with conn:
            conn.recv(65536)
            head = (
                "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\n"
                f"Content-Length: {len(first) + len(second)}\r\n\r\n"
            )
            conn.sendall(head.encode() + first)
            first_seen.wait(timeout=10)  # the second half goes only after the client saw the first
            conn.sendall(second)

    thread = threading.Thread(target=serve)
    thread.start()
    try:
        client = Client(Endpoint(f"http://127.0.0.1:{port}", key="k"), PROFILES["openai"])
        stream = client.stream_chat(MESSAGES)
        deltas = iter(stream)
        assert next(deltas) == "Hel"
        first_seen.set()
        assert list(deltas) == ["lo"]
        assert stream.finish_reason == "stop" and stream.done
    finally:
        first_seen.set()
        thread.join()
        listener.close()


def test_typed_calls_drop_unset_parameters_and_split_stop_text(emulator: Emulator) -> None:
    client = make_client(emulator)
    result = client.chat(MESSAGES, seed=None, stop="", top_p=None, max_tokens=3)
    sent = result.exchange.request.json()
    assert "seed" not in sent and "stop" not in sent and "top_p" not in sent
    stream = client.stream_chat(MESSAGES, stop="zzz\nyyy\n", max_tokens=3)
    assert "".join(stream)
    assert stream.exchange.request.json()["stop"] == ["zzz", "yyy"]


def test_a_stream_request_answered_with_plain_json_still_yields_the_text(
    emulator: Emulator,
) -> None:
    client = make_client(emulator)
    expected = client.chat(MESSAGES, seed=9, max_tokens=10).text
    raw = client.open(
        "POST",
        "/chat/completions",
        body={"messages": MESSAGES, "seed": 9, "max_tokens": 10, "stream": False},
    )
    stream = raw.text_stream()
    assert list(stream) == [expected]
    assert stream.done and stream.finish_reason == "length"
