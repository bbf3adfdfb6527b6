"""core.share: a setup survives the round trip; a key cannot get into a link (a canary key in
every field that is not shared, and through the redactor in every field that is); damaged,
tampered and oversized texts fail with a clear message and nothing half-decoded."""

from __future__ import annotations

import base64
import dataclasses
import json
import random
import zlib
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from core.compare import ColumnSetup, CompareMode, CompareSetup, SetupError, validate_setup
from core.profiles import PROFILES
from core.redact import Redactor
from core.share import (
    COLUMN_FIELDS,
    MAX_CHARS,
    MAX_JSON_BYTES,
    PREFIX,
    SETUP_FIELDS,
    SHAREABLE_PARAMS,
    decode_setup,
    encode_setup,
)

CANARY = "CANARY-9f8e7d6c5b4a39281706f5e4d3c2b1a0"
URLS = (
    "https://llama.eastus2.models.ai.azure.com",
    "https://res.openai.azure.com/openai/deployments/gpt-4o/chat/completions",
    "http://127.0.0.1:8765",
    "http://localhost:8000/v1",
)


def column(label: str = "Llama", **more: Any) -> ColumnSetup:
    fields = {"profile": "serverless", "url": URLS[0], **more}
    return ColumnSetup(label, **fields)


def setup(*columns: ColumnSetup, **more: Any) -> CompareSetup:
    fields = {"prompt": "Name three rivers.", "params": {"temperature": 0.7}, **more}
    return CompareSetup(CompareMode.MODELS, columns or (column(), column("Mistral")), **fields)


def pack(payload: Any) -> str:
    """A shared text made by hand, for payloads the encoder would refuse to make."""
    text = payload if isinstance(payload, str) else json.dumps(payload)
    return PREFIX + base64.urlsafe_b64encode(zlib.compress(text.encode())).decode().rstrip("=")


def payload_of(value: CompareSetup) -> dict[str, Any]:
    return json.loads(zlib.decompress(base64.urlsafe_b64decode(encode_setup(value)[3:] + "==")))


# Round trip ------------------------------------------------------------------------------------

TEXT = st.text(max_size=60)


def param_values(profile_id: str) -> st.SearchStrategy[dict[str, Any]]:
    strategies: dict[str, st.SearchStrategy[Any]] = {}
    for param in PROFILES[profile_id].params:
        if param.kind is str:
            strategies[param.name] = TEXT | st.lists(TEXT, max_size=3)
        elif param.kind is int:
            strategies[param.name] = st.integers(int(param.minimum or 0), int(param.maximum or 9))
        else:
            low, high = param.minimum, param.maximum
            strategies[param.name] = st.floats(low, high, allow_nan=False)
    return st.fixed_dictionaries({}, optional=strategies)


@st.composite
def columns(draw: st.DrawFn, one_endpoint: bool) -> tuple[ColumnSetup, ...]:
    count = draw(st.integers(2, 4))
    endpoint = None
    made = []
    for _ in range(count):
        if endpoint is None or not one_endpoint:
            endpoint = (
                draw(st.sampled_from(sorted(PROFILES))),
                draw(st.sampled_from(URLS)),
                draw(TEXT),
            )
        profile, url, deployment = endpoint
        params = draw(param_values(profile))
        made.append(ColumnSetup(draw(TEXT), profile, url, deployment, params, draw(TEXT)))
    return tuple(made)


@st.composite
def setups(draw: st.DrawFn) -> CompareSetup:
    mode = draw(st.sampled_from(list(CompareMode)))
    same = False if mode == CompareMode.PARAMETERS else draw(st.booleans())
    shared = draw(param_values("llama2-chat"))  # parameters every profile takes
    if "max_tokens" in shared:
        shared["max_tokens"] = min(shared["max_tokens"], 2048)  # the smallest ceiling
    prompt = draw(st.text(min_size=1, max_size=200).filter(str.strip))
    cols = draw(columns(one_endpoint=mode != CompareMode.MODELS))
    return CompareSetup(mode, cols, prompt, same, shared)


