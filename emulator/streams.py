"""Bodies produced while the engine generates: SSE streams and whole bodies, with body faults.

A stream is sent token by token through an async generator (no buffering): first chat
chunk with the role, one chunk per token, a final chunk with finish_reason and usage,
then `data: [DONE]` (wire-format §6). Body faults act after FAULT_AFTER_TOKENS tokens.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncGenerator, Callable
from contextlib import aclosing
from typing import Any

import anyio
from fastapi.responses import Response, StreamingResponse
from starlette.types import Receive, Scope, Send

from emulator import azure_openai, errors, tools
from emulator.engines import Engine, Outcome, Pace
from emulator.faults import FAULT_AFTER_TOKENS, Fault
from emulator.responses import (
    DONE,
    Envelope,
    annotation_event,
    chat_chunk,
    chat_completion,
    dumps,
    sse,
    text_completion,
    usage,
    usage_chunk,
)
from emulator.wire import CHAT, Call

NOT_JSON = b"{not json"
MALFORMED = b"data: " + NOT_JSON + b"\n\n"
# `non-utf8` sends this text with its accented letters in Latin-1 (é as the lone byte E9).
ACCENTED = " café crème"
# `error-event`, in the shape the serving container emits on a failure mid-stream (§6.1, C-FMS).
ERROR_EVENT = (
    b"event: error\n"
    b'data: {"error":{"status":500,"code":"Internal Server Error","message":'
    b'"An error occurred during the request processing: x-emulator-fault: error-event"}}\n\n'
)
# On Azure OpenAI routes, an OpenAI-style `data: {"error": ...}` event, which the openai SDK
# raises as APIError (project choice, azure-v1 §3).
AZURE_ERROR_EVENT = sse({"error": json.loads(bytes(azure_openai.server_error().body))["error"]})


def latin1(utf8: bytes) -> bytes:
    """The same bytes with ACCENTED's letters re-encoded as Latin-1: no longer valid UTF-8."""
    return utf8.replace(ACCENTED.encode(), ACCENTED.encode("latin-1"))


class ConnectionCut(Exception):
    """Raised on purpose mid-body: uvicorn then closes the socket without ending the body."""


class GuardedStream(StreamingResponse):
    """A streaming response that always closes its body and runs `on_close` afterwards.

    Starlette never starts the body iterator when the client leaves early, and a started
    one is not always closed; both would leak the generation slot and the llama thread.
    """

    def __init__(self, body: AsyncGenerator[bytes, None], on_close: Callable[[], None], **kw: Any):
        super().__init__(body, **kw)
        self._body, self._on_close = body, on_close

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Send the response, then clean up whatever happened."""
        try:
            await super().__call__(scope, receive, send)
        finally:
            try:
                with anyio.CancelScope(shield=True):
                    await self._body.aclose()
            finally:
                self._on_close()


def event_stream(body: AsyncGenerator[bytes, None], on_close: Callable[[], None]) -> GuardedStream:
    """Wrap SSE bytes in a response with the plain `text/event-stream` type (§6.1)."""
    headers = {"content-type": "text/event-stream", "cache-control": "no-cache"}
    return GuardedStream(body, on_close, headers=headers)


async def _fault_point(fault: Fault, env: Envelope | None = None, accented: bytes = b"") -> bytes:
    """Act out a body fault; return bytes to send now (possibly none)."""
    if fault.name == "non-utf8":
        return latin1(accented)
    if fault.name == "stall":
        await asyncio.sleep(fault.seconds)
    elif fault.name == "cut":
        raise ConnectionCut("x-emulator-fault: cut")
    elif fault.name == "malformed":
        return MALFORMED
    elif fault.name == "error-event":
        return AZURE_ERROR_EVENT if env is not None and env.azure is not None else ERROR_EVENT
    return b""


def _piece(call: Call, env: Envelope, text: str) -> dict[str, Any]:
    if call.kind == CHAT:
        return chat_chunk(env, {"content": text})
    return text_completion(env, text)


async def sse_events(
    call: Call, engine: Engine, pace: Pace, fault: Fault | None, env: Envelope
) -> AsyncGenerator[bytes, None]:
    """The whole event stream of one streamed completion."""
    outcome, sent, filtered = Outcome(), 0, False
    if env.azure is not None:
        yield sse(annotation_event(env))
    if call.kind == CHAT:
        yield sse(chat_chunk(env, {"role": "assistant", "content": ""}))
    if call.tool:
        for event in _tool_events(call, env):
            yield event
        return
    ends = fault is not None and fault.name in ("content-filter-output", "error-event")
    async with aclosing(_generate(call, engine, outcome, pace)) as pieces:
        async for text in pieces:
            yield sse(_piece(call, env, text))
            sent += 1
            if sent == FAULT_AFTER_TOKENS and fault is not None:
                if extra := await _fault_point(fault, env, sse(_piece(call, env, ACCENTED))):
                    yield extra
                if ends:
                    break
    if fault is not None and sent < FAULT_AFTER_TOKENS:  # a short reply gets its fault too
        extra = await _fault_point(fault, env, sse(_piece(call, env, ACCENTED)))
        if extra:
            yield extra
    if fault is not None and fault.name == "error-event":
        yield DONE  # the container ends the stream this way after its error event
        return
    filtered = fault is not None and fault.name == "content-filter-output"
    finish = "content_filter" if filtered else outcome.finish_reason
    # Chunks are not always tokens (llama holds back text that may start a stop string).
    use = usage(outcome.prompt_tokens, sent if filtered else outcome.completion_tokens)
    if fault is None or fault.name != "no-finish":
        for event in _closing(call, env, finish, use):
            yield event
    if fault is None or fault.name != "no-done":
        yield DONE


async def _generate(
    call: Call, engine: Engine, outcome: Outcome, pace: Pace
) -> AsyncGenerator[str, None]:
    """The engine's pieces; in JSON mode, inside `{"reply": "..."}` (emulator/tools.py)."""
    async with aclosing(engine.generate(call, outcome, pace)) as pieces:
        if call.json_mode:
            yield '{"reply": "'
        async for text in pieces:
            yield json.dumps(text, ensure_ascii=False)[1:-1] if call.json_mode else text
        if call.json_mode:
            yield '"}'


