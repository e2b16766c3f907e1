"""Who may do what in the quality API: reads need a login, every write the quality engineer role."""

import pytest
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from lines.models import Unit
from quality import services
from quality.models import (
    AuditEntry,
    Disposition,
    Flag,
    GateRequirement,
    Hold,
    HoldMember,
    Ncr,
    Signature,
    Spec,
    SpecVersion,
)
from quality.services.flags import flag_new, flags_raise
from tests.factories import PASSWORD, make_cell, make_spec

NOT_LOGGED_IN = {
    "error": {
        "code": "not_authenticated",
        "message": "Authentication credentials were not provided.",
        "fields": {},
    }
}
NOT_QUALITY = {
    "error": {
        "code": "permission_denied",
        "message": "This change needs the quality engineer role.",
        "fields": {},
    }
}


@pytest.fixture
def world(plant, quality_engineer):
    """Two cells, a spec, an open flag on C-1 (no hold), a hold on C-2, an open NCR."""
    cell = make_cell(plant, "C-1")
    make_cell(plant, "C-2")
    spec = make_spec("seal_temperature_c", "sealing", lsl=185, usl=195, target=190)
    flag = flags_raise(
        flags=[
            flag_new(
                kind="out_of_spec",
                station=plant.station("sealing"),
                parameter="seal_temperature_c",
                unit=cell,
                value=201.0,
                limit="USL 195",
            )
        ]
    )[0]
    hold = services.hold_place(
        unit=make_cell(plant, "C-3"), reason="seal wrinkle", by=quality_engineer
    )
    ncr = services.ncr_open(title="Hot seals", flags=[flag], by=quality_engineer)
    return {"spec": spec.pk, "flag": flag.pk, "hold": hold.pk, "ncr": ncr.pk}


def reads(ids: dict[str, int]) -> list[str]:
    return [
        "/api/v1/specs/",
        f"/api/v1/specs/{ids['spec']}/",
        "/api/v1/flags/",
        f"/api/v1/flags/{ids['flag']}/",
        "/api/v1/holds/",
        f"/api/v1/holds/{ids['hold']}/",
        f"/api/v1/holds/{ids['hold']}/members/",
        "/api/v1/holds/impact/?unit=C-1",
        "/api/v1/dispositions/",
        "/api/v1/ncrs/",
        f"/api/v1/ncrs/{ids['ncr']}/",
        "/api/v1/gates/",
        "/api/v1/audit/",
    ]


WRITES = {
    "spec create": (
        lambda ids: "/api/v1/specs/",
        {
            "parameter": "seal_time_s",
            "unit_of_measure": "s",
            "station_kind": "sealing",
            "lsl": 3.5,
            "usl": 4.5,
            "reason": "initial limits",
        },
        201,
        {("spec_version", "created")},
    ),
    "spec revise": (
        lambda ids: f"/api/v1/specs/{ids['spec']}/revise/",
        {"lsl": 186, "usl": 194, "reason": "tighter after DOE"},
        201,
        {("spec_version", "revised")},
    ),
    "hold place": (
        lambda ids: "/api/v1/holds/",
        {"unit": "C-2", "reason": "suspect seal"},
        201,
        {("hold", "placed")},
    ),
    "disposition": (
        lambda ids: "/api/v1/dispositions/",
        {"decision": "use_as_is", "reason": "within margin", "password": PASSWORD},
        201,
        {("disposition", "signed"), ("disposition", "flags_closed")},
    ),
    "ncr open": (lambda ids: "/api/v1/ncrs/", {"title": "Seal drift"}, 201, {("ncr", "opened")}),
    "ncr close": (
        lambda ids: f"/api/v1/ncrs/{ids['ncr']}/close/",
        {"reason": "heater replaced"},
        200,
        {("ncr", "closed")},
    ),
    "gate create": (
        lambda ids: "/api/v1/gates/",
        {"route": "T-CELL-ROUTE", "step": 30},
        201,
        {("gate", "created")},
    ),
}


