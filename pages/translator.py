"""Translator: the notebooks' translator chain, streamed; many lines translate as one batch."""

import time

import streamlit as st

from ui import navigation, widgets

navigation.in_app()  # drawn inside the app even when Streamlit runs this file alone

st.title("Translator", anchor=False)
st.caption(
    "The notebooks' translator as a LangChain chain, `prompt | model | StrOutputParser()`: "
    "pick the languages, type the text, and watch the translation stream. Several lines can "
    "go as one batch, each translated on its own. The sidebar's parameters apply."
)

# LangChain takes seconds to import, once per server process: the title shows first.
with st.spinner("Loading LangChain…"):
    from core.langchain import (
        TRANSLATOR_TEMPLATE,
        check_template,
        render_prompt,
        translator_chain,
        translator_prompt,
    )
    from ui import chains

LANGUAGES = [
    "English", "French", "German", "Spanish", "Italian", "Portuguese", "Dutch", "Polish",
    "Swedish", "Ukrainian", "Russian", "Turkish", "Arabic", "Hindi", "Chinese (Simplified)",
    "Japanese", "Korean",
]  # fmt: skip
MAX_LINES = 50
ROW = [1, 16, 16]  # line number, source, translation
AGAIN = "Fix the cause, then press **Translate** again: your text and template are kept."
WHOLE = "**Download** below holds the whole translation."


def swap_languages() -> None:
    """Exchange the input and output languages."""
    state = st.session_state
    state["tr_in"], state["tr_out"] = state["tr_out"], state["tr_in"]


def reset_template() -> None:
    """Put the notebook's template back."""
    st.session_state["tr_template"] = TRANSLATOR_TEMPLATE


def show_batch(result: chains.Translation) -> None:
    """Each line's translation beside its source; a failed line shows its error in place."""
    failed = sum(line.error is not None for line in result.lines)
    st.caption(
        f"{len(result.lines)} lines · {len(result.lines) - failed} translated · {failed} failed · "
        f"at most {result.concurrency} at once · {widgets.seconds(result.elapsed)}"
    )
    _, left, right = st.columns(ROW, gap="small")
    left.markdown(f"**{result.inputs['input_language']}**")
    right.markdown(f"**{result.inputs['output_language']}**")
    for number, line in enumerate(result.lines, start=1):
        with st.container(border=True, key=f"tr_line_{number}"):
            gutter, left, right = st.columns(ROW, gap="small")
            gutter.caption(str(number))
            left.markdown(line.source)
            with right:
                if line.error is None:
                    st.markdown(line.text or "_(empty reply)_")
                else:
                    widgets.error_box(line.error)


def show_requests(result: chains.Translation) -> None:
    """The request of the single translation, or of a chosen line of the batch."""
    if result.reply is not None:
        chains.request_panel(result.reply.request, rebuilt=result.reply.rebuilt)
        return
    number = st.selectbox(
        "Line", range(1, len(result.lines) + 1), key="tr_request_line",
        format_func=lambda n: f"{n}. {result.lines[n - 1].source[:60]}",
    )  # fmt: skip
    line = result.lines[min(number, len(result.lines)) - 1]
    chains.request_panel(line.request, rebuilt=line.rebuilt)


backend = chains.backend_picker()
setup = chains.setup(backend)
chains.community_caveats(setup)
chains.notebook_differences()

from_column, swap_column, to_column = st.columns([10, 1, 10], vertical_alignment="bottom")
from_column.selectbox(
    "From", LANGUAGES, key="tr_in", accept_new_options=True, persist_state=chains.SESSION,
    help="Pick a language or type any other.",
)  # fmt: skip
swap_column.button(
    "", key="btn_tr_swap", icon=":material/swap_horiz:", on_click=swap_languages,
    help="Swap the languages", width="stretch",
)  # fmt: skip
to_column.selectbox(
    "To", LANGUAGES, index=LANGUAGES.index("French"), key="tr_out", accept_new_options=True,
    persist_state=chains.SESSION, help="Pick a language or type any other.",
)  # fmt: skip
text = st.text_area(
    "Text", "What is good about Wuhan?", key="tr_text", height=140, max_chars=20_000,
    persist_state=chains.SESSION,
    help="**Translate** sends it as one text; **Translate each line** sends every non-empty "
    "line as its own request, in one batch.",
)  # fmt: skip
template = st.session_state.get("tr_template", TRANSLATOR_TEMPLATE)
problems = check_template(template)
inputs = {
    "input_language": (st.session_state["tr_in"] or "").strip(),
    "output_language": (st.session_state["tr_out"] or "").strip(),
    "input_content": text,
}
lines = [line.strip() for line in text.splitlines() if line.strip()]

