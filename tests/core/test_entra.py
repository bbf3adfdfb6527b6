"""Entra token sources as pure logic: pasting (raw or `az account get-access-token` JSON),
expiry, caching and refreshing before expiry, failures in words, and who may use this
machine's login (docs/azure-v1.md §2). The HTTP side is in test_azure_surfaces.py."""

from __future__ import annotations

import base64
import json
import time
from typing import Any

import pytest
from azure.core.credentials import AccessToken
from azure.core.exceptions import ClientAuthenticationError, ServiceRequestError
from azure.identity import CredentialUnavailableError

from core import (
    COGNITIVE_SCOPE,
    PROFILES,
    SERVER_IDENTITY_ENV,
    CredentialError,
    CredentialToken,
    Endpoint,
    InvalidRequestError,
    StaticToken,
    TokenSource,
    machine_login,
    server_identity_allowed,
)
from core.entra import NO_LOGIN, REFRESH_MARGIN, jwt_expiry


def jwt(claims: dict[str, Any]) -> str:
    """A JWT-shaped token with these claims (unsigned: only its shape matters here)."""
    payload = base64.urlsafe_b64encode(json.dumps(claims).encode()).decode().rstrip("=")
    return f"eyJ0eXAiOiJKV1QifQ.{payload}.c2lnbmF0dXJl"


class FakeCredential:
    """A TokenCredential: each call hands out a new token living `lifetime` seconds on `now`."""

    def __init__(self, lifetime: float = 3600, now: list[float] | None = None) -> None:
        self.lifetime = lifetime
        self.now = now or [1_000_000.0]
        self.scopes: list[tuple[str, ...]] = []

    def get_token(self, *scopes: str, **kwargs: Any) -> AccessToken:
        self.scopes.append(scopes)
        return AccessToken(f"tok{len(self.scopes)}", int(self.now[0] + self.lifetime))


class FailingCredential:
    def __init__(self, error: Exception) -> None:
        self.error = error

    def get_token(self, *scopes: str, **kwargs: Any) -> AccessToken:
        raise self.error


# Pasted tokens -----------------------------------------------------------------------------


def test_a_raw_token_is_taken_as_is_with_or_without_bearer() -> None:
    token = jwt({"aud": "https://cognitiveservices.azure.com", "exp": 4_000_000_000})
    for pasted in (token, f"  {token}\n", f"Bearer {token}", f"bearer  {token}"):
        source = StaticToken.parse(pasted)
        assert source.token().value == token
        assert source.expires_on == 4_000_000_000  # read from the JWT's `exp`


def test_the_az_cli_json_gives_token_and_expiry() -> None:
    output = {
        "accessToken": "opaque-token-value",
        "expiresOn": "2099-01-01 10:00:00.000000",
        "expires_on": 4_070_944_800,
        "subscription": "0000",
        "tenant": "1111",
        "tokenType": "Bearer",
    }
    source = StaticToken.parse(json.dumps(output, indent=2))
    assert source.token() == ("opaque-token-value", 4_070_944_800)
    del output["expires_on"]  # older az: local time only
    source = StaticToken.parse(json.dumps(output))
    assert source.expires_on == pytest.approx(
        time.mktime(time.strptime("2099-01-01 10:00:00", "%Y-%m-%d %H:%M:%S"))
    )


@pytest.mark.parametrize(
    ("pasted", "words"),
    [
        ("", "empty"),
        ("Bearer ", "empty"),
        ("{not json", "does not parse"),
        ('{"token": "x"}', "accessToken"),
        ("two words", "cannot hold"),
        ("tok\u200ben", "cannot hold"),
    ],
)
def test_unusable_pastes_say_what_to_paste(pasted: str, words: str) -> None:
    with pytest.raises(InvalidRequestError, match=words):
        StaticToken.parse(pasted)


def test_an_expired_paste_is_refused_before_sending_and_not_shown() -> None:
    token = jwt({"exp": int(time.time()) - 60})
    with pytest.raises(CredentialError, match=r"expired at .* UTC.*get-access-token") as info:
        StaticToken.parse(token).token()
    assert token not in str(info.value)
    assert StaticToken(token, expires_on=time.time() + 60).token().value == token


