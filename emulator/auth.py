"""Key check for every model route (wire-format §2.2, §10).

`Authorization: Bearer <key>` (documented) and a bare `Authorization: <key>` (Meta's
notebooks) are both accepted. An `api-key` header is not read: serverless endpoints
answer 400 when Authorization is missing, whatever else was sent (§2.2, [OBS]).
"""

from __future__ import annotations

import hmac

from fastapi.responses import Response
from starlette.datastructures import Headers

from emulator import errors


def check(headers: Headers, api_key: str | None) -> Response | None:
    """Return the error response for a request that may not pass, else None."""
    if api_key is None:
        return None
    value = headers.get("authorization")
    if value is None:
        return errors.auth_missing()
    scheme, _, rest = value.strip().partition(" ")
    token = rest.strip() if scheme.lower() == "bearer" else value.strip()
    # Constant-time comparison: the time taken must not reveal how much of the key matched.
    if not hmac.compare_digest(token.encode(), api_key.encode()):
        return errors.unauthorized()
    return None
