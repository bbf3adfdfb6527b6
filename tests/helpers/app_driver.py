"""Helpers for driving the real `streamlit_app.py` with AppTest, shared by the issue 5 tests.

Pages are reached through `ui.navigation.PAGES`, so a page added there is covered by the
generic tests (render every page, act on every page) without changes here.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest
from streamlit.testing.v1 import AppTest

from emulator.process import ROOT
from ui import navigation

APP = str(ROOT / "streamlit_app.py")
BUILDER = "pages/request_builder.py"
CHAT = "pages/streaming_chat.py"
TRANSLATOR = "pages/translator.py"
CHATBOT = "pages/memory_chatbot.py"
PAGE_PATHS = [spec.path for spec in navigation.PAGES]
TIMEOUT = 90  # seconds per AppTest run; giant replies and retry waits need more than 3
SECRETS = ("sb_key", "sb_entra_token")  # the sidebar's password fields: the user's own secrets


def start_app(monkeypatch: pytest.MonkeyPatch, url: str, key: str) -> AppTest:
    """The app on its home view, configured like `make run` does (environment only)."""
    monkeypatch.setenv("PLAYGROUND_LOCAL_URL", url)
    monkeypatch.setenv("PLAYGROUND_LOCAL_KEY", key)
    at = AppTest.from_file(APP, default_timeout=TIMEOUT).run()
    assert not at.exception, at.exception
    return at


def open_page(at: AppTest, page: str) -> AppTest:
    """Switch to `page` (a path under pages/) and check it ran without an exception."""
    at.switch_page(page).run()
    assert not at.exception, at.exception
    return at


def texts(elements: Any) -> str:
    """The values of some elements, one per line."""
    return "\n".join(str(e.value) for e in elements)


_ESCAPED = re.compile(r"\\([!-/:-@\[-`{-~])")


def plain(markdown: str) -> str:
    """Text the app escaped with `ui.safe_text.literal` (error messages, server values) as
    the browser shows it."""
    return _ESCAPED.sub(r"\1", markdown.replace("  \n", "\n")).replace("\u00a0", " ")


def plain_texts(elements: Any) -> str:
    """`texts` of elements whose values the app escaped (errors, metric values), as shown."""
    return "\n".join(plain(str(e.value)) for e in elements)


def set_extra_headers(at: AppTest, text: str) -> None:
    """The sidebar's Connection → Extra headers, as a person types them."""
    at.text_area(key="sb_headers").input(text).run()
    assert not at.exception, at.exception


def say(at: AppTest, message: str) -> None:
    """Send a chat message on a page with a chat input."""
    at.chat_input[0].set_value(message).run()
    assert not at.exception, at.exception


def act(at: AppTest, message: str = "Hello from the tests") -> str:
    """Make the page call the endpoint, generically: chat pages get a message, other pages a
    click on their first enabled primary button. Returns what was done."""
    if at.chat_input and not at.chat_input[0].proto.disabled:
        say(at, message)
        return f"sent {message!r}"
    for button in at.main.button:
        if button.proto.type == "primary" and not button.disabled:
            button.click().run()
            assert not at.exception, at.exception
            return f"clicked {button.label!r}"
    return "nothing to do"


def protos(at: AppTest) -> Iterator[tuple[Any, Any]]:
    """Every rendered node (main area and sidebar) with its protobuf."""
    stack: list[Any] = [at.main, at.sidebar]
    while stack:
        node = stack.pop()
        stack.extend(getattr(node, "children", {}).values())
        if getattr(node, "proto", None) is not None:
            yield node, node.proto


def rendered(at: AppTest, *, skip_key_value: bool = True) -> str:
    """Everything the page sent to the browser, as text: every element's protobuf (values,
    labels, help, bodies, code, JSON, captions, download URLs).

    With `skip_key_value`, the values (and defaults) of the secret fields (the key, the
    pasted Entra token) are blanked and nothing else: their labels, help and placeholders
    are still searched.
    """
    parts = []
    for node, proto in protos(at):
        if skip_key_value and getattr(node, "type", "") == "text_input" and node.key in SECRETS:
            assert proto.type == proto.PASSWORD, f"{node.key} must be a password field"
            proto = copy.deepcopy(proto)
            proto.ClearField("value")
            proto.ClearField("default")
        parts.append(str(proto))
    return "\n".join(parts)


def markdown_images(at: AppTest) -> list[str]:
    """Every image a rendered element's Markdown would make the browser fetch (markdown,
    captions, alerts, metrics, labels, help), as `element: src`."""
    from markdown_it import MarkdownIt

    parser = MarkdownIt("commonmark").enable(["table", "strikethrough"])
    found = []
    for node, proto in protos(at):
        if getattr(node, "type", "") == "json":
            continue  # its body is JSON for a viewer, never Markdown
        for descriptor, value in proto.ListFields():
            if descriptor.name not in ("body", "label", "help") or not isinstance(value, str):
                continue
            for token in parser.parse(value):
                found += [
                    f"{getattr(node, 'type', '?')}: {child.attrs.get('src')}"
                    for child in token.children or ()
                    if child.type == "image"
                ]
    return found


def assert_key_hidden(at: AppTest, key: str) -> None:
    """The key appears in no rendered element but the password field (and there are some)."""
    shown = 0
    for node, proto in protos(at):
        if getattr(node, "type", "") == "text_input" and node.key in SECRETS:
            continue  # the password fields themselves, masked by the browser
        assert key not in str(proto), f"key shown in {node}"
        shown += 1
    assert shown > 10


def rendered_size(at: AppTest) -> int:
    """Bytes of protobuf the page sent, a bound on what the browser has to draw."""
    return sum(proto.ByteSize() for _, proto in protos(at))


@dataclass
class Downloads:
    """Everything the app offered for download during the test, by file name."""

    files: list[tuple[str | None, bytes]] = field(default_factory=list)

    def named(self, name: str) -> list[bytes]:
        """Every version offered under this file name, oldest first."""
        return [data for filename, data in self.files if filename == name]

    def all_bytes(self) -> bytes:
        """Every download's bytes, joined."""
        return b"\n".join(data for _, data in self.files)
