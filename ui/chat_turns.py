"""The controls both chat pages (Streaming Chat, Memory Chatbot) put on each message of a
`core.conversation.Conversation`, and what they do.

Under a message of yours: edit (then send, which drops the turns after it), send again (another
answer), delete (the message and its answers). Under an answer: ◀ 1/3 ▶ between its
alternatives, another answer, delete this answer, **Keep as context** for an answer that did
not finish (failed, stopped or interrupted: left out of later requests unless kept), and
**Continue** for one cut at max_tokens. Widget keys are `btn_<page>_<action>_<turn>`.

A control's callback changes the conversation at once; a request it calls for becomes the
page's pending `Ask`, which the page takes (`ChatPage.take`) once it has its client and starts
(a reply is drawn, and its stream followed, in the same run). While a reply streams its own
controls wait for it to end (`Controls`); Stop is the follower's.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import streamlit as st

from core.conversation import Alternative, Ask, ChatTurn, Conversation
from core.errors import InvalidRequestError
from ui import follow, safe_text, widgets

# Characters of a message of yours drawn in the chat: a pasted document would otherwise push
# its answer (and an error saying it is too long) off the screen.
MESSAGE_LIMIT = 2_000
MESSAGE_WHOLE = (
    "Edit (:material/edit:) shows the whole message; **What the model saw**, what was sent."
)


@dataclass(frozen=True)
class ChatPage:
    """One chat page: its stream key, which also prefixes its widget and state keys."""

    key: str

    def conversation(self) -> Conversation:
        """The page's conversation, in the session."""
        found: Conversation = st.session_state.setdefault(
            f"{self.key}_conversation", Conversation()
        )
        return found

    def replace(self, conversation: Conversation) -> None:
        """Put `conversation` in place of the page's (a reply still streaming is stopped)."""
        follow.stop(self.key)
        st.session_state[f"{self.key}_conversation"] = conversation
        self.edit(None)
        st.session_state.pop(self._pending, None)

    def plan(self, ask: Ask) -> None:
        """Ask for a reply in this run (see `take`)."""
        st.session_state[self._pending] = ask

    def take(self) -> Ask | None:
        """The request a control asked for, once."""
        found: Ask | None = st.session_state.pop(self._pending, None)
        return found

    @property
    def editing(self) -> int | None:
        """The turn whose message is being edited, if any."""
        found: int | None = st.session_state.get(self._editing)
        return found

    def edit(self, turn: int | None) -> None:
        """Open turn `turn`'s message for editing (None closes the editor)."""
        if turn is None:
            st.session_state.pop(self._editing, None)
            return
        st.session_state[self._editing] = turn
        st.session_state[self.edit_text] = self.conversation().turns[turn].user

    @property
    def edit_text(self) -> str:
        """The state key of the editor's text."""
        return f"{self.key}_edit_text"

    @property
    def _pending(self) -> str:
        return f"_{self.key}_pending"

    @property
    def _editing(self) -> str:
        return f"_{self.key}_editing"

    def widget(self, action: str, turn: int | None = None) -> str:
        """A widget key: `btn_<page>_<action>` or `btn_<page>_<action>_<turn>`."""
        return f"btn_{self.key}_{action}" + ("" if turn is None else f"_{turn}")


# What the controls do (callbacks: they run before the page) -------------------------------


def _guarded(change: Callable[[], None]) -> None:
    """Run `change`; a refusal (or a turn gone meanwhile) is said in a toast, nothing changes."""
    try:
        change()
    except (InvalidRequestError, IndexError) as exc:
        st.toast(str(exc), icon=":material/info:")


def retry(page: ChatPage, turn: int) -> None:
    """Another answer to turn `turn`; the others stay, to go back to."""
    _guarded(lambda: page.plan(page.conversation().retry(turn)))


def continue_answer(page: ChatPage, turn: int) -> None:
    """Continue turn `turn`'s answer, cut at max_tokens."""
    _guarded(lambda: page.plan(page.conversation().continue_reply(turn)))


def select(page: ChatPage, turn: int, alternative: int) -> None:
    """Show (and send as context) answer `alternative` of turn `turn`."""
    _guarded(lambda: page.conversation().select(turn, alternative))


