"""Which hosts the playground may call, for teams that host it for others.

Set `PLAYGROUND_ALLOWED_HOSTS` (environment or secrets) to a comma-separated list of host
names, `*.suffix` wildcards, or `*` for any host. Unset, the default allows loopback and the
Azure inference domains. A blocked request is refused before any socket is opened.
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass
from urllib.parse import urlsplit

from .errors import BlockedHostError

ALLOWED_HOSTS_ENV = "PLAYGROUND_ALLOWED_HOSTS"
DEFAULT_ALLOWED = (
    "localhost",
    "127.0.0.0/8",
    "::1",
    "*.inference.ai.azure.com",
    "*.models.ai.azure.com",
    "*.services.ai.azure.com",
    "*.openai.azure.com",
    "*.inference.ml.azure.com",
)


@dataclass(frozen=True)
class HostPolicy:
    """An allow-list of hosts: exact names, `*.suffix` wildcards, IP networks, or `*`."""

    patterns: tuple[str, ...] = DEFAULT_ALLOWED

    @classmethod
    def from_setting(cls, value: str | None) -> HostPolicy:
        """Parse the setting; empty or unset means the default list."""
        items = tuple(p.strip().lower() for p in (value or "").split(",") if p.strip())
        return cls(items or DEFAULT_ALLOWED)

    @property
    def allows_any(self) -> bool:
        """True when the list contains `*`."""
        return "*" in self.patterns

    def allows(self, host: str) -> bool:
        """True when `host` matches one of the patterns."""
        host = host.strip("[]").rstrip(".").lower()
        if not host:
            return False
        address = _address(host)
        for pattern in self.patterns:
            if pattern == "*" or pattern == host:
                return True
            if pattern.startswith("*.") and host.endswith(pattern[1:]):
                return True
            if address is not None and "/" in pattern:
                try:
                    if address in ipaddress.ip_network(pattern, strict=False):
                        return True
                except ValueError:
                    continue
        return False

    def describe(self) -> str:
        """The list as a person reads it."""
        return "any host" if self.allows_any else ", ".join(self.patterns)

    def check(self, url: str) -> None:
        """Raise BlockedHostError, naming the allowed hosts, when `url`'s host is not allowed."""
        host = urlsplit(url).hostname or ""
        if not self.allows(host):
            raise BlockedHostError(
                f"This playground may not call {host}: it only calls {self.describe()}. "
                f"Whoever hosts it can add the host to {ALLOWED_HOSTS_ENV}."
            )


def _address(host: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    try:
        return ipaddress.ip_address(host)
    except ValueError:
        return None
