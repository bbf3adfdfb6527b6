"""core.compare: the setup as frozen data, its checks, sweeps, titles, and per-column metrics
with the fastest marks. Pure logic: replies are built by hand, as a finished stream leaves them."""

from __future__ import annotations

import dataclasses

import pytest

from core.compare import (
    SWEEPS,
    ColumnMetrics,
    ColumnSetup,
    CompareMode,
    CompareSetup,
    SetupError,
    check_params,
    column_metrics,
    format_params,
    format_seconds,
    format_usage,
    format_value,
    sweep,
    swept,
    validate_setup,
)
from core.profiles import TEMPERATURE
from core.reply import Reply, ReplyStatus

URL_A = "https://llama.eastus2.models.ai.azure.com"
URL_B = "https://mistral.eastus2.models.ai.azure.com"


def column(
    label: str = "Llama", profile: str = "serverless", url: str = URL_A, **more
) -> ColumnSetup:
    return ColumnSetup(label, profile, url, **more)


def models_setup(*columns: ColumnSetup, **more) -> CompareSetup:
    columns = columns or (column(), column("Mistral", "azure-v1", URL_B))
    return CompareSetup(CompareMode.MODELS, columns, prompt="Name three rivers.", **more)


def done(first: float | None, total: float | None, **more) -> Reply:
    return Reply(
        "text", ReplyStatus.DONE, time_to_first_token=first, elapsed=total, pieces=10, **more
    )


# The setup -------------------------------------------------------------------------------------


def test_a_setup_is_frozen_and_keeps_its_own_copy_of_the_parameters() -> None:
    params = {"temperature": 0.5}
    col = column(params=params)
    setup = models_setup(col, column("B", url=URL_B), params=params)
    params["temperature"] = 1.9
    assert col.params == {"temperature": 0.5} and setup.params == {"temperature": 0.5}
    with pytest.raises(dataclasses.FrozenInstanceError):
        setup.prompt = "other"  # type: ignore[misc]
    assert CompareSetup("models", [col, col], "p").columns == (col, col)  # type: ignore[arg-type]
    assert CompareSetup("models", [col, col], "p").mode is CompareMode.MODELS  # type: ignore[arg-type]


def test_same_params_for_all_uses_the_shared_parameters_else_each_columns_own() -> None:
    a, b = column(params={"temperature": 0.1}), column("B", url=URL_B, params={"top_p": 0.5})
    shared = models_setup(a, b, params={"seed": 7})
    assert [shared.params_for(i) for i in (0, 1)] == [{"seed": 7}, {"seed": 7}]
    own = models_setup(a, b, params={"seed": 7}, same_params=False)
    assert [own.params_for(i) for i in (0, 1)] == [{"temperature": 0.1}, {"top_p": 0.5}]


def test_a_valid_setup_has_no_problems() -> None:
    assert validate_setup(models_setup(params={"temperature": 0.7, "max_tokens": 100})) == []


@pytest.mark.parametrize("count", [0, 1, 5])
def test_two_to_four_columns(count: int) -> None:
    setup = models_setup(*[column(f"E{i}") for i in range(count)]) if count else None
    setup = setup or CompareSetup(CompareMode.MODELS, (), "p")
    assert f"Compare needs 2 to 4 columns, not {count}." in validate_setup(setup)


def test_an_empty_prompt_is_a_problem() -> None:
    setup = dataclasses.replace(models_setup(), prompt="  \n")
    assert validate_setup(setup) == ["The prompt is empty: type what every column should answer."]


def test_values_out_of_range_are_named_with_their_column() -> None:
    a = column(params={"temperature": 2.5, "max_tokens": 0})
    b = column("B", "llama2-chat", URL_B, params={"top_p": -0.1})
    problems = validate_setup(models_setup(a, b, same_params=False))
    assert problems == [
        "Column 1: temperature must be at most 2.0, got 2.5.",
        "Column 1: max_tokens must be at least 1, got 0.",
        "Column 2: top_p must be at least 0.0, got -0.1.",
    ]


def test_the_maximum_is_the_profiles_own() -> None:
    # max_tokens 4096 fits Llama 2 (4096) but not the local model (2048).
    assert check_params("llama2-chat", {"max_tokens": 4096}) == []
    assert check_params("local", {"max_tokens": 4096}) == [
        "max_tokens must be at most 2048, got 4096."
    ]


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("hot", "temperature must be a number, got text."),
        (True, "temperature must be a number, got true/false."),
        ([0.5], "temperature must be a number, got a list."),
        (float("nan"), "temperature must be a finite number, got nan."),
        (float("inf"), "temperature must be a finite number, got inf."),
    ],
)
def test_values_of_the_wrong_kind_are_problems_that_never_show_text(
    value: object, message: str
) -> None:
    assert check_params("serverless", {"temperature": value}) == [message]


