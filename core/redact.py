"""The one object that knows the secrets, and takes them out of everything shown or raised.

The client makes one from its endpoint's key and hands it to each response and stream, so
recorded requests, response headers and bodies, stream events and error messages all pass
through the same `Redactor`. It holds several secrets, each in every form it may take in a
text (today the plain form; escaped forms are added here, in `_forms`, not at the callers).
"""

from __future__ import annotations

from typing import TypeVar

from .errors import APIStatusError, EndpointError
from .headers import SECRET_HEADERS
from .records import SentRequest

MASK = "***"
E = TypeVar("E", bound=EndpointError)


class Redactor:
    """Replaces each secret (in each of its forms) with `***`; empty secrets are ignored."""

    def __init__(self, *secrets: str) -> None:
        forms = {form for secret in secrets if secret for form in _forms(secret)}
        # Longest first, so a secret that contains another is masked whole.
        self._forms = tuple(sorted(forms, key=len, reverse=True))

    def __repr__(self) -> str:
        return f"Redactor({len(self._forms)} forms)"

    def text(self, text: str) -> str:
        """`text` with every secret replaced by `***`."""
        for form in self._forms:
            if form in text:
                text = text.replace(form, MASK)
        return text

    def header(self, name: str, value: str) -> str:
        """A header value safe to show: secret headers keep only their scheme word."""
        if name.lower() in SECRET_HEADERS:
            scheme, _, rest = value.partition(" ")
            return f"{scheme} {MASK}" if rest and scheme.lower() in ("bearer", "basic") else MASK
        return self.text(value)

    def error(self, error: E, request: SentRequest | None = None) -> E:
        """`error` with the secrets taken out of its message (and body), and the request as
        sent attached when given. Returns the same object, ready to raise."""
        error.message = self.text(error.message)
        error.args = (error.message,)
        if isinstance(error, APIStatusError):
            error.body = self.text(error.body)
        if request is not None:
            error.request = request
        return error


def _forms(secret: str) -> tuple[str, ...]:
    """The ways `secret` can appear in a text we show."""
    return (secret,)


__all__ = ["MASK", "Redactor"]
