"""The Compare page through the real app (AppTest) against the emulator: three columns sent
at once and finished, one faulted column while the others finish, regenerate and follow-up,
the sweep, the diff, a blind vote and its reveal, the reports (every reply, no key), and a
share link's round trip into a fresh session."""

from __future__ import annotations

import json

import pytest
from streamlit.testing.v1 import AppTest

from core.compare import ColumnSetup, CompareMode, CompareSetup
from core.reply import ReplyStatus
from core.share import decode_setup, encode_setup
from emulator.process import Emulator
from tests.helpers.app_driver import Downloads, open_page, plain_texts, start_app
from ui import compare_review, compare_run, saved_endpoints

COMPARE = "pages/compare.py"
PROMPT = "Name three rivers."


def compare_page(at: AppTest) -> AppTest:
    return open_page(at, COMPARE)


def send(at: AppTest, prompt: str = PROMPT, button: str = "btn_cmp_send") -> AppTest:
    at.text_area(key="cmp_prompt").input(prompt).run()
    at.button(key=button).click().run()
    assert not at.exception, at.exception
    return at


def the_round(at: AppTest) -> compare_run.Round:
    found = at.session_state[compare_run.ROUND]
    assert isinstance(found, compare_run.Round)
    return found


def sent_body(reply: object) -> dict[str, object]:
    request = reply.request  # type: ignore[attr-defined]
    assert request is not None
    body: dict[str, object] = json.loads(request.body)
    return body


def test_three_columns_sent_at_once_all_finish_with_metrics(app: AppTest) -> None:
    at = send(compare_page(app))
    replies = the_round(at).replies()
    assert [r.status for r in replies] == [ReplyStatus.DONE] * 3
    shown = plain_texts(at.markdown)
    for reply in replies:
        assert reply.text.startswith("You said") and reply.text[:30] in shown
    assert shown.count("First token:") == 3 and shown.count("Finish reason:") == 3
    assert shown.count("Tokens/s:") == 3 and shown.count("Total time:") == 3
    assert "(fastest)" in shown  # the fastest first token and total are marked
    assert not at.error


def test_one_faulted_column_fails_alone_and_the_others_finish(app: AppTest) -> None:
    at = compare_page(app)
    at.text_area(key="cmp_1_hdr").input("x-emulator-fault: 500").run()
    send(at)
    replies = the_round(at).replies()
    assert [r.status for r in replies] == [
        ReplyStatus.DONE, ReplyStatus.FAILED, ReplyStatus.DONE,
    ]  # fmt: skip
    assert len(at.error) == 1 and "The endpoint failed (500" in plain_texts(at.error)
    assert replies[0].text and replies[2].text and not replies[1].text


def test_follow_up_keeps_each_columns_conversation_and_regenerate_asks_one_again(
    app: AppTest,
) -> None:
    at = send(compare_page(app))
    first = [r.text for r in the_round(at).replies()]
    send(at, "And the longest?", button="btn_cmp_follow_up")
    round_ = the_round(at)
    assert [len(chat.turns) for chat in round_.chats] == [2, 2, 2]
    for index, reply in enumerate(round_.replies()):
        messages = sent_body(reply)["messages"]
        assert isinstance(messages, list)
        assert messages[-3:] == [
            {"role": "user", "content": PROMPT},
            {"role": "assistant", "content": first[index]},
            {"role": "user", "content": "And the longest?"},
        ]
    at.button(key="btn_cmp_regenerate_2").click().run()
    assert not at.exception
    chats = the_round(at).chats
    assert [len(chat.turns[-1].alternatives) for chat in chats] == [1, 1, 2]
    assert chats[2].turns[-1].answer is not None
    assert chats[2].turns[-1].answer.latest.status == ReplyStatus.DONE


def test_the_sweep_asks_one_endpoint_at_three_temperatures(app: AppTest) -> None:
    at = compare_page(app)
    at.button(key="btn_cmp_sweep").click().run()
    assert at.session_state["cmp_mode"] == "parameters"
    assert not at.session_state["cmp_same"]
    send(at)
    temperatures = [sent_body(r)["temperature"] for r in the_round(at).replies()]
    assert temperatures == [0.0, 0.7, 1.4]
    headings = plain_texts(at.subheader)
    assert "temperature 0.0" in headings and "temperature 1.4" in headings, headings


