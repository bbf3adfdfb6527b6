"""Which hosts the playground may call, for teams that host it for others.

Set `PLAYGROUND_ALLOWED_HOSTS` (environment or secrets) to a comma-separated list of host
names, `*.suffix` wildcards, IP networks, exact origins (`https://host:port`: that scheme,
host and port only), or `*` for any host. Unset, a single user's playground allows loopback
and the Azure inference domains. A playground hosted for others (`PLAYGROUND_HOSTED=1`, which
the app reads and passes in) allows the Azure domains and, at their exact origins only, the
endpoints its host configured, never loopback by default: a visitor must not reach services
on the host's own machine. A blocked request is refused before any socket is opened.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable
from dataclasses import dataclass
from urllib.parse import urlsplit

from .errors import BlockedHostError, InvalidRequestError

ALLOWED_HOSTS_ENV = "PLAYGROUND_ALLOWED_HOSTS"
HOSTED_ENV = "PLAYGROUND_HOSTED"
LOOPBACK = ("localhost", "127.0.0.0/8", "::1")
AZURE_DOMAINS = (
    "*.inference.ai.azure.com",
    "*.models.ai.azure.com",
    "*.services.ai.azure.com",
    "*.openai.azure.com",
    "*.inference.ml.azure.com",
)
DEFAULT_ALLOWED = LOOPBACK + AZURE_DOMAINS
HOSTED_ALLOWED = AZURE_DOMAINS
_DEFAULT_PORTS = {"http": 80, "https": 443}


@dataclass(frozen=True)
class HostPolicy:
    """An allow-list: host names, `*.suffix` wildcards, IP networks or `*` (`patterns`), and
    exact origins (`origins`, each `scheme://host:port`)."""

    patterns: tuple[str, ...] = DEFAULT_ALLOWED
    origins: tuple[str, ...] = ()

    @classmethod
    def from_setting(
        cls, value: str | None, *, default: tuple[str, ...] = DEFAULT_ALLOWED
    ) -> HostPolicy:
        """Parse the setting; empty or unset means `default`. Items with `://` are origins."""
        items = tuple(p.strip().lower() for p in (value or "").split(",") if p.strip())
        if not items:
            return cls(default)
        origins = tuple(origin_of(item) for item in items if "://" in item)
        return cls(tuple(item for item in items if "://" not in item), origins)

    @classmethod
    def hosted(cls, configured: Iterable[str] = (), setting: str | None = None) -> HostPolicy:
        """The policy of a playground hosted for others: the setting, or (unset) the Azure
        domains without loopback, plus each configured endpoint URL at its exact origin.

        `configured` are the URLs the host set (`PLAYGROUND_LOCAL_URL`,
        `AZURE_AI_CHAT_ENDPOINT`); empty or unreadable ones are left out.
        """
        base = cls.from_setting(setting, default=HOSTED_ALLOWED)
        extra = []
        for url in configured:
            try:
                extra.append(origin_of(url))
            except InvalidRequestError:
                continue  # the sidebar says what is wrong with it, where it is used
        return cls(base.patterns, tuple(dict.fromkeys(base.origins + tuple(extra))))

    @classmethod
    def for_app(
        cls, setting: str | None, *, hosted: bool, configured: Iterable[str] = ()
    ) -> HostPolicy:
        """The app's policy: `hosted` when hosting is declared, else `from_setting`."""
        return cls.hosted(configured, setting) if hosted else cls.from_setting(setting)

    @property
    def allows_any(self) -> bool:
        """True when the list contains `*`."""
        return "*" in self.patterns

    def allows(self, host: str) -> bool:
        """True when `host` matches one of the patterns (origins need a URL: `allows_url`)."""
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

    def allows_url(self, url: str) -> bool:
        """True when `url`'s host matches a pattern, or its origin is one of `origins`."""
        if self.allows(urlsplit(url).hostname or ""):
            return True
        if not self.origins:
            return False
        try:
            return origin_of(url) in self.origins
        except InvalidRequestError:
            return False

    def describe(self) -> str:
        """The list as a person reads it."""
        return "any host" if self.allows_any else ", ".join(self.patterns + self.origins)

    def check(self, url: str) -> None:
        """Raise BlockedHostError, naming the allowed hosts, when `url` is not allowed."""
        if not self.allows_url(url):
            host = urlsplit(url).hostname or ""
            if self.origins:  # the port decides too: name it
                host = urlsplit(url).netloc.rpartition("@")[2] or host
            raise BlockedHostError(
                f"This playground may not call {host}: it only calls {self.describe()}. "
                f"Whoever hosts it can add the host to {ALLOWED_HOSTS_ENV}."
            )


def origin_of(url: str) -> str:
    """`scheme://host:port` of `url`, lower-case, with the scheme's default port filled in.

    Raises InvalidRequestError for a URL that is not http(s) with a host.
    """
    try:
        parts = urlsplit(url.strip())
        scheme, host, port = parts.scheme.lower(), parts.hostname, parts.port
    except ValueError:
        scheme, host, port = "", None, None
    if scheme not in _DEFAULT_PORTS or not host:
        raise InvalidRequestError("An origin must be an http(s) URL with a host name.")
    host = host.rstrip(".")
    shown = f"[{host}]" if ":" in host else host
    return f"{scheme}://{shown}:{port or _DEFAULT_PORTS[scheme]}"


def _address(host: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    try:
        return ipaddress.ip_address(host)
    except ValueError:
        return None


__all__ = [
    "ALLOWED_HOSTS_ENV",
    "AZURE_DOMAINS",
    "DEFAULT_ALLOWED",
    "HOSTED_ALLOWED",
    "HOSTED_ENV",
    "LOOPBACK",
    "HostPolicy",
    "origin_of",
]
