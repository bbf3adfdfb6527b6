"""The Compare page's setup: its widgets, the `CompareSetup` they describe, and the way back.

    compare_setup.init_state()          # first values; a setup kept from an earlier visit
    compare_setup.widgets()             # mode, columns, switches, sweep, each column's fields
    setup = compare_setup.current()     # `core.compare.CompareSetup` (no key in it)
    compare_setup.apply(setup)          # a shared or swept setup into the widgets

Widget keys start with `cmp_`: `cmp_mode`, `cmp_count`, `cmp_same`, `cmp_blind`, the shared
parameters `cmp_p_<name>`, and per column `cmp_<i>_ep` (a saved endpoint's name),
`cmp_<i>_p_<name>`, `cmp_<i>_sys` and `cmp_<i>_hdr` (extra headers, never shared). The page
names parameters as the local profile does; `request_params` renames max_tokens for a
profile that calls it max_completion_tokens.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import streamlit as st

from core import PROFILES
from core.compare import (
    MAX_COLUMNS,
    MIN_COLUMNS,
    SWEEPS,
    ColumnSetup,
    CompareMode,
    CompareSetup,
    SetupError,
    format_value,
    swept,
)
from ui import hosting, saved_endpoints, session_settings
from ui.saved_endpoints import SavedEndpoint
from ui.widgets import bound

#: The parameters each column offers: name -> (default, minimum, maximum, step).
PARAMS: Mapping[str, tuple[float | int | None, float, float, float]] = {
    "temperature": (0.7, 0.0, 2.0, 0.1),
    "top_p": (1.0, 0.0, 1.0, 0.05),
    "max_tokens": (256, 1, 32_768, 1),
    "seed": (None, 0, 2**31 - 1, 1),
}
MODE_LABELS = {
    CompareMode.MODELS: "Models: one prompt, different endpoints",
    CompareMode.PARAMETERS: "Parameters: one endpoint, different parameters",
    CompareMode.PROMPTS: "Prompts: one endpoint, different system prompts",
}
KEPT = "cmp_kept"  # st.session_state key: the setup as last drawn (widget state is dropped
# by Streamlit when the page is left, so a visit back starts from it)


def _key(index: int | None, name: str) -> str:
    return f"cmp_p_{name}" if index is None else f"cmp_{index}_p_{name}"


def init_state() -> None:
    """First values (again for widgets not drawn in the last run, whose state Streamlit
    dropped); on a visit back, the setup kept at the last one."""
    state = st.session_state
    fresh = "cmp_mode" not in state
    defaults = {"cmp_mode": CompareMode.MODELS.value, "cmp_count": 3, "cmp_same": True,
                "cmp_blind": False, "cmp_prompt": "", "cmp_sweep": "temperature"}  # fmt: skip
    for key, value in defaults.items():
        state.setdefault(key, value)
    for name, (default, *_) in PARAMS.items():
        state.setdefault(_key(None, name), default)
    kept = state.get(KEPT)
    if fresh and isinstance(kept, CompareSetup):
        apply(kept)
    for index in range(MAX_COLUMNS):
        _init_column(index)


def _init_column(index: int) -> None:
    state = st.session_state
    if state.get(f"cmp_{index}_ep") not in saved_endpoints.names():
        state[f"cmp_{index}_ep"] = saved_endpoints.active()
    state.setdefault(f"cmp_{index}_sys", session_settings.current().system_prompt)
    state.setdefault(f"cmp_{index}_hdr", "")
    for name in PARAMS:
        state.setdefault(_key(index, name), state[_key(None, name)])


def count() -> int:
    """How many columns are set up."""
    return int(st.session_state["cmp_count"])


def params(index: int | None) -> dict[str, Any]:
    """The parameters of column `index` (None: the shared ones), unset ones left out."""
    state = st.session_state
    found = {name: state[_key(index, name)] for name in PARAMS}
    return {name: value for name, value in found.items() if value is not None}


def endpoint(index: int) -> SavedEndpoint:
    """The saved endpoint column `index` asks (with its key: for the page only)."""
    return saved_endpoints.get(st.session_state[f"cmp_{index}_ep"])


def headers(index: int) -> str:
    """Column `index`'s extra header lines (after the sidebar's)."""
    return str(st.session_state[f"cmp_{index}_hdr"])


def unusable() -> dict[str, str]:
    """The columns' saved endpoints that cannot be asked, by name: why not."""
    found = {}
    for index in range(count()):
        name = st.session_state[f"cmp_{index}_ep"]
        problem = saved_endpoints.settings_for(endpoint(index)).problem
        if problem:
            found[name] = problem
    return found


