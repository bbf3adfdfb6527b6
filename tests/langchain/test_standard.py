"""LangChain's own standard suites for `ChatAzureServerless`, the integration half against the
emulator over real HTTP.

What a serverless chat endpoint (and so the adapter) cannot do is declared through the suites'
properties, so those checks skip by the suites' own rules; nothing that should pass is skipped.
"""

from __future__ import annotations

from typing import Any

import pytest
from langchain_tests.integration_tests import ChatModelIntegrationTests
from langchain_tests.unit_tests import ChatModelUnitTests

from core.langchain import ChatAzureServerless
from emulator.process import Emulator

UNIT_URL = "http://127.0.0.1:9"  # never contacted: the unit suite makes no calls


class Unsupported:
    """Features the endpoint's chat API does not offer, declared for both suites."""

    @property
    def chat_model_class(self) -> type[ChatAzureServerless]:
        return ChatAzureServerless

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


class TestChatAzureServerlessUnit(Unsupported, ChatModelUnitTests):
    """The unit suite: construction, standard params, env defaults; no network."""

    @property
    def chat_model_params(self) -> dict[str, Any]:
        return {"endpoint_url": UNIT_URL, "api_key": "unit-key"}

    @property
    def init_from_env_params(self) -> tuple[dict[str, str], dict[str, Any], dict[str, Any]]:
        env = {"AZURE_AI_CHAT_ENDPOINT": UNIT_URL, "AZURE_AI_CHAT_KEY": "env-key"}
        return env, {}, {"endpoint_url": UNIT_URL, "api_key": "env-key"}


class TestChatAzureServerlessIntegration(Unsupported, ChatModelIntegrationTests):
    """The integration suite against the scripted emulator."""

    # The suite has `async def` tests and pytest-asyncio runs in strict mode here, so the
    # class carries the asyncio mark; pytest-asyncio then warns for each sync test of the
    # class, and only that warning is ignored. (`asyncio_mode = "auto"` would make this moot.)
    pytestmark = [  # noqa: RUF012 - pytest reads this class attribute
        pytest.mark.asyncio,
        pytest.mark.filterwarnings(
            "ignore:The test <Function .*> is marked with '@pytest.mark.asyncio' but it is "
            "not an async function:pytest.PytestWarning"
        ),
    ]

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
