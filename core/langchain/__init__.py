"""LangChain over `core`: a chat model, the translator and memory chains, the notebook backend.

    model = ChatAzureServerless.from_endpoint(endpoint, profile="local", temperature=0.2)
    chain = translator_chain(model)                 # prompt | model | StrOutputParser()
    for piece in chain.stream({"input_language": "English", ...}): ...

The only package that imports LangChain (`core/__init__.py` does not import it), so pages
that do not need LangChain load without it. One module per idea:

    chat_model.py   ChatAzureServerless, to_wire, usage_metadata: all HTTP through core.Client
    recorder.py     RequestRecorder, request_record: what each model call sent, how it ended
    chains.py       the translator and memory chains (prompt | model | StrOutputParser())
    community.py    the notebooks' AzureMLChatOnlineEndpoint, made to work as shipped today
    differences.py  what differs from the notebooks, and the migration guide, from the .toml
                    files beside it

Backends imported only when chosen (each loads its LangChain integration):

    maintained.py         Microsoft's AzureAIOpenAIApiChatModel on Azure OpenAI v1
                          (langchain-azure-ai, openai); errors: maintained_errors.py
    llama2_notebook.py    the Llama 2 notebook's AzureMLOnlineEndpoint with its fixed formatter

langchain-community and openai are imported only inside `community.py`'s functions, when that
backend is chosen. The code the pages export lives in `core.chain_snippets` (no LangChain).
"""

from ..notebook import COMMUNITY_ROUTE, TRANSLATOR_TEMPLATE, TRANSLATOR_VARIABLES, community_url
from .chains import (
    LineResult,
    check_template,
    memory_chain,
    memory_inputs,
    memory_prompt,
    render_prompt,
    translate_lines,
    translator_chain,
    translator_prompt,
)
from .chat_model import ChatAzureServerless, to_wire, usage_metadata
from .community import community_chat_model, community_request_body
from .differences import (
    NOTEBOOK_DIFFERENCES,
    Difference,
    MigrationStep,
    llama2_differences,
    migration,
    migration_steps,
)
from .recorder import RequestRecorder, recorded, request_record

__all__ = [
    "COMMUNITY_ROUTE",
    "NOTEBOOK_DIFFERENCES",
    "TRANSLATOR_TEMPLATE",
    "TRANSLATOR_VARIABLES",
    "ChatAzureServerless",
    "Difference",
    "LineResult",
    "MigrationStep",
    "RequestRecorder",
    "check_template",
    "community_chat_model",
    "community_request_body",
    "community_url",
    "llama2_differences",
    "memory_chain",
    "memory_inputs",
    "memory_prompt",
    "migration",
    "migration_steps",
    "recorded",
    "render_prompt",
    "request_record",
    "to_wire",
    "translate_lines",
    "translator_chain",
    "translator_prompt",
    "usage_metadata",
]
