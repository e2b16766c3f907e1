"""A recall: one signed action that holds a suspect unit and everything made from it."""

from django.contrib.auth.models import User
from django.db import transaction

from lines.models import Unit
from quality.models import Hold
from quality.services.holds import already_held, hold_place_once
from quality.services.signatures import signature_record, signer_check


@transaction.atomic
def recall_hold(*, unit: Unit, reason: str, password: str, by: User) -> Hold:
    """Hold `unit` and every descendant, signed by `by` (password re-entered, reason given).

    The signer (reason, role, password) is checked before the hold is placed: a hold on a lot
    writes tens of thousands of rows, which a typo should not cost. The signature covers the
    hold and how many units it reached; the password is hashed once. Refused, with nothing
    signed, when the unit's hold for the same reason is active (two signers at once: one wins).
    """
    signer = signer_check(user=by, password=password, reason=reason)
    hold, placed = hold_place_once(unit=unit, reason=reason, by=by)
    if not placed:  # another signer got there first: one hold, one signature
        raise already_held(hold)
    signature_record(
        signer=signer,
        meaning="recall: hold downstream",
        record_type="hold",
        record_id=hold.pk,
        content={
            "hold": hold.pk,
            "unit": unit.identifier,
            "reason": hold.reason,
            "members": hold.members.count(),
        },
    )
    return hold
