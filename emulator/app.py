"""The FastAPI application: routes, request ids, and the order of checks.

Order for a model route: ready? -> auth (§2) -> x-emulator-fault -> body checks (§3, §4)
-> prompt content filter (§7.1) -> generation slot (429 when the queue is full) -> generate.
"""

from __future__ import annotations

import asyncio
import logging
import math
import re
import time
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, Response
from starlette.datastructures import Headers, MutableHeaders
from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from emulator import (
    auth,
    azure_openai,
    content_filter,
    errors,
    faults,
    foundry,
    quota,
    streams,
    wire,
)
from emulator.admission import Gate, QueueFull
from emulator.azure_routes import AzureRoutes
from emulator.engines import ContextOverflow, Engine, LlamaEngine, Pace, ScriptedEngine
from emulator.fetch_model import DEFAULT_MODEL_PATH
from emulator.responses import Envelope
from emulator.surfaces import Surface, serverless

log = logging.getLogger("emulator")

DELAY_HEADER = "x-emulator-token-delay"
REPLY_TOKENS_HEADER = "x-emulator-reply-tokens"
MAX_TOKEN_DELAY = 5.0
MAX_REPLY_TOKENS = 100_000
LLAMA_SLOTS = 4
LLAMA_QUEUE_LIMIT = 4
_REQUEST_ID = re.compile(r"[A-Za-z0-9._:-]{1,128}")


@dataclass(frozen=True)
class Settings:
    """How one emulator instance behaves; the key never appears in its repr."""

    engine: str = "scripted"
    api_key: str | None = field(default=None, repr=False)
    model_path: Path = DEFAULT_MODEL_PATH
    token_delay: float = 0.0
    reply_tokens: int = 40
    content_filter: bool = True
    queue_limit: int | None = None
    slots: int | None = None  # None: LLAMA_SLOTS for llama; see `admission_limits`
    threads: int = 1
    entra_token: str | None = field(default=None, repr=False)
    deployment: str | None = None  # None: named after the model
    rate_limit_requests: int = quota.DEFAULT_REQUESTS
    rate_limit_tokens: int = quota.DEFAULT_TOKENS


class RequestIds:
    """ASGI middleware: pick the request id and stamp it on every response.

    The id echoes `x-request-id` or `x-ms-client-request-id` when it is a plain token,
    else a new uuid; it is sent back as `x-request-id` and `apim-request-id` (§7.3) and
    used as the completion id, as the serving container does (§5.1, C-FMS).
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Run the app with the id in `scope["state"]` and on the response headers."""
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = Headers(scope=scope)
        offered = [headers.get("x-request-id"), headers.get("x-ms-client-request-id")]
        valid = [v for v in offered if v and _REQUEST_ID.fullmatch(v)]
        request_id = valid[0] if valid else str(uuid.uuid4())
        scope.setdefault("state", {})["request_id"] = request_id

        async def send_with_id(message: Message) -> None:
            if message["type"] == "http.response.start":
                response_headers = MutableHeaders(scope=message)
                response_headers["x-request-id"] = request_id
                response_headers["apim-request-id"] = request_id
            await send(message)

        await self.app(scope, receive, send_with_id)


def make_engine(settings: Settings) -> Engine:
    """The engine named in the settings."""
    if settings.engine == "llama":
        slots, _ = admission_limits(settings)
        return LlamaEngine(settings.model_path, n_threads=settings.threads, slots=slots or 1)
    return ScriptedEngine()


# The route table: path -> which body it takes and whether the unified-API rules apply (§1).
COMPLETION_ROUTES: dict[str, wire.Route] = {
    "/v1/chat/completions": wire.Route(wire.CHAT, unified=False),
    "/v1/completions": wire.Route(wire.TEXT, unified=False),
    "/chat/completions": wire.Route(wire.CHAT, unified=True),
    "/completions": wire.Route(wire.TEXT, unified=True),
    "/models/chat/completions": wire.Route(wire.CHAT, unified=True),
    "/models/completions": wire.Route(wire.TEXT, unified=True),
}
INFO_ROUTES = ("/info", "/models/info")


def create_app(
    settings: Settings, on_load_failure: Callable[[BaseException], None] | None = None
) -> FastAPI:
    """Build the app; the engine loads in the background and /health turns 200 after."""
    handlers = Handlers(settings, on_load_failure)
    app = FastAPI(title="Azure AI emulator", lifespan=handlers.lifespan,
                  docs_url=None, redoc_url=None, openapi_url=None)  # fmt: skip
    app.add_middleware(RequestIds)
    app.add_exception_handler(HTTPException, http_error)
    app.add_exception_handler(Exception, crash)
    for path, route in COMPLETION_ROUTES.items():
        app.add_api_route(path, _bind(handlers.complete, route), methods=["POST"], name=path)
    for path in INFO_ROUTES:
        app.add_api_route(path, handlers.info, methods=["GET"])
    azure = handlers.azure
    app.add_api_route(AzureRoutes.V1_CHAT, azure.v1_chat, methods=["POST"])
    app.add_api_route(AzureRoutes.V1_MODELS, azure.v1_models, methods=["GET"])
    app.add_api_route(AzureRoutes.CLASSIC_CHAT, azure.classic_chat, methods=["POST"])
    app.add_api_route("/health", handlers.health, methods=["GET"])
    app.add_api_route("/", handlers.root, methods=["GET"])
    return app


