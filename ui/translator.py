"""Translator: the latest translation (one streamed reply, or a batch of lines), starting it,
and drawing it.

The result is `st.session_state["tr_result"]`, a `Translation`. A single translation streams
in a worker thread under the stream key `tr` (`ui.follow`; its Stop is `btn_tr_stop`); a
batch runs as one LangChain batch while the page waits. Each line of a batch is a `Reply` too,
done or failed, with the request it sent.
"""

from __future__ import annotations

import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import streamlit as st

from core.langchain import (
    TRANSLATOR_TEMPLATE,
    RequestRecorder,
    render_prompt,
    translate_lines,
    translator_chain,
    translator_prompt,
)
from core.langchain.recorder import Ending
from core.reply import Reply, ReplyStatus
from ui import follow, langchain_backends, langchain_pages, safe_text, widgets
from ui.langchain_backends import COMMUNITY, Setup

KEY = "tr"  # the stream key, and the prefix of its Stop and Cancel retry widget keys
LANGUAGES = [
    "English", "French", "German", "Spanish", "Italian", "Portuguese", "Dutch", "Polish",
    "Swedish", "Ukrainian", "Russian", "Turkish", "Arabic", "Hindi", "Chinese (Simplified)",
    "Japanese", "Korean",
]  # fmt: skip
MAX_LINES = 50
ROW = [1, 16, 16]  # line number, source, translation
AGAIN = "Fix the cause, then press **Translate** again: your text and template are kept."
WHOLE = "**Download** below holds the whole translation."


@dataclass
class BatchLine:
    """One line of a batch translation: its source, and its reply (done or failed)."""

    source: str
    reply: Reply


@dataclass
class Translation:
    """The Translator's latest result: one streamed `reply`, or batch `lines`."""

    inputs: dict[str, str]  # input_language, output_language, input_content
    template: str
    prompt: str  # the rendered prompt (of the first line, for a batch)
    reply: Reply | None = None
    lines: list[BatchLine] = field(default_factory=list)
    concurrency: int = 1
    elapsed: float | None = None


def latest() -> Translation | None:
    """The latest translation of this session, if any."""
    found: Translation | None = st.session_state.get("tr_result")
    return found


def swap_languages() -> None:
    """Exchange the input and output languages."""
    state = st.session_state
    state["tr_in"], state["tr_out"] = state["tr_out"], state["tr_in"]


def reset_template() -> None:
    """Put the notebook's template back."""
    st.session_state["tr_template"] = TRANSLATOR_TEMPLATE


# Translating --------------------------------------------------------------------------------


def translate(setup: Setup, inputs: dict[str, str], template: str) -> Translation:
    """Start streaming the translation of the whole text (draw it with `slot`)."""
    reply = Reply()
    result = Translation(inputs, template, render_prompt(template, **inputs), reply=reply)
    st.session_state["tr_result"] = result
    messages = translator_prompt(template).invoke(inputs).to_messages()
    langchain_pages.stream(
        KEY, reply, lambda model: translator_chain(model, template), inputs, setup, messages
    )
    return result


def translate_each_line(
    setup: Setup, lines: Sequence[str], inputs: dict[str, str], template: str, concurrency: int
) -> Translation:
    """Translate each line in one LangChain batch, at most `concurrency` at once, while the
    page waits. A failure stays on its line; each line keeps the request it sent."""
    follow.stop(KEY)
    prompt = render_prompt(template, **{**inputs, "input_content": lines[0]})
    result = Translation(inputs, template, prompt, concurrency=concurrency)
    st.session_state["tr_result"] = result
    started = time.perf_counter()
    result.lines = _batch(setup, lines, inputs, template, concurrency)
    result.elapsed = time.perf_counter() - started
    return result


