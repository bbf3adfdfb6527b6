"""Every `x-emulator-fault`: status faults, body faults on streams and JSON, once-faults."""

from __future__ import annotations

import json

import pytest
import requests

from emulator.faults import FailedOnce, Fault
from emulator.process import Emulator
from emulator.streams import ACCENTED
from tests.helpers.emulator_http import (
    CHAT,
    USER,
    bearer,
    body_for,
    chat_text,
    chat_with,
    post,
    raw_http,
    sse_payloads,
    stream_chunks,
)


def faulted(emulator: Emulator, fault: str, stream: bool = False, path: str = "/chat/completions"):
    body = {**body_for(path), "stream": stream}
    return post(emulator, path, body, x_emulator_fault=fault)


def error_of(response: requests.Response) -> dict:
    return response.json()["error"]


@pytest.mark.parametrize(
    ("fault", "status", "code"),
    [
        ("401", 401, "Unauthorized"),
        ("403", 403, "Forbidden"),
        ("404", 404, "NotFound"),
        ("408", 408, "RequestTimeout"),
        ("500", 500, "Internal Server Error"),
        ("503", 503, "ServiceUnavailable"),
    ],
)
def test_status_faults(emulator: Emulator, fault: str, status: int, code: str) -> None:
    for stream in (False, True):
        response = faulted(emulator, fault, stream)
        assert response.status_code == status
        assert response.headers["content-type"] == "application/json"
        error = error_of(response)
        assert (error["code"], error["status"]) == (code, status)
        assert error["message"]


def test_fault_401_matches_a_wrong_key(emulator: Emulator) -> None:
    response = faulted(emulator, "401")
    assert response.headers["x-ms-error-code"] == "Unauthorized"
    assert response.json() == chat_with(emulator, {"Authorization": "nope"}).json()


def test_fault_404_says_modality_not_supported(emulator: Emulator) -> None:
    assert "Modality not supported" in error_of(faulted(emulator, "404"))["message"]


def test_fault_auth_header(emulator: Emulator) -> None:
    response = faulted(emulator, "auth-header")
    assert response.status_code == 400
    assert response.json() == {
        "status": "Auth token must be passed as a header called Authorization"
    }


def test_fault_422(emulator: Emulator) -> None:
    response = faulted(emulator, "422")
    assert response.status_code == 422
    assert response.json() == {
        "status": 422,
        "code": "parameter_not_supported",
        "detail": {"loc": ["body", "response_format"], "input": "json_object"},
        "message": "One of the parameters contain invalid values.",
    }


@pytest.mark.parametrize(("fault", "seconds"), [("429", "2"), ("429=7", "7"), ("429=0", "0")])
def test_fault_429(emulator: Emulator, fault: str, seconds: str) -> None:
    response = faulted(emulator, fault)
    assert response.status_code == 429
    assert response.headers["retry-after"] == seconds
    assert response.json() == {
        "error": {
            "code": "429",
            "message": f"Rate limit is exceeded. Try again in {seconds} seconds.",
            "status": 429,
        }
    }


def test_fault_html(emulator: Emulator) -> None:
    response = faulted(emulator, "html")
    assert response.status_code == 502
    assert response.headers["content-type"].startswith("text/html")
    assert "<h1>502 Bad Gateway</h1>" in response.text


def test_fault_empty(emulator: Emulator) -> None:
    response = faulted(emulator, "empty")
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/json"
    assert response.content == b""


def test_faults_come_after_auth(emulator: Emulator) -> None:
    url = emulator.base_url + "/chat/completions"
    headers = {"Authorization": "wrong", "x-emulator-fault": "500"}
    assert requests.post(url, json=CHAT, headers=headers, timeout=10).status_code == 401
    headers = {"x-emulator-fault": "500"}
    assert requests.post(url, json=CHAT, headers=headers, timeout=10).status_code == 400


def test_faults_apply_to_info(emulator: Emulator) -> None:
    headers = bearer(emulator, **{"x-emulator-fault": "404"})
    response = requests.get(emulator.base_url + "/info", headers=headers, timeout=10)
    assert response.status_code == 404


@pytest.mark.parametrize("value", ["boom", "slow=abc", "slow=-1", "cut=3", "429=9999"])
def test_unknown_or_bad_fault_is_400(emulator: Emulator, value: str) -> None:
    response = faulted(emulator, value)
    assert response.status_code == 400
    detail = response.json()["detail"]
    assert "x-emulator-fault" in detail
    if value == "boom":
        assert detail.startswith("Unknown x-emulator-fault 'boom'; known: ['401', 'auth-header'")
        assert "'content-filter-output']" in detail