async def http_error(request: Request, exc: Exception) -> Response:
    """Starlette's HTTP errors (unknown route, wrong method) in the emulator's bodies."""
    if not isinstance(exc, HTTPException):  # registered for HTTPException only
        return await crash(request, exc)
    if exc.status_code == 404 and request.url.path.startswith("/openai/"):
        return azure_openai.resource_not_found()
    # An unknown route is a modality the model does not serve (§7.3, D-CHAT).
    if exc.status_code == 404:
        return errors.not_found()
    return errors.detail(exc.status_code, str(exc.detail))


async def crash(_: Request, exc: Exception) -> Response:
    """Any unexpected exception: one log line (none for a deliberate cut) and a 500 body."""
    if not isinstance(exc, streams.ConnectionCut):
        log.error("request failed: %s: %s", type(exc).__name__, exc)
    return errors.server_error(type(exc).__name__)


def admission_limits(settings: Settings) -> tuple[int | None, int | None]:
    """(slots, queue limit) for the gate; `None` is no limit.

    llama: LLAMA_SLOTS and LLAMA_QUEUE_LIMIT unless given. scripted: everyone at once,
    unless `--slots` or `--queue-limit` is given; then one slot unless `--slots` says more,
    and any number waiting unless `--queue-limit` says how many.
    """
    if settings.engine == "llama":
        slots = LLAMA_SLOTS if settings.slots is None else settings.slots
        limit = LLAMA_QUEUE_LIMIT if settings.queue_limit is None else settings.queue_limit
        return slots, limit
    if settings.slots is None and settings.queue_limit is None:
        return None, None
    return settings.slots or 1, settings.queue_limit


