"""`recognize`: every URL shape a person pastes, to a profile, a clean base URL, the deployment
and the api-version (docs/azure-v1.md §1, docs/wire-format.md §1). Pure: a table."""

from __future__ import annotations

import pytest

from core import PROFILES, Endpoint, InvalidRequestError, Recognition, recognize

R = "https://res.openai.azure.com"
F = "https://res.services.ai.azure.com"
C = "https://res.cognitiveservices.azure.com"
S = "https://llama-3-3-70b-xyz.eastus2.models.ai.azure.com"
I = "https://mistral-small-abc.swedencentral.inference.ai.azure.com"  # noqa: E741
GA = "2024-10-21"
FOUNDRY = "2024-05-01-preview"
MI = "2025-04-01"  # the Model Inference GA version
P = f"{F}/api/projects/p1"
L = "http://127.0.0.1:9123"

# pasted URL -> (profile, url, deployment, api-version)
TABLE: list[tuple[str, tuple[str, str, str, str]]] = [
    # The portal's Target URI: a classic deployment URL with its api-version.
    (f"{R}/openai/deployments/gpt-4o/chat/completions?api-version={GA}",
     ("azure-classic", R, "gpt-4o", GA)),
    (f"{R}/openai/deployments/gpt-4o/chat/completions?api-version=2025-04-01-preview",
     ("azure-classic", R, "gpt-4o", "2025-04-01-preview")),
    (f"  {R}/openai/deployments/my-chat/chat/completions/?api-version={GA}#x  ",
     ("azure-classic", R, "my-chat", GA)),
    # A classic URL without api-version gets the latest GA.
    (f"{R}/openai/deployments/gpt-4o/chat/completions", ("azure-classic", R, "gpt-4o", GA)),
    (f"{R}/openai/deployments/gpt-4o", ("azure-classic", R, "gpt-4o", GA)),
    (f"{C}/openai/deployments/d1/chat/completions?api-version={GA}",
     ("azure-classic", C, "d1", GA)),
    # An API Management gateway in front of Azure OpenAI: the path decides.
    ("https://gw.azure-api.net/openai/deployments/d/chat/completions?api-version=2024-06-01",
     ("azure-classic", "https://gw.azure-api.net", "d", "2024-06-01")),
    # v1: base with or without the slash, the chat URL, on every resource host.
    (f"{R}/openai/v1", ("azure-v1", R, "", "")),
    (f"{R}/openai/v1/", ("azure-v1", R, "", "")),
    (f"{R}/openai/v1/chat/completions", ("azure-v1", R, "", "")),
    (f"{R}/openai/v1/models", ("azure-v1", R, "", "")),
    (f"{F}/openai/v1/chat/completions", ("azure-v1", F, "", "")),
    (f"{C}/openai/v1/", ("azure-v1", C, "", "")),
    (f"{R}/openai/v1/chat/completions?api-version=preview", ("azure-v1", R, "", "preview")),
    (f"{R}/openai/v1/chat/completions?api-version=v1", ("azure-v1", R, "", "")),
    (f"{R}/openai/v1/chat/completions?api-version={GA}", ("azure-v1", R, "", "")),
    # The bare resource (or /openai) means today's API, v1.
    (R, ("azure-v1", R, "", "")),
    (f"{R}/", ("azure-v1", R, "", "")),
    (f"{R}/openai", ("azure-v1", R, "", "")),
    ("res.openai.azure.com", ("azure-v1", R, "", "")),
    # A Foundry project, and its v1 URL.
    (P, ("azure-v1", P, "", "")),
    (f"{P}/openai/v1/chat/completions", ("azure-v1", P, "", "")),
    # Foundry Models (/models), with or without the route and api-version.
    (f"{F}/models", ("foundry-models", F, "", FOUNDRY)),
    (f"{F}/models/", ("foundry-models", F, "", FOUNDRY)),
    (f"{F}/models/chat/completions", ("foundry-models", F, "", FOUNDRY)),
    (f"{F}/models/chat/completions?api-version={MI}", ("foundry-models", F, "", MI)),
    (f"{F}/models/info?model=Phi-4&api-version={MI}", ("foundry-models", F, "Phi-4", MI)),
    (f"{C}/models/chat/completions?api-version={FOUNDRY}", ("foundry-models", C, "", FOUNDRY)),
    # Serverless (MaaS), with or without a route.
    (S, ("serverless", S, "", "")),
    (f"{S}/", ("serverless", S, "", "")),
    (f"{S}/chat/completions", ("serverless", S, "", "")),
    (f"{S}/v1/chat/completions", ("serverless", S, "", "")),
    (f"{S}/models/chat/completions?api-version={FOUNDRY}", ("serverless", S, "", FOUNDRY)),
    (f"{I}/v1/chat/completions", ("serverless", I, "", "")),
    (f"{I}/info", ("serverless", I, "", "")),
    (f"{I}/v1/completions", ("llama2-text", f"{I}/v1/completions", "", "")),
    # The local endpoint, at any loopback port, whatever route it names.
    ("http://127.0.0.1:8765", ("local", "http://127.0.0.1:8765", "", "")),
    ("http://127.0.0.1:8765/", ("local", "http://127.0.0.1:8765", "", "")),
    (f"{L}/v1/chat/completions", ("local", L, "", "")),
    (f"{L}/models/chat/completions", ("local", L, "", "")),
    (f"{L}/openai/v1/chat/completions", ("local", L, "", "")),
    ("http://localhost:8765/openai/deployments/scripted-emulator/chat/completions"
     f"?api-version={GA}", ("local", "http://localhost:8765", "scripted-emulator", "")),
    ("http://127.1.2.3:8765/chat/completions", ("local", "http://127.1.2.3:8765", "", "")),
    ("http://[::1]:8765/info", ("local", "http://[::1]:8765", "", "")),
    ("localhost:8765", ("local", "http://localhost:8765", "", "")),
    ("http://localhost:8000/v1", ("local", "http://localhost:8000/v1", "", "")),
    # Anything else: an OpenAI-compatible server, the URL as pasted (minus the query).
    ("https://api.example.com/v1", ("openai", "https://api.example.com/v1", "", "")),
    ("https://api.example.com/v1/chat/completions?x=1",
     ("openai", "https://api.example.com/v1/chat/completions", "", "")),
    (f"{R}/something/else", ("openai", f"{R}/something/else", "", "")),
    (f"{S}/score", ("openai", f"{S}/score", "", "")),
    ("https://x.westus.inference.ml.azure.com/score",
     ("openai", "https://x.westus.inference.ml.azure.com/score", "", "")),
]  # fmt: skip


