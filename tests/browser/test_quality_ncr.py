"""NCRs can be found again (a list and a page each), the queue marks the flags already in one,
and a decided flag shows its signature: signer, time, decision, reason and hash, with no
decision preselected in the form that signs it."""

import re

import pytest
from playwright.sync_api import expect

from quality.models import Disposition, Ncr
from tests.browser.quality_helpers import qe_signed_in, shots_and_axe
from tests.factories import PASSWORD
from tests.quality.web_scenario import build_scenario

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_an_opened_ncr_is_listed_has_a_page_and_marks_its_flags(
    live_server, open_page, quality_engineer, plant, lang
):
    flag = build_scenario(plant).segment_flag
    page = qe_signed_in(live_server, open_page, quality_engineer, lang)
    page.goto(f"{live_server.url}/quality/queue/")
    page.check(f"#tick-{flag.pk}")
    page.fill("#id_title", "Thin coating on MR-1")
    page.locator("form[action='/quality/ncrs/new/'] button[type=submit]").click()

    ncr = Ncr.objects.get()
    expect(page.locator(f'[data-ncr-opened="{ncr.code}"]')).to_be_visible()
    expect(page.locator(f'#ncr-flags tr[data-flag="{flag.pk}"]')).to_be_visible()

    page.goto(f"{live_server.url}/quality/ncrs/")
    page.locator(f'tr[data-ncr="{ncr.code}"] a').click()
    page.wait_for_url(f"**/quality/ncrs/{ncr.code}/")
    expect(page.get_by_role("heading", level=1)).to_contain_text(ncr.code)
    expect(page.locator("#ncr-units")).to_contain_text("MR-1")
    shots_and_axe(page, "quality-ncr")
    page.goto(f"{live_server.url}/quality/ncrs/")
    shots_and_axe(page, "quality-ncr-list")

    page.goto(f"{live_server.url}/quality/queue/")
    row = page.locator(f'tr[data-flag="{flag.pk}"]')
    expect(row).to_have_attribute("data-in-ncr", ncr.code)
    expect(row.get_by_role("link", name=ncr.code)).to_have_attribute(
        "href", f"/quality/ncrs/{ncr.code}/"
    )


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_a_signed_flag_shows_its_signature_and_nothing_was_preselected(
    live_server, open_page, quality_engineer, plant, lang
):
    flag = build_scenario(plant).segment_flag
    page = qe_signed_in(live_server, open_page, quality_engineer, lang)
    page.goto(f"{live_server.url}/quality/flags/{flag.pk}/")
    expect(page.locator("#id_decision")).to_have_value("")
    page.fill("#id_reason", "thin coating, cells re-measured in spec")
    page.fill("#id_password", PASSWORD)
    page.locator("form[data-disposition-form] button[type=submit]").click()
    assert page.locator("#id_decision").evaluate("el => el.validity.valueMissing")
    assert not Disposition.objects.exists()

    page.select_option("#id_decision", "release")
    page.fill("#id_password", PASSWORD)
    page.locator("form[data-disposition-form] button[type=submit]").click()

    signed = Disposition.objects.get()
    section = page.locator(f'[data-signed-disposition="{signed.pk}"]')
    expect(section.locator("[data-decision]")).to_have_attribute("data-decision", "release")
    expect(section.locator("[data-signer]")).to_have_text(quality_engineer.username)
    expect(section.locator("[data-signed-reason]")).to_have_text(
        "thin coating, cells re-measured in spec"
    )
    expect(section.locator("[data-hash]")).to_have_text(signed.signature.content_hash)
    assert re.fullmatch(r"[0-9a-f]{64}", signed.signature.content_hash)
    expect(section).to_contain_text(f"{signed.signature.signed_at:%Y-%m-%d %H:%M:%S} UTC")
    expect(page.locator("form[data-disposition-form]")).to_have_count(0)
    shots_and_axe(page, "quality-flag-signed")

    page.reload()  # the signature stays on the flag's page, not only in the banner after signing
    expect(page.locator(f'[data-signed-disposition="{signed.pk}"]')).to_be_visible()
