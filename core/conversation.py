"""A chat conversation as plain data, and the rules for what the next request carries.

    chat = Conversation()
    ask = chat.ask("What is a haiku?")       # the plan: which turn, and the messages to send
    reply = Reply(request=RequestRecord(body, params, profile))
    chat.attach(ask, reply)                  # the reply is the turn's newest answer
    ...stream into `reply`...
    ask = chat.retry(0)                      # another answer to the same message
    ask = chat.edit(0, "What is a tanka?")   # a new message in place, later turns dropped

A turn is one user message with its answers (`Alternative`s; `selected` says which one
counts). An answer is a reply and, when it was cut at max_tokens and continued, the replies
that continued it: each part keeps its own request, parameters and numbers.

What a request carries (`context`): every earlier turn whose selected answer finished
(`done`) with text, as a user and an assistant message. A failed, stopped or interrupted
answer is left out with the message it answered, unless the user kept it (`ChatTurn.kept`),
so one failure never poisons the turns after it, and two user messages never follow each
other. The system prompt is not part of the conversation: the page puts it in front.

Continuing a cut answer (finish_reason "length"): chat APIs take no assistant prefill (an
assistant message last is answered as a finished turn, not extended), so `continue_reply`
resends the context, the answer so far as an assistant message, and the user message
`CONTINUE_PROMPT`; the continuation's text is appended to the same answer as it arrives.
No Streamlit here.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from .errors import EndpointError, InvalidRequestError
from .reply import Reply, ReplyStatus

CONTINUE_PROMPT = "Continue exactly where you stopped."
LENGTH = "length"  # the finish reason of a reply cut at max_tokens

Message = dict[str, str]


def is_context(status: str, text: str, kept: bool = False) -> bool:
    """True when an answer goes into later requests: it finished with text, or it has text
    and the user kept it (a stopped, interrupted or failed answer). A live one never does."""
    if not text.strip() or ReplyStatus(status).live:
        return False
    return status == ReplyStatus.DONE or kept


@dataclass
class Alternative:
    """One answer to a user message: its first reply, then the replies that continued it."""

    reply: Reply
    continuations: list[Reply] = field(default_factory=list)

    @property
    def parts(self) -> list[Reply]:
        """Every reply of this answer, in order; each holds its own request."""
        return [self.reply, *self.continuations]

    @property
    def text(self) -> str:
        """The answer's text: the parts' texts joined as they arrived."""
        return "".join(part.text for part in self.parts)

    @property
    def latest(self) -> Reply:
        """The last part: the one that may still be streaming, and whose error to show."""
        return self.parts[-1]

    @property
    def outcome(self) -> Reply:
        """The part that says how the answer ended: the last one, unless a continuation
        failed before any text came (the answer then ends as it did before it)."""
        parts = self.parts
        while len(parts) > 1 and parts[-1].status == ReplyStatus.FAILED and not parts[-1].text:
            parts = parts[:-1]
        return parts[-1]

    @property
    def status(self) -> ReplyStatus:
        """How the answer ended (see `outcome`), or that it is still live."""
        return self.latest.status if self.latest.live else self.outcome.status

    @property
    def finish_reason(self) -> str | None:
        """The finish reason of the part that ended the answer."""
        return self.outcome.finish_reason

    @property
    def error(self) -> EndpointError | None:
        """The latest part's error (a continuation's failure shows under the answer)."""
        return self.latest.error

    @property
    def live(self) -> bool:
        """True while a part of the answer is still streaming or waiting to retry."""
        return self.latest.live

    @property
    def cut(self) -> bool:
        """True when the answer stopped at max_tokens (finish_reason "length")."""
        return self.status == ReplyStatus.DONE and self.finish_reason == LENGTH


@dataclass
class ChatTurn:
    """A user message and its answers: `selected` is the one shown and sent as context;
    `kept` sends a stopped, interrupted or failed answer's text as context all the same."""

    user: str
    alternatives: list[Alternative] = field(default_factory=list)
    selected: int = 0
    kept: bool = False

    @property
    def answer(self) -> Alternative | None:
        """The selected answer, if the message has one."""
        return self.alternatives[self.selected] if self.alternatives else None

    @property
    def in_context(self) -> bool:
        """True when later requests carry this turn (see `is_context`)."""
        answer = self.answer
        return answer is not None and is_context(answer.status, answer.text, self.kept)

    @property
    def can_keep(self) -> bool:
        """True when the selected answer did not finish but has text that could be kept."""
        answer = self.answer
        if answer is None or answer.live or answer.status == ReplyStatus.DONE:
            return False
        return bool(answer.text.strip())


@dataclass(frozen=True)
class Ask:
    """A request to make: for which turn, the messages to send (without the system prompt),
    and, for a continuation, which answer it extends."""

    turn: int
    messages: list[Message]
    continues: int | None = None  # the alternative continued; None for a new answer


