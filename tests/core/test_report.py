"""core.report: both reports hold every reply and metric, never a key; model and user text
stays text (parsed HTML has no script, image, link or handler; Markdown rendered by a CommonMark
renderer with raw HTML on gives none either, and fenced text comes back exactly)."""

from __future__ import annotations

import html
from html.parser import HTMLParser

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st
from markdown_it import MarkdownIt

from core.blind import BlindOrder, Vote, cast_vote
from core.compare import ColumnSetup, CompareMode, CompareSetup
from core.errors import ServerError
from core.redact import Redactor
from core.reply import Reply, ReplyStatus, RequestRecord
from core.report import report_html, report_markdown

CANARY = 'sk-"CANARY&<key>-9f8e7d6c5b4a3928'  # escaping changes it: redaction must come first
HOSTILE = (
    "![pixel](https://tracker.example/p.png) <img src=https://tracker.example/i.png> "
    "<script>alert(1)</script> [click](javascript:alert(1)) <a href='https://x.example'>x</a> "
    "``` ```` <style>body{display:none}</style> &amp; <svg onload=alert(1)>"
)
URL_A = "https://llama.eastus2.models.ai.azure.com"


def comparison(text: str = HOSTILE) -> tuple[CompareSetup, list[Reply]]:
    columns = (
        ColumnSetup(f"Llama {text}", "serverless", URL_A, "dep " + text, {"stop": text}, text),
        ColumnSetup("Mistral", "azure-v1", URL_A.replace("llama", "mistral"), params={"seed": 1}),
        ColumnSetup("Local", "local", "http://127.0.0.1:8765", system="Be brief."),
    )
    setup = CompareSetup(CompareMode.MODELS, columns, f"Prompt: {text}", same_params=False)
    replies = [
        Reply(
            f"First reply. {text}",
            ReplyStatus.DONE,
            time_to_first_token=0.4,
            elapsed=2.0,
            usage={"completion_tokens": 16, "prompt_tokens": 5, "total_tokens": 21},
            finish_reason="stop",
            request=RequestRecord(params={"temperature": 0.25, "stop": text}),
        ),
        Reply("Second reply.", ReplyStatus.DONE, time_to_first_token=0.2, elapsed=3.0, pieces=8),
        Reply(
            "",
            ReplyStatus.FAILED,
            error=ServerError(f"The endpoint failed (500). {text}", status_code=500),
        ),
    ]
    return setup, replies


def votes(setup: CompareSetup) -> tuple[BlindOrder, list[Vote]]:
    order = BlindOrder((2, 0, 1))
    titles = setup.titles()
    return order, [cast_vote(order, "B", titles, 1), cast_vote(None, 1, titles, 2)]