def test_jwt_expiry_reads_only_well_formed_claims() -> None:
    assert jwt_expiry(jwt({"exp": 123})) == 123
    assert jwt_expiry(jwt({"exp": True})) is None
    assert jwt_expiry(jwt({"aud": "x"})) is None
    assert jwt_expiry("not.a.jwt!") is None
    assert jwt_expiry("opaque") is None


def test_token_sources_never_show_the_token() -> None:
    token = jwt({"exp": 4_000_000_000})
    pasted = StaticToken(token)
    assert token not in repr(pasted) and token not in str(pasted)
    endpoint = Endpoint("https://res.openai.azure.com", token=pasted)
    assert token not in repr(endpoint) and endpoint.entra
    cached = CredentialToken(FakeCredential())
    cached.token()
    assert "tok1" not in repr(cached)
    assert isinstance(pasted, TokenSource) and isinstance(cached, TokenSource)
    assert pasted.issued() == (token,)


def test_only_azure_surfaces_take_entra_tokens() -> None:
    takes = {pid for pid, profile in PROFILES.items() if profile.takes_entra}
    assert takes == {"azure-v1", "azure-classic", "foundry-models"}
    assert all(PROFILES[pid].entra_scopes[0] == COGNITIVE_SCOPE for pid in takes)
    assert not Endpoint("https://res.openai.azure.com", key="k").entra


# Tokens from a credential ------------------------------------------------------------------


def test_a_credential_token_is_cached_and_refreshed_before_expiry() -> None:
    now = [1_000_000.0]
    credential = FakeCredential(lifetime=3600, now=now)
    source = CredentialToken(credential, COGNITIVE_SCOPE, clock=lambda: now[0])
    assert source.token().value == "tok1"
    now[0] += 3600 - REFRESH_MARGIN - 1  # one second before the refresh window
    assert source.token().value == "tok1"
    now[0] += 1  # inside the window: a new token, before the old one expires
    assert source.token().value == "tok2"
    assert credential.scopes == [(COGNITIVE_SCOPE,), (COGNITIVE_SCOPE,)]
    assert source.issued() == ("tok1", "tok2")  # every token handed out, for redactors


def test_a_short_lived_token_is_fetched_each_time() -> None:
    now = [1_000_000.0]
    credential = FakeCredential(lifetime=60, now=now)
    source = CredentialToken(credential, "https://ai.azure.com/.default", clock=lambda: now[0])
    assert [source.token().value for _ in range(3)] == ["tok1", "tok2", "tok3"]
    assert credential.scopes[0] == ("https://ai.azure.com/.default",)


@pytest.mark.parametrize(
    ("error", "words"),
    [
        (ClientAuthenticationError("DefaultAzureCredential failed ... secret-detail"), NO_LOGIN),
        (CredentialUnavailableError("no az"), NO_LOGIN),
        (ServiceRequestError("network secret-detail"), "ServiceRequestError"),
        (RuntimeError("secret-detail"), "RuntimeError"),
    ],
)
def test_credential_failures_become_a_clear_core_error(error: Exception, words: str) -> None:
    source = CredentialToken(FailingCredential(error))
    with pytest.raises(CredentialError) as info:
        source.token()
    assert words in str(info.value)
    assert "secret-detail" not in str(info.value)  # the library's own text is not shown
    assert info.value.__cause__ is None and info.value.__suppress_context__


def test_a_credential_without_a_token_is_an_error() -> None:
    class Empty:
        def get_token(self, *scopes: str, **kwargs: Any) -> AccessToken:
            return AccessToken("", 0)

    with pytest.raises(CredentialError, match="no token"):
        CredentialToken(Empty()).token()


# Whose login -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("hosted", "setting", "allowed"),
    [
        (False, None, True),
        (False, "0", True),
        (True, None, False),
        (True, "", False),
        (True, "0", False),
        (True, "no", False),
        (True, "1", True),
        (True, " TRUE ", True),
        (True, "yes", True),
    ],
)
def test_a_hosted_playground_uses_its_hosts_login_only_when_told(
    hosted: bool, setting: str | None, allowed: bool
) -> None:
    environ = {} if setting is None else {SERVER_IDENTITY_ENV: setting}
    assert server_identity_allowed(environ, hosted=hosted) is allowed
    assert SERVER_IDENTITY_ENV == "PLAYGROUND_ALLOW_SERVER_IDENTITY"


def test_machine_login_refused_when_not_allowed() -> None:
    with pytest.raises(CredentialError, match=r"hosted.*Paste a token"):
        machine_login(allowed=False)