@pytest.mark.parametrize(("pasted", "expected"), TABLE)
def test_each_shape_is_recognised(pasted: str, expected: tuple[str, str, str, str]) -> None:
    found = recognize(pasted)
    assert (found.profile, found.url, found.deployment, found.api_version) == expected
    assert found.profile in PROFILES
    assert found.summary.endswith(".") and "\n" not in found.summary
    # What comes back makes an endpoint as it is (the query is gone, the URL validates).
    endpoint = Endpoint(found.url, deployment=found.deployment, api_version=found.api_version)
    assert "?" not in endpoint.url


def test_summaries_say_what_was_recognised() -> None:
    def summary(url: str) -> str:
        return recognize(url).summary

    assert summary(f"{R}/openai/deployments/gpt-4o/chat/completions?api-version={GA}") == (
        f"Azure OpenAI classic deployment 'gpt-4o', api-version {GA}."
    )
    assert "none in the URL" in summary(f"{R}/openai/deployments/gpt-4o/chat/completions")
    assert summary(f"{R}/openai/v1/") == f"Azure OpenAI v1 API at {R}/openai/v1."
    assert f"api-version {GA} dropped" in summary(f"{R}/openai/v1?api-version={GA}")
    assert "Foundry project" in summary(f"{F}/api/projects/p1")
    assert summary(f"{F}/models/info?model=Phi-4").startswith("Foundry Models deployment 'Phi-4'")
    assert summary(S) == f"Serverless API at {S}."
    assert "retired 2025-06-30" in summary(f"{I}/v1/completions")
    assert (
        summary("http://127.0.0.1:8765/openai/v1") == "The local endpoint at http://127.0.0.1:8765."
    )
    assert "OpenAI-compatible" in summary("https://api.example.com/v1")


def test_the_result_is_a_frozen_record() -> None:
    found = recognize(R)
    assert found == Recognition("azure-v1", R, "", "", found.summary)
    with pytest.raises(AttributeError):
        found.url = "x"  # type: ignore[misc]


@pytest.mark.parametrize(
    ("pasted", "words"),
    [
        ("", "empty"),
        ("   ", "empty"),
        ("ftp://res.openai.azure.com", "https://"),
        ("https://user:pw@res.openai.azure.com/openai/v1", "key field"),
        ("https://res.openai.azure.com:port/openai/v1", "port"),
        ("https://rés.openai.azure.com", "ASCII"),
    ],
)
def test_text_that_is_no_usable_url_says_why(pasted: str, words: str) -> None:
    with pytest.raises(InvalidRequestError, match=words):
        recognize(pasted)
