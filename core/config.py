"""Where an endpoint is, how to authenticate to it, and how long to wait for it.

Values resolve in one order (starlette `config.py`): explicit argument, then environment
variable, then profile default. `core` never reads Streamlit secrets; the app resolves those
and passes them in.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from .errors import InvalidRequestError
from .hosts import origin_of

if TYPE_CHECKING:
    from .entra import TokenSource

_ASCII_HOST = re.compile(r"[A-Za-z0-9.:\[\]-]+")
ENDPOINT_ENV = "AZURE_AI_CHAT_ENDPOINT"
KEY_ENV = "AZURE_AI_CHAT_KEY"

# Route suffixes a pasted URL may end with; the longest match wins (`docs/wire-format.md` §1).
ROUTE_SUFFIXES = (
    "/models/chat/completions",
    "/v1/chat/completions",
    "/chat/completions",
    "/v1/completions",
    "/completions",
    "/models/info",
    "/info",
)


class Secret:
    """A string whose `repr` and `str` never show it (starlette `datastructures.Secret`)."""

    __slots__ = ("_value",)

    def __init__(self, value: str) -> None:
        self._value = value

    def reveal(self) -> str:
        """The secret itself, for the one place that sends it."""
        return self._value

    def __repr__(self) -> str:
        return "Secret('**********')" if self._value else "Secret('')"

    __str__ = __repr__

    def __bool__(self) -> bool:
        return bool(self._value)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Secret) and other._value == self._value

    def __hash__(self) -> int:
        return hash(self._value)


class AuthStyle(StrEnum):
    """How the key travels: the notebooks' bare `Authorization: <key>`, `Bearer`, or `api-key`.

    A Microsoft Entra ID token is not a key: an endpoint with a `token` source sends
    `Authorization: Bearer <token>` whatever its auth style (`docs/azure-v1.md` §2).
    """

    BARE = "bare"
    BEARER = "bearer"
    API_KEY = "api-key"

    def header(self, key: str) -> tuple[str, str]:
        """The (name, value) header pair that carries `key`."""
        if self is AuthStyle.API_KEY:
            return "api-key", key
        if self is AuthStyle.BEARER:
            return "Authorization", f"Bearer {key}"
        return "Authorization", key


class ExtraParameters(StrEnum):
    """Values of the `extra-parameters` header (`docs/wire-format.md` §4); OMIT sends none."""

    OMIT = ""
    ERROR = "error"
    DROP = "drop"
    PASS_THROUGH = "pass-through"


@dataclass(frozen=True)
class Endpoint:
    """One endpoint: base URL (or a full route URL), key, auth style, headers, timeouts, the
    deployment (model) to address, and for Entra ID the source of its tokens.

    `api_version` "" means the profile's default (`Profile.api_version`). `deployment` goes
    where the profile says: body `model`, or the classic path (`docs/azure-v1.md` §1).
    With a `token` source (Microsoft Entra ID), each request carries a token from it as
    `Authorization: Bearer <token>`, and `key` and `auth` are not used.
    """

    url: str
    key: Secret = Secret("")  # noqa: RUF009 - immutable, safe to share
    auth: AuthStyle = AuthStyle.BEARER
    extra_parameters: ExtraParameters = ExtraParameters.OMIT
    api_version: str = ""
    connect_timeout: float = 5.0
    read_timeout: float = 60.0
    headers: tuple[tuple[str, str], ...] = ()  # sent with every request (after auth)
    #: For a key the host provided: the only origin (scheme://host:port) it is sent to, and
    #: never exported. Empty for the user's own key, which goes wherever the URL says.
    key_origin: str = ""
    deployment: str = ""
    token: TokenSource | None = None

    def __post_init__(self) -> None:
        key = self.key.reveal() if isinstance(self.key, Secret) else str(self.key)
        object.__setattr__(self, "key", Secret(checked_key(key)))
        object.__setattr__(self, "url", validate_url(self.url))
        object.__setattr__(self, "deployment", checked_name(self.deployment))
        object.__setattr__(self, "api_version", checked_name(self.api_version, "API version"))
        if self.key_origin:
            object.__setattr__(self, "key_origin", origin_of(self.key_origin))
        if self.connect_timeout <= 0 or self.read_timeout <= 0:
            raise InvalidRequestError("Timeouts must be positive numbers of seconds.")

    @property
    def entra(self) -> bool:
        """True when requests carry Entra tokens (from `token`) instead of the key."""
        return self.token is not None

    @property
    def sends_key(self) -> bool:
        """False when the key is bound to another origin (`key_origin`) than the URL's."""
        return not self.key_origin or origin_of(self.url) == self.key_origin

    @property
    def base_url(self) -> str:
        """The URL without a known route suffix."""
        return split_route(self.url)[0]

    @property
    def route(self) -> str:
        """The route the URL itself names ("" when it is a base URL)."""
        return split_route(self.url)[1]

    @classmethod
    def from_env(
        cls,
        url: str | None = None,
        key: str | None = None,
        *,
        environ: Mapping[str, str] | None = None,
        default_url: str = "",
        **options: object,
    ) -> Endpoint:
        """Resolve URL and key: explicit argument, then environment, then `default_url`."""
        env = os.environ if environ is None else environ
        resolved_url = url or env.get(ENDPOINT_ENV) or default_url
        resolved_key = (key if key is not None else env.get(KEY_ENV, "")).strip()
        return cls(url=resolved_url, key=Secret(resolved_key), **options)  # type: ignore[arg-type]


