"""The playground's library for Azure AI serverless chat endpoints: no Streamlit here.

from core import Client, Endpoint
client = Client(Endpoint("http://127.0.0.1:8765", key="..."))
print(client.chat([{"role": "user", "content": "Hello"}]).text)
"""

from .client import Client, RawResponse, parse_body_text
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
from .errors import (
    APIStatusError,
    AuthenticationError,
    BadRequestError,
    ConnectError,
    ContentFilterError,
    EndpointError,
    ExtraParametersError,
    FilterCategory,
    InterruptedStreamError,
    InvalidRequestError,
    InvalidResponseError,
    NotFoundError,
    RateLimitError,
    RequestTimeoutError,
    ServerError,
    TimeoutError,
    TransportError,
    ValidationError,
)
from .profiles import PROFILES, Param, Profile
from .records import Completion, Exchange, SentRequest, TimedEvent
from .snippets import RequestSpec, to_curl, to_requests, to_urllib
from .sse import ServerSentEvent, SSEDecoder, iter_events
from .streams import TextStream

__all__ = [
    "ENDPOINT_ENV",
    "KEY_ENV",
    "PROFILES",
    "APIStatusError",
    "AuthStyle",
    "AuthenticationError",
    "BadRequestError",
    "Client",
    "Completion",
    "ConnectError",
    "ContentFilterError",
    "Endpoint",
    "EndpointError",
    "Exchange",
    "ExtraParameters",
    "ExtraParametersError",
    "FilterCategory",
    "InterruptedStreamError",
    "InvalidRequestError",
    "InvalidResponseError",
    "NotFoundError",
    "Param",
    "Profile",
    "RateLimitError",
    "RawResponse",
    "RequestSpec",
    "RequestTimeoutError",
    "SSEDecoder",
    "Secret",
    "SentRequest",
    "ServerError",
    "ServerSentEvent",
    "TextStream",
    "TimedEvent",
    "TimeoutError",
    "TransportError",
    "ValidationError",
    "iter_events",
    "parse_body_text",
    "split_route",
    "to_curl",
    "to_requests",
    "to_urllib",
    "validate_url",
]
