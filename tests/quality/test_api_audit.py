"""The audit API: rows for what the quality API changed, filters, and no way to write."""

from urllib.parse import quote

import pytest

from quality.models import AuditEntry, Hold, SpecVersion
from tests.factories import make_cell

AUDIT = "/api/v1/audit/"


@pytest.fixture
def changes(plant, quality_engineer, api):
    """A spec created and a hold placed through the API by the quality engineer."""
    make_cell(plant, "C-1")
    api.force_authenticate(quality_engineer)
    spec = api.post(
        "/api/v1/specs/",
        {
            "parameter": "seal_temperature_c",
            "unit_of_measure": "degC",
            "station_kind": "sealing",
            "lsl": 185,
            "usl": 195,
            "reason": "initial limits",
        },
        format="json",
    ).json()
    hold = api.post("/api/v1/holds/", {"unit": "C-1", "reason": "dent"}, format="json").json()
    api.force_authenticate(None)
    return spec, hold


def test_spec_creation_and_hold_placement_are_audited(changes, operator, api):
    spec, hold = changes
    version = SpecVersion.objects.get()
    api.force_authenticate(operator)

    rows = api.get(AUDIT).json()["results"]

    assert [(r["entity"], r["entity_id"], r["action"], r["by"]) for r in rows] == [
        ("hold", hold["id"], "placed", "quinn.quality"),
        ("spec_version", version.pk, "created", "quinn.quality"),
    ]
    spec_row = rows[1]
    assert (spec_row["before"], spec_row["reason"]) == (None, "initial limits")
    assert spec_row["after"] == {
        "spec": spec["id"],
        "version": 1,
        "target": None,
        "lsl": 185.0,
        "usl": 195.0,
        "lcl": None,
        "ucl": None,
        "valid_from": version.valid_from.isoformat(),
        "created_by": version.created_by_id,
        "reason": "initial limits",
    }
    hold_row = rows[0]
    placed = Hold.objects.get()
    assert hold_row["reason"] == "dent"
    assert hold_row["after"] == {
        "unit": placed.unit_id,
        "reason": "dent",
        "state": "active",
        "flag": None,
        "placed_by": placed.placed_by_id,
        "placed_at": placed.placed_at.isoformat(),
        "released_at": None,
        "members": 1,
        "held": 1,
    }
    assert api.get(f"{AUDIT}{hold_row['id']}/").json() == hold_row


def test_each_filter(changes, operator, api):
    spec, hold = changes
    version_id = SpecVersion.objects.get().pk
    hold_row = AuditEntry.objects.get(entity="hold")
    # The trail is append-only (no back-dating rows on PostgreSQL): split at the hold's own time.
    split = quote(hold_row.at.isoformat())
    api.force_authenticate(operator)

    def rows(query: str) -> list[tuple[str, str]]:
        found = api.get(f"{AUDIT}?{query}").json()["results"]
        return [(row["entity"], row["action"]) for row in found]

    assert rows("entity=hold") == [("hold", "placed")]
    assert rows(f"entity=spec_version&entity_id={version_id}") == [("spec_version", "created")]
    assert rows(f"entity=hold&entity_id={hold['id'] + 1}") == []
    assert rows("action=created") == [("spec_version", "created")]
    assert rows("by=quinn.quality") == [("hold", "placed"), ("spec_version", "created")]
    assert rows("by=olivia.operator") == []
    assert rows(f"at_after={split}") == [("hold", "placed")]
    assert rows(f"at_before={split}") == [("spec_version", "created")]
    assert rows("at_after=2000-01-01T00:00:00Z&at_before=2000-01-02T00:00:00Z") == []
    assert hold_row.entity_id == hold["id"]
    assert spec["id"] == SpecVersion.objects.get().spec_id


@pytest.mark.parametrize("persona", ["operator", "integration", "nobody", "quality_engineer"])
def test_no_role_can_write_the_audit_trail(changes, api, request, persona):
    entry = AuditEntry.objects.get(entity="hold")
    before = list(AuditEntry.objects.order_by("id").values())
    api.force_authenticate(request.getfixturevalue(persona))

    answers = [
        api.post(AUDIT, {"entity": "hold", "entity_id": 1, "action": "placed"}, format="json"),
        api.put(f"{AUDIT}{entry.pk}/", {"reason": "edited"}, format="json"),
        api.patch(f"{AUDIT}{entry.pk}/", {"reason": "edited"}, format="json"),
        api.delete(f"{AUDIT}{entry.pk}/"),
        api.delete(AUDIT),
    ]

    assert [(a.status_code, a.json()["error"]["code"]) for a in answers] == [
        (405, "method_not_allowed")
    ] * 5
    assert list(AuditEntry.objects.order_by("id").values()) == before


VERIFY = f"{AUDIT}verify/"


def test_verify_answers_intact_with_the_heads_to_record(changes, quality_engineer, api):
    api.force_authenticate(quality_engineer)
    body = api.get(VERIFY).json()
    last = AuditEntry.objects.order_by("seq").last()
    assert body == {
        "intact": True,
        "first_broken": None,
        "problems": [],
        "more_problems": 0,
        "checked": {"audit": 2, "signature": 0},
        "heads": {"audit": {"seq": 2, "mac": last.mac}, "signature": {"seq": 0, "mac": ""}},
    }
    recorded = api.get(f"{VERIFY}?expect=audit={last.seq}:{last.mac}").json()
    assert recorded["intact"] is True
    wrong = api.get(f"{VERIFY}?expect=audit={last.seq}:{'0' * 64}").json()
    assert (wrong["intact"], wrong["first_broken"]["field"]) == (False, "head")


@pytest.mark.parametrize("persona", ["operator", "integration", "nobody"])
def test_verify_needs_the_quality_engineer_role(changes, api, request, persona):
    api.force_authenticate(request.getfixturevalue(persona))
    answer = api.get(VERIFY)
    assert (answer.status_code, answer.json()["error"]["code"]) == (403, "permission_denied")


def test_verify_refuses_a_malformed_expected_head(changes, quality_engineer, api):
    api.force_authenticate(quality_engineer)
    answer = api.get(f"{VERIFY}?expect=audit=two:abc")
    assert answer.status_code == 400
    assert answer.json()["error"]["fields"] == {
        "expect": ["audit=two:abc: write audit=SEQ:MAC or signature=SEQ:MAC."]
    }


def test_verify_speaks_simplified_chinese(changes, quality_engineer, operator, api):
    api.force_authenticate(operator)
    refused = api.get(VERIFY, HTTP_ACCEPT_LANGUAGE="zh-hans").json()
    assert refused["error"]["message"] == "校验审计追踪需要质量工程师角色。"
    api.force_authenticate(quality_engineer)
    wrong_head = f"{VERIFY}?expect=audit=2:{'0' * 64}"
    body = api.get(wrong_head, HTTP_ACCEPT_LANGUAGE="zh-hans").json()
    assert body["first_broken"]["why"] == "链中已不再包含先前记录的链头（序号 2）。"