def _batch(
    setup: Setup, lines: Sequence[str], inputs: Mapping[str, str], template: str, concurrency: int
) -> list[BatchLine]:
    recorder = RequestRecorder()
    languages = (inputs["input_language"], inputs["output_language"])
    try:
        results = translate_lines(
            langchain_backends.chat_model(setup, on_request=recorder.add),
            lines,
            *languages,
            template=template,
            max_concurrency=concurrency,
            callbacks=[recorder],
        )
    except Exception as exc:  # e.g. a URL the notebook class cannot take: no line was sent
        failed = langchain_backends.as_error(exc, setup)
        return [BatchLine(line, Reply(status=ReplyStatus.FAILED, error=failed)) for line in lines]
    recorded = {_prompt_of(r): r for r in recorder.requests}
    batch = []
    for result in results:
        variables = {**inputs, "input_content": result.source}
        error = None if result.error is None else langchain_backends.as_error(result.error, setup)
        found = recorded.get(render_prompt(template, **variables))  # none for the notebook class
        if setup.backend == COMMUNITY:
            messages = translator_prompt(template).invoke(variables).to_messages()
            request = langchain_pages.sent_request(setup, messages, None, error, stream=False)
        elif found is not None:
            request = langchain_pages.recorded(setup, found)
        else:
            request = langchain_pages.sent_request(setup, (), None, error)
        status = ReplyStatus.DONE if error is None else ReplyStatus.FAILED
        reply = Reply(result.text or "", status, error, request)
        if error is None and (ending := _ending(recorder, found, reply.text)) is not None:
            reply.finish_reason, reply.usage = ending.finish_reason, ending.usage
        batch.append(BatchLine(result.source, reply))
    return batch


def _ending(recorder: RequestRecorder, request: object, text: str) -> Ending | None:
    """How a line's model call ended: by its recorded request, else by its text (the notebook
    class records no request)."""
    endings = [e for e in recorder.endings if e.request is not None and e.request is request]
    return endings[0] if endings else next((e for e in recorder.endings if e.text == text), None)


def _prompt_of(request: Mapping[str, object]) -> str:
    body = request.get("body")
    messages = body.get("messages") if isinstance(body, dict) else None
    return str(messages[-1].get("content", "")) if messages else ""


# Drawing ------------------------------------------------------------------------------------


def slot(result: Translation) -> follow.Slot | None:
    """The single translation, live or finished, in its bordered box; for `follow.follow`."""
    if result.reply is None:
        return None
    with st.container(border=True, key="tr_output"):
        return follow.slot(KEY, result.reply, draw_reply)


def draw_reply(reply: Reply) -> None:
    """The translation, live or finished: its text, how it ended, and its error."""
    langchain_pages.reply_body(reply, again=AGAIN, where=WHOLE)


def reply_footer(reply: Reply) -> None:
    """The translation's numbers, and its download once it has ended."""
    with st.container(horizontal=True, vertical_alignment="center"):
        st.caption(langchain_pages.stats_text(reply))
        if reply.text and not reply.live:
            st.download_button(
                "Download", reply.text, file_name="translation.txt", mime="text/plain",
                key="btn_tr_download", icon=":material/download:", on_click="ignore",
                help="The whole translation as text, however long.",
            )  # fmt: skip


def show_batch(result: Translation) -> None:
    """Each line's translation beside its source; a failed line shows its error in place."""
    failed = sum(line.reply.error is not None for line in result.lines)
    st.caption(
        f"{len(result.lines)} lines · {len(result.lines) - failed} translated · {failed} failed · "
        f"at most {result.concurrency} at once · {widgets.seconds(result.elapsed)}"
    )
    _, left, right = st.columns(ROW, gap="small")
    left.markdown(f"**{safe_text.literal(result.inputs['input_language'])}**")
    right.markdown(f"**{safe_text.literal(result.inputs['output_language'])}**")
    for number, line in enumerate(result.lines, start=1):
        with st.container(border=True, key=f"tr_line_{number}"):
            gutter, left, right = st.columns(ROW, gap="small")
            gutter.caption(str(number))
            left.markdown(safe_text.markdown(line.source))
            with right:
                if line.reply.error is None:
                    st.markdown(safe_text.markdown(line.reply.text) or "_(empty reply)_")
                    if ending := langchain_pages.ending_text(line.reply):
                        st.caption(ending)
                else:
                    widgets.error_box(line.reply.error)


def show_requests(result: Translation) -> None:
    """The request of the single translation, or of a chosen line of the batch."""
    if result.reply is not None:
        langchain_pages.request_panel(result.reply.request, result.reply.service)
        return
    number = st.selectbox(
        "Line", range(1, len(result.lines) + 1), key="tr_request_line",
        format_func=lambda n: f"{n}. {result.lines[n - 1].source[:60]}",
    )  # fmt: skip
    line = result.lines[min(number, len(result.lines)) - 1]
    langchain_pages.request_panel(line.reply.request, line.reply.service)
