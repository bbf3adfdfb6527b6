"""The public names of `core`, pinned (httpx `tests/test_exported_members.py`).

Adding or removing a public name is a decision: it changes this list too.
"""

from __future__ import annotations

import inspect

import core

EXPECTED = [
    "ALLOWED_HOSTS_ENV",
    "COGNITIVE_SCOPE",
    "DEFAULT_ALLOWED",
    "DEFAULT_LIMITS",
    "ENDPOINT_ENV",
    "FOUNDRY_SCOPE",
    "HOSTED_ALLOWED",
    "HOSTED_ENV",
    "KEY_ENV",
    "PROFILES",
    "SERVER_IDENTITY_ENV",
    "TOKEN_ENV",
    "APIStatusError",
    "AuthStyle",
    "AuthenticationError",
    "BadRequestError",
    "BlindOrder",
    "BlockedHostError",
    "Client",
    "ColumnMetrics",
    "ColumnSetup",
    "CompareMode",
    "CompareSetup",
    "Completion",
    "ConnectError",
    "ContentFilterError",
    "ContextLengthError",
    "CredentialError",
    "CredentialToken",
    "Diff",
    "DiffOp",
    "DiffSegment",
    "Endpoint",
    "EndpointError",
    "Exchange",
    "ExtraParameters",
    "ExtraParametersError",
    "FilterCategory",
    "FilterResults",
    "HostPolicy",
    "InterruptedStreamError",
    "InvalidRequestError",
    "InvalidResponseError",
    "LimitExceededError",
    "Limits",
    "LiveStream",
    "ModelPlace",
    "NotFoundError",
    "Param",
    "PiecesSource",
    "Profile",
    "RateLimitError",
    "RawResponse",
    "Recognition",
    "Redactor",
    "RedirectError",
    "Reply",
    "ReplyStatus",
    "RequestRecord",
    "RequestSpec",
    "RequestTimeoutError",
    "Retirement",
    "RetryCancelled",
    "RetryHooks",
    "RetryNotice",
    "RetryPolicy",
    "RetryWait",
    "Routes",
    "SSEDecoder",
    "SdkForm",
    "SdkTarget",
    "Secret",
    "SentRequest",
    "ServerError",
    "ServerSentEvent",
    "ServiceHeaders",
    "SetupError",
    "Source",
    "StaticToken",
    "TallyRow",
    "TextStream",
    "TextStreamSource",
    "TimedEvent",
    "TimeoutError",
    "TokenSource",
    "TransportError",
    "ValidationError",
    "Vote",
    "call_with_retries",
    "cast_vote",
    "column_metrics",
    "completion_from_json",
    "decode_setup",
    "diff_words",
    "encode_setup",
    "exports",
    "is_auto_retried",
    "iter_events",
    "machine_login",
    "origin_of",
    "parse_body_text",
    "recognize",
    "report_html",
    "report_markdown",
    "server_identity_allowed",
    "split_route",
    "sweep",
    "swept",
    "tally",
    "to_curl",
    "to_openai",
    "to_requests",
    "to_urllib",
    "validate_setup",
    "validate_url",
]


def test_all_is_the_expected_list() -> None:
    assert core.__all__ == EXPECTED


def test_every_name_in_all_is_importable_from_core() -> None:
    namespace: dict[str, object] = {}
    exec("from core import *", namespace)  # what `import *` gives is exactly __all__
    assert sorted(name for name in namespace if name != "__builtins__") == sorted(core.__all__)
    for name in core.__all__:
        assert getattr(core, name) is namespace[name], name


def test_every_public_name_of_core_is_in_all() -> None:
    public = {
        name
        for name, value in vars(core).items()
        if not name.startswith("_") and not inspect.ismodule(value)
    }
    assert public == set(core.__all__)
