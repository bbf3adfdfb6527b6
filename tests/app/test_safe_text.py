"""`ui.safe_text`: model output keeps its Markdown but never an image; server text is no
Markdown at all. Checked with markdown-it-py, a CommonMark parser (the rules Streamlit's
parser follows), with tables and strikethrough on as in GitHub-flavoured Markdown; the
browser half (Chromium fetches nothing) is tests/browser/test_hosting.py.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from markdown_it import MarkdownIt

from tests.helpers.app_driver import plain
from ui.safe_text import code, literal, markdown

PARSER = MarkdownIt("commonmark").enable(["table", "strikethrough"])
URL = "http://127.0.0.1:9/leak"

IMAGES = {
    "inline": f"Look: ![x]({URL}?q=secret)",
    "full reference": f"![x][r]\n\n[r]: {URL}",
    "collapsed reference": f"![r][]\n\n[r]: {URL}",
    "shortcut reference": f"![r]\n\n[r]: {URL}",
    "in a quote": f"> ![x]({URL})",
    "in a list": f"- item\n- ![x]({URL})",
    "in a table": f"| a | b |\n|---|---|\n| ![x]({URL}) | 2 |",
    "inside a link": f"[![x]({URL})](https://example.com)",
    "after a fence": f"```\ncode\n```\n![x]({URL})",
    "after an unclosed fence in a quote": f"> ```\n![x]({URL})",
    "escaped bang before": f"\\\\![x]({URL})",
    "fence inside an html block": f"<div>\n```\n</div>\n\n![x]({URL})\n```",
    "CR line endings": f"```\rcode\r```\r![x]({URL})",
    "U+2028 before a fence": f"x\u2028![x]({URL})\n```\ncode\n```",
    "indented code after": f"![x]({URL})\n\n    code",
}


def tokens(text: str) -> Iterator[Any]:
    """Every token CommonMark finds in `text`, inline ones included."""
    for token in PARSER.parse(text):
        yield token
        yield from token.children or ()


def images(text: str) -> list[str]:
    return [t.attrs.get("src", "") for t in tokens(text) if t.type == "image"]


@pytest.mark.parametrize("text", list(IMAGES.values()), ids=list(IMAGES))
def test_no_image_survives(text: str) -> None:
    assert images(text), "the vector is no image to begin with: the test would mean nothing"
    assert images(markdown(text)) == []


def test_markdown_stays_markdown_and_code_stays_as_written() -> None:
    text = "**bold** and [a link](https://example.com)\n\n```rust\nlet v = vec![1, 2];\n```\n"
    assert markdown(text) == text  # no image: untouched
    mixed = text + f"\n![x]({URL})"
    assert "let v = vec![1, 2];" in markdown(mixed)  # the fenced block keeps its `![`
    assert f"!\\[x]({URL})" in markdown(mixed)  # shown as its source text
    kinds = {t.type for t in tokens(markdown(mixed))}
    assert {"strong_open", "link_open", "fence"} <= kinds


@given(st.text(alphabet="![]()<>`~ \n\t\r>-*_:/\\abc1.|#=", max_size=60))
def test_no_image_in_any_markdown(text: str) -> None:
    assert images(markdown(text)) == []


SERVER_TEXT = [
    f"![e]({URL}) and [click me]({URL}) and <{URL}>",
    "**b** `c` <b>x</b> &copy; :smile: :material/home: :red[r] $x^2$ ~~s~~",
    "# heading\n- item\n1. one\n> quote\n    indented\n---",
    "line one\r\nline two\rline three",
]


@pytest.mark.parametrize("text", SERVER_TEXT)
def test_server_text_is_no_markup(text: str) -> None:
    shown = literal(text)
    kinds = {t.type for t in tokens(shown)}
    assert kinds <= {"paragraph_open", "paragraph_close", "inline", "text", "hardbreak"}, kinds
    assert plain(shown) == text.replace("\r\n", "\n").replace("\r", "\n")


@given(st.text(st.characters(exclude_characters="\xa0"), max_size=80))
def test_any_server_text_reads_back_as_written(text: str) -> None:
    shown = literal(text)
    assert not any(t.type in ("image", "link_open", "html_inline") for t in tokens(shown))
    lines = text.replace("\r\n", "\n").replace("\r", "\n")
    # Leading blanks are kept as no-break spaces (a tab as four), which read back as spaces.
    expected = re.sub(r"^[ \t]+", lambda m: " " * len(m.group(0).expandtabs(4)), lines, flags=re.M)
    assert plain(shown) == expected


@pytest.mark.parametrize("value", ["abc-123", "a`b", "``x``", "`edge`", "line\nbreak"])
def test_a_code_span_holds_any_value(value: str) -> None:
    inline = list(tokens(f"Request id {code(value)}: quote it"))
    spans = [t.content for t in inline if t.type == "code_inline"]
    assert spans == [" ".join(value.split())]
