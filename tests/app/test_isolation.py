"""Issue 5: sessions are isolated. Two AppTest sessions in one process (so a module global or
a `st.cache_resource` would be shared between them) never see each other's key, history or
settings; and no client lives anywhere but `st.session_state`. Two browser contexts on one
server are in tests/browser/test_pages.py.
"""

from __future__ import annotations

import ast
import secrets
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from emulator.process import ROOT, Emulator
from tests.helpers.app_driver import BUILDER, CHAT, PAGE_PATHS, open_page, rendered, say, start_app

SOURCES = [
    ROOT / "streamlit_app.py",
    *sorted(ROOT.glob("ui/*.py")),
    *sorted(ROOT.glob("pages/*.py")),
]


def session(emulator: Emulator, monkeypatch: pytest.MonkeyPatch, key: str) -> AppTest:
    at = start_app(monkeypatch, emulator.base_url, emulator.api_key)
    at.text_input(key="sb_key").input(key).run()  # each visitor pastes their own key
    return at


def test_two_sessions_never_see_each_others_key_history_or_settings(
    emulator: Emulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    key_a, key_b = (f"KEY-{name}-{secrets.token_hex(12)}" for name in "AB")
    a = session(emulator, monkeypatch, key_a)
    b = session(emulator, monkeypatch, key_b)
    a.slider(key="sb_param_temperature").set_value(1.5)
    a.text_area(key="sb_system").input("You are session A.").run()
    open_page(a, CHAT)
    open_page(b, CHAT)
    say(a, "alpha history line")  # A's key is wrong for the emulator: a 401, kept in A's history
    say(b, "bravo history line")
    open_page(a, BUILDER)
    a.text_area(key="rb_body").input('{"messages": [{"role": "user", "content": "alpha body"}]}')
    a.button(key="btn_rb_send").click().run()
    for page in PAGE_PATHS:  # every page, interleaved, as two visitors would
        open_page(a, page)
        open_page(b, page)
        seen_by_a, seen_by_b = rendered(a), rendered(b)
        assert "alpha" in seen_by_a or page != CHAT  # the control: A sees its own history
        for secret in (key_b, key_b[-12:], "bravo history"):
            assert secret not in seen_by_a, (page, secret)
        for secret in (key_a, key_a[-12:], "alpha history", "alpha body", "session A"):
            assert secret not in seen_by_b, (page, secret)
    assert a.text_input(key="sb_key").value == key_a
    assert b.text_input(key="sb_key").value == key_b
    assert a.slider(key="sb_param_temperature").value == 1.5
    assert b.slider(key="sb_param_temperature").value != 1.5
    assert b.text_area(key="sb_system").value != "You are session A."
    assert "rb_history" not in b.session_state or not b.session_state["rb_history"]


def test_each_session_has_its_own_clients(emulator: Emulator, monkeypatch) -> None:
    a = session(emulator, monkeypatch, "key-for-a")
    b = session(emulator, monkeypatch, "key-for-b")
    open_page(a, CHAT)
    open_page(b, CHAT)
    clients_a = list(a.session_state["_clients"].values())
    clients_b = list(b.session_state["_clients"].values())
    assert clients_a and clients_b
    assert not {id(c) for c in clients_a} & {id(c) for c in clients_b}
    keys_a = {c.endpoint.key.reveal() for c in clients_a}
    keys_b = {c.endpoint.key.reveal() for c in clients_b}
    assert "key-for-a" in keys_a and "key-for-b" not in keys_a
    assert "key-for-b" in keys_b and "key-for-a" not in keys_b
    assert all(c.hosts is not None for c in clients_a + clients_b)  # the allow-list applies


# Guards on the source: where clients may live ---------------------------------------------------

CLIENT_MAKERS = {"Client", "ChatAzureServerless", "community_chat_model", "chat_model"}


@pytest.mark.parametrize("path", SOURCES, ids=lambda p: str(Path(p).relative_to(ROOT)))
def test_no_client_in_a_module_global_or_a_shared_cache(path: Path) -> None:
    tree = ast.parse(path.read_text(), str(path))
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute) and node.attr in ("cache_resource", "cache_data"):
            pytest.fail(f"{path.name}:{node.lineno}: st.{node.attr} is shared by every visitor")
        if isinstance(node, ast.Global):
            pytest.fail(f"{path.name}:{node.lineno}: `global` state is shared by every visitor")
    if path.parent.name == "pages" or path.name == "streamlit_app.py":
        return  # page scripts run afresh for every session's every run: nothing is shared
    for call in _import_time_calls(tree):
        if _name(call.func) in CLIENT_MAKERS:
            pytest.fail(f"{path.name}:{call.lineno}: a client made at import time")


def _import_time_calls(tree: ast.Module) -> list[ast.Call]:
    """Calls that run when the module is imported (not inside function bodies)."""
    found, stack = [], list(tree.body)
    while stack:
        node = stack.pop()
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda):
            stack.extend(getattr(node, "decorator_list", []))  # decorators run at import
            continue
        if isinstance(node, ast.Call):
            found.append(node)
        stack.extend(ast.iter_child_nodes(node))
    return found


def _name(func: ast.expr) -> str:
    if isinstance(func, ast.Attribute):
        return func.attr
    return func.id if isinstance(func, ast.Name) else ""


def test_the_guard_catches_a_module_level_client(tmp_path: Path) -> None:
    """The control for the guard above: it does fail on the pattern it is meant to catch."""
    bad = tmp_path / "bad.py"
    bad.write_text("import streamlit as st\nfrom core import Client\nCLIENT = Client(None)\n")
    with pytest.raises(pytest.fail.Exception, match="a client made at import time"):
        test_no_client_in_a_module_global_or_a_shared_cache(bad)
    cached = tmp_path / "cached.py"
    cached.write_text("import streamlit as st\n@st.cache_resource\ndef c():\n    return 1\n")
    with pytest.raises(pytest.fail.Exception, match="shared by every visitor"):
        test_no_client_in_a_module_global_or_a_shared_cache(cached)
