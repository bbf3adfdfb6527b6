"""Microsoft Entra ID tokens: where the client gets the `Bearer` token it sends.

    StaticToken.parse(pasted)                        # `az account get-access-token` output
    CredentialToken(credential, COGNITIVE_SCOPE)     # any azure-identity TokenCredential
    machine_login(COGNITIVE_SCOPE, allowed=True)     # this machine's login (DefaultAzureCredential)

The client asks its `TokenSource` for a token before each request and hands every token it
gets (and, when it is made, every token the source `issued()` before) to its `Redactor`, so a
token is never shown, logged, raised or exported (`docs/azure-v1.md` §2). `CredentialToken`
caches a token and gets a new one `margin` seconds before it expires, as azure-identity's
`get_bearer_token_provider` does (300 s). azure-identity is imported only by `machine_login`.
A playground hosted for others does not use its host's login unless the host says so
(`SERVER_IDENTITY_ENV`): the app reads the setting and passes `allowed`.
"""

from __future__ import annotations

import base64
import binascii
import json
import sys
import threading
import time
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from typing import Any, NamedTuple, Protocol, runtime_checkable

from .errors import CredentialError, InvalidRequestError

#: The scope of a token for Azure OpenAI and Foundry resources (`docs/azure-v1.md` §2).
COGNITIVE_SCOPE = "https://cognitiveservices.azure.com/.default"
#: The scope Foundry projects use; also accepted on `<resource>/openai/v1`.
FOUNDRY_SCOPE = "https://ai.azure.com/.default"
#: The scope the Model Inference spec names (azure-ai-inference's default).
ML_SCOPE = "https://ml.azure.com/.default"
#: The variable exported code reads a token from (openai's `AzureOpenAI` reads it too).
TOKEN_ENV = "AZURE_OPENAI_AD_TOKEN"
#: Set to 1 by a host that lets visitors of a hosted playground use the host's Azure login.
SERVER_IDENTITY_ENV = "PLAYGROUND_ALLOW_SERVER_IDENTITY"
#: Seconds before expiry at which a cached token is replaced (azure-core's refresh window).
REFRESH_MARGIN = 300.0
NO_LOGIN = (
    "There is no Azure login on this machine: run `az login` (or sign in another way "
    "DefaultAzureCredential knows), or paste a token."
)
_TRUE = ("1", "true", "yes", "on")


class Token(NamedTuple):
    """A token and when it expires (seconds since the epoch; None when unknown)."""

    value: str
    expires_on: float | None


@runtime_checkable
class TokenSource(Protocol):
    """Where the client gets a Microsoft Entra token for each request."""

    def token(self) -> Token:
        """A token valid now; raises CredentialError when there is none."""
        ...

    def issued(self) -> tuple[str, ...]:
        """Every token this source has handed out (or holds): a client's redactor learns
        them all when it is made, so even text typed before a request masks them."""
        ...


class Credential(Protocol):
    """azure-core's `TokenCredential`, as far as it is used here."""

    def get_token(self, *scopes: str, **kwargs: Any) -> Any:
        """An `AccessToken(token, expires_on)`."""
        ...


class StaticToken:
    """A token pasted by the user: sent as is until it expires, then refused before sending."""

    __slots__ = ("_token", "expires_on")

    def __init__(self, value: str, expires_on: float | None = None) -> None:
        value = _bare(value)
        if not value:
            raise InvalidRequestError("The Entra token is empty: paste the token or the JSON.")
        if not (value.isascii() and value.isprintable()) or " " in value:
            raise InvalidRequestError(
                "The Entra token has characters a token cannot hold: paste it again."
            )
        self._token = value
        self.expires_on = expires_on if expires_on is not None else jwt_expiry(value)

    @classmethod
    def parse(cls, text: str) -> StaticToken:
        """A raw token (with or without `Bearer `), or the JSON `az account get-access-token`
        prints, from which `accessToken` and `expires_on` / `expiresOn` are taken."""
        text = (text or "").strip()
        if not text.startswith("{"):
            return cls(text)
        try:
            payload = json.loads(text)
        except ValueError:
            raise InvalidRequestError(
                "The pasted text starts like JSON but does not parse: paste the whole output "
                "of `az account get-access-token`, or the token alone."
            ) from None
        token = payload.get("accessToken") if isinstance(payload, dict) else None
        if not isinstance(token, str):
            raise InvalidRequestError(
                "The pasted JSON has no `accessToken`: paste the output of `az account "
                "get-access-token --resource https://cognitiveservices.azure.com`."
            )
        return cls(token, _expiry_of(payload))

    def token(self) -> Token:
        """The pasted token; CredentialError once it has expired."""
        if self.expires_on is not None and self.expires_on <= time.time():
            when = datetime.fromtimestamp(self.expires_on, UTC).strftime("%H:%M UTC")
            raise CredentialError(
                f"The pasted Entra token expired at {when}: get a new one with `az account "
                "get-access-token --resource https://cognitiveservices.azure.com` and paste it."
            )
        return Token(self._token, self.expires_on)

    def issued(self) -> tuple[str, ...]:
        """The pasted token."""
        return (self._token,)

    def __repr__(self) -> str:
        return "StaticToken('**********')"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, StaticToken) and other._token == self._token

    def __hash__(self) -> int:
        return hash(self._token)


