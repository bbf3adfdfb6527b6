"""A 100,000-token reply on every page: drawn clipped, downloaded whole, and the page still
works afterwards; each becomes a row of the fault table.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator

from streamlit.testing.v1 import AppTest

from emulator.process import Emulator
from tests.helpers.app_driver import (
    BUILDER,
    CHAT,
    CHATBOT,
    TRANSLATOR,
    Downloads,
    open_page,
    rendered_size,
    say,
    texts,
)
from tests.helpers.fault_table import Record
from tests.helpers.raw_server import DONE, chunk, stream
from ui import exchange_views, widgets

GIANT = 100_000  # tokens
GIANT_WORDS = [f"w{i} " for i in range(GIANT)]
GIANT_TEXT = "".join(GIANT_WORDS)
GIANT_CLIPPED = f"Showing the first {widgets.RENDER_LIMIT:,} of {len(GIANT_TEXT):,} characters"


def giant_stream(request: object) -> Iterator[bytes]:
    """A 100,000-token reply from the raw server."""
    return stream([*(chunk(w) for w in GIANT_WORDS), chunk("", "stop"), DONE])


def short_stream(request: object) -> Iterator[bytes]:
    """A one-word reply, for the turn after a giant one."""
    return stream([chunk("Short.", "stop"), DONE])


def test_giant_stream_in_the_builder(
    app: AppTest,
    emulator: Emulator,
    downloads: Downloads,
    record: Record,
) -> None:
    app.number_input(key="sb_read_timeout").set_value(60.0).run()
    open_page(app, BUILDER)
    body = json.dumps(
        {"messages": [{"role": "user", "content": "Go on"}], "max_tokens": GIANT, "stream": True}
    )
    app.text_area(key="rb_body").input(body).run()
    app.text_area(key="rb_headers").input(f"x-emulator-reply-tokens: {GIANT}").run()
    app.button(key="btn_rb_send").click().run()
    assert not app.exception
    entry = app.session_state["rb_history"][-1]
    assert entry.reply.error is None and len(entry.reply.events) > GIANT
    raw = entry.exchange.body
    notes = texts(app.main.caption)
    assert f"Showing the first {widgets.RENDER_LIMIT:,} of {len(entry.reply.text):,}" in notes
    assert f"of {len(raw):,} characters" in notes  # the raw body, clipped too
    total, shown = len(entry.reply.events), exchange_views.LOG_LIMIT
    assert f"The newest {shown} of {total} events." in notes  # the parsed view, bounded
    assert len(app.dataframe[0].value) == shown
    assert rendered_size(app) < 400_000 < len(raw)  # the page carries a bounded view
    assert f"… {total - shown} earlier events" in texts(app.code)  # the raw lines, bounded
    assert downloads.named("response-body.txt")[-1] == raw.encode()  # the download is whole
    record("Request Builder", "giant response (100,000 tokens)",
           _clip_line(notes), f"page {rendered_size(app):,} B of protobuf; download "
           f"{len(raw.encode()):,} B (whole)", "—", "yes", "yes")  # fmt: skip


def test_giant_stream_in_the_chat(
    raw_app: Callable[..., AppTest],
    downloads: Downloads,
    record: Record,
) -> None:
    app = raw_app(giant_stream, short_stream)
    open_page(app, CHAT)
    say(app, "Tell me everything")
    assert not app.exception
    reply = app.chat_message[1]
    whole = GIANT_TEXT
    assert reply.markdown[0].value == whole[: widgets.RENDER_LIMIT]
    notes = texts(reply.caption)
    assert GIANT_CLIPPED in notes
    assert rendered_size(app) < 400_000
    conversation = json.loads(downloads.named("conversation.json")[-1])
    assert conversation["turns"][0]["alternatives"][0][0]["text"] == whole
    assert downloads.named("conversation.md")[-1].decode().count("w99999 ") == 1
    say(app, "And a short follow-up")  # the page still works after it
    assert [m.name for m in app.chat_message] == ["user", "assistant"] * 2
    saved = len(downloads.named("conversation.json")[-1])
    sizes = f"page {rendered_size(app):,} B of protobuf; JSON download {saved:,} B (whole)"
    record("Streaming Chat", "giant response (100,000 tokens)", _clip_line(notes), sizes,
           "—", "yes", "yes")  # fmt: skip


def test_giant_translation(
    raw_app: Callable[..., AppTest],
    downloads: Downloads,
    record: Record,
) -> None:
    app = raw_app(giant_stream)
    open_page(app, TRANSLATOR)
    app.button(key="btn_tr_translate").click().run()
    assert not app.exception
    whole = GIANT_TEXT
    assert app.session_state["tr_result"].reply.text == whole
    assert whole[: widgets.RENDER_LIMIT] in [m.value for m in app.main.markdown]
    notes = texts(app.main.caption)
    assert GIANT_CLIPPED in notes
    assert rendered_size(app) < 400_000
    assert downloads.named("translation.txt")[-1] == whole.encode()
    sizes = f"page {rendered_size(app):,} B of protobuf; download {len(whole):,} B (whole)"
    record("Translator", "giant response (100,000 tokens)", _clip_line(notes), sizes, "—",
           "yes", "yes")  # fmt: skip


def test_giant_reply_in_the_memory_chatbot(
    raw_app: Callable[..., AppTest],
    downloads: Downloads,
    record: Record,
) -> None:
    app = raw_app(giant_stream, short_stream)
    open_page(app, CHATBOT)
    say(app, "Tell me everything")
    assert not app.exception
    whole = GIANT_TEXT
    reply = app.chat_message[1]
    assert reply.markdown[0].value == whole[: widgets.RENDER_LIMIT]
    notes = texts(reply.caption)
    assert GIANT_CLIPPED in notes
    assert rendered_size(app) < 400_000
    exported = json.loads(downloads.named("memory-chat.json")[-1])
    assert whole in json.dumps(exported, ensure_ascii=False)  # the export holds it whole
    say(app, "And a short follow-up")  # the page still works, and remembers the giant reply
    assert [m.name for m in app.chat_message] == ["user", "assistant"] * 2
    assert app.chat_message[3].markdown[0].value == "Short."
    assert rendered_size(app) < 400_000  # the second turn sent it back; its views are clipped
    saved = len(downloads.named("memory-chat.json")[-1])
    sizes = f"page {rendered_size(app):,} B of protobuf; JSON export {saved:,} B (whole)"
    record("Memory Chatbot", "giant response (100,000 tokens)", _clip_line(notes), sizes, "—",
           "yes", "yes")  # fmt: skip


def _clip_line(notes: str) -> str:
    return next(line for line in notes.splitlines() if "Showing the first" in line)