@given(setups())
@settings(max_examples=150)
def test_a_setup_survives_the_round_trip(value: CompareSetup) -> None:
    assert validate_setup(value) == []
    encoded = encode_setup(value, redactor=Redactor(CANARY))
    assert encoded.startswith(PREFIX) and len(encoded) <= MAX_CHARS
    assert set(encoded[len(PREFIX) :]) <= set(
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
    )
    assert decode_setup(encoded) == value


def test_the_text_is_compact_and_versioned() -> None:
    encoded = encode_setup(setup())
    assert encoded.startswith("c1.") and len(encoded) < 250
    assert payload_of(setup()) == {
        "mode": "models",
        "prompt": "Name three rivers.",
        "same_params": True,
        "params": {"temperature": 0.7},
        "columns": [
            {
                "label": name,
                "profile": "serverless",
                "url": URLS[0],
                "deployment": "",
                "params": {},
                "system": "",
            }
            for name in ("Llama", "Mistral")
        ],
    }
    assert decode_setup("  " + encoded + "\n") == setup()  # as pasted


def test_text_with_a_lone_surrogate_survives() -> None:
    value = setup(prompt="half an emoji: \ud83d")
    assert decode_setup(encode_setup(value)) == value


# No key in a link ------------------------------------------------------------------------------

SECRET_NAMES = ["key", "api_key", "api-key", "authorization", "token", "headers", CANARY]


@pytest.mark.parametrize("name", SECRET_NAMES[:-1])
def test_a_column_field_that_is_not_shared_is_refused(name: str) -> None:
    extra = dataclasses.make_dataclass(
        "KeyedColumn", [(name.replace("-", "_"), str, CANARY)], bases=(ColumnSetup,), frozen=True
    )
    keyed = extra("Llama", "serverless", URLS[0])
    with pytest.raises(SetupError, match=r"column field .* is not shared") as caught:
        encode_setup(setup(keyed, column()))
    assert CANARY not in str(caught.value)


@pytest.mark.parametrize("name", SECRET_NAMES[:-1])
def test_a_setup_field_that_is_not_shared_is_refused(name: str) -> None:
    extra = dataclasses.make_dataclass(
        "KeyedSetup", [(name.replace("-", "_"), str, CANARY)], bases=(CompareSetup,), frozen=True
    )
    keyed = extra(CompareMode.MODELS, (column(), column()), "prompt")
    with pytest.raises(SetupError, match=r"setup field .* is not shared") as caught:
        encode_setup(keyed)
    assert CANARY not in str(caught.value)


@pytest.mark.parametrize("name", SECRET_NAMES)
@pytest.mark.parametrize("where", ["shared", "column"])
def test_a_parameter_that_is_not_shared_is_refused_without_naming_it(name: str, where: str) -> None:
    params = {"temperature": 0.5, name: CANARY}
    value = (
        setup(params=params)
        if where == "shared"
        else setup(column(params=params), column(), same_params=False)
    )
    with pytest.raises(SetupError, match="Only these parameters are shared") as caught:
        encode_setup(value)
    assert CANARY not in str(caught.value)


@pytest.mark.parametrize(
    "url",
    [
        f"https://user:{CANARY}@llama.eastus2.models.ai.azure.com",
        f"https://llama.eastus2.models.ai.azure.com?api-key={CANARY}",
        f"https://llama.eastus2.models.ai.azure.com#{CANARY}",
    ],
)
def test_a_url_carrying_a_key_is_refused(url: str) -> None:
    with pytest.raises(SetupError) as caught:
        encode_setup(setup(column(url=url), column()))
    assert CANARY not in str(caught.value)


