"""Azure OpenAI error bodies and content-filter annotations as pure logic: every spelling the
sources show (docs/azure-v1.md §3, §4), and messages that name the fix. Over HTTP, the same
bodies come from the emulator in test_azure_surfaces.py."""

from __future__ import annotations

import json

import pytest

from core import (
    AuthenticationError,
    BadRequestError,
    ContentFilterError,
    FilterCategory,
    FilterResults,
    NotFoundError,
    SentRequest,
)
from core.annotations import categories, completion_results, error_categories, merge
from core.failures import error_from_response

BASE = "https://res.openai.azure.com"
CLASSIC = BASE + "/openai/deployments/gpt-4o-prod/chat/completions"
TINYTROUPE = {  # microsoft/TinyTroupe#85, as docs/azure-v1.md §3 quotes it
    "error": {
        "message": "The response was filtered due to the prompt triggering Azure OpenAI's "
        "content management policy. Please modify your prompt and retry.",
        "type": None,
        "param": "prompt",
        "code": "content_filter",
        "status": 400,
        "innererror": {
            "code": "ResponsibleAIPolicyViolation",
            "content_filter_result": {
                "hate": {"filtered": False, "severity": "safe"},
                "jailbreak": {"filtered": True, "detected": True},
                "self_harm": {"filtered": False, "severity": "safe"},
                "sexual": {"filtered": False, "severity": "safe"},
                "violence": {"filtered": False, "severity": "safe"},
            },
        },
    }
}


def sent(url: str, body: dict | None = None) -> SentRequest:
    return SentRequest("POST", url, {}, json.dumps(body or {}))


def error(status: int, body: object, request: SentRequest | None = None) -> Exception:
    text = body if isinstance(body, str) else json.dumps(body)
    return error_from_response(status, {}, text, request)


# Content filter: every spelling ------------------------------------------------------------


def test_the_tinytroupe_body_reports_the_jailbreak_as_detected() -> None:
    err = error(400, TINYTROUPE)
    assert isinstance(err, ContentFilterError)
    assert err.flagged == (FilterCategory("jailbreak", True, "", True),)
    assert "blocked the prompt: jailbreak (detected)." in str(err)
    assert [c.name for c in err.categories] == [
        "hate", "jailbreak", "self_harm", "sexual", "violence",
    ]  # fmt: skip


@pytest.mark.parametrize("inner", ["innererror", "inner_error"])
@pytest.mark.parametrize("results", ["content_filter_result", "content_filter_results"])
@pytest.mark.parametrize("self_harm", ["self_harm", "self-harm"])
def test_every_spelling_of_the_filter_body_is_read(
    inner: str, results: str, self_harm: str
) -> None:
    body = {
        "error": {
            "code": "content_filter",
            "message": "filtered",
            inner: {results: {self_harm: {"filtered": True, "severity": "high"}}},
        }
    }
    err = error(400, body)
    assert isinstance(err, ContentFilterError)
    assert err.flagged == (FilterCategory("self_harm", True, "high"),)
    assert "self_harm (high)" in str(err)


def test_the_serverless_filter_message_is_unchanged() -> None:
    body = {"error": {"code": "content_filter", "message": "filtered", "status": 400}}
    assert str(error(400, body)) == (
        "Azure AI content safety blocked the prompt. Rephrase the prompt and send it again."
    )
    body["error"]["innererror"] = {
        "content_filter_result": {"violence": {"filtered": True, "severity": "high"}}
    }
    assert str(error(400, body)) == (
        "Azure AI content safety blocked the prompt: violence (high). Rephrase the prompt and "
        "send it again."
    )


def test_verdicts_of_other_shapes_are_skipped() -> None:
    found = categories(
        {
            "hate": {"filtered": False, "severity": "low"},
            "protected_material_code": {"filtered": False, "detected": False, "citation": {}},
            "error": {"code": "content_filter_error", "message": "filtering failed"},
            "odd": "text",
        }
    )
    assert [(c.name, c.level) for c in found] == [
        ("hate", "low"),
        ("protected_material_code", "not detected"),
    ]
    assert categories(None) == categories([]) == error_categories("x") == ()


