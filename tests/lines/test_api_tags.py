"""The tag map API: list, read, map a node (create), change or disable it; never delete."""

import pytest

from lines import services
from lines.models import Tag
from mes import roles
from tests.factories import make_user

TAGS = "/api/v1/tags/"
LOADING = "ns=2;s=COAT-01.ArealLoading"
NOT_MAPPER = {
    "error": {
        "code": "permission_denied",
        "message": "Mapping OPC UA tags needs the quality engineer or integration role.",
        "fields": {},
    }
}


def iso(moment) -> str:
    return moment.isoformat().replace("+00:00", "Z")


def stored() -> list[tuple]:
    """Every tag as stored, to show a refusal changed nothing."""
    return list(Tag.objects.order_by("id").values_list())


@pytest.fixture
def admin(db):
    return make_user("ada.admin", roles.ADMIN)


@pytest.fixture
def mapped(plant):
    """Four tags: two process values and a role on the coater, a disabled one at the stacker."""
    coater, stacker = plant.station("coating"), plant.station("stacking")
    return {
        "loading": services.tag_create(
            node_id=LOADING, station=coater, parameter="areal_loading_mg_cm2"
        ),
        "position": services.tag_create(
            node_id="ns=2;s=COAT-01.WebPosition", station=coater, role="web_position_m"
        ),
        "speed": services.tag_create(
            node_id="ns=2;s=COAT-01.WebSpeed", station=coater, parameter="web_speed_m_min"
        ),
        "alignment": services.tag_create(
            node_id="ns=2;s=STACK-01.Alignment",
            station=stacker,
            parameter="alignment_mm",
            enabled=False,
        ),
    }


def test_map_a_node_to_a_parameter_with_no_spec_yet(plant, quality_engineer, api):
    api.force_authenticate(quality_engineer)
    response = api.post(
        TAGS,
        {
            "node_id": LOADING,
            "station": "T-COATING",
            "parameter": "areal_loading_mg_cm2",
            "sampling_interval_ms": 250,
            "queue_size": 20,
            "description": "beta gauge",
        },
        format="json",
    )
    assert response.status_code == 201
    tag = Tag.objects.get()
    assert response.json() == {
        "id": tag.id,
        "node_id": LOADING,
        "station": "T-COATING",
        "parameter": "areal_loading_mg_cm2",
        "role": "",
        "sampling_interval_ms": 250,
        "queue_size": 20,
        "deadband_kind": "none",
        "deadband_value": 0.0,
        "enabled": True,
        "description": "beta gauge",
        "updated_at": iso(tag.updated_at),
        "health": None,  # no bridge reads it yet
        "warnings": [
            "No spec judges areal_loading_mg_cm2 at Coating and drying stations: its values are "
            "stored and shown, but nothing flags or holds a unit for them until a quality "
            "engineer creates the spec."
        ],
    }
    assert (tag.station, tag.parameter, tag.role) == (
        plant.station("coating"),
        "areal_loading_mg_cm2",
        "",
    )


def test_an_integration_maps_a_role_tag_with_the_default_settings(plant, integration, api):
    api.force_authenticate(integration)
    response = api.post(
        TAGS,
        {"node_id": "ns=2;s=STACK-01", "station": "T-STACKING", "role": "result_event"},
        format="json",
    )
    assert response.status_code == 201
    body = response.json()
    assert (body["parameter"], body["role"], body["enabled"]) == ("", "result_event", True)
    assert (body["sampling_interval_ms"], body["queue_size"], body["description"]) == (100, 10, "")
    tag = Tag.objects.get()
    assert (tag.node_id, tag.station.code, tag.role, tag.parameter) == (
        "ns=2;s=STACK-01",
        "T-STACKING",
        "result_event",
        "",
    )