with st.expander("Prompt template", icon=":material/edit_note:", expanded=bool(problems)):
    st.text_area(
        "Template", TRANSLATOR_TEMPLATE, key="tr_template", height=110,
        persist_state=chains.SESSION,
        help="The notebook's template. It must use {input_language}, {output_language} and "
        "{input_content}, and nothing else; write {{ and }} for literal braces.",
    )  # fmt: skip
    st.button("Reset to the notebook's template", key="btn_tr_reset", on_click=reset_template,
              icon=":material/restart_alt:", type="tertiary")  # fmt: skip
    if not problems:
        st.caption("What the model receives for your text:")
        st.code(render_prompt(template, **inputs), language=None, wrap_lines=True)

missing = [name for name in ("input_language", "output_language") if not inputs[name]]
blocked = bool(problems or missing or not lines)
with st.container(horizontal=True, vertical_alignment="bottom"):
    translate = st.button(
        "Translate", type="primary", key="btn_tr_translate", icon=":material/translate:",
        disabled=blocked,
    )  # fmt: skip
    batch = st.button(
        "Translate each line", key="btn_tr_batch", icon=":material/format_list_numbered:",
        disabled=blocked or len(lines) > MAX_LINES,
        help=f"Up to {MAX_LINES} lines, sent as one LangChain batch.",
    )  # fmt: skip
    concurrency = st.number_input(
        "Lines at once", min_value=1, max_value=8, value=4, key="tr_concurrency",
        persist_state=chains.SESSION, width=140,
        help="How many line requests may run at the same time (the batch's max_concurrency).",
    )  # fmt: skip
if problems:
    st.error(
        "The template cannot be used, so nothing is sent: " + " ".join(problems)
        + " Fix it under **Prompt template**, or reset it.",
        icon=":material/edit_note:",
    )  # fmt: skip
elif missing:
    st.info("Choose both languages.", icon=":material/translate:")
elif not lines:
    st.caption("Type some text to translate.")
elif len(lines) > MAX_LINES:
    st.info(f"{len(lines)} lines: a batch takes at most {MAX_LINES}.", icon=":material/info:")

result: chains.Translation | None = st.session_state.get("tr_result")
started = None
if (translate or batch) and not blocked:
    result = chains.Translation(inputs, template, render_prompt(template, **inputs))
    if batch:
        result.concurrency = int(concurrency)
        result.prompt = render_prompt(template, **{**inputs, "input_content": lines[0]})
    else:
        result.reply = chains.Reply()
    st.session_state["tr_result"] = result
    started = time.perf_counter()

st.subheader("Translation", anchor=False)
if result is None:
    st.caption("Press **Translate** to see the translation stream here.")
elif result.reply is not None:
    with st.container(border=True, key="tr_output"):
        if started is not None:
            chains.stream_reply(
                result.reply,
                lambda model: translator_chain(model, result.template),
                result.inputs,
                setup,
                translator_prompt(result.template).invoke(result.inputs).to_messages(),
                stop_key="btn_tr_stop",
                where=WHOLE,
            )
        chains.reply_body(chains.settle(result.reply), again=AGAIN, where=WHOLE)
    with st.container(horizontal=True, vertical_alignment="center"):
        st.caption(chains.stats_text(result.reply))
        if result.reply.text and result.reply.status != chains.STREAMING:
            st.download_button(
                "Download", result.reply.text, file_name="translation.txt", mime="text/plain",
                key="btn_tr_download", icon=":material/download:", on_click="ignore",
                help="The whole translation as text, however long.",
            )  # fmt: skip
else:
    if started is not None:
        with st.spinner(f"Translating {len(lines)} lines, at most {result.concurrency} at once…"):
            result.lines = chains.translate_batch(
                setup, lines, inputs, template, result.concurrency
            )
        result.elapsed = time.perf_counter() - started
    show_batch(result)

if result is not None:
    with st.expander("Rendered prompt", icon=":material/description:"):
        if result.lines:
            st.caption("For the first line; each line is sent with its own text in its place.")
        st.code(result.prompt, language=None, wrap_lines=True)
    with st.expander("Request as sent", icon=":material/data_object:"):
        show_requests(result)

with st.expander("The same chain as Python", icon=":material/code:"):
    chains.code_tabs(
        "translator", setup,
        template=template if not problems else TRANSLATOR_TEMPLATE,
        inputs={k: v for k, v in inputs.items() if v},
    )  # fmt: skip