def body_for(name: str, ids: dict[str, int]) -> dict:
    """The write's body, with the ids of this test's records filled in."""
    body = dict(WRITES[name][1])
    if name == "disposition":
        body["flag"] = ids["flag"]
    elif name == "ncr open":
        body["flags"] = [ids["flag"]]
    elif name == "gate create":
        body["spec"] = ids["spec"]
    return body


def everything() -> dict[str, object]:
    """What a refused write must leave as it was."""
    counted = [
        Spec,
        SpecVersion,
        Flag,
        Hold,
        HoldMember,
        Disposition,
        Signature,
        Ncr,
        GateRequirement,
        AuditEntry,
    ]
    return {
        **{model.__name__: model.objects.count() for model in counted},
        "units": list(Unit.objects.order_by("identifier").values_list("identifier", "status")),
        "flags": list(Flag.objects.order_by("id").values_list("state", flat=True)),
        "holds": list(Hold.objects.order_by("id").values_list("state", flat=True)),
        "ncrs": list(Ncr.objects.order_by("id").values_list("state", flat=True)),
    }


def test_anonymous_reads_are_refused_with_the_error_shape(world, api):
    for url in reads(world):
        response = api.get(url)
        assert (url, response.status_code, response.json()) == (url, 401, NOT_LOGGED_IN)
        assert response["WWW-Authenticate"] == "Token"


@pytest.mark.parametrize("name", WRITES)
def test_anonymous_writes_are_refused_and_change_nothing(world, api, name):
    before = everything()
    response = api.post(WRITES[name][0](world), body_for(name, world), format="json")
    assert (response.status_code, response.json()) == (401, NOT_LOGGED_IN)
    assert everything() == before


@pytest.mark.parametrize("persona", ["operator", "integration", "nobody"])
@pytest.mark.parametrize("name", WRITES)
def test_other_roles_cannot_write_and_nothing_is_stored(world, api, request, persona, name):
    api.force_authenticate(request.getfixturevalue(persona))
    before = everything()
    response = api.post(WRITES[name][0](world), body_for(name, world), format="json")
    assert (response.status_code, response.json()) == (403, NOT_QUALITY)
    assert everything() == before


@pytest.mark.parametrize("name", WRITES)
def test_a_quality_engineer_can_write_and_it_is_audited(world, api, quality_engineer, name):
    api.force_authenticate(quality_engineer)
    last_row = AuditEntry.objects.order_by("-id").values_list("id", flat=True).first()
    url, _body, expected_status, expected_audit = WRITES[name]
    response = api.post(url(world), body_for(name, world), format="json")
    assert response.status_code == expected_status, response.json()
    added = AuditEntry.objects.filter(id__gt=last_row)
    assert set(added.values_list("entity", "action")) == expected_audit
    assert set(added.values_list("by__username", flat=True)) == {"quinn.quality"}


@pytest.mark.parametrize("persona", ["operator", "integration", "nobody", "quality_engineer"])
def test_every_logged_in_role_reads(world, api, request, persona):
    api.force_authenticate(request.getfixturevalue(persona))
    statuses = {url: api.get(url).status_code for url in reads(world)}
    assert statuses == dict.fromkeys(reads(world), 200)


def test_an_integration_token_reads_the_quality_api(world, integration):
    token = Token.objects.create(user=integration)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    statuses = {url: client.get(url).status_code for url in reads(world)}
    assert statuses == dict.fromkeys(reads(world), 200)
    flag = client.get(f"/api/v1/flags/{world['flag']}/").json()
    assert (flag["unit"], flag["value"], flag["state"]) == ("C-1", 201.0, "open")


def test_an_integration_token_cannot_place_a_hold(world, integration):
    token = Token.objects.create(user=integration)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    before = everything()
    response = client.post("/api/v1/holds/", {"unit": "C-2", "reason": "suspect"}, format="json")
    assert (response.status_code, response.json()) == (403, NOT_QUALITY)
    assert everything() == before
