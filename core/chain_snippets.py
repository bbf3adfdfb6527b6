"""Code export for the LangChain pages: the same chain as Python to copy, per backend.

- `llama2_notebook_code`: the Llama 2 notebook's way as it runs today: `AzureMLOnlineEndpoint`
  with its fixed content formatter, `LLMChain` and `ConversationChain` from langchain-classic.
- `community_code`: langchain-community's `AzureMLChatOnlineEndpoint` as the Llama 3.1
  notebook uses it (set up so that it works).
- `maintained_code`: Microsoft's `AzureAIOpenAIApiChatModel` (langchain-azure-ai) on Azure
  OpenAI v1, with a key or Entra ID.
- `adapter_code`: this project's `ChatAzureServerless`.

Every chat backend runs the same LangChain 1.x chains: `prompt | model | StrOutputParser()`,
and for memory a message list the app keeps, cut by `trim_messages` to the last K exchanges.
The reasons for each change are data (`core.langchain.migration()`). Writing code needs no
LangChain, so this module imports none; `snippets.py` exports single requests. Keys come from
the environment: $AZURE_AI_CHAT_KEY, or $AZURE_OPENAI_API_KEY for the maintained class.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, Literal

from .azure_v1 import ENTRA_SCOPE, v1_base
from .code_text import (
    CORE,
    STDIN_LOOP,
    WIDTH,
    call,
    from_import,
    import_block,
    py,
    py_dict,
    translator_inputs,
)
from .config import KEY_ENV, AuthStyle, ExtraParameters
from .errors import InvalidRequestError
from .llama2_snippets import llama2_notebook_code
from .memory import DEFAULT_K, DEFAULT_SYSTEM_PROMPT, NOTEBOOK_TEMPLATE, Mode, check_k
from .notebook import TRANSLATOR_TEMPLATE, community_url
from .params import clean_params

App = Literal["translator", "memory"]
Auth = Literal["key", "entra"]
#: The maintained class's snippet reads the key from the variable Microsoft's Azure OpenAI
#: samples (and the openai SDK's AzureOpenAI) use; the others read $AZURE_AI_CHAT_KEY.
MAINTAINED_KEY_ENV = "AZURE_OPENAI_API_KEY"


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
    fields = [f"endpoint_url={py(url)}", f"api_key=os.environ[{py(KEY_ENV)}]"]
    fields += [f"endpoint_profile={py(profile)}", f"auth={py(AuthStyle(auth).value)}"]
    if ExtraParameters(extra_parameters).value:
        fields.append(f"extra_parameters={py(ExtraParameters(extra_parameters).value)}")
    fields += [f"{name}={py(value)}" for name, value in clean_params(params or {}).items()]
    model = call("model = ChatAzureServerless", fields)
    first_party = "\nfrom core.langchain import ChatAzureServerless\n"
    return import_block(["import os", *imports]) + first_party + "\n" + model + body


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
        py_dict(clean_params(params or {}), "params = ") + "\n"
        "llm = AzureMLChatOnlineEndpoint(\n"
        f"    endpoint_api_key=os.environ[{py(KEY_ENV)}],\n"
        f"    endpoint_url={py(community_url(url))},  # must end in /models/chat/completions\n"
        '    endpoint_api_type="serverless",  # the enum member fails validation on Python 3.11\n'
        "    model_kwargs=dict(params),\n"
        "    content_formatter=CustomOpenAIChatContentFormatter(),\n"
        ")\n"
        "model = llm.bind(**params)  # streaming ignores model_kwargs: pass them with each call\n"
    )
    return import_block(["import os", *imports]) + "\n" + model + body


def maintained_code(
    app: App,
    url: str,
    deployment: str = "",
    params: Mapping[str, Any] | None = None,
    *,
    auth: Auth = "key",
    **options: Any,
) -> str:
    """Python for the same chain over langchain-azure-ai's `AzureAIOpenAIApiChatModel`.

    `url` is any URL of the Azure OpenAI resource (it becomes its `/openai/v1` base);
    `deployment` defaults to the one a classic deployment URL names. `auth="key"` reads
    $AZURE_OPENAI_API_KEY; `auth="entra"` gets a token for each request from azure-identity's
    `DefaultAzureCredential`. `options` as for `adapter_code`. Needs
    `pip install langchain-azure-ai` (and azure-identity, which it brings).
    """
    base, named = v1_base(url)
    deployment = deployment.strip() or named
    if not deployment:
        raise InvalidRequestError("Name the deployment: the code sends it as `model`.")
    imports, body = _APP_CODE[app](**options)
    imports.append("from langchain_azure_ai.chat_models import AzureAIOpenAIApiChatModel")
    head, fields = "", [f"endpoint={py(base)}"]
    if auth == "entra":
        imports.append(
            "from azure.identity import DefaultAzureCredential, get_bearer_token_provider"
        )
        head = (
            "token_provider = get_bearer_token_provider(\n"
            f"    DefaultAzureCredential(), {py(ENTRA_SCOPE)}\n"
            ")\n"
        )
        fields.append("api_key=token_provider  # an Entra ID token for each request")
    else:
        imports.append("import os")
        key = f"api_key=os.environ[{py(MAINTAINED_KEY_ENV)}]"
        fields.append(key + "  # not credential=, which repr and traces show")
    fields += [
        f"model={py(deployment)}  # the deployment name",
        "use_responses_api=False  # chat completions (the class defaults to the Responses API)",
        "stream_usage=True  # token usage at the end of a stream",
        *(_maintained_param(name, value) for name, value in clean_params(params or {}).items()),
    ]
    return (
        import_block(imports)
        + "\n"
        + head
        + call("model = AzureAIOpenAIApiChatModel", fields)
        + body
    )


def _maintained_param(name: str, value: Any) -> str:
    note = "  # sent as max_completion_tokens" if name == "max_tokens" else ""
    return f"{name}={py(value)}{note}"


def _translator_code(
    template: str = TRANSLATOR_TEMPLATE, inputs: Mapping[str, str] | None = None
) -> tuple[list[str], str]:
    imports = [
        f"{CORE}.output_parsers import StrOutputParser",
        f"{CORE}.prompts import PromptTemplate",
    ]
    body = (
        f"\ntemplate = {py(template)}\n"
        "chain = PromptTemplate.from_template(template) | model | StrOutputParser()\n"
        f"inputs = {translator_inputs(inputs)}\n\n"
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
    names = ["AIMessage", "BaseMessage", "HumanMessage", "trim_messages"]
    imports = ["import sys", f"{CORE}.output_parsers import StrOutputParser"]
    if Mode(mode) is Mode.NOTEBOOK:
        names.insert(3, "get_buffer_string")
        imports.append(f"{CORE}.prompts import PromptTemplate")
        prompt = f"prompt = PromptTemplate.from_template(\n    {py(NOTEBOOK_TEMPLATE)}\n)\n"
        send = (
            "    chat_history = get_buffer_string(\n"
            '        window.invoke(history), human_prefix="User", ai_prefix="Assistant"\n'
            "    )\n"
            '    answer = chain.invoke({"chat_history": chat_history, "input": question})\n'
        )
    else:
        imports.append(f"{CORE}.prompts import ChatPromptTemplate, MessagesPlaceholder")
        if system_prompt:  # a message, not a template: braces in it stay as typed
            names.insert(3, "SystemMessage")
        items = [f"SystemMessage({py(system_prompt)})"] if system_prompt else []
        items += ['MessagesPlaceholder("history")', '("human", "{input}")']
        listed = f"    [{', '.join(items)}]"
        if len(listed) > WIDTH:
            listed = "    [\n" + "".join(f"        {item},\n" for item in items) + "    ]"
        prompt = f"prompt = ChatPromptTemplate.from_messages(\n{listed}\n)\n"
        send = '    answer = chain.invoke({"history": window.invoke(history), "input": question})\n'
    imports.append(from_import("langchain_core.messages", names))
    body = (
        f"\nK = {check_k(k)}  # exchanges the model sees; older ones are dropped\n"
        'window = trim_messages(max_tokens=2 * K, token_counter=len, strategy="last", '
        'start_on="human")\n'
        f"{prompt}"
        "chain = prompt | model | StrOutputParser()\n"
        "history: list[BaseMessage] = []  # every exchange, kept by the app\n\n\n"
        "def ask(question: str) -> str:\n"
        '    """Send the last K exchanges and the question; remember both."""\n'
        f"{send}"
        "    history.extend([HumanMessage(question), AIMessage(answer)])\n"
        "    return answer\n"
        f"{STDIN_LOOP}"
    )
    return imports, body


_APP_CODE: dict[str, Callable[..., tuple[list[str], str]]] = {
    "translator": _translator_code,
    "memory": _memory_code,
}


__all__ = [
    "MAINTAINED_KEY_ENV",
    "App",
    "Auth",
    "adapter_code",
    "community_code",
    "llama2_notebook_code",
    "maintained_code",
]