class CredentialToken:
    """Tokens from an azure-core `TokenCredential` for one scope, cached until `margin`
    seconds before they expire. Thread-safe: one source may serve several streams."""

    def __init__(
        self,
        credential: Credential,
        scope: str = COGNITIVE_SCOPE,
        *,
        margin: float = REFRESH_MARGIN,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.credential = credential
        self.scope = scope
        self.margin = margin
        self._clock = clock
        self._cached: Token | None = None
        self._issued: list[str] = []
        self._lock = threading.Lock()

    def token(self) -> Token:
        """The cached token while it has more than `margin` seconds left, else a new one."""
        with self._lock:
            cached = self._cached
            if cached is not None and not self.stale(cached):
                return cached
            self._cached = fresh = self._fetch()
            if fresh.value not in self._issued:
                self._issued.append(fresh.value)
            return fresh

    def issued(self) -> tuple[str, ...]:
        """Every token fetched so far (a few a day: each lives about an hour)."""
        with self._lock:
            return tuple(self._issued)

    def stale(self, token: Token) -> bool:
        """True when `token` expires within `margin` seconds (or its expiry is unknown)."""
        return token.expires_on is None or token.expires_on - self.margin <= self._clock()

    def _fetch(self) -> Token:
        try:
            access = self.credential.get_token(self.scope)
        except Exception as exc:  # whatever the credential raises: its text is not shown
            raise credential_error(exc) from None
        value, expires_on = getattr(access, "token", None), getattr(access, "expires_on", None)
        if not isinstance(value, str) or not value:
            raise CredentialError("The Azure credential returned no token. Paste a token.")
        return Token(value, float(expires_on) if expires_on is not None else None)

    def __repr__(self) -> str:
        return f"CredentialToken({type(self.credential).__name__}, {self.scope!r})"


def machine_login(scope: str = COGNITIVE_SCOPE, *, allowed: bool) -> CredentialToken:
    """This machine's Azure login (azure-identity's `DefaultAzureCredential`) for `scope`.

    `allowed` is False in a playground hosted for others whose host did not set
    `SERVER_IDENTITY_ENV` (see `server_identity_allowed`): then CredentialError, and
    azure-identity is not even imported.
    """
    if not allowed:
        raise CredentialError(
            "This playground is hosted: it does not use its host's Azure login. Paste a token "
            "(`az account get-access-token --resource https://cognitiveservices.azure.com`)."
        )
    try:
        from azure.identity import DefaultAzureCredential
    except ImportError:
        raise CredentialError(
            "azure-identity is not installed, so this machine's Azure login cannot be used: "
            "`pip install azure-identity`, or paste a token."
        ) from None
    # Its default excludes the interactive browser login: a page never opens windows.
    return CredentialToken(DefaultAzureCredential(), scope)


def server_identity_allowed(environ: Mapping[str, str], *, hosted: bool) -> bool:
    """Whether this machine's login may be used: always for a playground of one's own; when
    `hosted`, only if `SERVER_IDENTITY_ENV` is set to 1 (or true, yes, on)."""
    return not hosted or environ.get(SERVER_IDENTITY_ENV, "").strip().lower() in _TRUE


def credential_error(exc: BaseException) -> CredentialError:
    """What a credential's failure means, in words; its own text is never included."""
    if _is_authentication_error(exc):
        return CredentialError(NO_LOGIN)
    return CredentialError(
        f"Getting an Entra token failed ({type(exc).__name__}). Check this machine's Azure "
        "login (`az login`), or paste a token."
    )


def jwt_expiry(token: str) -> float | None:
    """The `exp` claim of a JWT (read, not verified: only to say when it expires), or None."""
    parts = token.split(".")
    if len(parts) != 3:
        return None
    try:
        padded = parts[1] + "=" * (-len(parts[1]) % 4)
        claims = json.loads(base64.urlsafe_b64decode(padded))
    except (ValueError, binascii.Error, RecursionError):
        return None
    exp = claims.get("exp") if isinstance(claims, dict) else None
    return float(exp) if isinstance(exp, int | float) and not isinstance(exp, bool) else None


def _expiry_of(payload: dict[str, Any]) -> float | None:
    """`expires_on` (epoch seconds, az 2.54+), else `expiresOn` (local time, older az)."""
    epoch = payload.get("expires_on")
    if isinstance(epoch, int | float | str) and str(epoch).strip().isdigit():
        return float(epoch)
    local = payload.get("expiresOn")
    if isinstance(local, str):
        try:
            return datetime.fromisoformat(local.strip()).timestamp()  # naive: local time
        except ValueError:
            return None
    return None


def _bare(value: str) -> str:
    value = (value or "").strip()
    scheme, _, rest = value.partition(" ")
    return rest.strip() if scheme.lower() == "bearer" else value


def _is_authentication_error(exc: BaseException) -> bool:
    """azure-core's ClientAuthenticationError (CredentialUnavailableError is one), looked up
    only when azure-core is loaded: a credential that raised it has loaded it."""
    if "azure.core.exceptions" not in sys.modules:
        return False
    from azure.core.exceptions import ClientAuthenticationError

    return isinstance(exc, ClientAuthenticationError)


__all__ = [
    "COGNITIVE_SCOPE",
    "FOUNDRY_SCOPE",
    "ML_SCOPE",
    "NO_LOGIN",
    "REFRESH_MARGIN",
    "SERVER_IDENTITY_ENV",
    "TOKEN_ENV",
    "CredentialToken",
    "StaticToken",
    "Token",
    "TokenSource",
    "credential_error",
    "jwt_expiry",
    "machine_login",
    "server_identity_allowed",
]
