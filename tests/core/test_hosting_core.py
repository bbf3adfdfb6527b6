"""Safe to host, core half of findings 1-3 and 8: a hosted playground's allow-list (no
loopback; the host's endpoints at their exact origin), a host's key bound to its origin and
never exported, redirects refused by every backend, and URLs that cannot be read refused with
a message.

Redirects are tested with two real servers on 127.0.0.1: the first answers 302 or 307 to the
second, which records whether anything (and the key) reached it.
"""

from __future__ import annotations

import warnings
from collections.abc import Iterator

import pytest

from core import (
    KEY_ENV,
    AuthenticationError,
    BlockedHostError,
    Client,
    Endpoint,
    HostPolicy,
    InvalidRequestError,
    RedirectError,
    origin_of,
    to_curl,
    to_requests,
    to_urllib,
    validate_url,
)
from core.redact import Redactor
from core.transport import backend_error
from tests.helpers.raw_server import DONE, RawServer, Request, chunk, completion, response, stream

KEY = "host-key-0123456789abcdef"
MESSAGES = [{"role": "user", "content": "Hello"}]
LOCAL = "http://127.0.0.1:8765"


@pytest.fixture
def serve() -> Iterator:
    servers: list[RawServer] = []

    def start(handler) -> RawServer:
        servers.append(RawServer(handler if callable(handler) else lambda request: handler))
        return servers[-1]

    yield start
    for server in servers:
        server.close()


# The hosted allow-list -----------------------------------------------------------------------

HOSTED = HostPolicy.hosted([LOCAL, "https://my-model.eastus2.models.ai.azure.com/"])


@pytest.mark.parametrize(
    "url",
    [
        "http://localhost:8765",
        "http://127.0.0.1:8766",  # the configured host, another port
        "https://127.0.0.1:8765",  # the configured port, another scheme
        "http://127.1:8765",
        "http://127.0.0.2:8765",
        "http://0.0.0.0:8765",
        "http://[::1]:8765",
        "http://[::ffff:127.0.0.1]:8765",
        "http://2130706433:8765",
        "http://0x7f000001:8765",
        "http://017700000001:8765",
        "http://localhost.:8765",
        "http://10.0.0.5",
        "https://evil.example",
    ],
)
def test_a_hosted_playground_reaches_no_loopback_and_nothing_else(url: str) -> None:
    with pytest.raises(BlockedHostError, match="may not call"):
        HOSTED.check(url)


@pytest.mark.parametrize(
    "url",
    [
        LOCAL,
        LOCAL + "/v1/chat/completions",
        "http://127.0.0.1:8765/",
        "https://my-model.eastus2.models.ai.azure.com/chat/completions",
        "https://MY-MODEL.eastus2.models.ai.azure.com:443",
        "https://anything.openai.azure.com/openai/v1",
    ],
)
def test_a_hosted_playground_reaches_the_configured_origins_and_azure(url: str) -> None:
    HOSTED.check(url)


def test_the_single_user_default_is_unchanged() -> None:
    assert HostPolicy.for_app(None, hosted=False) == HostPolicy.from_setting(None) == HostPolicy()
    assert HostPolicy().allows_url("http://127.0.0.1:8765")
    hosted = HostPolicy.for_app(None, hosted=True, configured=[LOCAL, "", "not a url"])
    assert hosted == HostPolicy(HostPolicy.hosted().patterns, ("http://127.0.0.1:8765",))
    assert "localhost" not in hosted.describe() and "http://127.0.0.1:8765" in hosted.describe()


def test_the_setting_takes_exact_origins_and_the_host_decides_when_hosted() -> None:
    policy = HostPolicy.from_setting("https://api.example.com:8443, *.corp.example")
    assert policy.origins == ("https://api.example.com:8443",)
    assert policy.allows_url("https://api.example.com:8443/v1")
    assert not policy.allows_url("https://api.example.com/v1")  # port 443: another origin
    assert policy.allows_url("https://x.corp.example")
    with pytest.raises(BlockedHostError, match=r"may not call api\.example\.com: it only"):
        policy.check("https://api.example.com/v1")
    assert HostPolicy.hosted([], setting="localhost").allows_url("http://localhost:1")


def test_origins_are_normalised() -> None:
    assert origin_of("HTTPS://Example.COM./v1") == "https://example.com:443"
    assert origin_of("http://[::1]/x") == "http://[::1]:80"
    with pytest.raises(InvalidRequestError):
        origin_of("ftp://example.com")


def test_a_hosted_client_never_connects_to_loopback() -> None:
    client = Client(Endpoint("http://127.0.0.1:9", key="k"), hosts=HOSTED)
    with pytest.raises(BlockedHostError, match=r"may not call 127\.0\.0\.1:9"):
        client.chat(MESSAGES)


# The host's key goes only to the host's endpoint --------------------------------------------


