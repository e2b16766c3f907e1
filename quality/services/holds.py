"""Holds: placing one on a unit and everything made from it, adding units later, releasing it."""

from typing import Literal

from django.db import transaction
from django.db.models import Exists, OuterRef, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from lines import services as lines_services
from lines.locks import lock_units
from lines.models import GenealogyEdge, Unit
from lines.selectors import walk_cursor
from mes.actors import Actor
from mes.errors import InvalidInput, RuleViolation
from quality.audit_chain import chain_lock
from quality.choices import HoldState
from quality.models import Flag, Hold, HoldMember
from quality.reasons import SystemReason
from quality.services.audit import audit_record, snapshot

_EDGE = GenealogyEdge._meta.db_table
_MEMBER = HoldMember._meta.db_table
HOLD_FIELDS = ("unit", "reason", "state", "flag", "placed_by", "placed_at", "released_at")


def _members(hold: Hold) -> QuerySet[Unit]:
    """The units `hold` reaches, as a sub-select (never loaded: a hold can reach 50,000)."""
    return Unit.objects.filter(id__in=HoldMember.objects.filter(hold=hold).values("unit_id"))


def _members_only_this_hold_keeps(hold: Hold) -> QuerySet[Unit]:
    """Members of `hold` that no other active hold keeps held."""
    kept_elsewhere = HoldMember.objects.filter(
        unit_id=OuterRef("unit_id"), hold__state=HoldState.ACTIVE
    ).exclude(hold=hold)
    members = HoldMember.objects.filter(hold=hold).exclude(Exists(kept_elsewhere))
    return Unit.objects.filter(id__in=members.values("unit_id"))


def _add_descendants(hold: Hold) -> None:
    """Members: the held unit and every unit downstream of it, in one recursive statement."""
    with walk_cursor() as cursor:
        cursor.execute(
            f"""
            WITH RECURSIVE down(id) AS (
                SELECT CAST(%s AS BIGINT)
                UNION
                SELECT e.child_id FROM {_EDGE} e JOIN down ON e.parent_id = down.id
            )
            INSERT INTO {_MEMBER} (hold_id, unit_id) SELECT %s, id FROM down
            """,
            [hold.unit_id, hold.pk],
        )


HOLD_REASON_MAX_CHARS = 600  # a reason is a sentence; the unique index on it must stay small


def hold_place(
    *,
    unit: Unit,
    reason: str | SystemReason,
    by: Actor = None,
    flag: Flag | None = None,
    scope: Literal["downstream", "unit", "none"] = "downstream",
) -> Hold:
    """Hold `unit` and (by default) every descendant, now and made later, for `reason`.

    Held units cannot start, complete or be consumed until a signed disposition releases the hold.
    `scope` "unit" holds the unit alone; "none" opens a hold with no members yet, which a flagged
    roll segment fills with the cells built from it. Status changes go to the unit history in bulk.
    Asked again while the same hold is active, returns it (see hold_place_once).
    """
    return hold_place_once(unit=unit, reason=reason, by=by, flag=flag, scope=scope)[0]


@transaction.atomic
def hold_place_once(
    *,
    unit: Unit,
    reason: str | SystemReason,
    by: Actor = None,
    flag: Flag | None = None,
    scope: Literal["downstream", "unit", "none"] = "downstream",
) -> tuple[Hold, bool]:
    """hold_place, saying whether it placed the hold (True) or found it active already (False).

    One active hold per cause: a flag's hold, or a unit held for one reason. Twenty people
    pressing "hold" on one unit for one reason make one hold that one disposition ends; a
    different reason is a different hold, decided on its own. Nothing is written when the hold
    exists; a signed caller refuses then instead of signing twice. A SystemReason is stored as
    its English text plus its code and parameters (quality.reasons).
    """
    code, params = "", {}
    if isinstance(reason, SystemReason):
        code, params, reason = reason.code, reason.params, reason.english
    reason = reason.strip()
    if not reason:
        raise InvalidInput(_("Say why the unit is held."), field="reason")
    if len(reason) > HOLD_REASON_MAX_CHARS:
        raise InvalidInput(
            _("Say why in at most %(n)s characters.") % {"n": HOLD_REASON_MAX_CHARS},
            field="reason",
        )
    chain_lock()  # before the units: the lock order of quality.audit_chain
    existing = _active_same(unit, reason, flag)
    if existing is not None:
        return existing, False
    hold = Hold.objects.create(
        unit=unit,
        reason=reason,
        reason_code=code,
        reason_params=params,
        flag=flag,
        placed_by=by,
        placed_at=timezone.now(),
    )
    if scope == "downstream":
        _add_descendants(hold)
    elif scope == "unit":
        HoldMember.objects.create(hold=hold, unit=unit)
    changed = lines_services.units_put_on_hold(
        units=_members(hold),
        by=by,
        reason=f"hold {hold.pk}: {hold.reason}",
    )
    after = snapshot(hold, HOLD_FIELDS) | {"members": hold.members.count(), "held": changed}
    audit_record(
        by=by, entity="hold", entity_id=hold.pk, action="placed", after=after, reason=hold.reason
    )
    return hold, True


