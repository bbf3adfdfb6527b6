"""Code export of the Llama 2 notebook's own LangChain code, with only the fixes it needs today.

`AzureMLOnlineEndpoint` (a text LLM) with the notebook's content formatter, `LLMChain` and
`ConversationChain` + `ConversationBufferWindowMemory` from langchain-classic: deprecated, but
running, so a reader sees where the notebook stands before migrating (each fix, and why:
`core/langchain/llama2_differences.toml`; the migration: `core/langchain/migration.toml`).
`core.chain_snippets` re-exports `llama2_notebook_code`. No LangChain here.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Literal

from .code_text import CORE, STDIN_LOOP, import_block, py, py_dict, translator_inputs
from .config import KEY_ENV
from .errors import InvalidRequestError
from .memory import DEFAULT_K, NOTEBOOK_TEMPLATE, Mode, check_k
from .notebook import (
    LLAMA2_CHATBOT_SYSTEM,
    LLAMA2_TRANSLATOR_SYSTEM,
    TRANSLATOR_TEMPLATE,
    TRANSLATOR_VARIABLES,
    community_url,
)
from .params import clean_params


def llama2_notebook_code(
    app: Literal["translator", "memory"],
    url: str,
    params: Mapping[str, Any] | None = None,
    **options: Any,
) -> str:
    """Python for the Llama 2 notebook's own LangChain code, with only the fixes it needs today.

    `AzureMLOnlineEndpoint` with the notebook's content formatter; `LLMChain` and
    `ConversationChain` + `ConversationBufferWindowMemory` from langchain-classic (deprecated,
    still running). It does not stream. `options`: translator `template`, `inputs`,
    `system_prompt`; memory `k`, `system_prompt`, and `mode`, which must be the notebook's (this
    class takes one text prompt). Key from $AZURE_AI_CHAT_KEY.
    """
    system = options.pop("system_prompt", None)
    if app == "memory":
        if Mode(options.pop("mode", Mode.NOTEBOOK)) is not Mode.NOTEBOOK:
            raise InvalidRequestError(
                "The Llama 2 notebook's class takes one text prompt: choose the notebook's "
                "prompt format to see its code."
            )
        imports, body = _classic_memory_code(**options)
    else:
        imports, body = _classic_translator_code(**options)
    system = system or (LLAMA2_CHATBOT_SYSTEM if app == "memory" else LLAMA2_TRANSLATOR_SYSTEM)
    imports += ["import json", "import os", "from typing import Any"]
    imports.append("from langchain_core.outputs import Generation")
    imports.append(
        "from langchain_community.llms.azureml_endpoint import (\n"
        "    AzureMLEndpointApiType,\n"
        "    AzureMLOnlineEndpoint,\n"
        "    ContentFormatterBase,\n"
        ")"
    )
    return import_block(imports) + "\n" + _llama2_llm(url, params or {}, system) + body


def _llama2_llm(url: str, params: Mapping[str, Any], system: str) -> str:
    """The notebook's formatter and `llm`, fixed (core/langchain/llama2_differences.toml)."""
    return (
        f"SYSTEM = {py(system)}\n\n\n"
        "# The notebook's formatter with the fixes langchain-community 0.4.2 needs.\n"
        "class AzureLlamaAPIContentFormatter(ContentFormatterBase):\n"
        '    """Content formatter for the Llama 2 API on Azure (serverless)."""\n\n'
        "    @property\n"
        "    def supported_api_types(self) -> list[AzureMLEndpointApiType]:\n"
        "        return [AzureMLEndpointApiType.serverless]\n\n"
        "    def format_request_payload(\n"
        "        self, prompt: str, model_kwargs: dict, api_type: Any = None\n"
        "    ) -> bytes:\n"
        "        request_payload_dict = {\n"
        '            "messages": [\n'
        '                {"role": "system", "content": SYSTEM},\n'
        '                {"role": "user", "content": prompt},\n'
        "            ],\n"
        "            **model_kwargs,\n"
        "        }\n"
        "        return json.dumps(request_payload_dict).encode()\n\n"
        "    def format_response_payload(self, output: bytes, api_type: Any = None) -> "
        "Generation:\n"
        '        return Generation(text=json.loads(output)["choices"][0]["message"]["content"])\n'
        "\n\n"
        "llm = AzureMLOnlineEndpoint(\n"
        f"    endpoint_url={py(community_url(url))},  # the one chat path it takes\n"
        '    endpoint_api_type="serverless",  # a string: the enum member fails validation\n'
        f"    endpoint_api_key=os.environ[{py(KEY_ENV)}],\n"
        + py_dict(clean_params(params), "model_kwargs=", 4, ",")
        + "\n"
        "    content_formatter=AzureLlamaAPIContentFormatter(),\n"
        ")\n"
    )


def _classic_translator_code(
    template: str = TRANSLATOR_TEMPLATE, inputs: Mapping[str, str] | None = None
) -> tuple[list[str], str]:
    imports = [
        "from langchain_classic.chains import LLMChain",
        f"{CORE}.prompts import PromptTemplate",
    ]
    variables = py(list(TRANSLATOR_VARIABLES))
    body = (
        f"\ntemplate = {py(template)}\n"
        "translator_chain = LLMChain(\n"
        "    llm=llm,\n"
        "    prompt=PromptTemplate(\n"
        f"        input_variables={variables}, template=template\n"
        "    ),\n"
        ")\n"
        f"inputs = {translator_inputs(inputs)}\n"
        "print(translator_chain.run(**inputs))\n"
    )
    return imports, body


def _classic_memory_code(k: int = DEFAULT_K) -> tuple[list[str], str]:
    imports = [
        "import sys",
        "from langchain_classic.chains import ConversationChain",
        "from langchain_classic.memory import ConversationBufferWindowMemory",
        f"{CORE}.prompts import PromptTemplate",
    ]
    body = (
        "\nmemory = ConversationBufferWindowMemory(\n"
        f'    llm=llm, k={check_k(k)}, memory_key="chat_history", '
        'ai_prefix="Assistant", human_prefix="User"\n'
        ")\n"
        f"INPUT_TEMPLATE = {py(NOTEBOOK_TEMPLATE)}\n"
        "conversation_prompt_template = PromptTemplate(\n"
        '    input_variables=["chat_history", "input"], template=INPUT_TEMPLATE\n'
        ")\n"
        "conversation_chain_with_memory = ConversationChain(\n"
        "    llm=llm, prompt=conversation_prompt_template, memory=memory\n"
        ")\n\n\n"
        "def ask(question: str) -> str:\n"
        '    """The notebook\'s predict(), without Gradio: the memory keeps the window."""\n'
        "    return conversation_chain_with_memory.run(input=question)\n"
        f"{STDIN_LOOP}"
    )
    return imports, body


__all__ = ["llama2_notebook_code"]
