"""The dispositions API: a signed release restores the held units; a wrong password changes
nothing; a disposition edited after signing reads `intact: false`."""

import pytest

from lines.models import Unit
from quality import services
from quality.models import AuditEntry, Disposition, Flag, Hold, Signature
from quality.services.flags import flag_new, flags_raise
from tests.factories import PASSWORD, build_cathode_chain, make_cell

DISPOSITIONS = "/api/v1/dispositions/"


def statuses() -> dict[str, str]:
    return dict(Unit.objects.values_list("identifier", "status"))


@pytest.fixture
def held_chain(plant, quality_engineer):
    """The cathode chain with the lot on hold; returns the statuses before the hold, and the hold."""
    lot = build_cathode_chain(plant)[0]
    before = statuses()
    hold = services.hold_place(unit=lot, reason="supplier CoA mismatch", by=quality_engineer)
    return before, hold


def flag_on(plant, identifier: str) -> Flag:
    return flags_raise(
        flags=[
            flag_new(
                kind="out_of_spec",
                station=plant.station("sealing"),
                parameter="seal_temperature_c",
                unit=make_cell(plant, identifier),
                value=201.0,
                limit="USL 195",
            )
        ]
    )[0]


def signed_records() -> tuple[int, int]:
    return Signature.objects.count(), Disposition.objects.count()


def test_a_signed_release_restores_the_statuses_before_the_hold(held_chain, quality_engineer, api):
    before, hold = held_chain
    api.force_authenticate(quality_engineer)

    response = api.post(
        DISPOSITIONS,
        {
            "hold": hold.pk,
            "decision": "release",
            "reason": "CoA corrected by supplier",
            "password": PASSWORD,
        },
        format="json",
    )

    assert response.status_code == 201
    disposition = Disposition.objects.get()
    signature = disposition.signature
    assert response.json() == {
        "id": disposition.pk,
        "decision": "release",
        "reason": "CoA corrected by supplier",
        "hold": hold.pk,
        "flag": None,
        "decided_at": disposition.decided_at.isoformat().replace("+00:00", "Z"),
        "signature": {
            "signer": "quinn.quality",
            "signed_at": signature.signed_at.isoformat().replace("+00:00", "Z"),
            "meaning": "disposition: release",
            "reason": "CoA corrected by supplier",
            "content_hash": signature.content_hash,
        },
        "intact": True,
    }
    assert len(signature.content_hash) == 64
    assert statuses() == before
    assert Hold.objects.get(pk=hold.pk).state == "released"
    for identifier, status in before.items():
        assert api.get(f"/api/v1/units/{identifier}/").json()["status"] == status


def test_a_wrong_password_is_a_400_naming_password_and_changes_nothing(
    held_chain, quality_engineer, api
):
    _before, hold = held_chain
    held = statuses()
    audit_rows = AuditEntry.objects.count()
    api.force_authenticate(quality_engineer)

    response = api.post(
        DISPOSITIONS,
        {"hold": hold.pk, "decision": "release", "reason": "looks fine", "password": "guess"},
        format="json",
    )

    assert response.status_code == 400
    assert response.json() == {
        "error": {
            "code": "invalid",
            "message": "The password is not correct; nothing was signed.",
            "fields": {"password": ["The password is not correct; nothing was signed."]},
        }
    }
    assert signed_records() == (0, 0)
    assert Hold.objects.get(pk=hold.pk).state == "active"
    assert statuses() == held
    assert AuditEntry.objects.count() == audit_rows


def test_an_operator_cannot_sign_even_with_the_right_password(held_chain, operator, api):
    _before, hold = held_chain
    held = statuses()
    api.force_authenticate(operator)
    response = api.post(
        DISPOSITIONS,
        {"hold": hold.pk, "decision": "release", "reason": "fine", "password": PASSWORD},
        format="json",
    )
    assert (response.status_code, response.json()["error"]["code"]) == (403, "permission_denied")
    assert signed_records() == (0, 0)
    assert statuses() == held


def test_a_disposition_edited_in_the_database_reads_not_intact(held_chain, quality_engineer, api):
    _before, hold = held_chain
    api.force_authenticate(quality_engineer)
    created = api.post(
        DISPOSITIONS,
        {"hold": hold.pk, "decision": "release", "reason": "CoA fixed", "password": PASSWORD},
        format="json",
    ).json()
    assert api.get(f"{DISPOSITIONS}{created['id']}/").json()["intact"] is True

    Disposition.objects.filter(pk=created["id"]).update(reason="released without checking")

    detail = api.get(f"{DISPOSITIONS}{created['id']}/").json()
    assert (detail["reason"], detail["intact"]) == ("released without checking", False)
    assert detail["signature"] == created["signature"]
    listed = api.get(DISPOSITIONS).json()["results"]
    assert [(row["id"], row["intact"]) for row in listed] == [(created["id"], False)]


