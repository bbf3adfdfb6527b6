"""HTTP header rules: which names carry the key, which the client sets itself, what a value
may hold, and parsing the `name: value` lines a person types.
"""

from __future__ import annotations

import re

from .errors import InvalidRequestError

#: Headers that carry the key: the endpoint's own key wins over a typed one (two keys would go).
KEY_HEADERS = frozenset({"authorization", "api-key"})
#: Headers whose value is a secret: shown as `***` (or `Bearer ***`), never exported.
SECRET_HEADERS = KEY_HEADERS | {"x-api-key", "ocp-apim-subscription-key"}
#: Headers `requests` adds on its own; exported code leaves them to its own client.
TRANSPORT_HEADERS = frozenset({"user-agent", "accept-encoding", "connection", "content-length"})
#: Framing headers the HTTP client sets itself; a typed one would corrupt the request.
FRAMING_HEADERS = frozenset({"host", "content-length", "transfer-encoding", "connection", "te"})

_NAME = re.compile(r"^[!#$%&'*+.^_`|~0-9A-Za-z-]+$")  # RFC 9110 token
# RFC 9110 field-value: visible ASCII, spaces, tabs and obs-text (Latin-1); no controls.
_TYPED_VALUE = re.compile(r"^[\t\x20-\x7e\x80-\xff]*$")

Pairs = tuple[tuple[str, str], ...]


def parse_headers(text: str) -> tuple[Pairs, tuple[str, ...]]:
    """`name: value` lines to header pairs, plus a message for each line that is not one.

    Blank lines and `#` comments are skipped; every other line is a pair or a problem.
    """
    pairs, problems = [], []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        name, sep, value = line.partition(":")
        name, value = name.strip(), value.strip()
        if not sep or not _NAME.match(name):
            problems.append(f"Line {number} is not `name: value`; it is ignored.")
        elif name.lower() in KEY_HEADERS:
            problems.append(f"Line {number}: put the key in the Key field, not in a header.")
        elif name.lower() in FRAMING_HEADERS:
            problems.append(f"Line {number}: the HTTP client sets `{name}` itself; it is ignored.")
        elif not _TYPED_VALUE.match(value):
            problems.append(
                f"Line {number}: the value of `{name}` has characters a header cannot carry "
                "(use plain ASCII); it is ignored."
            )
        else:
            pairs.append((name, value))
    return tuple(pairs), tuple(problems)


def header_text(value: str | bytes) -> str:
    """A header value as text: `requests` keeps values as given, and sends bytes as Latin-1."""
    return value.decode("latin-1") if isinstance(value, bytes) else value


def checked_value(name: str, value: str) -> str:
    """`value` if HTTP can carry it (http.client sends Latin-1), else InvalidRequestError."""
    try:
        value.encode("latin-1")
    except UnicodeEncodeError:
        raise InvalidRequestError(
            f"The header {name!r} has characters a header cannot carry; use plain ASCII."
        ) from None
    return value


__all__ = [
    "FRAMING_HEADERS",
    "KEY_HEADERS",
    "SECRET_HEADERS",
    "TRANSPORT_HEADERS",
    "checked_value",
    "header_text",
    "parse_headers",
]
