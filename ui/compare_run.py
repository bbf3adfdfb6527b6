"""A comparison round: every column asked at once, each keeping its own conversation.

    round_ = compare_run.send(setup, columns, blind=True)   # a new round: all columns stream
    compare_run.follow_up("And why?")                        # to every column, in its context
    compare_run.regenerate(1)                                # column 2 asked again
    compare_run.draw()                                       # the columns, followed until done

A `Round` in `st.session_state["cmp_round"]` holds the setup as sent, one
`core.conversation.Conversation` per column and, in blind mode, the `BlindOrder`. Column `i`
streams under the follower key `cmp<i>`; `draw` follows every live column in one call, so
they grow together, and a column whose request fails shows the failure in that column
only. The metrics go under each column once every column has ended, with the fastest
marked. Clients are kept per column for the session (`cmp_clients`).
"""

from __future__ import annotations

import json
import random
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from typing import Any

import streamlit as st

from core import Client, EndpointError, HostPolicy, Redactor
from core.blind import BlindOrder
from core.compare import MAX_COLUMNS, CompareSetup, column_metrics, format_params
from core.conversation import Ask, Conversation
from core.live import TextStreamSource
from core.reply import Reply, ReplyStatus, RequestRecord
from ui import compare_setup, follow, hosting, safe_text, saved_endpoints, session_settings, widgets
from ui.saved_endpoints import SavedEndpoint

ROUND = "cmp_round"  # st.session_state key: the Round on screen
CLIENTS = "cmp_clients"  # st.session_state key: {column: (what it was made for, Client)}
ROUNDS = "cmp_rounds"  # st.session_state key: how many rounds this session has started
WHERE = "The report downloads below hold the whole reply."


@dataclass
class Column:
    """What one column asks: its saved endpoint (key included, kept in the session only) and
    its extra header lines."""

    endpoint: SavedEndpoint
    headers: str = ""


@dataclass
class Round:
    """One comparison on screen: the setup as sent, the prompts, a conversation per column."""

    setup: CompareSetup
    columns: list[Column]
    number: int
    prompts: list[str] = field(default_factory=list)
    chats: list[Conversation] = field(default_factory=list)
    blind: BlindOrder | None = None
    voted: str = ""  # the letter voted for ("" before the vote)
    revealed: bool = False

    @property
    def titles(self) -> tuple[str, ...]:
        """A distinct title per column (what the vote and the report call it)."""
        return self.setup.titles()

    @property
    def hidden(self) -> bool:
        """True while a blind round's endpoints are still hidden."""
        return self.blind is not None and not self.revealed

    def replies(self) -> list[Reply]:
        """Each column's latest reply (to the last prompt)."""
        return [latest(chat) for chat in self.chats]

    @property
    def live(self) -> bool:
        """True while some column still streams."""
        return any(reply.live for reply in self.replies())

    def report_setup(self) -> CompareSetup:
        """The setup with the last prompt asked (the one the replies answer)."""
        return replace(self.setup, prompt=self.prompts[-1] if self.prompts else self.setup.prompt)


def latest(chat: Conversation) -> Reply:
    """The reply to the conversation's last message (a failed stand-in when there is none)."""
    answer = chat.turns[-1].answer if chat.turns else None
    return answer.latest if answer is not None else Reply(status=ReplyStatus.FAILED)


def current() -> Round | None:
    """The round on screen, if any."""
    found = st.session_state.get(ROUND)
    return found if isinstance(found, Round) else None


def stop_all() -> None:
    """Stop every column's stream (each keeps the text that arrived)."""
    for index in range(MAX_COLUMNS):
        follow.stop(f"cmp{index}")


def send(setup: CompareSetup, columns: Sequence[Column], *, blind: bool) -> Round:
    """A new round: `setup.prompt` to every column at once."""
    stop_all()
    number = st.session_state.get(ROUNDS, 0) + 1
    st.session_state[ROUNDS] = number
    order = BlindOrder.shuffled(len(columns), random.SystemRandom().randrange(2**32))
    round_ = Round(setup, list(columns), number, blind=order if blind else None)
    round_.chats = [Conversation() for _ in columns]
    st.session_state[ROUND] = round_
    follow_up(setup.prompt)
    return round_


def follow_up(prompt: str) -> None:
    """`prompt` to every column, each in its own conversation."""
    round_ = current()
    if round_ is None:
        return
    round_.prompts.append(prompt)
    for index, chat in enumerate(round_.chats):
        _start(round_, index, chat.ask(prompt))


def regenerate(index: int) -> None:
    """Column `index` answers the last prompt again (its earlier answer is replaced on screen)."""
    round_ = current()
    if round_ is None or not round_.chats[index].turns:
        return
    chat = round_.chats[index]
    _start(round_, index, chat.retry(len(chat.turns) - 1))