def _tool_call(call: Call, env: Envelope) -> dict[str, Any]:
    return tools.tool_call(f"call_{env.id[:24]}", call.tool, call.tool_arguments)


def _tool_events(call: Call, env: Envelope) -> list[bytes]:
    """A streamed tool call: the call in one chunk, then the closing ones (emulator/tools.py)."""
    use = usage(len(call.input_text().split()), 1)
    delta = {"tool_calls": [{"index": 0, **_tool_call(call, env)}]}
    return [sse(chat_chunk(env, delta)), *_closing(call, env, "tool_calls", use), DONE]


def _closing(call: Call, env: Envelope, finish: str | None, use: dict[str, int]) -> list[bytes]:
    """The final chunk; on Azure OpenAI routes usage follows alone, and only when asked."""
    if call.kind != CHAT:
        return [sse(text_completion(env, "", finish, use))]
    if env.azure is None:
        return [sse(chat_chunk(env, {"content": ""}, finish, use))]
    final = [sse(chat_chunk(env, {"content": ""}, finish))]
    return [*final, sse(usage_chunk(env, use))] if env.azure.include_usage else final


async def whole_body(
    call: Call, engine: Engine, pace: Pace, fault: Fault | None, env: Envelope
) -> bytes:
    """Generate everything, then build the non-stream JSON body."""
    outcome, texts = Outcome(), []
    if call.tool:
        use = usage(len(call.input_text().split()), 1)
        return dumps(chat_completion(env, "", "tool_calls", use, [_tool_call(call, env)]))
    limit = FAULT_AFTER_TOKENS if fault and fault.name == "content-filter-output" else None
    async with aclosing(_generate(call, engine, outcome, pace)) as pieces:
        async for text in pieces:
            texts.append(text)
            if len(texts) == limit:
                break
    # §7.2: a filtered completion may return partial content with finish content_filter.
    finish: str | None = "content_filter" if limit else outcome.finish_reason
    use = usage(outcome.prompt_tokens, len(texts) if limit else outcome.completion_tokens)
    name = fault.name if fault else None
    if name == "non-utf8":
        texts.append(ACCENTED)
    if name == "no-finish":
        finish = None
    if call.kind == CHAT:
        body = dumps(chat_completion(env, "".join(texts), finish, use))
    else:
        body = dumps(text_completion(env, "".join(texts), finish, use))
    return latin1(body) if name == "non-utf8" else body


def json_body(body: bytes, fault: Fault | None, env: Envelope | None = None) -> Response:
    """Send a finished JSON body, or half of it then a stall or a cut when asked."""
    if fault is not None and fault.name == "error-event":  # no stream to put the event in
        if env is not None and env.azure is not None:
            return azure_openai.server_error()
        return errors.server_error("x-emulator-fault: error-event")
    if fault is None or fault.name not in ("cut", "stall", "malformed"):
        return Response(body, media_type="application/json")
    if fault.name == "malformed":
        return Response(NOT_JSON, media_type="application/json")
    half = len(body) // 2

    async def halves() -> AsyncGenerator[bytes, None]:
        yield body[:half]
        await _fault_point(fault)
        yield body[half:]

    # Content-Length is the full size, so a cut leaves the client short of bytes.
    headers = {"content-length": str(len(body))}
    return GuardedStream(halves(), lambda: None, headers=headers, media_type="application/json")
