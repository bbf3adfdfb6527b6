"""A comparison setup as a short text for a link, and back: never a key.

    text = encode_setup(setup, redactor=redactor)   # "c1." + urlsafe base64 of zlib of JSON
    setup = decode_setup(text)                      # the same setup, or SetupError

What travels: the mode, the prompt, the shared-parameters switch and parameters, and per
column the endpoint's label, profile id, URL, deployment, parameters and system prompt.

The encoder reads the setup's fields by name from an allow-list and refuses a field it does
not know, a parameter no profile offers, and a URL carrying credentials or a query; given the
page's `Redactor`, it also refuses a setup that holds the key anywhere (pasted into a prompt,
say). So a key cannot be put in a link. The decoder checks the same things and everything
`validate_setup` checks, on a size-limited text, and either returns a whole setup or raises
`SetupError` saying what to do: nothing is half-applied. Errors never repeat the link's text.
"""

from __future__ import annotations

import base64
import binascii
import dataclasses
import json
import re
import zlib
from collections.abc import Mapping
from typing import Any

from .compare import (
    MAX_COLUMNS,
    ColumnSetup,
    CompareMode,
    CompareSetup,
    SetupError,
    type_problem,
    validate_setup,
)
from .profiles import PROFILES, Param
from .redact import Redactor

PREFIX = "c1."  # the format's version: a future format gets a new prefix
#: Longest text accepted: with the page's address in front, a link stays under ~8 KB.
MAX_CHARS = 7_000
#: Largest JSON a shared text may inflate to (zlib squeezes repeated text very well).
MAX_JSON_BYTES = 64 * 1024
SETUP_FIELDS = ("mode", "prompt", "same_params", "params", "columns")
COLUMN_FIELDS = ("label", "profile", "url", "deployment", "params", "system")
#: Every parameter some profile offers, by name (kinds agree across profiles).
SHAREABLE_PARAMS: Mapping[str, Param] = {
    p.name: p for profile in PROFILES.values() for p in profile.params
}
_BASE64URL = re.compile(r"[A-Za-z0-9_-]*")
_DAMAGED = "The shared setup is damaged: copy the whole link again, or ask for a new one."


