"""Code export: the same request as curl, Python `requests` and Python `urllib`.

These are the three forms the source notebooks teach, done right: the key comes from an
environment variable (the profile's: `AZURE_AI_CHAT_KEY`, or `AZURE_OPENAI_API_KEY` on Azure
OpenAI) unless the caller asks to include it; an Entra ID token always comes from
`AZURE_OPENAI_AD_TOKEN` and is never written out (`docs/azure-v1.md` §2); streams are read
as they arrive (`curl -N`, `requests` with `stream=True`, `urllib` line by line) and only
`data:` lines are decoded; errors print the status, headers and body, as the notebooks
advise for debugging. The openai SDK form is in `sdk_snippets.py`.
"""

from __future__ import annotations

import json
import pprint
import shlex
from dataclasses import dataclass
from typing import Any

from .config import KEY_ENV

_INDENT = "    "


@dataclass(frozen=True)
class SdkTarget:
    """What the openai SDK form needs for a chat request: the client (`form`: "openai" or
    "azure-openai"), the URL it takes, the deployment, the api-version, and the Entra scope
    when the token comes from azure-identity ("" for a key)."""

    form: str
    base_url: str
    deployment: str = ""
    api_version: str = ""
    entra_scope: str = ""


@dataclass(frozen=True)
class RequestSpec:
    """What to export: the request without its key, and how the key is carried.

    `hosts_key` is True when the credential must never be written out: the host's key, or an
    Entra token. `key_env` names the variable the code reads it from. `sdk` is set when the
    openai SDK can send this request (`sdk_snippets.to_openai`).
    """

    method: str
    url: str
    headers: dict[str, str]
    body: str
    auth_header: str | None = None  # e.g. "Authorization"
    auth_prefix: str = ""  # e.g. "Bearer "
    timeout: float = 60.0
    hosts_key: bool = False  # the host's key, or an Entra token: never exported
    key_env: str = KEY_ENV
    sdk: SdkTarget | None = None

    @property
    def payload(self) -> Any:
        """The body as JSON, or None when it is empty, not JSON, or nested too deeply."""
        try:
            return json.loads(self.body) if self.body else None
        except (ValueError, RecursionError):
            return None

    def shown_key(self, key: str | None) -> str | None:
        """The key an export may include: None (read from the environment) for the host's."""
        return None if self.hosts_key else key

    @property
    def streams(self) -> bool:
        """True when the body asks for a stream (`true`, or the notebooks' string "True")."""
        payload = self.payload
        value = payload.get("stream") if isinstance(payload, dict) else None
        return value is True or (isinstance(value, str) and value.lower() == "true")


def to_curl(spec: RequestSpec, key: str | None = None) -> str:
    """A curl command; `-N` turns off buffering for streams."""
    key = spec.shown_key(key)
    parts = ["curl", "-X", spec.method, "-L"]
    if spec.streams:
        parts.append("-N")
    lines = [" ".join(parts) + " " + shlex.quote(spec.url)]
    for name, value in spec.headers.items():
        lines.append("-H " + shlex.quote(f"{name}: {value}"))
    if spec.auth_header:
        if key is None:
            lines.append(f'-H "{spec.auth_header}: {spec.auth_prefix}${spec.key_env}"')
        else:
            lines.append("-H " + shlex.quote(f"{spec.auth_header}: {spec.auth_prefix}{key}"))
    if spec.body:
        lines.append("-d " + shlex.quote(_compact(spec)))
    return " \\\n  ".join(lines) + "\n"


def to_requests(spec: RequestSpec, key: str | None = None) -> str:
    """Python with `requests`; streams are read with `stream=True` as the bytes arrive."""
    call = f"requests.request({spec.method!r}, url, headers=headers{_body_arg(spec, 'json=')}"
    call += f", timeout={spec.timeout:g}"
    code = [*_imports(spec, "requests"), "", *_preamble(spec, spec.shown_key(key))]
    if spec.streams:
        code += [
            "",
            f"with {call}, stream=True) as response:",
            _INDENT + "if response.status_code >= 400:",
            _INDENT * 2 + "print(response.status_code, dict(response.headers), response.text)",
            _INDENT + "else:",
            # iter_lines on bytes splits on CR/LF only; decode each data line ourselves.
            _INDENT * 2 + "for line in response.iter_lines(chunk_size=None):",
            *_stream_loop(_INDENT * 3),
            _INDENT * 2 + "print()",
        ]
    else:
        code += [
            "",
            f"response = {call})",
            "if response.status_code >= 400:",
            _INDENT + "# The headers carry the request id and date, useful when asking for help.",
            _INDENT + "print(response.status_code, dict(response.headers))",
            "print(response.text)",
        ]
    return "\n".join(code) + "\n"


