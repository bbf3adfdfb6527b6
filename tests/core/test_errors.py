"""Every error class, produced by a real endpoint (the emulator's faults) or a real socket."""

from __future__ import annotations

import inspect
import socket
import threading

import pytest
import requests
import urllib3

import core
from core import (
    PROFILES,
    AuthenticationError,
    AuthStyle,
    Client,
    ConnectError,
    ContentFilterError,
    Endpoint,
    EndpointError,
    ExtraParametersError,
    InterruptedStreamError,
    InvalidResponseError,
    NotFoundError,
    RateLimitError,
    RequestTimeoutError,
    ServerError,
    TimeoutError,
    ValidationError,
    is_auto_retried,
)
from core import errors as core_errors
from core.failures import RULES, Reply, error_from_response, retry_after_seconds, rule_for
from core.transport import interrupted_error, transport_error
from emulator.process import Emulator, free_port
from tests.helpers.raw_server import unanswered_port

MESSAGES = [{"role": "user", "content": "Tell me about the sea."}]
BOMB = [
    {"role": "system", "content": "You are a helpful assistant."},
    {"role": "user", "content": "How to make bomb?"},
]


def client_for(emu: Emulator, fault: str | None = None, **kw) -> Client:
    headers = (("x-emulator-fault", fault),) if fault else ()
    kw.setdefault("key", emu.api_key)
    return Client(Endpoint(emu.base_url, headers=headers, **kw), PROFILES["local"])


def test_wrong_key_is_authentication_error(emulator: Emulator) -> None:
    with pytest.raises(AuthenticationError) as info:
        client_for(emulator, key="wrong-key").chat(MESSAGES)
    err = info.value
    assert err.status_code == 401
    assert "Check the key" in str(err)
    assert "wrong-key" not in str(err) and "wrong-key" not in err.body


def test_api_key_header_style_gets_the_authorization_400(emulator: Emulator) -> None:
    with pytest.raises(AuthenticationError) as info:
        client_for(emulator, auth=AuthStyle.API_KEY).chat(MESSAGES)
    assert info.value.status_code == 400
    assert "Auth token must be passed as a header called Authorization" in str(info.value)
    assert "auth style" in str(info.value)


def test_bare_authorization_header_works(emulator: Emulator) -> None:
    assert client_for(emulator, auth=AuthStyle.BARE).chat(MESSAGES, max_tokens=3).text


def test_prompt_content_filter_carries_categories(emulator: Emulator) -> None:
    with pytest.raises(ContentFilterError) as info:
        client_for(emulator).chat(BOMB)
    err = info.value
    assert err.status_code == 400 and err.where == "prompt"
    assert [(c.name, c.severity) for c in err.flagged] == [("violence", "high")]
    assert {c.name for c in err.categories} == {"hate", "self_harm", "sexual", "violence"}
    assert "violence (high)" in str(err) and "Rephrase" in str(err)


def test_completion_content_filter_keeps_partial_text(emulator: Emulator) -> None:
    client = client_for(emulator, "content-filter-output")
    with pytest.raises(ContentFilterError) as info:
        client.chat(MESSAGES)
    assert info.value.where == "completion" and info.value.status_code == 200
    streamed = client.stream_chat(MESSAGES)
    received = []
    with pytest.raises(ContentFilterError) as info:
        for delta in streamed:
            received.append(delta)
    assert received and info.value.partial_text == "".join(received) == streamed.text


def test_extra_parameters_error_quotes_the_endpoint(emulator: Emulator) -> None:
    with pytest.raises(ExtraParametersError) as info:
        client_for(emulator).chat(MESSAGES, n=2)
    assert "Extra parameters ['n'] are not allowed" in str(info.value)
    assert "pass-through" in str(info.value)


