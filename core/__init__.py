"""The playground's library for Azure AI serverless chat endpoints: no Streamlit here.

from core import Client, Endpoint
client = Client(Endpoint("http://127.0.0.1:8765", key="..."))
print(client.chat([{"role": "user", "content": "Hello"}]).text)
"""

from .blind import BlindOrder, TallyRow, Vote, cast_vote, tally
from .client import Client, parse_body_text
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
from .errors import (
    APIStatusError,
    AuthenticationError,
    BadRequestError,
    BlockedHostError,
    ConnectError,
    ContentFilterError,
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
from .profiles import PROFILES, Param, Profile
from .records import Completion, Exchange, SentRequest, TimedEvent
from .redact import Redactor
from .reply import Reply, ReplyStatus, RequestRecord, RetryWait
from .report import report_html, report_markdown
from .response import RawResponse
from .retry import RetryNotice, RetryPolicy, call_with_retries, is_auto_retried
from .share import decode_setup, encode_setup
from .snippets import RequestSpec, to_curl, to_requests, to_urllib
from .sse import ServerSentEvent, SSEDecoder, iter_events
from .streams import TextStream, completion_from_json

__all__ = [
    "ALLOWED_HOSTS_ENV",
    "DEFAULT_ALLOWED",
    "DEFAULT_LIMITS",
    "ENDPOINT_ENV",
    "HOSTED_ALLOWED",
    "HOSTED_ENV",
    "KEY_ENV",
    "PROFILES",
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
    "Diff",
    "DiffOp",
    "DiffSegment",
    "Endpoint",
    "EndpointError",
    "Exchange",
    "ExtraParameters",
    "ExtraParametersError",
    "FilterCategory",
    "HostPolicy",
    "InterruptedStreamError",
    "InvalidRequestError",
    "InvalidResponseError",
    "LimitExceededError",
    "Limits",
    "LiveStream",
    "NotFoundError",
    "Param",
    "PiecesSource",
    "Profile",
    "RateLimitError",
    "RawResponse",
    "Redactor",
    "RedirectError",
    "Reply",
    "ReplyStatus",
    "RequestRecord",
    "RequestSpec",
    "RequestTimeoutError",
    "RetryCancelled",
    "RetryHooks",
    "RetryNotice",
    "RetryPolicy",
    "RetryWait",
    "SSEDecoder",
    "Secret",
    "SentRequest",
    "ServerError",
    "ServerSentEvent",
    "SetupError",
    "Source",
    "TallyRow",
    "TextStream",
    "TextStreamSource",
    "TimedEvent",
    "TimeoutError",
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
    "is_auto_retried",
    "iter_events",
    "origin_of",
    "parse_body_text",
    "report_html",
    "report_markdown",
    "split_route",
    "sweep",
    "swept",
    "tally",
    "to_curl",
    "to_requests",
    "to_urllib",
    "validate_setup",
    "validate_url",
]