def _active_same(unit: Unit, reason: str, flag: Flag | None) -> Hold | None:
    """The active hold for the same cause, read after the unit's row lock when there is no flag.

    Two requests at once both find none before either commits; the unit lock makes the second
    wait and then see the first's hold (SQLite: the IMMEDIATE transaction already did). A flag is
    new in its own transaction (evaluation, exposure, segments), so nothing else can hold for it
    yet and the unit is not locked: a segment hold must not lock its roll ahead of the cells.
    The constraints hold_one_active_per_* back both cases.
    """
    active = Hold.objects.filter(state=HoldState.ACTIVE)
    if flag is not None:
        return active.filter(flag=flag).first()
    lock_units([unit.pk])
    return active.filter(unit=unit, reason=reason, flag__isnull=True).first()


def already_held(hold: Hold) -> RuleViolation:
    """The refusal a signed hold meets when its hold is active already (a second signer)."""
    message = _(
        "%(unit)s is already held for this reason: hold %(hold)s, placed at %(at)s UTC. "
        "Nothing was signed."
    )
    names = {
        "unit": hold.unit.identifier,
        "hold": hold.pk,
        "at": f"{hold.placed_at:%Y-%m-%d %H:%M:%S}",
    }
    return RuleViolation(message % names)


def hold_add_units(*, hold: Hold, unit_ids: list[int], by: Actor, why: str) -> int:
    """Bring more units under an active hold (a child made from a held parent, a cell built from a
    flagged roll segment). Returns how many units went on hold."""
    known = set(
        HoldMember.objects.filter(hold=hold, unit_id__in=unit_ids).values_list("unit_id", flat=True)
    )
    new = [uid for uid in dict.fromkeys(unit_ids) if uid not in known]
    if not new:
        return 0
    HoldMember.objects.bulk_create([HoldMember(hold=hold, unit_id=uid) for uid in new])
    changed = lines_services.units_put_on_hold(
        units=_members(hold).filter(id__in=new),
        by=by,
        reason=f"hold {hold.pk}: {why}",
    )
    audit_record(
        by=by,
        entity="hold",
        entity_id=hold.pk,
        action="units_added",
        after={"unit_ids": new},
        reason=why,
    )
    return changed


def hold_release(*, hold: Hold, by: Actor, reason: str, scrap: bool = False) -> int:
    """End an active hold (called by a signed disposition). Units no other active hold keeps go
    back to their status before the hold, or are scrapped. Returns how many units changed."""
    hold = Hold.objects.select_for_update().get(pk=hold.pk)
    if hold.state != HoldState.ACTIVE:
        raise RuleViolation(
            _("Hold %(hold)s was already released at %(at)s UTC.")
            % {"hold": hold.pk, "at": f"{hold.released_at:%Y-%m-%d %H:%M}"}
        )
    before = snapshot(hold, HOLD_FIELDS)
    # Scrap is final for every member; a release leaves units that another active hold keeps.
    change = lines_services.units_scrap_held if scrap else lines_services.units_take_off_hold
    units = _members(hold) if scrap else _members_only_this_hold_keeps(hold)
    changed = change(units=units, by=by, reason=f"hold {hold.pk}: {reason}")
    hold.state, hold.released_at = HoldState.RELEASED, timezone.now()
    hold.save(update_fields=["state", "released_at"])
    audit_record(
        by=by,
        entity="hold",
        entity_id=hold.pk,
        action="released",
        before=before,
        after=snapshot(hold, HOLD_FIELDS) | {"units_changed": changed},
        reason=reason,
    )
    return changed
