"""Dispositions need a quality engineer's password and reason; what they sign is tamper-evident."""

import pytest

from lines.choices import UnitStatus
from lines.models import Unit
from mes.errors import Forbidden, InvalidInput, RuleViolation
from quality import services
from quality.models import AuditEntry, Disposition, Flag, Hold, Signature
from quality.selectors.dispositions import disposition_verify
from quality.services.flags import flag_new, flags_raise
from tests.factories import PASSWORD, make_cell


@pytest.fixture
def held_cell(plant, quality_engineer):
    cell = make_cell(plant, "CELL-1")
    hold = services.hold_place(unit=cell, reason="seal wrinkle", by=quality_engineer)
    return cell, hold


def _decide(hold, by, **overrides):
    args = {
        "hold": hold,
        "decision": "release",
        "reason": "re-inspected, seal OK",
        "password": PASSWORD,
        "by": by,
    } | overrides
    return services.disposition_decide(**args)


@pytest.mark.parametrize(
    ("overrides", "error", "field"),
    [
        ({"password": "wrong"}, InvalidInput, "password"),
        ({"password": ""}, InvalidInput, "password"),
        ({"reason": "  "}, InvalidInput, "reason"),
        ({"decision": "forget"}, InvalidInput, "decision"),
    ],
)
def test_a_disposition_without_a_valid_signature_changes_nothing(
    held_cell, quality_engineer, overrides, error, field
):
    cell, hold = held_cell
    with pytest.raises(error) as refused:
        _decide(hold, quality_engineer, **overrides)
    assert refused.value.field == field
    assert (Signature.objects.count(), Disposition.objects.count()) == (0, 0)
    assert Unit.objects.get(pk=cell.pk).status == UnitStatus.ON_HOLD
    assert Hold.objects.get(pk=hold.pk).state == "active"


def test_an_operator_cannot_sign_a_disposition(held_cell, operator):
    _cell, hold = held_cell
    with pytest.raises(Forbidden):
        _decide(hold, operator)
    assert Signature.objects.count() == 0


def test_a_signed_release_records_who_when_what_and_why(held_cell, quality_engineer):
    cell, hold = held_cell
    disposition = _decide(hold, quality_engineer)

    signature = disposition.signature
    assert (signature.signer, signature.meaning, signature.reason) == (
        quality_engineer,
        "disposition: release",
        "re-inspected, seal OK",
    )
    assert len(signature.content_hash) == 64
    assert Unit.objects.get(pk=cell.pk).status == UnitStatus.CREATED
    entry = AuditEntry.objects.get(entity="disposition", entity_id=disposition.pk, action="signed")
    assert (entry.by, entry.after["decision"], entry.after["hash"]) == (
        quality_engineer,
        "release",
        signature.content_hash,
    )
    assert disposition_verify(disposition=disposition) is True


def test_a_hold_is_decided_once(held_cell, quality_engineer):
    _cell, hold = held_cell
    _decide(hold, quality_engineer)
    with pytest.raises(RuleViolation, match="already released"):
        _decide(Hold.objects.get(pk=hold.pk), quality_engineer)
    assert Disposition.objects.count() == 1


def test_scrap_scraps_the_held_units_and_closes_the_flag(plant, quality_engineer):
    cell = make_cell(plant, "CELL-1")
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
    hold = services.hold_place(unit=cell, reason="seal too hot", flag=flag)
    _decide(hold, quality_engineer, decision="scrap", reason="seal burnt")
    assert Unit.objects.get(pk=cell.pk).status == UnitStatus.SCRAPPED
    assert Flag.objects.get(pk=flag.pk).state == "dispositioned"


@pytest.mark.parametrize(
    "tamper",
    [
        lambda d: Disposition.objects.filter(pk=d.pk).update(decision="scrap"),
        lambda d: Disposition.objects.filter(pk=d.pk).update(reason="edited later"),
        lambda d: Hold.objects.filter(pk=d.hold_id).update(reason="another reason"),
    ],
)
def test_a_change_after_signing_is_detected(held_cell, quality_engineer, tamper):
    _cell, hold = held_cell
    disposition = _decide(hold, quality_engineer)
    tamper(disposition)
    assert disposition_verify(disposition=Disposition.objects.get(pk=disposition.pk)) is False


def test_an_ncr_groups_flags_and_their_units(plant, quality_engineer):
    cells = [make_cell(plant, f"CELL-{n}") for n in (1, 2)]
    flags = flags_raise(
        flags=[
            flag_new(
                kind="out_of_spec",
                station=plant.station("eol"),
                parameter="acir_mohm",
                unit=c,
                value=1.9,
                limit="USL 1.6",
            )
            for c in cells
        ]
    )
    ncr = services.ncr_open(title="High ACIR on WO-1", flags=flags, by=quality_engineer)
    assert ncr.code.startswith("NCR-") and ncr.code.endswith("-0001")
    assert set(ncr.units.values_list("identifier", flat=True)) == {"CELL-1", "CELL-2"}
    services.ncr_close(ncr=ncr, reason="cell supplier tab weld fixed", by=quality_engineer)
    with pytest.raises(RuleViolation, match="already closed"):
        services.ncr_close(ncr=ncr, reason="again", by=quality_engineer)
    assert list(AuditEntry.objects.filter(entity="ncr").values_list("action", flat=True)) == [
        "closed",
        "opened",
    ]
