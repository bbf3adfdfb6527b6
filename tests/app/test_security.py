"""Issue 5, security: a canary key runs through every page and every fault, and is searched
for everywhere it could leak (and so does a canary Microsoft Entra token, pasted in the
sidebar or handed out by this machine's login); model output is never rendered as HTML.

The canary is made at random per run, so it appears in no source file; it is the key the
server provides (`PLAYGROUND_LOCAL_KEY`, as `make run` sets it), which stays on the server.
It is searched for whole and by its random part (a cut-off copy counts as a leak too), in:
every element the pages render (values, labels, help, bodies, code, JSON, captions, the key
field's own value), the download data, the exported code (even with "include the key"
ticked; a key typed into the field is the control that the search works), the query string,
what the app printed and logged, a dedicated emulator's log, and every file written under
the repository during the run. The browser half (DOM, storage, screenshots) is in
tests/browser/test_pages.py.
"""

from __future__ import annotations

import ast
import logging
import time
from collections.abc import Iterator

import pytest
from streamlit.testing.v1 import AppTest

from emulator.process import ROOT
from tests.helpers.app_driver import (
    BUILDER,
    CHAT,
    PAGE_PATHS,
    Downloads,
    act,
    open_page,
    protos,
    rendered,
    say,
    set_extra_headers,
    start_app,
    texts,
)
from tests.helpers.canary import Canary, canary_emulator, written_since
from tests.helpers.fault_table import FAULTS
from tests.helpers.managed_identity import managed_identity
from tests.helpers.surfaces import SURFACES, set_up
from ui.credentials import ENTRA_LOGIN, ENTRA_TOKEN

ARTIFACTS = ROOT / "test-artifacts"
EMULATOR_LOG = ARTIFACTS / "canary-emulator.log"
ENTRA_LOG = ARTIFACTS / "canary-entra-emulator.log"
CLASSIC = SURFACES["azure-classic"]
STARTED = time.time()


@pytest.fixture(scope="module")
def canary() -> Iterator[Canary]:
    """A scripted emulator of its own whose key is the canary; its log is searched too."""
    with canary_emulator(EMULATOR_LOG) as found:
        yield found


