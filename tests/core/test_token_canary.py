"""The canary, for Entra tokens: a random JWT-shaped token, accepted by an emulator of its own
(as its Entra stand-in) that logs at debug level, is sent pasted and from a credential on
every Azure surface, through replies, streams, failures, exports and a live reply, and is
then searched for in every error message, record, exported code, log line and file written
(docs/azure-v1.md §2). The key's canary is tests/app/test_security.py."""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Iterator
from typing import Any

import pytest
from azure.core.credentials import AccessToken

from core import (
    PROFILES,
    Client,
    CredentialToken,
    Endpoint,
    EndpointError,
    LiveStream,
    Reply,
    StaticToken,
    TextStreamSource,
    TokenSource,
    exports,
)
from emulator.process import ROOT, free_port
from tests.helpers.azure_emulator import SCRIPTED_DEPLOYMENT
from tests.helpers.canary import Canary, canary_emulator, written_since

LOG = ROOT / "test-artifacts" / "canary-token-emulator.log"
STARTED = time.time()
HELLO = [{"role": "user", "content": "Tell me about the sea."}]


@pytest.fixture(scope="module")
def canary() -> Iterator[Canary]:
    with canary_emulator(LOG, entra=True) as found:
        yield found


@pytest.fixture
def records() -> Iterator[list[str]]:
    """Every log record of every logger (urllib3, azure, core), at debug level."""
    kept: list[str] = []

    class Keep(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            kept.append(self.format(record) + (record.exc_text or ""))

    handler, root = Keep(logging.DEBUG), logging.getLogger()
    level = root.level
    root.addHandler(handler)
    root.setLevel(logging.DEBUG)
    yield kept
    root.removeHandler(handler)
    root.setLevel(level)


class Credential:
    def __init__(self, token: str) -> None:
        self.token = token

    def get_token(self, *scopes: str, **kwargs: Any) -> AccessToken:
        return AccessToken(self.token, int(time.time()) + 3600)


def client(url: str, profile: str, source: TokenSource, **options: Any) -> Client:
    options.setdefault("deployment", SCRIPTED_DEPLOYMENT)
    endpoint = Endpoint(url, token=source, **options)
    return Client(endpoint, PROFILES[profile])


def everything(url: str, source: TokenSource, token: str) -> list[Any]:
    """Every call the token goes with, and every object it could leak into."""
    seen: list[Any] = []
    echoed = [{"role": "user", "content": f"Repeat {token} and {json.dumps(token)[1:-1]}"}]
    for profile in ("azure-v1", "azure-classic", "foundry-models"):
        c = client(url, profile, source)
        done = c.chat(echoed, max_tokens=60)  # the model repeats the token: masked
        stream = c.stream_chat(echoed, max_tokens=60)
        seen += [done, done.text, done.exchange, "".join(stream), stream.text, stream.exchange]
        seen += [c.list_models() if profile != "azure-classic" else "", c.redactor]
        spec = c.export_spec("POST", c.chat_route, body=c.build_body({"messages": HELLO}, {}))
        seen += [spec, *exports(spec).values(), *exports(spec, key=token).values()]
    failures = [
        lambda: client(url, "azure-v1", source, deployment="missing").chat(HELLO),
        lambda: client(url, "azure-v1", source).chat([{"role": "user", "content": "a bomb"}]),
        lambda: client(url, "azure-classic", source, api_version="2020-01-01").chat(HELLO),
        lambda: client(url, "azure-v1", source, headers=(("x-emulator-fault", "500"),)).chat(HELLO),
        lambda: list(
            client(url, "azure-v1", source, headers=(("x-emulator-fault", "cut"),)).stream_chat(
                HELLO
            )
        ),
        lambda: client(f"http://127.0.0.1:{free_port()}", "azure-v1", source).chat(HELLO),
    ]
    for fail in failures:
        with pytest.raises(EndpointError) as info:
            fail()
        error = info.value
        seen += [str(error), repr(error), vars(error), error.request, error.__cause__]
    reply = Reply()
    live = LiveStream(
        reply, TextStreamSource(lambda: client(url, "azure-v1", source).stream_chat(echoed))
    )
    assert live.wait(30)
    seen += [reply, reply.text, reply.annotations.summary(), reply.service.summary()]
    return seen


def assert_no_token(canary: Canary, seen: list[Any], logs: list[str]) -> None:
    blob = "\n".join(repr(item) for item in seen) + "\n".join(logs)
    assert len(blob) > 20_000, "the search saw too little to mean anything"
    assert "***" in blob  # the token was there to mask: the echo, the records' headers
    found = canary.find(blob)
    assert found is None, f"the token leaked ({found[:8]}…)"
    assert canary.find(LOG.read_text()) is None, "the emulator logged the token"
    for path in written_since(STARTED):
        assert canary.find(path.read_bytes()) is None, f"the token was written to {path}"


def test_the_search_finds_the_token(canary: Canary) -> None:
    assert canary.key.startswith("eyJ") and canary.key.count(".") == 2
    for text in (canary.key, f"x{canary.key[:-10]}", canary.key[-20:]):
        assert canary.find(text) is not None


def test_a_pasted_token_never_leaks(canary: Canary, records: list[str]) -> None:
    source = StaticToken.parse(json.dumps({"accessToken": canary.key, "expires_on": 4e9}))
    seen = everything(canary.url, source, canary.key)
    seen.append(source)
    assert_no_token(canary, seen, records)


def test_a_token_from_a_credential_never_leaks(canary: Canary, records: list[str]) -> None:
    source = CredentialToken(Credential(canary.key))
    seen = everything(canary.url, source, canary.key)
    seen.append(source)
    assert_no_token(canary, seen, records)
