"""A panel whose session is gone sends the whole page to sign-in, and sign-in brings the operator
back to the page (issue #18, item 1)."""

import pytest
from django.test import Client

from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db

STATION = "/station/T-STACKING/"
PANEL = {"HX-Request": "true", "HX-Current-URL": f"http://testserver{STATION}"}


def test_a_panel_poll_without_a_session_redirects_the_page_not_the_panel(client, plant):
    response = client.get(f"{STATION}live/", headers={**PANEL, "X-MES-Passive": "1"})

    assert response.status_code == 204
    assert response["HX-Redirect"] == "/signin/?next=%2Fstation%2FT-STACKING%2F"


def test_a_page_without_a_session_is_an_ordinary_redirect(client, plant):
    response = client.get(STATION)

    assert response.status_code == 302
    assert response["Location"] == "/signin/?next=/station/T-STACKING/"


def test_a_form_posted_after_the_cookies_were_cleared_goes_to_sign_in_not_403(plant):
    browser = Client(enforce_csrf_checks=True)  # no cookie at all: as after clearing them

    response = browser.post(f"{STATION}start/", {"unit": "CELL-1"}, headers=PANEL)

    assert response.status_code == 204
    assert response["HX-Redirect"].startswith("/signin/?next=")


def test_a_signed_in_post_with_a_forged_token_is_still_refused(plant, operator):
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(operator)

    response = browser.post(f"{STATION}start/", {"unit": "CELL-1"}, headers=PANEL)

    assert response.status_code == 403
    assert "HX-Redirect" not in response


def test_next_from_another_host_is_dropped(client, plant):
    headers = {**PANEL, "HX-Current-URL": "https://evil.example/station/T-STACKING/"}

    response = client.get(f"{STATION}live/", headers=headers)

    assert response["HX-Redirect"] == "/signin/"


def test_signing_in_from_that_redirect_lands_back_at_the_station(client, plant, operator):
    next_page = client.get(f"{STATION}live/", headers=PANEL)["HX-Redirect"]

    response = client.post(next_page, {"username": operator.username, "password": PASSWORD})

    assert response.status_code == 302 and response["Location"] == STATION