@dataclass
class Conversation:
    """The turns of one chat, and the operations the page offers on them."""

    turns: list[ChatTurn] = field(default_factory=list)

    @property
    def live(self) -> bool:
        """True while some answer is still streaming or waiting to retry."""
        return any(a.live for t in self.turns for a in t.alternatives)

    # What to send ---------------------------------------------------------------------

    def context(self, upto: int | None = None) -> list[Message]:
        """The messages a request for turn `upto` (the last by default) sends: the earlier
        turns that are context (user, then assistant), then that turn's user message."""
        index = self._index(len(self.turns) - 1 if upto is None else upto)
        messages: list[Message] = []
        for turn in self.turns[:index]:
            answer = turn.answer
            if answer is not None and turn.in_context:
                messages.append({"role": "user", "content": turn.user})
                messages.append({"role": "assistant", "content": answer.text})
        messages.append({"role": "user", "content": self.turns[index].user})
        return messages

    def ask(self, text: str) -> Ask:
        """Add a user message at the end; the plan for its first answer."""
        if not text.strip():
            raise InvalidRequestError("The message is empty: write something to send.")
        self.turns.append(ChatTurn(text))
        return Ask(len(self.turns) - 1, self.context())

    def retry(self, turn: int) -> Ask:
        """The plan for another answer to turn `turn`; earlier answers stay, to compare."""
        return Ask(self._index(turn), self.context(turn))

    def edit(self, turn: int, text: str) -> Ask:
        """Replace turn `turn`'s message, dropping its answers and every later turn; the plan
        for its new answer."""
        index = self._index(turn)
        if not text.strip():
            raise InvalidRequestError("The message is empty: write something, or delete it.")
        del self.turns[index:]
        return self.ask(text)

    def continue_reply(self, turn: int) -> Ask:
        """The plan that continues turn `turn`'s selected answer, cut at max_tokens: the
        context, the answer so far, then `CONTINUE_PROMPT`."""
        index = self._index(turn)
        answer = self.turns[index].answer
        if answer is None or not answer.cut:
            raise InvalidRequestError(
                "Only an answer cut at max_tokens (finish reason 'length') can be continued."
            )
        messages = [
            *self.context(index),
            {"role": "assistant", "content": answer.text},
            {"role": "user", "content": CONTINUE_PROMPT},
        ]
        return Ask(index, messages, continues=self.turns[index].selected)

    def attach(self, ask: Ask, reply: Reply) -> Alternative:
        """Put `reply`, made for `ask`, in its turn: as a new selected answer, or as the next
        part of the answer it continues. A new answer resets `kept`."""
        turn = self.turns[self._index(ask.turn)]
        if ask.continues is not None:
            answer = turn.alternatives[ask.continues]
            answer.continuations.append(reply)
            return answer
        answer = Alternative(reply)
        turn.alternatives.append(answer)
        turn.selected, turn.kept = len(turn.alternatives) - 1, False
        return answer

    # Changing the history -------------------------------------------------------------

    def select(self, turn: int, alternative: int) -> None:
        """Show (and send as context) answer `alternative` of turn `turn`; choosing another
        answer resets `kept` (the user keeps one answer, not whichever is selected)."""
        chosen = self.turns[self._index(turn)]
        if not 0 <= alternative < len(chosen.alternatives):
            raise IndexError(f"Turn {turn} has {len(chosen.alternatives)} answers.")
        if alternative != chosen.selected:
            chosen.selected, chosen.kept = alternative, False

    def keep(self, turn: int, kept: bool = True) -> None:
        """Send (or stop sending) turn `turn`'s unfinished answer as context."""
        chosen = self.turns[self._index(turn)]
        if kept and not chosen.can_keep:
            raise InvalidRequestError("Only an unfinished answer with text can be kept.")
        chosen.kept = kept

    def delete(self, turn: int, alternative: int | None = None) -> None:
        """Delete turn `turn` (its message and answers), or only its answer `alternative`."""
        index = self._index(turn)
        if alternative is None:
            del self.turns[index]
            return
        chosen = self.turns[index]
        if not 0 <= alternative < len(chosen.alternatives):
            raise IndexError(f"Turn {turn} has {len(chosen.alternatives)} answers.")
        del chosen.alternatives[alternative]
        if chosen.selected > alternative or chosen.selected == len(chosen.alternatives):
            chosen.selected = max(0, chosen.selected - 1)

    def _index(self, turn: int) -> int:
        if not 0 <= turn < len(self.turns):
            raise IndexError(f"There is no turn {turn}: the conversation has {len(self.turns)}.")
        return turn


__all__ = [
    "CONTINUE_PROMPT",
    "LENGTH",
    "Alternative",
    "Ask",
    "ChatTurn",
    "Conversation",
    "is_context",
]
