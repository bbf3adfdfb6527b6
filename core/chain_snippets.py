"""Code export for the LangChain pages: the same chain as Python to copy, per backend.

`adapter_code` writes it over this project's `ChatAzureServerless`, `community_code` over
langchain-community's `AzureMLChatOnlineEndpoint` as the notebooks use it (set up so it works).
Writing code needs no LangChain, so this module imports none; `snippets.py` exports single
requests (curl, requests, urllib). The key always comes from $AZURE_AI_CHAT_KEY.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from typing import Any, Literal

from .config import KEY_ENV, AuthStyle, ExtraParameters
from .memory import DEFAULT_K, DEFAULT_SYSTEM_PROMPT, NOTEBOOK_TEMPLATE, Mode, check_k
from .notebook import TRANSLATOR_TEMPLATE, community_url
from .params import clean_params

App = Literal["translator", "memory"]


def adapter_code(
    app: App,
    url: str,
    params: Mapping[str, Any] | None = None,
    *,
    profile: str = "local",
    auth: AuthStyle | str = AuthStyle.BEARER,
    extra_parameters: ExtraParameters | str = ExtraParameters.OMIT,
    **options: Any,
) -> str:
    """Python for the same chain over `ChatAzureServerless` (run it from the project folder).

    `options` go to the app's part: translator `template`, `inputs`; memory `k`, `mode`,
    `system_prompt`. The key comes from $AZURE_AI_CHAT_KEY.
    """
    imports, body = _APP_CODE[app](**options)
    fields = [f"endpoint_url={_py(url)}", f"api_key=os.environ[{_py(KEY_ENV)}]"]
    fields += [f"endpoint_profile={_py(profile)}", f"auth={_py(AuthStyle(auth).value)}"]
    if ExtraParameters(extra_parameters).value:
        fields.append(f"extra_parameters={_py(ExtraParameters(extra_parameters).value)}")
    fields += [f"{name}={_py(value)}" for name, value in clean_params(params or {}).items()]
    model = "model = ChatAzureServerless(\n" + "".join(f"    {f},\n" for f in fields) + ")\n"
    first_party = "\nfrom core.langchain import ChatAzureServerless\n"
    return _imports(imports) + first_party + "\n" + model + body


def community_code(
    app: App, url: str, params: Mapping[str, Any] | None = None, **options: Any
) -> str:
    """Python for the same chain over langchain-community's `AzureMLChatOnlineEndpoint`.

    Runs anywhere langchain-community and openai are installed; key from $AZURE_AI_CHAT_KEY.
    """
    imports, body = _APP_CODE[app](**options)
    imports.append(
        "from langchain_community.chat_models.azureml_endpoint import (\n"
        "    AzureMLChatOnlineEndpoint,\n"
        "    CustomOpenAIChatContentFormatter,\n"
        ")"
    )
    model = (
        f"params = {_py(clean_params(params or {}))}\n"
        "llm = AzureMLChatOnlineEndpoint(\n"
        f"    endpoint_api_key=os.environ[{_py(KEY_ENV)}],\n"
        f"    endpoint_url={_py(community_url(url))},  # must end in /models/chat/completions\n"
        '    endpoint_api_type="serverless",  # the enum member fails validation on Python 3.11\n'
        "    model_kwargs=dict(params),\n"
        "    content_formatter=CustomOpenAIChatContentFormatter(),\n"
        ")\n"
        "model = llm.bind(**params)  # streaming ignores model_kwargs: pass them with each call\n"
    )
    return _imports(imports) + "\n" + model + body


def _py(value: Any) -> str:
    """A Python literal for JSON-like data, in double quotes as ruff formats code."""
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, Mapping):
        return "{" + ", ".join(f"{_py(k)}: {_py(v)}" for k, v in value.items()) + "}"
    if isinstance(value, list | tuple):
        return "[" + ", ".join(_py(v) for v in value) + "]"
    return repr(value)


def _imports(third_party: list[str]) -> str:
    stdlib = sorted({"import os", *(i for i in third_party if i == "import sys")})
    others = sorted(i for i in third_party if i != "import sys")
    return "\n".join(stdlib) + "\n\n" + "\n".join(others) + "\n"


def _translator_code(
    template: str = TRANSLATOR_TEMPLATE, inputs: Mapping[str, str] | None = None
) -> tuple[list[str], str]:
    values = {
        "input_language": "English",
        "output_language": "French",
        "input_content": "What is good about Wuhan?",
        **(inputs or {}),
    }
    imports = [
        "from langchain_core.output_parsers import StrOutputParser",
        "from langchain_core.prompts import PromptTemplate",
    ]
    body = (
        f"\ntemplate = {_py(template)}\n"
        "chain = PromptTemplate.from_template(template) | model | StrOutputParser()\n"
        "inputs = {\n" + "".join(f"    {_py(k)}: {_py(v)},\n" for k, v in values.items()) + "}\n\n"
        "for piece in chain.stream(inputs):\n"
        '    print(piece, end="", flush=True)\n'
        "print()\n"
    )
    return imports, body


def _memory_code(
    k: int = DEFAULT_K,
    mode: Mode | str = Mode.NOTEBOOK,
    system_prompt: str = DEFAULT_SYSTEM_PROMPT,
) -> tuple[list[str], str]:
    imports = ["import sys", "from langchain_core.output_parsers import StrOutputParser"]
    if Mode(mode) is Mode.NOTEBOOK:
        imports.append("from langchain_core.prompts import PromptTemplate")
        prompt = f"prompt = PromptTemplate.from_template({_py(NOTEBOOK_TEMPLATE)})\n"
        send = (
            '    chat_history = "\\n".join(\n'
            '        f"User: {u}\\nAssistant: {a}" for u, a in history[-K:]\n'
            "    )\n"
            '    answer = chain.invoke({"chat_history": chat_history, "input": question})\n'
        )
    else:
        names = "AIMessage, HumanMessage" + (", SystemMessage" if system_prompt else "")
        imports.append(f"from langchain_core.messages import {names}")
        imports.append("from langchain_core.prompts import ChatPromptTemplate, MessagesPlaceholder")
        system = f"SystemMessage({_py(system_prompt)}), " if system_prompt else ""
        prompt = (
            "prompt = ChatPromptTemplate.from_messages(\n"
            f'    [{system}MessagesPlaceholder("history"), ("human", "{{input}}")]\n'
            ")\n"
        )
        send = (
            "    window = [m for u, a in history[-K:] for m in (HumanMessage(u), AIMessage(a))]\n"
            '    answer = chain.invoke({"history": window, "input": question})\n'
        )
    body = (
        f"\nK = {check_k(k)}  # exchanges the model sees; older ones are dropped\n"
        f"{prompt}"
        "chain = prompt | model | StrOutputParser()\n"
        "history: list[tuple[str, str]] = []  # (user, assistant), kept by the app\n\n\n"
        "def ask(question: str) -> str:\n"
        '    """Send the last K exchanges and the question; remember the answer."""\n'
        f"{send}"
        "    history.append((question, answer))\n"
        "    return answer\n\n\n"
        "for line in sys.stdin:  # one question per line; Ctrl-D ends\n"
        "    if line.strip():\n"
        "        print(ask(line.strip()))\n"
    )
    return imports, body


_APP_CODE: dict[str, Callable[..., tuple[list[str], str]]] = {
    "translator": _translator_code,
    "memory": _memory_code,
}


__all__ = ["App", "adapter_code", "community_code"]
