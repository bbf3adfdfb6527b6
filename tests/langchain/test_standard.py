"""LangChain's own standard suites, the integration half against the emulator over real HTTP:
for this project's `ChatAzureServerless`, and for langchain-azure-ai's `AzureAIOpenAIApiChatModel`
(the maintained backend) on the emulator's Azure OpenAI v1 surface.

What the endpoint (and so each class here) cannot do is declared through the suites'
properties, so those checks skip by the suites' own rules; nothing that should pass is skipped.
"""

from __future__ import annotations

from typing import Any

import pytest
from langchain_azure_ai.chat_models import AzureAIOpenAIApiChatModel
from langchain_tests.integration_tests import ChatModelIntegrationTests
from langchain_tests.unit_tests import ChatModelUnitTests

from core.langchain import ChatAzureServerless
from emulator.process import Emulator
from tests.helpers.azure_emulator import SCRIPTED_DEPLOYMENT

UNIT_URL = "http://127.0.0.1:9"  # never contacted: the unit suite makes no calls
# The suites' `async def` tests run in strict pytest-asyncio mode, so each integration class
# carries the asyncio mark; pytest-asyncio then warns for each sync test of the class, and only
# that warning is ignored. (`asyncio_mode = "auto"` would make this moot.)
ASYNC_CLASS_WARNING = pytest.mark.filterwarnings(
    "ignore:The test <Function .*> is marked with '@pytest.mark.asyncio' but it is "
    "not an async function:pytest.PytestWarning"
)


class Unsupported:
    """Features the endpoints here do not offer, declared for every suite."""

    # No tools, tool_choice or structured output: the adapter sends text messages only
    # (the profiles' models are chat models without function calling on this API).
    @property
    def has_tool_calling(self) -> bool:
        return False

    @property
    def has_tool_choice(self) -> bool:
        return False

    @property
    def has_structured_output(self) -> bool:
        return False

    # Llama on Azure does not support response_format json_object (wire-format §3).
    @property
    def supports_json_mode(self) -> bool:
        return False

    # Text-only content: images, audio, video and PDF blocks raise InvalidRequestError.
    @property
    def supports_image_inputs(self) -> bool:
        return False

    @property
    def supports_image_urls(self) -> bool:
        return False

    @property
    def supports_pdf_inputs(self) -> bool:
        return False

    @property
    def supports_audio_inputs(self) -> bool:
        return False

    @property
    def supports_video_inputs(self) -> bool:
        return False

    @property
    def supports_image_tool_message(self) -> bool:
        return False

    @property
    def supports_pdf_tool_message(self) -> bool:
        return False

    @property
    def supports_anthropic_inputs(self) -> bool:
        return False

    # A serverless endpoint serves one deployment: `model` cannot pick another one, and the
    # reply names the deployed model whatever was asked for.
    @property
    def supports_model_override(self) -> bool:
        return False

    @property
    def returns_usage_metadata(self) -> bool:
        return True


class AdapterSuite(Unsupported):
    """The adapter under test."""

    @property
    def chat_model_class(self) -> type[ChatAzureServerless]:
        return ChatAzureServerless


class TestChatAzureServerlessUnit(AdapterSuite, ChatModelUnitTests):
    """The unit suite: construction, standard params, env defaults; no network."""

    @property
    def chat_model_params(self) -> dict[str, Any]:
        return {"endpoint_url": UNIT_URL, "api_key": "unit-key"}

    @property
    def init_from_env_params(self) -> tuple[dict[str, str], dict[str, Any], dict[str, Any]]:
        env = {"AZURE_AI_CHAT_ENDPOINT": UNIT_URL, "AZURE_AI_CHAT_KEY": "env-key"}
        return env, {}, {"endpoint_url": UNIT_URL, "api_key": "env-key"}


class TestChatAzureServerlessIntegration(AdapterSuite, ChatModelIntegrationTests):
    """The integration suite against the scripted emulator."""

    pytestmark = [pytest.mark.asyncio, ASYNC_CLASS_WARNING]  # noqa: RUF012 - read by pytest

    @pytest.fixture(autouse=True)
    def _use_emulator(self, emulator: Emulator) -> None:
        self.emulator = emulator

    @property
    def chat_model_params(self) -> dict[str, Any]:
        return {
            "endpoint_url": self.emulator.base_url,
            "api_key": self.emulator.api_key,
            "max_tokens": 40,
            "seed": 7,
        }


class MaintainedSuite(Unsupported):
    """langchain-azure-ai's class, as the maintained backend uses it: chat completions.

    The emulator's v1 surface, like a Llama or Mistral deployment, has no tools, tool choice,
    structured output, JSON mode or images (Unsupported); it serves one deployment, so `model`
    cannot pick another (a v1 request naming another gets 404 DeploymentNotFound).
    """

    @property
    def chat_model_class(self) -> type[AzureAIOpenAIApiChatModel]:
        return AzureAIOpenAIApiChatModel


class TestAzureAIOpenAIApiUnit(MaintainedSuite, ChatModelUnitTests):
    """The unit suite: construction, standard params, env defaults, serialization; no network."""

    @property
    def chat_model_params(self) -> dict[str, Any]:
        return {
            "endpoint": UNIT_URL + "/openai/v1",
            "api_key": "unit-key",  # as the backend passes it: `credential` is not a secret
            "model": SCRIPTED_DEPLOYMENT,
            "use_responses_api": False,
        }

    @property
    def init_from_env_params(self) -> tuple[dict[str, str], dict[str, Any], dict[str, Any]]:
        # The class reads the resource URL and the deployment from Azure's variables, and the
        # key from ChatOpenAI's OPENAI_API_KEY.
        env = {
            "AZURE_OPENAI_ENDPOINT": "https://res.openai.azure.com",
            "AZURE_OPENAI_DEPLOYMENT_NAME": "my-chat",
            "OPENAI_API_KEY": "env-key",
        }
        expected = {
            "openai_api_base": "https://res.openai.azure.com/openai/v1",
            "model_name": "my-chat",
            "openai_api_key": "env-key",
        }
        return env, {"use_responses_api": False}, expected


class TestAzureAIOpenAIApiIntegration(MaintainedSuite, ChatModelIntegrationTests):
    """The integration suite against the emulator's Azure OpenAI v1 surface.

    langchain-openai caches its default async httpx client across models (`lru_cache`), so the
    async tests share one event loop per class; with a loop per test the second `astream`
    would find the cached client's loop closed.
    """

    pytestmark = [pytest.mark.asyncio(loop_scope="class"), ASYNC_CLASS_WARNING]  # noqa: RUF012

    @pytest.fixture(autouse=True)
    def _use_emulator(self, emulator: Emulator) -> None:
        self.emulator = emulator

    @property
    def chat_model_params(self) -> dict[str, Any]:
        return {
            "endpoint": self.emulator.base_url + "/openai/v1",
            "api_key": self.emulator.api_key,
            "model": SCRIPTED_DEPLOYMENT,
            "use_responses_api": False,
            "stream_usage": True,  # v1 sends usage at the end of a stream only when asked
            "max_retries": 0,
            "max_tokens": 40,
            "seed": 7,
        }
