"""How big a prompt is against the model's context window: estimated before sending, and as
the endpoint counted it when it refused.

    fit = fits(messages, max_tokens=256, profile=PROFILES["local"])
    fit.level    # FitLevel.OK, NEAR, OVER, or UNKNOWN (the profile knows no context length)
    fit.message  # one line for the page: "About 1,900 tokens of prompt + max_tokens 256 ..."

`estimate_tokens` needs no tokenizer (none is shipped for remote models). It counts what
byte-pair tokenizers tend to merge: a token per 4 ASCII letters or spaces, one per digit
(SmolLM2 and Llama 2 split numbers into digits), half a token per other ASCII sign, half a
token per byte of non-ASCII text (accents, Cyrillic, CJK, emoji), plus 5 tokens per message
(ChatML's `<|im_start|>role\\n ... <|im_end|>\\n`) and 3 for the reply's start.

Measured once against the emulator's SmolLM2 tokenizer (the ratio estimate / real tokens):
English prose, Markdown and Python 0.93-1.07; JSON 0.89; numbers 0.86; Russian 1.08;
Chinese and Japanese 0.75-0.84; French, German and Spanish 0.71-0.84 (their words split into
more pieces than English ones); the emulator's scripted words 1.27. Characters / 4 alone,
for comparison: 0.82-1.0 on English and code, 0.6-0.7 on French, German and Spanish, 0.13
on Chinese. SmolLM2's template also adds its own ~19-token system prompt when the request
has none. Whole requests (with a system prompt) come closer, the framing being counted
right: 0.81-0.88 for French, German and Chinese, 0.96-1.06 for English, Python and JSON.
So the estimate can be about 30% low: `fits` warns from 80% of the window.
`tests/core/test_context_llama.py` checks these bounds against the emulator's SmolLM2.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .profiles import Profile

LETTERS_PER_TOKEN = 4  # ASCII letters and spaces
SIGN_TOKENS = 0.5  # an ASCII sign that is neither letter, digit nor space
BYTE_TOKENS = 0.5  # a UTF-8 byte of a non-ASCII character
MESSAGE_TOKENS = 5  # a message's framing: <|im_start|>, role, newline, <|im_end|>, newline
REPLY_TOKENS = 3  # <|im_start|>assistant\n: where the reply begins
NEAR = 0.8  # warn when prompt + max_tokens pass this share of the window (the estimate's error)

# A prompt longer than the context: Azure OpenAI and OpenAI (`code`), llama.cpp (`type`), and
# the words of the emulator ("the context window is"), vLLM and OpenAI ("maximum context
# length"), llama.cpp ("exceeds the available context size").
_CODES = ("context_length_exceeded", "exceed_context_size_error")
_WORDS = ("context window", "context length", "context size", "context_length_exceeded")
_LIMIT_WORDS = (
    r"context window is (\d+)",  # the emulator
    r"maximum context length is (\d+)",  # Azure OpenAI, OpenAI, vLLM
    r"context size \((\d+) tokens\)",  # llama.cpp's server
)
_REQUESTED_WORDS = (
    r"prompt is (\d+) tokens",  # the emulator
    r"resulted in (\d+) tokens",  # Azure OpenAI, OpenAI
    r"you requested (\d+) tokens",  # vLLM, OpenAI
    r"request \((\d+) tokens\)",  # llama.cpp's server
)


class FitLevel(StrEnum):
    """How a prompt fits the context window."""

    OK = "ok"  # well inside
    NEAR = "near"  # close to the limit: the reply may be cut, or the request refused
    OVER = "over"  # the prompt alone is (probably) longer than the window
    UNKNOWN = "unknown"  # the profile does not know the model's context length


@dataclass(frozen=True)
class Fit:
    """The estimate for one request, against the window when known, with a line to show."""

    level: FitLevel
    estimate: int  # prompt tokens, estimated
    max_tokens: int  # the reply's room asked for (0 when not set)
    context_length: int | None
    message: str

    @property
    def ok(self) -> bool:
        """True when nothing needs saying before sending (well inside, or not known)."""
        return self.level in (FitLevel.OK, FitLevel.UNKNOWN)


def text_tokens(text: str) -> int:
    """The estimated tokens of one text (see the module docstring for the rule and its error)."""
    letters = digits = signs = foreign = 0
    for char in text:
        if not char.isascii():
            foreign += len(char.encode("utf-8", "surrogatepass"))
        elif char.isdigit():
            digits += 1
        elif char.isalpha() or char == " ":
            letters += 1
        else:
            signs += 1
    tokens = letters / LETTERS_PER_TOKEN + digits + signs * SIGN_TOKENS + foreign * BYTE_TOKENS
    return math.ceil(tokens)


def estimate_tokens(messages: Iterable[Mapping[str, Any]]) -> int:
    """The estimated prompt tokens of chat `messages` (role and content each), framing included."""
    total = REPLY_TOKENS
    for message in messages:
        total += MESSAGE_TOKENS + text_tokens(_content_text(message.get("content")))
    return total


def fits(messages: Iterable[Mapping[str, Any]], max_tokens: int | None, profile: Profile) -> Fit:
    """Whether `messages` plus `max_tokens` fit `profile`'s context window, by the estimate."""
    estimate, room = estimate_tokens(messages), max(0, max_tokens or 0)
    limit = profile.context_length
    about = f"About {estimate:,} tokens of prompt"
    if limit is None:
        message = f"{about}; this endpoint's context length is not known, so it is not checked."
        return Fit(FitLevel.UNKNOWN, estimate, room, None, message)
    if estimate >= limit:
        message = (
            f"{about}: more than the model's {limit:,}-token context. The endpoint will refuse "
            "it: shorten the message, leave earlier turns out, or start a new conversation."
        )
        return Fit(FitLevel.OVER, estimate, room, limit, message)
    if estimate + room > NEAR * limit:
        message = (
            f"{about} + max_tokens {room:,}, near the model's {limit:,}-token context: the "
            "reply may be cut short, or the request refused. Leave earlier turns out, or "
            "lower max_tokens."
        )
        return Fit(FitLevel.NEAR, estimate, room, limit, message)
    message = f"{about} + max_tokens {room:,}, within the model's {limit:,}-token context."
    return Fit(FitLevel.OK, estimate, room, limit, message)