def to_urllib(spec: RequestSpec, key: str | None = None) -> str:
    """Python with the standard library only; a stream is read line by line as it arrives."""
    data = _body_arg(spec, "data=", urllib=True)
    code = [*_imports(spec, "urllib"), "", *_preamble(spec, spec.shown_key(key)), ""]
    code.append(
        f"request = urllib.request.Request(url{data}, headers=headers, method={spec.method!r})"
    )
    code += [
        "try:",
        _INDENT + f"with urllib.request.urlopen(request, timeout={spec.timeout:g}) as response:",
    ]
    if spec.streams:
        code += [
            _INDENT * 2 + "for line in response:  # one line at a time, as the server sends it",
            *_stream_loop(_INDENT * 3),
            _INDENT * 2 + "print()",
        ]
    else:
        code.append(_INDENT * 2 + 'print(response.read().decode("utf-8"))')
    code += [
        "except urllib.error.HTTPError as error:",
        _INDENT + 'print("The request failed with status code:", error.code)',
        _INDENT + "# The headers carry the request id and date, useful when asking for help.",
        _INDENT + "print(error.headers)",
        _INDENT + 'print(error.read().decode("utf-8", "ignore"))',
    ]
    return "\n".join(code) + "\n"


def _imports(spec: RequestSpec, library: str) -> list[str]:
    stdlib = ["json"] if spec.payload is not None or spec.streams else []
    if spec.auth_header:
        stdlib.append("os")
    if library == "urllib":
        stdlib += ["urllib.error", "urllib.request"]
    lines = [f"import {name}" for name in sorted(stdlib)]
    if library == "requests":
        lines += ["", "import requests"] if lines else ["import requests"]
    return lines


def _preamble(spec: RequestSpec, key: str | None) -> list[str]:
    lines = [f"url = {spec.url!r}", "headers = {"]
    lines += [f"{_INDENT}{name!r}: {value!r}," for name, value in spec.headers.items()]
    if spec.auth_header:
        secret = f"os.environ[{spec.key_env!r}]" if key is None else repr(key)
        value = f"{spec.auth_prefix!r} + {secret}" if spec.auth_prefix else secret
        lines.append(f"{_INDENT}{spec.auth_header!r}: {value},")
    lines.append("}")
    if spec.payload is not None:
        lines.append("payload = " + pprint.pformat(spec.payload, sort_dicts=False, width=88))
    elif spec.body:
        lines.append(f"body = {spec.body!r}")
    return lines


def _body_arg(spec: RequestSpec, keyword: str, *, urllib: bool = False) -> str:
    if spec.payload is not None:
        return ", data=json.dumps(payload).encode()" if urllib else f", {keyword}payload"
    if spec.body:
        return ", data=body.encode()"
    return ""


def _stream_loop(pad: str) -> list[str]:
    return [
        pad + 'line = line.strip() if isinstance(line, str) else line.decode("utf-8").strip()',
        pad + 'if not line.startswith("data:"):',
        pad + _INDENT + "continue",
        pad + "data = line[5:].strip()",
        pad + 'if data == "[DONE]":',
        pad + _INDENT + "break",
        pad + 'for choice in json.loads(data).get("choices") or []:',
        pad + _INDENT + 'piece = (choice.get("delta") or {}).get("content") or choice.get("text")',
        pad + _INDENT + 'print(piece or "", end="", flush=True)',
    ]


def _compact(spec: RequestSpec) -> str:
    payload = spec.payload
    if payload is None:
        return spec.body
    return json.dumps(payload, ensure_ascii=False, separators=(",", ":"))