def every_shared_text_field(secret: str) -> list[CompareSetup]:
    """The same setup with `secret` pasted into each text that is shared, once each."""
    base = setup()
    first = base.columns[0]
    in_column = [
        dataclasses.replace(first, label=secret),
        dataclasses.replace(first, deployment=secret),
        dataclasses.replace(first, system=f"You are helpful. {secret}"),
        dataclasses.replace(first, url=f"{URLS[1]}/{secret}"),
        dataclasses.replace(first, params={"stop": [secret]}),
        dataclasses.replace(first, params={"stop": f"END\n{secret}"}),
    ]
    return [
        dataclasses.replace(base, prompt=f"My key is {secret}"),
        dataclasses.replace(base, params={"stop": secret}),
        *(
            dataclasses.replace(base, columns=(c, *base.columns[1:]), same_params=False)
            for c in in_column
        ),
    ]


@pytest.mark.parametrize("index", range(len(every_shared_text_field(CANARY))))
def test_the_key_in_any_shared_text_is_refused_through_the_redactor(index: int) -> None:
    value = every_shared_text_field(CANARY)[index]
    assert validate_setup(value) == []
    assert CANARY in json.dumps(payload_of(value))  # without the redactor it would travel
    with pytest.raises(SetupError, match="contains your key") as caught:
        encode_setup(value, redactor=Redactor(CANARY))
    assert CANARY not in str(caught.value)


def test_a_key_with_characters_json_escapes_is_still_found() -> None:
    key = 'k"ey\\with/odd+chars'
    with pytest.raises(SetupError, match="contains your key"):
        encode_setup(setup(prompt=f"the key: {key}"), redactor=Redactor(key))


def test_only_known_fields_and_parameters_are_listed() -> None:
    assert SETUP_FIELDS == ("mode", "prompt", "same_params", "params", "columns")
    assert COLUMN_FIELDS == ("label", "profile", "url", "deployment", "params", "system")
    assert {f.name for f in dataclasses.fields(CompareSetup)} == set(SETUP_FIELDS)
    assert {f.name for f in dataclasses.fields(ColumnSetup)} == set(COLUMN_FIELDS)
    assert set(SHAREABLE_PARAMS) == {
        "temperature",
        "top_p",
        "stop",
        "seed",
        "presence_penalty",
        "frequency_penalty",
        "max_tokens",
        "max_completion_tokens",
    }


# Damaged, tampered, oversized ------------------------------------------------------------------


def test_a_setup_too_long_for_a_link_is_refused_with_a_hint() -> None:
    noise = base64.b64encode(random.Random(0).randbytes(6000)).decode()  # incompressible
    with pytest.raises(SetupError, match=r"too long to share .* use a shorter prompt"):
        encode_setup(setup(prompt=noise))


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "not a setup shared by this playground"),
        ("c2.eJyrVgrLz0lVslJQSsrPz1GqBQAmdgT1", "not a setup shared by this playground"),
        ("https://example.com/?setup=c1.abc", "not a setup shared by this playground"),
        ("c1.", "damaged"),
        ("c1.abc$def", "damaged"),
        ("c1.abc=", "damaged"),
        ("c1.a", "damaged"),
        ("c1." + base64.urlsafe_b64encode(b"not zlib").decode(), "damaged"),
        ("c1." + "A" * MAX_CHARS, f"longer than {MAX_CHARS:,} characters"),
    ],
)
def test_text_that_is_not_a_shared_setup(text: str, message: str) -> None:
    with pytest.raises(SetupError, match=message):
        decode_setup(text)


def test_every_truncation_is_damaged() -> None:
    encoded = encode_setup(setup())
    for end in range(len(PREFIX), len(encoded)):
        with pytest.raises(SetupError):
            decode_setup(encoded[:end])


@given(st.data())
@settings(max_examples=300)
def test_a_tampered_text_decodes_whole_or_not_at_all(data: st.DataObject) -> None:
    encoded = encode_setup(setup(column(system="Be brief."), column("B", deployment="d")))
    position = data.draw(st.integers(len(PREFIX), len(encoded) - 1))
    char = data.draw(st.sampled_from("AZaz09-_Q"))
    tampered = encoded[:position] + char + encoded[position + 1 :]
    try:
        result = decode_setup(tampered)
    except SetupError as exc:
        assert str(exc)
    else:
        assert validate_setup(result) == []


