"""A tag's deadband (absolute, or percent of the node's EURange): checked by the tag services, the
API, the admin and the database; refused on roles where every change matters."""

import pytest
from django.contrib.auth.models import User
from django.db import IntegrityError, transaction
from django.utils import translation

from lines import services
from lines.models import Tag, TagRole
from mes import roles
from mes.errors import InvalidInput
from tests.factories import make_user

TAGS = "/api/v1/tags/"
LOADING = "ns=2;s=COAT-01.ArealLoading"


@pytest.fixture
def engineer(db):
    return make_user("qe.deadband", roles.QUALITY_ENGINEER)


def create(plant, **fields) -> Tag:
    return services.tag_create(
        node_id=fields.pop("node_id", LOADING),
        station=plant.station("coating"),
        **({"parameter": "areal_loading_mg_cm2"} | fields),
    )


def test_absolute_and_percent_deadbands_are_kept_and_none_is_the_default(plant):
    plain = create(plant)
    absolute = create(plant, node_id="ns=2;s=A", deadband_kind="absolute", deadband_value=0.1)
    percent = create(plant, node_id="ns=2;s=P", deadband_kind="percent", deadband_value=100)
    position = create(plant, node_id="ns=2;s=W", parameter="", role="web_position_m",
                      deadband_kind="absolute", deadband_value=0.05)  # fmt: skip
    assert (plain.deadband_kind, plain.deadband_value) == ("none", 0.0)
    assert (absolute.deadband_kind, absolute.deadband_value) == ("absolute", 0.1)
    assert (percent.deadband_kind, percent.deadband_value) == ("percent", 100.0)
    assert position.deadband_kind == "absolute"


@pytest.mark.parametrize(
    ("kind", "value", "field", "words"),
    [
        ("absolute", -0.1, "deadband_value", "give a number of 0 or more"),
        ("percent", 100.5, "deadband_value", "at most 100"),
        ("absolute", float("nan"), "deadband_value", "give a number of 0 or more"),
        ("absolute", float("inf"), "deadband_value", "give a number of 0 or more"),
        ("none", 0.5, "deadband_kind", "needs a kind"),
        ("swinging_door", 1.0, "deadband_kind", "is unknown"),
    ],
)
def test_a_bad_deadband_is_refused_naming_the_field(plant, kind, value, field, words):
    with pytest.raises(InvalidInput) as refused:
        create(plant, deadband_kind=kind, deadband_value=value)
    assert (refused.value.field, words in refused.value.message) == (field, True)
    assert not Tag.objects.exists()


@pytest.mark.parametrize(
    "role",
    sorted(TagRole.without_deadband() - TagRole.with_parameter()),
)
def test_roles_where_every_change_matters_take_no_deadband(plant, role):
    with pytest.raises(InvalidInput, match="takes no deadband") as refused:
        create(plant, parameter="", role=role, deadband_kind="absolute", deadband_value=1)
    assert refused.value.field == "deadband_kind"


def test_a_setpoint_and_the_handshake_take_no_deadband(plant):
    assert {"setpoint", "checkin_request", "machine_state", "stop_reason", "unit_id",
            "plc_heartbeat", "mes_heartbeat"} <= TagRole.without_deadband()  # fmt: skip
    assert "web_position_m" not in TagRole.without_deadband()
    with pytest.raises(InvalidInput, match="takes no deadband"):
        create(plant, parameter="web_speed_m_min", role="setpoint", deadband_kind="percent",
               deadband_value=1)  # fmt: skip


def test_the_refusal_is_translated(plant):
    with translation.override("zh-hans"), pytest.raises(InvalidInput) as refused:
        create(plant, parameter="", role="unit_id", deadband_kind="absolute", deadband_value=1)
    assert "死区" in refused.value.message


def test_an_update_checks_the_deadband_against_the_role_the_tag_ends_with(plant):
    tag = create(plant, deadband_kind="absolute", deadband_value=0.2)
    with pytest.raises(InvalidInput, match="takes no deadband"):
        services.tag_update(tag=tag, parameter="", role="unit_id")
    services.tag_update(tag=tag, parameter="", role="unit_id", deadband_kind="none")
    tag.refresh_from_db()
    assert (tag.role, tag.deadband_kind, tag.deadband_value) == ("unit_id", "none", 0.0)
    with pytest.raises(InvalidInput, match="takes no deadband"):
        services.tag_update(tag=tag, deadband_kind="absolute", deadband_value=1)