class Tags(HTMLParser):
    """Every start tag with its attributes, and the text, as a browser's parser sees them."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def parse(document: str) -> Tags:
    parser = Tags()
    parser.feed(document)
    parser.close()
    return parser


SAFE_TAGS = {
    "html", "head", "meta", "title", "style", "body", "h1", "h2", "h3", "p", "pre", "em",
    "table", "tr", "th", "td", "div", "section", "dl", "dt", "dd", "svg", "text", "rect",
}  # fmt: skip


def assert_inert_html(document: str) -> Tags:
    parsed = parse(document)
    assert {tag for tag, _ in parsed.tags} <= SAFE_TAGS
    for tag, attrs in parsed.tags:
        assert not {"src", "href", "xlink:href", "action", "srcset"} & set(attrs), tag
        assert not any(name.startswith("on") for name in attrs), tag
    assert parsed.tags.count(("style", {})) == 1  # ours, in the head
    csp = [a for t, a in parsed.tags if t == "meta" and a.get("http-equiv")]
    assert csp == [
        {
            "http-equiv": "Content-Security-Policy",
            "content": "default-src 'none'; style-src 'unsafe-inline'",
        }
    ]
    return parsed


def test_the_html_report_holds_every_reply_and_metric_and_is_inert() -> None:
    setup, replies = comparison()
    order, cast = votes(setup)
    document = report_html(setup, replies, votes=cast, blind=order)
    parsed = assert_inert_html(document)
    text = "".join(parsed.text)
    for reply in replies:
        assert reply.text in text
    for expected in (
        f"Prompt: {HOSTILE}",
        "The endpoint failed (500).",
        "0.40 s",
        "0.20 s (fastest)",
        "2.00 s (fastest)",
        "16 (prompt 5, total 21)",
        "temperature 0.25",  # as the reply record says it was asked
        "seed 1",  # the column's own parameters, where the reply has no record
        "Serverless API (Models as a Service)",
        "Be brief.",
        "dep ![pixel]",
        "First token (seconds, shorter is faster)",
        "Tokens per second (longer is faster)",
    ):
        assert expected in text, expected
    assert "https://llama.eastus2" not in text  # the URL is not part of a report


def test_the_html_chart_draws_one_bar_per_known_value() -> None:
    setup, replies = comparison("plain")
    parsed = parse(report_html(setup, replies))
    bars = [float(a["width"] or 0) for t, a in parsed.tags if t == "rect"]
    assert bars == [360.0, 180.0, 0.0, 360.0, pytest.approx(360 * (8 / 2.8) / 10, abs=0.1), 0.0]


def test_the_html_report_shows_the_blind_reveal_and_the_tally() -> None:
    setup, replies = comparison("plain")
    order, cast = votes(setup)
    text = "".join(parse(report_html(setup, replies, votes=cast, blind=order)).text)
    assert "Blind round" in text and "Votes" in text
    assert "ALocal" in text and "BLlama plain" in text and "CMistral" in text
    assert "Llama plain1250%" in text and "Mistral1250%" in text and "Local020%" in text
    bare = "".join(parse(report_html(setup, replies)).text)
    assert "Blind round" not in bare and "Votes" not in bare


def markdown_html(document: str) -> str:
    """The Markdown as a CommonMark renderer shows it, raw HTML allowed through."""
    return MarkdownIt("commonmark", {"html": True}).render(document)


def test_the_markdown_report_holds_every_reply_and_renders_inert() -> None:
    setup, replies = comparison()
    order, cast = votes(setup)
    document = report_markdown(setup, replies, votes=cast, blind=order)
    rendered = markdown_html(document)
    assert_no_markup_from_text(rendered)
    shown = "".join(parse(rendered).text)
    for reply in replies:
        assert reply.text in shown
    for expected in (
        f"Prompt: {HOSTILE}",
        "0.20 s (fastest)",
        "16 (prompt 5, total 21)",
        "temperature 0.25",
        "Serverless API (Models as a Service)",
        "The endpoint failed (500).",
        "Blind round",
        "Votes",
    ):
        assert expected in shown, expected


def assert_no_markup_from_text(rendered: str) -> None:
    parsed = parse(rendered)
    tags = {tag for tag, _ in parsed.tags}
    assert not tags & {"img", "a", "script", "style", "svg", "iframe"}, tags
    assert all(not attrs or set(attrs) == {"class"} for _, attrs in parsed.tags)


# Text that looks like Markdown, HTML and code fences, and every whitespace.
PIECES = st.sampled_from(
    [
        *"`~*_[]()<>!|#&\\\n \t-+.:=",
        *("![a](http://x.example/i.png)", "<img src=x>", "```", "    "),
        *("\n```\n", "\n~~~~\n", "\n`````"),
    ]
)
TEXTS = st.lists(PIECES | st.text(max_size=5), max_size=30).map("".join)


@given(TEXTS)
@example("a\n```\n![a](http://x.example/i.png)")  # a fence closed from inside: an image
@example("`````\n<script>alert(1)</script>\n```")
@settings(max_examples=150)
def test_any_text_renders_as_itself_in_markdown(text: str) -> None:
    setup = CompareSetup(
        CompareMode.MODELS,
        (ColumnSetup(text, "serverless", URL_A, system=text), ColumnSetup("B", "local", URL_A)),
        text or "p",
    )
    document = report_markdown(setup, [Reply(text, ReplyStatus.DONE), Reply("", ReplyStatus.DONE)])
    rendered = markdown_html(document)
    assert_no_markup_from_text(rendered)
    blocks = [
        html.unescape(block.split(">", 1)[1])
        for block in rendered.split("<pre><code")[1:]
        for block in [block.split("</code></pre>")[0]]
    ]
    if text.strip("\n") and "\r" not in text and "\x00" not in text:
        # CommonMark keeps a fenced block's text as is, bar a final newline.
        assert blocks.count(text + "\n") >= 2 + (text != "p")


@given(TEXTS)
@settings(max_examples=100)
def test_any_text_is_escaped_in_html(text: str) -> None:
    setup = CompareSetup(
        CompareMode.MODELS,
        (
            ColumnSetup(text, "serverless", URL_A, text, {"stop": text}, text),
            ColumnSetup("B", "local", URL_A),
        ),
        text,
    )
    document = report_html(setup, [Reply(text, ReplyStatus.DONE), Reply("", ReplyStatus.DONE)])
    assert_inert_html(document)


def secrets_everywhere() -> tuple[CompareSetup, list[Reply], list[Vote]]:
    setup, replies = comparison(CANARY)
    cast = [Vote(1, setup.titles()[0], setup.titles())]
    return setup, replies, cast


@pytest.mark.parametrize("render", [report_html, report_markdown])
def test_no_key_in_any_report_through_the_redactor(render) -> None:  # type: ignore[no-untyped-def]
    setup, replies, cast = secrets_everywhere()
    unredacted = render(setup, replies, votes=cast)
    assert html.escape(CANARY) in unredacted or CANARY in unredacted  # it was in every field
    document = render(setup, replies, votes=cast, redactor=Redactor(CANARY))
    for form in (CANARY, html.escape(CANARY), html.escape(CANARY, quote=False), "CANARY"):
        assert form not in document
    assert "***" in document


def test_a_report_needs_one_reply_per_column() -> None:
    setup, replies = comparison("plain")
    with pytest.raises(ValueError, match="3 columns but 2 replies"):
        report_markdown(setup, replies[:2])


def test_an_empty_system_prompt_and_reply_say_none() -> None:
    setup, replies = comparison("plain")
    document = report_markdown(setup, replies)
    assert "_(none)_" in document
    assert "<em>none</em>" in report_html(setup, replies)