def test_an_admin_maps_a_tag_and_a_null_parameter_means_none(plant, admin, api):
    api.force_authenticate(admin)
    response = api.post(
        TAGS,
        {"node_id": "i=2258", "station": "T-EOL", "parameter": None, "role": "unit_id"},
        format="json",
    )
    assert response.status_code == 201
    assert Tag.objects.get().node_id == "i=2258"
    assert (Tag.objects.get().parameter, Tag.objects.get().role) == ("", "unit_id")


BOTH = (
    "A tag carries a process parameter or a role, not both: drop the role for a process value "
    "(temperature_c), or the parameter for a unit_id tag."
)
NEITHER = (
    "Say what the node carries: a parameter (e.g. areal_loading_mg_cm2) for a process value, or "
    "a role (unit_id, web_position_m, result_event, checkin_serial, checkin_request, "
    "checkin_response, checkin_done, checkout_serial, checkout_result, checkout_request, "
    "checkout_response, checkout_done, setpoint, mes_heartbeat, plc_heartbeat, "
    "machine_state, stop_reason)."
)


@pytest.mark.parametrize(
    ("carries", "field", "message"),
    [
        ({"parameter": "temperature_c", "role": "unit_id"}, "role", BOTH),
        ({}, "parameter", NEITHER),
        ({"parameter": "", "role": None}, "parameter", NEITHER),
        (
            {"parameter": "unit_id"},
            "parameter",
            "unit_id is a role, not a parameter: send it as role.",
        ),
        (
            {"parameter": "Areal Loading"},
            "parameter",
            "'Areal Loading' is not a parameter name: use up to 64 lower-case letters, digits and "
            "'_', starting with a letter, as in the recipe (e.g. areal_loading_mg_cm2).",
        ),
    ],
)
def test_a_tag_needs_exactly_one_parameter_or_role(
    plant, quality_engineer, api, carries, field, message
):
    api.force_authenticate(quality_engineer)
    response = api.post(
        TAGS,
        {"node_id": "ns=2;s=DENS-01.Temp", "station": "T-DENSIFICATION", **carries},
        format="json",
    )
    assert response.status_code == 400
    assert response.json() == {
        "error": {"code": "invalid", "message": message, "fields": {field: [message]}}
    }
    assert not Tag.objects.exists()


def test_an_unknown_role_is_a_400_naming_it(plant, quality_engineer, api):
    api.force_authenticate(quality_engineer)
    response = api.post(
        TAGS, {"node_id": LOADING, "station": "T-COATING", "role": "speed"}, format="json"
    )
    assert response.status_code == 400
    assert response.json()["error"]["fields"] == {"role": ['"speed" is not a valid choice.']}
    assert not Tag.objects.exists()


FORM = "it is not of the form ns=<index>;<i|s|g|b>=<identifier> or i=<number>"


@pytest.mark.parametrize(
    ("node_id", "problem"),
    [
        ("COAT-01.ArealLoading", FORM),
        ("s=COAT-01.ArealLoading", FORM),
        ("ns=2;x=COAT-01", FORM),
        ("ns=02;s=COAT-01", FORM),
        ("ns=2;s=", FORM),
        ("ns=2;i=12a", "i= needs a number from 0 to 4294967295"),
        ("i=4294967296", "a numeric identifier is at most 4294967295"),
        ("ns=70000;s=COAT-01", "the namespace index is at most 65535"),
        ("ns=2;g=not-a-guid", "g= needs a GUID such as 09087e75-8e5e-499b-954f-f2a9603db28a"),
        ("ns=2;b=!!", "b= needs base64 text"),
        ("ns=2;s=line\nbreak", FORM),
    ],
)
def test_a_malformed_node_id_is_a_400_naming_it(plant, quality_engineer, api, node_id, problem):
    api.force_authenticate(quality_engineer)
    response = api.post(
        TAGS, {"node_id": node_id, "station": "T-COATING", "parameter": "x_mm"}, format="json"
    )
    assert response.status_code == 400
    message = (
        f"{node_id!r} is not an OPC UA node id: {problem}. Write it as the server names it, "
        "e.g. ns=2;s=COAT-01.ArealLoading or i=2258."
    )
    assert response.json() == {
        "error": {"code": "invalid", "message": message, "fields": {"node_id": [message]}}
    }
    assert not Tag.objects.exists()