def test_whole_numbers_and_text_parameters() -> None:
    assert check_params("serverless", {"seed": 1.5}) == ["seed must be a whole number, got 1.5."]
    assert check_params("serverless", {"stop": ["a", "b"], "seed": None, "temperature": 1}) == []
    assert check_params("serverless", {"stop": [1]}) == ["stop must be text or a list of texts."]


def test_parameters_a_profile_does_not_describe_are_left_to_the_endpoint() -> None:
    assert check_params("llama2-chat", {"seed": 5, "n": 2}) == []
    assert check_params("no-such-profile", {"temperature": 99}) == []


def test_unknown_profile_and_bad_url_are_problems() -> None:
    a = column(profile="nope")
    b = column("B", url="ftp://x")
    problems = validate_setup(models_setup(a, b))
    assert (
        problems[0]
        == "Column 1: its endpoint kind is not one this playground knows: choose another."
    )
    assert problems[1].startswith("Column 2: The endpoint URL must start with https://")
    key_url = column("C", url="https://user:secret@x.models.ai.azure.com")
    assert "Put the key in the key field" in validate_setup(models_setup(a, key_url))[1]


def test_parameters_mode_needs_own_parameters_and_one_endpoint() -> None:
    a, b = column(params={"temperature": 0}), column("B", url=URL_B, params={"temperature": 1})
    setup = CompareSetup(CompareMode.PARAMETERS, (a, b), "p")
    assert validate_setup(setup) == [
        'Parameters mode compares parameters: turn off "Same parameters for all".',
        "Parameters mode asks one endpoint: choose the same one in every column, or switch to "
        "models mode.",
    ]
    same_endpoint = dataclasses.replace(setup, columns=(a, dataclasses.replace(a, label="x")))
    assert validate_setup(dataclasses.replace(same_endpoint, same_params=False)) == []


def test_prompts_mode_needs_one_endpoint() -> None:
    a, b = column(system="Be brief."), column(system="Be a pirate.", deployment="other")
    setup = CompareSetup(CompareMode.PROMPTS, (a, b), "p")
    assert validate_setup(setup) == [
        "Prompts mode asks one endpoint: choose the same one in every column, or switch to "
        "models mode."
    ]
    assert validate_setup(dataclasses.replace(setup, columns=(a, a))) == []


# Sweeps ----------------------------------------------------------------------------------------


def test_sweep_sets_one_parameter_per_column_over_a_base() -> None:
    assert sweep("temperature", (0, 0.7, 1.4), {"top_p": 0.9, "temperature": 1}) == (
        {"top_p": 0.9, "temperature": 0},
        {"top_p": 0.9, "temperature": 0.7},
        {"top_p": 0.9, "temperature": 1.4},
    )
    assert sweep("seed", [1, 2]) == ({"seed": 1}, {"seed": 2})


@pytest.mark.parametrize("values", [(), (0.5,), (0, 0.5, 1, 1.5, 2)])
def test_a_sweep_has_two_to_four_values(values: tuple[float, ...]) -> None:
    with pytest.raises(SetupError, match=f"2 to 4 values of temperature, not {len(values)}"):
        sweep("temperature", values)


def test_a_sweep_needs_distinct_values() -> None:
    with pytest.raises(SetupError, match=r"Each column needs a different top_p: \[0.5, 0.5\]"):
        sweep("top_p", [0.5, 0.5])


def test_swept_turns_a_setup_into_parameters_mode_from_its_first_column() -> None:
    first = column(system="Be brief.", deployment="d1")
    setup = models_setup(first, column("B", url=URL_B), params={"top_p": 0.9})
    result = swept(setup, "temperature", SWEEPS["temperature"])
    assert result.mode is CompareMode.PARAMETERS and not result.same_params
    assert [c.params for c in result.columns] == [
        {"top_p": 0.9, "temperature": t} for t in (0.0, 0.7, 1.4)
    ]
    assert {c.endpoint for c in result.columns} == {first.endpoint}
    assert {c.system for c in result.columns} == {"Be brief."}
    assert validate_setup(result) == []
    assert result.titles() == ("temperature 0.0", "temperature 0.7", "temperature 1.4")


def test_every_offered_sweep_is_valid_for_every_profile_offering_the_parameter() -> None:
    from core.profiles import PROFILES

    for name, values in SWEEPS.items():
        for profile in PROFILES.values():
            if profile.param(name):
                assert all(check_params(profile.id, p) == [] for p in sweep(name, values))


# Titles ----------------------------------------------------------------------------------------


def test_titles_name_what_the_columns_differ_in() -> None:
    assert models_setup().titles() == ("Llama", "Mistral")
    nameless = column("", deployment="gpt-4o-mini")
    assert models_setup(nameless, column(" ", url=URL_B)).titles() == ("gpt-4o-mini", URL_B)
    prompts = CompareSetup(
        CompareMode.PROMPTS, (column(system="Answer   in\nFrench." + "!" * 60), column()), "p"
    )
    assert prompts.titles() == ("Answer in French." + "!" * 22 + "…", "No system prompt")


