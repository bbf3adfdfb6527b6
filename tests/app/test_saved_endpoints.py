"""Saved endpoints in the sidebar (add, duplicate, rename, remove, switch; the other pages use
the active one), and the sidebar's non-secret settings in the URL query, which a reload
(a fresh session opened at that URL) takes back; never a key."""

from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

from core.reply import ReplyStatus
from emulator.process import Emulator
from tests.helpers.app_driver import CHAT, open_page, plain_texts, say, start_app
from ui import compare_run, saved_endpoints, url_state

BAD_KEY = "not-the-key-3f9a"


def manage(at: AppTest, button: str, name: str = "") -> AppTest:
    at.text_input(key=saved_endpoints.NAME).input(name).run()
    at.button(key=f"btn_se_{button}").click().run()
    assert not at.exception, at.exception
    return at


def names(at: AppTest) -> list[str]:
    return list(at.session_state[saved_endpoints.SAVED])


def test_add_duplicate_rename_remove_and_switch_keep_each_endpoints_fields(app: AppTest) -> None:
    url = app.text_input(key="sb_url").value
    app.text_input(key="sb_key").input(BAD_KEY).run()
    manage(app, "add", "Second")
    assert names(app) == ["Local endpoint", "Second"]
    assert app.selectbox(key=saved_endpoints.PICK).value == "Second"
    assert app.text_input(key="sb_key").value == ""  # a new endpoint starts without a key
    app.text_input(key="sb_deployment").input("dep-2").run()
    manage(app, "duplicate", "Third")
    assert app.session_state[saved_endpoints.SAVED]["Third"].deployment == "dep-2"
    manage(app, "rename", "Renamed")
    assert names(app) == ["Local endpoint", "Second", "Renamed"]
    manage(app, "remove")
    assert names(app) == ["Local endpoint", "Second"]
    assert app.session_state[saved_endpoints.ACTIVE] == "Local endpoint"
    assert app.text_input(key="sb_key").value == BAD_KEY  # its own key came back
    assert app.text_input(key="sb_url").value == url
    app.selectbox(key=saved_endpoints.PICK).set_value("Second").run()
    assert app.text_input(key="sb_deployment").value == "dep-2"
    assert not app.exception


def test_other_pages_use_the_active_endpoint(app: AppTest) -> None:
    manage(app, "duplicate", "Wrong key")
    app.text_input(key="sb_key").input(BAD_KEY).run()
    open_page(app, CHAT)
    say(app, "Hello")
    assert "rejected the key" in plain_texts(app.error)
    app.selectbox(key=saved_endpoints.PICK).set_value("Local endpoint").run()
    say(app, "Hello again")
    assert plain_texts(app.error).count("rejected the key") == 1  # the earlier answer only


def test_a_bad_key_in_one_compare_column_fails_that_column_only(app: AppTest) -> None:
    manage(app, "duplicate", "Wrong key")
    app.text_input(key="sb_key").input(BAD_KEY).run()
    app.selectbox(key=saved_endpoints.PICK).set_value("Local endpoint").run()
    at = open_page(app, "pages/compare.py")
    at.selectbox(key="cmp_1_ep").set_value("Wrong key").run()
    at.text_area(key="cmp_prompt").input("Hello").run()
    at.button(key="btn_cmp_send").click().run()
    assert not at.exception
    replies = at.session_state[compare_run.ROUND].replies()
    assert [r.status for r in replies] == [
        ReplyStatus.DONE, ReplyStatus.FAILED, ReplyStatus.DONE,
    ]  # fmt: skip
    assert "rejected the key" in plain_texts(at.error)
    assert BAD_KEY not in str(dict(at.query_params))


def test_a_reload_keeps_profile_parameters_and_saved_endpoints_but_no_key(
    app: AppTest, emulator: Emulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    app.slider(key="sb_param_temperature").set_value(1.25).run()
    manage(app, "duplicate", "Copy")
    app.text_input(key="sb_key").input(BAD_KEY).run()
    app.text_input(key="sb_deployment").input("my-deployment").run()
    query = {k: (v[0] if isinstance(v, list) else v) for k, v in app.query_params.items()}
    assert query[url_state.PROFILE] == "local"
    assert query["p_temperature"] == "1.25"
    assert BAD_KEY not in str(query) and emulator.api_key not in str(query)

    fresh = AppTest.from_file(app._script_path, default_timeout=90)
    monkeypatch.setenv("PLAYGROUND_LOCAL_URL", emulator.base_url)
    fresh.query_params.update(query)
    fresh.run()
    assert not fresh.exception, fresh.exception
    assert fresh.slider(key="sb_param_temperature").value == 1.25
    assert list(fresh.session_state[saved_endpoints.SAVED]) == ["Local endpoint", "Copy"]
    assert fresh.selectbox(key=saved_endpoints.PICK).value == "Copy"
    assert fresh.text_input(key="sb_deployment").value == "my-deployment"
    assert fresh.text_input(key="sb_key").value == ""  # keys stay in the session they were typed in


def test_a_url_holding_a_key_never_goes_into_the_query(app: AppTest) -> None:
    url = app.text_input(key="sb_url").value
    app.text_input(key="sb_url").input(url + f"?api-key={BAD_KEY}").run()
    assert BAD_KEY not in str(dict(app.query_params))


def test_a_damaged_query_is_ignored(emulator: Emulator, monkeypatch: pytest.MonkeyPatch) -> None:
    at = start_app(monkeypatch, emulator.base_url, emulator.api_key)
    fresh = AppTest.from_file(at._script_path, default_timeout=90)
    fresh.query_params.update({"endpoints": "%%%", "p_temperature": "9", "profile": "nope"})
    fresh.run()
    assert not fresh.exception
    assert list(fresh.session_state[saved_endpoints.SAVED]) == ["Local endpoint"]
    assert fresh.slider(key="sb_param_temperature").value != 9
