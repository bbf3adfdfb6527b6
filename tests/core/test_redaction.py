"""Safe to host, findings 7 and 8 (the key): the key in any escaped or encoded form, split
between network chunks or between a stream's deltas, with stray whitespace or a character
HTTP cannot carry, never reaches what is shown, stored, raised or exported.

Echoing servers are real ones on 127.0.0.1 (`raw_server`), answering with what they received.
"""

from __future__ import annotations

import json
import re
import time
from collections.abc import Iterator
from urllib.parse import quote

import pytest

from core import (
    KEY_ENV,
    AuthenticationError,
    BadRequestError,
    Client,
    Endpoint,
    InterruptedStreamError,
    InvalidRequestError,
    Redactor,
    to_curl,
    to_requests,
    to_urllib,
)
from core.redact import TextScrubber
from tests.helpers.raw_server import DONE, RawServer, Request, chunk, response, stream

# Base64 keys carry `+` and `/`, which .NET escapes as \u002B and PHP as \/.
KEY = "Zq3+kR9/wT5x+Lm2/Np8Vb4Y"
MESSAGES = [{"role": "user", "content": "Hello"}]


def json_unicode(text: str, upper: bool = True) -> str:
    """Every character as a \\uXXXX escape."""
    return "".join(f"\\u{ord(c):04X}" if upper else f"\\u{ord(c):04x}" for c in text)


ESCAPED_FORMS = {
    "plain": KEY,
    "dotnet": KEY.replace("+", "\\u002B"),
    "php": KEY.replace("/", "\\/"),
    "every character": json_unicode(KEY),
    "every character, lower-case hex": json_unicode(KEY, upper=False),
    "mixed": json_unicode(KEY[:5]) + KEY[5:12].replace("/", "\\/") + json_unicode(KEY[12:]),
    "url-encoded": quote(KEY, safe=""),
    "url-encoded, lower-case hex": re.sub("%..", lambda m: m[0].lower(), quote(KEY, safe="")),
    "every character url-encoded": "".join(f"%{ord(c):02x}" for c in KEY),
}


@pytest.fixture
def serve() -> Iterator:
    servers: list[RawServer] = []

    def start(handler) -> RawServer:
        servers.append(RawServer(handler))
        return servers[-1]

    yield start
    for server in servers:
        server.close()


def client(server: RawServer, key: str = KEY, **options) -> Client:
    return Client(Endpoint(server.url, key=key, **options))


def key_from(request: Request) -> str:
    return request.headers.get("authorization", "").removeprefix("Bearer ")


# Escaped and encoded forms --------------------------------------------------------------------


@pytest.mark.parametrize("form", ESCAPED_FORMS, ids=list(ESCAPED_FORMS))
def test_the_redactor_finds_the_key_in_every_escaped_and_encoded_form(form: str) -> None:
    text = f'{{"error": {{"message": "bad key {ESCAPED_FORMS[form]} here"}}}}'
    redacted = Redactor(KEY).text(text)
    assert redacted == '{"error": {"message": "bad key *** here"}}'
    assert KEY not in json.dumps(json.loads(redacted), ensure_ascii=False)  # decoded, too


def test_the_redactor_leaves_other_escapes_alone() -> None:
    text = '{"content": "a\\u002Bb \\/ 100% + \\n"}'
    assert Redactor(KEY).text(text) == text
    assert Redactor("").text(text) == text


@pytest.mark.parametrize("form", ["dotnet", "every character", "url-encoded"])
def test_an_error_body_echoing_the_key_escaped_shows_it_nowhere(serve, form: str) -> None:
    def echo(request: Request) -> bytes:
        escaped = ESCAPED_FORMS[form].replace(KEY, key_from(request))
        body = f'{{"error": {{"message": "Key {escaped} is not valid."}}}}'.encode()
        return response("401 Unauthorized", body, x_echo=quote(key_from(request), safe=""))

    server = serve(echo)
    exchange = client(server).send("POST", "/chat/completions", body={})
    assert key_from(server.requests[0]) == KEY  # the key was sent, and echoed
    error = exchange.error
    assert isinstance(error, AuthenticationError)
    shown = [exchange.body, json.dumps(exchange.json, ensure_ascii=False), str(error), error.body]
    shown += [json.dumps(exchange.headers)]
    assert all(KEY not in text and ESCAPED_FORMS[form] not in text for text in shown)
    assert "Key *** is not valid." in str(error)


# Split between chunks, and between a stream's deltas -----------------------------------------


def slowly(*parts: bytes) -> Iterator[bytes]:
    for part in parts:
        yield part
        time.sleep(0.05)  # separate writes: the client reads them as separate chunks


