"""Functions outside tests stay under 60 lines, so each can be read at a glance.

A function's length runs from its `def` line to its last line (decorators excluded), nested
functions included, as `ast` reports them. A page script's top level is
not a function: it reads as the screen it draws, and is kept short by its `ui` module.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
MAX_LINES = 60
FOLDERS = ["core", "emulator", "bench", "ui", "pages", "streamlit_app.py"]


def long_functions(source: str, limit: int = MAX_LINES) -> list[tuple[str, int, int]]:
    """(name, first line, length) of every function in `source` longer than `limit` lines."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            assert node.end_lineno is not None  # always set by ast.parse
            length = node.end_lineno - node.lineno + 1
            if length > limit:
                found.append((node.name, node.lineno, length))
    return found


def python_files(target: str) -> list[Path]:
    """The .py files of a folder (recursively), or the file itself."""
    path = ROOT / target
    return [path] if path.is_file() else sorted(path.rglob("*.py"))


@pytest.mark.parametrize("target", FOLDERS)
def test_no_function_is_longer_than_the_limit(target: str) -> None:
    files = python_files(target)
    assert files, f"no Python files under {target}"
    offenders = [
        f"{path.relative_to(ROOT)}:{line} {name} ({length} lines)"
        for path in files
        for name, line, length in long_functions(path.read_text(encoding="utf-8"))
    ]
    assert not offenders, f"functions over {MAX_LINES} lines: {offenders}"


def _function_of(lines: int, indent: str = "") -> str:
    body = "".join(f"{indent}    x = {i}\n" for i in range(lines - 1))
    return f"{indent}def f():\n{body}"


def test_the_limit_is_inclusive() -> None:
    assert long_functions(_function_of(MAX_LINES)) == []
    assert long_functions(_function_of(MAX_LINES + 1)) == [("f", 1, MAX_LINES + 1)]


def test_methods_async_and_nested_functions_count() -> None:
    method = "class C:\n" + _function_of(MAX_LINES + 1, indent="    ")
    assert long_functions(method) == [("f", 2, MAX_LINES + 1)]
    coroutine = "async " + _function_of(MAX_LINES + 5)
    assert long_functions(coroutine) == [("f", 1, MAX_LINES + 5)]
    outer = "def outer():\n" + _function_of(MAX_LINES, indent="    ") + "    return f\n"
    assert long_functions(outer) == [("outer", 1, MAX_LINES + 2)]


def test_decorators_do_not_count() -> None:
    decorated = "@a\n@b\n" + _function_of(MAX_LINES)
    assert long_functions(decorated) == []
