"""SPC warnings: a rule violation on a series raises one open flag per rule, held only if the spec
says so. A rule that keeps firing does not flood the queue: while its flag is open, later
violations of the same rule on the same series are part of it."""

from datetime import datetime

from django.db import transaction

from lines.models import Sample, Station
from lines.selectors import samples
from mes.actors import Actor
from quality.choices import FlagKind, FlagState, Severity
from quality.models import Flag
from quality.reasons import SystemReason, system_reason
from quality.selectors.spc import spc_chart
from quality.services.flags import flag_new, flags_raise
from quality.services.holds import hold_place


def _rule_label(rule: int) -> str:
    return f"WE rule {rule}" if rule <= 4 else f"Nelson rule {rule}"


def _rule_reason(parameter: str, flag: Flag) -> SystemReason:
    rule = int(flag.limit.rsplit(" ", 1)[1])  # the number _rule_label put last
    code = "spc_we_rule" if rule <= 4 else "spc_nelson_rule"
    return system_reason(code, parameter=parameter, rule=rule)


@transaction.atomic
def spc_flag_violations(
    *, station: Station, parameter: str, since: datetime | None = None, by: Actor = None
) -> list[Flag]:
    """Chart the series and raise an SPC flag for each rule that fires with no open flag yet."""
    result = spc_chart(station=station, parameter=parameter, since=since)
    if result.spec is None:
        return []
    open_rules = set(
        Flag.objects.filter(
            station=station, parameter=parameter, kind=FlagKind.SPC_RULE, state=FlagState.OPEN
        ).values_list("limit", flat=True)
    )
    drafts = []
    for violation in result.violations:
        label = _rule_label(violation.rule)
        if label in open_rules:
            continue
        last = int(violation.indices[-1])
        sample = samples.by_id(int(result.series.sample_ids[last]), related=("unit",))
        if sample is None:  # the series was just read: a sample is never deleted
            raise Sample.DoesNotExist(int(result.series.sample_ids[last]))
        drafts.append(
            flag_new(
                kind=FlagKind.SPC_RULE,
                station=station,
                parameter=parameter,
                unit=sample.unit,
                value=sample.value,
                limit=label,
                spec_version=result.version,
                severity=Severity.MINOR,
                sample_ids=[int(result.series.sample_ids[i]) for i in violation.indices[-20:]],
                detail=system_reason(
                    "spc_violation",
                    description=violation.description,
                    points=len(violation.indices),
                    rule=violation.rule,
                ),
            )
        )
    flags = flags_raise(flags=drafts, by=by)
    if result.spec.spc_holds:
        for flag in flags:
            if flag.unit is not None:
                hold_place(unit=flag.unit, reason=_rule_reason(parameter, flag), flag=flag, by=by)
    return flags