def encode_setup(setup: CompareSetup, *, redactor: Redactor | None = None) -> str:
    """`setup` as a link-safe text; SetupError when it cannot be shared (a field or parameter
    that is not shared, the key inside, a setup that would not run, or too long)."""
    payload = _fields(setup, SETUP_FIELDS, "setup")
    payload["columns"] = [_fields(c, COLUMN_FIELDS, "column") for c in setup.columns]
    _setup_from(payload)  # what the decoder will check, checked now
    text = json.dumps(payload, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
    if redactor is not None and redactor.text(text) != text:
        raise SetupError(
            "The setup contains your key (in a prompt, a parameter, a label or a URL): take it "
            "out before sharing."
        )
    # "surrogatepass": text from a browser may hold half an emoji; it travels as it is.
    packed = base64.urlsafe_b64encode(zlib.compress(text.encode("utf-8", "surrogatepass"), 9))
    encoded = PREFIX + packed.rstrip(b"=").decode("ascii")
    if len(encoded) > MAX_CHARS:
        raise SetupError(
            f"The setup is too long to share as a link ({len(encoded):,} characters packed; "
            f"the limit is {MAX_CHARS:,}): use a shorter prompt or shorter system prompts."
        )
    return encoded


def decode_setup(text: str) -> CompareSetup:
    """The setup `text` holds; SetupError when it is not one this playground made, is
    damaged or too large, or holds a setup that would not run."""
    text = text.strip()
    if len(text) > MAX_CHARS:
        raise SetupError(
            f"The shared setup is longer than {MAX_CHARS:,} characters: ask for a new link."
        )
    if not text.startswith(PREFIX):
        raise SetupError(
            "This is not a setup shared by this playground (or it is from a newer version): "
            "ask for a new link."
        )
    body = text[len(PREFIX) :]
    if not _BASE64URL.fullmatch(body):
        raise SetupError(_DAMAGED)
    try:
        packed = base64.urlsafe_b64decode(body + "=" * (-len(body) % 4))
    except (binascii.Error, ValueError):
        raise SetupError(_DAMAGED) from None
    raw = _inflate(packed)
    try:
        payload = json.loads(
            raw.decode("utf-8", "surrogatepass"),
            parse_constant=_no_constant,
            object_pairs_hook=_no_repeats,
        )
    except (ValueError, RecursionError):  # UnicodeDecodeError is a ValueError
        raise SetupError(_DAMAGED) from None
    return _setup_from(payload)


def _fields(record: Any, allowed: tuple[str, ...], what: str) -> dict[str, Any]:
    """The dataclass `record`'s fields by name; SetupError for a field not in `allowed`."""
    names = [f.name for f in dataclasses.fields(record)]
    unknown = [name for name in names if name not in allowed]
    if unknown:  # a field name is code, not user text: safe to name
        raise SetupError(f'A {what} field "{unknown[0]}" is not shared: only {", ".join(allowed)}.')
    return {name: getattr(record, name) for name in allowed}


def _inflate(packed: bytes) -> bytes:
    """The JSON text zlib packed, at most `MAX_JSON_BYTES` of it; SetupError otherwise."""
    inflater = zlib.decompressobj()
    try:
        raw = inflater.decompress(packed, MAX_JSON_BYTES + 1)
    except zlib.error:
        raise SetupError(_DAMAGED) from None
    if len(raw) > MAX_JSON_BYTES or inflater.unconsumed_tail:
        raise SetupError(f"The shared setup unpacks to more than {MAX_JSON_BYTES:,} bytes.")
    if not inflater.eof or inflater.unused_data:  # cut short, or something after the end
        raise SetupError(_DAMAGED)
    return raw


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a number JSON allows")


def _no_repeats(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    record = dict(pairs)
    if len(record) != len(pairs):
        raise ValueError("a repeated name")
    return record


def _setup_from(payload: Any) -> CompareSetup:
    """The setup `payload` describes, checked as a whole; SetupError otherwise."""
    record = _record(payload, SETUP_FIELDS, "setup")
    columns = record["columns"]
    if not isinstance(columns, list) or not columns or len(columns) > MAX_COLUMNS:
        raise SetupError(f"A shared setup holds 1 to {MAX_COLUMNS} columns.")
    if record["mode"] not in {m.value for m in CompareMode}:
        raise SetupError(f"The mode must be one of {', '.join(m.value for m in CompareMode)}.")
    if not isinstance(record["same_params"], bool):
        raise SetupError("same_params must be true or false.")
    setup = CompareSetup(
        mode=CompareMode(record["mode"]),
        columns=tuple(_column_from(column) for column in columns),
        prompt=_text(record["prompt"], "prompt"),
        same_params=record["same_params"],
        params=_params(record["params"]),
    )
    problems = validate_setup(setup)
    if problems:
        raise SetupError("The setup cannot be shared or used: " + " ".join(problems))
    return setup


def _column_from(payload: Any) -> ColumnSetup:
    record = _record(payload, COLUMN_FIELDS, "column")
    texts = {name: _text(record[name], name) for name in COLUMN_FIELDS if name != "params"}
    return ColumnSetup(**texts, params=_params(record["params"]))


def _record(payload: Any, names: tuple[str, ...], what: str) -> dict[str, Any]:
    """`payload` as a mapping with exactly `names` as keys (which are never echoed)."""
    if not isinstance(payload, Mapping) or set(payload) != set(names):
        raise SetupError(f"A shared {what} must have exactly these fields: {', '.join(names)}.")
    return dict(payload)


def _text(value: Any, name: str) -> str:
    if not isinstance(value, str):
        raise SetupError(f"The {name} must be text.")
    return value


def _params(value: Any) -> dict[str, Any]:
    """Shareable parameters of the right kind; unknown names refused (never echoed: a key
    pasted as a name must not come back in a message)."""
    if not isinstance(value, Mapping):
        raise SetupError("The parameters must be a set of names and values.")
    for name, item in value.items():
        param = SHAREABLE_PARAMS.get(name) if isinstance(name, str) else None
        if param is None:
            raise SetupError(
                f"Only these parameters are shared: {', '.join(SHAREABLE_PARAMS)}; remove the "
                "others."
            )
        problem = type_problem(param, item)  # ranges: per profile, in validate_setup
        if problem:
            raise SetupError(problem)
    return dict(value)


__all__ = [
    "COLUMN_FIELDS",
    "MAX_CHARS",
    "MAX_JSON_BYTES",
    "PREFIX",
    "SETUP_FIELDS",
    "SHAREABLE_PARAMS",
    "decode_setup",
    "encode_setup",
]
