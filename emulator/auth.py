"""Who may call: the key and the Entra stand-in token, checked per surface.

Serverless routes (wire-format §2.2, §10): `Authorization: Bearer <key>` (documented) and a
bare `Authorization: <key>` (Meta's notebooks) are accepted; an `api-key` header is not read:
serverless endpoints answer 400 when Authorization is missing, whatever else was sent.

Azure OpenAI v1, classic deployments and Foundry Models (azure-v1 §2): an `api-key` header
decides alone when present; otherwise `Authorization: Bearer <value>` is read, where the value
may be the Entra token on every surface and the key on v1 only.

The Entra stand-in token (`--entra-token`) is also accepted as `Bearer` on serverless routes,
so a client's Entra path can be tested offline end to end. No audience or expiry is checked.
"""

from __future__ import annotations

import hmac
from dataclasses import dataclass, field

from fastapi.responses import Response
from starlette.datastructures import Headers

from emulator import azure_openai, errors


@dataclass(frozen=True)
class Credentials:
    """The key and the Entra stand-in token; neither appears in a repr."""

    api_key: str | None = field(default=None, repr=False)
    entra_token: str | None = field(default=None, repr=False)

    @property
    def enabled(self) -> bool:
        """False when neither is configured: then nothing is checked."""
        return bool(self.api_key or self.entra_token)


def _same(offered: str, expected: str | None) -> bool:
    # Constant-time comparison: the time taken must not reveal how much of a secret matched.
    return bool(expected) and hmac.compare_digest(offered.encode(), str(expected).encode())


def _bearer(value: str) -> str | None:
    scheme, _, rest = value.strip().partition(" ")
    return rest.strip() if scheme.lower() == "bearer" else None


def check(headers: Headers, credentials: Credentials) -> Response | None:
    """Serverless rules: the error response for a request that may not pass, else None."""
    if not credentials.enabled:
        return None
    value = headers.get("authorization")
    if value is None:
        return errors.auth_missing()
    bearer = _bearer(value)
    token = bearer if bearer is not None else value.strip()
    if _same(token, credentials.api_key):
        return None
    if bearer is not None and _same(bearer, credentials.entra_token):
        return None
    return errors.unauthorized()


def _looks_like_jwt(value: str) -> bool:
    # Entra access tokens are JWTs: three base64url parts, the header starting `eyJ`.
    return value.startswith("eyJ") and value.count(".") == 2


def check_azure(headers: Headers, credentials: Credentials, bearer_key: bool) -> Response | None:
    """Azure OpenAI / Foundry rules; `bearer_key` says whether `Bearer <key>` is accepted (v1).

    A refused Bearer value gets the access-token 401 (no `error` key), except on v1 where a
    value that is not JWT-shaped is read as a key and gets the key 401 (azure-v1 §2).
    """
    if not credentials.enabled:
        return None
    key = headers.get("api-key")
    if key is not None:
        return None if _same(key.strip(), credentials.api_key) else azure_openai.key_invalid()
    value = headers.get("authorization")
    if value is None:
        return azure_openai.key_missing()
    bearer = _bearer(value)
    if bearer is None:
        return azure_openai.token_refused()
    if _same(bearer, credentials.entra_token):
        return None
    if bearer_key and _same(bearer, credentials.api_key):
        return None
    if bearer_key and not _looks_like_jwt(bearer):
        return azure_openai.key_invalid()
    return azure_openai.token_refused()