def exceeds_context(code: str, payload: Any, said: str) -> bool:
    """True when an error reply refuses a prompt for its length: by its error code or type
    (`payload["error"]["type"]`), or by the server's words `said`."""
    error = payload.get("error") if isinstance(payload, dict) else None
    kind = error.get("type") if isinstance(error, dict) else None
    if code.lower() in _CODES or kind in _CODES:
        return True
    return any(words in said.lower() for words in _WORDS)


def endpoint_counts(payload: Any, said: str) -> tuple[int | None, int | None]:
    """(context length, tokens requested) as a context-length refusal states them, when it does.

    llama.cpp's server gives them as fields (`n_ctx`, `n_prompt_tokens`); the others in words.
    """
    error = payload.get("error") if isinstance(payload, dict) else None
    fields = error if isinstance(error, dict) else {}
    limit = _integer(fields.get("n_ctx")) or _first_number(_LIMIT_WORDS, said)
    requested = _integer(fields.get("n_prompt_tokens")) or _first_number(_REQUESTED_WORDS, said)
    return limit, requested


def _content_text(content: Any) -> str:
    """The text of a message's content: a string, or the text parts of a list of parts."""
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        parts = [p.get("text") if isinstance(p, dict) else p for p in content]
        return "".join(p if isinstance(p, str) else json.dumps(p) for p in parts)
    return "" if content is None else json.dumps(content, default=str)


def _first_number(patterns: Iterable[str], text: str) -> int | None:
    for pattern in patterns:
        if match := re.search(pattern, text, re.IGNORECASE):
            return int(match.group(1))
    return None


def _integer(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) and value > 0 else None


__all__ = [
    "Fit",
    "FitLevel",
    "endpoint_counts",
    "estimate_tokens",
    "exceeds_context",
    "fits",
    "text_tokens",
]