def test_an_update_of_the_value_alone_keeps_the_kind_and_moves_updated_at(plant):
    tag = create(plant, deadband_kind="percent", deadband_value=2)
    before = tag.updated_at
    services.tag_update(tag=tag, deadband_value=1.5)
    tag.refresh_from_db()
    assert (tag.deadband_kind, tag.deadband_value) == ("percent", 1.5)
    assert tag.updated_at > before  # what makes the bridge re-create the monitored item
    with pytest.raises(InvalidInput, match="at most 100"):
        services.tag_update(tag=tag, deadband_value=150)


def test_the_database_refuses_a_deadband_the_services_would_refuse(plant):
    tag = create(plant)
    for kind, value in (("none", 1.0), ("absolute", -1.0), ("percent", 101.0)):
        with pytest.raises(IntegrityError), transaction.atomic():
            Tag.objects.filter(pk=tag.pk).update(deadband_kind=kind, deadband_value=value)


def test_the_api_maps_and_changes_a_deadband(plant, engineer, api):
    api.force_authenticate(engineer)
    payload = {"node_id": LOADING, "station": "T-COATING", "parameter": "areal_loading_mg_cm2",
               "deadband_kind": "absolute", "deadband_value": "0.05"}  # fmt: skip
    created = api.post(TAGS, payload, format="json")
    assert created.status_code == 201
    body = created.json()
    assert (body["deadband_kind"], body["deadband_value"]) == ("absolute", 0.05)
    changed = api.patch(f"{TAGS}{body['id']}/", {"deadband_kind": "percent", "deadband_value": 1},
                        format="json")  # fmt: skip
    assert (changed.status_code, changed.json()["deadband_kind"]) == (200, "percent")
    cleared = api.patch(f"{TAGS}{body['id']}/", {"deadband_kind": "none"}, format="json")
    assert (cleared.json()["deadband_kind"], cleared.json()["deadband_value"]) == ("none", 0.0)


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"deadband_kind": "absolute", "deadband_value": -1}, "deadband_value"),
        ({"deadband_kind": "percent", "deadband_value": 101}, "deadband_value"),
        ({"deadband_kind": "absolute", "deadband_value": "1,5"}, "deadband_value"),
        ({"deadband_kind": "sometimes", "deadband_value": 1}, "deadband_kind"),
        (
            {
                "role": "machine_state",
                "parameter": None,
                "deadband_kind": "absolute",
                "deadband_value": 1,
            },
            "deadband_kind",
        ),  # fmt: skip
    ],
)
def test_the_api_refuses_a_bad_deadband_with_a_400_naming_the_field(
    plant, engineer, api, fields, field
):
    api.force_authenticate(engineer)
    payload = {"node_id": LOADING, "station": "T-COATING", "parameter": "x_mm", **fields}
    response = api.post(TAGS, payload, format="json")
    assert response.status_code == 400
    assert list(response.json()["error"]["fields"]) == [field]
    assert not Tag.objects.exists()


@pytest.fixture
def admin_client_(client, db):
    client.force_login(User.objects.create_superuser("root", "root@example.com", "pw-root-123"))
    return client


def _form(plant, **fields):
    return {
        "node_id": LOADING,
        "station": plant.station("coating").pk,
        "parameter": "areal_loading_mg_cm2",
        "role": "",
        "enabled": "on",
        "sampling_interval_ms": 1000,
        "queue_size": 10,
        "deadband_kind": "absolute",
        "deadband_value": "0.02",
        "description": "",
    } | fields


def test_the_admin_sets_a_deadband_and_shows_a_refusal_on_the_form(plant, admin_client_):
    response = admin_client_.post("/admin/lines/tag/add/", _form(plant))
    assert response.status_code == 302
    assert (Tag.objects.get().deadband_kind, Tag.objects.get().deadband_value) == ("absolute", 0.02)
    refused = admin_client_.post(
        "/admin/lines/tag/add/",
        _form(plant, node_id="ns=2;s=COAT-01.Other", deadband_kind="percent", deadband_value="120"),
    )
    assert refused.status_code == 200
    errors = refused.context["adminform"].form.errors
    assert "at most 100" in " ".join(errors["deadband_value"])
    assert Tag.objects.count() == 1
    listing = admin_client_.get("/admin/lines/tag/")
    assert "±0.02" in listing.content.decode()
