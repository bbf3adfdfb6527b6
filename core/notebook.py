"""What the source notebooks' LangChain code rests on, as plain data: no LangChain here.

The translator's template, and the one URL form the notebooks' class (langchain-community's
`AzureMLChatOnlineEndpoint`) accepts. Both the chains (`core.langchain`) and the code export
(`core.chain_snippets`, which must not import LangChain) read them from here; the memory
notebook's template lives with the memory window in `core.memory`.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from .config import Endpoint, split_route
from .errors import InvalidRequestError

# The notebook's translator template (Llama 3.1 notebook), without its surrounding newlines.
TRANSLATOR_TEMPLATE = (
    "You are a Translator. Translate the following content from {input_language} to "
    "{output_language} and reply with only the translated result.\n{input_content}"
)
TRANSLATOR_VARIABLES = ("input_language", "output_language", "input_content")
# The Llama 2 notebook's system messages (its content formatter sends one before each prompt):
# the translator's, and the chatbot's.
LLAMA2_TRANSLATOR_SYSTEM = "You are a helpful assistant"
LLAMA2_CHATBOT_SYSTEM = (
    "The following is a conversation between a user and you. Answer the user question based "
    "on the conversation. Provide your answer only"
)
COMMUNITY_ROUTE = "/models/chat/completions"


def community_url(url: str) -> str:
    """The URL the community class accepts for serverless: `<host>/models/chat/completions`.

    Raises InvalidRequestError for a base URL with a path the class cannot take.
    """
    base = split_route(Endpoint(url).url)[0]
    if urlsplit(base).path.rstrip("/") in ("", "/models"):
        return base.removesuffix("/models") + COMMUNITY_ROUTE
    raise InvalidRequestError(
        "The community backend only accepts URLs whose path is /models/chat/completions; "
        f"{url} has the path {urlsplit(base).path!r}. Use the adapter backend for it."
    )


__all__ = [
    "COMMUNITY_ROUTE",
    "LLAMA2_CHATBOT_SYSTEM",
    "LLAMA2_TRANSLATOR_SYSTEM",
    "TRANSLATOR_TEMPLATE",
    "TRANSLATOR_VARIABLES",
    "community_url",
]
