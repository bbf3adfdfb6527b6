"""The one object that knows the secrets, and takes them out of everything shown or raised.

The client makes one from its endpoint's key and hands it to each response and stream, so
recorded requests, response headers and bodies, stream events and error messages all pass
through the same `Redactor`. Each secret is found in every form a text may carry it in:

- as is, and without surrounding whitespace;
- JSON-escaped, any character of it: `\\u002B` (either case of hex), `\\/`, `\\"`, `\\\\`, ...
  (.NET escapes `+` as `\\u002B` by default; a JSON body echoing the key shows it decoded);
- URL-encoded, any character of it: `%2B` (either case), `+` for a space.

One regular expression per secret matches a character in any of its forms, so every mix of
forms is found. Texts with no `\\`, `%` or `+` cannot hold an encoded form, so the per-event
check stays a few substring searches (bench section 1). `TextScrubber` does the same for a
text that arrives in pieces, where a secret may be split between two pieces.
"""

from __future__ import annotations

import re
from typing import TypeVar

from .errors import APIStatusError, ContentFilterError, EndpointError, InterruptedStreamError
from .headers import SECRET_HEADERS
from .records import SentRequest

MASK = "***"
E = TypeVar("E", bound=EndpointError)
_SHORT_ESCAPES = {
    "/": "\\/",
    '"': '\\"',
    "\\": "\\\\",
    "\b": "\\b",
    "\f": "\\f",
    "\n": "\\n",
    "\r": "\\r",
    "\t": "\\t",
}
#: A held-back end of a streamed text this long that starts a secret is masked, not shown.
_TELLING = 6


class Redactor:
    """Replaces each secret (in each of its forms) with `***`; empty secrets are ignored."""

    def __init__(self, *secrets: str) -> None:
        self._plain: tuple[str, ...] = ()
        self._pattern: re.Pattern[str] | None = None
        self._plus = False
        self.add(*secrets)

    def add(self, *secrets: str) -> None:
        """Mask `secrets` too from now on: an Entra token the client got after this redactor
        was made (every token it sends comes here first). Known secrets cost a set lookup."""
        known = set(self._plain)
        found = {form for secret in secrets for form in (secret, secret.strip()) if form}
        if found <= known:
            return
        # Longest first, so a secret that contains another is masked whole.
        plain = tuple(sorted(known | found, key=len, reverse=True))
        # The pattern first: a text read meanwhile is still masked by the old pair.
        self._pattern = re.compile("|".join(_pattern(secret) for secret in plain))
        self._plus = any(" " in secret for secret in plain)
        self._plain = plain

    def __repr__(self) -> str:
        return f"Redactor({len(self._plain)} secrets)"

    def text(self, text: str) -> str:
        """`text` with every secret, in any of its forms, replaced by `***`."""
        pattern = self._pattern
        if pattern is None:
            return text
        for form in self._plain:
            if form in text:
                text = text.replace(form, MASK)
        # An escaped or encoded form needs one of these (`+` only for a secret with a space).
        if "\\" in text or "%" in text or (self._plus and "+" in text):
            return pattern.sub(MASK, text)
        return text

    def header(self, name: str, value: str) -> str:
        """A header value safe to show: secret headers keep only their scheme word."""
        if name.lower() in SECRET_HEADERS:
            scheme, _, rest = value.partition(" ")
            return f"{scheme} {MASK}" if rest and scheme.lower() in ("bearer", "basic") else MASK
        return self.text(value)

    def error(self, error: E, request: SentRequest | None = None) -> E:
        """`error` with the secrets taken out of its message (and body, and partial text), and
        the request as sent attached when given. Returns the same object, ready to raise."""
        error.message = self.text(error.message)
        error.args = (error.message,)
        if isinstance(error, APIStatusError):
            error.body = self.text(error.body)
        if isinstance(error, InterruptedStreamError | ContentFilterError):
            error.partial_text = self.text(error.partial_text)
        if request is not None:
            error.request = request
        return error


class TextScrubber:
    """Masks secrets in a text that arrives in pieces (a stream's deltas), also one split
    between pieces: the end of the text is held back while it could still start a secret.

    `feed` returns what may be shown now; `flush` the rest at the end (a held-back end long
    enough to tell part of a secret is masked). `masked` is True once a secret spanning pieces
    was masked.
    """

    def __init__(self, redactor: Redactor) -> None:
        self._redactor = redactor
        self._secrets = redactor._plain
        #: The characters a secret can start with.
        self.firsts = "".join(sorted({secret[0] for secret in self._secrets}))
        self.held = ""
        self.masked = False

    def feed(self, piece: str) -> str:
        """The part of the text so far that may be shown now."""
        if not self.held and not any(first in piece for first in self.firsts):
            return self._redactor.text(piece)  # no secret can start here: nothing held
        joined = self.held + piece
        text = self._redactor.text(joined)
        if self.held and text != joined:
            self.masked = True
        keep = _unfinished(text, self._secrets)
        self.held = text[len(text) - keep :] if keep else ""
        return text[: len(text) - keep]

    def flush(self) -> str:
        """The held-back end of the text, at its end; masked when it tells part of a secret."""
        rest, self.held = self.peek(), ""
        return rest

    def peek(self) -> str:
        """What `flush` would return now, without ending anything."""
        return MASK if len(self.held) >= _TELLING else self.held


def _unfinished(text: str, secrets: tuple[str, ...]) -> int:
    """The length of the longest end of `text` that begins one of `secrets` (0 when none)."""
    longest = 0
    for secret in secrets:
        first, start = secret[0], max(0, len(text) - len(secret) + 1)
        at = text.find(first, start)
        while at != -1 and len(text) - at > longest:
            if secret.startswith(text[at:]):
                longest = len(text) - at
                break
            at = text.find(first, at + 1)
    return longest


def _pattern(secret: str) -> str:
    """A regular expression for `secret` with each character in any of its forms."""
    return "".join(_char_pattern(char) for char in secret)


def _char_pattern(char: str) -> str:
    code = ord(char)
    units = [code] if code < 0x10000 else [0xD7C0 + (code >> 10), 0xDC00 + (code & 0x3FF)]
    options = [re.escape(char), "".join("\\\\u" + _hex(unit, 4) for unit in units)]
    if char in _SHORT_ESCAPES:
        options.append(re.escape(_SHORT_ESCAPES[char]))
    options.append("".join("%" + _hex(byte, 2) for byte in char.encode("utf-8")))
    if char == " ":
        options.append("\\+")
    return "(?:" + "|".join(options) + ")"


def _hex(value: int, width: int) -> str:
    """`value` in hex, each letter matching either case."""
    return "".join(f"[{d}{d.upper()}]" if d.isalpha() else d for d in f"{value:0{width}x}")


__all__ = ["MASK", "Redactor", "TextScrubber"]
