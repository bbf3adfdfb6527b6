"""The HTTP client: one `requests.Session` per endpoint, raw calls and typed completions.

    client = Client(Endpoint("http://127.0.0.1:8765", key="..."))
    client.chat([{"role": "user", "content": "Hi"}]).text
    for delta in client.stream_chat(messages):
        print(delta, end="")

Every failure becomes one of `core.errors` (mapped in `failures.py`), with the key taken
out of its message by the client's `Redactor`. Raw calls (`send`, `open`) never raise for
what the endpoint does: they return an `Exchange` whose `error` says what went wrong, so a
page can show the response too. The response itself is `response.RawResponse`. Where a
request goes and which deployment it names is `routes.Routes`; with Entra ID the client asks
the endpoint's token source for a token before each request, and its `Redactor` learns each
token before it is sent (`docs/azure-v1.md` §2).
"""

from __future__ import annotations

import json
import time
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from . import errors, transport
from .config import Endpoint
from .entra import TOKEN_ENV
from .headers import (
    KEY_HEADERS,
    SECRET_HEADERS,
    TRANSPORT_HEADERS,
    checked_value,
    header_text,
)
from .hosts import HostPolicy
from .limits import DEFAULT_LIMITS, Limits
from .profiles import PROFILES, Profile
from .records import Completion, Exchange, SentRequest
from .redact import Redactor
from .response import RawResponse
from .routes import Routes
from .snippets import RequestSpec
from .streams import TextStream, completion_from_json

if TYPE_CHECKING:  # `requests` is imported by the first Client: it is most of import time
    import requests

USER_AGENT = "azure-ai-playground/0.1"
#: The encodings `body.py` decompresses as they arrive, within the size limit.
ACCEPT_ENCODING = "gzip, deflate"
MAX_REQUEST_BYTES = 1_000_000  # bodies above this are refused before sending (issue 5 limit)
ENTRA_HEADER = ("Authorization", "Bearer ")  # how an Entra token travels (azure-v1 §2)