@pytest.mark.parametrize("stream", [False, True])
def test_fault_slow_still_answers(emulator: Emulator, stream: bool) -> None:
    response = faulted(emulator, "slow=0.2", stream)
    assert response.status_code == 200
    if stream:
        assert stream_chunks(response.content)[-1]["choices"][0]["finish_reason"] == "stop"
    else:
        assert response.json()["choices"][0]["finish_reason"] == "stop"


@pytest.mark.parametrize("path", ["/chat/completions", "/completions"])
def test_fault_stall_completes_the_stream(emulator: Emulator, path: str) -> None:
    response = faulted(emulator, "stall=0.3", True, path)
    normal = faulted(emulator, "slow=0", True, path)
    strip = [{**c, "id": "", "created": 0} for c in stream_chunks(normal.content)]
    assert [{**c, "id": "", "created": 0} for c in stream_chunks(response.content)] == strip


def test_fault_stall_non_stream_body_is_whole(emulator: Emulator) -> None:
    response = faulted(emulator, "stall=0.2")
    assert response.json()["choices"][0]["finish_reason"] == "stop"


def test_fault_cut_leaves_the_chunked_body_unterminated(emulator: Emulator) -> None:
    body = {**CHAT, "stream": True}
    control = raw_http(emulator, "/chat/completions", body)
    assert control.endswith(b"data: [DONE]\n\n\r\n0\r\n\r\n")
    cut = raw_http(emulator, "/chat/completions", body, **{"x-emulator-fault": "cut"})
    head, _, rest = cut.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 200")
    assert b"transfer-encoding: chunked" in head.lower()
    assert rest.count(b'"delta":{"content":"') == 3
    assert b"[DONE]" not in rest
    assert b'"finish_reason":"stop"' not in rest
    assert not rest.endswith(b"0\r\n\r\n")


def test_fault_cut_breaks_clients_mid_stream(emulator: Emulator) -> None:
    url = emulator.base_url + "/v1/chat/completions"
    headers = bearer(emulator, **{"x-emulator-fault": "cut"})
    received = b""
    with (
        requests.post(
            url, json={**CHAT, "stream": "True"}, headers=headers, stream=True, timeout=30
        ) as response,
        pytest.raises(requests.exceptions.ChunkedEncodingError),
    ):
        for block in response.iter_content(chunk_size=None):
            received += block
    assert received.count(b"data: ") == 4  # the role chunk and three tokens


def test_fault_cut_non_stream_sends_part_of_the_body(emulator: Emulator) -> None:
    control = raw_http(emulator, "/chat/completions", CHAT)
    cut = raw_http(emulator, "/chat/completions", CHAT, **{"x-emulator-fault": "cut"})
    head, _, rest = cut.partition(b"\r\n\r\n")
    length = int(
        next(
            line for line in head.split(b"\r\n") if line.lower().startswith(b"content-length:")
        ).split(b":")[1]
    )
    assert 0 < len(rest) < length
    assert len(control.partition(b"\r\n\r\n")[2]) > len(rest)
    with pytest.raises(requests.exceptions.ChunkedEncodingError):
        faulted(emulator, "cut")


@pytest.mark.parametrize("path", ["/chat/completions", "/completions"])
def test_fault_malformed_stream(emulator: Emulator, path: str) -> None:
    payloads = sse_payloads(faulted(emulator, "malformed", True, path).content)
    offset = 4 if "chat" in path else 3  # chat streams start with the role chunk
    assert payloads[offset] == b"{not json"
    assert payloads[-1] == b"[DONE]"
    rest = [json.loads(p) for i, p in enumerate(payloads[:-1]) if i != offset]
    assert rest[-1]["usage"]["completion_tokens"] == (40 if "chat" in path else 30)


def test_fault_malformed_non_stream(emulator: Emulator) -> None:
    response = faulted(emulator, "malformed")
    assert response.status_code == 200
    assert response.content == b"{not json"
    with pytest.raises(requests.exceptions.JSONDecodeError):
        response.json()


def test_fault_no_done(emulator: Emulator) -> None:
    raw = faulted(emulator, "no-done", True).content
    payloads = sse_payloads(raw)
    assert b"[DONE]" not in raw
    assert json.loads(payloads[-1])["choices"][0]["finish_reason"] == "stop"
    # The HTTP body itself ends cleanly: only the SSE terminator is missing.
    assert raw_http(
        emulator, "/chat/completions", {**CHAT, "stream": True}, **{"x-emulator-fault": "no-done"}
    ).endswith(b"\n\n\r\n0\r\n\r\n")


def test_fault_content_filter_output(emulator: Emulator) -> None:
    whole = faulted(emulator, "content-filter-output").json()
    choice = whole["choices"][0]
    assert choice["finish_reason"] == "content_filter"
    assert choice["message"]["content"] == 'You said: "What'
    assert whole["usage"]["completion_tokens"] == 3
    chunks = stream_chunks(faulted(emulator, "content-filter-output", True).content)
    assert chat_text(chunks) == 'You said: "What'
    assert len(chunks) == 1 + 3 + 1
    assert chunks[-1]["choices"][0]["finish_reason"] == "content_filter"
    assert chunks[-1]["usage"]["completion_tokens"] == 3


