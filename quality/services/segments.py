"""Out-of-spec roll segments: a metre range of a roll, followed through slitting to every cell whose
sheets came from it, now and when cells are stacked later.

A child's metres are the parent's metres shifted by where the child's range starts on the parent
(a slit lane starts at 0, so its metre m is the mother's metre m). The walk below carries the
flagged range down the genealogy, keeping only edges whose metre range overlaps it.
"""

from django.db import transaction

from lines.choices import UnitKind
from lines.models import GenealogyEdge, Unit
from lines.selectors import walk_cursor
from mes.actors import Actor
from quality.choices import FlagKind, FlagState, HoldState
from quality.models import Flag, Hold
from quality.reasons import system_reason
from quality.services.audit import audit_record
from quality.services.flags import flag_new, flags_raise
from quality.services.holds import hold_add_units, hold_place

# Out-of-spec readings this close together are one defect, not several.
SEGMENT_GAP_M = 2.0

_EDGE = GenealogyEdge._meta.db_table
_UNIT = Unit._meta.db_table
_WALK = f"""
    WITH RECURSIVE seg(unit_id, lo, hi) AS (
        SELECT CAST(%s AS BIGINT), CAST(%s AS NUMERIC), CAST(%s AS NUMERIC)
        UNION
        SELECT e.child_id,
               (CASE WHEN seg.lo > e.position_from_m THEN seg.lo ELSE e.position_from_m END)
                   - e.position_from_m,
               (CASE WHEN seg.hi < e.position_to_m THEN seg.hi ELSE e.position_to_m END)
                   - e.position_from_m
        FROM {_EDGE} e JOIN seg ON e.parent_id = seg.unit_id
        WHERE e.position_from_m IS NOT NULL
          AND e.position_from_m < seg.hi AND e.position_to_m > seg.lo
    )
    SELECT seg.unit_id, u.kind, seg.lo, seg.hi FROM seg JOIN {_UNIT} u ON u.id = seg.unit_id
    WHERE seg.unit_id <> %s
"""


def segment_reach(
    *, roll_id: int, start_m: float, end_m: float
) -> list[tuple[int, str, float, float]]:
    """Units downstream of metres start..end of a roll: (unit id, kind, from, to in its metres)."""
    with walk_cursor() as cursor:
        cursor.execute(_WALK, [roll_id, start_m, end_m, roll_id])
        return [(uid, kind, float(lo), float(hi)) for uid, kind, lo, hi in cursor.fetchall()]


def root_of(flag: Flag) -> Flag:
    return flag.source_flag if flag.source_flag is not None else flag


def _derived(root: Flag, unit_id: int, kind: str, lo: float, hi: float) -> Flag:
    roll = root.unit
    assert roll is not None  # a segment flag is on its roll
    rng = (lo, hi) if kind == UnitKind.ROLL else None
    came_from = {
        "from_m": f"{root.position_from_m:g}",
        "to_m": f"{root.position_to_m:g}",
        "roll": roll.identifier,
        "flag": root.pk,
    }
    if rng:
        detail = system_reason("reached_metres", lo=f"{lo:g}", hi=f"{hi:g}", **came_from)
    else:
        detail = system_reason("reached_sheets", **came_from)
    return flag_new(
        kind=root.kind,
        station=root.station,
        parameter=root.parameter,
        unit=Unit(pk=unit_id),
        value=root.value,
        limit=root.limit,
        spec_version=root.spec_version,
        severity=root.severity,
        position_m=rng,
        source_flag=root,
        detail=detail,
    )


def reach_units(*, root: Flag, reached: list[tuple[int, str, float, float]], by: Actor) -> None:
    """Flag each newly reached unit from the root segment flag; hold the non-roll ones (cells).

    Idempotent: units that already carry a flag derived from `root` are skipped.
    """
    known = set(Flag.objects.filter(source_flag=root).values_list("unit_id", flat=True))
    fresh = [r for r in reached if r[0] not in known]
    if not fresh:
        return
    flags_raise(flags=[_derived(root, *r) for r in fresh], by=by)
    hold = Hold.objects.filter(flag=root, state=HoldState.ACTIVE).first()
    cells = [uid for uid, kind, _lo, _hi in fresh if kind != UnitKind.ROLL]
    if hold is not None and cells:
        hold_add_units(
            hold=hold, unit_ids=cells, by=by, why=f"built from flagged segment (flag {root.pk})"
        )


def _mergeable(roll: Unit, parameter: str, start_m: float, end_m: float) -> Flag | None:
    return (
        Flag.objects.filter(
            unit=roll,
            parameter=parameter,
            kind=FlagKind.OUT_OF_SPEC,
            state=FlagState.OPEN,
            source_flag__isnull=True,
            position_from_m__lte=end_m + SEGMENT_GAP_M,
            position_to_m__gte=start_m - SEGMENT_GAP_M,
        )
        .order_by("id")
        .first()
    )


@transaction.atomic
def segment_flag(*, draft: Flag, hold: bool, by: Actor = None) -> Flag:
    """Raise (or extend) the out-of-spec segment flag `draft` on a roll, hold the cells built from it.

    A draft touching an open segment flag of the same roll and parameter (within SEGMENT_GAP_M)
    extends it instead, so a drift over 60 m is one defect, not one per batch of readings.
    """
    roll, start_m, end_m = draft.unit, draft.position_from_m, draft.position_to_m
    assert (
        roll is not None and start_m is not None and end_m is not None
    )  # a segment's roll, metres
    flag = _mergeable(roll, draft.parameter, start_m, end_m)
    if flag is None:
        flag = flags_raise(flags=[draft], by=by)[0]
        lo, hi = start_m, end_m
        if hold:
            # No metres in the reason: the flag grows as readings arrive (the extend branch
            # below) while a hold's reason is fixed by its audit entry; screens show the flag's.
            hold_place(
                unit=roll,
                reason=system_reason(
                    "segment_out_of_spec_flag", parameter=draft.parameter, flag=flag.pk
                ),
                flag=flag,
                scope="none",
                by=by,
            )
    else:
        before = {"position_from_m": flag.position_from_m, "position_to_m": flag.position_to_m}
        assert flag.position_from_m is not None and flag.position_to_m is not None  # as matched
        lo = flag.position_from_m = min(flag.position_from_m, start_m)
        hi = flag.position_to_m = max(flag.position_to_m, end_m)
        flag.sample_ids = (flag.sample_ids + draft.sample_ids)[:500]
        flag.save(update_fields=["position_from_m", "position_to_m", "sample_ids"])
        audit_record(
            by=by,
            entity="flag",
            entity_id=flag.pk,
            action="extended",
            before=before,
            after={"position_from_m": flag.position_from_m, "position_to_m": flag.position_to_m},
        )
    reached = segment_reach(roll_id=roll.pk, start_m=lo, end_m=hi)
    reach_units(root=flag, reached=reached, by=by)
    return flag