class Client:
    """Talks to one endpoint. Not thread-safe; make one per browser session or thread."""

    def __init__(
        self,
        endpoint: Endpoint,
        profile: Profile | None = None,
        *,
        session: requests.Session | None = None,
        hosts: HostPolicy | None = None,
        limits: Limits | None = None,
    ) -> None:
        self.endpoint = endpoint
        self.profile = profile or PROFILES["openai"]
        self.hosts = hosts  # None: any host (library use); the app passes its allow-list
        self.limits = limits or DEFAULT_LIMITS  # what one reply may take (`core.limits`)
        if session is None:
            import requests  # here, not at the top: `import core` stays light (bench 3)

            session = requests.Session()
        self._session = session
        self._session.headers["User-Agent"] = USER_AGENT
        self._session.headers["Accept-Encoding"] = ACCEPT_ENCODING
        #: Takes the key (and every Entra token) out of everything it records, shows or raises.
        self.redactor = Redactor(endpoint.key.reveal())
        if endpoint.token is not None:
            self.redactor.add(*endpoint.token.issued())

    # Raw calls -----------------------------------------------------------------------------

    def open(
        self,
        method: str,
        path: str,
        *,
        headers: Mapping[str, str] | None = None,
        body: str | Mapping[str, Any] | None = None,
    ) -> RawResponse:
        """Send a request and return once the response headers arrive (or the send failed).

        Raises InvalidRequestError for input that cannot be sent; everything the endpoint
        does is recorded on the returned response's `exchange`.
        """
        import requests

        prepared = self._prepare(method, path, headers, body)
        self._check_host(prepared.url or "")
        exchange = Exchange(request=self._record(prepared))
        started = time.perf_counter()
        try:
            response = self._session.send(
                prepared,
                stream=True,
                timeout=(self.endpoint.connect_timeout, self.endpoint.read_timeout),
                allow_redirects=False,
            )
        except requests.RequestException as exc:
            exchange.elapsed = time.perf_counter() - started
            exchange.error = self.redactor.error(
                transport.transport_error(
                    exc,
                    connect_timeout=self.endpoint.connect_timeout,
                    read_timeout=self.endpoint.read_timeout,
                ),
                exchange.request,
            )
            return self._response(exchange, None, started)
        exchange.time_to_first_byte = time.perf_counter() - started
        exchange.status = response.status_code
        exchange.reason = response.reason or ""
        exchange.headers = {k.lower(): self.redactor.text(v) for k, v in response.headers.items()}
        return self._response(exchange, response, started)

    def send(
        self,
        method: str,
        path: str,
        *,
        headers: Mapping[str, str] | None = None,
        body: str | Mapping[str, Any] | None = None,
    ) -> Exchange:
        """Send a request, read the whole response, and return the record."""
        with self.open(method, path, headers=headers, body=body) as response:
            for _ in response.events():
                pass
        return response.exchange

    # Typed calls ---------------------------------------------------------------------------

    def chat(self, messages: Sequence[Mapping[str, Any]], **params: Any) -> Completion:
        """A chat completion. Raises a `core.errors` exception on any failure."""
        return self._complete(
            self.chat_route, self.build_body({"messages": list(messages)}, params)
        )

    def complete(self, prompt: str, **params: Any) -> Completion:
        """A text completion (Llama 2 base models). Raises on any failure."""
        return self._complete(self.completions_route, self.build_body({"prompt": prompt}, params))

    def stream_chat(self, messages: Sequence[Mapping[str, Any]], **params: Any) -> TextStream:
        """Start a streamed chat completion; iterate the result for text deltas. Where the
        surface takes it, the body asks for usage at the end (`docs/azure-v1.md` §4)."""
        return self._stream(self.chat_route, self.build_body({"messages": list(messages)}, params))

    def stream_complete(self, prompt: str, **params: Any) -> TextStream:
        """Start a streamed text completion; iterate the result for text deltas."""
        return self._stream(self.completions_route, self.build_body({"prompt": prompt}, params))

    def info(self) -> dict[str, Any]:
        """`GET /info`: model name, type and provider. Raises NotFoundError where unsupported."""
        return self._get_object(self.routes.info_route)

    def list_models(self) -> list[str]:
        """The model ids the endpoint names: `GET /openai/v1/models` on Azure OpenAI v1 (and
        `/models` on OpenAI-compatible servers), else `/info`'s `model_name`.

        On Azure the v1 list is the model **catalog**, not this resource's deployments: its
        ids may fail at inference, where the deployment name is what counts
        (`docs/azure-v1.md` §1.1). Use it for suggestions, never as the only choice. Raises
        the usual errors; InvalidRequestError for surfaces with neither route.
        """
        route = self.profile.models_route
        if route is not None:
            data = self._get_object(route).get("data")
            items = data if isinstance(data, list) else []
            return [str(m["id"]) for m in items if isinstance(m, dict) and m.get("id")]
        if self.profile.info_route is None:
            raise errors.InvalidRequestError(
                f"A {self.profile.label} cannot list its models: type the deployment's name."
            )
        name = self.info().get("model_name")
        return [str(name)] if name else []

    def export_spec(
        self,
        method: str,
        path: str,
        *,
        headers: Mapping[str, str] | None = None,
        body: str | Mapping[str, Any] | None = None,
    ) -> RequestSpec:
        """The request as `snippets` exports it: everything but the key, and where it goes."""
        prepared = self._prepare(method, path, headers, body, credentials=False)
        endpoint = self.endpoint
        entra = endpoint.entra
        auth_name, auth_prefix = ENTRA_HEADER if entra else endpoint.auth.header("")
        shown = {
            k: self.redactor.text(header_text(v))
            for k, v in prepared.headers.items()
            if k.lower() not in SECRET_HEADERS and k.lower() not in TRANSPORT_HEADERS
        }
        data = prepared.body or b""
        return RequestSpec(
            method=prepared.method or method,
            url=self.redactor.text(prepared.url or ""),
            headers=shown,
            body=self.redactor.text(data.decode() if isinstance(data, bytes) else str(data)),
            auth_header=auth_name if endpoint.key or entra else None,
            auth_prefix=auth_prefix,
            timeout=endpoint.read_timeout,
            hosts_key=bool(endpoint.key_origin) or entra,
            key_env=TOKEN_ENV if entra else self.profile.key_env,
            sdk=self.routes.sdk_target(method, path, entra=entra),
        )

    def build_body(self, base: Mapping[str, Any], params: Mapping[str, Any]) -> dict[str, Any]:
        """A request body: the deployment as `model` where the surface takes it there, `base`,
        then the parameters that are set (see `clean_params`)."""
        return self.routes.body(dict(base), dict(params))

    @property
    def routes(self) -> Routes:
        """Where this client's requests go, for its endpoint and profile."""
        return Routes(self.endpoint, self.profile)

    @property
    def chat_route(self) -> str:
        """The chat route (see `Routes.chat_route`)."""
        return self.routes.chat_route

    @property
    def completions_route(self) -> str:
        """The text-completions route (see `Routes.completions_route`)."""
        return self.routes.completions_route

    def url_for(self, path: str) -> str:
        """The full URL for a route, with `api-version` when one is set (see `Routes`)."""
        return self.routes.url_for(path)

    def close(self) -> None:
        """Release pooled connections."""
        self._session.close()

    def __enter__(self) -> Client:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    # Internals -----------------------------------------------------------------------------

    def _complete(self, path: str, body: dict[str, Any]) -> Completion:
        self.routes.check_model(body)
        body["stream"] = False
        exchange = self.send("POST", path, body=body)
        self._raise_for(exchange)
        try:
            return completion_from_json(exchange.json, exchange)
        except errors.EndpointError as exc:
            raise self.redactor.error(exc, exchange.request) from None

    def _stream(self, path: str, body: dict[str, Any]) -> TextStream:
        routes = self.routes
        routes.check_model(body)
        body["stream"] = True
        for name, value in routes.stream_extras().items():
            body.setdefault(name, value)
        response = self.open("POST", path, body=body)
        if response.exchange.error is None and not (200 <= (response.exchange.status or 0) < 300):
            response.read()
        if response.exchange.error is not None:
            response.close()
            raise response.exchange.error
        return response.text_stream()

    def _raise_for(self, exchange: Exchange) -> None:
        if exchange.error is not None:
            raise exchange.error

    def _get_object(self, route: str) -> dict[str, Any]:
        """`GET route`, whose reply must be a JSON object; raises on any failure."""
        exchange = self.send("GET", route)
        self._raise_for(exchange)
        payload = exchange.json
        if not isinstance(payload, dict):
            raise self.redactor.error(
                errors.InvalidResponseError(
                    f"The endpoint's reply to GET {route} is not a JSON object. Check the URL "
                    "and send the request from the Request Builder to see the reply."
                ),
                exchange.request,
            )
        return payload

    def _prepare(
        self,
        method: str,
        path: str,
        headers: Mapping[str, str] | None,
        body: str | Mapping[str, Any] | None,
        *,
        credentials: bool = True,
    ) -> requests.PreparedRequest:
        """The request ready to send; `credentials` False leaves the key or token out (the
        code export, which must not even fetch a token)."""
        import requests

        method = method.strip().upper()
        if method not in ("GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"):
            raise errors.InvalidRequestError(f"Unsupported HTTP method {method!r}.")
        data: bytes | None = None
        if isinstance(body, Mapping):
            data = json.dumps(body, ensure_ascii=False).encode()
        elif body is not None and body != "":
            data = body.encode("utf-8")
        if data is not None and len(data) > MAX_REQUEST_BYTES:
            raise errors.InvalidRequestError(
                f"The body is {len(data):,} bytes; the limit is {MAX_REQUEST_BYTES:,}. "
                "Shorten the messages or the prompt."
            )
        merged = {
            "Content-Type": "application/json",
            "Accept": "application/json, text/event-stream",
        }
        merged.update(self._extra_headers(credentials=credentials))
        for name, value in (headers or {}).items():
            if not name.strip():
                raise errors.InvalidRequestError("A header has an empty name.")
            if name.lower() in KEY_HEADERS and self.endpoint.key:
                continue  # the endpoint's key wins; a pasted header would send two keys
            merged[name.strip()] = checked_value(name.strip(), str(value))
        request = requests.Request(method, self.url_for(path), headers=merged, data=data)
        try:
            return self._session.prepare_request(request)
        except (requests.RequestException, ValueError) as exc:
            raise self.redactor.error(
                errors.InvalidRequestError(f"The request cannot be sent: {exc}")
            ) from None

    def _check_host(self, url: str) -> None:
        if self.hosts is not None:
            self.hosts.check(url)

    def _extra_headers(self, *, credentials: bool = True) -> dict[str, str]:
        headers = {}
        secret = self._credential() if credentials and self.endpoint.sends_key else ""
        if secret:
            name, prefix = ENTRA_HEADER if self.endpoint.entra else self.endpoint.auth.header("")
            headers[name] = prefix + secret
        if self.endpoint.extra_parameters.value:
            headers["extra-parameters"] = self.endpoint.extra_parameters.value
        for name, value in self.endpoint.headers:
            if name.lower() not in KEY_HEADERS:
                headers[name] = checked_value(name, value)
        return headers

    def _credential(self) -> str:
        """The key, or for Entra ID a token from the endpoint's source, which the redactor
        learns before anything carries it. Raises CredentialError when there is no token."""
        endpoint = self.endpoint
        if endpoint.token is None:
            return endpoint.key.reveal()
        token = endpoint.token.token().value
        self.redactor.add(token)
        return token

    def _auth_note(self) -> str:
        """Why no key went with the request, for the 401 that follows; "" when it went."""
        endpoint = self.endpoint
        if endpoint.sends_key or not (endpoint.key or endpoint.entra):
            return ""
        what = "token" if endpoint.entra else "key"
        return (
            f"No {what} was sent: the {what} this playground's host provides only goes to the "
            f"endpoint the host configured ({endpoint.key_origin}). Enter your own "
            f"{what} to call another endpoint."
        )

    def _record(self, prepared: requests.PreparedRequest) -> SentRequest:
        body = prepared.body or b""
        text = body.decode("utf-8", "replace") if isinstance(body, bytes) else str(body)
        return SentRequest(
            method=prepared.method or "",
            url=self.redactor.text(prepared.url or ""),
            headers={
                k: self.redactor.header(k, header_text(v)) for k, v in prepared.headers.items()
            },
            body=self.redactor.text(text),
        )

    def _response(
        self, exchange: Exchange, response: requests.Response | None, started: float
    ) -> RawResponse:
        return RawResponse(
            exchange,
            response,
            started=started,
            redactor=self.redactor,
            read_timeout=self.endpoint.read_timeout,
            limits=self.limits,
            auth_note=self._auth_note(),
        )


__all__ = ["Client"]