@pytest.mark.parametrize(
    "node_id",
    [
        "i=2258",
        "ns=0;i=85",
        "ns=2;s=COAT-01.Dryer Zone 1;Temp",
        "ns=3;g=09087e75-8e5e-499b-954f-f2a9603db28a",
        "ns=4;b=M/RbKBsRVkePCePcx24oRA==",
    ],
)
def test_every_kind_of_node_id_is_accepted(plant, integration, api, node_id):
    api.force_authenticate(integration)
    response = api.post(
        TAGS, {"node_id": node_id, "station": "T-COATING", "parameter": "x_mm"}, format="json"
    )
    assert response.status_code == 201
    assert Tag.objects.get().node_id == node_id


def test_a_node_id_already_mapped_is_a_409_naming_it(mapped, integration, api):
    before = stored()
    api.force_authenticate(integration)
    response = api.post(
        TAGS, {"node_id": LOADING, "station": "T-STACKING", "parameter": "alignment_mm"}
    )
    assert response.status_code == 409
    message = (
        f"{LOADING} is already mapped (tag {mapped['loading'].id} at T-COATING, "
        "areal_loading_mg_cm2): change that tag instead of mapping the node twice."
    )
    assert response.json() == {
        "error": {"code": "conflict", "message": message, "fields": {"node_id": [message]}}
    }
    assert stored() == before


def test_an_unknown_station_is_a_404_naming_it(plant, quality_engineer, api):
    api.force_authenticate(quality_engineer)
    response = api.post(TAGS, {"node_id": LOADING, "station": "COAT-99", "parameter": "x_mm"})
    assert response.status_code == 404
    message = "No station with code 'COAT-99'."
    assert response.json() == {
        "error": {"code": "not_found", "message": message, "fields": {"station": [message]}}
    }
    assert not Tag.objects.exists()


@pytest.mark.parametrize(
    ("setting", "message"),
    [
        ({"sampling_interval_ms": -1}, "Ensure this value is greater than or equal to 0."),
        (
            {"sampling_interval_ms": 3_600_001},
            "Ensure this value is less than or equal to 3600000.",
        ),
        ({"queue_size": 0}, "Ensure this value is greater than or equal to 1."),
        ({"queue_size": 10_001}, "Ensure this value is less than or equal to 10000."),
    ],
)
def test_settings_out_of_range_are_a_400_naming_them(
    plant, quality_engineer, api, setting, message
):
    api.force_authenticate(quality_engineer)
    payload = {"node_id": LOADING, "station": "T-COATING", "parameter": "x_mm", **setting}
    response = api.post(TAGS, payload, format="json")
    assert response.status_code == 400
    assert response.json()["error"]["fields"] == {next(iter(setting)): [message]}
    assert not Tag.objects.exists()


@pytest.mark.parametrize("persona", ["operator", "nobody"])
def test_operators_may_not_map_tags(plant, api, request, persona):
    api.force_authenticate(request.getfixturevalue(persona))
    response = api.post(TAGS, {"node_id": LOADING, "station": "T-COATING", "parameter": "x_mm"})
    assert (response.status_code, response.json()) == (403, NOT_MAPPER)
    assert not Tag.objects.exists()