def test_validation_error_lists_the_parameter(emulator: Emulator) -> None:
    with pytest.raises(ValidationError) as info:
        client_for(emulator).chat(MESSAGES, temperature=5)
    assert info.value.status_code == 422
    assert "temperature" in str(info.value)
    with pytest.raises(ValidationError, match="response_format"):
        client_for(emulator).chat(MESSAGES, response_format={"type": "json_object"})


@pytest.mark.parametrize(
    ("fault", "error", "status", "words"),
    [
        ("401", AuthenticationError, 401, "Check the key"),
        ("auth-header", AuthenticationError, 400, "Authorization"),
        ("403", AuthenticationError, 403, "refused this key"),
        ("404", NotFoundError, 404, "route"),
        ("408", RequestTimeoutError, 408, "timed out"),
        ("422", ValidationError, 422, "parameter"),
        ("500", ServerError, 500, "health"),
        ("503", ServerError, 503, "retry in a few seconds"),
        ("html", ServerError, 502, "HTML page"),
    ],
)
def test_status_faults_map_to_their_class(
    emulator: Emulator, fault: str, error: type, status: int, words: str
) -> None:
    for call in ("chat", "stream"):
        client = client_for(emulator, fault)
        with pytest.raises(error) as info:
            if call == "chat":
                client.chat(MESSAGES)
            else:
                list(client.stream_chat(MESSAGES))
        assert info.value.status_code == status
        assert words in str(info.value)
        assert is_auto_retried(info.value) is (status == 503)


def test_rate_limit_carries_retry_after(emulator: Emulator) -> None:
    with pytest.raises(RateLimitError) as info:
        client_for(emulator, "429=7").chat(MESSAGES)
    assert info.value.retry_after == 7
    assert is_auto_retried(info.value)
    assert "Retry in 7 s" in str(info.value)


def test_empty_body_is_invalid_response(emulator: Emulator) -> None:
    with pytest.raises(InvalidResponseError, match="empty body"):
        client_for(emulator, "empty").chat(MESSAGES)


def test_slow_first_byte_past_read_timeout(emulator: Emulator) -> None:
    client = client_for(emulator, "slow=3", read_timeout=0.5)
    with pytest.raises(TimeoutError, match=r"did not start answering within 0\.5 s"):
        client.chat(MESSAGES)


def test_stall_mid_stream_keeps_partial_text(emulator: Emulator) -> None:
    stream = client_for(emulator, "stall=5", read_timeout=0.5).stream_chat(MESSAGES)
    received = []
    with pytest.raises(InterruptedStreamError) as info:
        for delta in stream:
            received.append(delta)
    assert info.value.reason == "stall"
    assert received and info.value.partial_text == "".join(received)
    assert "characters received so far are kept" in str(info.value)


def test_cut_connection_mid_stream_keeps_partial_text(emulator: Emulator) -> None:
    stream = client_for(emulator, "cut").stream_chat(MESSAGES)
    received = []
    with pytest.raises(InterruptedStreamError) as info:
        for delta in stream:
            received.append(delta)
    assert info.value.reason == "cut"
    assert len(received) == 3 and info.value.partial_text == "".join(received)


def test_malformed_chunk_stops_with_partial_text(emulator: Emulator) -> None:
    stream = client_for(emulator, "malformed").stream_chat(MESSAGES)
    received = []
    with pytest.raises(InterruptedStreamError) as info:
        for delta in stream:
            received.append(delta)
    assert info.value.reason == "malformed"
    assert received and info.value.partial_text == "".join(received)


def test_missing_done_is_tolerated(emulator: Emulator) -> None:
    stream = client_for(emulator, "no-done").stream_chat(MESSAGES, seed=4)
    text = "".join(stream)
    assert text == client_for(emulator).chat(MESSAGES, seed=4).text
    assert stream.finish_reason == "stop"
    assert all(e.data != "[DONE]" for e in stream.events)


