"""What survives a reload: a copy of the session's work in the user's own browser
(`localStorage`), never on the server's disk, and never a key or a token.

    value = browser_store.restore("chat")   # once per session: the browser's copy, or None
    browser_store.save("chat", value)       # at the end of the page's run; None forgets it
    browser_store.sync()                    # the entry point's last step: the bridge

The bridge is one `st.components.v2` component (inline JS, no build step) whose script runs
in the page itself, so `localStorage` is the app origin's. Asked by a Streamlit session (its
first run, and up to `ASKS` more while no report arrived), it reads every item under `PREFIX`
and reports them (a trigger value: the copy crosses the socket once, not with every rerun);
each mount writes what `save` changed since the last one. A reload starts a new session: its
first run draws the page empty, the report arrives, and the next run restores. `save` waits
for that report (and for the page's `restore`), so an empty first run never overwrites the
copy it has not read yet. A write the browser has no room for is said on the page, and not
tried again until the value changes.

Every text written first passes the session's redactors (`core.redact.Redactor`: the typed
keys, the endpoint's key and tokens, each client's), then a check that none of those strings
is left; a text that still holds one is not written. The copies together stay under
`MAX_CHARS` (Chromium refuses about 4.75 M characters per origin); a value over it is not
kept, and the page says so. `leave_guard` warns before leaving the page while a reply
streams (`ui.follow` mounts it around its loop).
"""

from __future__ import annotations

import functools
import json
import uuid
from dataclasses import dataclass, field
from typing import Any

import streamlit as st

from core.redact import Redactor
from ui import credentials, session_settings

PREFIX = "azure-ai-playground.v1."  # every localStorage key of the app starts with it
MAX_CHARS = 3_000_000  # all copies together, in characters
ASKS = 3  # runs that ask the browser again for its report while none arrived
BRIDGE = "browser_store_bridge"  # the component's key
EARLY = "browser_store_early"  # the key of the one `flush` mounts, which never asks
STATE = "_browser_store"  # st.session_state key: this session's `Store`

_BRIDGE_JS = r"""
export default function ({ data: sent, setTriggerValue }) {
  // Sent as JSON bytes: a dict would make Streamlit look for dataframes (importing pandas).
  const bytes = sent instanceof ArrayBuffer ? new Uint8Array(sent) : sent;
  const data = bytes instanceof Uint8Array ? JSON.parse(new TextDecoder().decode(bytes)) : sent;
  const store = window.localStorage;
  const prefix = data.prefix;
  // Asked (each run until the session has the report): report what the browser holds,
  // before writing.
  if (data.ask && window.__playgroundStoreAsk !== data.ask) {
    window.__playgroundStoreAsk = data.ask;
    const items = {};
    for (let i = 0; i < store.length; i++) {
      const name = store.key(i);
      if (name !== null && name.startsWith(prefix)) {
        items[name.slice(prefix.length)] = store.getItem(name);
      }
    }
    setTriggerValue("report", items);
  }
  const refused = [];
  for (const [name, text] of Object.entries(data.writes || {})) {
    try {
      if (text === null) store.removeItem(prefix + name);
      else store.setItem(prefix + name, text);
    } catch (error) {  // QuotaExceededError: the origin's storage is full
      store.removeItem(prefix + name);
      refused.push(name);
    }
  }
  if (refused.length) setTriggerValue("refused", refused);
}
"""

# Mounted by `ui.follow` around a live stream: while mounted, leaving the page asks first.
# Its cleanup (run when the element goes) removes the listener.
_GUARD_JS = r"""
export default function () {
  const ask = (event) => { event.preventDefault(); event.returnValue = ""; };
  window.addEventListener("beforeunload", ask);
  return () => window.removeEventListener("beforeunload", ask);
}
"""


@dataclass
class Store:
    """This session's view of the browser's copy."""

    session: str = field(default_factory=lambda: uuid.uuid4().hex)
    report: dict[str, str] | None = None  # what the browser held at load; None until it says
    offered: set[str] = field(default_factory=set)  # names `restore` handed out
    restored: set[str] = field(default_factory=set)  # ... and then saved: settled
    held: dict[str, str] = field(default_factory=dict)  # what the browser holds now
    pending: dict[str, str | None] = field(default_factory=dict)  # writes for the next mount
    refused: dict[str, str | None] = field(default_factory=dict)  # name: text with no room
    asked: int = 0  # runs that asked for the report


def _store() -> Store:
    found = st.session_state.get(STATE)
    if not isinstance(found, Store):
        found = st.session_state[STATE] = Store()
    return found


# What pages call ------------------------------------------------------------------------


def restore(name: str) -> Any:
    """The browser's copy of `name` as JSON, once the browser has reported, until the page
    first saves `name` (None before, after, and when there is none). Until that save the
    same copy is offered again: a rerun can interrupt a run anywhere between the two, and
    the page restores only into an empty state. A copy that is not JSON is dropped, with a
    toast saying so."""
    store = _store()
    if store.report is None or name in store.restored:
        return None
    store.offered.add(name)
    text = store.report.get(name)
    if text is None:
        return None
    store.held[name] = text
    try:
        return json.loads(text)
    except ValueError:
        drop(name, name, "it is not valid JSON.")
        return None


def drop(name: str, what: str, why: str) -> None:
    """Forget the browser's copy of `name` (`what`, in words), which could not be used
    because of `why`, and say so."""
    store = _store()
    store.restored.add(name)
    store.pending[name] = None
    store.held.pop(name, None)
    st.toast(
        f"This browser's copy of {what} could not be read, so it was dropped: {why}",
        icon=":material/cloud_off:",
    )