def test_diff_of_two_columns_with_their_similarity(app: AppTest) -> None:
    at = compare_page(app)
    at.text_area(key="cmp_2_sys").input("Answer as a pirate.").run()
    send(at)
    replies = the_round(at).replies()
    assert replies[0].text == replies[1].text  # same prompt, same system prompt
    similarity = {m.label: m.value for m in at.metric}["Similarity"]
    assert similarity == "100%"
    at.selectbox(key="cmp_db").set_value(2).run()
    similarity = {m.label: m.value for m in at.metric}["Similarity"]
    assert replies[2].text != replies[0].text
    assert similarity != "100%"


def test_blind_vote_hides_the_endpoints_until_the_vote_then_reveals_and_tallies(
    app: AppTest,
) -> None:
    at = compare_page(app)
    at.toggle(key="cmp_blind").set_value(True).run()
    send(at)
    round_ = the_round(at)
    assert round_.blind is not None
    assert plain_texts(at.subheader).split("\n") == ["A", "B", "C"]
    assert not any(b.key == "btn_cmp_report_md" for b in at.get("download_button"))
    at.button(key="btn_cmp_vote_B").click().run()
    assert not at.exception
    round_ = the_round(at)
    winner = round_.titles[round_.blind.column("B")]  # type: ignore[union-attr]
    assert round_.voted == "B" and round_.revealed
    votes = at.session_state[compare_review.VOTES]
    assert [v.winner for v in votes] == [winner]
    tables = [t.value for t in at.table]
    assert any(winner in list(t["Column"]) for t in tables), tables  # reveal and tally
    assert f"B: {winner}" in plain_texts(at.subheader).split("\n")


def test_reports_hold_every_reply_and_no_key(
    app: AppTest, emulator: Emulator, downloads: Downloads
) -> None:
    at = send(compare_page(app), "Say something about keys.")
    replies = the_round(at).replies()
    files = dict(downloads.files)
    markdown = files["comparison.md"].decode()
    page = files["comparison.html"].decode()
    for reply in replies:
        assert reply.text
        assert reply.text in markdown
        assert reply.text.replace('"', "&quot;") in page or reply.text in page
    for text in (markdown, page):
        assert emulator.api_key not in text
        assert "Say something about keys." in text


def test_a_share_link_restores_the_setup_in_a_fresh_session(
    app: AppTest, emulator: Emulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    at = compare_page(app)
    at.button(key="btn_cmp_sweep").click().run()
    at.text_area(key="cmp_prompt").input(PROMPT).run()
    text = at.query_params[compare_review.SHARE_PARAM]
    text = text[0] if isinstance(text, list) else text
    assert emulator.api_key not in text
    shared = decode_setup(text)
    assert [c.params["temperature"] for c in shared.columns] == [0.0, 0.7, 1.4]

    fresh = start_app(monkeypatch, emulator.base_url, emulator.api_key)
    fresh.query_params[compare_review.SHARE_PARAM] = text
    fresh = compare_page(fresh)
    assert fresh.session_state["cmp_mode"] == "parameters"
    assert fresh.text_area(key="cmp_prompt").value == PROMPT
    assert [fresh.session_state[f"cmp_{i}_p_temperature"] for i in range(3)] == [0.0, 0.7, 1.4]
    assert "Setup loaded from the link" in plain_texts(fresh.info)
    fresh.button(key="btn_cmp_send").click().run()
    assert [r.status for r in the_round(fresh).replies()] == [ReplyStatus.DONE] * 3


def test_a_shared_setup_asks_only_for_the_keys_it_lacks(
    emulator: Emulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    azure = ColumnSetup("Team Azure", "azure-v1", "https://team.openai.azure.com", "gpt-4o")
    local = ColumnSetup("Local endpoint", "local", emulator.base_url)
    text = encode_setup(CompareSetup(CompareMode.MODELS, (local, azure), PROMPT))
    at = start_app(monkeypatch, emulator.base_url, emulator.api_key)
    at.query_params[compare_review.SHARE_PARAM] = text
    at = compare_page(at)
    keys = [field for field in at.text_input if field.key and field.key.startswith("cmp_")]
    assert [field.key for field in keys] == ["cmp_1_key"]  # the local one has the server's
    assert keys[0].proto.type == keys[0].proto.PASSWORD
    keys[0].input("typed-key-4d2c").run()
    assert not at.exception
    saved = at.session_state[saved_endpoints.SAVED]
    assert saved["Team Azure"].key == "typed-key-4d2c"
    assert not [f for f in at.text_input if f.key == "cmp_1_key"]  # asked once
    assert "typed-key-4d2c" not in str(dict(at.query_params))