def _host_without_scheme(url: str) -> bool:
    """True for `myendpoint.azure.com`, `localhost:8000/v1`: a host typed without its scheme
    (urlsplit would read `myendpoint.azure.com:443` as a scheme)."""
    if "://" in url:
        return False
    before = url.split("/", 1)[0].split(":", 1)[0]
    return "." in before or before.lower() == "localhost"


def validate_url(url: str) -> str:
    """Return `url` stripped of whitespace and trailing slashes, or raise InvalidRequestError."""
    url = (url or "").strip()
    if not url:
        raise InvalidRequestError("The endpoint URL is empty: paste it from the deployment page.")
    if odd := _first_odd(url, _unfit_for_url):
        raise InvalidRequestError(f"The endpoint URL contains {odd}: remove it.")
    if _host_without_scheme(url):
        raise InvalidRequestError(
            f"The endpoint URL has no scheme: add https:// at the start (https://{url})."
        )
    _check_host_text(url.partition("://")[2])
    try:
        parts = urlsplit(url)
        host = parts.hostname
    except ValueError as exc:  # unbalanced [ ], say
        raise InvalidRequestError(
            f"The endpoint URL cannot be read ({exc}). Retype it, or paste it again from the "
            "deployment page."
        ) from None
    if parts.scheme not in ("http", "https"):
        raise InvalidRequestError(
            f"The endpoint URL must start with https:// (or http:// for a local endpoint), "
            f"not {parts.scheme + '://' if parts.scheme else 'nothing'}."
        )
    if not host:
        raise InvalidRequestError("The endpoint URL has no host name.")
    if parts.username or parts.password:
        raise InvalidRequestError("Put the key in the key field, not in the URL.")
    if parts.query or parts.fragment:
        raise InvalidRequestError("The endpoint URL must not carry a query string or fragment.")
    try:
        parts.port  # noqa: B018 - raises ValueError on a bad port
    except ValueError as exc:
        raise InvalidRequestError("The port in the endpoint URL is not a number.") from exc
    return url.rstrip("/")


def checked_key(key: str) -> str:
    """`key` without surrounding whitespace; InvalidRequestError, naming the character and
    never the key, when it holds one HTTP cannot carry (a pasted zero-width space, say)."""
    key = key.strip()
    if odd := _first_odd(key, _unfit_for_key):
        raise InvalidRequestError(
            f"The key contains a character that cannot be sent ({odd}): retype or re-paste it."
        )
    return key


def checked_name(name: str, what: str = "deployment name") -> str:
    """A deployment (model) name or API version without surrounding whitespace; one that
    holds a space or a control character is refused (it would corrupt the URL or body)."""
    name = (name or "").strip()
    if any(c.isspace() or not c.isprintable() for c in name):
        raise InvalidRequestError(f"The {what} {name!r} has a space or a control character.")
    return name


def _check_host_text(rest: str) -> None:
    """Host names must be ASCII: an international name goes in its xn-- form (IDNA).

    `rest` is the URL after its scheme; the host is what comes before the path.
    """
    host = re.split(r"[/?#\\]", rest, maxsplit=1)[0].rpartition("@")[2]
    if host.isascii():
        return
    odd = next(c for c in host if not c.isascii())
    try:
        ascii_form = host.encode("idna").decode("ascii")
    except UnicodeError:
        ascii_form = ""
    hint = (
        f" If the name is right, write it in its ASCII form: {ascii_form}."
        if _ASCII_HOST.fullmatch(ascii_form)
        else ""
    )
    raise InvalidRequestError(
        f"The host name in the endpoint URL has a character that is not plain ASCII "
        f"({_describe(odd)}); a look-alike name can hide behind one. Retype it.{hint}"
    )


def _unfit_for_key(char: str) -> bool:
    return not (char.isascii() and char.isprintable())  # a space inside is allowed


def _unfit_for_url(char: str) -> bool:
    return char.isspace() or not char.isprintable()


def _first_odd(text: str, unfit: Callable[[str], bool]) -> str:
    """'U+200B ZERO WIDTH SPACE at position 5' for the first `unfit` character, or ''."""
    for position, char in enumerate(text, start=1):
        if unfit(char):
            return f"{_describe(char)} at position {position}"
    return ""


def _describe(char: str) -> str:
    import unicodedata  # only for a message

    name = unicodedata.name(char, "")
    return f"U+{ord(char):04X} {name}" if name else f"U+{ord(char):04X}, a control character"


def split_route(url: str) -> tuple[str, str]:
    """Split a URL into (base, route) where route is a known suffix or ""."""
    for suffix in ROUTE_SUFFIXES:
        if url.endswith(suffix):
            return url[: -len(suffix)], suffix
    return url, ""
