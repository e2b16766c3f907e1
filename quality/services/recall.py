"""A recall: one signed action that holds a suspect unit and everything made from it."""

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction

from lines.models import Unit
from mes.errors import InvalidInput
from quality.models import Hold
from quality.services.holds import hold_place
from quality.services.signatures import signature_sign


@transaction.atomic
def recall_hold(*, unit: Unit, reason: str, password: str, by: AbstractBaseUser) -> Hold:
    """Hold `unit` and every descendant, signed by `by` (password re-entered, reason given).

    The password is checked before the hold is placed: a hold on a lot writes tens of thousands of
    rows, which a typo should not cost. The signature covers the hold and how many units it
    reached; a refused signature rolls the hold back with everything else.
    """
    if not reason.strip():
        raise InvalidInput("A signature needs a reason.", field="reason")
    if not password or not by.check_password(password):
        raise InvalidInput("The password is not correct; nothing was signed.", field="password")
    hold = hold_place(unit=unit, reason=reason, by=by)
    signature_sign(
        user=by,
        password=password,
        meaning="recall: hold downstream",
        reason=reason,
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
