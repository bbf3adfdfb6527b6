"""Importing this module starts importing LangChain (`core.langchain`) in a background thread.

LangChain takes about a second to import, once per server process; without this, the first
visit to Translator or Memory Chatbot after the server starts waits for it. The entry point
imports this module at the end of the app's first run, once that run's page is drawn (the
import would otherwise compete with the drawing for the interpreter: `make bench`, section
3b), so a user who opens those pages a few seconds later finds it done. A page opened before
it finishes still works: its own `import core.langchain` waits on Python's import lock until
this thread is through.

Module state is fine here, although the playground keeps everything else per session: what
this thread does is an import, shared by every session of the process like any import, and
Python runs a module's body once per process, so the thread starts once. No session data
goes near it.

`PLAYGROUND_PRELOAD_LANGCHAIN=0` turns it off (for `make bench`, which measures the first
visit both ways, and for the test that checks which pages import LangChain themselves).
"""

from __future__ import annotations

import importlib
import logging
import os
import threading

PRELOAD_ENV = "PLAYGROUND_PRELOAD_LANGCHAIN"
MODULE = "core.langchain"
log = logging.getLogger(__name__)


def _preload() -> None:
    try:
        importlib.import_module(MODULE)
    except Exception as exc:  # the page's own import fails again, and says so there
        log.warning("Importing %s in the background failed: %s", MODULE, type(exc).__name__)


def enabled() -> bool:
    """False when PLAYGROUND_PRELOAD_LANGCHAIN is 0 (or false, no, off)."""
    return os.environ.get(PRELOAD_ENV, "1").strip().lower() not in ("0", "false", "no", "off")


# The thread, or None when the preload is off; `thread.join()` waits for the import.
thread: threading.Thread | None = None
if enabled():
    thread = threading.Thread(target=_preload, name="langchain-preload", daemon=True)
    thread.start()
