"""The pages as the fault table drives them, one driver each in `DRIVERS`.

A page joins the table by adding a driver (prepare: one good exchange first; act: send again,
under the fault; observe: what the user now sees).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

from streamlit.testing.v1 import AppTest

from tests.helpers.app_driver import (
    BUILDER,
    CHAT,
    CHATBOT,
    TRANSLATOR,
    open_page,
    plain_texts,
    say,
)
from tests.helpers.azure_emulator import SCRIPTED_DEPLOYMENT

STREAMED_STARTER = 'Chat, streamed with "stream": "True" (Llama 2)'


@dataclass
class Observed:
    """What the user sees after the faulty request."""

    message: str  # the error box, or "" when there is none
    notes: str  # captions under the reply: retries, interrupted, [DONE] missing
    partial: str  # the partial reply's text, "" when none is shown
    input_kept: bool
    history_intact: bool


class Driver(Protocol):
    """How one page is exercised: a good exchange, then the same again under a fault.

    `second`, when set before `act`, is the text the second request carries instead of the
    page's own (a prompt the content filter blocks, say)."""

    second: str

    def prepare(self, at: AppTest) -> None: ...
    def act(self, at: AppTest) -> None: ...
    def observe(self, at: AppTest) -> Observed: ...


class BuilderDriver:
    """Request Builder: send the default (or the streamed) starter, then send it again."""

    def __init__(self, *, streamed: bool) -> None:
        self.streamed = streamed
        self.body = self.first_body = self.second = ""

    def prepare(self, at: AppTest) -> None:
        open_page(at, BUILDER)
        if self.streamed:
            at.selectbox(key="rb_starter").select(STREAMED_STARTER).run()
        self.body = at.text_area(key="rb_body").value
        at.button(key="btn_rb_send").click().run()
        assert {m.label: m.value for m in at.metric}["Status"] == "200 OK"
        self.first_body = at.session_state["rb_history"][0].exchange.body

    def act(self, at: AppTest) -> None:
        if self.second:  # the editor's last message says it instead
            body = json.loads(self.body)
            body["messages"][-1]["content"] = self.second
            self.body = json.dumps(body, indent=2)
            at.text_area(key="rb_body").input(self.body).run()
        at.button(key="btn_rb_send").click().run()

    def observe(self, at: AppTest) -> Observed:
        entries = at.session_state["rb_history"]
        first = entries[0]
        reply = [m.value for m in at.main.markdown if m.value.startswith("You said:")]
        return Observed(
            message=plain_texts(at.main.error),
            notes=notes_of(at.main.caption),
            partial=reply[0] if reply and entries[-1].reply.error is not None else "",
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
        self.second = ""

    def prepare(self, at: AppTest) -> None:
        open_page(at, self.page)
        say(at, "First question")
        self.first = [m.markdown[0].value for m in at.chat_message]
        assert self.first[1].startswith('You said: "')

    def act(self, at: AppTest) -> None:
        say(at, self.second or "Second question")

    def observe(self, at: AppTest) -> Observed:
        messages = at.chat_message
        assert [m.name for m in messages] == ["user", "assistant", "user", "assistant"]
        reply = messages[3]
        text = reply.markdown[0].value if reply.markdown else ""
        return Observed(
            message=plain_texts(reply.error),
            notes=notes_of(reply.caption),
            partial=text if reply.error and text.startswith("You said") else "",
            input_kept=messages[2].markdown[0].value == (self.second or "Second question"),
            history_intact=[m.markdown[0].value for m in messages[:2]] == self.first,
        )


class TranslatorDriver:
    """Translator: one text translated, then another under the fault. The page keeps only its
    latest result, so "history" is what the user set up: both languages and the template."""

    def __init__(self) -> None:
        self.setup: tuple[str, str, str] = ("", "", "")
        self.second = ""

    def prepare(self, at: AppTest) -> None:
        open_page(at, TRANSLATOR)
        at.text_area(key="tr_text").input("First text").run()
        at.button(key="btn_tr_translate").click().run()
        assert at.session_state["tr_result"].reply.text.startswith('You said: "')
        self.setup = self._setup(at)

    def act(self, at: AppTest) -> None:
        at.text_area(key="tr_text").input(self.second or "Second text").run()
        at.button(key="btn_tr_translate").click().run()

    def observe(self, at: AppTest) -> Observed:
        text = at.session_state["tr_result"].reply.text
        shown = [m.value for m in at.main.markdown if m.value.startswith("You said")]
        error = plain_texts(at.main.error)
        return Observed(
            message=error,
            notes=notes_of(at.main.caption),
            partial=shown[0] if error and shown and text.startswith(shown[0]) else "",
            input_kept=at.text_area(key="tr_text").value == (self.second or "Second text"),
            history_intact=self._setup(at) == self.setup,
        )

    @staticmethod
    def _setup(at: AppTest) -> tuple[str, str, str]:
        return (at.session_state["tr_in"], at.session_state["tr_out"],
                at.text_area(key="tr_template").value)  # fmt: skip


def use_maintained(at: AppTest, page: str) -> None:
    """The sidebar's deployment typed (the v1 API routes by it), then the maintained class
    picked under the page's Advanced."""
    at.text_input(key="sb_deployment").input(SCRIPTED_DEPLOYMENT).run()
    open_page(at, page)
    at.radio(key="lc_backend").set_value("maintained").run()


class MaintainedTranslatorDriver(TranslatorDriver):
    """Translator over the maintained class (AzureAIOpenAIApiChatModel, the v1 API)."""

    def prepare(self, at: AppTest) -> None:
        use_maintained(at, TRANSLATOR)
        super().prepare(at)


class MaintainedChatbotDriver(ChatDriver):
    """Memory Chatbot over the maintained class (AzureAIOpenAIApiChatModel, the v1 API)."""

    def prepare(self, at: AppTest) -> None:
        use_maintained(at, self.page)
        super().prepare(at)


DRIVERS: dict[str, Callable[[], Driver]] = {
    "Request Builder (JSON)": lambda: BuilderDriver(streamed=False),
    "Request Builder (stream)": lambda: BuilderDriver(streamed=True),
    "Streaming Chat": lambda: ChatDriver(CHAT),
    "Translator": TranslatorDriver,
    "Memory Chatbot": lambda: ChatDriver(CHATBOT),
}
# The LangChain pages over Microsoft's maintained class: every emulator fault, the same
# guarantees (tests/app/fault_table/test_maintained_faults.py).
MAINTAINED_DRIVERS: dict[str, Callable[[], Driver]] = {
    "Translator (maintained class)": MaintainedTranslatorDriver,
    "Memory Chatbot (maintained class)": lambda: MaintainedChatbotDriver(CHATBOT),
}
# Pages that draw the raw stream events, and so can say what the stream lacked at its end.
SHOW_EVENTS = ("Request Builder (stream)", "Streaming Chat")


def notes_of(captions: object) -> str:
    """The captions that are notes on a reply (retries, interrupted, [DONE] missing), once each."""
    wanted = ("Interrupted", "Automatic retries", "Retried", "without `data: [DONE]`", "Stopped",
              "no chunk gave a finish reason", "U+FFFD")  # fmt: skip
    shown = [c.value for c in captions if any(w in c.value for w in wanted)]  # type: ignore[attr-defined]
    return " ".join(dict.fromkeys(shown))  # the same note under the reply and the raw body: once
