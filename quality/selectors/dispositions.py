"""Reads of dispositions: what a signature covers, and whether a signed decision is intact."""

from typing import Any

from django.db.models import Q

from quality.audit_chain import AUDIT, mac_matches
from quality.models import AuditEntry, Disposition, Flag, Hold
from quality.services.signatures import signature_intact


def disposition_subject(hold: Hold | None, flag: Flag | None) -> dict[str, Any]:
    """What a signature says of the decided hold, or else flag (one of the two is given)."""
    if hold is not None:
        return {
            "hold": {
                "id": hold.pk,
                "unit": hold.unit.identifier,
                "reason": hold.reason,
                "placed_at": hold.placed_at.isoformat(),
                "flag": hold.flag_id,
            }
        }
    if flag is None:
        raise ValueError("a disposition decides a hold or a flag")
    return {
        "flag": {
            "id": flag.pk,
            "kind": flag.kind,
            "parameter": flag.parameter,
            "unit": flag.unit.identifier if flag.unit is not None else None,
            "value": flag.value,
            "limit": flag.limit,
            "spec_version": flag.spec_version_id,
        }
    }


def disposition_content(disposition: Disposition) -> dict[str, Any]:
    """What a disposition's signature covers, rebuilt from the records as they are now."""
    return {
        "decision": disposition.decision,
        "reason": disposition.reason,
        **disposition_subject(disposition.hold, disposition.flag),
    }


# What the disposition's "signed" audit entry records of the live row; the entry is sealed.
AUDITED_FIELDS = ("decision", "reason", "decided_at")


def disposition_audited(disposition: Disposition) -> dict[str, Any]:
    """The live row's fields that its "signed" audit entry also records, as JSON values."""
    return {
        "decision": disposition.decision,
        "reason": disposition.reason,
        "decided_at": disposition.decided_at.isoformat(),
    }


def disposition_audit_mismatches(disposition: Disposition, entry: AuditEntry | None) -> list[str]:
    """The fields in which the live disposition differs from its sealed "signed" audit entry
    (["entry"] when the entry is missing or its seal is broken). An entry written before
    decided_at was recorded (quality 0006) vouches for the fields it has."""
    if entry is None or not mac_matches(AUDIT, entry):
        return ["entry"]
    live, after = disposition_audited(disposition), entry.after or {}
    return [f for f in AUDITED_FIELDS if f in after and after[f] != live[f]]


def disposition_signed_entry(disposition: Disposition) -> AuditEntry | None:
    return (
        AuditEntry.objects.filter(entity="disposition", entity_id=disposition.pk, action="signed")
        .order_by("seq")
        .first()
    )


def disposition_verify(*, disposition: Disposition, entry: AuditEntry | None = None) -> bool:
    """False when the disposition, its subject or its signature changed after signing: the
    signature's keyed mac and content, and the live row against its sealed audit entry (its
    decided_at is not in the signature). `entry`: that entry, when the caller loaded it."""
    entry = entry or disposition_signed_entry(disposition)
    return signature_intact(
        signature=disposition.signature, current_content=disposition_content(disposition)
    ) and not disposition_audit_mismatches(disposition, entry)


def disposition_deciding(
    *, flag: Flag | None = None, hold: Hold | None = None
) -> Disposition | None:
    """The signed decision that decided a flag (its own, or its hold's: the hold placed for it
    or for the segment flag it derives from), or a hold; None while undecided."""
    if hold is not None:
        where = Q(hold=hold)
    else:
        assert flag is not None  # one of the two is given
        where = Q(flag=flag) | Q(hold__flag_id=flag.source_flag_id or flag.pk)
    decided = Disposition.objects.filter(where).select_related("signature__signer")
    return decided.order_by("-decided_at", "-id").first()
