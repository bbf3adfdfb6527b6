"""The notebooks' own backend: langchain-community's `AzureMLChatOnlineEndpoint`, set up so
that it works as shipped today (each change, and why, is in `notebook_differences.toml`).

It does its own HTTP (urllib for invoke, the openai client for stream), so langchain-community
and openai are imported only inside these functions, when the backend is chosen;
`core.transport.backend_error` turns their failures into `core.errors`.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any

from langchain_core.language_models import LanguageModelInput
from langchain_core.messages import BaseMessage
from langchain_core.runnables import Runnable

from ..config import checked_key
from ..hosts import HostPolicy
from ..notebook import community_url
from ..params import clean_params
from .community_http import notebook_classes


def community_chat_model(
    url: str, key: str, *, timeout: int = 50, hosts: HostPolicy | None = None, **params: Any
) -> Runnable[LanguageModelInput, BaseMessage]:
    """A new `AzureMLChatOnlineEndpoint` for one request, set up as `community_code` shows.

    Build one per request (see NOTEBOOK_DIFFERENCES). It does its own HTTP, so the host is
    checked against `hosts` here, and its HTTP refuses redirects (`community_http.py`); its
    failures are `urllib`/`openai` exceptions, which `core.transport.backend_error` turns
    into `core.errors`.
    """
    endpoint_url = community_url(url)
    if hosts is not None:
        hosts.check(endpoint_url)
    key = checked_key(key)
    from langchain_community.chat_models.azureml_endpoint import CustomOpenAIChatContentFormatter

    model_class, client_class = notebook_classes()
    sent = clean_params(params)
    llm = model_class(
        endpoint_url=endpoint_url,
        # Both as plain strings: its "before" validator str()s them, which turns a SecretStr
        # into asterisks and the enum member into a name that fails (notebook differences 1).
        endpoint_api_key=key,  # type: ignore[arg-type]
        endpoint_api_type="serverless",  # type: ignore[arg-type]
        model_kwargs=dict(sent),
        content_formatter=CustomOpenAIChatContentFormatter(),
        timeout=timeout,
    )
    # Its invoke opens URLs itself; this client refuses redirects (community_http.py).
    llm.http_client = client_class(endpoint_url, key, timeout=timeout)
    return llm.bind(**sent)


def community_request_body(
    messages: Sequence[BaseMessage],
    params: Mapping[str, Any],
    *,
    stream: bool = False,
    stop: list[str] | None = None,
) -> dict[str, Any]:
    """The JSON body the community backend sends for these messages, rebuilt with its formatter.

    invoke: `{"messages", **model_kwargs}`; stream: what `_stream` hands the OpenAI client.
    """
    from langchain_community.chat_models.azureml_endpoint import CustomOpenAIChatContentFormatter
    from langchain_community.llms.azureml_endpoint import AzureMLEndpointApiType

    sent = clean_params(params)
    if stop:
        sent["stop"] = stop
    formatter = CustomOpenAIChatContentFormatter()
    if not stream:
        body = formatter.format_messages_request_payload(
            list(messages), sent, AzureMLEndpointApiType.serverless
        )
        payload: dict[str, Any] = json.loads(body)
        return payload
    wire = [formatter._convert_message_to_dict(m) for m in messages]
    return {"model": None, "stream": True, "messages": wire, "stop": stop, **sent}


__all__ = ["community_chat_model", "community_request_body"]
