"""Recall after signing: the page says it worked (success style), shows the unit as held and
the hold that holds it, and does not offer the same signature again."""

import pytest
from playwright.sync_api import expect

from quality.models import Hold
from tests.browser.quality_helpers import qe_signed_in, shots_and_axe
from tests.factories import PASSWORD
from tests.quality.web_scenario import build_scenario

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_a_signed_recall_shows_the_held_unit_and_no_second_form(
    live_server, open_page, quality_engineer, plant, lang
):
    build_scenario(plant)
    page = qe_signed_in(live_server, open_page, quality_engineer, lang)
    page.goto(f"{live_server.url}/quality/recall/LOT-NMC-1/")
    page.fill("#id_reason", "supplier reports contaminated NMC lot")
    page.fill("#id_password", PASSWORD)
    page.locator("form.stack button[type=submit]").click()

    hold = Hold.objects.get(unit__identifier="LOT-NMC-1", flag=None)
    banner = page.locator(f'[data-hold="{hold.pk}"]')
    expect(banner).to_have_class("banner banner-ok")
    expect(banner).to_have_attribute("role", "status")
    expect(page.locator("[data-unit-status]")).to_have_attribute("data-unit-status", "on_hold")
    expect(page.locator("#id_password")).to_have_count(0)
    expect(page.locator("[data-recall-held] a")).to_have_attribute(
        "href", f"/quality/holds/{hold.pk}/"
    )
    if lang == "en":
        expect(banner).to_contain_text(f"Hold {hold.pk} placed and signed. It holds 11 units.")
        expect(page.locator("[data-unit-status]")).to_have_text("On hold")
    shots_and_axe(page, "quality-recall-signed")

    page.reload()  # a new visit: still held, still no second signature offered
    expect(page.locator("#id_password")).to_have_count(0)
    assert Hold.objects.filter(unit__identifier="LOT-NMC-1", flag=None).count() == 1