def current() -> CompareSetup:
    """The setup the widgets describe; the prompt is the prompt field's text."""
    state = st.session_state
    columns = []
    for index in range(count()):
        entry = endpoint(index)
        columns.append(
            ColumnSetup(
                label=state[f"cmp_{index}_ep"],
                profile=entry.profile,
                url=entry.url,
                deployment=entry.deployment,
                params=params(index),
                system=state[f"cmp_{index}_sys"],
            )
        )
    return CompareSetup(
        mode=CompareMode(state["cmp_mode"]),
        columns=tuple(columns),
        prompt=state["cmp_prompt"],
        same_params=bool(state["cmp_same"]),
        params=params(None),
    )


def keep() -> None:
    """Remember the setup as drawn, for the next visit (see `KEPT`)."""
    st.session_state[KEPT] = current()


def request_params(profile_id: str, chosen: Mapping[str, Any]) -> dict[str, Any]:
    """`chosen` named as `profile_id` names them (max_tokens may be max_completion_tokens)."""
    profile = PROFILES[profile_id]
    found = dict(chosen)
    renamed = profile.param("max_tokens") is None and profile.param("max_completion_tokens")
    if "max_tokens" in found and renamed:
        found["max_completion_tokens"] = found.pop("max_tokens")
    return found


def apply(setup: CompareSetup) -> None:
    """Put `setup` into the widgets: each column's endpoint becomes a saved endpoint (found
    by profile, URL and deployment, else added without a key)."""
    state = st.session_state
    state["cmp_mode"] = setup.mode.value
    state["cmp_same"] = setup.same_params
    state["cmp_count"] = len(setup.columns)
    state["cmp_prompt"] = setup.prompt
    _apply_params(None, setup.params)
    for index, column in enumerate(setup.columns):
        name = saved_endpoints.find(column.profile, column.url, column.deployment)
        if name is None:
            entry = SavedEndpoint(column.profile, column.url, column.deployment)
            name = saved_endpoints.put(column.label, entry)
        state[f"cmp_{index}_ep"] = name
        state[f"cmp_{index}_sys"] = column.system
        _apply_params(index, column.params)


def _apply_params(index: int | None, values: Mapping[str, Any]) -> None:
    named = dict(values)
    if "max_completion_tokens" in named:
        named["max_tokens"] = named.pop("max_completion_tokens")
    for name, (_, _, _, step) in PARAMS.items():
        value = named.get(name)
        if isinstance(value, int | float) and not isinstance(value, bool):
            value = type(step)(value)  # the widget's kind: 1 becomes 1.0 for temperature
        st.session_state[_key(index, name)] = value


def _sweep() -> None:
    """The sweep button: every column asks column 1's endpoint with one value each."""
    state = st.session_state
    name = state["cmp_sweep"]
    try:
        setup = swept(current(), name, SWEEPS[name])
    except SetupError as exc:
        state["cmp_notice"] = str(exc)
        return
    apply(setup)
    for index in range(len(setup.columns)):
        state[f"cmp_{index}_ep"] = state["cmp_0_ep"]


# Widgets --------------------------------------------------------------------------------


