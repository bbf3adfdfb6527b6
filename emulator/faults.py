"""Faults a client asks for with the `x-emulator-fault: <name>[=<seconds>]` header.

Faults apply only after authentication succeeds, so a wrong key still gets its 401.
Status faults answer at once; `429-once` and `503-once` answer so only the first time a
given request arrives (the same route and body then succeeds); `slow` delays the headers; the
rest shape the body while it is generated (emulator/streams.py). The table is in
emulator/README.md.
"""

from __future__ import annotations

import hashlib
import math
from collections import OrderedDict
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from fastapi.responses import Response

from emulator import errors

HEADER = "x-emulator-fault"
# The body faults take effect after this many content tokens.
FAULT_AFTER_TOKENS = 3
MAX_SECONDS = 600.0

_STATUS: dict[str, Callable[[], Response]] = {
    "401": errors.unauthorized,
    "auth-header": errors.auth_missing,
    "403": errors.forbidden,
    "404": errors.not_found,
    "408": errors.request_timeout,
    "422": lambda: errors.unprocessable(
        "parameter_not_supported",
        ["body", "response_format"],
        "json_object",
        "One of the parameters contain invalid values.",
    ),
    "500": errors.server_error,
    "503": errors.unavailable,
    "html": errors.bad_gateway_html,
    "empty": lambda: Response(b"", media_type="application/json"),
}


@dataclass(frozen=True)
class Bodies:
    """How one surface answers the status faults: its own error bodies (README fault table)."""

    status: Mapping[str, Callable[[], Response]]
    rate_limited: Callable[[float], Response]
    unavailable: Callable[[], Response]


SERVERLESS = Bodies(_STATUS, errors.rate_limited, errors.unavailable)
_TIMED = {"429": 2.0, "429-once": 1.0, "slow": 5.0, "stall": 30.0}
KNOWN = (
    *("401", "auth-header", "403", "404", "408", "422", "429", "500", "503", "html", "empty"),
    *("429-once", "503-once", "slow", "stall", "cut", "malformed", "no-done", "no-finish"),
    *("error-event", "non-utf8", "content-filter-output"),
)
ONCE = ("429-once", "503-once")
# How many failed-once requests are remembered; the oldest are forgotten first.
ONCE_MEMORY = 1024


class UnknownFault(ValueError):
    """The header names no known fault or carries a bad argument."""


@dataclass(frozen=True)
class Fault:
    """A parsed fault: its name and, for timed faults, the seconds."""

    name: str
    seconds: float = 0.0

    def immediate(self, bodies: Bodies = SERVERLESS) -> Response | None:
        """The response that replaces the normal one, for status faults, in `bodies`' shape."""
        if self.name in ("429", "429-once"):
            return bodies.rate_limited(self.seconds)
        if self.name == "503-once":
            return bodies.unavailable()
        factory = bodies.status.get(self.name)
        return factory() if factory else None


class FailedOnce:
    """Which requests a `429-once` or `503-once` fault has already failed.

    A request is its method, path, query and body; a second identical request passes and is
    forgotten, so a third fails again. Only a digest is kept, never the body or the key.
    """

    def __init__(self, capacity: int = ONCE_MEMORY) -> None:
        self.capacity = capacity
        self._seen: OrderedDict[bytes, None] = OrderedDict()

    def first_time(self, fault: Fault, method: str, url: str, body: bytes) -> bool:
        """True the first time this request arrives with this fault; False on the retry."""
        head = "\0".join((fault.name, method, url)).encode()
        digest = hashlib.sha256(head + b"\0" + body).digest()
        if digest in self._seen:
            del self._seen[digest]
            return False
        self._seen[digest] = None
        if len(self._seen) > self.capacity:
            self._seen.popitem(last=False)
        return True


def parse(value: str | None) -> Fault | None:
    """Read the header value; raise UnknownFault for names or arguments it cannot use."""
    if value is None or not value.strip():
        return None
    name, sep, arg = value.strip().partition("=")
    if name not in KNOWN:
        raise UnknownFault(f"Unknown x-emulator-fault {name!r}; known: {list(KNOWN)}")
    if name not in _TIMED:
        if sep:
            raise UnknownFault(f"x-emulator-fault {name!r} takes no argument")
        return Fault(name)
    if not sep:
        return Fault(name, _TIMED[name])
    try:
        seconds = float(arg)
    except ValueError:
        seconds = math.nan
    if not 0 <= seconds <= MAX_SECONDS:
        raise UnknownFault(f"x-emulator-fault {name}=<seconds> needs 0 to {MAX_SECONDS:g}")
    return Fault(name, seconds)
