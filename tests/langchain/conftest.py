"""Known failures of third-party code in LangChain's standard suites, declared as strict xfails
(a fix upstream turns them into failures here, so the declaration cannot go stale).

The suites forbid overriding their tests, so the marks are added at collection.
"""

from __future__ import annotations

import pytest

KNOWN_FAILURES = {
    "TestAzureAIOpenAIApiUnit::test_serdes": pytest.mark.xfail(
        raises=ValueError,
        strict=True,
        reason="langchain-azure-ai 1.2.12 serializes AzureAIOpenAIApiChatModel under "
        "ChatOpenAI's id (langchain.chat_models.openai), so load() refuses it: 'Deserialization "
        "of (..., AzureAIOpenAIApiChatModel) is not allowed'.",
    ),
}


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Mark each known failure."""
    for item in items:
        for name, mark in KNOWN_FAILURES.items():
            if item.nodeid.endswith(name):
                item.add_marker(mark)
