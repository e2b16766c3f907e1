"""EOL grading of a batch of cells: K-values, the batch-median OCV rule, grade bins; each grade
stored and audited; and the EOL gate check that refuses a rejected (or, where the scheme asks,
an ungraded) cell."""

import uuid
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

import numpy as np
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from finishing.grading import REJECT, fit_k, grade_cells
from finishing.models import CellGrade, GradingScheme
from finishing.selectors.grading import aging_readings, grade_of, scheme_for
from lines.choices import StationKind, UnitKind
from lines.models import Operation, Unit
from mes.actors import Actor
from mes.errors import InvalidInput, RuleViolation
from quality.models import AuditEntry
from quality.services.audit import audit_many


@dataclass
class GradingRun:
    """What one grading call decided: the batch label, the median, and the grades."""

    batch: str
    scheme: str
    median_ocv_v: float
    counts: dict[str, int]
    grades: list[CellGrade] = field(default_factory=list)


def _nan_none(value: float) -> float | None:
    return None if not np.isfinite(value) else float(value)


def _check_cells(cells: Sequence[Unit], scheme: GradingScheme) -> None:
    if not cells:
        raise InvalidInput(_("Give the cells of the batch to grade."), field="cells")
    others = [c.identifier for c in cells if c.kind != UnitKind.CELL]
    if others:
        raise InvalidInput(
            _("Only cells are graded; not %(units)s.") % {"units": ", ".join(others[:5])},
            field="cells",
        )
    if len({c.id for c in cells}) != len(cells):
        raise InvalidInput(_("A cell is listed twice."), field="cells")


@transaction.atomic
def cells_grade(
    *, cells: Sequence[Unit], scheme: GradingScheme, batch: str = "", by: Actor = None
) -> GradingRun:
    """Grade the cells that aged together as one batch and store (and audit) each grade.

    K comes from the OCV readings over the aging period (at least the scheme's readings and
    span); the batch median is taken over the cells' last OCV; a cell is rejected when any
    absolute limit or the +-window around the median fails, else it gets the best bin it fits.
    Refused: no cells, a unit that is not a cell, fewer cells with an OCV than the scheme's
    minimum batch (the median of three cells says little).
    """
    _check_cells(cells, scheme)
    rules = scheme.rules()
    readings = aging_readings(unit_ids=[c.id for c in cells])
    fit = fit_k(
        readings.cell,
        readings.t_days,
        readings.ocv_v,
        readings.temp_c,
        cells=len(cells),
        rules=rules,
    )
    with_ocv = int(np.isfinite(fit.ocv_last_v).sum())
    if with_ocv < rules.min_batch:
        raise RuleViolation(
            _(
                "%(with_ocv)s of %(total)s cells have an OCV reading; the batch-median rule of "
                "%(scheme)s needs at least %(min)s."
            )
            % {
                "with_ocv": with_ocv,
                "total": len(cells),
                "scheme": scheme.code,
                "min": rules.min_batch,
            },
            field="cells",
        )
    verdict = grade_cells(fit, readings.acir_mohm, readings.capacity_ah, rules)
    batch = batch.strip() or f"GR-{uuid.uuid4().hex[:12]}"
    now = timezone.now()
    rows = [
        CellGrade(
            unit_id=cell.id,
            scheme=scheme,
            batch=batch,
            grade=verdict.grades[i],
            reasons=verdict.reasons[i],
            k_mv_day=_nan_none(fit.k_mv_day[i]),
            k_stderr_mv_day=_nan_none(fit.k_stderr_mv_day[i]),
            ocv_v=_nan_none(fit.ocv_last_v[i]),
            ocv_median_v=_nan_none(verdict.median_ocv_v),
            ocv_deviation_mv=_nan_none(verdict.deviation_mv[i]),
            acir_mohm=_nan_none(readings.acir_mohm[i]),
            capacity_ah=_nan_none(readings.capacity_ah[i]),
            readings=int(fit.readings[i]),
            aging_days=float(fit.span_days[i]),
            graded_at=now,
            graded_by=by,
        )
        for i, cell in enumerate(cells)
    ]
    created = CellGrade.objects.bulk_create(rows, batch_size=2000)
    _audit(created, cells, scheme, by, now)
    return GradingRun(
        batch=batch,
        scheme=scheme.code,
        median_ocv_v=verdict.median_ocv_v,
        counts=dict(Counter(verdict.grades)),
        grades=created,
    )


def _audit(
    grades: list[CellGrade], cells: Sequence[Unit], scheme: GradingScheme, by: Actor, now: datetime
) -> None:
    """One audit row per grade: the grade is a quality decision on that cell."""
    fields = ("grade", "reasons", "k_mv_day", "ocv_v", "ocv_median_v", "ocv_deviation_mv")
    audit_many(
        [
            AuditEntry(
                at=now,
                by=by,
                entity="cell_grade",
                entity_id=grade.pk,
                action="graded",
                after={
                    "unit": cell.identifier,
                    "batch": grade.batch,
                    "scheme": scheme.code,
                    **{name: getattr(grade, name) for name in fields},
                    "acir_mohm": grade.acir_mohm,
                    "capacity_ah": grade.capacity_ah,
                },
                reason=f"EOL grading of batch {grade.batch}",
            )
            for grade, cell in zip(grades, cells, strict=True)
        ]
    )


def check_grade_at_eol(*, unit: Unit, operation: Operation, result: str) -> None:
    """The EOL gate (lines COMPLETE_CHECKS hook): a cell graded reject cannot pass EOL, and
    where the product's scheme requires a grade, neither can an ungraded cell."""
    step = operation.step
    if result != "passed" or step is None or step.station_kind != StationKind.EOL:
        return
    grade = grade_of(unit=unit)
    if grade is not None and grade.grade == REJECT:
        raise RuleViolation(
            _("%(unit)s cannot pass EOL: graded reject (%(reasons)s).")
            % {"unit": unit.identifier, "reasons": "; ".join(grade.reasons)}
        )
    if grade is None:
        scheme = scheme_for(product=unit.product)
        if scheme is not None and scheme.required_at_eol:
            raise RuleViolation(
                _("%(unit)s cannot pass EOL: it has no grade yet (%(scheme)s).")
                % {"unit": unit.identifier, "scheme": scheme.code}
            )
