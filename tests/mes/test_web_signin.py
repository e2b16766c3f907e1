"""Sign-in with a badge and PIN, the operator's language, the tablet's station, idle sign-out."""

import time

import pytest
from django.conf import settings
from django.test import Client

from mes.models import OperatorProfile
from mes.web.idle import LAST_ACTIVE
from mes.web.views import STATION_COOKIE

pytestmark = pytest.mark.django_db


@pytest.fixture
def badge(operator):
    profile = OperatorProfile(user=operator, badge_number="B-1042", language="zh-hans")
    profile.set_pin("4711")
    profile.save()
    return profile


def test_pin_is_stored_hashed_never_as_typed(badge):
    badge.refresh_from_db()
    assert "4711" not in badge.pin_hash
    assert badge.check_pin("4711") and not badge.check_pin("4712")


def test_badge_and_pin_sign_in_and_apply_the_operators_language(client, badge, operator):
    response = client.post("/signin/badge/", {"badge_number": "B-1042", "pin": "4711"})

    assert response.status_code == 302 and response["Location"] == "/"
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "zh-hans"
    assert client.session["_auth_user_id"] == str(operator.pk)


@pytest.mark.parametrize(
    "badge_number, pin", [("B-1042", "0000"), ("B-9999", "4711"), ("", "4711")]
)
def test_wrong_badge_or_pin_is_refused_and_signs_no_one_in(client, badge, badge_number, pin):
    response = client.post("/signin/badge/", {"badge_number": badge_number, "pin": pin})

    assert response.status_code == 200
    assert "Wrong badge number or PIN." in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_inactive_user_cannot_sign_in_with_a_badge(client, badge, operator):
    operator.is_active = False
    operator.save()

    client.post("/signin/badge/", {"badge_number": "B-1042", "pin": "4711"})

    assert "_auth_user_id" not in client.session


def test_a_tablet_with_a_station_offers_the_badge_and_lands_on_its_station(client, badge, plant):
    client.cookies[STATION_COOKIE] = "T-STACKING"

    assert client.get("/signin/")["Location"] == "/signin/badge/"
    assert client.get("/signin/?password=1").status_code == 200
    response = client.post("/signin/badge/", {"badge_number": "B-1042", "pin": "4711"})
    assert response["Location"] == "/station/T-STACKING/"


def test_password_sign_in_keeps_the_browser_language_without_a_profile(client, operator):
    from tests.factories import PASSWORD

    response = client.post("/signin/", {"username": operator.username, "password": PASSWORD})

    assert response.status_code == 302
    assert settings.LANGUAGE_COOKIE_NAME not in response.cookies


def test_idle_screen_signs_out_and_polling_does_not_count_as_activity(settings, operator):
    settings.MES_IDLE_SIGNOUT_S = 60
    client = Client()
    client.force_login(operator)
    assert client.get("/").status_code == 200
    session = client.session
    session[LAST_ACTIVE] = time.time() - 30
    session.save()

    assert client.get("/", headers={"X-MES-Passive": "1"}).status_code == 200
    assert client.session[LAST_ACTIVE] < time.time() - 29  # a poll is not activity

    session = client.session
    session[LAST_ACTIVE] = time.time() - 61
    session.save()
    response = client.get("/", headers={"HX-Request": "true", "X-MES-Passive": "1"})

    assert response["HX-Redirect"] == "/signin/?idle=1"
    assert "_auth_user_id" not in client.session


def test_five_wrong_pins_lock_the_badge_even_for_the_right_pin(client, badge):
    for _attempt in range(settings.MES_PIN_FAILURE_LIMIT):
        client.post("/signin/badge/", {"badge_number": "B-1042", "pin": "0000"})

    response = client.post("/signin/badge/", {"badge_number": "B-1042", "pin": "4711"})

    assert "Too many wrong PINs for this badge" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_a_right_pin_clears_the_count_of_wrong_ones(client, badge, operator):
    for _attempt in range(settings.MES_PIN_FAILURE_LIMIT - 1):
        client.post("/signin/badge/", {"badge_number": "B-1042", "pin": "0000"})
    client.post("/signin/badge/", {"badge_number": "B-1042", "pin": "4711"})
    client.logout()

    client.post("/signin/badge/", {"badge_number": "B-1042", "pin": "0000"})
    client.post("/signin/badge/", {"badge_number": "B-1042", "pin": "4711"})

    assert client.session["_auth_user_id"] == str(operator.pk)
