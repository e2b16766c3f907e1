"""The screens' shared shell: sign-in, home per role, language, accessibility, both sizes."""

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import accessibility_violations, screenshot, sign_in

pytestmark = pytest.mark.django_db(transaction=True)


def test_anonymous_visitor_is_sent_to_sign_in(live_server, open_page):
    page = open_page()
    page.goto(f"{live_server.url}/")
    assert "/signin/" in page.url
    assert page.locator("#id_username").evaluate("el => el === document.activeElement")


def test_wrong_password_is_refused_plainly(live_server, open_page, operator):
    page = open_page()
    page.goto(f"{live_server.url}/signin/")
    page.fill("#id_username", operator.username)
    page.fill("#id_password", "not-the-password")
    page.press("#id_password", "Enter")
    expect(page.get_by_role("alert")).to_have_text("Wrong user name or password.")


@pytest.mark.parametrize("size", ["landscape", "portrait"])
def test_quality_engineer_home_offers_both_screens_and_passes_axe(
    live_server, open_page, quality_engineer, size
):
    page = open_page(size)
    sign_in(page, live_server, quality_engineer.username)
    expect(page.get_by_role("link", name="Station screens")).to_be_visible()
    expect(page.get_by_role("link", name="Quality")).to_be_visible()
    assert accessibility_violations(page) == []
    screenshot(page, f"home-{size}")


def test_operator_home_has_no_quality_screen(live_server, open_page, operator):
    page = open_page()
    sign_in(page, live_server, operator.username)
    expect(page.get_by_role("link", name="Station screens")).to_be_visible()
    expect(page.get_by_role("link", name="Quality")).to_have_count(0)


def test_chinese_browser_gets_chinese_and_the_choice_sticks(live_server, open_page, operator):
    page = open_page(locale="zh-CN")
    sign_in(page, live_server, operator.username)
    expect(page.get_by_role("link", name="工位界面")).to_be_visible()
    page.select_option("#language-select", "en")
    expect(page.get_by_role("link", name="Station screens")).to_be_visible()
