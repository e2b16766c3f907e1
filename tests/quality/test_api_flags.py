"""The flags API: flags raised by the evaluation of samples, filtered and read in detail."""

from datetime import UTC, datetime, timedelta

import pytest

from quality import services
from quality.models import Flag
from tests.factories import PASSWORD, add_samples, build_cathode_chain, make_cell, make_spec

FLAGS = "/api/v1/flags/"
T0 = datetime(2025, 3, 1, 8, 0, tzinfo=UTC)


@pytest.fixture
def raised(plant, quality_engineer):
    """Flags from evaluated samples: a hot seal on C-1 (held), a misaligned stack on C-2 (not
    held, then used as is), and unreadable seal readings on C-3."""
    make_spec("seal_temperature_c", "sealing", lsl=185, usl=195, target=190)
    make_spec(
        "alignment_mm", "stacking", lsl=-0.2, usl=0.2, holds_on_violation=False, severity="minor"
    )
    sealer, stacker = plant.station("sealing"), plant.station("stacking")
    cells = [make_cell(plant, f"C-{n}") for n in (1, 2, 3)]
    samples = [
        *add_samples(sealer, "seal_temperature_c", [190.0, 201.5, 197.0], unit=cells[0]),
        *add_samples(sealer, "seal_temperature_c", [189.0], unit=cells[1]),
        *add_samples(stacker, "alignment_mm", [0.05, -0.31], unit=cells[1]),
        *add_samples(sealer, "seal_temperature_c", [190.0], unit=cells[2], status_code=0x80000000),
    ]
    flags = services.samples_evaluate(samples=samples, by=quality_engineer)
    by_name = {
        "hot_seal": next(f for f in flags if f.unit_id == cells[0].pk),
        "misaligned": next(f for f in flags if f.parameter == "alignment_mm"),
        "unreadable": next(f for f in flags if f.kind == "data_quality"),
    }
    assert len(flags) == 3
    for hour, name in enumerate(["hot_seal", "misaligned", "unreadable"]):
        Flag.objects.filter(pk=by_name[name].pk).update(raised_at=T0 + timedelta(hours=hour))
    services.disposition_decide(
        flag=by_name["misaligned"],
        decision="use_as_is",
        reason="within the stacker's repeatability",
        password=PASSWORD,
        by=quality_engineer,
    )
    return {name: flag.pk for name, flag in by_name.items()}, samples


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("", ["unreadable", "misaligned", "hot_seal"]),
        ("unit=C-1", ["hot_seal"]),
        ("unit=C-2", ["misaligned"]),
        ("unit=NOPE", []),
        ("state=open", ["unreadable", "hot_seal"]),
        ("state=dispositioned", ["misaligned"]),
        ("station=T-SEALING", ["unreadable", "hot_seal"]),
        ("station=T-STACKING", ["misaligned"]),
        ("parameter=alignment_mm", ["misaligned"]),
        ("parameter=seal_temperature_c&state=open", ["unreadable", "hot_seal"]),
        ("kind=data_quality", ["unreadable"]),
        ("kind=out_of_spec&station=T-SEALING", ["hot_seal"]),
        ("severity=minor", ["misaligned"]),
        ("raised_after=2025-03-01T09:00:00Z", ["unreadable", "misaligned"]),
        ("raised_before=2025-03-01T09:00:00Z", ["hot_seal"]),
        ("raised_after=2025-03-01T09:00:00Z&raised_before=2025-03-01T10:00:00Z", ["misaligned"]),
    ],
)
def test_each_list_filter(raised, operator, api, query, expected):
    ids, _samples = raised
    api.force_authenticate(operator)
    response = api.get(f"{FLAGS}?{query}")
    assert response.status_code == 200
    names = {flag_id: name for name, flag_id in ids.items()}
    assert [names[row["id"]] for row in response.json()["results"]] == expected


@pytest.mark.parametrize(
    ("query", "field"),
    [("state=closed", "state"), ("kind=bad", "kind"), ("raised_after=yesterday", "raised_after")],
)
def test_a_malformed_filter_is_a_400_naming_it(raised, operator, api, query, field):
    api.force_authenticate(operator)
    response = api.get(f"{FLAGS}?{query}")
    assert (response.status_code, list(response.json()["error"]["fields"])) == (400, [field])


def test_a_flag_in_detail(raised, operator, api):
    ids, samples = raised
    flag = Flag.objects.get(pk=ids["hot_seal"])
    api.force_authenticate(operator)

    response = api.get(f"{FLAGS}{flag.pk}/")

    assert response.status_code == 200
    assert response.json() == {
        "id": flag.pk,
        "kind": "out_of_spec",
        "state": "open",
        "severity": "major",
        "unit": "C-1",
        "station": "T-SEALING",
        "parameter": "seal_temperature_c",
        "value": 201.5,
        "limit": "USL 195",
        "detail": "",
        "spec_version": {
            "id": flag.spec_version_id,
            "spec": flag.spec_version.spec_id,
            "version": 1,
            "target": 190.0,
            "lsl": 185.0,
            "usl": 195.0,
            "lcl": None,
            "ucl": None,
        },
        "position_from": None,
        "position_to": None,
        "source_flag": None,
        "derived_flag_count": 0,
        "sample_ids": [samples[1].pk, samples[2].pk],
        "raised_at": "2025-03-01T08:00:00Z",
    }


def test_a_roll_segment_flag_shows_its_metres_and_the_flags_derived_from_it(
    plant, quality_engineer, api
):
    _lot, _slurry, mother, _lanes, _cells = build_cathode_chain(plant)
    make_spec("areal_loading_mg_cm2", "coating", lsl=24.5, usl=25.5, target=25.0)
    samples = add_samples(
        plant.station("coating"),
        "areal_loading_mg_cm2",
        [25.0, 26.1, 26.3, 25.0],
        unit=mother,
        positions=[399.0, 400.5, 401.0, 405.0],
    )
    root = services.samples_evaluate(samples=samples, by=quality_engineer)[0]
    api.force_authenticate(quality_engineer)

    segment = api.get(f"{FLAGS}{root.pk}/").json()
    derived = api.get(f"{FLAGS}?unit=MR-1-A-C0").json()["results"]

    assert (segment["unit"], segment["position_from"], segment["position_to"]) == (
        "MR-1",
        400.5,
        401.0,
    )
    assert (segment["source_flag"], segment["derived_flag_count"]) == (None, 4)
    assert segment["sample_ids"] == [samples[1].pk, samples[2].pk]
    assert [(row["source_flag"], row["value"], row["limit"]) for row in derived] == [
        (root.pk, 26.3, "USL 25.5")
    ]
    detail = f"sheets came from metres 400.5..401 of roll MR-1 (flag {root.pk})"
    assert derived[0]["detail"] == detail


def test_flags_are_read_only(raised, quality_engineer, api):
    ids, _samples = raised
    api.force_authenticate(quality_engineer)
    assert api.post(FLAGS, {}, format="json").status_code == 405
    assert api.delete(f"{FLAGS}{ids['hot_seal']}/").status_code == 405
    assert Flag.objects.count() == 3


def test_an_unknown_flag_is_a_404_naming_id(plant, operator, api):
    api.force_authenticate(operator)
    response = api.get(f"{FLAGS}987654/")
    assert (response.status_code, response.json()["error"]["fields"]) == (
        404,
        {"id": ["No flag with id 987654."]},
    )
