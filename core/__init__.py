"""The playground's library for Azure chat endpoints (serverless, Azure OpenAI v1 and classic
deployments, Foundry Models) and OpenAI-compatible servers: no Streamlit here.

from core import Client, Endpoint
client = Client(Endpoint("http://127.0.0.1:8765", key="..."))
print(client.chat([{"role": "user", "content": "Hello"}]).text)

found = recognize(pasted_url)      # profile id, base URL, deployment, api-version
client = Client(Endpoint(found.url, key=..., auth=AuthStyle.API_KEY,
                         deployment=found.deployment, api_version=found.api_version),
                PROFILES[found.profile])
"""

from .annotations import FilterResults
from .blind import BlindOrder, TallyRow, Vote, cast_vote, tally
from .client import Client
from .compare import (
    ColumnMetrics,
    ColumnSetup,
    CompareMode,
    CompareSetup,
    SetupError,
    column_metrics,
    sweep,
    swept,
    validate_setup,
)
from .config import (
    ENDPOINT_ENV,
    KEY_ENV,
    AuthStyle,
    Endpoint,
    ExtraParameters,
    Secret,
    split_route,
    validate_url,
)
from .diff import Diff, DiffOp, DiffSegment, diff_words
from .entra import (
    COGNITIVE_SCOPE,
    FOUNDRY_SCOPE,
    SERVER_IDENTITY_ENV,
    TOKEN_ENV,
    CredentialToken,
    StaticToken,
    TokenSource,
    machine_login,
    server_identity_allowed,
)
from .errors import (
    APIStatusError,
    AuthenticationError,
    BadRequestError,
    BlockedHostError,
    ConnectError,
    ContentFilterError,
    ContextLengthError,
    CredentialError,
    EndpointError,
    ExtraParametersError,
    FilterCategory,
    InterruptedStreamError,
    InvalidRequestError,
    InvalidResponseError,
    LimitExceededError,
    NotFoundError,
    RateLimitError,
    RedirectError,
    RequestTimeoutError,
    RetryCancelled,
    ServerError,
    TimeoutError,
    TransportError,
    ValidationError,
)
from .hosts import (
    ALLOWED_HOSTS_ENV,
    DEFAULT_ALLOWED,
    HOSTED_ALLOWED,
    HOSTED_ENV,
    HostPolicy,
    origin_of,
)
from .limits import DEFAULT_LIMITS, Limits
from .live import LiveStream, PiecesSource, RetryHooks, Source, TextStreamSource
from .params import parse_body_text
from .profiles import PROFILES, ModelPlace, Param, Profile, Retirement, SdkForm
from .recognize import Recognition, recognize
from .records import Completion, Exchange, SentRequest, ServiceHeaders, TimedEvent
from .redact import Redactor
from .reply import Reply, ReplyStatus, RequestRecord, RetryWait
from .report import report_html, report_markdown
from .response import RawResponse
from .retry import RetryNotice, RetryPolicy, call_with_retries, is_auto_retried
from .routes import Routes
from .sdk_snippets import exports, to_openai
from .share import decode_setup, encode_setup
from .snippets import RequestSpec, SdkTarget, to_curl, to_requests, to_urllib
from .sse import ServerSentEvent, SSEDecoder, iter_events
from .streams import TextStream, completion_from_json

__all__ = [
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