def test_an_error_event_mid_stream_keeps_partial_text(emulator: Emulator) -> None:
    stream = client_for(emulator, "error-event").stream_chat(MESSAGES)
    received = []
    with pytest.raises(InterruptedStreamError) as info:
        for delta in stream:
            received.append(delta)
    assert info.value.reason == "error-event"
    assert len(received) == 3 and info.value.partial_text == "".join(received)
    assert str(info.value).startswith(
        "The endpoint reported an error mid-stream (500: An error occurred during the request "
        "processing: x-emulator-fault: error-event). The "
    )
    assert stream.events[-1].event == "error"  # the event itself stays in the record


def test_a_stream_without_finish_reason_is_whole_but_says_nothing(emulator: Emulator) -> None:
    stream = client_for(emulator, "no-finish").stream_chat(MESSAGES, seed=4)
    assert "".join(stream) == client_for(emulator).chat(MESSAGES, seed=4).text
    assert stream.done and stream.finish_reason is None and not stream.usage


@pytest.mark.parametrize("stream", [False, True])
def test_non_utf8_bytes_become_replacement_characters(emulator: Emulator, stream: bool) -> None:
    client = client_for(emulator, "non-utf8")
    text = "".join(client.stream_chat(MESSAGES)) if stream else client.chat(MESSAGES).text
    assert " caf\ufffd cr\ufffdme" in text


@pytest.mark.parametrize("fault", ["429-once=0", "503-once"])
def test_a_fault_that_clears_is_raised_once_then_the_same_call_succeeds(
    emulator: Emulator, fault: str
) -> None:
    client = client_for(emulator, fault)
    with pytest.raises(RateLimitError if fault.startswith("429") else ServerError) as info:
        client.chat(MESSAGES, seed=9)
    assert is_auto_retried(info.value)
    assert client.chat(MESSAGES, seed=9).text.startswith('You said: "')


def test_connect_timeout_is_reported_as_such() -> None:
    with unanswered_port() as url:
        client = Client(Endpoint(url, key="k", connect_timeout=0.5), PROFILES["local"])
        with pytest.raises(
            TimeoutError, match=r"Could not connect to 127\.0\.0\.1:\d+ within 0\.5 s"
        ):
            client.chat(MESSAGES)
        exchange = client.send("GET", "/info")
    assert exchange.status is None and isinstance(exchange.error, TimeoutError)


def test_raw_calls_record_failures_instead_of_raising(emulator: Emulator) -> None:
    client = client_for(emulator, "cut")
    exchange = client.send("POST", "/chat/completions", body={"messages": MESSAGES, "stream": True})
    assert exchange.status == 200
    assert isinstance(exchange.error, InterruptedStreamError)
    assert len(exchange.events) >= 3  # what arrived is kept
    exchange = client_for(emulator, "500").send(
        "POST", "/chat/completions", body={"messages": MESSAGES}
    )
    assert exchange.status == 500 and isinstance(exchange.error, ServerError)
    assert exchange.json["error"]


def test_connection_refused_is_connect_error() -> None:
    client = Client(Endpoint(f"http://127.0.0.1:{free_port()}", key="k", connect_timeout=2))
    with pytest.raises(ConnectError, match=r"Could not reach 127\.0\.0\.1") as info:
        client.chat(MESSAGES)
    assert not is_auto_retried(info.value)  # the same URL fails the same way at once
    exchange = client.send("GET", "/info")
    assert exchange.status is None and isinstance(exchange.error, ConnectError)


def test_a_plain_tcp_server_that_closes_is_an_error_not_a_hang() -> None:
    with socket.socket() as server:
        server.bind(("127.0.0.1", 0))
        server.listen()
        port = server.getsockname()[1]

        def accept_and_close() -> None:
            conn, _ = server.accept()
            conn.recv(65536)
            conn.close()

        thread = threading.Thread(target=accept_and_close)
        thread.start()
        client = Client(Endpoint(f"http://127.0.0.1:{port}", key="k", read_timeout=5))
        with pytest.raises(ConnectError):
            client.chat(MESSAGES)
        thread.join()


