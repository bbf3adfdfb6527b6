"""`ui.follow` in a Streamlit run (AppTest on tests/helpers/follow_app.py, a two-column test page):
two streams from the emulator followed in one run, a stalled one never holding up the other;
Stop on one (a real button click) while the other goes on; re-attaching after a rerun; and a
reply left live with no worker behind it.

Orderings are asserted on the log of what was drawn, never on how long anything took.
"""

from __future__ import annotations

import time

import pytest
from streamlit.testing.v1 import AppTest

from core.live import LiveStream
from core.reply import Reply, ReplyStatus
from emulator.process import ROOT, Emulator
from ui import follow

PAGE = str(ROOT / "tests" / "helpers" / "follow_app.py")
PATIENCE = 60.0  # seconds a wait may take before the test fails
STALLED = {"x-emulator-fault": "stall=600"}  # three tokens, then silence until stopped


def page(emulator: Emulator, **state: object) -> AppTest:
    at = AppTest.from_file(PAGE, default_timeout=PATIENCE)
    at.session_state["url"], at.session_state["key"] = emulator.base_url, emulator.api_key
    for name, value in state.items():
        at.session_state[name] = value
    return at


def drawn(at: AppTest, name: str, run: int | None = None) -> list[tuple[str, int]]:
    """(status, pieces) of every drawing of stream `name` (in run `run`), in order."""
    return [(s, p) for r, n, s, p in at.session_state["drawn"] if n == name and run in (None, r)]


def streams(at: AppTest) -> dict[str, LiveStream]:
    return at.session_state[follow.REGISTRY]


def test_two_streams_in_one_run_a_stalled_one_never_holds_up_the_other(
    emulator: Emulator,
) -> None:
    at = page(
        emulator,
        plan={"slow": STALLED, "fast": {"x-emulator-token-delay": "0.01"}},
        start=True,
        stop_when_done={"fast": "slow"},  # then Stop the slow one, as a person would
    ).run()
    assert not at.exception
    log = at.session_state["drawn"]
    fast_done = next(i for i, (_, n, s, _) in enumerate(log) if n == "fast" and s == "done")
    slow_before = [(s, p) for _, n, s, p in log[:fast_done] if n == "slow"]
    assert slow_before and all(s == "streaming" and p <= 3 for s, p in slow_before)
    fast = drawn(at, "fast")
    assert fast[0][0] == "streaming" and fast[-1][0] == "done"
    assert [p for _, p in fast] == sorted(p for _, p in fast)  # it grew, never shrank
    assert drawn(at, "slow")[-1][0] == "stopped"
    replies = at.session_state["replies"]
    assert replies["fast"].text.startswith('You said: "Hello from the fast column')
    assert replies["slow"].status == ReplyStatus.STOPPED and replies["slow"].pieces <= 3
    shown = [m.value for m in at.markdown]
    assert replies["fast"].text in shown and (replies["slow"].text or "…") in shown
    captions = [c.value for c in at.caption]
    assert {"fast: done", "slow: stopped"} <= set(captions)
    assert not [c for c in captions if "so far" in c or "still going" in c]  # no leftovers
    assert streams(at)["slow"].wait(PATIENCE)  # Stop woke its worker from the stalled read


def test_stop_one_by_its_button_the_other_is_followed_again_after_the_rerun(
    emulator: Emulator,
) -> None:
    plan = {
        "slow": STALLED,
        "fast": {"x-emulator-token-delay": "0.1", "x-emulator-reply-tokens": "50"},
    }
    at = page(emulator, plan=plan, start=True, follow=False).run()  # drawn, not followed
    assert not at.exception
    live = streams(at)
    deadline = time.monotonic() + PATIENCE
    while live["slow"].reply.pieces < 3:
        assert time.monotonic() < deadline, "the stalled stream never sent its first tokens"
        time.sleep(0.01)
    assert not live["fast"].ended, "the fast stream ended before the test could click Stop"
    at.session_state["follow"] = True
    at.button(key="btn_slow_stop").click().run()
    assert not at.exception
    replies = at.session_state["replies"]
    assert replies["slow"].status == ReplyStatus.STOPPED and replies["slow"].pieces == 3
    assert replies["slow"].text == 'You said: "Hello'  # its three tokens
    assert replies["fast"].status == ReplyStatus.DONE and replies["fast"].pieces == 50
    second_run = drawn(at, "fast", run=2)  # the rerun found the fast stream and followed it
    assert second_run[0][0] == "streaming" and second_run[-1][0] == "done"
    assert drawn(at, "slow", run=2) == [("stopped", 3)]  # drawn once, final
    assert not [b for b in at.button if b.key and b.key.endswith("_stop")]  # controls gone
    assert {"fast: done", "slow: stopped"} <= {c.value for c in at.caption}


@pytest.mark.parametrize(
    ("left", "ended"),
    [(ReplyStatus.STREAMING, ReplyStatus.STOPPED), (ReplyStatus.RETRYING, ReplyStatus.FAILED)],
)
def test_a_live_reply_with_no_worker_is_settled(
    emulator: Emulator, left: ReplyStatus, ended: ReplyStatus
) -> None:
    at = page(emulator, plan={})
    at.session_state["replies"] = {"gone": Reply("Once upon a", left)}
    at.run()
    assert not at.exception
    assert at.session_state["replies"]["gone"].status == ended
    assert drawn(at, "gone") == [(str(ended), 0)]
    assert not at.button  # no Stop for a stream that is not running


def _settling_page() -> None:
    """A reply whose description at the end takes a while (the window between its final
    status and its end), drawn with a keyed widget once finished."""
    import threading

    import streamlit as st

    from core.errors import EndpointError
    from core.live import PiecesSource
    from core.reply import Reply
    from ui import follow

    ended = threading.Event()

    def describe(reply: Reply) -> None:
        if not reply.live:  # the end: the worker describes the reply, slowly
            ended.wait(0.5)

    def draw(reply: Reply) -> None:
        st.markdown(reply.text or "…")
        if not reply.live:
            st.button("Send again", key="btn_finished")

    if "reply" not in st.session_state:
        st.session_state["reply"] = Reply()
        source = PiecesSource(
            lambda hooks: iter(["Hello", " there"]),
            translate=lambda exc, text: EndpointError(str(exc)),
            describe=describe,
        )
        follow.start("settling", st.session_state["reply"], source, None)
    follow.follow([follow.slot("settling", st.session_state["reply"], draw)])


def test_a_finished_reply_is_drawn_once_after_its_description() -> None:
    """Drawn during that window, its keyed widget would be drawn again when it ends, and
    Streamlit stops the run with a duplicate key (seen on the Request Builder after a 429)."""
    at = AppTest.from_function(_settling_page, default_timeout=PATIENCE).run()
    assert not at.exception, at.exception
    assert [b.key for b in at.button] == ["btn_finished"]
    assert at.markdown[0].value == "Hello there"