def test_a_key_split_between_network_chunks_is_masked(serve) -> None:
    def split(request: Request) -> Iterator[bytes]:
        key = key_from(request).encode()
        body = b'{"error": {"message": "bad key ' + key + b'"}}'
        whole, cut = response("400 Bad Request", body), body.index(key) + 7
        head = whole[: -len(body)]
        yield from slowly(head + body[:cut], body[cut:])

    error = client(serve(split)).send("POST", "/x", body={}).error
    assert isinstance(error, BadRequestError)
    assert KEY not in error.body and KEY not in str(error) and "bad key ***" in error.body


def test_a_key_split_between_events_is_masked_in_the_text_the_events_and_the_body(serve):
    pieces = ["Your key is ", KEY[:4], KEY[4:11], KEY[11:], " and more."]

    def spell(request: Request) -> Iterator[bytes]:
        yield from stream(slowly(*(chunk(p) for p in pieces), chunk("", "stop"), DONE))

    stream_ = client(serve(spell)).stream_chat(MESSAGES)
    shown = list(stream_)
    assert "".join(shown) == stream_.text == "Your key is *** and more."
    records = [e.data for e in stream_.events] + [stream_.exchange.body]
    contents = "".join(
        (json.loads(e.data)["choices"] or [{}])[0].get("delta", {}).get("content") or ""
        for e in stream_.events
        if e.data != "[DONE]"
    )
    assert contents == "Your key is *** and more."  # the records say what was shown
    for text in [*shown, *records]:
        assert KEY not in text and KEY[4:11] not in text, text


def test_a_stream_cut_inside_the_key_never_shows_its_start(serve) -> None:
    def cut(request: Request) -> Iterator[bytes]:
        yield from stream([chunk("Key: "), chunk(KEY[:10])])  # then the connection closes

    stream_ = client(serve(cut)).stream_chat(MESSAGES)
    with pytest.raises(InterruptedStreamError) as info:
        list(stream_)
    assert KEY[:10] not in info.value.partial_text and KEY[:10] not in stream_.text


def test_held_back_text_that_is_not_the_key_comes_out_unchanged() -> None:
    scrubber = TextScrubber(Redactor(KEY))
    pieces = ["Zebras ", "are Z", "q", "uite ", "fast Z"]
    out = [scrubber.feed(p) for p in pieces] + [scrubber.flush()]
    assert "".join(out) == "Zebras are Zquite fast Z" and not scrubber.masked


# Whitespace and characters HTTP cannot carry -------------------------------------------------


def test_a_key_with_a_trailing_newline_is_sent_stripped_and_never_quoted(serve) -> None:
    server = serve(lambda r: response("401 Unauthorized", b'{"error": {"message": "no"}}'))
    endpoint = Endpoint.from_env(environ={KEY_ENV: KEY + "\n"}, default_url=server.url)
    assert endpoint.key.reveal() == KEY
    with pytest.raises(AuthenticationError) as info:
        Client(endpoint).chat(MESSAGES)
    assert key_from(server.requests[0]) == KEY
    assert KEY not in str(info.value)
    assert Redactor(KEY + "\n").text(f"x {KEY} y") == "x *** y"


@pytest.mark.parametrize(
    ("key", "what"),
    [
        ("abcd\u200befgh", "U+200B ZERO WIDTH SPACE at position 5"),
        ("abcd\u00a0efgh", "U+00A0 NO-BREAK SPACE at position 5"),
        ("ab\x01cdefgh", "U+0001, a control character at position 3"),
        ("abcdefg\u2028h", "U+2028 LINE SEPARATOR at position 8"),
    ],
)
def test_a_key_with_a_character_http_cannot_carry_is_refused_before_sending(
    key: str, what: str
) -> None:
    message = f"The key contains a character that cannot be sent ({what}): retype or re-paste it."
    with pytest.raises(InvalidRequestError) as info:
        Endpoint("http://127.0.0.1:9", key=key)
    assert str(info.value) == message and "abcd" not in str(info.value)


def test_the_langchain_backends_refuse_such_a_key_too() -> None:
    from core.langchain import ChatAzureServerless, community_chat_model

    with pytest.raises(InvalidRequestError, match="U\\+200B ZERO WIDTH SPACE"):
        ChatAzureServerless(endpoint_url="http://127.0.0.1:9", api_key="ab\u200bc").endpoint()
    with pytest.raises(InvalidRequestError, match="U\\+200B ZERO WIDTH SPACE"):
        community_chat_model("http://127.0.0.1:9", "ab\u200bc")


# Exported code -------------------------------------------------------------------------------


def test_exported_code_never_holds_a_key_that_is_also_a_header_value() -> None:
    endpoint = Endpoint("http://127.0.0.1:9", key=KEY, headers=(("x-my-key", KEY),))
    spec = Client(endpoint).export_spec("POST", "/chat/completions", body={"messages": []})
    for export in (to_curl, to_requests, to_urllib):
        code = export(spec)
        assert KEY not in code and quote(KEY, safe="") not in code, export.__name__
        assert f"os.environ[{KEY_ENV!r}]" in code or f"${KEY_ENV}" in code
