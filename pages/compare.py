"""Compare: 2–4 columns asked the same thing at once, streamed side by side, then reviewed."""

import streamlit as st

from core.compare import validate_setup
from ui import compare_review, compare_run, compare_setup, navigation, safe_text, saved_endpoints
from ui.widgets import bound

navigation.in_app()  # drawn inside the app even when Streamlit runs this file alone

st.title("Compare", anchor=False)
st.caption(
    "Each column is a saved endpoint (the sidebar's Saved endpoint tools add more) with its "
    "parameters and system prompt. Send asks every column at once; a follow-up goes to each "
    "column in its own conversation. Keys stay in this session: never in a link or a report."
)
compare_review.load_shared()  # a shared link's setup, before the widgets are drawn
compare_setup.init_state()
blind = bool(st.session_state["cmp_blind"])
compare_setup.widgets(blind=blind)
st.text_area("Prompt", height=100, **bound("cmp_prompt"), placeholder="Ask every column")
for name, problem in compare_setup.unusable().items():  # that column alone would fail
    which = "" if name == saved_endpoints.active() else f" (saved endpoint {safe_text.code(name)})"
    st.info(
        f"Set up the endpoint in the sidebar first{which}: {problem}", icon=":material/arrow_back:"
    )
setup = compare_setup.current()
compare_setup.keep()
round_ = compare_run.current()
live = round_ is not None and round_.live
with st.container(horizontal=True):
    send = st.button("Send", key="btn_cmp_send", type="primary", icon=":material/send:")
    more = st.button(
        "Follow up", key="btn_cmp_follow_up", icon=":material/reply_all:",
        disabled=round_ is None or live,
        help="The prompt goes to every column, each keeping its own conversation.",
    )  # fmt: skip
problems = validate_setup(setup) if send or more else []
for problem in problems:
    st.error(problem, icon=":material/error:")
if send and not problems:
    columns = [
        compare_run.Column(compare_setup.endpoint(i), compare_setup.headers(i))
        for i in range(compare_setup.count())
    ]
    round_ = compare_run.send(setup, columns, blind=blind)
elif more and not problems:
    compare_run.follow_up(setup.prompt)
compare_review.share_link(setup)

if round_ is not None:
    compare_run.draw(round_)  # every live column followed together until all end
    compare_review.vote(round_)
    compare_review.tally_view()
    compare_review.diff(round_)
    compare_review.downloads(round_)
