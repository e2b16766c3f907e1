"""Raising flags, one at a time (API, gates) or many at once (an evaluated batch of samples)."""

from collections.abc import Sequence

from django.utils import timezone

from lines.models import Station, Unit
from mes.actors import Actor
from quality.choices import FlagState, Severity
from quality.models import AuditEntry, Flag, SpecVersion
from quality.reasons import SystemReason
from quality.services.audit import audit_many, snapshot

FLAG_FIELDS = (
    "kind",
    "state",
    "severity",
    "unit",
    "station",
    "parameter",
    "value",
    "limit",
    "spec_version",
    "position_from_m",
    "position_to_m",
    "source_flag",
    "raised_at",
)


def flags_raise(*, flags: Sequence[Flag], by: Actor = None) -> list[Flag]:
    """Store new flags and one audit row for each. Flags arrive unsaved, fully described."""
    now = timezone.now()
    for flag in flags:
        flag.raised_at = flag.raised_at or now
    created = Flag.objects.bulk_create(list(flags))
    audit_many(
        [
            AuditEntry(
                at=now,
                by=by,
                entity="flag",
                entity_id=flag.pk,
                action="raised",
                after=snapshot(flag, FLAG_FIELDS),
            )
            for flag in created
        ]
    )
    return created


def flag_new(
    *,
    kind: str,
    station: Station,
    parameter: str,
    unit: Unit | None = None,
    value: float | None = None,
    limit: str = "",
    spec_version: SpecVersion | None = None,
    severity: str = Severity.MAJOR,
    sample_ids: Sequence[int] = (),
    detail: str | SystemReason = "",
    position_m: tuple[float, float] | None = None,
    source_flag: Flag | None = None,
) -> Flag:
    """An unsaved flag; give it to flags_raise. Kinds: see quality.choices.FlagKind. A detail
    given as a SystemReason is stored as its English text, code and parameters."""
    code, params = "", {}
    if isinstance(detail, SystemReason):
        code, params, detail = detail.code, detail.params, detail.english
    return Flag(
        kind=kind,
        state=FlagState.OPEN,
        severity=severity,
        unit=unit,
        station=station,
        parameter=parameter,
        value=value,
        limit=limit,
        spec_version=spec_version,
        sample_ids=list(sample_ids),
        detail=detail,
        detail_code=code,
        detail_params=params,
        source_flag=source_flag,
        position_from_m=position_m[0] if position_m else None,
        position_to_m=position_m[1] if position_m else None,
    )
