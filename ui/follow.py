"""The one stream follower: every reply on screen, live or finished, is drawn through here.

    follow.start("chat", reply, TextStreamSource(lambda: client.stream_chat(messages)), policy)
    slot = follow.slot("chat", reply, draw_reply)    # where it goes: drawn now, as it stands
    follow.follow([slot])                            # redraw the live ones until they end

A stream runs in a worker thread (`core.live.LiveStream`) kept per session in
`st.session_state` under its key; this module only draws. So a stalled stream never holds up
another's text, and a click (which reruns the page) leaves the stream running: the next run's
`slot` for the same reply attaches to it again. A reply found live with no worker behind it
(its session or process ended) is settled by `Reply.orphaned`.

`slot` draws a reply the same way whether it is finished or live: `draw(reply)` into one
placeholder, the stream's controls (the retry countdown, and one button: Cancel retry while
waiting to retry, Stop otherwise; issue 14) into a second one below it, so what one run
leaves on screen is overwritten element for element by the next.
`follow` redraws each live slot at most every `INTERVAL` seconds, and only when its reply
changed; with several it adds "Stop all". Only those Stop buttons stop a stream: any other
click, or a page switch, leaves it running for the next run to follow. While it follows,
leaving the page (reload, close) asks first (`browser_store.leave_guard`).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Sequence
from typing import Any

import streamlit as st

from core import RetryPolicy
from core.live import LiveStream, Source
from core.reply import Reply, ReplyStatus
from ui import browser_store, safe_text, widgets

INTERVAL = 0.05  # seconds: a live slot is redrawn at most this often, and only when it changed
# Empty elements drawn after each body. Streamlit keeps the children of a container that it
# replaces with another in the same place (measured: three lines redrawn as one left the last
# two on screen until the next run), so a drawing shorter than the last one would leave
# leftovers; these take no space and overwrite up to PAD of them.
PAD = 6
REGISTRY = "_live_streams"  # st.session_state key: {stream key: LiveStream}
STILL_STREAMING = "Still streaming; the downloads will hold the whole reply."

Draw = Callable[[Reply], None]


# Streams in the session -----------------------------------------------------------------


def start(key: str, reply: Reply, source: Source, policy: RetryPolicy | None) -> LiveStream:
    """Start streaming into `reply` in a worker thread, kept in this session under `key`.

    A stream still running under `key` is stopped first (its text is kept). `key` also
    prefixes the controls' widget keys: `btn_<key>_stop`, `btn_<key>_cancel_retry`.
    """
    stop(key)
    live = LiveStream(reply, source, policy)
    _registry()[key] = live
    return live


def stop(key: str) -> None:
    """Stop the stream running under `key`, if any (its reply keeps the text so far)."""
    live = _registry().get(key)
    if live is not None:
        live.stop()


def _registry() -> dict[str, LiveStream]:
    # Reading st.session_state is also where Streamlit lands a pending rerun (a click), so
    # the follow loop calls this on every tick even when nothing is redrawn.
    return st.session_state.setdefault(REGISTRY, {})


def _attach(key: str, reply: Reply) -> LiveStream | None:
    """The live stream filling `reply`, or None (after settling a reply left live)."""
    registry = _registry()
    live = registry.get(key)
    if live is not None and live.reply is reply:
        if live.done:
            del registry[key]
        if not live.ended:
            return live
    if reply.live:  # no worker fills it any more
        reply.orphaned()
    return None


# Slots ----------------------------------------------------------------------------------


class Slot:
    """Where one reply is drawn: its body, then the stream's controls while it is live."""

    def __init__(self, key: str, reply: Reply, draw: Draw, live: LiveStream | None) -> None:
        self.key, self.reply, self.live = key, reply, live
        self._draw = draw
        self._body = st.empty()
        self._controls = st.empty()
        self._drawn: int | None = None  # the stream's version the body shows
        self._status_shown: str | None = None
        self._status: Any = None
        self._button: Any = None
        self._shown = ""  # the one control shown: "", "stop", or "cancel" (while waiting)
        self._drawn_buttons: dict[str, int] = {}  # per kind, how often drawn in this run
        if live is not None:
            with self._controls.container():
                self._status = st.empty()
                self._button = st.empty()
        self.refresh()

    @property
    def following(self) -> bool:
        """True while a stream fills this slot."""
        return self.live is not None

    def refresh(self) -> bool:
        """Redraw what changed; True while the stream goes on."""
        live = self.live
        if live is None and self._drawn is not None:
            return False  # drawn as it ended: it does not change any more
        if live is None:
            self._redraw(0)
            return False
        ended = live.ended  # read first: the drawing then shows the end
        with live.held() as moment:  # the worker waits while the reply is drawn
            if moment.settling:
                return True  # its finished form is drawn once, when it has ended
            self._redraw(moment.version)
        if ended:
            self.live = None
            self._controls.empty()
            return False
        self._retry_status(live)
        return True

    def _redraw(self, version: int) -> None:
        """Draw the reply, unless this version of it is what the body shows."""
        if version != self._drawn:
            self._drawn = version
            with self._body.container():
                self._draw(self.reply)
                pad()

    def _retry_status(self, live: LiveStream) -> None:
        """The countdown while waiting to retry, then "Retrying…"; one control at a time:
        Cancel retry while waiting, Stop otherwise."""
        waiting = self.reply.waiting
        counting = waiting is not None and waiting.left() > 0
        if waiting is None:
            shown = ""
        elif counting:
            shown = waiting.message()
        else:
            shown = f"Retrying ({waiting.notice.retry} of {waiting.notice.of})…"
        if shown != self._status_shown:
            self._status_shown = shown
            if not shown:
                self._status.empty()
            elif counting:
                self._status.info(shown, icon=":material/hourglass_top:")
            else:
                self._status.caption(shown)
        self._control(live, "cancel" if waiting is not None else "stop")

    def _control(self, live: LiveStream, kind: str) -> None:
        """Show the Stop or the Cancel retry button in the one place for it. A button drawn
        again in the same run needs a key of its own (Streamlit refuses a widget key twice)."""
        if kind == self._shown:
            return
        self._shown = kind
        times = self._drawn_buttons.get(kind, 0)
        self._drawn_buttons[kind] = times + 1
        suffix = f"_{times}" if times else ""
        if kind == "stop":
            self._button.button(
                "Stop",
                key=f"btn_{self.key}_stop{suffix}",
                icon=":material/stop_circle:",
                type="tertiary",
                on_click=live.stop,
            )
        else:
            self._button.button(
                "Cancel retry",
                key=f"btn_{self.key}_cancel_retry{suffix}",
                icon=":material/cancel:",
                on_click=live.cancel_retry,
            )


