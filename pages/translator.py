"""Translator: the notebooks' translator chain, streamed; many lines translate as one batch."""

import streamlit as st

from ui import follow, navigation
from ui.widgets import SESSION

navigation.in_app()  # drawn inside the app even when Streamlit runs this file alone

st.title("Translator", anchor=False)
st.caption(
    "The notebooks' translator as a LangChain chain, `prompt | model | StrOutputParser()`: "
    "pick the languages, type the text, and watch the translation stream. Several lines can "
    "go as one batch, each translated on its own. The sidebar's parameters apply."
)

# LangChain takes a second to import, once per server process (the entry point started it in
# the background, see ui/langchain_preload.py): the title shows first.
with st.spinner("Loading LangChain…"):
    from core.langchain import TRANSLATOR_TEMPLATE, check_template, render_prompt
    from ui import langchain_backends, langchain_pages, migration_guide, translator
    from ui.translator import LANGUAGES, MAX_LINES

backend = langchain_backends.backend_picker()
setup = langchain_backends.setup(backend, "translator")
langchain_pages.caveats(setup)

from_column, swap_column, to_column = st.columns([10, 1, 10], vertical_alignment="bottom")
from_column.selectbox(
    "From", LANGUAGES, key="tr_in", accept_new_options=True, persist_state=SESSION,
    help="Pick a language or type any other.",
)  # fmt: skip
swap_column.button(
    "", key="btn_tr_swap", icon=":material/swap_horiz:", on_click=translator.swap_languages,
    help="Swap the languages", width="stretch",
)  # fmt: skip
to_column.selectbox(
    "To", LANGUAGES, index=LANGUAGES.index("French"), key="tr_out", accept_new_options=True,
    persist_state=SESSION, help="Pick a language or type any other.",
)  # fmt: skip
text = st.text_area(
    "Text", "What is good about Wuhan?", key="tr_text", height=140, max_chars=20_000,
    persist_state=SESSION,
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
        "Template", TRANSLATOR_TEMPLATE, key="tr_template", height=110, persist_state=SESSION,
        help="The notebook's template. It must use {input_language}, {output_language} and "
        "{input_content}, and nothing else; write {{ and }} for literal braces.",
    )  # fmt: skip
    st.button("Reset to the notebook's template", key="btn_tr_reset",
              on_click=translator.reset_template, icon=":material/restart_alt:",
              type="tertiary")  # fmt: skip
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
        persist_state=SESSION, width=140,
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

result = translator.latest()
if translate and not blocked:
    result = translator.translate(setup, inputs, template)

st.subheader("Translation", anchor=False)
if batch and not blocked:
    with st.spinner(f"Translating {len(lines)} lines, at most {int(concurrency)} at once…"):
        result = translator.translate_each_line(setup, lines, inputs, template, int(concurrency))
if result is None:
    st.caption("Press **Translate** to see the translation stream here.")
elif result.reply is not None:
    # Drawn as it streams (a new one, or one still streaming after a rerun) until it ends.
    follow.follow([translator.slot(result)])
    translator.reply_footer(result.reply)
else:
    translator.show_batch(result)

if result is not None:
    with st.expander("Rendered prompt", icon=":material/description:"):
        if result.lines:
            st.caption("For the first line; each line is sent with its own text in its place.")
        st.code(result.prompt, language=None, wrap_lines=True)
    with st.expander("Request as sent", icon=":material/data_object:"):
        translator.show_requests(result)

code_options = {
    "template": template if not problems else TRANSLATOR_TEMPLATE,
    "inputs": {k: v for k, v in inputs.items() if v},
}
with langchain_pages.lazy_expander(
    "The same chain as Python", key="lc_code_translator", icon=":material/code:"
) as opened:
    if opened:
        langchain_pages.code_tabs("translator", setup, **code_options)
migration_guide.guide("translator", setup, **code_options)
