"""The notebooks' two apps as LangChain chains: the translator and the memory chatbot.

    chain = translator_chain(model)                 # prompt | model | StrOutputParser()
    for piece in chain.stream({"input_language": "English", ...}): ...

Both are `prompt | model | StrOutputParser()` over any chat model; the memory window is
plain data kept by the app (`core.memory`), not a deprecated LangChain memory class.
"""

from __future__ import annotations

import string
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from langchain_core.callbacks import BaseCallbackHandler
from langchain_core.messages import AIMessage, BaseMessage, HumanMessage, SystemMessage
from langchain_core.output_parsers import StrOutputParser
from langchain_core.prompts import (
    BasePromptTemplate,
    ChatPromptTemplate,
    MessagesPlaceholder,
    PromptTemplate,
)
from langchain_core.prompts.string import get_template_variables
from langchain_core.runnables import Runnable

from .. import errors
from ..memory import DEFAULT_SYSTEM_PROMPT, NOTEBOOK_TEMPLATE, Mode, TurnRequest, render_history
from ..notebook import TRANSLATOR_TEMPLATE, TRANSLATOR_VARIABLES

# The translator --------------------------------------------------------------------------------


@dataclass(frozen=True)
class LineResult:
    """One line of a batch translation: its source, and the translation or the error."""

    source: str
    text: str | None
    error: BaseException | None


def check_template(template: str, required: Sequence[str] = TRANSLATOR_VARIABLES) -> list[str]:
    """Problems that would stop `template` from rendering with `required` variables; [] if none."""
    if not template.strip():
        return ["The template is empty."]
    try:
        fields = [name for _, name, _, _ in string.Formatter().parse(template) if name is not None]
    except ValueError as exc:
        return [f"Unbalanced braces: {exc}. Write {{{{ and }}}} for literal braces."]
    if any(name == "" or name.isdigit() for name in fields):
        return ["Use named variables such as {input_content}, not {} or {0}."]
    try:
        found = get_template_variables(template, "f-string")
    except ValueError as exc:
        return [str(exc)]
    problems = [f"Missing variable {{{name}}}." for name in required if name not in found]
    problems += [
        f"Unknown variable {{{name}}}: use only {', '.join('{' + r + '}' for r in required)}."
        for name in found
        if name not in required
    ]
    return problems


def translator_prompt(template: str = TRANSLATOR_TEMPLATE) -> PromptTemplate:
    """The translator's prompt; raises InvalidRequestError listing the template's problems."""
    problems = check_template(template)
    if problems:
        raise errors.InvalidRequestError(" ".join(problems))
    return PromptTemplate.from_template(template)


def translator_chain(
    model: Runnable[Any, Any], template: str = TRANSLATOR_TEMPLATE
) -> Runnable[dict[str, Any], str]:
    """`prompt | model | StrOutputParser()`: inputs are the three template variables."""
    return translator_prompt(template) | model | StrOutputParser()


def render_prompt(template: str, **variables: str) -> str:
    """The text the model receives for these variables (any template, checked by LangChain)."""
    return PromptTemplate.from_template(template).format(**variables)


def translate_lines(
    model: Runnable[Any, Any],
    lines: Sequence[str],
    input_language: str,
    output_language: str,
    *,
    template: str = TRANSLATOR_TEMPLATE,
    max_concurrency: int = 4,
    callbacks: list[BaseCallbackHandler] | None = None,
) -> list[LineResult]:
    """Translate each line as one batch, at most `max_concurrency` at once; errors stay per line."""
    inputs = [
        {
            "input_language": input_language,
            "output_language": output_language,
            "input_content": line,
        }
        for line in lines
    ]
    config: dict[str, Any] = {"max_concurrency": max_concurrency, "callbacks": callbacks or []}
    outputs = translator_chain(model, template).batch(
        inputs,
        config=config,  # type: ignore[arg-type]  # a RunnableConfig dict
        return_exceptions=True,
    )
    return [
        LineResult(line, None, out)
        if isinstance(out, BaseException)
        else LineResult(line, out, None)
        for line, out in zip(lines, outputs, strict=True)
    ]


# The memory chatbot -------------------------------------------------------------------------


def memory_prompt(
    mode: Mode | str = Mode.NOTEBOOK, system_prompt: str = DEFAULT_SYSTEM_PROMPT
) -> BasePromptTemplate[Any]:
    """The notebook's single prompt, or system + history + question as chat messages."""
    if Mode(mode) is Mode.NOTEBOOK:
        return PromptTemplate.from_template(NOTEBOOK_TEMPLATE)
    system = [SystemMessage(system_prompt)] if system_prompt else []
    return ChatPromptTemplate.from_messages(
        [*system, MessagesPlaceholder("history"), ("human", "{input}")]
    )


def memory_inputs(turn: TurnRequest) -> dict[str, Any]:
    """The chain's inputs for a turn built by `core.memory.build_turn` (its window only)."""
    history: list[BaseMessage] = []
    for user, assistant in turn.window.kept:
        history += [HumanMessage(user), AIMessage(assistant)]
    return {
        "chat_history": render_history(turn.window.kept),
        "history": history,
        "input": turn.question,
    }


def memory_chain(
    model: Runnable[Any, Any],
    mode: Mode | str = Mode.NOTEBOOK,
    system_prompt: str = DEFAULT_SYSTEM_PROMPT,
) -> Runnable[dict[str, Any], str]:
    """`memory_prompt | model | StrOutputParser()`; feed it `memory_inputs(turn)`."""
    return memory_prompt(mode, system_prompt) | model | StrOutputParser()


__all__ = [
    "LineResult",
    "check_template",
    "memory_chain",
    "memory_inputs",
    "memory_prompt",
    "render_prompt",
    "translate_lines",
    "translator_chain",
    "translator_prompt",
]