class Handlers:
    """The request handlers of one app and the state they share: engine, queue, readiness."""

    def __init__(
        self, settings: Settings, on_load_failure: Callable[[BaseException], None] | None
    ) -> None:
        self.settings = settings
        self.engine = make_engine(settings)
        self.gate = Gate(*admission_limits(settings))
        self.ready = asyncio.Event()
        self.failed_once = faults.FailedOnce()
        self.started = int(time.time())
        self._on_load_failure = on_load_failure
        self.credentials = auth.Credentials(settings.api_key, settings.entra_token)
        self.serverless = serverless(self.credentials)
        self.azure = AzureRoutes(self, settings.deployment or self.engine.model_name)

    async def load(self) -> None:
        """Load the engine in a worker thread; set `ready`, or report the failure."""
        try:
            await asyncio.to_thread(self.engine.load)
        except Exception as exc:
            log.error("engine %s failed to load: %s", self.settings.engine, exc)
            if self._on_load_failure:
                self._on_load_failure(exc)
            return
        self.ready.set()
        limits = f"slots {self.gate.slots}, queue limit {self.gate.queue_limit}"
        log.info("engine %s ready (%s; %s)", self.settings.engine, self.engine.model_name, limits)

    @asynccontextmanager
    async def lifespan(self, _: FastAPI) -> AsyncIterator[None]:
        """Start loading the engine when the server starts; stop loading when it stops."""
        task = asyncio.create_task(self.load())
        yield
        task.cancel()

    async def preflight(
        self, request: Request, surface: Surface
    ) -> tuple[Response | None, faults.Fault | None]:
        """Readiness, auth and fault header; a response here ends the request."""
        if not self.ready.is_set():
            return surface.loading(), None
        if denied := surface.authorize(request.headers):
            return denied, None
        try:
            fault = faults.parse(request.headers.get(faults.HEADER))
        except faults.UnknownFault as exc:
            return errors.detail(400, str(exc)), None
        if fault is not None and fault.name in faults.ONCE:
            body = await request.body()
            if not self.failed_once.first_time(fault, request.method, str(request.url), body):
                return None, None  # the retry of a request that failed once passes
        if fault is not None and (early := fault.immediate(surface.bodies)) is not None:
            return early, None
        if fault is not None and fault.name == "slow":
            await asyncio.sleep(fault.seconds)
        return None, fault

    async def complete(self, request: Request, route: wire.Route) -> Response:
        """Shared handler of every serverless completion route (and Foundry's, dispatched)."""
        if request.url.path == foundry.CHAT_PATH:
            model = wire.peek_model(await request.body())
            if foundry.is_foundry(request.headers, model):
                return await self.azure.foundry_chat(request, route, model)
        stop, fault = await self.preflight(request, self.serverless)
        if stop is not None:
            return stop
        try:
            call, pace = await self.parse(request, route)
        except wire.RequestError as exc:  # HeaderError included
            return exc.response()
        if (refused := self.screen(call, self.serverless)) is not None:
            return refused
        env = Envelope.new(request.state.request_id, self.engine.model_name)
        return await self.generate(call, pace, fault, env, self.serverless)

    async def parse(self, request: Request, route: wire.Route) -> tuple[wire.Call, Pace]:
        """The checked body and the scripted pace; raises RequestError or HeaderError."""
        body = await request.body()
        call = wire.parse(body, route, request.headers.get("extra-parameters"))
        return call, pace_from(request.headers, self.settings)

    def screen(self, call: wire.Call, surface: Surface) -> Response | None:
        """The refusal for a prompt that does not fit the context or is filtered (§7.1)."""
        try:
            self.engine.check(call)
        except ContextOverflow as exc:
            field = "messages" if call.kind == wire.CHAT else "prompt"
            return surface.too_long(["body", field], str(exc))
        if self.settings.content_filter:
            severity = content_filter.assess(call.screened_texts())
            if content_filter.is_blocked(severity):
                return surface.filtered(severity)
        return None

    async def generate(
        self,
        call: wire.Call,
        pace: Pace,
        fault: faults.Fault | None,
        env: Envelope,
        surface: Surface,
    ) -> Response:
        """Wait for a generation slot (429 when the queue is full), then answer."""
        try:
            ticket = await self.gate.enter()
        except QueueFull:
            return surface.bodies.rate_limited(1)
        if call.stream:
            events = streams.sse_events(call, self.engine, pace, fault, env)
            return streams.event_stream(events, ticket.release)
        try:
            data = await streams.whole_body(call, self.engine, pace, fault, env)
        finally:
            ticket.release()
        return streams.json_body(data, fault, env)

    async def info(self, request: Request) -> Response:
        """GET /info and /models/info: the model's name, type and provider."""
        model = request.query_params.get("model") or None
        if request.url.path == foundry.INFO_PATH and foundry.is_foundry(request.headers, model):
            return await self.azure.foundry_info(request, model)
        stop, _ = await self.preflight(request, self.serverless)
        if stop is not None:
            return stop
        return self.model_info()

    def model_info(self) -> JSONResponse:
        """The /info body; §8: Llama 3.1 serverless answers "chat-completions"."""
        return JSONResponse(
            {
                "model_name": self.engine.model_name,
                "model_type": "chat-completions",
                "model_provider_name": self.engine.provider,
            }
        )

    async def health(self) -> JSONResponse:
        """200 once the engine is loaded, 503 before."""
        if self.ready.is_set():
            return JSONResponse({"status": "ok"})
        return JSONResponse({"status": "loading"}, status_code=503)

    async def root(self) -> JSONResponse:
        """What this server is, its routes, its deployment and its queue."""
        routes = [*COMPLETION_ROUTES, *INFO_ROUTES, *AzureRoutes.PATHS, "/health"]
        return JSONResponse(
            {
                "service": "Local emulator of Azure AI chat endpoints (serverless, Azure "
                "OpenAI v1 and classic deployments, Foundry Models)",
                "engine": self.settings.engine,
                "model": self.engine.model_name,
                "deployment": self.azure.deployment,
                "routes": routes,
                "queue": self.gate.snapshot(),
            }
        )


class HeaderError(wire.RequestError):
    """An emulator control header has a value that is not a number: 400 `{"detail": ...}`."""

    def response(self) -> Response:
        """The 400 naming the headers."""
        return errors.detail(400, str(self))


def pace_from(headers: Headers, settings: Settings) -> Pace:
    """The scripted pace: settings, overridden per request by headers, clamped to bounds."""
    try:
        delay = float(headers.get(DELAY_HEADER, settings.token_delay))
        tokens = int(headers.get(REPLY_TOKENS_HEADER, settings.reply_tokens))
    except ValueError as exc:
        message = f"{DELAY_HEADER} must be seconds and {REPLY_TOKENS_HEADER} a count"
        raise HeaderError(message) from exc
    delay = 0.0 if math.isnan(delay) else min(max(delay, 0.0), MAX_TOKEN_DELAY)
    return Pace(delay, min(max(tokens, 0), MAX_REPLY_TOKENS))


def _bind(
    handler: Callable[[Request, wire.Route], Awaitable[Response]], route: wire.Route
) -> Callable[[Request], Awaitable[Response]]:
    async def endpoint(request: Request) -> Response:
        return await handler(request, route)

    return endpoint
