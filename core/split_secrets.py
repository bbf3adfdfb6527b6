"""A key split between a stream's deltas: masked in the text shown, and in the records kept.

Each event is redacted on its own (`Redactor.text`), which cannot see a key whose first half
is in one delta and the rest in the next. `SplitSecrets` sits between the events and the
text a `TextStream` yields: it holds back the end of the text while it could still start a
secret (`redact.TextScrubber`), and when a secret spanning events was masked it rewrites
those events (their content becomes what was shown for them) and their lines in the
exchange's body, so neither the text nor the records put the pieces back together.

A delta that cannot start a secret (none of their first characters in it, nothing held)
goes straight through: `may_start` is the per-event cost.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable

from .records import Exchange
from .redact import MASK, Redactor, TextScrubber


class SplitSecrets:
    """The text a stream shows and the records it keeps, with no secret split across deltas."""

    def __init__(self, exchange: Exchange, redactor: Redactor) -> None:
        self._exchange = exchange
        self._scrubber = TextScrubber(redactor)
        #: True when a delta holds the first character of a secret (the per-event check).
        self.may_start = _finder(self._scrubber.firsts)
        self._held: list[tuple[int, str]] = []  # (event index, what it showed) while held
        #: True while the end of the text is held back, as it may start a secret.
        self.holding = False
        self._fixes: list[tuple[str, str]] = []  # (event data as recorded, rewritten)

    def piece(self, piece: str) -> str:
        """What to show of the delta `piece` (from the last recorded event)."""
        scrubber = self._scrubber
        was_held = len(scrubber.held)
        shown = scrubber.feed(piece)
        index = len(self._exchange.events) - 1
        if scrubber.masked:
            scrubber.masked = False
            for held_index, held_shown in self._held:
                self._rewrite(held_index, held_shown)
            self._rewrite(index, shown + scrubber.held)
            self._held = []
        self.holding = bool(scrubber.held)
        if not scrubber.held:
            self._held = []
        elif len(scrubber.held) <= len(piece) or not was_held:
            self._held = [(index, shown)]
        else:
            self._held.append((index, shown))
        return shown

    def peek(self) -> str:
        """What `flush` would return now: the held-back end as the stream's text shows it."""
        return self._scrubber.peek()

    def flush(self) -> str:
        """The held-back end, when the stream ends (masked if it tells part of a secret)."""
        rest = self._scrubber.flush()
        if rest == MASK and self._held:
            *earlier, (last_index, last_shown) = self._held
            for index, shown in earlier:
                self._rewrite(index, shown)
            self._rewrite(last_index, last_shown + MASK)
        self._held = []
        self.holding = False
        return rest

    def fix_body(self) -> None:
        """Put the rewritten events into the exchange's body too (once it is complete)."""
        body = self._exchange.body
        for recorded, rewritten in self._fixes:
            for prefix in ("data: ", "data:"):
                body = body.replace(prefix + recorded, prefix + rewritten)
        self._exchange.body = body
        self._fixes.clear()

    def _rewrite(self, index: int, content: str) -> None:
        """Event `index` now carries `content` as its delta."""
        events = self._exchange.events
        event = events[index]
        try:
            chunk = json.loads(event.data)
            choice = chunk["choices"][0]
            if isinstance(choice.get("delta"), dict):
                choice["delta"]["content"] = content
            else:
                choice["text"] = content
        except (ValueError, RecursionError, LookupError, TypeError, AttributeError):
            return  # it parsed as a chunk when it arrived: not reached
        data = json.dumps(chunk, ensure_ascii=False, separators=(",", ":"))
        events[index] = event._replace(data=data)
        self._fixes.append((event.data, data))


def _finder(chars: str) -> Callable[[str], object]:
    """A test for "`piece` holds one of `chars`", as fast as the case allows."""
    if len(chars) == 1:
        return lambda piece: chars in piece
    if not chars:
        return lambda piece: False
    return re.compile(f"[{re.escape(chars)}]").search


__all__ = ["SplitSecrets"]