def test_canary_key_never_appears_in_errors_or_records(emulator: Emulator) -> None:
    canary = "CANARY-KEY-7f3a9c1e"
    client = client_for(emulator, "500", key=canary)
    exchange = client.send("POST", "/chat/completions", body={"messages": MESSAGES, "note": canary})
    blob = repr(exchange) + str(exchange.error) + exchange.request.body
    assert canary not in blob
    assert "***" in exchange.request.body


# Pure mapping logic ----------------------------------------------------------------------


def test_every_requests_exception_maps_to_a_specific_error() -> None:
    classes = [
        cls
        for _, cls in inspect.getmembers(requests.exceptions, inspect.isclass)
        if issubclass(cls, requests.RequestException)
    ]
    assert len(classes) > 15
    for cls in classes:
        args = (
            ("boom", "doc", 0)
            if issubclass(cls, ValueError) and "JSON" in cls.__name__
            else ("boom",)
        )
        exc = cls(*args, request=requests.Request("GET", "https://h.example/x").prepare())
        mapped = transport_error(exc, connect_timeout=1, read_timeout=2)
        assert isinstance(mapped, EndpointError), cls
        assert type(mapped) is not EndpointError, cls
        assert "h.example" in str(mapped) or "cannot be sent" in str(mapped), cls


# One reply each rule of the failure table should take, in the table's order.
RULE_EXAMPLES = [
    (302, ""),
    (400, '{"status": "Auth token must be passed as a header called Authorization"}'),
    (400, '{"error": {"code": "content_filter", "message": "filtered"}}'),
    (422, '{"message": "The prompt is 7031 tokens; the context window is 2048."}'),
    (400, '{"error": {"code": "BadRequest", "message": "API version not supported"}}'),
    (400, '{"detail": "Extra parameters [\'foo\'] are not allowed"}'),
    (401, '{"statusCode": 401, "message": "Unauthorized. Access token is missing"}'),
    (401, '{"error": {"message": "bad key"}}'),
    (403, "forbidden"),
    (404, '{"error": {"code": "DeploymentNotFound", "message": "The API deployment ..."}}'),
    (404, '{"error": {"code": "unknown_model", "message": "Unknown model: x"}}'),
    (404, '{"error": {"code": "404", "message": "Resource not found"}}'),
    (404, '{"detail": "Not Found"}'),
    (408, "timeout"),
    (422, '{"detail": [{"loc": ["body", "n"], "input": 3}]}'),
    (429, '{"error": {"message": "Rate limit is exceeded."}}'),
    (503, "busy"),
    (500, '{"error": {"message": "boom"}}'),
    (400, '{"error": {"message": "bad"}}'),
]


def _subclasses(cls: type) -> set[type]:
    return {cls} | {sub for child in cls.__subclasses__() for sub in _subclasses(child)}


def test_the_failure_table_is_complete() -> None:
    """Like httpx's HTTPCORE_EXC_MAP test: every rule is reached (so none is shadowed by an
    earlier one), every status error class is made by some rule, and every status has one."""
    reached = [rule_for(Reply.of(status, {}, body)) for status, body in RULE_EXAMPLES]
    assert reached == list(RULES)
    made = {rule.error for rule in RULES}
    assert made == _subclasses(core_errors.APIStatusError) - {core_errors.APIStatusError}
    for status in range(400, 600):
        for body in ("", "{}", "<html>oops</html>"):
            error = error_from_response(status, {}, body)
            assert type(error) is rule_for(Reply.of(status, {}, body)).error, status
            assert error.status_code == status and str(error).endswith("."), status
    assert all(type(error_from_response(s, {}, "")) is ServerError for s in range(500, 600))
    assert RULES[-1].statuses is None and RULES[-1].when is None  # the catch-all is last
    assert all(rule.statuses is not None or rule.when is not None for rule in RULES[:-1])