def test_a_host_key_goes_only_to_its_origin(serve) -> None:
    unauthorised = b'{"error": {"message": "Missing key"}}'

    def check_key(request: Request) -> bytes:
        if request.headers.get("authorization") != f"Bearer {KEY}":
            return response("401 Unauthorized", unauthorised)
        return response("200 OK", completion(b"hi"))

    host, other = serve(check_key), serve(check_key)
    at_home = Client(Endpoint(host.url + "/v1", key=KEY, key_origin=host.url))
    assert at_home.chat(MESSAGES).text == "hi"
    away = Client(Endpoint(other.url, key=KEY, key_origin=host.url))
    with pytest.raises(AuthenticationError) as info:
        away.chat(MESSAGES)
    assert "authorization" not in other.requests[0].headers  # nothing went with it
    assert str(info.value) == (
        "The endpoint rejected the key (401: Missing key). Check the key in the sidebar and "
        "that it belongs to this endpoint. No key was sent: the key this playground's host "
        f"provides only goes to the endpoint the host configured ({origin_of(host.url)}). "
        "Enter your own key to call another endpoint."
    )


def test_exported_code_never_holds_the_host_key_even_when_asked() -> None:
    endpoint = Endpoint(LOCAL, key=KEY, key_origin=LOCAL)
    spec = Client(endpoint).export_spec("POST", "/chat/completions", body={"messages": []})
    for export in (to_curl, to_requests, to_urllib):
        code = export(spec, key=KEY)  # "include the key" ticked
        assert KEY not in code and (f"os.environ[{KEY_ENV!r}]" in code or f"${KEY_ENV}" in code)
    users = Client(Endpoint(LOCAL, key=KEY)).export_spec("POST", "/chat/completions", body={})
    assert KEY in to_curl(users, key=KEY)  # the user's own key, when asked: the control


# Redirects -----------------------------------------------------------------------------------


def redirecting(status: str, to: RawServer) -> bytes:
    return response(status, b"", location=to.url + "/models/chat/completions")


@pytest.mark.parametrize("status", ["302 Found", "307 Temporary Redirect"])
def test_the_client_refuses_a_redirect_with_a_clear_error(serve, status: str) -> None:
    elsewhere = serve(response("200 OK", completion(b"stolen")))
    here = serve(redirecting(status, elsewhere))
    with pytest.raises(RedirectError) as info:
        Client(Endpoint(here.url, key=KEY)).chat(MESSAGES)
    assert elsewhere.requests == []
    assert info.value.location == elsewhere.url + "/models/chat/completions"
    assert str(info.value) == (
        f"The endpoint redirected the request to {info.value.location} ({status[:3]}). "
        "The playground does not follow redirects, so neither the key nor the body went "
        "there: put the endpoint's own URL in the sidebar."
    )


@pytest.fixture
def community():
    from core.langchain import community_chat_model

    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", category=DeprecationWarning)
        yield community_chat_model


@pytest.mark.parametrize("status", ["302 Found", "307 Temporary Redirect"])
@pytest.mark.parametrize("call", ["invoke", "stream"])
def test_the_notebook_class_refuses_a_redirect_too(serve, community, status, call) -> None:
    """Before: invoke (urllib) followed a 302 with the key; stream (openai) 302 and 307."""
    events = [chunk("stolen", "stop"), DONE]
    elsewhere = serve(
        lambda r: (
            stream(events) if b'"stream"' in r.body else response("200 OK", completion(b"stolen"))
        )
    )
    here = serve(redirecting(status, elsewhere))
    model = community(here.url, KEY)
    with pytest.raises(Exception) as info:
        model.invoke("hi") if call == "invoke" else list(model.stream("hi"))
    error = backend_error(info.value, Redactor(KEY), source="The notebook class")
    assert isinstance(error, RedirectError), error
    assert error.location == elsewhere.url + "/models/chat/completions"
    assert elsewhere.requests == [] and len(here.requests) == 1


# URLs that cannot be read --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "message"),
    [
        (
            "https://example\uff0fcom/v1",
            "The host name in the endpoint URL has a character that is not plain ASCII "
            "(U+FF0F FULLWIDTH SOLIDUS); a look-alike name can hide behind one. Retype it.",
        ),
        (
            "https://b\u00fccher.example",
            "The host name in the endpoint URL has a character that is not plain ASCII "
            "(U+00FC LATIN SMALL LETTER U WITH DIAERESIS); a look-alike name can hide behind "
            "one. Retype it. If the name is right, write it in its ASCII form: "
            "xn--bcher-kva.example.",
        ),
        (
            "http://[::1/v1",
            "The endpoint URL cannot be read (Invalid IPv6 URL). Retype it, or paste it again "
            "from the deployment page.",
        ),
        (
            "http://exam\u200bple.com",
            "The endpoint URL contains U+200B ZERO WIDTH SPACE at position 12: remove it.",
        ),
        (
            "http://example.com/v 1",
            "The endpoint URL contains U+0020 SPACE at position 21: remove it.",
        ),
    ],
)
def test_a_url_that_cannot_be_read_is_refused_with_a_message(url: str, message: str) -> None:
    with pytest.raises(InvalidRequestError) as info:
        validate_url(url)
    assert str(info.value) == message