def save(name: str, value: Any) -> str | None:
    """Keep `value` (JSON) as the browser's copy of `name`; None forgets it. Written at the
    end of this run, only when it changed. Returns why it is not kept, or None."""
    store = _store()
    if name not in store.offered or store.report is None:
        return None  # the browser's copy is not read yet: writing now would overwrite it
    store.restored.add(name)
    store.report.pop(name, None)  # settled: the session need not hold the copy it read
    text, problem = None, None
    if value is not None:
        text, problem = _clean(json.dumps(value, ensure_ascii=False))
    if text is not None and _size(store, name) + len(text) > MAX_CHARS:
        problem, text = _too_big(len(text)), None
    if text is not None and store.refused.get(name) == text:
        # Tried, and the browser had no room: not again until it changes (no rerun loop).
        return "not kept: this browser's storage for the app is full"
    if store.held.get(name) != text:
        store.pending[name] = text
        store.refused.pop(name, None)
        if text is None:
            store.held.pop(name, None)
        else:
            store.held[name] = text
    return problem


def _size(store: Store, name: str) -> int:
    return sum(len(text) for other, text in store.held.items() if other != name)


def _too_big(size: int) -> str:
    return (
        f"too large to keep in this browser ({size / 1e6:.1f} M characters; all kept copies "
        f"together may take {MAX_CHARS / 1e6:.0f} M): it will not survive a reload. "
        "Export it to keep it."
    )


def _clean(text: str) -> tuple[str | None, str | None]:
    """(`text` with the session's secrets masked, None), or (None, why) when a secret is
    still found in it or masking broke its JSON: such a text is never written."""
    secrets, redactors = _secrets()
    for redactor in redactors:
        text = redactor.text(text)
    if any(secret in text for secret in secrets):
        return None, "not kept in this browser: it holds the endpoint's key or a token"
    try:
        json.loads(text)
    except ValueError:
        return None, "not kept in this browser: it held the key, and masking it broke the copy"
    return text, None


def _secrets() -> tuple[set[str], list[Redactor]]:
    """The session's keys and tokens, and the redactors that know them."""
    state = st.session_state
    secrets = {state.get("sb_key", ""), state.get("sb_entra_token", "")}
    secrets |= {
        str(saved.get("key", ""))
        for saved in state.get("sb_endpoints", {}).values()
        if isinstance(saved, dict)
    }
    settings = state.get(session_settings.SETTINGS)
    endpoint = getattr(settings, "endpoint", None)
    if endpoint is not None:
        secrets.add(endpoint.key.reveal())
        if endpoint.token is not None:
            secrets.update(endpoint.token.issued())
    for source in state.get(credentials.SOURCES, {}).values():  # this machine's login, per scope
        secrets.update(source.issued())
    secrets = {s.strip() for s in secrets if isinstance(s, str) and s.strip()}
    redactors = [Redactor(*secrets)]
    redactors += [client.redactor for client in state.get(session_settings.CLIENTS, {}).values()]
    return secrets, redactors


# The bridge and the guard ---------------------------------------------------------------


def sync() -> None:
    """Mount the bridge with this run's writes: the entry point's last step (after the page,
    so a reply that ended in this run is written in this run)."""
    store = _store()
    ask = None
    if store.report is None:  # asked again in the next runs: a report can be held up
        ask, store.asked = f"{store.session}:{min(store.asked, ASKS)}", store.asked + 1
    _mount(BRIDGE, ask)


def flush() -> None:
    """Write what this run saved so far now, before a long wait (a reply to follow), so a
    reload during the wait finds it: a second bridge, which only writes."""
    if _store().pending:
        _mount(EARLY, None)


def _mount(key: str, ask: str | None) -> None:
    store = _store()
    writes = dict(store.pending)
    _bridge()(
        key=key,
        # JSON bytes, not a dict, which Streamlit would search for dataframes (importing
        # pandas, half a second on the first page shown).
        data=json.dumps({"prefix": PREFIX, "ask": ask, "writes": writes}).encode(),
        height=0,
        on_report_change=_on_report,
        on_refused_change=functools.partial(_on_refused, key),
    )
    # Sent: forgotten only now, so a run stopped before the mount sends them next time.
    for name, text in writes.items():
        if store.pending.get(name, ...) == text:
            del store.pending[name]


def _on_report() -> None:
    report = _event("report")
    if isinstance(report, dict) and _store().report is None:
        _store().report = {k: v for k, v in report.items() if isinstance(v, str)}


def _on_refused(key: str) -> None:
    refused = _event("refused", key)
    if isinstance(refused, list):
        store = _store()
        for name in map(str, refused):
            store.refused[name] = store.held.pop(name, None)


def _event(name: str, key: str = BRIDGE) -> Any:
    value = st.session_state.get(key)
    return value.get(name) if isinstance(value, dict) else getattr(value, name, None)


def leave_guard(key: str) -> None:
    """Warn before leaving the page while this element is on it (empty its container to
    end the warning)."""
    _guard()(key=f"{key}_leave_guard", height=0)


@functools.cache  # registered once per process: registering again logs a warning
def _bridge() -> Any:
    return st.components.v2.component("playground_browser_store", js=_BRIDGE_JS)


@functools.cache
def _guard() -> Any:
    return st.components.v2.component("playground_leave_guard", js=_GUARD_JS)
