"""A test-only Streamlit page: two streams from the emulator followed side by side by
`ui.follow`, the way a Compare page will (tests/test_follow.py drives it with AppTest).

The test puts in `st.session_state`: `url` and `key` (the emulator), `plan` (per stream name,
the extra request headers), `start` (True to start the streams in this run), `follow`
(False to draw the slots without following them), and optionally `stop_when_done`
(`{"fast": "slow"}`: when the fast reply is drawn done, stop the slow one, as a person
pressing its Stop would). Each drawing is logged to `drawn` as (run, name, status, pieces).
"""

from collections.abc import Callable

import streamlit as st

from core import PROFILES, Client, Endpoint
from core.live import TextStreamSource
from core.reply import Reply, ReplyStatus
from ui import follow

state = st.session_state
state["run"] = state.get("run", 0) + 1
drawn: list[tuple[int, str, str, int]] = state.setdefault("drawn", [])
replies: dict[str, Reply] = state.setdefault("replies", {})


def start(name: str, headers: dict[str, str]) -> None:
    client = Client(
        Endpoint(state["url"], key=state["key"], headers=tuple(headers.items())),
        PROFILES["local"],
    )
    messages = [{"role": "user", "content": f"Hello from the {name} column"}]
    replies[name] = Reply()
    source = TextStreamSource(lambda: client.stream_chat(messages, max_tokens=100))
    follow.start(name, replies[name], source, None)


def drawer(name: str) -> Callable[[Reply], None]:
    def draw(reply: Reply) -> None:
        drawn.append((state["run"], name, str(reply.status), reply.pieces))
        st.markdown(reply.text or "…")
        st.caption(f"{name}: {reply.status}")
        if reply.live:  # a live drawing longer than the final one: nothing of it may remain
            st.caption(f"{name}: {reply.pieces} pieces so far")
            st.caption(f"{name}: still going")
        other = state.get("stop_when_done", {}).get(name)
        if other and reply.status == ReplyStatus.DONE:
            follow.stop(other)

    return draw


if state.pop("start", False):
    for name, headers in state["plan"].items():
        start(name, headers)
columns = st.columns(len(replies) or 1)
slots = []
for column, (name, reply) in zip(columns, replies.items(), strict=False):
    with column:
        slots.append(follow.slot(name, reply, drawer(name)))
if state.get("follow", True):
    follow.follow(slots, key="two")
