"""Azure OpenAI v1, classic deployments and Foundry Models routes (azure-v1 §1, §7).

Order for a chat route: ready? -> api-version (v1, classic) -> auth -> x-emulator-fault ->
deployment -> body checks -> prompt filter -> rate limit -> generation slot -> generate.
Every answer on these routes carries `x-ms-region`, `x-ratelimit-remaining-requests` and
`-tokens` (and `x-ms-deployment-name` once the deployment is known); `apim-request-id` is on
every response (emulator/app.py).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from fastapi import Request
from fastapi.responses import JSONResponse, Response

from emulator import azure_openai, content_filter, foundry, quota, wire
from emulator.responses import Annotations, Envelope
from emulator.surfaces import Surface, azure_openai_surface, foundry_models

if TYPE_CHECKING:
    from emulator.app import Handlers

OPENAI_ROUTE = wire.Route(wire.CHAT, unified=True, openai=True)


class AzureRoutes:
    """The handlers of the Azure surfaces; the engine, queue and checks are the app's."""

    V1_CHAT = "/openai/v1/chat/completions"
    V1_MODELS = "/openai/v1/models"
    CLASSIC_CHAT = "/openai/deployments/{deployment}/chat/completions"
    PATHS = (V1_CHAT, V1_MODELS, CLASSIC_CHAT)

    def __init__(self, app: Handlers, deployment: str) -> None:
        self.app, self.deployment = app, deployment
        model, credentials = app.engine.model_name, app.credentials
        self.v1 = azure_openai_surface(credentials, deployment, model, v1=True)
        self.classic = azure_openai_surface(credentials, deployment, model, v1=False)
        self.foundry = foundry_models(credentials)
        settings = app.settings
        self.quota = quota.Quota(settings.rate_limit_requests, settings.rate_limit_tokens)

    def stamp(self, response: Response, deployment_known: bool = True) -> Response:
        """The routing and rate-limit headers of every Azure answer (azure-v1 §5)."""
        response.headers["x-ms-region"] = azure_openai.REGION
        response.headers.update(self.quota.headers())
        if deployment_known:
            response.headers["x-ms-deployment-name"] = self.deployment
        return response

    async def v1_chat(self, request: Request) -> Response:
        """POST /openai/v1/chat/completions: the deployment is the body's `model`."""
        if request.query_params.get("api-version", "v1") not in azure_openai.V1_VERSIONS:
            return self.stamp(azure_openai.version_unsupported(), False)
        model = wire.peek_model(await request.body())
        if model is not None and model != self.deployment:
            stop, _ = await self.app.preflight(request, self.v1)
            return self.stamp(stop or azure_openai.deployment_not_found(), False)
        return self.stamp(await self._chat(request, self.v1, OPENAI_ROUTE), model is not None)

    async def classic_chat(self, request: Request) -> Response:
        """POST /openai/deployments/{deployment}/chat/completions?api-version=..."""
        version = request.query_params.get("api-version")
        if version is None:
            return self.stamp(azure_openai.resource_not_found(), False)
        if version not in azure_openai.CLASSIC_VERSIONS:
            return self.stamp(azure_openai.version_unsupported(), False)
        if request.path_params["deployment"] != self.deployment:
            stop, _ = await self.app.preflight(request, self.classic)
            return self.stamp(stop or azure_openai.deployment_not_found(), False)
        return self.stamp(await self._chat(request, self.classic, OPENAI_ROUTE))

    async def v1_models(self, request: Request) -> Response:
        """GET /openai/v1/models: the one deployment, in the OpenAI list shape."""
        if request.query_params.get("api-version", "v1") not in azure_openai.V1_VERSIONS:
            return self.stamp(azure_openai.version_unsupported(), False)
        stop, _ = await self.app.preflight(request, self.v1)
        if stop is not None:
            return self.stamp(stop, False)
        entry = {"id": self.deployment, "created": self.app.started, "object": "model"}
        entry["owned_by"] = self.app.engine.provider
        return self.stamp(JSONResponse({"object": "list", "data": [entry]}), False)

    async def _chat(self, request: Request, surface: Surface, route: wire.Route) -> Response:
        """The shared part of v1 and classic, once the deployment is known to be ours."""
        stop, fault = await self.app.preflight(request, surface)
        if stop is not None:
            return stop
        try:
            call, pace = await self.app.parse(request, route)
        except wire.RequestError as exc:
            return surface.refused(exc)
        if surface.name == "v1" and call.model is None:
            message = "Missing required parameter: 'model'."
            return azure_openai.invalid(message, "model", "missing_required_parameter")
        if (refused := self.app.screen(call, surface)) is not None:
            return refused
        if (limited := self.spend(call)) is not None:
            return limited
        name = self.app.engine.model_name
        severity = content_filter.assess(call.screened_texts())
        annotations = Annotations(
            prompt_filter_results=azure_openai.prompt_filter_results(severity),
            fingerprint=azure_openai.fingerprint(name),
            include_usage=call.include_usage,
        )
        env = Envelope.new(request.state.request_id, azure_openai.snapshot(name), annotations)
        return await self.app.generate(call, pace, fault, env, surface)

    def spend(self, call: wire.Call) -> Response | None:
        """Count the request against the deployment's quota; the 429 when it is spent."""
        estimate = len(call.input_text().split()) + call.max_tokens
        refused = self.quota.spend(estimate)
        if refused is None:
            return None
        model = self.app.engine.model_name
        return azure_openai.rate_limited(refused.retry_after, self.deployment, model, refused.kind)

    async def foundry_chat(
        self, request: Request, route: wire.Route, model: str | None
    ) -> Response:
        """POST /models/chat/completions as Foundry Models: body `model` names the deployment."""
        response = await self._foundry_chat(request, route, model)
        return self.stamp(foundry.tag_error(response), model in (None, self.deployment))

    async def _foundry_chat(
        self, request: Request, route: wire.Route, model: str | None
    ) -> Response:
        stop, fault = await self.app.preflight(request, self.foundry)
        if stop is not None:
            return stop
        if model is not None and model != self.deployment:
            return foundry.unknown_model(model)
        try:
            call, pace = await self.app.parse(request, route)
        except wire.RequestError as exc:
            return exc.response()
        if (refused := self.app.screen(call, self.foundry)) is not None:
            return refused
        if (limited := self.spend(call)) is not None:
            return limited
        env = Envelope.new(request.state.request_id, self.app.engine.model_name)
        return await self.app.generate(call, pace, fault, env, self.foundry)

    async def foundry_info(self, request: Request, model: str | None) -> Response:
        """GET /models/info as Foundry Models: `?model=` must name the deployment."""
        stop, _ = await self.app.preflight(request, self.foundry)
        if stop is None and model is not None and model != self.deployment:
            stop = foundry.unknown_model(model)
        response = stop if stop is not None else self.app.model_info()
        return self.stamp(foundry.tag_error(response), model in (None, self.deployment))
