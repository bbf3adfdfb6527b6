"""After a round: the word diff of two columns, the blind vote and reveal, the session's tally,
the report downloads and the share link.

    compare_review.diff(round_)      # two columns picked, their words compared, a similarity
    compare_review.vote(round_)      # blind: a button per letter, then the reveal
    compare_review.tally_view()      # votes this session: a table and a chart
    compare_review.downloads(round_) # Markdown and HTML reports (no key: `compare_run.redactor`)
    compare_review.share_link(setup) # the setup in the URL query (`?setup=c1...`)

Votes are kept for the session in `st.session_state["cmp_votes"]`.
"""

from __future__ import annotations

from collections.abc import Sequence

import streamlit as st

from core.blind import Vote, cast_vote, tally
from core.compare import CompareSetup, SetupError
from core.diff import DiffOp, DiffSegment, diff_words
from core.report import report_html, report_markdown
from core.share import decode_setup, encode_setup
from ui import compare_run, compare_setup, safe_text
from ui.compare_run import Round

VOTES = "cmp_votes"  # st.session_state key: every Vote this session
SHARE_PARAM = "setup"  # the URL query's name for a shared setup
LOADED = "cmp_shared"  # st.session_state key: the shared text already applied


def votes() -> list[Vote]:
    """This session's votes, in order."""
    found: list[Vote] = st.session_state.setdefault(VOTES, [])
    return found


def _names(round_: Round) -> list[str]:
    """What each column is called on screen: its letter while hidden, else its title."""
    if round_.blind is None:
        return list(round_.titles)
    return [
        round_.blind.letter(i) + ("" if round_.hidden else f": {t}")
        for i, t in enumerate(round_.titles)
    ]


def diff(round_: Round) -> None:
    """Two columns' last replies compared word by word, with their similarity."""
    names = _names(round_)
    count = len(names)
    with st.expander("Diff two columns", icon=":material/difference:"):
        left, right = st.columns(2)
        first = left.selectbox("First", range(count), format_func=names.__getitem__, key="cmp_da")
        second = right.selectbox(
            "Second", range(count), index=min(1, count - 1), format_func=names.__getitem__,
            key="cmp_db",
        )  # fmt: skip
        replies = round_.replies()
        result = diff_words(replies[first].text, replies[second].text)
        st.metric("Similarity", f"{result.similarity:.0f}%")
        st.caption("Struck through on red: only in the first. On green: only in the second.")
        st.markdown(_diff_markdown(result.segments))


def _diff_markdown(segments: Sequence[DiffSegment]) -> str:
    """The diff as Markdown in which every text is literal (`safe_text.literal`): words only in
    the first reply struck through on red, words only in the second on green."""
    parts = []
    for segment in segments:
        if segment.op == DiffOp.EQUAL:
            parts.append(safe_text.literal(segment.old))
            continue
        parts.append(_marked(segment.old, ":red-background[~~", "~~]"))
        parts.append(_marked(segment.new, ":green-background[", "]"))
    return "".join(parts)


def _marked(text: str, before: str, after: str) -> str:
    """`text` literal, each line's words inside `before` … `after` (the blanks around them
    outside, so a mark never starts or ends with a space)."""
    lines = []
    for line in text.replace("\r\n", "\n").replace("\r", "\n").split("\n"):
        words = line.strip()
        if not words:
            lines.append(safe_text.literal(line))
            continue
        lead, trail = line[: len(line) - len(line.lstrip())], line[len(line.rstrip()) :]
        lines.append(
            safe_text.literal(lead)
            + before
            + safe_text.literal(words)
            + after
            + trail.replace("\t", " ")
        )
    return "  \n".join(lines)


