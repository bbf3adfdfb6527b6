"""Writing Python source for the code export: literals, import blocks, calls, shared pieces.

The LangChain snippets (`chain_snippets.py`, `llama2_snippets.py`) are built from these, so
that what they write passes `ruff check` (pyflakes, isort) and stays as `ruff format` writes it
with this project's line length. No LangChain here.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

WIDTH = 100  # ruff's line length in this project, kept by the code written here
STDLIB = ("import json", "import os", "import sys", "from typing import Any")
CORE = "from langchain_core"
#: The end of each memory program: one question a line from stdin, each answer printed.
STDIN_LOOP = (
    "\n\nfor line in sys.stdin:  # one question per line; Ctrl-D ends\n"
    "    if line.strip():\n"
    "        print(ask(line.strip()))\n"
)


def py(value: Any) -> str:
    """A Python literal for JSON-like data, in double quotes as ruff formats code."""
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, Mapping):
        return "{" + ", ".join(f"{py(k)}: {py(v)}" for k, v in value.items()) + "}"
    if isinstance(value, list | tuple):
        return "[" + ", ".join(py(v) for v in value) + "]"
    return repr(value)


def from_import(module: str, names: list[str]) -> str:
    """`from module import a, b` on one line, or one name a line when that is too long."""
    line = f"from {module} import {', '.join(names)}"
    if len(line) <= WIDTH:
        return line
    return f"from {module} import (\n" + "".join(f"    {name},\n" for name in names) + ")"


def call(head: str, fields: list[str]) -> str:
    """`head(` with one `field,` a line (a trailing comment stays after the comma), then `)`."""
    lines = []
    for field in fields:
        code, _, comment = field.partition("  # ")
        lines.append(f"    {code},{'  # ' + comment if comment else ''}\n")
    return head + "(\n" + "".join(lines) + ")\n"


def import_block(lines: list[str]) -> str:
    """The import block as ruff's isort writes it: standard library, then third party."""
    unique = set(lines)
    stdlib = [i for i in STDLIB if i in unique]
    others = sorted(unique - set(STDLIB), key=lambda i: (not i.startswith("import "), i))
    blocks = [block for block in ("\n".join(stdlib), "\n".join(others)) if block]
    return "\n\n".join(blocks) + "\n"


def py_dict(value: Mapping[str, Any], head: str, indent: int = 0, tail: str = "") -> str:
    """`head` then a dict literal then `tail`, on one line when it fits, else one item a
    line, as ruff formats it (`head` is what precedes the literal on its line)."""
    line = " " * indent + head + py(value) + tail
    if len(line) <= WIDTH or not value:
        return line
    inner = " " * (indent + 4)
    items = "".join(f"{inner}{py(k)}: {py(v)},\n" for k, v in value.items())
    return " " * indent + head + "{\n" + items + " " * indent + "}" + tail


def translator_inputs(inputs: Mapping[str, str] | None) -> str:
    """The translator's example inputs as a dict literal, one key a line."""
    values = {
        "input_language": "English",
        "output_language": "French",
        "input_content": "What is good about Wuhan?",
        **(inputs or {}),
    }
    return "{\n" + "".join(f"    {py(k)}: {py(v)},\n" for k, v in values.items()) + "}"


__all__ = [
    "CORE",
    "STDIN_LOOP",
    "STDLIB",
    "WIDTH",
    "call",
    "from_import",
    "import_block",
    "py",
    "py_dict",
    "translator_inputs",
]
