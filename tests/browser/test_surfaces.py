"""One Chromium tour per surface the local endpoint serves (Azure OpenAI v1, classic
deployments, Foundry Models, serverless): pick the profile, paste the URL shape, read the
recognition line, type the deployment and the key, then ask on Streaming Chat and see the
answer, with the content filter's line where the surface annotates replies. And the portal's
Target URI of a real resource, pasted, filling the sidebar (nothing sent).
"""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from core import PROFILES
from emulator.process import Emulator
from tests.helpers.azure_emulator import SCRIPTED_DEPLOYMENT
from tests.helpers.browser_pages import go_to, send_chat, settle, snap
from tests.helpers.surfaces import SURFACES

pytestmark = pytest.mark.browser
TOURS = ["azure-v1", "azure-classic", "foundry-models", "serverless"]
TARGET_URI = (
    "https://my-resource.openai.azure.com/openai/deployments/gpt-4o-mini/chat/completions"
    "?api-version=2025-04-01-preview"
)


def pick_profile(page: Page, profile: str) -> None:
    sidebar = page.get_by_test_id("stSidebar")
    sidebar.get_by_role("radiogroup", name="Endpoint profile").get_by_text(
        PROFILES[profile].label, exact=True
    ).click()
    settle(page)


def type_into(page: Page, name: str, text: str) -> None:
    box = page.get_by_test_id("stSidebar").get_by_role("textbox", name=name, exact=True)
    box.fill(text)
    box.press("Enter")
    settle(page)


@pytest.mark.parametrize("name", TOURS)
def test_a_tour_of_each_surface(page: Page, scripted: Emulator, name: str) -> None:
    surface = SURFACES[name]
    go_to(page, "Streaming Chat")
    pick_profile(page, surface.profile)
    type_into(page, "Endpoint URL", scripted.base_url + surface.path)
    sidebar = page.get_by_test_id("stSidebar")
    line = sidebar.get_by_text(f"The local endpoint at {scripted.base_url}")
    expect(line).to_contain_text(f"Kept the profile {PROFILES[surface.profile].label}")
    if surface.type_deployment:
        type_into(page, "Deployment", SCRIPTED_DEPLOYMENT)
    type_into(page, "Key", scripted.api_key)
    expect(sidebar.get_by_test_id("stAlert")).to_have_count(0)  # no problem with the endpoint
    send_chat(page, f"Hello {name}")
    reply = page.get_by_test_id("stChatMessage").nth(1)
    expect(reply.get_by_text(f'You said: "Hello {name}"')).to_be_visible(timeout=30_000)
    expect(reply.get_by_text("usage ")).to_be_visible()
    annotations = reply.get_by_text("Content filter: prompt safe; reply safe.")
    expect(annotations).to_have_count(1 if surface.annotated else 0)
    settle(page)
    snap(page, f"surface_{name}.png")


def test_the_portals_target_uri_fills_the_sidebar(page: Page) -> None:
    type_into(page, "Endpoint URL", TARGET_URI)
    sidebar = page.get_by_test_id("stSidebar")
    expect(sidebar.get_by_text(
        "Azure OpenAI classic deployment 'gpt-4o-mini', api-version 2025-04-01-preview."
    )).to_be_visible()  # fmt: skip
    url = sidebar.get_by_role("textbox", name="Endpoint URL", exact=True)
    expect(url).to_have_value("https://my-resource.openai.azure.com")
    expect(sidebar.get_by_role("textbox", name="Deployment", exact=True)).to_have_value(
        "gpt-4o-mini"
    )
    expect(sidebar.get_by_role("textbox", name="api-version", exact=True)).to_have_value(
        "2025-04-01-preview"
    )
    picker = sidebar.get_by_role("radiogroup", name="Endpoint profile")
    expect(picker.get_by_role("radio", name=PROFILES["azure-classic"].label)).to_be_checked()
    snap(page, "surface_target_uri.png")
