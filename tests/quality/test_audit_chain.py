"""The sealed audit trail, in both modes: every row keyed (HMAC) and chained, and audit_verify
names the first broken link for an edit, a forgery, a deletion or an unknown key."""

import hashlib
import threading

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from mes.audit_keys import DEV_KEY_ID
from quality.audit_chain import AUDIT, SIGNATURE, mac_matches
from quality.models import AuditEntry, ChainHead, Disposition, Hold, Signature
from quality.selectors.audit_verify import audit_verify
from quality.selectors.dispositions import disposition_verify
from quality.services import hold_place
from tests.factories import make_cell, make_spec
from tests.quality.audit_helpers import insider_delete, insider_update, scrapped_hold

pytestmark = pytest.mark.db_owner


@pytest.fixture
def trail(plant, quality_engineer):
    """A spec, a hold and a signed scrap: audit entries 1..n and one signature."""
    make_spec("ocv_v", "eol", lsl=3.60, usl=3.70, by=quality_engineer)
    return scrapped_hold(plant, quality_engineer)


def _first(report):
    first = report.problems[0]
    return first.record, first.field


def test_every_row_is_sealed_in_one_chain_linked_to_the_one_before(trail):
    entries = list(AuditEntry.objects.order_by("seq"))
    assert [e.seq for e in entries] == list(range(1, len(entries) + 1))
    assert [e.prev_mac for e in entries] == ["", *[e.mac for e in entries[:-1]]]
    assert {e.key_id for e in entries} == {DEV_KEY_ID}
    assert all(len(e.mac) == 64 and mac_matches(AUDIT, e) for e in entries)
    signature = Signature.objects.get()
    assert (signature.seq, signature.prev_mac, mac_matches(SIGNATURE, signature)) == (1, "", True)
    heads = {h.chain: (h.seq, h.mac) for h in ChainHead.objects.all()}
    assert heads == {AUDIT: (entries[-1].seq, entries[-1].mac), SIGNATURE: (1, signature.mac)}
    report = audit_verify()
    assert (report.intact, report.problems) == (True, [])
    assert report.checked == {AUDIT: len(entries), SIGNATURE: 1}


@pytest.mark.parametrize(
    "change",
    [
        {"reason": "nobody asked"},
        {"after": {"decision": "use_as_is"}},
        {"action": "viewed"},
        {"entity_id": 999},
        {"by": None},
    ],
    ids=lambda c: next(iter(c)),
)
def test_an_edited_entry_is_the_first_broken_link(trail, change):
    entry = AuditEntry.objects.order_by("seq")[1]
    insider_update(AuditEntry, entry.pk, **change)
    report = audit_verify()
    assert _first(report) == (f"audit entry {entry.pk} (seq 2)", "mac")
    assert "changed after it was written" in report.problems[0].why


def test_entries_and_signatures_rewritten_into_other_shapes_are_reported(trail):
    hold, disposition = trail
    placed = AuditEntry.objects.get(entity="hold", entity_id=hold.pk, action="placed")
    insider_update(AuditEntry, placed.pk, after=["not", "a", "record"])
    insider_update(Signature, disposition.signature_id, content='["not a record"]')
    found = [(p.record, p.field) for p in audit_verify().problems]
    assert found[:2] == [
        (f"audit entry {placed.pk} (seq {placed.seq})", "mac"),
        (f"signature {disposition.signature_id} (seq 1)", "mac"),
    ]
    assert (f"disposition {disposition.pk}", "signature") in found
    assert (f"hold {hold.pk}", "placed_at") in found


def test_a_shifted_time_breaks_the_seal(trail):
    entry = AuditEntry.objects.order_by("seq").first()
    insider_update(AuditEntry, entry.pk, at=entry.at.replace(year=2020))
    assert _first(audit_verify()) == (f"audit entry {entry.pk} (seq 1)", "mac")


def test_a_deleted_middle_entry_is_a_gap(trail):
    middle = AuditEntry.objects.get(seq=2)
    insider_delete(AuditEntry.objects.filter(pk=middle.pk))
    after = AuditEntry.objects.get(seq=3)
    report = audit_verify()
    assert _first(report) == (f"audit entry {after.pk} (seq 3)", "seq")
    assert "seq 2 to 2 are missing" in report.problems[0].why


def test_deleted_last_entries_show_against_the_head_and_a_recorded_head(trail, quality_engineer):
    make_spec("acir_mohm", "eol", usl=1.6, by=quality_engineer)  # last: vouches for no hold
    last = AuditEntry.objects.order_by("seq").last()
    recorded = {AUDIT: (last.seq, last.mac)}
    insider_delete(AuditEntry.objects.filter(pk=last.pk))
    report = audit_verify()
    assert _first(report) == ("audit chain", "head")
    assert f"ends at seq {last.seq - 1} but its head says seq {last.seq}" in report.problems[0].why
    # The insider also winds the head back: only a head recorded outside the database shows it.
    before = AuditEntry.objects.get(seq=last.seq - 1)
    insider_update(ChainHead, AUDIT, seq=before.seq, mac=before.mac)
    assert audit_verify().intact is True
    assert _first(audit_verify(expect=recorded)) == ("audit chain", "head")


