"""The live panel of a station screen: the newest value of each PLC parameter with its limits
and verdict, the last operations and the PLC's last interlock answers at the station. Polled
every second by the page."""

from dataclasses import dataclass
from datetime import datetime

from django.utils import dateformat, timezone
from django.utils.translation import gettext as _

from lines import selectors
from lines.models import Station, Tag, TagRole
from lines.parameter_names import ParameterLabel, parameter_label
from lines.selectors.interlocks import interlock_reason, interlocks_list
from lines.web.station_quality import station_quality

INTERLOCKS_SHOWN = 8


@dataclass(frozen=True)
class LiveRow:
    parameter: str
    label: ParameterLabel
    value: float | None
    uom: str
    unit: str  # identifier of the unit the value was taken on ("" for none: a dry room)
    limits: str
    state: str
    alarm: bool
    at: object  # source time of the value, or None


def live_rows(*, station: Station) -> list[LiveRow]:
    rows = []
    for latest in selectors.station_latest_values(station=station):
        sample = latest.sample
        unit = sample.unit if sample else None
        limits = station_quality().limits_for(
            station=station, parameter=latest.parameter, unit=unit
        )
        if sample is None:
            state, alarm = _("No value yet"), False
        elif sample.rejected_reason:
            state, alarm = _("Unusable value (sensor or signal fault)"), True
        else:
            state, alarm = station_quality().verdict_text(sample.value, limits, sample.status_code)
        label = parameter_label(latest.parameter, limits.uom if limits else None)
        rows.append(
            LiveRow(
                parameter=latest.parameter,
                label=label,
                value=sample.value if sample else None,
                uom=label.uom,
                unit=unit.identifier if unit else "",
                limits=limits.text if limits else "",
                state=state,
                alarm=alarm,
                at=sample.source_time if sample else None,
            )
        )
    return rows


def plc_heartbeat_banner(*, station: Station) -> str:
    """ "PLC heartbeat stale since ..." when a running bridge reports this station's mapped
    plc_heartbeat node stale (/health/bridge says the same); "" otherwise."""
    from mes.ops.health import bridge_statuses, plc_heartbeat_problem

    mine = set(
        Tag.objects.filter(station=station, role=TagRole.PLC_HEARTBEAT).values_list(
            "node_id", flat=True
        )
    )
    if not mine:
        return ""
    for status in bridge_statuses():
        loop = status.get("closed_loop") or {}
        if status.get("state") == "stopped" or loop.get("plc_heartbeat_node") not in mine:
            continue
        if not plc_heartbeat_problem(status):
            continue
        changed = loop.get("plc_heartbeat_changed_at")
        if not changed:
            return _("PLC heartbeat stale: no count received yet from %(node)s.") % {
                "node": loop["plc_heartbeat_node"]
            }
        since = timezone.localtime(datetime.fromisoformat(changed.replace("Z", "+00:00")))
        return _("PLC heartbeat stale since %(since)s: the PLC may have stopped (%(node)s).") % {
            "since": dateformat.format(since, "Y-m-d H:i:s"),
            "node": loop["plc_heartbeat_node"],
        }
    return ""


def live_context(*, station: Station) -> dict[str, object]:
    return {
        "plc_heartbeat_banner": plc_heartbeat_banner(station=station),
        "live": live_rows(station=station),
        "recent": selectors.station_recent_operations(station=station),
        # The PLC's last check-ins and check-outs here, each with why (a refused cell is
        # explained at the station where it was refused).
        "interlocks": [
            (interlock, interlock_reason(interlock))
            for interlock in interlocks_list(station=station.code)[:INTERLOCKS_SHOWN]
        ],
    }