def test_anonymous_is_a_401(plant, api):
    assert api.get(TAGS).status_code == 401
    assert api.post(TAGS, {"node_id": LOADING}).status_code == 401


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("", ["loading", "position", "speed", "alignment"]),
        ("station=T-COATING", ["loading", "position", "speed"]),
        ("parameter=web_speed_m_min", ["speed"]),
        ("role=web_position_m", ["position"]),
        ("enabled=false", ["alignment"]),
        ("enabled=true&station=T-STACKING", []),
        ("station=NOWHERE", []),
    ],
)
def test_the_tag_map_is_listed_by_station_and_node_and_filtered(
    mapped, operator, api, query, expected
):
    names = {tag.id: name for name, tag in mapped.items()}
    api.force_authenticate(operator)
    response = api.get(f"{TAGS}?{query}")
    assert response.status_code == 200
    assert [names[row["id"]] for row in response.json()["results"]] == expected


def test_a_malformed_role_filter_is_a_400_naming_it(operator, api):
    api.force_authenticate(operator)
    response = api.get(f"{TAGS}?role=speed")
    assert response.status_code == 400
    assert list(response.json()["error"]["fields"]) == ["role"]


def test_a_tag_by_id(mapped, operator, api):
    tag = mapped["position"]
    api.force_authenticate(operator)
    response = api.get(f"{TAGS}{tag.id}/")
    assert response.json() == {
        "id": tag.id,
        "node_id": "ns=2;s=COAT-01.WebPosition",
        "station": "T-COATING",
        "parameter": "",
        "role": "web_position_m",
        "sampling_interval_ms": 100,
        "queue_size": 10,
        "deadband_kind": "none",
        "deadband_value": 0.0,
        "enabled": True,
        "description": "",
        "updated_at": iso(tag.updated_at),
        "health": None,
        "warnings": [],  # a role tag is judged by nothing
    }


def test_an_unknown_tag_id_is_a_404_naming_it(operator, api):
    api.force_authenticate(operator)
    response = api.get(f"{TAGS}999/")
    assert response.status_code == 404
    assert response.json()["error"] == {
        "code": "not_found",
        "message": "No tag with id 999.",
        "fields": {"id": ["No tag with id 999."]},
    }


def test_disable_a_tag(mapped, integration, api):
    tag = mapped["loading"]
    api.force_authenticate(integration)
    response = api.patch(f"{TAGS}{tag.id}/", {"enabled": False}, format="json")
    assert response.status_code == 200
    assert response.json()["enabled"] is False
    after = Tag.objects.get(pk=tag.pk)
    assert (after.enabled, after.parameter, after.sampling_interval_ms) == (
        False,
        "areal_loading_mg_cm2",
        100,
    )
    assert after.updated_at > tag.updated_at  # the bridge and the ingest reload the map
    assert response.json()["updated_at"] == iso(after.updated_at)


def test_a_form_encoded_change_leaves_the_fields_it_does_not_name(mapped, integration, api):
    tag = mapped["loading"]
    api.force_authenticate(integration)
    response = api.patch(
        f"{TAGS}{tag.id}/",
        "description=beta+gauge",
        content_type="application/x-www-form-urlencoded",
    )
    assert response.status_code == 200
    after = Tag.objects.get(pk=tag.pk)
    assert (after.description, after.enabled, after.queue_size) == ("beta gauge", True, 10)