def keep(page: ChatPage, turn: int, kept: bool) -> None:
    """Send (or stop sending) turn `turn`'s unfinished answer as context."""
    _guarded(lambda: page.conversation().keep(turn, kept))


def delete_turn(page: ChatPage, turn: int) -> None:
    """Delete turn `turn`: the message and its answers (stopping one that streams)."""

    def change() -> None:
        chat = page.conversation()
        if any(answer.live for answer in chat.turns[turn].alternatives):
            follow.stop(page.key)
        chat.delete(turn)
        page.edit(None)

    _guarded(change)


def delete_answer(page: ChatPage, turn: int, alternative: int) -> None:
    """Delete one answer of turn `turn` (stopping it if it streams)."""

    def change() -> None:
        chat = page.conversation()
        if chat.turns[turn].alternatives[alternative].live:
            follow.stop(page.key)
        chat.delete(turn, alternative)

    _guarded(change)


def start_edit(page: ChatPage, turn: int) -> None:
    """Open turn `turn`'s message for editing."""
    _guarded(lambda: page.edit(turn))


def cancel_edit(page: ChatPage) -> None:
    """Close the editor; the message stays as it was."""
    page.edit(None)


def send_edit(page: ChatPage, turn: int) -> None:
    """Put the edited message in place of turn `turn`, drop the turns after it, and ask."""

    def change() -> None:
        text = st.session_state.get(page.edit_text, "")
        follow.stop(page.key)  # a later reply still streaming goes with its turn
        page.plan(page.conversation().edit(turn, text))
        page.edit(None)

    _guarded(change)


# Drawing a conversation ---------------------------------------------------------------------

DrawAnswer = Callable[[ChatTurn, Alternative], None]


def show_all(page: ChatPage, draw_answer: DrawAnswer, *, can_send: bool) -> None:
    """Every turn of the page's conversation, then the live reply followed until it ends,
    then its controls (`draw_answer` draws one answer, live or finished)."""
    chat = page.conversation()
    views = [_show(page, chat, i, draw_answer, can_send) for i in range(len(chat.turns))]
    follow.follow([slot for slot, _ in views])
    for _, controls in views:
        if controls is not None:
            controls.finish()


def _show(
    page: ChatPage, chat: Conversation, index: int, draw_answer: DrawAnswer, can_send: bool
) -> tuple[follow.Slot | None, Controls | None]:
    """One turn as chat messages: yours, then its selected answer (a slot for the follower)
    and the answer's controls."""
    turn = chat.turns[index]
    with st.chat_message("user"):
        user_message(page, index, turn, can_send=can_send)
        follow.pad()  # over an answer drawn here in the last run, until this run ends
    answer = turn.answer
    if answer is None:
        return None, None
    with st.chat_message("assistant"):
        slot = follow.slot(page.key, answer.latest, lambda _: draw_answer(turn, answer))
        controls = Controls(page, index, can_send=can_send)
    return slot, controls


# Drawing the controls ---------------------------------------------------------------------


def user_message(page: ChatPage, index: int, turn: ChatTurn, *, can_send: bool) -> None:
    """A message of yours: its text and its controls, or the editor when it is being edited."""
    if page.editing == index:
        editor(page, index)
        return
    shown, note = widgets.clipped(turn.user, MESSAGE_LIMIT)
    st.markdown(safe_text.markdown(shown))
    widgets.clip_note(note, MESSAGE_WHOLE)
    # Not disabled while its answer streams: the row is drawn before the follower, and would
    # stay disabled once the stream ended. Editing or sending again stops that stream first.
    with st.container(horizontal=True, gap="small"):
        for action, icon, help, on_click, usable in (
            ("edit", ":material/edit:", "Edit this message and send it again (the turns "
             "after it are dropped)", start_edit, can_send),
            ("resend", ":material/send:", "Send this message again for another answer", retry,
             can_send),
            ("delete", ":material/delete:", "Delete this message and its answers", delete_turn,
             True),
        ):  # fmt: skip
            _icon(page, action, index, icon, help, on_click, disabled=not usable)


