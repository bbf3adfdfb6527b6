"""The fault table: what each fault must give (`FAULTS`), the rows the tests observed, and the
Markdown file they become, `test-artifacts/fault-table.md` (the README quotes it).

Rows come from three modules in tests/app/fault_table/ (the fault matrix, the bad inputs, the
giant replies) through the session-scoped `record` fixture, which writes the file once the
session ends, in the order of the pages (`DRIVERS`) and of the faults and inputs below.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from emulator.process import ROOT
from tests.helpers.page_drivers import DRIVERS, MAINTAINED_DRIVERS, SHOW_EVENTS, Observed

TABLE = ROOT / "test-artifacts" / "fault-table.md"
READ_TIMEOUT = 1.0  # seconds; `slow=3` and `stall=3` outlast it
CONNECT_TIMEOUT = "connect timeout (1 s)"
Record = Callable[..., None]  # record(page, fault, *cells): one row


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

# The maintained class on the local endpoint's v1 API gives the same, except where its answer
# is rightly another: it sends only `Authorization: Bearer` (no auth style to set), v1's 404 is
# Azure's DeploymentNotFound, and the openai client reads a stream's bytes as strict UTF-8.
MAINTAINED_FAULTS: dict[str, Expect] = {
    **FAULTS,
    "auth-header": Expect(("rejected the key",), ("Check the key in the sidebar",)),
    "404": Expect(("There is no deployment by that name",), ("Use the deployment name",)),
    "non-utf8": Expect(("not valid UTF-8",), ("Send it again",), partial=True),
}

# Small reply limits for the limit rows (tests/app/fault_table/test_limits.py), set the way a
# host sets them; each row's reply passes one of them.
LIMITS_SETTING = "max_body_bytes=65536, max_event_chars=4096, max_seconds=2, max_events=200"
LIMIT_ROWS = (
    "reply over the size limit (64 KiB)",
    "event over the line limit (4,096 characters)",
    "reply past the time limit (2 s)",
    "too many events (200)",
)
# Azure OpenAI's own errors (`docs/azure-v1.md` §1-3), each made by a sidebar setting (or a
# prompt) a person gets wrong after a good exchange; tests/app/fault_table/test_azure_errors.py.
AZURE_ERRORS: dict[str, Expect] = {
    "DeploymentNotFound (a typo in the deployment)": Expect(
        ("There is no deployment 'gpt-4o-typo'",), ("Use the deployment name",)
    ),
    "API version not supported": Expect(
        ("does not support api-version '2023-13-01'",), ("Use 2024-10-21",)
    ),
    "missing api-version (classic URL, generic profile)": Expect(
        ("found no such resource",), ("A classic deployment URL needs an api-version",)
    ),
    "statusCode 401 (a key as Bearer on classic)": Expect(
        ("refused the credential (401",), ("does not take a key as Bearer",)
    ),
    "content_filter with jailbreak": Expect(
        ("content safety blocked the prompt: jailbreak (detected)",), ("Rephrase the prompt",)
    ),
}

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


class FaultTable:
    """The rows observed so far, by (page, fault or input); `write` makes the Markdown file."""

    def __init__(self) -> None:
        self.rows: dict[tuple[str, str], list[str]] = {}

    def record(self, page: str, fault: str, *cells: str) -> None:
        """One row of the table, from what the test observed."""
        self.rows[(page, fault)] = [page, fault, *(_cell(c) for c in cells)]

    def write(self, path: Path = TABLE) -> None:
        """The table as Markdown, sorted by page, then by fault and input."""
        pages = ["Sidebar (every page)"]
        drivers = [*DRIVERS, *MAINTAINED_DRIVERS]
        for base in dict.fromkeys(name.split(" (")[0] for name in drivers):  # drivers, then inputs
            pages += [name for name in drivers if name.split(" (")[0] == base] + [base]
        faults = [*FAULTS, CONNECT_TIMEOUT, *AZURE_ERRORS, *LIMIT_ROWS, *INPUTS]
        rows = sorted(
            self.rows.values(),
            key=lambda row: (
                pages.index(row[0]) if row[0] in pages else len(pages),
                row[0],
                faults.index(row[1]) if row[1] in faults else len(faults),
            ),
        )
        lines = [
            "# Faults and bad inputs by page",
            "",
            "Generated by `tests/app/fault_table/` from what each test observed (AppTest on the",
            "real app, the scripted emulator's `x-emulator-fault` header, Azure OpenAI's own",
            "errors made by a wrong sidebar setting or prompt, and a raw socket server for bytes",
            "the emulator cannot send). Every row also asserts: no exception, the input",
            "still there, the earlier history intact. Default settings: 3 automatic retries for",
            f"429/503; read timeout {READ_TIMEOUT:g} s in the fault rows; in the limit rows,",
            f"`PLAYGROUND_LIMITS={LIMITS_SETTING}`.",
            "",
            "| Page | Fault or input | Message shown | Notes on the reply | Partial reply | "
            "Input kept | History intact |",
            "|---|---|---|---|---|---|---|",
            *("| " + " | ".join(row) + " |" for row in rows),
            "",
        ]
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("\n".join(lines), encoding="utf-8")


def _cell(text: str) -> str:
    text = re.sub(r":material/[a-z_]+:\s*", "", " ".join(text.split()))
    text = re.sub(r"127\.0\.0\.1:\d+", "127.0.0.1:<port>", text)  # the emulator's free port
    return text.replace("|", "\\|") or "—"


def check(page: str, expect: Expect, seen: Observed) -> tuple[str, ...]:
    """Assert what every fault must give; return the row's cells after page and fault."""
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
    return (seen.message, seen.notes, partial, _yes(seen.input_kept),
            _yes(seen.history_intact))  # fmt: skip


def _yes(value: bool) -> str:
    return "yes" if value else "NO"