def test_change_the_settings_and_turn_a_process_value_into_a_role(mapped, quality_engineer, api):
    tag = mapped["speed"]
    api.force_authenticate(quality_engineer)
    response = api.patch(
        f"{TAGS}{tag.id}/",
        {"role": "unit_id", "sampling_interval_ms": 0, "queue_size": 1, "description": "serial"},
        format="json",
    )
    assert response.status_code == 200
    after = Tag.objects.get(pk=tag.pk)
    assert (after.parameter, after.role, after.sampling_interval_ms, after.queue_size) == (
        "",
        "unit_id",
        0,
        1,
    )
    assert (after.description, after.node_id, after.station.code) == (
        "serial",
        "ns=2;s=COAT-01.WebSpeed",
        "T-COATING",
    )
    back = api.patch(f"{TAGS}{tag.id}/", {"parameter": "web_speed_m_min"}, format="json")
    assert (back.status_code, back.json()["parameter"], back.json()["role"]) == (
        200,
        "web_speed_m_min",
        "",
    )


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"parameter": "web_speed_m_min", "role": "unit_id"}, "role"),
        ({"parameter": ""}, "parameter"),
        ({"role": None}, "parameter"),
        ({"queue_size": 0}, "queue_size"),
        ({"node_id": "ns=2;s=COAT-01.Other"}, "node_id"),
        ({"station": "T-STACKING"}, "station"),
    ],
)
def test_a_refused_change_is_a_400_naming_the_field_and_changes_nothing(
    mapped, quality_engineer, api, change, field
):
    before = stored()
    api.force_authenticate(quality_engineer)
    response = api.patch(f"{TAGS}{mapped['speed'].id}/", change, format="json")
    assert response.status_code == 400
    assert list(response.json()["error"]["fields"]) == [field]
    assert stored() == before


def test_a_node_id_cannot_be_changed_and_the_answer_says_what_to_do(mapped, quality_engineer, api):
    api.force_authenticate(quality_engineer)
    response = api.patch(f"{TAGS}{mapped['speed'].id}/", {"node_id": "ns=2;s=X"}, format="json")
    assert response.json()["error"]["fields"] == {
        "node_id": [
            "A tag's node id does not change (its samples are stored under it): disable this "
            "tag and map the new node id as a new tag."
        ]
    }


def test_an_operator_may_not_change_a_tag(mapped, operator, api):
    before = stored()
    api.force_authenticate(operator)
    response = api.patch(f"{TAGS}{mapped['loading'].id}/", {"enabled": False}, format="json")
    assert (response.status_code, response.json()) == (403, NOT_MAPPER)
    assert stored() == before


def test_a_change_to_an_unknown_tag_is_a_404(plant, quality_engineer, api):
    api.force_authenticate(quality_engineer)
    response = api.patch(f"{TAGS}999/", {"enabled": False}, format="json")
    assert (response.status_code, response.json()["error"]["fields"]) == (
        404,
        {"id": ["No tag with id 999."]},
    )


def test_a_tag_is_never_deleted_or_replaced(mapped, admin, api):
    before = stored()
    api.force_authenticate(admin)
    url = f"{TAGS}{mapped['loading'].id}/"
    answers = [
        api.delete(url),
        api.put(url, {"node_id": LOADING, "station": "T-COATING", "parameter": "x_mm"}),
    ]
    assert [(a.status_code, a.json()["error"]["code"]) for a in answers] == [
        (405, "method_not_allowed")
    ] * 2
    assert stored() == before


def test_an_unchanged_tag_keeps_its_update_time(mapped):
    tag = mapped["loading"]
    same = services.tag_update(tag=tag, enabled=True, parameter="areal_loading_mg_cm2")
    assert Tag.objects.get(pk=tag.pk).updated_at == tag.updated_at == same.updated_at


def test_the_services_take_keywords_only(plant):
    with pytest.raises(TypeError):
        services.tag_create(LOADING, plant.station("coating"), "x_mm")  # type: ignore[misc]
    assert not Tag.objects.exists()


def test_a_setpoint_tag_names_its_recipe_key_and_needs_one(api, integration, plant):
    api.force_authenticate(integration)
    base = {"node_id": "ns=2;s=T.SpeedSet", "station": "T-COATING", "role": "setpoint"}
    refused = api.post("/api/v1/tags/", base, format="json")
    assert refused.status_code == 400
    assert refused.json()["error"]["fields"]["parameter"][0].startswith(
        "A setpoint tag needs the recipe's set-point key in parameter"
    )
    made = api.post("/api/v1/tags/", {**base, "parameter": "web_speed_m_min"}, format="json")
    assert made.status_code == 201
    assert (made.json()["role"], made.json()["parameter"]) == ("setpoint", "web_speed_m_min")