def vote(round_: Round) -> None:
    """Blind mode: a vote button per letter, and Reveal; once voted, who was who."""
    if round_.blind is None:
        return
    order = round_.blind
    if round_.hidden:
        st.markdown("**Which reply is best?**")
        with st.container(horizontal=True):
            for letter in order.letters:
                st.button(
                    f"Vote {letter}", key=f"btn_cmp_vote_{letter}", on_click=_vote,
                    args=(round_, letter), disabled=round_.live,
                )  # fmt: skip
            st.button("Reveal without voting", key="btn_cmp_reveal", on_click=_reveal,
                      args=(round_,))  # fmt: skip
        return
    if round_.voted:
        st.success(f"Voted for {round_.voted}.", icon=":material/how_to_vote:")
    rows = order.reveal(round_.titles)
    st.table({"Letter": [r[0] for r in rows], "Column": [r[1] for r in rows]})


def _vote(round_: Round, letter: str) -> None:
    try:
        votes().append(cast_vote(round_.blind, letter, round_.titles, round_.number))
    except SetupError as exc:
        st.session_state["cmp_notice"] = str(exc)
        return
    round_.voted, round_.revealed = letter, True


def _reveal(round_: Round) -> None:
    round_.revealed = True


def tally_view() -> None:
    """The session's votes per column title: a table and a bar chart."""
    rows = tally(votes())
    if not rows:
        return
    st.markdown("**Votes this session**")
    table = {
        "Column": [r.title for r in rows],
        "Votes": [r.votes for r in rows],
        "Rounds": [r.rounds for r in rows],
        "Share": [f"{r.share:.0f}%" for r in rows],
    }
    st.table(table)
    st.bar_chart({"Votes": {r.title: r.votes for r in rows}}, horizontal=True)


def reports(round_: Round) -> tuple[str, str]:
    """The round as (Markdown, HTML) reports: every reply, no key."""
    setup, replies, cleaner = round_.report_setup(), round_.replies(), compare_run.redactor()
    shown = [v for v in votes() if v.round_number <= round_.number]
    blind = round_.blind if round_.blind is not None and round_.revealed else None
    markdown = report_markdown(setup, replies, votes=shown, blind=blind, redactor=cleaner)
    page = report_html(setup, replies, votes=shown, blind=blind, redactor=cleaner)
    return markdown, page


def downloads(round_: Round) -> None:
    """The report as Markdown and as one HTML file (hidden while a blind round is)."""
    if round_.live:
        return
    if round_.hidden:
        st.caption("The report names the endpoints: it can be downloaded after the reveal.")
        return
    markdown, page = reports(round_)
    with st.container(horizontal=True):
        st.download_button(
            "Report (Markdown)", markdown, file_name="comparison.md", mime="text/markdown",
            key="btn_cmp_report_md", icon=":material/download:", on_click="ignore",
        )  # fmt: skip
        st.download_button(
            "Report (HTML)", page, file_name="comparison.html", mime="text/html",
            key="btn_cmp_report_html", icon=":material/download:", on_click="ignore",
        )  # fmt: skip


# Share links ----------------------------------------------------------------------------


def share_link(setup: CompareSetup) -> None:
    """Put `setup` in the URL query, and say so; or say why it cannot be shared."""
    try:
        text = encode_setup(setup, redactor=compare_run.redactor())
    except SetupError as exc:
        st.caption(f":material/link_off: Not shareable yet: {safe_text.literal(str(exc))}")
        st.query_params.pop(SHARE_PARAM, None)
        return
    st.session_state[LOADED] = text  # what the address now holds is already on screen
    if st.query_params.get(SHARE_PARAM) != text:
        st.query_params[SHARE_PARAM] = text
    st.caption(
        ":material/link: The address bar holds this setup (endpoints, parameters, prompts; "
        "never a key): copy it to share. Whoever opens it types only the keys."
    )


def load_shared() -> None:
    """A setup in the URL query, not yet applied: into the widgets (once), or why not."""
    text = st.query_params.get(SHARE_PARAM)
    if not text or st.session_state.get(LOADED) == text:
        return
    st.session_state[LOADED] = text
    try:
        compare_setup.apply(decode_setup(text))
    except SetupError as exc:
        st.warning(f"The shared setup was not loaded: {safe_text.literal(str(exc))}")
        return
    st.info("Setup loaded from the link. Type the keys the columns ask for, then Send.")