def test_titles_are_distinct() -> None:
    same = models_setup(column(), column(), column(), column("Llama (2)"))
    assert same.titles() == ("Llama", "Llama (2)", "Llama (3)", "Llama (2) (2)")
    no_difference = CompareSetup(
        CompareMode.PARAMETERS, (column(), column()), "p", same_params=False
    )
    assert no_difference.titles() == ("Column 1", "Column 2")


def test_parameter_titles_show_only_what_differs_and_unset_as_left_out() -> None:
    a = column(params={"temperature": 0.2, "top_p": 0.9})
    b = column(params={"temperature": 0.2, "top_p": 0.5, "seed": 3})
    setup = CompareSetup(CompareMode.PARAMETERS, (a, b), "p", same_params=False)
    assert setup.titles() == ("top_p 0.9", "seed 3, top_p 0.5")


# Metrics and marks -----------------------------------------------------------------------------


def test_metrics_come_from_the_reply() -> None:
    reply = done(
        0.5, 2.5, usage={"completion_tokens": 40, "prompt_tokens": 9}, finish_reason="length"
    )
    metrics = ColumnMetrics.of(reply)
    assert (metrics.time_to_first_token, metrics.elapsed, metrics.tokens) == (0.5, 2.5, 40)
    assert metrics.tokens_per_second == 20.0
    assert metrics.rows() == [
        ("First token", "0.50 s"),
        ("Tokens/s", "20.0"),
        ("Total time", "2.50 s"),
        ("Tokens", "40 (prompt 9)"),
        ("Finish reason", "length"),
        ("Status", "done"),
    ]


def test_the_fastest_columns_are_marked() -> None:
    metrics = column_metrics([done(0.9, 2.0), done(0.3, 3.0), done(0.5, 4.0)])
    assert [m.fastest_first_token for m in metrics] == [False, True, False]
    assert [m.fastest_total for m in metrics] == [True, False, False]
    assert metrics[1].rows()[0] == ("First token", "0.30 s (fastest)")
    assert metrics[0].rows()[2] == ("Total time", "2.00 s (fastest)")


def test_ties_are_all_marked() -> None:
    metrics = column_metrics([done(0.3, 2.0), done(0.3005, 2.0), done(0.302, 2.5)])
    assert [m.fastest_first_token for m in metrics] == [True, True, False]
    assert [m.fastest_total for m in metrics] == [True, True, False]


@pytest.mark.parametrize(
    "status", [ReplyStatus.FAILED, ReplyStatus.STOPPED, ReplyStatus.INTERRUPTED]
)
def test_a_column_that_did_not_finish_is_never_marked(status: ReplyStatus) -> None:
    unfinished = Reply("partial", status, time_to_first_token=0.01, elapsed=0.02, pieces=1)
    metrics = column_metrics([unfinished, done(0.5, 2.0), done(0.6, 1.5)])
    assert not metrics[0].fastest_first_token and not metrics[0].fastest_total
    assert metrics[1].fastest_first_token and metrics[2].fastest_total


def test_no_marks_while_a_column_is_live_or_with_one_finished_column() -> None:
    for live in (ReplyStatus.STREAMING, ReplyStatus.RETRYING):
        running = Reply("", live, time_to_first_token=0.1)
        metrics = column_metrics([done(0.5, 2.0), done(0.6, 1.0), running])
        assert not any(m.fastest_first_token or m.fastest_total for m in metrics)
    alone = column_metrics([done(0.5, 2.0), Reply("", ReplyStatus.FAILED)])
    assert not any(m.fastest_first_token or m.fastest_total for m in alone)
    unknown = column_metrics([done(None, None), done(0.5, 1.0)])
    assert not any(m.fastest_first_token or m.fastest_total for m in unknown)


def test_formatting() -> None:
    assert [format_seconds(v) for v in (None, 0.4234, 9.999, 12.34)] == [
        "—",
        "0.42 s",
        "10.00 s",
        "12.3 s",
    ]
    assert format_usage(5, {}) == "5"
    assert format_usage(5, {"prompt_tokens": 3, "total_tokens": 8}) == "5 (prompt 3, total 8)"
    assert [format_value(v) for v in (0.7, 256, "a\nb", ["x"], (1,), None, True)] == [
        "0.7",
        "256",
        '"a\\nb"',
        '["x"]',
        "[1]",
        "null",
        "true",
    ]
    assert format_params({"temperature": 0.0, "stop": "", "seed": None}) == "temperature 0.0"
    assert format_params({}) == "—"
    assert TEMPERATURE.check(0.0) is None