def slot(key: str, reply: Reply, draw: Draw) -> Slot:
    """Draw `reply` here with `draw(reply)`, finished or live; pass the slot to `follow`.

    `key` is the key the stream was started under; the reply attaches to it when that
    stream still fills it.
    """
    return Slot(key, reply, draw, _attach(key, reply))


def pad() -> None:
    """Empty elements that overwrite leftovers of a longer drawing in the same place (`PAD`)."""
    for _ in range(PAD):
        st.empty()


def follow(slots: Iterable[Slot | None], *, key: str = "follow") -> None:
    """Redraw the live slots until every stream has ended (None entries are skipped).

    With several live slots a "Stop all" button (`btn_<key>_stop_all`) is drawn here.
    """
    live = [s for s in slots if s is not None and s.following]
    if not live:
        return
    stop_all, guard = st.empty(), st.empty()
    with guard:  # leaving the page (reload, close) asks first while this is on it
        browser_store.leave_guard("_".join(s.key for s in live))
    browser_store.flush()  # what the page kept so far (the question asked) survives a reload
    if len(live) > 1:
        streams = tuple(s.live for s in live if s.live is not None)
        stop_all.button(
            "Stop all",
            key=f"btn_{key}_stop_all",
            icon=":material/stop_circle:",
            on_click=_stop_each,
            args=(streams,),
        )
    # A click ends this run at `_registry()` (Streamlit stops the script and starts a new run,
    # `runner.fastReruns`); the streams go on and the new run follows them. Stopping the
    # script (the app's own Stop) is the same signal, so only the Stop buttons stop a stream.
    while any([s.refresh() for s in live]):  # a list: every slot is refreshed on each tick
        time.sleep(INTERVAL)
        _registry()
    stop_all.empty()
    guard.empty()


def _stop_each(streams: Sequence[LiveStream]) -> None:
    for live in streams:
        live.stop()


# What every reply shows -----------------------------------------------------------------


def reply_text(reply: Reply, where: str) -> None:
    """The reply's text, clipped (`where` says where the whole is), and how it ended."""
    shown, note = widgets.clipped(reply.text)
    if shown:
        st.markdown(safe_text.markdown(shown))
    elif reply.live:
        st.caption("Waiting for the first token…")
    widgets.clip_note(note, STILL_STREAMING if reply.live else where)
    widgets.replacement_note(reply.text)
    ending_note(reply)


def ending_note(reply: Reply) -> None:
    """Say so when the reply was stopped or interrupted: the text above is what arrived."""
    if reply.status == ReplyStatus.STOPPED:
        kept = ": the text above is what arrived" if reply.text else " before any text arrived"
        st.caption(f":material/stop_circle: Stopped by you{kept}.")
    elif reply.status == ReplyStatus.INTERRUPTED:
        kept = "the text above is what arrived before the failure" if reply.text else "no text"
        st.caption(f":material/content_cut: Interrupted: {kept}.")


def retries_note(reply: Reply) -> None:
    """The automatic retries that happened, once the reply has ended (the countdown said so
    while it waited)."""
    if reply.retries and not reply.live:
        st.caption(":material/replay: Automatic retries: " + " ".join(reply.retries))


def stats_line(reply: Reply, server: Callable[[str], str] = str) -> str:
    """`first token 85 ms · 41.2 tokens/s · usage 12 in → 40 out · finish stop`, as known.

    Usage and finish reason are the server's words: `server` prepares them for where the
    line goes (`safe_text.literal` on the page, unchanged in a file)."""
    speed = reply.tokens_per_second
    first = reply.time_to_first_token
    parts = [
        f"first token {widgets.seconds(first)}" if first is not None else "",
        f"{speed:.1f} tokens/s" if speed is not None else "",
        f"{reply.tokens} tokens" if reply.pieces and not reply.usage else "",
        f"usage {server(widgets.usage_text(reply.usage))}" if reply.usage else "",
        f"finish {server(reply.finish_reason)}" if reply.finish_reason else "",
    ]
    return " · ".join(part for part in parts if part)
