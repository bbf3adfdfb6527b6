"""A finished comparison as a Markdown file or one self-contained HTML file.

    markdown = report_markdown(setup, replies, votes=votes, redactor=redactor)
    page = report_html(setup, replies, votes=votes, blind=order, redactor=redactor)

Both hold the prompt; per column its endpoint label, deployment, parameters (as the reply
record says it was asked), system prompt, reply and metrics; the blind reveal and the vote
tally when given. Not the URL, and never a key: the inputs hold none, and every text also
passes through the page's `Redactor` before it is escaped (and the whole document once more).

Model and user text is data, not markup. HTML: every text is escaped, and the page carries a
Content-Security-Policy allowing nothing but its inline style, so it fetches nothing and runs
nothing; there is no `<img>`, `<script>`, `src` or `href`; the chart is inline SVG.
Markdown: prompts and replies go in code fences longer than any run of backticks inside them
(so nothing in them renders: no image, no link, no HTML); other text stands on one line with
every character that means something inline backslash-escaped (CommonMark §2.4), which also
neutralises `![`. A bare visible URL may still show as a link (GFM), which only a click follows.
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from .blind import BlindOrder, Vote, tally
from .compare import (
    ColumnMetrics,
    CompareSetup,
    column_metrics,
    format_params,
    format_rate,
    format_seconds,
)
from .profiles import PROFILES
from .redact import Redactor
from .reply import Reply

# Every character with an inline meaning in CommonMark or GFM (emphasis, code, links, images,
# HTML, entities, tables, strikethrough); `#` for a heading's closing sequence. The others mean
# something only at the start of a line, where this text never stands.
_MARKUP = re.compile(r"([\\`*_\[\]<>!|~&#])")
_BACKTICKS = re.compile(r"`+")
_CSP = "default-src 'none'; style-src 'unsafe-inline'"
_STYLE = """
body{font:15px/1.5 system-ui,sans-serif;margin:2rem auto;max-width:75rem;padding:0 1rem;color:#222}
h1{font-size:1.6rem}h2{font-size:1.25rem;margin-top:2rem}h3{font-size:1rem;margin:1rem 0 .3rem}
pre{white-space:pre-wrap;overflow-wrap:anywhere;background:#f6f8fa;padding:.6rem;border-radius:4px}
table{border-collapse:collapse;margin:.5rem 0}td,th{border:1px solid #ccc;padding:.25rem .6rem;
text-align:left;vertical-align:top}.columns{display:grid;gap:1rem;
grid-template-columns:repeat(auto-fit,minmax(16rem,1fr))}.column{border:1px solid #ddd;
border-radius:6px;padding:0 1rem}dt{font-weight:bold}dd{margin:0 0 .4rem}
"""


@dataclass(frozen=True)
class _Column:
    """One column, every text already through the redactor."""

    title: str
    endpoint: str
    deployment: str
    params: str
    system: str
    reply: str
    error: str
    metrics: ColumnMetrics


def _columns(
    setup: CompareSetup, replies: Sequence[Reply], clean: Callable[[str], str]
) -> list[_Column]:
    if len(replies) != len(setup.columns):
        raise ValueError(f"{len(setup.columns)} columns but {len(replies)} replies")
    metrics = column_metrics(replies)
    columns = []
    titles = setup.titles()
    for index, (column, reply) in enumerate(zip(setup.columns, replies, strict=True)):
        kind = PROFILES.get(column.profile)
        asked = reply.request.params if reply.request else setup.params_for(index)
        columns.append(
            _Column(
                title=clean(titles[index]),
                endpoint=clean(f"{column.name} ({kind.label})" if kind else column.name),
                deployment=clean(column.deployment),
                params=clean(format_params(asked)),
                system=clean(column.system),
                reply=clean(reply.text),
                error=clean(str(reply.error)) if reply.error else "",
                metrics=metrics[index],
            )
        )
    return columns


def _cleaner(redactor: Redactor | None) -> Callable[[str], str]:
    return redactor.text if redactor is not None else str


def report_markdown(
    setup: CompareSetup,
    replies: Sequence[Reply],
    *,
    votes: Sequence[Vote] = (),
    blind: BlindOrder | None = None,
    redactor: Redactor | None = None,
) -> str:
    """The comparison as Markdown (see the module docstring for what is escaped how)."""
    clean = _cleaner(redactor)
    columns = _columns(setup, replies, clean)
    lines = ["# Comparison", "", _summary(setup), "", "## Prompt", "", _fenced(clean(setup.prompt))]
    lines += ["", "## Metrics", "", *_md_table(_metric_table(columns))]
    for number, column in enumerate(columns, start=1):
        lines += ["", f"## {number}. {_md(column.title)}", ""]
        lines += [f"- Endpoint: {_md(column.endpoint)}", f"- Deployment: {_md(column.deployment)}"]
        lines += [f"- Parameters: {_md(column.params)}"]
        if column.error:
            lines += [f"- Error: {_md(column.error)}"]
        lines += ["", "System prompt:", "", _fenced(column.system), "", "Reply:", ""]
        lines += [_fenced(column.reply)]
    lines += _md_votes([c.title for c in columns], votes, blind, clean)
    return clean("\n".join(lines) + "\n")


def _md_votes(
    titles: list[str], votes: Sequence[Vote], blind: BlindOrder | None, clean: Callable[[str], str]
) -> list[str]:
    lines: list[str] = []
    if blind is not None:
        rows = [("Letter", "Column"), *blind.reveal(titles)]
        lines += ["", "## Blind round", "", *_md_table(rows)]
    if votes:
        lines += ["", "## Votes", "", *_md_table(_tally_table(votes, clean))]
    return lines


def _summary(setup: CompareSetup) -> str:
    same = "yes" if setup.same_params else "no"
    return f"Mode: {setup.mode} · {len(setup.columns)} columns · same parameters for all: {same}"


def _md(text: str) -> str:
    """Inline text that renders as itself: one line, every markup character escaped."""
    flat = " ".join(text.split())
    return _MARKUP.sub(r"\\\1", flat) if flat else "—"


def _fenced(text: str) -> str:
    """`text` in a code fence no run of backticks inside it can close."""
    if not text:
        return "_(none)_"
    longest = max((len(run) for run in _BACKTICKS.findall(text)), default=0)
    fence = "`" * max(3, longest + 1)
    return f"{fence}text\n{text}\n{fence}"


def _md_table(rows: Sequence[Sequence[str]]) -> list[str]:
    """A Markdown table; the first row is the header. Every cell is escaped."""
    header, *body = rows
    lines = ["| " + " | ".join(_md(cell) for cell in header) + " |"]
    lines.append("|" + "---|" * len(header))
    lines += ["| " + " | ".join(_md(cell) for cell in row) + " |" for row in body]
    return lines


def _metric_table(columns: list[_Column]) -> list[list[str]]:
    names = [name for name, _ in columns[0].metrics.rows()] if columns else []
    rows = [["Column", *names]]
    rows += [[c.title, *(value for _, value in c.metrics.rows())] for c in columns]
    return rows


def _tally_table(votes: Sequence[Vote], clean: Callable[[str], str]) -> list[list[str]]:
    rows = [["Column", "Votes", "Rounds", "Share"]]
    rows += [[clean(r.title), str(r.votes), str(r.rounds), f"{r.share:.0f}%"] for r in tally(votes)]
    return rows


def report_html(
    setup: CompareSetup,
    replies: Sequence[Reply],
    *,
    votes: Sequence[Vote] = (),
    blind: BlindOrder | None = None,
    redactor: Redactor | None = None,
) -> str:
    """The comparison as one HTML file: inline CSS and SVG, no script, fetches nothing."""
    clean = _cleaner(redactor)
    columns = _columns(setup, replies, clean)
    parts = [
        f'<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        f'<meta http-equiv="Content-Security-Policy" content="{_CSP}">'
        f"<title>Comparison</title><style>{_STYLE}</style></head><body>",
        f"<h1>Comparison</h1><p>{_h(_summary(setup))}</p>",
        f"<h2>Prompt</h2><pre>{_h(clean(setup.prompt))}</pre>",
        "<h2>Metrics</h2>",
        _html_table(_metric_table(columns)),
        _chart(columns),
        '<div class="columns">',
        *(_html_column(number, column) for number, column in enumerate(columns, start=1)),
        "</div>",
    ]
    if blind is not None:
        rows = [("Letter", "Column"), *blind.reveal([c.title for c in columns])]
        parts += ["<h2>Blind round</h2>", _html_table(rows)]
    if votes:
        parts += ["<h2>Votes</h2>", _html_table(_tally_table(votes, clean))]
    parts.append("</body></html>\n")
    return clean("\n".join(parts))


def _h(text: str) -> str:
    return html.escape(text, quote=True)


def _html_column(number: int, column: _Column) -> str:
    facts = [
        ("Endpoint", column.endpoint),
        ("Deployment", column.deployment or "—"),
        ("Parameters", column.params),
    ]
    if column.error:
        facts.append(("Error", column.error))
    described = "".join(f"<dt>{_h(name)}</dt><dd>{_h(value)}</dd>" for name, value in facts)
    metrics = "".join(
        f"<tr><th>{_h(name)}</th><td>{_h(value)}</td></tr>" for name, value in column.metrics.rows()
    )
    return (
        f'<section class="column"><h2>{number}. {_h(column.title)}</h2><dl>{described}</dl>'
        f"<h3>System prompt</h3><pre>{_h(column.system) or '<em>none</em>'}</pre>"
        f"<h3>Reply</h3><pre>{_h(column.reply)}</pre><table>{metrics}</table></section>"
    )


def _html_table(rows: Sequence[Sequence[str]]) -> str:
    header, *body = rows
    head = "".join(f"<th>{_h(cell)}</th>" for cell in header)
    cells = ["".join(f"<td>{_h(cell)}</td>" for cell in row) for row in body]
    return f"<table><tr>{head}</tr>" + "".join(f"<tr>{row}</tr>" for row in cells) + "</table>"


def _chart(columns: list[_Column]) -> str:
    """An inline SVG bar chart: first-token time and tokens per second per column."""
    names = [c.title for c in columns]
    first = [c.metrics.time_to_first_token for c in columns]
    speed = [c.metrics.tokens_per_second for c in columns]
    top, parts = 0, []
    for heading, values, shown in (
        ("First token (seconds, shorter is faster)", first, format_seconds),
        ("Tokens per second (longer is faster)", speed, format_rate),
    ):
        drawn, top = _bars(heading, names, values, shown, top)
        parts += drawn
    return (
        f'<svg role="img" aria-label="Bar chart of first-token time and tokens per second" '
        f'width="640" height="{top}" viewBox="0 0 640 {top}" font-size="12" '
        f'font-family="system-ui,sans-serif">{"".join(parts)}</svg>'
    )


def _bars(
    heading: str,
    names: list[str],
    values: list[float | None],
    shown: Callable[[float | None], str],
    top: int,
) -> tuple[list[str], int]:
    """One panel of bars from `top` down; returns its elements and where the next starts."""
    known = [v for v in values if v is not None]
    scale = 360 / max(known) if known and max(known) > 0 else 0.0
    parts = [f'<text x="0" y="{top + 16}" font-weight="bold">{_h(heading)}</text>']
    for row, (name, value) in enumerate(zip(names, values, strict=True)):
        y = top + 26 + row * 24
        short = name if len(name) <= 24 else name[:23] + "…"
        parts.append(f'<text x="0" y="{y + 14}">{_h(short)}</text>')
        width = round((value or 0) * scale, 1)
        parts.append(f'<rect x="170" y="{y + 2}" width="{width}" height="16" fill="#4a7bd0"/>')
        parts.append(f'<text x="{176 + width}" y="{y + 14}">{_h(shown(value))}</text>')
    return parts, top + 32 + len(names) * 24


__all__ = ["report_html", "report_markdown"]
