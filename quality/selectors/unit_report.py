"""A unit's traceability report: every operation, the PLCs' interlock answers, a summary of its
samples, its flags, holds, dispositions, audit entries and status history, in time order within
each section."""

from dataclasses import dataclass
from typing import NamedTuple

import numpy as np
from django.db.models import Q

from lines.models import GenealogyEdge, Interlock, Operation, Station, Unit, UnitHistory
from lines.selectors import sample_columns, samples
from lines.selectors.interlocks import interlock_reason
from quality.models import AuditEntry, Disposition, Flag, Hold


@dataclass
class UnitReport:
    unit: Unit
    parents: list["MadeFrom"]  # the direct parents
    operations: list[Operation]
    interlocks: list[tuple[Interlock, str]]  # each answer with its reason in the reader's language
    samples: list[dict]
    flags: list[Flag]
    holds: list[Hold]
    dispositions: list[Disposition]
    audit: list[AuditEntry]
    history: list[UnitHistory]


def unit_report(*, unit: Unit) -> UnitReport:
    flags = list(
        Flag.objects.filter(unit=unit)
        .select_related("station", "spec_version")
        .order_by("raised_at")
    )
    holds = list(
        Hold.objects.filter(members__unit=unit)
        .select_related("unit")
        .distinct()
        .order_by("placed_at")
    )
    dispositions = list(
        Disposition.objects.filter(Q(hold__in=holds) | Q(flag__in=flags))
        .select_related("signature__signer", "hold", "flag")
        .order_by("decided_at")
    )
    return UnitReport(
        unit=unit,
        parents=_parents(unit),
        operations=list(
            Operation.objects.filter(unit=unit)
            .select_related("station", "step", "started_by", "completed_by")
            .order_by("started_at")
        ),
        interlocks=[
            (i, interlock_reason(i))
            for i in Interlock.objects.filter(unit=unit)
            .select_related("station")
            .order_by("decided_at", "id")
        ],
        samples=_sample_summary(unit),
        flags=flags,
        holds=holds,
        dispositions=dispositions,
        audit=_audit(flags, holds, dispositions),
        history=list(
            UnitHistory.objects.filter(unit=unit).select_related("by").order_by("at", "id")
        ),
    )


class MadeFrom(NamedTuple):
    """A direct parent and how much of it went in, in the parent's unit of measure (with the
    parent's metres when it was a roll)."""

    identifier: str
    kind: str
    quantity: float
    uom: str
    from_m: float | None
    to_m: float | None


def _parents(unit: Unit) -> list[MadeFrom]:
    edges = GenealogyEdge.objects.filter(child=unit).select_related("parent").order_by("id")
    return [
        MadeFrom(
            e.parent.identifier,
            e.parent.kind,
            float(e.quantity),
            e.parent.uom,
            None if e.position_from_m is None else float(e.position_from_m),
            None if e.position_to_m is None else float(e.position_to_m),
        )
        for e in edges
    ]


def _sample_summary(unit: Unit) -> list[dict]:
    """Per station and parameter: how many readings, how many unusable, and min, mean, max of
    the values within the ingest's bound (a stored NaN, infinity or 1.7e308 would make them
    meaningless, and the sum behind PostgreSQL's avg overflow). Read as columns: a cell has
    thousands of readings and nothing here needs them as objects."""
    found = sample_columns.columns(samples.Where(units=[unit.pk]))
    codes = dict(
        Station.objects.filter(pk__in=np.unique(found.station_id).tolist()).values_list(
            "pk", "code"
        )
    )
    within = found.within_bound()
    unusable = found.rejected | (found.status != 0)
    groups: dict[tuple[str | None, str], list[int]] = {}
    keys = zip(found.station_id.tolist(), found.parameter.tolist(), strict=True)
    for i, (station_id, parameter) in enumerate(keys):
        groups.setdefault((codes.get(station_id), parameter), []).append(i)
    rows = []
    # Ordered as PostgreSQL orders station__code: a sample without a station last.
    for (code, parameter), at in sorted(groups.items(), key=lambda kv: (kv[0][0] is None, kv[0])):
        values = found.value[at][within[at]].tolist()
        rows.append(
            {
                "station__code": code,
                "parameter": parameter,
                "count": len(at),
                "rejected": int(unusable[at].sum()),
                "low": min(values) if values else None,
                "mean": sum(values) / len(values) if values else None,
                "high": max(values) if values else None,
            }
        )
    return rows


def _audit(
    flags: list[Flag], holds: list[Hold], dispositions: list[Disposition]
) -> list[AuditEntry]:
    wanted = Q(entity="flag", entity_id__in=[f.pk for f in flags])
    wanted |= Q(entity="hold", entity_id__in=[h.pk for h in holds])
    wanted |= Q(entity="disposition", entity_id__in=[d.pk for d in dispositions])
    return list(AuditEntry.objects.filter(wanted).select_related("by").order_by("at", "id"))
