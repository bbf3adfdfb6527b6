"""The community class's own HTTP, made safe to host: no redirects, bounded replies.

`AzureMLChatOnlineEndpoint` does its own HTTP: `invoke` through `urllib.request.urlopen` (which
follows a 302 to any host, key and all) and `stream` through a new OpenAI client (whose httpx
client follows 302 and 307, body and all). The allow-list is checked for the first host only,
so both must stop at a redirect. `urllib.request.install_opener` would change every session of
the process, so each piece is replaced on the one model object instead:

- `invoke`: its `http_client` becomes `NoRedirectClient`, which opens the URL through a private
  opener whose redirect handler refuses, and reads at most `Limits.max_body_bytes`;
- `stream`: `_stream` builds its OpenAI client with `follow_redirects=False`, and stops at
  `Limits.max_seconds` and `Limits.max_events`.

A refused redirect is an HTTP 3xx error of urllib or openai, which `core.transport` maps to
`core.RedirectError` through the failure table. langchain-community and openai are imported
only when `notebook_classes()` is first called.
"""

from __future__ import annotations

import functools
import time
import urllib.request
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from langchain_core.callbacks import CallbackManagerForLLMRun
from langchain_core.messages import AIMessageChunk, BaseMessage, BaseMessageChunk
from langchain_core.outputs import ChatGenerationChunk

from ..limits import DEFAULT_LIMITS, Limits, limit_error

if TYPE_CHECKING:  # imported for real only when the backend is chosen
    from langchain_community.chat_models.azureml_endpoint import AzureMLChatOnlineEndpoint
    from langchain_community.llms.azureml_endpoint import AzureMLEndpointClient


class _RefuseRedirects(urllib.request.HTTPRedirectHandler):
    """Turns every redirect into the HTTPError of its 3xx status (urllib's default for a
    redirect it will not follow): nothing is sent to the new location."""

    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


@functools.cache
def _opener() -> urllib.request.OpenerDirector:
    """One opener for the process (handlers keep no state between requests)."""
    return urllib.request.build_opener(_RefuseRedirects)


@functools.cache
def notebook_classes() -> tuple[type[AzureMLChatOnlineEndpoint], type[AzureMLEndpointClient]]:
    """`AzureMLChatOnlineEndpoint` with a `_stream` whose OpenAI client does not follow
    redirects, and the urllib client its `invoke` should use (set as its `http_client`)."""
    import openai
    from langchain_community.chat_models import azureml_endpoint as chat
    from langchain_community.llms.azureml_endpoint import AzureMLEndpointClient

    class NoRedirectClient(AzureMLEndpointClient):
        """The class's urllib client, through an opener that refuses redirects."""

        limits: Limits = DEFAULT_LIMITS

        def call(self, body: bytes, run_manager: Any = None, **kwargs: Any) -> bytes:
            headers = {
                "Content-Type": "application/json",
                "Authorization": "Bearer " + self.endpoint_api_key,
            }
            if self.deployment_name:
                headers["azureml-model-deployment"] = self.deployment_name
            request = urllib.request.Request(self.endpoint_url, body, headers)
            timeout = kwargs.get("timeout", self.timeout)
            with _opener().open(request, timeout=timeout) as response:
                data: bytes = response.read(self.limits.max_body_bytes + 1)
            if len(data) > self.limits.max_body_bytes:
                raise limit_error("max_body_bytes", self.limits, "")
            return data

    class NotebookChatModel(chat.AzureMLChatOnlineEndpoint):
        """`AzureMLChatOnlineEndpoint`, its HTTP refusing redirects (see the module)."""

        def _stream(
            self,
            messages: list[BaseMessage],
            stop: list[str] | None = None,
            run_manager: CallbackManagerForLLMRun | None = None,
            **kwargs: Any,
        ) -> Iterator[ChatGenerationChunk]:
            # The library's `_stream` (rewriting endpoint_url too, as it does) with its own
            # conversions; only the client differs.
            self.endpoint_url = self.endpoint_url.replace("/chat/completions", "")
            client = openai.OpenAI(
                api_key=self.endpoint_api_key.get_secret_value(),
                base_url=self.endpoint_url,
                timeout=kwargs.get("timeout"),
                http_client=openai.DefaultHttpxClient(follow_redirects=False),
            )
            wire: list[Any] = [
                chat.CustomOpenAIChatContentFormatter._convert_message_to_dict(m) for m in messages
            ]
            params = {"stream": True, "stop": stop, "model": None, **kwargs}
            with client:
                chunks = client.chat.completions.create(messages=wire, **params)
                yield from _generation_chunks(
                    chunks, chat._convert_delta_to_message_chunk, run_manager
                )

    return NotebookChatModel, NoRedirectClient


def _generation_chunks(
    chunks: Any, convert: Any, run_manager: CallbackManagerForLLMRun | None
) -> Iterator[ChatGenerationChunk]:
    """The library's loop over the OpenAI stream, within the time and event limits."""
    limits, started, parts = DEFAULT_LIMITS, time.perf_counter(), list[str]()
    default_class: type[BaseMessageChunk] = AIMessageChunk
    for count, item in enumerate(chunks, start=1):
        if count > limits.max_events or time.perf_counter() - started > limits.max_seconds:
            limit = "max_events" if count > limits.max_events else "max_seconds"
            raise limit_error(limit, limits, "".join(parts))
        chunk = item if isinstance(item, dict) else item.model_dump()
        if not chunk["choices"]:
            continue
        choice = chunk["choices"][0]
        message = convert(choice["delta"], default_class)
        info = {"finish_reason": choice["finish_reason"]} if choice.get("finish_reason") else {}
        if choice.get("logprobs"):
            info["logprobs"] = choice["logprobs"]
        default_class = message.__class__
        generation = ChatGenerationChunk(message=message, generation_info=info or None)
        parts.append(generation.text)
        if run_manager:
            run_manager.on_llm_new_token(
                generation.text, chunk=generation, logprobs=choice.get("logprobs")
            )
        yield generation


__all__ = ["notebook_classes"]