def test_a_flag_no_hold_covers_is_decided_directly(plant, quality_engineer, api):
    flag = flag_on(plant, "C-1")
    api.force_authenticate(quality_engineer)
    response = api.post(
        DISPOSITIONS,
        {"flag": flag.pk, "decision": "scrap", "reason": "seal burnt", "password": PASSWORD},
        format="json",
    )
    assert response.status_code == 201
    assert (response.json()["flag"], response.json()["hold"]) == (flag.pk, None)
    assert Flag.objects.get(pk=flag.pk).state == "dispositioned"
    assert Unit.objects.get(identifier="C-1").status == "scrapped"


@pytest.mark.parametrize(
    ("body", "status", "error", "fields"),
    [
        (
            {"decision": "release"},
            400,
            "invalid",
            {"hold": ["Decide on exactly one hold or one flag."]},
        ),
        (
            {"hold": 999999, "decision": "release"},
            404,
            "not_found",
            {"hold": ["No hold with id 999999."]},
        ),
        (
            {"flag": 999999, "decision": "scrap"},
            404,
            "not_found",
            {"flag": ["No flag with id 999999."]},
        ),
        ({"decision": "forget"}, 400, "invalid", {"decision": ['"forget" is not a valid choice.']}),
        (
            {"decision": "release", "password": ""},
            400,
            "invalid",
            {"password": ["This field may not be blank."]},
        ),
    ],
)
def test_malformed_dispositions_are_refused_naming_the_field(
    plant, quality_engineer, api, body, status, error, fields
):
    api.force_authenticate(quality_engineer)
    full = {"reason": "why", "password": PASSWORD, **body}
    response = api.post(DISPOSITIONS, full, format="json")
    assert (response.status_code, response.json()["error"]["code"]) == (status, error)
    assert response.json()["error"]["fields"] == fields
    assert signed_records() == (0, 0)


def test_a_released_hold_and_a_held_flag_are_conflicts(plant, quality_engineer, api):
    flag = flag_on(plant, "C-1")
    hold = services.hold_place(unit=flag.unit, reason="hot seal", flag=flag)
    api.force_authenticate(quality_engineer)
    on_flag = api.post(
        DISPOSITIONS,
        {"flag": flag.pk, "decision": "use_as_is", "reason": "ok", "password": PASSWORD},
        format="json",
    )
    assert (on_flag.status_code, on_flag.json()["error"]["message"]) == (
        409,
        f"Flag {flag.pk} is under an active hold; decide on the hold.",
    )
    first = api.post(
        DISPOSITIONS,
        {"hold": hold.pk, "decision": "release", "reason": "ok", "password": PASSWORD},
        format="json",
    )
    again = api.post(
        DISPOSITIONS,
        {"hold": hold.pk, "decision": "scrap", "reason": "changed mind", "password": PASSWORD},
        format="json",
    )
    assert (first.status_code, again.status_code) == (201, 409)
    decided = Disposition.objects.get()
    assert again.json()["error"]["message"] == (
        f"Hold {hold.pk} is already released: Release, signed by quinn.quality at "
        f"{decided.decided_at:%Y-%m-%d %H:%M:%S} UTC. Nothing was signed."
    )
    assert signed_records() == (1, 1)
    assert Unit.objects.get(identifier="C-1").status == "created"


def test_list_filters_by_decision_hold_and_flag(plant, quality_engineer, api):
    scrapped = services.disposition_decide(
        flag=flag_on(plant, "C-1"),
        decision="scrap",
        reason="burnt",
        password=PASSWORD,
        by=quality_engineer,
    )
    hold = services.hold_place(unit=make_cell(plant, "C-2"), reason="dent")
    released = services.disposition_decide(
        hold=hold, decision="release", reason="ok", password=PASSWORD, by=quality_engineer
    )
    api.force_authenticate(quality_engineer)

    def ids(query: str) -> list[int]:
        return [row["id"] for row in api.get(f"{DISPOSITIONS}?{query}").json()["results"]]

    assert ids("") == [released.pk, scrapped.pk]
    assert ids("decision=scrap") == [scrapped.pk]
    assert ids(f"hold={hold.pk}") == [released.pk]
    assert ids(f"flag={scrapped.flag_id}") == [scrapped.pk]
