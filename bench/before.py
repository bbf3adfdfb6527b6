"""The client as it was before the restructure (issue 10), to measure against in the same run.

`make bench` compares our streaming call and LangChain adapter with the same code at
`BEFORE`, the last commit before the restructure, so "no streaming figure worse than before"
is a ratio from one run on one machine, not a comparison with figures measured on another
day. `git archive` copies that commit's `core/` into a temporary folder as the package
`core_before` (its imports are all relative), which imports beside today's `core`. Without
git or the commit (a shallow clone, an exported tree) the contenders say why instead.
"""

from __future__ import annotations

import atexit
import functools
import importlib
import io
import shutil
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path
from types import ModuleType

BEFORE = "d00e430"  # "tests: one giant reply…", the last commit before the restructure
PACKAGE = "core_before"
ROOT = Path(__file__).resolve().parent.parent


@functools.cache
def core_before() -> ModuleType:
    """`core` at `BEFORE`, imported as `core_before`; raises RuntimeError when unavailable."""
    try:
        archive = subprocess.run(
            ["git", "archive", "--format=tar", BEFORE, "core"],
            cwd=ROOT,
            capture_output=True,
            check=True,
        ).stdout
    except (OSError, subprocess.CalledProcessError) as exc:
        raise RuntimeError(f"commit {BEFORE} unavailable: {type(exc).__name__}") from None
    folder = Path(tempfile.mkdtemp(prefix="bench-before-"))
    atexit.register(shutil.rmtree, folder, ignore_errors=True)
    with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
        tar.extractall(folder, filter="data")
    (folder / "core").rename(folder / PACKAGE)
    sys.path.insert(0, str(folder))
    return importlib.import_module(PACKAGE)


def stream_chat(url: str, key: str, messages: list[dict[str, str]]) -> int:
    """The text pieces `Client.stream_chat` yielded at `BEFORE`."""
    core = core_before()
    client = core.Client(core.Endpoint(url, key=key), core.PROFILES["local"])
    return sum(1 for _ in client.stream_chat(messages))


def langchain_adapter(url: str, key: str) -> int:
    """The chunks with text the LangChain adapter streamed at `BEFORE`."""
    core = core_before()
    adapter = importlib.import_module(f"{PACKAGE}.langchain")
    model = adapter.ChatAzureServerless.from_endpoint(core.Endpoint(url, key=key), profile="local")
    return sum(1 for chunk in model.stream("Stream, please.") if chunk.content)


__all__ = ["BEFORE", "core_before", "langchain_adapter", "stream_chat"]