@pytest.fixture
def logs() -> Iterator[list[str]]:
    """Every log record (root and Streamlit's own loggers, which do not propagate), formatted
    with its exception text, at debug level while the test runs."""
    records: list[str] = []
    formatter = logging.Formatter("%(name)s %(levelname)s %(message)s")

    class Keep(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            records.append(formatter.format(record))

    handler = Keep(logging.DEBUG)
    names = [n for n in logging.root.manager.loggerDict if n.startswith("streamlit")]
    loggers = [logging.getLogger(n) for n in names] + [logging.getLogger()]
    levels = [lg.level for lg in loggers]
    for lg in loggers:
        lg.addHandler(handler)
        lg.setLevel(logging.DEBUG)
    yield records
    for lg, level in zip(loggers, levels, strict=True):
        lg.removeHandler(handler)
        lg.setLevel(level)


@pytest.fixture
def app(canary: Canary, monkeypatch: pytest.MonkeyPatch) -> AppTest:
    at = start_app(monkeypatch, canary.url, canary.key)
    at.number_input(key="sb_read_timeout").set_value(1.0)
    at.number_input(key="sb_retry_attempts").set_value(1).run()  # retries shown, waits short
    return at


def assert_no_canary(at: AppTest, canary: Canary, where: str, *, typed: bool = False) -> None:
    """Nothing the page rendered, no URL, no exception carries the key. The server's key is
    not even in the key field; a secret the user `typed` may be in its own password field."""
    assert not at.exception, at.exception
    shown = rendered(at, skip_key_value=typed)
    assert len(shown) > 2000, "the search saw too little of the page to mean anything"
    found = canary.find(shown)
    assert found is None, f"{where}: the key shows on the page ({found[:12]}…)"
    assert canary.find(str(dict(at.query_params))) is None, f"{where}: the key is in the URL"


def assert_nothing_written(canary: Canary) -> None:
    """No file under the repository written during this run holds the key."""
    for path in written_since(STARTED):
        assert canary.find(path.read_bytes()) is None, f"the key was written to {path}"


# Every page, every fault -------------------------------------------------------------------


@pytest.mark.parametrize("page", ["home", *PAGE_PATHS])
def test_the_key_never_leaks_from_any_page_under_any_fault(
    app: AppTest,
    canary: Canary,
    page: str,
    downloads: Downloads,
    logs: list[str],
    capsys: pytest.CaptureFixture[str],
) -> None:
    every_fault(app, canary, page, "POST /chat/completions", downloads, logs, capsys)


@pytest.fixture(scope="module")
def token_canary() -> Iterator[Canary]:
    """A scripted emulator of its own whose Entra stand-in token is the canary (no key)."""
    with canary_emulator(ENTRA_LOG, entra=True) as found:
        yield found


@pytest.mark.parametrize("how", [ENTRA_TOKEN, ENTRA_LOGIN])
@pytest.mark.parametrize("page", ["home", *PAGE_PATHS])
def test_an_entra_token_never_leaks_from_any_page_under_any_fault(
    token_canary: Canary,
    monkeypatch: pytest.MonkeyPatch,
    page: str,
    how: str,
    downloads: Downloads,
    logs: list[str],
    capsys: pytest.CaptureFixture[str],
) -> None:
    """As the key above, for a token pasted in the sidebar or from this machine's login (a
    local managed-identity endpoint handing out the canary to DefaultAzureCredential)."""
    with managed_identity(token_canary.key) as (env, asked):
        for name, value in env.items():
            monkeypatch.setenv(name, value)
        app = start_app(monkeypatch, token_canary.url, "")
        set_up(app, CLASSIC, token_canary.url, how, "", token=token_canary.key)
        app.number_input(key="sb_read_timeout").set_value(1.0)
        app.number_input(key="sb_retry_attempts").set_value(1).run()
        route = "POST /openai/deployments/scripted-emulator/chat/completions"
        every_fault(
            app, token_canary, page, route, downloads, logs, capsys, typed=how == ENTRA_TOKEN
        )
    assert bool(asked) is (how == ENTRA_LOGIN)
    if how == ENTRA_TOKEN:  # the control: the search does see the pasted token's field
        assert token_canary.find(rendered(app, skip_key_value=False)) == token_canary.key


def every_fault(
    app: AppTest,
    canary: Canary,
    page: str,
    route: str,
    downloads: Downloads,
    logs: list[str],
    capsys: pytest.CaptureFixture[str],
    *,
    typed: bool = False,
) -> None:
    """Act on `page` under no fault, then under every fault, and search everything after
    each: the page, the URL, downloads, what was printed and logged, the emulator's log
    (which must show `route` answered, so the secret did go), and the files written.
    `typed`: the secret is one the user pasted into a password field (which may hold it)."""
    if page != "home":
        open_page(app, page)
    assert_no_canary(app, canary, f"{page}, first view", typed=typed)
    done = []
    for fault in ["", *FAULTS]:
        set_extra_headers(app, f"x-emulator-fault: {fault}" if fault else "")
        done.append(act(app, f"Hello {fault or 'there'}, how are you"))
        assert_no_canary(app, canary, f"{page} under {fault or 'no fault'}", typed=typed)
    if page != "home":
        assert "nothing to do" not in done, f"the generic driver found nothing to press on {page}"
    offered = downloads.all_bytes()
    assert canary.find(offered) is None, f"{page}: the secret is in a download"
    printed = capsys.readouterr()
    assert canary.find(printed.out + printed.err) is None, f"{page}: the secret was printed"
    assert logs, "no log record was captured: the log search would mean nothing"
    assert canary.find("\n".join(logs)) is None, f"{page}: the secret was logged"
    emulator_log = canary.log.read_text()
    answered = [line for line in emulator_log.splitlines() if route in line and "200 OK" in line]
    assert answered or page == "home", f"{route} was never answered: the secret never went"
    assert canary.find(emulator_log) is None, "the emulator logged the secret"
    assert_nothing_written(canary)


def test_downloads_hold_the_conversation_but_never_the_key(
    app: AppTest,
    canary: Canary,
    downloads: Downloads,
) -> None:
    open_page(app, CHAT)
    say(app, "Please remember the word aubergine")
    set_extra_headers(app, "x-emulator-fault: 401")
    say(app, "And again")
    saved = downloads.named("conversation.json")[-1] + downloads.named("conversation.md")[-1]
    assert b"aubergine" in saved and b"rejected the key" in saved
    assert canary.find(saved) is None


def test_exported_code_has_the_key_only_when_asked(app: AppTest, canary: Canary) -> None:
    open_page(app, BUILDER)
    code = texts(app.code)
    assert "curl" in code and "$AZURE_AI_CHAT_KEY" in code
    assert canary.find(code) is None
    app.checkbox(key="rb_include_key").check().run()
    assert canary.find(texts(app.code)) is None  # the server's key: never, even when asked
    app.text_input(key="sb_key").input(canary.key).run()  # typed in: the visitor's own
    assert canary.key in texts(app.code)  # the control: the search does find a shown key
    assert "contains your key" in texts(app.warning)


def test_the_search_sees_the_key_field_itself(app: AppTest, canary: Canary) -> None:
    """The control for `rendered`: a key typed into the key field is found there, with the
    field's value left in; the server's key is not even there."""
    assert canary.find(rendered(app, skip_key_value=False)) is None
    app.text_input(key="sb_key").input(canary.key).run()
    assert canary.find(rendered(app, skip_key_value=False)) == canary.key
    assert canary.find(rendered(app)) is None


def test_the_key_field_is_a_password_field_on_every_page(app: AppTest) -> None:
    for page in PAGE_PATHS:
        open_page(app, page)
        field = app.text_input(key="sb_key")
        assert field.proto.type == field.proto.PASSWORD, page


# Model output is text, never HTML ------------------------------------------------------------

HOSTILE = "<script>alert(1)</script> <img src=x onerror=alert(2)>"


def test_model_output_is_markdown_without_html(canary: Canary, monkeypatch) -> None:
    app = start_app(monkeypatch, canary.url, canary.key)
    for page in PAGE_PATHS:
        open_page(app, page)
        act(app, HOSTILE)
        for node, proto in protos(app):
            if getattr(node, "type", "") == "markdown":
                assert not proto.allow_html, f"{page}: markdown with HTML allowed: {node.value}"
            assert getattr(node, "type", "") != "html", f"{page}: st.html in use"
    open_page(app, CHAT)
    assert "<script>alert(1)</script>" in app.chat_message[-1].markdown[0].value


def test_no_page_or_widget_turns_on_raw_html() -> None:
    """A guard next to the behavioural test: no `unsafe_allow_html=True`, no `st.html`, and
    `st.components` only in ui/browser_store.py, with the app's own JS and no HTML."""
    sources = [ROOT / "streamlit_app.py", *ROOT.glob("ui/*.py"), *ROOT.glob("pages/*.py")]
    bridge = ROOT / "ui" / "browser_store.py"
    for path in sources:
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            if isinstance(node, ast.keyword) and node.arg == "unsafe_allow_html":
                assert isinstance(node.value, ast.Constant) and node.value.value is False, path
            if isinstance(node, ast.Attribute) and node.attr in ("html", "components"):
                allowed = node.attr == "components" and path == bridge
                assert allowed or not (isinstance(node.value, ast.Name) and node.value.id == "st")
            if path == bridge and isinstance(node, ast.keyword):
                assert node.arg not in ("html", "css"), "the bridge has no markup of its own"