def editor(page: ChatPage, index: int) -> None:
    """The message in a text box, with Send (drops the later turns) and Cancel."""
    st.text_area(
        "Edit your message", height=120, label_visibility="collapsed",
        **widgets.bound(page.edit_text),
    )  # fmt: skip
    later = len(page.conversation().turns) - index - 1
    with st.container(horizontal=True, vertical_alignment="center"):
        st.button("Send", key=page.widget("edit_send"), icon=":material/send:", type="primary",
                  on_click=send_edit, args=(page, index))  # fmt: skip
        st.button("Cancel", key=page.widget("edit_cancel"), on_click=cancel_edit, args=(page,))
        if later:
            st.caption(f"Sending drops the {later} later message(s) and their answers.")


class Controls:
    """The controls under one answer, drawn now, or after the follower when it is live (they
    would show a stale state otherwise: the follower returns once the stream ends)."""

    def __init__(self, page: ChatPage, index: int, *, can_send: bool) -> None:
        self.page, self.index, self.can_send = page, index, can_send
        self._place = st.empty()
        answer = page.conversation().turns[index].answer
        self.deferred = answer is not None and answer.live
        if not self.deferred:
            self.draw()

    def draw(self) -> None:
        """Draw the controls as the answer stands now."""
        page, index = self.page, self.index
        turn = page.conversation().turns[index]
        answer = turn.answer
        if answer is None:
            return
        idle = not answer.live
        with self._place.container(horizontal=True, vertical_alignment="center", gap="small"):
            _alternatives(page, index, turn, idle)
            _icon(
                page,
                "retry",
                index,
                ":material/refresh:",
                "Another answer (this one stays: ◀ ▶ go between them)",
                retry,
                disabled=not self.can_send or not idle,
            )
            _icon(page, "drop", index, ":material/delete:", "Delete this answer", delete_answer,
                  turn.selected)  # fmt: skip
            if turn.can_keep or turn.kept:
                _keep_button(page, index, turn)
            if answer.cut:
                st.button(
                    "Continue", key=page.widget("continue", index), icon=":material/forward:",
                    help="Ask the model to go on from where max_tokens cut it.",
                    on_click=continue_answer, args=(page, index), disabled=not self.can_send,
                )  # fmt: skip

    def finish(self) -> None:
        """Draw deferred controls (call after `follow.follow`)."""
        if self.deferred:
            self.draw()


def _alternatives(page: ChatPage, index: int, turn: ChatTurn, idle: bool) -> None:
    """`◀ 2/3 ▶` between a message's answers, when it has more than one."""
    count = len(turn.alternatives)
    if count < 2:
        return
    _icon(page, "prev", index, ":material/chevron_left:", "The previous answer", select,
          turn.selected - 1, disabled=not idle or turn.selected == 0)  # fmt: skip
    st.caption(f"{turn.selected + 1}/{count}", width="content")
    _icon(page, "next", index, ":material/chevron_right:", "The next answer", select,
          turn.selected + 1, disabled=not idle or turn.selected == count - 1)  # fmt: skip


def _keep_button(page: ChatPage, index: int, turn: ChatTurn) -> None:
    if turn.kept:
        st.button(
            "Kept as context", key=page.widget("keep", index), icon=":material/keep:",
            help="Later requests carry this unfinished answer. Click to leave it out again.",
            on_click=keep, args=(page, index, False), type="tertiary",
        )  # fmt: skip
    else:
        st.button(
            "Keep as context", key=page.widget("keep", index), icon=":material/keep_off:",
            help="Send this unfinished answer (and your message) with later requests.",
            on_click=keep, args=(page, index, True),
        )  # fmt: skip


def _icon(
    page: ChatPage,
    action: str,
    index: int,
    icon: str,
    help: str,
    on_click: Callable[..., None],
    *more: object,
    disabled: bool = False,
) -> None:
    """A small icon button for one turn: `on_click(page, index, *more)`."""
    st.button(
        "", key=page.widget(action, index), icon=icon, help=help, type="tertiary",
        on_click=on_click, args=(page, index, *more), disabled=disabled,
    )  # fmt: skip
