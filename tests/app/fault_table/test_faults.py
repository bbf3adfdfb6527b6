"""Every emulator fault and every bad input, on every page that calls the endpoint, through
AppTest; the observed behaviour becomes `test-artifacts/fault-table.md` (issue 5).

Each fault must give: a message that names the cause and the next step, no exception, the
user's input still there, the earlier history intact, and any partial reply kept and marked.
A page joins the table by adding a driver to `DRIVERS` (prepare: one good exchange first;
act: send again; observe: what the user now sees).
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Protocol

import pytest
from streamlit.testing.v1 import AppTest

from core.client import MAX_REQUEST_BYTES
from emulator.process import ROOT, Emulator
from tests.helpers.app_driver import (
    BUILDER,
    CHAT,
    CHATBOT,
    PAGE_PATHS,
    TRANSLATOR,
    Downloads,
    open_page,
    rendered_size,
    say,
    set_extra_headers,
    start_app,
    texts,
)
from tests.helpers.raw_server import (
    DONE,
    RawServer,
    chunk,
    completion,
    response,
    routes,
    stream,
    unanswered_port,
)
from ui import widgets

TABLE = ROOT / "test-artifacts" / "fault-table.md"
STREAMED_STARTER = 'Chat, streamed with "stream": "True" (Llama 2)'
READ_TIMEOUT = 1.0  # seconds; `slow=3` and `stall=3` outlast it


@dataclass(frozen=True)
class Expect:
    """What a fault must give. With a cause: a message naming it and a next step (any of the
    alternatives). Without: a complete reply, and no message."""

    cause: tuple[str, ...] = ()
    next_step: tuple[str, ...] = ()
    partial: bool = False  # streams that broke after some text keep it, marked
    retried: str = ""  # the retry count the notes must show, such as "(3 of 3)"
    note: str = ""  # a note the reply must carry
    note_from_events: bool = False  # only pages that show the raw stream events can tell


FAULTS: dict[str, Expect] = {
    "401": Expect(("rejected the key",), ("Check the key in the sidebar",)),
    "auth-header": Expect(("wants the key in an Authorization header",), ("Set the auth style",)),
    "403": Expect(("refused this key access",), ("Check the key in the sidebar",)),
    "404": Expect(("has no such route",), ("Check the URL",)),
    "408": Expect(("timed out the request",), ("Try again",)),
    "422": Expect(("does not accept a parameter value",), ("Change or remove it",)),
    "429=1": Expect(("rate limit was reached",), ("Retry in 1 s",), retried="(3 of 3)"),
    "429-once=1": Expect(retried="(1 of 3)"),  # clears on the next try: the retry succeeds
    "500": Expect(("The endpoint failed (500",), ("Retry later",)),
    "503": Expect(("overloaded or starting",), ("retry in a few seconds",), retried="(3 of 3)"),
    "503-once": Expect(retried="(1 of 3)"),
    "html": Expect(("an HTML page instead of JSON",), ("Retry later",)),
    "empty": Expect(("empty body",), ("Check the route",)),
    "slow=3": Expect(("did not start answering within 1 s",), ("raise the read timeout",)),
    "stall=3": Expect(("The stream stalled",), ("Raise the read timeout",), partial=True),
    "cut": Expect(("The connection broke",), ("Send it again",), partial=True),
    "malformed": Expect(
        ("not valid JSON", "a body without choices"), ("Send it again", "Check the route"), True
    ),
    "error-event": Expect(  # a JSON request gets the container's 500 instead
        ("reported an error mid-stream", "The endpoint failed (500"),
        ("Send it again", "Retry later"),
        partial=True,
    ),
    "no-done": Expect(note="without `data: [DONE]`", note_from_events=True),
    "no-finish": Expect(note="no chunk gave a finish reason", note_from_events=True),
    "non-utf8": Expect(note="U+FFFD"),
    "content-filter-output": Expect(
        ("content safety stopped the reply",), ("Rephrase the request",), partial=True
    ),
}


@dataclass
class Observed:
    """What the user sees after the faulty request."""

    message: str  # the error box, or "" when there is none
    notes: str  # captions under the reply: retries, interrupted, [DONE] missing
    partial: str  # the partial reply's text, "" when none is shown
    input_kept: bool
    history_intact: bool


class Driver(Protocol):
    """How one page is exercised: a good exchange, then the same again under a fault."""

    def prepare(self, at: AppTest) -> None: ...
    def act(self, at: AppTest) -> None: ...
    def observe(self, at: AppTest) -> Observed: ...


class BuilderDriver:
    """Request Builder: send the default (or the streamed) starter, then send it again."""

    def __init__(self, *, streamed: bool) -> None:
        self.streamed = streamed
        self.body = self.first_body = ""

    def prepare(self, at: AppTest) -> None:
        open_page(at, BUILDER)
        if self.streamed:
            at.selectbox(key="rb_starter").select(STREAMED_STARTER).run()
        self.body = at.text_area(key="rb_body").value
        at.button(key="btn_rb_send").click().run()
        assert {m.label: m.value for m in at.metric}["Status"] == "200 OK"
        self.first_body = at.session_state["rb_history"][0].exchange.body

    def act(self, at: AppTest) -> None:
        at.button(key="btn_rb_send").click().run()

    def observe(self, at: AppTest) -> Observed:
        entries = at.session_state["rb_history"]
        first = entries[0]
        reply = [m.value for m in at.main.markdown if m.value.startswith("You said:")]
        return Observed(
            message=texts(at.main.error),
            notes=_notes(at.main.caption),
            partial=reply[0] if reply and entries[-1].error is not None else "",
            input_kept=at.text_area(key="rb_body").value == self.body,
            history_intact=len(entries) == 2
            and first.exchange.status == 200
            and first.exchange.body == self.first_body
            and at.button(key="btn_rb_load_0") is not None,
        )


class ChatDriver:
    """Streaming Chat or Memory Chatbot: one question answered, then a second one under the
    fault. History is the first exchange as drawn."""

    def __init__(self, page: str) -> None:
        self.page = page
        self.first: list[str] = []

    def prepare(self, at: AppTest) -> None:
        open_page(at, self.page)
        say(at, "First question")
        self.first = [m.markdown[0].value for m in at.chat_message]
        assert self.first[1].startswith('You said: "')

    def act(self, at: AppTest) -> None:
        say(at, "Second question")

    def observe(self, at: AppTest) -> Observed:
        messages = at.chat_message
        assert [m.name for m in messages] == ["user", "assistant", "user", "assistant"]
        reply = messages[3]
        text = reply.markdown[0].value if reply.markdown else ""
        return Observed(
            message=texts(reply.error),
            notes=_notes(reply.caption),
            partial=text if reply.error and text.startswith("You said") else "",
            input_kept=messages[2].markdown[0].value == "Second question",
            history_intact=[m.markdown[0].value for m in messages[:2]] == self.first,
        )


class TranslatorDriver:
    """Translator: one text translated, then another under the fault. The page keeps only its
    latest result, so "history" is what the user set up: both languages and the template."""

    def __init__(self) -> None:
        self.setup: tuple[str, str, str] = ("", "", "")

    def prepare(self, at: AppTest) -> None:
        open_page(at, TRANSLATOR)
        at.text_area(key="tr_text").input("First text").run()
        at.button(key="btn_tr_translate").click().run()
        assert at.session_state["tr_result"].reply.text.startswith('You said: "')
        self.setup = self._setup(at)

    def act(self, at: AppTest) -> None:
        at.text_area(key="tr_text").input("Second text").run()
        at.button(key="btn_tr_translate").click().run()

    def observe(self, at: AppTest) -> Observed:
        text = at.session_state["tr_result"].reply.text
        shown = [m.value for m in at.main.markdown if m.value.startswith("You said")]
        error = texts(at.main.error)
        return Observed(
            message=error,
            notes=_notes(at.main.caption),
            partial=shown[0] if error and shown and text.startswith(shown[0]) else "",
            input_kept=at.text_area(key="tr_text").value == "Second text",
            history_intact=self._setup(at) == self.setup,
        )

    @staticmethod
    def _setup(at: AppTest) -> tuple[str, str, str]:
        return (at.session_state["tr_in"], at.session_state["tr_out"],
                at.text_area(key="tr_template").value)  # fmt: skip


DRIVERS: dict[str, Callable[[], Driver]] = {
    "Request Builder (JSON)": lambda: BuilderDriver(streamed=False),
    "Request Builder (stream)": lambda: BuilderDriver(streamed=True),
    "Streaming Chat": lambda: ChatDriver(CHAT),
    "Translator": TranslatorDriver,
    "Memory Chatbot": lambda: ChatDriver(CHATBOT),
}
# Pages that draw the raw stream events, and so can say what the stream lacked at its end.
SHOW_EVENTS = ("Request Builder (stream)", "Streaming Chat")
ROWS: dict[tuple[str, str], list[str]] = {}


def _notes(captions: object) -> str:
    wanted = ("Interrupted", "Automatic retries", "Retried", "without `data: [DONE]`", "Stopped",
              "no chunk gave a finish reason", "U+FFFD")  # fmt: skip
    shown = [c.value for c in captions if any(w in c.value for w in wanted)]  # type: ignore[attr-defined]
    return " ".join(dict.fromkeys(shown))  # the same note under the reply and the raw body: once


def record(page: str, fault: str, *cells: str) -> None:
    """One row of the table, from what the test observed."""
    ROWS[(page, fault)] = [page, fault, *(_cell(c) for c in cells)]


def _cell(text: str) -> str:
    text = re.sub(r":material/[a-z_]+:\s*", "", " ".join(text.split()))
    text = re.sub(r"127\.0\.0\.1:\d+", "127.0.0.1:<port>", text)  # the emulator's free port
    return text.replace("|", "\\|") or "—"


@pytest.fixture(scope="module", autouse=True)
def fault_table() -> Iterator[None]:
    """Write the table once every test here has run (rows only for tests that passed)."""
    yield
    pages = ["Sidebar (every page)"]
    for base in dict.fromkeys(name.split(" (")[0] for name in DRIVERS):  # drivers, then inputs
        pages += [name for name in DRIVERS if name.split(" (")[0] == base] + [base]
    faults = [*FAULTS, CONNECT_TIMEOUT, *INPUTS]
    rows = sorted(
        ROWS.values(),
        key=lambda row: (
            pages.index(row[0]) if row[0] in pages else len(pages),
            row[0],
            faults.index(row[1]) if row[1] in faults else len(faults),
        ),
    )
    lines = [
        "# Faults and bad inputs by page",
        "",
        "Generated by `tests/test_fault_table.py` from what each test observed (AppTest on the",
        "real app, the scripted emulator's `x-emulator-fault` header, and a raw socket server",
        "for bytes the emulator cannot send). Every row also asserts: no exception, the input",
        "still there, the earlier history intact. Default settings: 3 automatic retries for",
        f"429/503; read timeout {READ_TIMEOUT:g} s in the fault rows.",
        "",
        "| Page | Fault or input | Message shown | Notes on the reply | Partial reply | "
        "Input kept | History intact |",
        "|---|---|---|---|---|---|---|",
        *("| " + " | ".join(row) + " |" for row in rows),
        "",
    ]
    TABLE.parent.mkdir(parents=True, exist_ok=True)
    TABLE.write_text("\n".join(lines), encoding="utf-8")


# Faults -----------------------------------------------------------------------------------


@pytest.fixture
def app(emulator: Emulator, monkeypatch: pytest.MonkeyPatch) -> AppTest:
    at = start_app(monkeypatch, emulator.base_url, emulator.api_key)
    at.number_input(key="sb_read_timeout").set_value(READ_TIMEOUT).run()
    return at


@pytest.mark.parametrize("fault", list(FAULTS))
@pytest.mark.parametrize("page", list(DRIVERS))
def test_fault(app: AppTest, page: str, fault: str) -> None:
    driver = DRIVERS[page]()
    driver.prepare(app)
    set_extra_headers(app, f"x-emulator-fault: {fault}")
    driver.act(app)
    assert not app.exception
    check(page, fault, FAULTS[fault], driver.observe(app))


# A connect timeout cannot be asked of the emulator (the connection comes before any header).
CONNECT_TIMEOUT = "connect timeout (1 s)"
CONNECT_EXPECT = Expect(("Could not connect to 127.0.0.1",), ("raise the connect timeout",))


@pytest.mark.parametrize("page", list(DRIVERS))
def test_connect_timeout(app: AppTest, page: str) -> None:
    driver = DRIVERS[page]()
    driver.prepare(app)
    app.number_input(key="sb_connect_timeout").set_value(1.0).run()
    with unanswered_port() as url:
        app.text_input(key="sb_url").input(url).run()
        driver.act(app)
    assert not app.exception
    check(page, CONNECT_TIMEOUT, CONNECT_EXPECT, driver.observe(app))


def check(page: str, fault: str, expect: Expect, seen: Observed) -> None:
    """Assert what every fault must give, then record the row."""
    assert seen.input_kept, "the user's input is gone"
    assert seen.history_intact, "the earlier exchange changed"
    if expect.cause:
        assert any(c in seen.message for c in expect.cause), seen.message
        assert any(n in seen.message for n in expect.next_step), seen.message
        partial = "—"
    else:  # the reply is complete; at most a note says what was odd about it
        assert seen.message == ""
        partial = "— (complete reply)"
    if expect.retried:
        assert "retrying in" in seen.notes and expect.retried in seen.notes, seen.notes
    streamed = page != "Request Builder (JSON)"
    if expect.partial and streamed:
        assert seen.partial.startswith('You said: "'), "the partial reply is not shown"
        assert "Interrupted" in seen.notes, "the partial reply is not marked"
        partial = f"kept ({len(seen.partial)} characters shown), marked Interrupted"
    if expect.note and (page in SHOW_EVENTS or not expect.note_from_events):
        assert expect.note in seen.notes, seen.notes
    record(page, fault, seen.message, seen.notes, partial, _yes(seen.input_kept),
           _yes(seen.history_intact))  # fmt: skip


def _yes(value: bool) -> str:
    return "yes" if value else "NO"


# Bad inputs -------------------------------------------------------------------------------

INPUTS = (
    "URL with scheme ftp://",
    "URL javascript:alert(1)",
    "URL with the key in it",
    "host not on the allow-list",
    "header line that is not name: value",
    "header value with non-Latin-1 text",
    "invalid JSON body",
    "body over 1 MB",
    "route without a leading /",
    "message over 1 MB",
    "non-UTF-8 response (JSON)",
    "non-UTF-8 response (stream)",
    "giant response (100,000 tokens)",
)


@pytest.mark.parametrize(
    ("name", "url", "message"),
    [
        ("URL with scheme ftp://", "ftp://example.com", "must start with https://"),
        ("URL javascript:alert(1)", "javascript:alert(1)", "must start with https://"),
        ("URL with the key in it", "https://me:secret@x.models.ai.azure.com", "not in the URL"),
        ("host not on the allow-list", "https://example.com", "may not call example.com"),
    ],
)
def test_bad_url(app: AppTest, name: str, url: str, message: str) -> None:
    open_page(app, CHAT)
    say(app, "Before the URL changed")
    app.text_input(key="sb_url").input(url).run()
    warning = app.sidebar.warning[0].value
    assert message in warning
    for page in PAGE_PATHS:
        open_page(app, page)
        assert "Set up the endpoint in the sidebar" in texts(app.info), page
        assert not app.exception
    open_page(app, CHAT)
    assert app.chat_message[0].markdown[0].value == "Before the URL changed"  # history kept
    assert app.chat_input[0].proto.disabled
    record("Sidebar (every page)", name, warning, "every page: “Set up the endpoint in the "
           "sidebar first”; nothing is sent", "—", "yes", "yes")  # fmt: skip


def test_allow_list_names_the_allowed_hosts(app: AppTest) -> None:
    app.text_input(key="sb_url").input("https://api.example.com").run()
    warning = app.sidebar.warning[0].value
    assert "127.0.0.0/8" in warning and "*.models.ai.azure.com" in warning
    assert "PLAYGROUND_ALLOWED_HOSTS" in warning


@pytest.mark.parametrize(
    ("name", "line", "message"),
    [
        ("header line that is not name: value", "no colon here", "is not `name: value`"),
        ("header value with non-Latin-1 text", "x-note: 日本語", "cannot carry"),
    ],
)
def test_bad_header_line(app: AppTest, name: str, line: str, message: str) -> None:
    open_page(app, CHAT)
    set_extra_headers(app, line)
    warning = texts(app.sidebar.warning)
    assert message in warning
    say(app, "Still works")
    assert app.chat_message[1].markdown[0].value.startswith('You said: "Still works')
    record("Sidebar (every page)", name, warning, "the line is ignored; requests still go out",
           "—", "yes", "yes")  # fmt: skip


def test_builder_blocks_invalid_json(app: AppTest) -> None:
    open_page(app, BUILDER)
    app.text_area(key="rb_body").input('{"messages": [}').run()
    error = app.main.error[0].value
    assert "not valid JSON" in error and "line 1, column" in error
    assert app.button(key="btn_rb_send").disabled
    assert app.text_area(key="rb_body").value == '{"messages": [}'
    record("Request Builder", "invalid JSON body", error, "Send is disabled", "—", "yes", "yes")


def test_builder_blocks_a_body_over_the_limit(app: AppTest) -> None:
    open_page(app, BUILDER)
    body = json.dumps({"messages": [{"role": "user", "content": "x" * MAX_REQUEST_BYTES}]})
    app.text_area(key="rb_body").input(body).run()
    [error] = [e.value for e in app.main.error]  # said once, under the body
    assert f"the limit is {MAX_REQUEST_BYTES:,}" in error and "Shorten it" in error
    assert app.button(key="btn_rb_send").disabled
    assert app.text_area(key="rb_body").value == body
    record("Request Builder", "body over 1 MB", error, "Send is disabled", "—", "yes", "yes")


def test_builder_blocks_a_path_without_slash(app: AppTest) -> None:
    open_page(app, BUILDER)
    app.selectbox(key="rb_route").select("custom").run()
    app.text_input(key="rb_path").input("chat/completions").run()
    error = app.main.error[0].value
    assert "must start with '/'" in error
    assert app.button(key="btn_rb_send").disabled
    record("Request Builder", "route without a leading /", error, "Send is disabled", "—",
           "yes", "yes")  # fmt: skip


def test_chat_refuses_a_message_over_the_limit(app: AppTest) -> None:
    open_page(app, CHAT)
    say(app, "A short one first")
    big = "y" * (MAX_REQUEST_BYTES + 10)
    say(app, big)
    messages = app.chat_message
    assert [m.name for m in messages] == ["user", "assistant"] * 2
    error = messages[3].error[0].value
    assert f"the limit is {MAX_REQUEST_BYTES:,}" in error and "Shorten" in error
    assert messages[1].markdown[0].value.startswith('You said: "A short one first')
    assert app.session_state["chat_turns"][2].content == big  # kept whole, drawn clipped
    assert "Showing the first" in texts(messages[2].caption)
    kept = "nothing sent; the message is kept (drawn clipped)"
    record("Streaming Chat", "message over 1 MB", error, kept, "—", "yes", "yes")


# Bytes the emulator cannot send -------------------------------------------------------------

LATIN1 = "caf\xe9 cr\xe8me br\xfbl\xe9e".encode("latin-1")  # not UTF-8


@pytest.fixture
def raw_app(monkeypatch: pytest.MonkeyPatch) -> Iterator[Callable[..., AppTest]]:
    servers: list[RawServer] = []

    def start(*posts: object) -> AppTest:
        server = RawServer(routes(*posts))  # type: ignore[arg-type]
        servers.append(server)
        return start_app(monkeypatch, server.url, "raw-key")

    yield start
    for server in servers:
        server.close()


def test_non_utf8_json_in_the_builder(raw_app: Callable[..., AppTest]) -> None:
    app = raw_app(response("200 OK", completion(LATIN1)))
    open_page(app, BUILDER)
    app.button(key="btn_rb_send").click().run()
    assert not app.exception
    reply = next(m.value for m in app.main.markdown if m.value.startswith("caf"))
    assert reply == "caf\ufffd cr\ufffdme br\ufffdl\ufffde"
    note = next(c.value for c in app.main.caption if "U+FFFD" in c.value)
    assert "not valid UTF-8" in note
    record("Request Builder", "non-UTF-8 response (JSON)", note, f"reply shown as {reply!r}",
           "—", "yes", "yes")  # fmt: skip


def test_non_utf8_stream_in_the_chat(raw_app: Callable[..., AppTest]) -> None:
    events = [chunk(LATIN1), chunk(" ok", finish_reason="stop"), DONE]
    app = raw_app(lambda request: stream(events))
    open_page(app, CHAT)
    say(app, "Say something in French")
    reply = app.chat_message[1]
    assert reply.markdown[0].value == "caf\ufffd cr\ufffdme br\ufffdl\ufffde ok"
    assert not reply.error
    note = next(c.value for c in reply.caption if "U+FFFD" in c.value)
    record("Streaming Chat", "non-UTF-8 response (stream)", note,
           f"reply shown as {reply.markdown[0].value!r}", "—", "yes", "yes")  # fmt: skip


# Giant responses --------------------------------------------------------------------------

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
    assert entry.error is None and len(entry.stream.events) > GIANT
    raw = entry.exchange.body
    notes = texts(app.main.caption)
    assert f"Showing the first {widgets.RENDER_LIMIT:,} of {len(entry.stream.text):,}" in notes
    assert f"of {len(raw):,} characters" in notes  # the raw body, clipped too
    assert f"… {len(entry.stream.events) - widgets.LOG_LIMIT} earlier events" in texts(app.code)
    assert rendered_size(app) < 400_000 < len(raw)  # the page carries a bounded view
    assert downloads.named("response-body.txt")[-1] == raw.encode()  # the download is whole
    record("Request Builder", "giant response (100,000 tokens)",
           _clip_line(notes), f"page {rendered_size(app):,} B of protobuf; download "
           f"{len(raw.encode()):,} B (whole)", "—", "yes", "yes")  # fmt: skip


def test_giant_stream_in_the_chat(
    raw_app: Callable[..., AppTest],
    downloads: Downloads,
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
    assert conversation["messages"][1]["content"] == whole
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
