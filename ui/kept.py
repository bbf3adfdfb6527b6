"""What each page keeps in this browser across a reload (`ui.browser_store`): the sidebar's
system prompt, the Streaming Chat conversation, the Memory Chatbot's memory with its k and
prompt form, the Request Builder's history (its JSON is `ui.builder_history`'s).

Each page restores first (once per session, when its own is still empty) and saves at the end
of its run, so Clear, which empties it, clears the browser's copy too. A copy that cannot be
read is dropped with a message, and the page goes on empty. The sidebar's profile and
parameters are not kept here (the page's address is their place), nor is anything the
sidebar holds about keys, tokens or endpoints.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import streamlit as st

from core.conversation import Conversation
from core.memory import MAX_K, MIN_K, export_history
from core.transcript import HistoryImportError, export_json, import_json
from ui import browser_store, follow, request_builder
from ui import builder_history as builder_history_json
from ui.chat_turns import ChatPage

SYSTEM = "system"  # the name of the system prompt's copy
RESTORED = "Restored from this browser: {count} message(s) from before the reload."


# The sidebar's system prompt -----------------------------------------------------------------


def system_prompt() -> None:
    """Restore the system prompt (before the sidebar draws it) and keep the one in use."""
    value = browser_store.restore(SYSTEM)
    if isinstance(value, str):
        st.session_state["sb_system"] = value
    elif value is not None:
        browser_store.drop(SYSTEM, "the system prompt", "it is not text.")
    # Kept as typed, the default too: an emptied prompt stays empty after a reload.
    _say(browser_store.save(SYSTEM, st.session_state.get("sb_system")), "The system prompt")


# Conversations -------------------------------------------------------------------------------


def conversation(page: ChatPage, read: Callable[[Any], Conversation]) -> None:
    """Put the browser's copy of the page's conversation in place, once per session, when
    the page has none yet; `read` raises HistoryImportError for a copy it cannot read."""
    value = browser_store.restore(page.key)
    if value is None or page.conversation().turns:
        return
    try:
        restored = read(value)
    except HistoryImportError as exc:
        browser_store.drop(page.key, "the conversation", str(exc))
        return
    st.session_state[_restored(page)] = len(restored.turns)
    page.replace(restored)


def restored_note(page: ChatPage) -> None:
    """The note "Restored from this browser", until the conversation changes."""
    count = len(page.conversation().turns)
    if count and st.session_state.get(_restored(page)) == count:
        st.caption(":material/history: " + RESTORED.format(count=count))


def keep(page: ChatPage, value: Any, *, quiet: bool = False) -> None:
    """Keep `value` (None: nothing) as the browser's copy of the page's conversation; a
    problem is said unless `quiet` (a page that keeps twice in a run says it once)."""
    problem = browser_store.save(page.key, value)
    if not quiet:
        _say(problem, "This conversation")


def _restored(page: ChatPage) -> str:
    return f"{page.key}_restored"


def _say(problem: str | None, what: str) -> None:
    if problem:
        st.caption(f":material/cloud_off: {what} is {problem}")


# The Request Builder's history -------------------------------------------------------------------

BUILDER = "rb"  # the name of the Request Builder history's copy


def builder_history() -> None:
    """Put the browser's copy of the Request Builder's history in place, once per session,
    when nothing was sent yet; the last request's response is shown."""
    value = browser_store.restore(BUILDER)
    if value is None or request_builder.history():
        return
    try:
        entries = builder_history_json.read_history(value)
    except HistoryImportError as exc:
        browser_store.drop(BUILDER, "the Request Builder history", str(exc))
        return
    st.session_state["rb_history"] = entries
    st.session_state["rb_selected"] = len(entries) - 1


def clear_builder_history() -> None:
    """Forget the sent requests (a send still running is stopped), here and in the browser."""
    follow.stop(request_builder.KEY)
    st.session_state["rb_history"] = []
    st.session_state.pop("rb_selected", None)


def keep_builder_history() -> None:
    """Keep the Request Builder's history (the newest that fit) as the browser's copy."""
    entries = request_builder.history()
    value = builder_history_json.history_json(entries) if entries else None
    _say(browser_store.save(BUILDER, value), "The history")
    if value is not None and len(value) < len(entries):
        st.caption(
            f":material/cloud_off: The oldest {len(entries) - len(value)} request(s) are too "
            "large to keep in this browser too: only the newer ones survive a reload."
        )


# Streaming Chat: the conversation as its JSON export -------------------------------------------


def chat_value(chat: Conversation) -> Any:
    """The Streaming Chat copy: the page's JSON export (`core.transcript`), None when empty."""
    return json.loads(export_json(chat)) if chat.turns else None


def read_chat(value: Any) -> Conversation:
    """A conversation from `chat_value`'s copy (HistoryImportError when it is not one)."""
    return import_json(json.dumps(value))


# Memory Chatbot: the memory as its export, with k and the prompt form ----------------------------


def memory_value(chat: Conversation, remembered: Any, k: int, mode: str) -> Any:
    """The Memory Chatbot copy: the memory's export (`core.memory`), k and the prompt form;
    None when the conversation is empty."""
    if not chat.turns:
        return None
    return {"memory": json.loads(export_history(remembered)), "k": k, "mode": mode}


def read_memory(value: Any, modes: Any, read: Callable[[bytes], Conversation]) -> Conversation:
    """A conversation from `memory_value`'s copy; k and the prompt form go back to their
    widgets (HistoryImportError when the copy is not one)."""
    if not isinstance(value, dict) or set(value) != {"memory", "k", "mode"}:
        raise HistoryImportError("It is not a Memory Chatbot copy.")
    k, mode = value["k"], value["mode"]
    if not isinstance(k, int) or isinstance(k, bool) or not MIN_K <= k <= MAX_K:
        raise HistoryImportError(f"k must be a whole number from {MIN_K} to {MAX_K}.")
    if mode not in modes:
        raise HistoryImportError(f"Unknown prompt form {mode!r}.")
    restored = read(json.dumps(value["memory"]).encode())
    st.session_state["mc_k"], st.session_state["mc_mode"] = k, mode
    return restored