def test_fault_content_filter_output_text_route(emulator: Emulator) -> None:
    body = faulted(emulator, "content-filter-output", path="/v1/completions").json()
    assert body["choices"][0]["finish_reason"] == "content_filter"
    assert body["choices"][0]["text"] == 'You said: "Math'


def test_body_fault_on_a_short_reply_still_happens(emulator: Emulator) -> None:
    response = post(
        emulator,
        "/chat/completions",
        {**CHAT, "stream": True, "max_tokens": 1},
        x_emulator_fault="malformed",
    )
    payloads = sse_payloads(response.content)
    assert payloads[2] == b"{not json"
    assert json.loads(payloads[3])["choices"][0]["finish_reason"] == "length"


@pytest.mark.parametrize(("fault", "status"), [("429-once=0", 429), ("503-once", 503)])
@pytest.mark.parametrize("stream", [False, True])
def test_once_faults_clear_on_the_next_identical_request(
    emulator: Emulator, fault: str, status: int, stream: bool
) -> None:
    body = {**CHAT, "stream": stream, "messages": [USER, {**USER, "content": fault}]}
    first = post(emulator, "/chat/completions", body, x_emulator_fault=fault)
    assert first.status_code == status
    assert first.headers["retry-after"] == ("0" if status == 429 else "1")
    other = post(emulator, "/chat/completions", {**body, "max_tokens": 7}, x_emulator_fault=fault)
    assert other.status_code == status  # a different request has not failed yet
    retry = post(emulator, "/chat/completions", body, x_emulator_fault=fault)
    assert retry.status_code == 200
    assert post(emulator, "/chat/completions", body, x_emulator_fault=fault).status_code == status


def test_once_faults_remember_a_bounded_number_of_requests() -> None:
    memory, fault = FailedOnce(capacity=2), Fault("503-once")
    assert memory.first_time(fault, "POST", "/a", b"1")
    assert memory.first_time(fault, "POST", "/a", b"2")
    assert memory.first_time(fault, "POST", "/a", b"3")  # forgets b"1"
    assert memory.first_time(fault, "POST", "/a", b"1")
    assert not memory.first_time(fault, "POST", "/a", b"3")


@pytest.mark.parametrize("path", ["/chat/completions", "/completions"])
def test_fault_non_utf8_stream(emulator: Emulator, path: str) -> None:

    raw = faulted(emulator, "non-utf8", True, path).content
    assert b"caf\xe9 cr\xe8me" in raw
    with pytest.raises(UnicodeDecodeError):
        raw.decode("utf-8")
    chunks = stream_chunks(raw.decode("latin-1").encode())  # readable once re-encoded
    offset = 4 if "chat" in path else 3
    choice = chunks[offset]["choices"][0]
    assert (choice.get("delta") or choice)["content" if "chat" in path else "text"] == ACCENTED
    assert chunks[-1]["choices"][0]["finish_reason"] in ("stop", "length")  # the stream goes on


def test_fault_non_utf8_non_stream(emulator: Emulator) -> None:

    response = faulted(emulator, "non-utf8")
    assert response.status_code == 200
    with pytest.raises(UnicodeDecodeError):
        response.content.decode("utf-8")
    choice = json.loads(response.content.decode("latin-1"))["choices"][0]
    assert choice["message"]["content"].endswith(ACCENTED)
    assert choice["finish_reason"] == "stop"


def test_fault_error_event_ends_the_stream_as_the_container_does(emulator: Emulator) -> None:
    raw = faulted(emulator, "error-event", True).content
    events = raw[:-2].split(b"\n\n")
    assert [e.split(b":")[0] for e in events] == [b"data"] * 4 + [b"event", b"data"]
    name, data = events[-2].split(b"\n")
    assert name == b"event: error"
    assert json.loads(data.removeprefix(b"data: "))["error"]["status"] == 500
    assert events[-1] == b"data: [DONE]"
    assert b'finish_reason":"stop' not in raw
    whole = faulted(emulator, "error-event")
    assert whole.status_code == 500
    assert "error-event" in error_of(whole)["message"]


@pytest.mark.parametrize("stream", [False, True])
def test_fault_no_finish(emulator: Emulator, stream: bool) -> None:
    response = faulted(emulator, "no-finish", stream)
    if not stream:
        choice = response.json()["choices"][0]
        assert choice["finish_reason"] is None and choice["message"]["content"]
        return
    chunks = stream_chunks(response.content)  # ends with [DONE], cleanly
    assert all(c["choices"][0]["finish_reason"] is None for c in chunks)
    assert "usage" not in chunks[-1]
    assert chat_text(chunks).startswith('You said: "')