def widgets(*, blind: bool) -> None:
    """Mode, columns, "same parameters", blind mode, the sweep, then each column's fields
    (folded away in blind mode, where they would name the endpoints)."""
    with st.container(horizontal=True):
        st.radio(
            "What differs", [m.value for m in CompareMode], format_func=_mode_label,
            **bound("cmp_mode", [m.value for m in CompareMode]),
        )  # fmt: skip
        st.radio(
            "Columns", list(range(MIN_COLUMNS, MAX_COLUMNS + 1)), horizontal=True,
            **bound("cmp_count", list(range(MIN_COLUMNS, MAX_COLUMNS + 1))),
        )  # fmt: skip
        with st.container():
            st.toggle("Same parameters for all", **bound("cmp_same"))
            st.toggle(
                "Blind mode", **bound("cmp_blind"),
                help="Columns shown as A, B, C, D in a random order, endpoints hidden until "
                "the vote.",
            )  # fmt: skip
    _sweep_row()
    if st.session_state["cmp_same"]:
        _param_row(None)
    with st.expander("Columns", expanded=not blind, icon=":material/view_column:"):
        boxes = st.columns(count())
        for index, box in enumerate(boxes):
            with box:
                _column_fields(index)


def _mode_label(mode: str) -> str:
    return MODE_LABELS[CompareMode(mode)]


def _sweep_row() -> None:
    state = st.session_state
    with st.container(horizontal=True, vertical_alignment="bottom"):
        st.selectbox("Sweep", list(SWEEPS), **bound("cmp_sweep", list(SWEEPS)))
        values = ", ".join(format_value(v) for v in SWEEPS[state["cmp_sweep"]])
        st.button(
            f"Sweep {state['cmp_sweep']} {values}", key="btn_cmp_sweep", on_click=_sweep,
            icon=":material/tune:",
            help="Parameters mode: one column per value, each asking column 1's endpoint.",
        )  # fmt: skip
    notice = state.pop("cmp_notice", "")
    if notice:
        st.warning(notice)


def _param_row(index: int | None) -> None:
    boxes = st.columns(len(PARAMS)) if index is None else [st.container() for _ in PARAMS]
    for box, (name, (_, low, high, step)) in zip(boxes, PARAMS.items(), strict=True):
        is_int = isinstance(step, int)
        box.number_input(
            name,
            min_value=int(low) if is_int else float(low),
            max_value=int(high) if is_int else float(high),
            step=step,
            placeholder="not set",
            **bound(_key(index, name)),
        )


def _column_fields(index: int) -> None:
    state = st.session_state
    names = saved_endpoints.names()
    st.selectbox(
        f"Column {index + 1}: endpoint", names, **bound(f"cmp_{index}_ep", names),
        help="A saved endpoint (the sidebar's Saved endpoint tools add more).",
    )  # fmt: skip
    _key_field(index)
    if not state["cmp_same"]:
        _param_row(index)
    st.text_area("System prompt", height=80, **bound(f"cmp_{index}_sys"))
    st.text_area(
        "Extra headers", height=68, **bound(f"cmp_{index}_hdr"),
        placeholder="x-emulator-fault: 500",
        help="Sent by this column only, after the sidebar's. Not part of a share link.",
    )  # fmt: skip


def _key_field(index: int) -> None:
    """A key field when the column's endpoint has none and the server provides none (a
    shared setup arrives without keys)."""
    name = st.session_state[f"cmp_{index}_ep"]
    entry = saved_endpoints.get(name)
    if entry.key or hosting.endpoint_key(entry.profile, "")[0].reveal():
        return  # its own key, or the one the server provides
    st.text_input(
        f"Key for {name}", type="password", key=f"cmp_{index}_key",
        placeholder="paste the endpoint's key",
        help="Kept in this browser session only; never part of a link or a report.",
        on_change=_set_key, args=(index, name),
    )  # fmt: skip


def _set_key(index: int, name: str) -> None:
    saved_endpoints.set_key(name, st.session_state.pop(f"cmp_{index}_key", ""))
