"""The exposure API: a lot's account and history, operator scans, carried-in exposure, refusals
in the JSON error shape; the admin shows the history."""

from decimal import Decimal

import pytest
from django.contrib.auth.models import User
from django.http import HttpRequest
from django.urls import reverse

from conditions.models import ExposureEvent, LotExposure
from lines import services as lines_services
from tests.conditions.exposure_helpers import ingest_dew_points, sulfide_powder, t, zone
from tests.factories import PASSWORD

URL = "/api/v1/units/LOT-LPSCL-1/exposure/"


@pytest.fixture
def lot(plant):
    zone(plant)
    return lines_services.material_receive(
        material=sulfide_powder(plant),
        identifier="LOT-LPSCL-1",
        quantity=Decimal("20"),
        supplier="Ampcera",
        supplier_lot="AMP-1",
    )


def scan(api, body):
    return api.post(URL + "scans/", body, format="json")


def test_an_operator_scans_and_reads_the_lots_history(lot, operator, api):
    api.force_authenticate(operator)
    ingest_dew_points("DR-1", [(-1, -40.0)])
    opened = scan(api, {"action": "opened", "zone": "DR-1", "at": t(0).isoformat()})
    assert opened.status_code == 201
    closed = scan(api, {"action": "closed", "at": t(12).isoformat()})
    assert closed.status_code == 201
    body = api.get(URL).json()
    assert body["unit"] == "LOT-LPSCL-1" and body["material"] == "T-LPSCL"
    assert body["product"] is None
    assert (body["budget_weighted_min"], body["accrued_weighted_min"]) == (20.0, 12.0)
    assert (body["spent_fraction"], body["state"], body["open"]) == (0.6, "ok", False)
    assert (body["zone"], body["form"], body["hold"]) == ("DR-1", "powder", None)
    assert [p["weighted_min"] for p in body["periods"]] == [12.0]
    assert [(e["action"], e["by"]) for e in body["events"]] == [
        ("started", "olivia.operator"),
        ("opened", "olivia.operator"),
        ("closed", "olivia.operator"),
    ]


def test_a_quality_engineer_starts_an_account_with_carried_in_exposure(lot, quality_engineer, api):
    api.force_authenticate(quality_engineer)
    body = {"zone": "DR-1", "carried_in_weighted_min": 17, "reason": "goods-in sampling"}
    response = api.post(URL + "start/", body, format="json")
    assert response.status_code == 201
    assert (response.json()["accrued_weighted_min"], response.json()["state"]) == (17.0, "warning")


def test_an_operator_cannot_declare_carried_in_exposure(lot, operator, api):
    api.force_authenticate(operator)
    response = api.post(URL + "start/", {"zone": "DR-1", "carried_in_weighted_min": 5})
    assert response.status_code == 403
    assert not LotExposure.objects.exists()


@pytest.mark.parametrize(
    ("body", "status", "code", "field"),
    [
        ({"action": "burnt", "zone": "DR-1"}, 400, "invalid", "action"),
        ({"action": "opened", "zone": "DR-9"}, 404, "not_found", "zone"),
        ({"action": "opened"}, 400, "invalid", "zone"),
        ({"action": "closed", "zone": "DR-1"}, 409, "conflict", None),
    ],
)
def test_bad_scans_are_refused_with_the_reason_and_change_nothing(
    lot, operator, api, body, status, code, field
):
    api.force_authenticate(operator)
    if status == 409:
        assert scan(api, {"action": "opened", "zone": "DR-1"}).status_code == 201
        scan(api, {"action": "closed"})
    before = ExposureEvent.objects.count()
    response = scan(api, body)
    assert response.status_code == status
    error = response.json()["error"]
    assert error["code"] == code
    if field:
        assert field in error["fields"]
    assert ExposureEvent.objects.count() == before


def test_unknown_unit_and_untracked_lot_are_404(lot, operator, api):
    api.force_authenticate(operator)
    assert (
        api.get("/api/v1/units/NOPE/exposure/").json()["error"]["fields"]
        == {"identifier": ["No unit with identifier 'NOPE'."]}
        or api.get("/api/v1/units/NOPE/exposure/").status_code == 404
    )
    untracked = api.get(URL)
    assert untracked.status_code == 404
    assert "no exposure account" in untracked.json()["error"]["message"]


def test_anonymous_reads_are_refused(lot, api):
    assert api.get(URL).status_code == 401


def test_the_admin_shows_the_lots_exposure_history(lot, operator, client):
    User.objects.create_superuser("ada.admin", "ada@example.com", PASSWORD)
    client.login(request=HttpRequest(), username="ada.admin", password=PASSWORD)
    from conditions.models import DryZone
    from conditions.services.exposure import exposure_scan

    exposure_scan(unit=lot, action="opened", zone=DryZone.objects.get(), at=t(0), by=operator)
    account = LotExposure.objects.get()
    page = client.get(reverse("admin:conditions_lotexposure_change", args=[account.pk]))
    assert page.status_code == 200
    assert b"Container opened" in page.content and b"olivia.operator" in page.content
    listing = client.get(reverse("admin:conditions_lotexposure_changelist"), {"q": "LPSCL"})
    assert b"LOT-LPSCL-1" in listing.content
    assert client.get(reverse("admin:conditions_lotexposure_add")).status_code == 403
