"""Dispositions: a quality engineer's signed decision on a hold or a flag (its verification is a
read: quality.selectors.dispositions)."""

from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from lines import services as lines_services
from mes.errors import InvalidInput, RuleViolation
from quality.audit_chain import chain_lock
from quality.choices import Decision, FlagState, HoldState
from quality.models import Disposition, Flag, Hold
from quality.selectors.dispositions import disposition_subject
from quality.services.audit import audit_record
from quality.services.holds import hold_release
from quality.services.signatures import signature_sign


def _close_flags(hold: Hold | None, flag: Flag | None) -> int:
    if flag is not None:
        ids = [flag.pk]
    else:
        assert hold is not None  # one of hold and flag (disposition_decide checks)
        root = hold.flag_id
        ids = [root] if root else []
        if root:
            member_units = hold.members.values_list("unit_id", flat=True)
            ids += list(
                Flag.objects.filter(source_flag_id=root, unit_id__in=member_units).values_list(
                    "id", flat=True
                )
            )
    return Flag.objects.filter(pk__in=ids, state=FlagState.OPEN).update(
        state=FlagState.DISPOSITIONED
    )


@transaction.atomic
def disposition_decide(
    *,
    decision: str,
    reason: str,
    password: str,
    by: User,
    hold: Hold | None = None,
    flag: Flag | None = None,
) -> Disposition:
    """Decide on an active hold (or an open flag without a hold), signed with the user's password.

    release, rework and use as is return the held units to their status before the hold; scrap
    scraps them. The hold's flags are closed. Refused: a wrong password, no reason, a subject
    already decided, a flag that a hold covers (decide the hold), a user who is not a quality
    engineer.
    """
    if decision not in Decision.values:
        raise InvalidInput(
            _("Decision must be one of %(choices)s.") % {"choices": ", ".join(Decision.values)},
            field="decision",
        )
    if (hold is None) == (flag is None):
        raise InvalidInput(_("Decide on exactly one hold or one flag."), field="hold")
    chain_lock()  # before the hold and its units: the lock order of quality.audit_chain
    hold, flag = _locked(hold, flag)
    _check_undecided(hold, flag)
    content = {"decision": decision, "reason": reason.strip(), **disposition_subject(hold, flag)}
    if hold is not None:
        subject_type, subject_id = "hold", hold.pk
    else:
        assert flag is not None  # one of hold and flag (disposition_decide checks)
        subject_type, subject_id = "flag", flag.pk
    signature = signature_sign(
        user=by,
        password=password,
        meaning=f"disposition: {decision}",
        reason=reason,
        record_type=subject_type,
        record_id=subject_id,
        content=content,
    )
    disposition = Disposition.objects.create(
        decision=decision,
        reason=reason.strip(),
        hold=hold,
        flag=flag,
        signature=signature,
        decided_at=timezone.now(),
    )
    _apply(disposition, by)
    audit_record(
        by=by,
        entity="disposition",
        entity_id=disposition.pk,
        action="signed",
        after=content
        | {
            "signature": signature.pk,
            "hash": signature.content_hash,
            "decided_at": disposition.decided_at.isoformat(),
        },
        reason=disposition.reason,
    )
    return disposition


def _locked(hold: Hold | None, flag: Flag | None) -> tuple[Hold | None, Flag | None]:
    """The subject re-read under its row lock, inside the caller's transaction.

    Two signers at once both read the subject open before either signs; judged on that read, both
    decide (a flag once got 11 signed decisions). Locking the row makes the second wait for the
    first's commit and then see the state it left. On SQLite the IMMEDIATE transaction mode has
    already serialised the writers at BEGIN, so this read is as fresh there.
    """
    if hold is not None:
        return Hold.objects.select_for_update().get(pk=hold.pk), None
    assert flag is not None  # one of hold and flag (disposition_decide checks)
    return None, Flag.objects.select_for_update().get(pk=flag.pk)


def _check_undecided(hold: Hold | None, flag: Flag | None) -> None:
    """Refuse a subject decided already, saying by whom, so a second signer knows what stands."""
    if hold is not None and hold.state != HoldState.ACTIVE:
        raise RuleViolation(_already_decided(hold.dispositions.first(), hold=hold))
    if flag is not None and flag.state != FlagState.OPEN:
        raise RuleViolation(_already_decided(flag.dispositions.first(), flag=flag))
    if flag is not None and flag.holds.filter(state=HoldState.ACTIVE).exists():
        raise RuleViolation(
            _("Flag %(flag)s is under an active hold; decide on the hold.") % {"flag": flag.pk}
        )


def _already_decided(
    disposition: Disposition | None, *, hold: Hold | None = None, flag: Flag | None = None
) -> str:
    if disposition is None:  # a flag closed by its hold's decision, a hold released without one
        if hold is not None:
            return _("Hold %(hold)s is already released; nothing was signed.") % {"hold": hold.pk}
        assert flag is not None  # one of hold and flag (disposition_decide checks)
        return _("Flag %(flag)s is already dispositioned; nothing was signed.") % {"flag": flag.pk}
    names = {
        "decision": disposition.get_decision_display(),
        "signer": disposition.signature.signer.get_username(),
        "at": f"{disposition.decided_at:%Y-%m-%d %H:%M:%S}",
    }
    if hold is not None:
        message = _(
            "Hold %(hold)s is already released: %(decision)s, signed by %(signer)s at %(at)s UTC. "
            "Nothing was signed."
        )
        return message % {**names, "hold": hold.pk}
    assert flag is not None  # one of hold and flag (disposition_decide checks)
    message = _(
        "Flag %(flag)s is already decided: %(decision)s, signed by %(signer)s at %(at)s UTC. "
        "Nothing was signed."
    )
    return message % {**names, "flag": flag.pk}


def _apply(disposition: Disposition, by: User) -> None:
    scrap = disposition.decision == Decision.SCRAP
    why = f"disposition {disposition.decision}: {disposition.reason}"
    if disposition.hold is not None:
        hold_release(hold=disposition.hold, by=by, reason=why, scrap=scrap)
    elif scrap and disposition.flag is not None and disposition.flag.unit is not None:
        lines_services.unit_scrap(unit=disposition.flag.unit, reason=why, by=by)
    closed = _close_flags(disposition.hold, disposition.flag)
    if closed:
        audit_record(
            by=by,
            entity="disposition",
            entity_id=disposition.pk,
            action="flags_closed",
            after={"flags_closed": closed},
            reason=why,
        )