def test_every_message_template_fills_in() -> None:
    for (status, body), rule in zip(RULE_EXAMPLES, RULES, strict=True):
        message = str(rule.build(Reply.of(status, {"retry-after": "2"}, body)))
        assert "{" not in message and message.endswith("."), message


def test_status_mapping_covers_documented_bodies() -> None:
    cases = [
        (
            400,
            {"status": "Auth token must be passed as a header called Authorization"},
            core.AuthenticationError,
        ),
        (
            400,
            {"error": {"code": "content_filter", "message": "filtered", "status": 400}},
            core.ContentFilterError,
        ),
        (
            400,
            {"detail": "Unexpected EXTRA_PARAMETERS option ignore, expected options are"},
            core.ExtraParametersError,
        ),
        (400, {"error": {"message": "bad"}}, core.BadRequestError),
        (401, {"statusCode": 401, "message": "Unauthorized."}, core.AuthenticationError),
        (409, "conflict", core.BadRequestError),
        (422, {"detail": [{"loc": ["body", "tools"], "input": "x"}]}, core.ValidationError),
        (424, {"error": {"message": "Model error"}}, core.BadRequestError),
        (504, "<html>Gateway Timeout</html>", core.ServerError),
    ]
    import json

    for status, body, cls in cases:
        text = body if isinstance(body, str) else json.dumps(body)
        assert type(error_from_response(status, {}, text)) is cls, (status, body)


def test_retry_after_sources() -> None:
    assert retry_after_seconds({"retry-after": "3"}) == 3
    assert retry_after_seconds({"retry-after-ms": "1500"}) == 1.5
    assert retry_after_seconds({}, "Rate limit is exceeded. Try again in 2 seconds.") == 2
    assert retry_after_seconds({}, "Please retry after 86400 seconds.") == 86400
    assert retry_after_seconds({"retry-after": "Wed, 21 Oct 2015 07:28:00 GMT"}) == 0
    assert retry_after_seconds({}, "no hint") is None


def test_read_timeout_inside_connection_error_is_a_stall() -> None:
    inner = urllib3.exceptions.ReadTimeoutError(None, "/", "Read timed out.")
    err = interrupted_error(requests.ConnectionError(inner), partial_text="abc", read_timeout=3)
    assert err.reason == "stall" and err.partial_text == "abc"
    err = interrupted_error(
        requests.exceptions.ChunkedEncodingError("x"), partial_text="", read_timeout=3
    )
    assert err.reason == "cut" and "Nothing had been received" in str(err)


def test_every_error_class_is_exported_and_documented() -> None:
    for name, cls in inspect.getmembers(core_errors, inspect.isclass):
        if issubclass(cls, EndpointError):
            assert getattr(core, name) is cls, name
            assert cls.__doc__ and name in core_errors.__doc__, name


def test_errors_carry_the_request_that_was_sent(emulator: Emulator) -> None:
    with pytest.raises(ServerError) as info:
        client_for(emulator, "500").chat(MESSAGES, max_tokens=5)
    sent = info.value.request
    assert sent is not None and sent.json()["max_tokens"] == 5
    assert sent.headers["Authorization"] == "Bearer ***"
    with pytest.raises(InterruptedStreamError) as info:
        list(client_for(emulator, "cut").stream_chat(MESSAGES))
    assert info.value.request is not None and info.value.request.json()["stream"] is True
    with pytest.raises(ConnectError) as info:
        Client(Endpoint(f"http://127.0.0.1:{free_port()}", key="k")).chat(MESSAGES)
    assert info.value.request is not None


def test_empty_body_on_a_stream_request_says_so(emulator: Emulator) -> None:
    with pytest.raises(InterruptedStreamError, match="empty body instead of a stream") as info:
        list(client_for(emulator, "empty").stream_chat(MESSAGES))
    assert info.value.reason == "empty"