def test_trailing_data_after_the_packed_json_is_damaged() -> None:
    packed = zlib.compress(json.dumps(payload_of(setup())).encode()) + b"extra"
    text = PREFIX + base64.urlsafe_b64encode(packed).decode().rstrip("=")
    with pytest.raises(SetupError, match="damaged"):
        decode_setup(text)


def test_a_text_that_unpacks_too_large_is_refused() -> None:
    bomb = pack('{"prompt": "' + " " * (MAX_JSON_BYTES * 4) + '"}')
    assert len(bomb) < MAX_CHARS
    with pytest.raises(SetupError, match="unpacks to more than"):
        decode_setup(bomb)


def changed(**top: Any) -> dict[str, Any]:
    return {**payload_of(setup()), **top}


def with_column(**fields: Any) -> dict[str, Any]:
    payload = payload_of(setup())
    payload["columns"][0] = {**payload["columns"][0], **fields}
    return payload


@pytest.mark.parametrize(
    ("payload", "message"),
    [
        ([], "must have exactly these fields"),
        (changed(key=CANARY), "must have exactly these fields"),
        ({k: v for k, v in changed().items() if k != "prompt"}, "must have exactly these fields"),
        (with_column(key=CANARY), "column must have exactly these fields"),
        (changed(columns=[]), "holds 1 to 4 columns"),
        (changed(columns={"a": 1}), "holds 1 to 4 columns"),
        (changed(columns=[payload_of(setup())["columns"][0]] * 5), "holds 1 to 4 columns"),
        (changed(columns=[payload_of(setup())["columns"][0]]), "2 to 4 columns, not 1"),
        (changed(columns=["x", "y"]), "column must have exactly these fields"),
        (changed(mode="chaos"), "mode must be one of models, parameters, prompts"),
        (changed(mode=1), "mode must be one of"),
        (changed(same_params="yes"), "same_params must be true or false"),
        (changed(prompt=5), "prompt must be text"),
        (changed(prompt=" "), "The prompt is empty"),
        (changed(params=[1]), "parameters must be a set of names and values"),
        (changed(params={CANARY: 1}), "Only these parameters are shared"),
        (changed(params={"temperature": "hot"}), "temperature must be a number, got text"),
        (changed(params={"temperature": 9}), "temperature must be at most 2.0, got 9"),
        (changed(params={"seed": True}), "seed must be a whole number, got true/false"),
        (changed(params={"stop": {"a": CANARY}}), "stop must be text or a list of texts"),
        (with_column(url=5), "url must be text"),
        (with_column(url="file:///etc/passwd"), "must start with https://"),
        (with_column(profile=CANARY), "endpoint kind is not one this playground knows"),
        (with_column(system=None), "system must be text"),
        (
            {**changed(mode="parameters"), "same_params": True},
            "Parameters mode compares parameters",
        ),
    ],
)
def test_a_payload_that_is_not_a_usable_setup(payload: Any, message: str) -> None:
    with pytest.raises(SetupError, match=message) as caught:
        decode_setup(pack(payload))
    assert CANARY not in str(caught.value)


@pytest.mark.parametrize(
    "raw",
    [
        '{"prompt": NaN}',
        '{"prompt": Infinity}',
        '{"mode": "models", "mode": "prompts"}',
        "[" * 30_000 + "]" * 30_000,
        "not json",
        "\udcff",
    ],
)
def test_json_that_is_not_plain_is_damaged(raw: str) -> None:
    text = PREFIX + base64.urlsafe_b64encode(
        zlib.compress(raw.encode("utf-8", "surrogatepass"))
    ).decode().rstrip("=")
    with pytest.raises(SetupError, match="damaged"):
        decode_setup(text)