def test_a_forged_entry_hashed_without_the_key_is_reported(trail, quality_engineer):
    last = AuditEntry.objects.order_by("seq").last()
    forged = AuditEntry.objects.create(
        at=last.at,
        by=quality_engineer,
        entity="hold",
        entity_id=1,
        action="released",
        reason="forged",
        seq=last.seq + 1,
        key_id=DEV_KEY_ID,
        prev_mac=last.mac,
        mac=hashlib.sha256(b"forged").hexdigest(),
    )
    insider_update(ChainHead, AUDIT, seq=forged.seq, mac=forged.mac)
    assert _first(audit_verify()) == (f"audit entry {forged.pk} (seq {forged.seq})", "mac")


def test_rotation_new_rows_take_the_new_key_and_old_rows_still_verify(
    trail, plant, quality_engineer, settings
):
    old_key = settings.MES_AUDIT_KEYS[DEV_KEY_ID]
    settings.MES_AUDIT_KEYS = {DEV_KEY_ID: old_key, "k2": b"k" * 40}
    settings.MES_AUDIT_KEY_ID = "k2"
    hold_place(unit=make_cell(plant, "CELL-2"), reason="dent", by=quality_engineer)
    assert AuditEntry.objects.order_by("seq").last().key_id == "k2"
    assert audit_verify().intact is True
    # A key dropped from MES_AUDIT_KEYS: the rows it sealed can no longer be vouched for.
    settings.MES_AUDIT_KEYS = {"k2": b"k" * 40}
    report = audit_verify()
    assert _first(report) == (f"audit entry {AuditEntry.objects.get(seq=1).pk} (seq 1)", "key_id")
    # A different secret under the same id: every row fails its seal.
    settings.MES_AUDIT_KEYS = {DEV_KEY_ID: b"x" * 40, "k2": b"k" * 40}
    assert _first(audit_verify())[1] == "mac"


def test_a_rewritten_signature_with_a_recomputed_hash_reads_not_intact(trail):
    hold, disposition = trail
    signature = disposition.signature
    content = signature.content.replace('"decision":"scrap"', '"decision":"use_as_is"')
    assert content != signature.content
    insider_update(
        Signature,
        signature.pk,
        content=content,
        content_hash=hashlib.sha256(content.encode()).hexdigest(),
    )
    insider_update(Disposition, disposition.pk, decision="use_as_is")
    assert disposition_verify(disposition=Disposition.objects.get(pk=disposition.pk)) is False
    report = audit_verify()
    assert _first(report) == (f"signature {signature.pk} (seq 1)", "mac")
    assert (f"disposition {disposition.pk}", "decision") in [
        (p.record, p.field) for p in report.problems
    ]


def test_a_changed_decided_at_reads_not_intact(trail):
    _hold, disposition = trail
    insider_update(
        Disposition, disposition.pk, decided_at=disposition.decided_at.replace(year=2025)
    )
    assert disposition_verify(disposition=Disposition.objects.get(pk=disposition.pk)) is False
    report = audit_verify()
    assert _first(report) == (f"disposition {disposition.pk}", "decided_at")
    assert disposition.decided_at.isoformat() in report.problems[0].why


def test_a_released_hold_set_back_to_active_is_reported(trail):
    hold, _disposition = trail
    insider_update(Hold, hold.pk, state="active", released_at=None)
    report = audit_verify()
    assert [(p.record, p.field) for p in report.problems] == [
        (f"hold {hold.pk}", "state"),
        (f"hold {hold.pk}", "released_at"),
    ]
    assert report.problems[0].why == "It is active now; its sealed record says released."


def test_an_emptied_trail_is_reported_by_the_records_it_vouched_for(trail):
    hold, disposition = trail
    insider_delete(AuditEntry.objects.all())
    insider_delete(ChainHead.objects.filter(chain=AUDIT))
    report = audit_verify()
    assert report.intact is False
    assert [(p.record, p.field) for p in report.problems] == [
        (f"disposition {disposition.pk}", "audit"),
        (f"hold {hold.pk}", "audit"),
        (f"hold {hold.pk}", "state"),  # released, and no sealed record says so
    ]


def test_the_command_exits_non_zero_and_prints_the_first_broken_link(trail, capsys):
    call_command("audit_verify")
    assert "audit trail intact" in capsys.readouterr().out
    entry = AuditEntry.objects.get(seq=1)
    insider_update(AuditEntry, entry.pk, reason="edited")
    with pytest.raises(CommandError, match=rf"broken at audit entry {entry.pk} \(seq 1\) \(mac\)"):
        call_command("audit_verify")
    out = capsys.readouterr().out
    assert f"first broken link: audit entry {entry.pk} (seq 1), field mac:" in out


def test_the_command_refuses_a_malformed_expected_head(trail):
    with pytest.raises(CommandError, match="write audit=SEQ:MAC"):
        call_command("audit_verify", "--expect", "audit=12")


@pytest.mark.django_db(transaction=True)
def test_concurrent_appends_do_not_fork_the_chain(plant, quality_engineer):
    """Writers in threads, each with its own connection: the head's lock queues them."""
    cells = [make_cell(plant, f"CELL-{n}") for n in range(6)]
    errors: list[BaseException] = []

    def place(cell):
        try:
            hold_place(unit=cell, reason="race", by=quality_engineer)
        except BaseException as exc:  # noqa: BLE001 (reported below)
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=place, args=(cell,)) for cell in cells]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert errors == []
    seqs = list(AuditEntry.objects.order_by("seq").values_list("seq", flat=True))
    assert seqs == list(range(1, len(seqs) + 1)) and len(seqs) == 6
    assert audit_verify().intact is True
