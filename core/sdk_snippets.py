"""Code export with the openai SDK, the way Azure's documentation teaches each surface.

- Azure OpenAI v1 and OpenAI-compatible servers: `OpenAI(base_url=".../openai/v1/",
  api_key=...)` (the key travels as `Bearer`, which v1 accepts; `docs/azure-v1.md` §2).
- Classic deployments: `AzureOpenAI(azure_endpoint=..., api_version=..., api_key=...)`, which
  puts the deployment (`model=`) in the path and the key in `api-key` (§1.2).
- Entra ID: azure-identity's `get_bearer_token_provider(DefaultAzureCredential(), scope)`,
  given to `OpenAI` as its `api_key` (the SDK calls it for each request) or to `AzureOpenAI`
  as `azure_ad_token_provider`. The token is never written out.

The request is the `RequestSpec` the client exported; its `sdk` says which client speaks the
surface (None: the SDK does not, and `to_openai` refuses). `exports` gives every form.
"""

from __future__ import annotations

import textwrap
from collections.abc import Callable
from typing import Any

from .code_text import call, import_block, py
from .errors import InvalidRequestError
from .snippets import RequestSpec, SdkTarget, to_curl, to_requests, to_urllib

#: Keyword arguments of `client.chat.completions.create`; other body fields go in `extra_body`.
KNOWN_ARGUMENTS = frozenset(
    {
        "frequency_penalty", "logit_bias", "logprobs", "max_completion_tokens", "max_tokens",
        "metadata", "n", "parallel_tool_calls", "presence_penalty", "reasoning_effort",
        "response_format", "seed", "service_tier", "stop", "store", "temperature",
        "tool_choice", "tools", "top_logprobs", "top_p", "user",
    }
)  # fmt: skip
#: Body fields the SDK call writes itself.
_OWN_FIELDS = ("messages", "model", "stream", "stream_options")
ENTRA_IMPORT = "from azure.identity import DefaultAzureCredential, get_bearer_token_provider"
#: Headers the SDK sets itself.
_OWN_HEADERS = frozenset({"content-type", "accept"})


def to_openai(spec: RequestSpec, key: str | None = None) -> str:
    """Python with the openai SDK (`pip install openai`, plus azure-identity for Entra).

    The key comes from the spec's variable unless `key` is given (and the key is the user's);
    an Entra token always comes from azure-identity. Raises InvalidRequestError when the SDK
    does not speak the request's surface (`spec.sdk` is None).
    """
    target, payload = spec.sdk, spec.payload
    if target is None or not isinstance(payload, dict) or "messages" not in payload:
        raise InvalidRequestError("The openai SDK form exists for chat requests on this surface.")
    imports, head, client = _client(spec, target, spec.shown_key(key))
    code = import_block(imports) + "\n" + head + client
    code += "messages = " + _rows(payload["messages"]) + "\n"
    code += _call(spec, target, payload)
    return code


def exports(spec: RequestSpec, key: str | None = None) -> dict[str, str]:
    """Every form of the request, by name: curl, requests, urllib, and openai when the SDK
    speaks the surface (a code panel shows one tab each)."""
    writers: dict[str, Callable[[RequestSpec, str | None], str]] = {
        "curl": to_curl,
        "requests": to_requests,
        "urllib": to_urllib,
    }
    if spec.sdk is not None and isinstance(spec.payload, dict) and "messages" in spec.payload:
        writers["openai"] = to_openai
    return {name: write(spec, key) for name, write in writers.items()}


def _client(spec: RequestSpec, target: SdkTarget, key: str | None) -> tuple[list[str], str, str]:
    """The imports, what precedes the client, and the client itself."""
    azure = target.form == "azure-openai"
    cls = "AzureOpenAI" if azure else "OpenAI"
    imports = [f"from openai import APIStatusError, {cls}"]
    head = ""
    if azure:
        fields = [f"azure_endpoint={py(target.base_url)}", f"api_version={py(target.api_version)}"]
    else:
        fields = [f"base_url={py(target.base_url + '/')}"]
        if target.api_version:
            fields.append(f"default_query={py({'api-version': target.api_version})}")
    if target.entra_scope:
        imports.append(ENTRA_IMPORT)
        head = (
            "token_provider = get_bearer_token_provider(\n"
            f"    DefaultAzureCredential(), {py(target.entra_scope)}\n"
            ")\n"
        )
        name = "azure_ad_token_provider" if azure else "api_key"
        fields.append(f"{name}=token_provider  # a fresh Entra ID token for each request")
    elif spec.auth_header is None:
        fields.append('api_key="none"  # this endpoint takes no key')
    elif key is not None:
        fields.append(f"api_key={py(key)}")
    else:
        imports.append("import os")
        fields.append(f"api_key=os.environ[{py(spec.key_env)}]")
    headers = {k: v for k, v in spec.headers.items() if k.lower() not in _OWN_HEADERS}
    if headers:
        fields.append(f"default_headers={py(headers)}")
    fields.append(f"timeout={spec.timeout:g}")
    return imports, head + ("\n" if head else ""), call(f"client = {cls}", fields) + "\n"


def _call(spec: RequestSpec, target: SdkTarget, payload: dict[str, Any]) -> str:
    """The request, and what it prints: the text (as it arrives, for a stream), or on an
    error status the status, headers and body."""
    model = target.deployment or payload.get("model")
    fields = [f"model={py(model)}" + ("  # the deployment name" if target.deployment else "")]
    fields.append("messages=messages")
    extra = {}
    for name, value in payload.items():
        if name in _OWN_FIELDS:
            continue
        if name in KNOWN_ARGUMENTS:
            fields.append(f"{name}={py(value)}")
        else:
            extra[name] = value
    if extra:
        fields.append(f"extra_body={py(extra)}")
    if spec.streams:
        fields.append("stream=True")
        if "stream_options" in payload:
            fields.append(f"stream_options={py(payload['stream_options'])}")
    request = textwrap.indent(call("reply = client.chat.completions.create", fields), "    ")
    if spec.streams:
        shown = (
            "    for chunk in reply:  # the first event (content-filter results) has no choices\n"
            "        for choice in chunk.choices:\n"
            '            print(choice.delta.content or "", end="", flush=True)\n'
            "    print()\n"
        )
    else:
        shown = "    print(reply.choices[0].message.content)\n"
    return (
        "\ntry:\n"
        + request
        + shown
        + "except APIStatusError as error:\n"
        + "    # The headers carry the request id, useful when asking for help.\n"
        + "    print(error.status_code, dict(error.response.headers), error.response.text)\n"
    )


def _rows(items: Any) -> str:
    """A list literal with one item a line."""
    if not isinstance(items, list) or not items:
        return py(items)
    return "[\n" + "".join(f"    {py(item)},\n" for item in items) + "]"


__all__ = ["KNOWN_ARGUMENTS", "exports", "to_openai"]
