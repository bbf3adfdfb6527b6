"""The Llama 2 notebook's own LangChain path: langchain-community's `AzureMLOnlineEndpoint`, a
text LLM, with the notebook's `AzureLlamaAPIContentFormatter`, fixed so that it runs as
langchain-community 0.4.2 ships it (each change, and why: `llama2_differences.toml`).

    llm = llama2_notebook_llm(url, key, system=CHATBOT_SYSTEM, on_request=recorder.add,
                              temperature=0.6, max_tokens=128)
    memory_chain(llm, Mode.NOTEBOOK).invoke(memory_inputs(turn))

The class sends one chat request per prompt: the formatter wraps the prompt as the user
message after a fixed system message. It cannot stream (no `_stream`: `.stream()` yields the
whole reply once). It does its own HTTP through urllib, so this module gives it a client that
refuses redirects and records each request as sent (key redacted); its failures are urllib
exceptions, which `core.transport.backend_error` maps. langchain-community is imported only
when a model is built.
"""

from __future__ import annotations

import functools
import json
import urllib.request
from collections.abc import Callable
from typing import Any

from langchain_core.language_models import BaseLLM

from ..hosts import HostPolicy
from ..notebook import LLAMA2_CHATBOT_SYSTEM, LLAMA2_TRANSLATOR_SYSTEM, community_url
from ..params import clean_params
from ..redact import Redactor
from .recorder import recorded

#: The notebook's system messages: the translator's formatter, and the chatbot's.
TRANSLATOR_SYSTEM = LLAMA2_TRANSLATOR_SYSTEM
CHATBOT_SYSTEM = LLAMA2_CHATBOT_SYSTEM
SOURCE = "The Llama 2 notebook class (AzureMLOnlineEndpoint)"
OnRequest = Callable[[dict[str, Any]], None]


def llama2_notebook_llm(
    url: str,
    key: str,
    *,
    system: str = TRANSLATOR_SYSTEM,
    timeout: int = 50,
    hosts: HostPolicy | None = None,
    on_request: OnRequest | None = None,
    **params: Any,
) -> BaseLLM:
    """A new `AzureMLOnlineEndpoint` with the fixed formatter, for one request.

    Build one per request: its `_generate` writes each call's arguments and stop words into
    the shared `model_kwargs`. `url` reduces to `<host>/models/chat/completions` (the only
    chat path the class takes), checked against `hosts`; `params` become `model_kwargs`.
    """
    endpoint_url = community_url(url)
    if hosts is not None:
        hosts.check(endpoint_url)
    from langchain_community.llms.azureml_endpoint import AzureMLOnlineEndpoint

    formatter_class, client_class = notebook_classes()
    llm = AzureMLOnlineEndpoint(
        endpoint_url=endpoint_url,
        # Plain strings: its "before" validator str()s them (a SecretStr would become
        # asterisks, the enum member a name that fails validation).
        endpoint_api_type="serverless",  # type: ignore[arg-type]
        endpoint_api_key=key,  # type: ignore[arg-type]
        model_kwargs=clean_params(params),
        content_formatter=formatter_class(system),
        timeout=timeout,
    )
    llm.http_client = client_class(endpoint_url, key, timeout, on_request)
    return llm


@functools.cache
def notebook_classes() -> tuple[type[Any], type[Any]]:
    """The notebook's formatter as fixed, and the class's urllib client made safe to host."""
    from langchain_community.llms.azureml_endpoint import (
        AzureMLEndpointApiType,
        AzureMLEndpointClient,
        ContentFormatterBase,
    )
    from langchain_core.outputs import Generation

    class AzureLlamaAPIContentFormatter(ContentFormatterBase):
        """The notebook's content formatter for the Llama 2 API, as it must read today."""

        def __init__(self, system: str = TRANSLATOR_SYSTEM) -> None:
            self.system = system

        @property
        def supported_api_types(self) -> list[AzureMLEndpointApiType]:
            return [AzureMLEndpointApiType.serverless]

        def format_request_payload(
            self, prompt: str, model_kwargs: dict[str, Any], api_type: Any = None
        ) -> bytes:
            messages = [
                {"role": "system", "content": self.system},
                {"role": "user", "content": prompt},  # as typed: no escape_special_characters
            ]
            return json.dumps({"messages": messages, **model_kwargs}).encode()

        def format_response_payload(self, output: bytes, api_type: Any = None) -> Generation:
            return Generation(text=json.loads(output)["choices"][0]["message"]["content"])

    class SafeClient(AzureMLEndpointClient):
        """The class's urllib client, refusing redirects and recording each request."""

        def __init__(self, url: str, key: str, timeout: int, on_request: OnRequest | None) -> None:
            super().__init__(url, key, timeout=timeout)
            self.on_request = on_request

        def call(self, body: bytes, run_manager: Any = None, **kwargs: Any) -> bytes:
            key = self.endpoint_api_key
            headers = {"Content-Type": "application/json", "Authorization": "Bearer " + key}
            request = urllib.request.Request(self.endpoint_url, body, headers)
            timeout = kwargs.get("timeout", self.timeout)
            try:
                with _opener().open(request, timeout=timeout) as reply:
                    data: bytes = reply.read()
                    return data
            finally:  # urllib has added its own headers by now, sent or not
                if self.on_request is not None:
                    items = request.header_items()
                    url = self.endpoint_url
                    self.on_request(recorded("POST", url, items, body, Redactor(key)))

    return AzureLlamaAPIContentFormatter, SafeClient


class _RefuseRedirects(urllib.request.HTTPRedirectHandler):
    """A 3xx becomes urllib's HTTPError for it: nothing is sent to the new location."""

    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


@functools.cache
def _opener() -> urllib.request.OpenerDirector:
    """One opener for the process (its handlers keep no state between requests)."""
    return urllib.request.build_opener(_RefuseRedirects)


__all__ = [
    "CHATBOT_SYSTEM",
    "SOURCE",
    "TRANSLATOR_SYSTEM",
    "llama2_notebook_llm",
    "notebook_classes",
]