def _start(round_: Round, index: int, ask: Ask) -> None:
    """Stream column `index`'s answer to `ask`; an unusable endpoint fails that column only."""
    key = f"cmp{index}"
    follow.stop(key)
    column = round_.columns[index]
    settings = saved_endpoints.settings_for(column.endpoint, column.headers)
    profile = settings.profile
    chosen = compare_setup.request_params(profile.id, round_.setup.params_for(index))
    system = round_.setup.columns[index].system.strip()
    messages = ([{"role": "system", "content": system}] if system else []) + ask.messages
    client = _client(index, settings)
    try:
        if client is None:
            raise EndpointError(f"This column's endpoint is not usable: {settings.problem}")
        params = client.build_body({}, chosen)
    except EndpointError as exc:  # the column shows it; the others go on
        failed = Reply(request=RequestRecord("", chosen, profile.id), status=ReplyStatus.FAILED)
        failed.error = exc
        round_.chats[index].attach(ask, failed)
        return
    body = json.dumps({"messages": messages, **params, "stream": True}, indent=2)
    reply = Reply(request=RequestRecord(body, dict(params), profile.id))
    round_.chats[index].attach(ask, reply)
    source = TextStreamSource(lambda: client.stream_chat(messages, **params))
    follow.start(key, reply, source, settings.retry)


def _client(index: int, settings: session_settings.Settings) -> Client | None:
    """Column `index`'s client for `settings`, made again only when they change."""
    if settings.endpoint is None:
        return None
    made: dict[int, tuple[tuple[str, Any, HostPolicy], Client]] = st.session_state.setdefault(
        CLIENTS, {}
    )
    wanted = (settings.profile.id, settings.endpoint, settings.hosts)
    found = made.get(index)
    if found is None or found[0] != wanted:
        # The one it replaces is not closed: its stream (stopped) may still be reading.
        client = Client(
            settings.endpoint, settings.profile, hosts=settings.hosts, limits=hosting.limits()
        )
        made[index] = (wanted, client)
    return made[index][1]


def redactor() -> Redactor:
    """Masks every column's key and token, and the sidebar's: for reports and share links."""
    found = Redactor()
    clients = [client for _, client in st.session_state.get(CLIENTS, {}).values()]
    sidebar = session_settings.client()
    for client in [*clients, *([sidebar] if sidebar else [])]:
        found.add(client.endpoint.key.reveal())
        if client.endpoint.token is not None:
            found.add(*client.endpoint.token.issued())
    for entry in saved_endpoints.every().values():
        found.add(entry.key)
    return found


# Drawing --------------------------------------------------------------------------------


def draw(round_: Round) -> None:
    """Every column side by side, live ones followed together, then the metrics."""
    count = len(round_.chats)
    order = round_.blind.order if round_.blind is not None else tuple(range(count))
    boxes = st.columns(count)
    slots: list[follow.Slot | None] = []
    metrics: list[Any] = [None] * count
    for position, index in enumerate(order):
        # The key names the column by position (class `st-key-cmp_col_<n>`), not by endpoint.
        with boxes[position], st.container(key=f"cmp_col_{position}"):
            st.subheader(_heading(round_, index), anchor=False)
            slot, metrics[index] = _column(round_, index)
            slots.append(slot)
    follow.follow(slots, key="cmp")
    for index, row in enumerate(column_metrics(round_.replies())):
        with metrics[index].container():
            st.markdown("  \n".join(f"**{n}:** {safe_text.literal(v)}" for n, v in row.rows()))
            st.button(
                "Regenerate", key=f"btn_cmp_regenerate_{index}", icon=":material/refresh:",
                on_click=regenerate, args=(index,),
                help="This column answers the last message again.",
            )  # fmt: skip


def _heading(round_: Round, index: int) -> str:
    title = safe_text.literal(round_.titles[index])
    if round_.blind is None:
        return title
    letter = round_.blind.letter(index)
    return f"{letter}" if round_.hidden else f"{letter}: {title}"


def _column(round_: Round, index: int) -> tuple[follow.Slot | None, Any]:
    """One column's conversation (earlier turns, then the live or last answer), and the
    placeholder of its metrics and Regenerate."""
    chat = round_.chats[index]
    if not round_.hidden:
        column = round_.setup.columns[index]
        st.caption(safe_text.literal(_described(round_, index, column.deployment)))
    slot = None
    for number, turn in enumerate(chat.turns):
        st.markdown(f"**You:** {safe_text.literal(turn.user)}")
        reply = turn.answer.latest if turn.answer is not None else None
        if reply is None:
            continue
        if number == len(chat.turns) - 1:
            slot = follow.slot(f"cmp{index}", reply, draw_reply)
        else:
            draw_reply(reply)
    box = st.empty()  # the metrics and Regenerate, once every column has ended
    return slot, box


def _described(round_: Round, index: int, deployment: str) -> str:
    params = format_params(round_.setup.params_for(index))
    return " · ".join(part for part in (deployment, params) if part)


def draw_reply(reply: Reply) -> None:
    """A column's answer: text, how it ended, and its error in the column itself."""
    follow.reply_text(reply, WHERE)
    if reply.live:
        return
    if reply.error is not None:
        widgets.error_box(reply.error)
    follow.retries_note(reply)