def test_annotations_of_a_body_with_either_prompt_key() -> None:
    safe = {"hate": {"filtered": False, "severity": "safe"}}
    choice = {"content_filter_results": {"violence": {"filtered": True, "severity": "medium"}}}
    for key in ("prompt_filter_results", "prompt_annotations"):
        body = {key: [{"prompt_index": 0, "content_filter_results": safe}], "choices": [choice]}
        found = completion_results(body)
        assert found.prompt == (FilterCategory("hate", False, "safe"),)
        assert found.completion == (FilterCategory("violence", True, "medium"),)
        assert found.summary() == "Content filter: prompt safe; reply violence medium (filtered)."
    assert not completion_results({"choices": [{"message": {}}]})
    assert FilterResults().summary() == ""


def test_merge_keeps_the_gravest_verdict_per_category() -> None:
    low, high = FilterCategory("hate", False, "low"), FilterCategory("hate", False, "high")
    caught = FilterCategory("jailbreak", True, "", True)
    missed = FilterCategory("jailbreak", False, "", False)
    assert merge([(low, missed), (high, caught), (low, missed)]) == (high, caught)


# Azure OpenAI codes ------------------------------------------------------------------------

DEPLOYMENT_NOT_FOUND = {
    "error": {
        "code": "DeploymentNotFound",
        "message": "The API deployment for this resource does not exist. If you created the "
        "deployment within the last 5 minutes, please wait a moment and try again.",
    }
}


def test_deployment_not_found_names_the_deployment_from_path_or_body() -> None:
    classic = error(404, DEPLOYMENT_NOT_FOUND, sent(CLASSIC + "?api-version=2024-10-21"))
    assert isinstance(classic, NotFoundError)
    assert str(classic).startswith("There is no deployment 'gpt-4o-prod' on this resource (404: ")
    assert "not the model name." in str(classic)
    v1 = error(
        404, DEPLOYMENT_NOT_FOUND, sent(BASE + "/openai/v1/chat/completions", {"model": "m"})
    )
    assert "no deployment 'm'" in str(v1)
    assert "no deployment by that name" in str(error(404, DEPLOYMENT_NOT_FOUND))


def test_unknown_model_on_models_names_it() -> None:
    body = {"error": {"code": "unknown_model", "message": "Unknown model: Phi-9"}}
    request = sent("https://r.services.ai.azure.com/models/chat/completions", {"model": "Phi-9"})
    err = error(404, body, request)
    assert isinstance(err, NotFoundError) and "no deployment 'Phi-9'" in str(err)
    header_only = error_from_response(404, {"x-ms-error-code": "unknown_model"}, "{}", request)
    assert "no deployment 'Phi-9'" in str(header_only)


def test_api_version_not_supported_names_the_version_and_the_fix() -> None:
    body = {"error": {"code": "BadRequest", "message": "API version not supported"}}
    classic = error(400, body, sent(CLASSIC + "?api-version=2023-01-01"))
    assert isinstance(classic, BadRequestError) and type(classic) is BadRequestError
    assert "api-version '2023-01-01'" in str(classic)
    assert "Use 2024-10-21 (the latest GA) or 2025-04-01-preview." in str(classic)
    v1 = error(400, body, sent(BASE + "/openai/v1/chat/completions?api-version=2024-10-21"))
    assert "v1 API takes no api-version" in str(v1)
    assert "that api-version" in str(error(400, body))


def test_resource_not_found_without_api_version_says_to_add_it() -> None:
    body = {"error": {"code": "404", "message": "Resource not found"}}
    missing = error(404, body, sent(CLASSIC))
    assert "needs an api-version: set it to 2024-10-21." in str(missing)
    elsewhere = error(404, body, sent(BASE + "/openai/nothing?api-version=2024-10-21"))
    assert "Check the URL" in str(elsewhere)


def test_the_gateway_401_says_not_to_send_a_key_as_bearer() -> None:
    body = {
        "statusCode": 401,
        "message": "Unauthorized. Access token is missing, invalid, audience is incorrect "
        "(https://cognitiveservices.azure.com), or have expired.",
    }
    err = error(401, body)
    assert isinstance(err, AuthenticationError)
    assert "does not take a key as Bearer: use the api-key header or an Entra token" in str(err)
    key_body = {"error": {"code": "401", "message": "Access denied due to invalid key."}}
    assert "rejected the key" in str(error(401, key_body))
