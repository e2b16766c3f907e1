"""The tag map (lines.Tag): which OPC UA node carries which station parameter or role.

These are the only writers of tags (the API calls them; seeds and commands should too). A tag
carries exactly one of a process parameter or a role; its node id is unique and never changes,
because samples are stored under it: a node that is no longer read is disabled, not deleted.
Every change moves `updated_at`, which is what makes the bridge and the ingest reload the map.
"""

import math
import re

from django.db import IntegrityError, models, transaction
from django.utils.translation import gettext as _

from lines.models import DeadbandKind, Station, Tag, TagRole
from mes.errors import InvalidInput, RuleViolation

MAX_SAMPLING_INTERVAL_MS = 3_600_000  # one hour
MAX_QUEUE_SIZE = 10_000
DEFAULT_SAMPLING_INTERVAL_MS = 100
DEFAULT_QUEUE_SIZE = 10
MAX_DEADBAND_PERCENT = 100.0

# OPC UA node id text (Part 6, 5.3.1.10): `ns=<index>;<type>=<identifier>`, or `i=<number>` in
# namespace 0. Numbers without leading zeros, so one node has one spelling here.
_NUMBER = r"(?:0|[1-9][0-9]*)"
NODE_ID_RE = re.compile(
    rf"(?:ns=(?P<ns>{_NUMBER});(?P<type>[isgb])=(?P<id>.+)|i=(?P<i0>{_NUMBER}))"
)
_BASE64_RE = re.compile(r"[A-Za-z0-9+/]+={0,2}")
_GUID_RE = re.compile(r"[0-9A-Fa-f]{8}-(?:[0-9A-Fa-f]{4}-){3}[0-9A-Fa-f]{12}")
PARAMETER_RE = re.compile(r"[a-z][a-z0-9_]{0,63}")
NODE_ID_EXAMPLE = "ns=2;s=COAT-01.ArealLoading"


def _node_id_problem(text: str) -> str:
    """Why `text` is no OPC UA node id, or "" when it is a plausible one."""
    match = NODE_ID_RE.fullmatch(text)
    if match is None:
        return _("it is not of the form ns=<index>;<i|s|g|b>=<identifier> or i=<number>")
    if match["i0"] is not None:
        number = int(match["i0"])
        return "" if number <= 0xFFFFFFFF else _("a numeric identifier is at most 4294967295")
    if int(match["ns"]) > 0xFFFF:
        return _("the namespace index is at most 65535")
    kind, identifier = match["type"], match["id"]
    if kind == "i" and not (re.fullmatch(_NUMBER, identifier) and int(identifier) <= 0xFFFFFFFF):
        return _("i= needs a number from 0 to 4294967295")
    if kind == "g" and not _GUID_RE.fullmatch(identifier):
        return _("g= needs a GUID such as 09087e75-8e5e-499b-954f-f2a9603db28a")
    if kind == "b" and not _BASE64_RE.fullmatch(identifier):
        return _("b= needs base64 text")
    return ""


def _max_length(field: str) -> int:
    """The length limit of one of Tag's text columns (every one has a limit)."""
    column = Tag._meta.get_field(field)
    assert isinstance(column, models.Field) and column.max_length is not None
    return column.max_length


def check_node_id(node_id: str) -> str:
    """The node id without surrounding blanks, or InvalidInput (field node_id) saying what is wrong."""
    text = (node_id or "").strip()
    problem = _node_id_problem(text) if text else _("it is empty")
    if problem or len(text) > _max_length("node_id"):
        problem = problem or _("it is longer than 255 characters")
        raise InvalidInput(
            _(
                "%(text)s is not an OPC UA node id: %(problem)s. Write it as the server names it, "
                "e.g. %(example)s or i=2258."
            )
            % {"text": repr(text), "problem": problem, "example": NODE_ID_EXAMPLE},
            field="node_id",
        )
    return text


def _carried(parameter: str, role: str) -> tuple[str, str]:
    """The (parameter, role) pair of a tag: exactly one of them, each checked."""
    parameter, role = (parameter or "").strip(), (role or "").strip()
    roles = ", ".join(TagRole.values)
    if role in TagRole.with_parameter():
        return _setpoint_key(parameter), role
    if parameter and role:
        raise InvalidInput(
            _(
                "A tag carries a process parameter or a role, not both: drop the role for a process "
                "value (%(parameter)s), or the parameter for a %(role)s tag."
            )
            % {"parameter": parameter, "role": role},
            field="role",
        )
    if not parameter and not role:
        raise InvalidInput(
            _(
                "Say what the node carries: a parameter (e.g. areal_loading_mg_cm2) for a process "
                "value, or a role (%(roles)s)."
            )
            % {"roles": roles},
            field="parameter",
        )
    if role and role not in TagRole.values:
        raise InvalidInput(
            _("Role %(role)s is unknown; use one of %(roles)s.")
            % {"role": repr(role), "roles": roles},
            field="role",
        )
    if parameter in TagRole.values:
        raise InvalidInput(
            _("%(parameter)s is a role, not a parameter: send it as role.")
            % {"parameter": parameter},
            field="parameter",
        )
    if parameter and not PARAMETER_RE.fullmatch(parameter):
        raise InvalidInput(
            _(
                "%(parameter)s is not a parameter name: use up to 64 lower-case letters, digits and "
                "'_', starting with a letter, as in the recipe (e.g. areal_loading_mg_cm2)."
            )
            % {"parameter": repr(parameter)},
            field="parameter",
        )
    return parameter, role


def _setpoint_key(parameter: str) -> str:
    """A set-point tag names the recipe key it is written from (recipe download)."""
    if not parameter or not PARAMETER_RE.fullmatch(parameter):
        raise InvalidInput(
            _(
                "A setpoint tag needs the recipe's set-point key in parameter (e.g. web_speed_m_min), "
                "got %(parameter)s."
            )
            % {"parameter": repr(parameter)},
            field="parameter",
        )
    return parameter


def _sampling_interval(value: int) -> int:
    if not 0 <= value <= MAX_SAMPLING_INTERVAL_MS:
        raise InvalidInput(
            _(
                "The sampling interval is %(value)s ms; give 0 (as fast as the server samples) to "
                "%(max)s ms."
            )
            % {"value": value, "max": MAX_SAMPLING_INTERVAL_MS},
            field="sampling_interval_ms",
        )
    return value


def _queue_size(value: int) -> int:
    if not 1 <= value <= MAX_QUEUE_SIZE:
        raise InvalidInput(
            _("The queue size is %(value)s; give 1 to %(max)s values.")
            % {"value": value, "max": MAX_QUEUE_SIZE},
            field="queue_size",
        )
    return value


def _deadband(kind: str, value: float, role: str) -> tuple[str, float]:
    """The (kind, value) of a tag's deadband, checked against each other and the tag's role."""
    kind = (kind or DeadbandKind.NONE).strip()
    if kind not in DeadbandKind.values:
        raise InvalidInput(
            _("Deadband kind %(kind)s is unknown; use one of %(kinds)s.")
            % {"kind": repr(kind), "kinds": ", ".join(DeadbandKind.values)},
            field="deadband_kind",
        )
    if not isinstance(value, int | float) or not math.isfinite(value) or value < 0:
        raise InvalidInput(
            _("The deadband is %(value)s; give a number of 0 or more.") % {"value": value},
            field="deadband_value",
        )
    if kind == DeadbandKind.NONE:
        if value:
            raise InvalidInput(
                _(
                    "A deadband of %(value)s needs a kind: absolute (in the value's unit) or "
                    "percent (of the node's EURange); or give 0 for none."
                )
                % {"value": value},
                field="deadband_kind",
            )
        return kind, 0.0
    if kind == DeadbandKind.PERCENT and value > MAX_DEADBAND_PERCENT:
        raise InvalidInput(
            _("A percent deadband is at most 100 (the whole EURange of the node); got %(value)s.")
            % {"value": value},
            field="deadband_value",
        )
    if role in TagRole.without_deadband():
        raise InvalidInput(
            _(
                "A %(role)s tag takes no deadband: every change of it matters (a handshake "
                "signal, a state, a serial, a heartbeat). Set the deadband kind to none."
            )
            % {"role": role},
            field="deadband_kind",
        )
    return kind, float(value)


def _description(value: str) -> str:
    limit = _max_length("description")
    value = (value or "").strip()
    if len(value) > limit:
        raise InvalidInput(
            _("The description has %(length)s characters; shorten it to %(limit)s.")
            % {"length": len(value), "limit": limit},
            field="description",
        )
    return value


def _already_mapped(node_id: str) -> RuleViolation:
    existing = Tag.objects.select_related("station").filter(node_id=node_id).first()
    where = (
        _(" (tag %(tag)s at %(station)s, %(carries)s)")
        % {
            "tag": existing.id,
            "station": existing.station.code,
            "carries": existing.parameter or existing.role,
        }
        if existing
        else ""
    )
    return RuleViolation(
        _(
            "%(node_id)s is already mapped%(where)s: change that tag instead of mapping the node twice."
        )
        % {"node_id": node_id, "where": where},
        field="node_id",
    )


def tag_create(
    *,
    node_id: str,
    station: Station,
    parameter: str = "",
    role: str = "",
    sampling_interval_ms: int = DEFAULT_SAMPLING_INTERVAL_MS,
    queue_size: int = DEFAULT_QUEUE_SIZE,
    enabled: bool = True,
    description: str = "",
    deadband_kind: str = DeadbandKind.NONE,
    deadband_value: float = 0.0,
) -> Tag:
    """Map an OPC UA node of `station` to a process parameter or to a role (TagRole).

    Exactly one of `parameter` and `role` is given, except for a `setpoint` role, whose parameter
    is the recipe key it is written from (TagRole.with_parameter()). A parameter needs no spec
    yet: its samples are stored and judged once a spec exists. A node id already mapped is a
    conflict (RuleViolation); a malformed node id, parameter or setting is InvalidInput naming the
    field. A deadband (absolute, or percent of the node's EURange) is for process values and the
    web position only (TagRole.without_deadband()).
    """
    node_id = check_node_id(node_id)
    parameter, role = _carried(parameter, role)
    kind, value = _deadband(deadband_kind, deadband_value, role)
    fields = {
        "deadband_kind": kind,
        "deadband_value": value,
        "sampling_interval_ms": _sampling_interval(sampling_interval_ms),
        "queue_size": _queue_size(queue_size),
        "enabled": enabled,
        "description": _description(description),
    }
    if Tag.objects.filter(node_id=node_id).exists():
        raise _already_mapped(node_id)
    try:
        with transaction.atomic():
            return Tag.objects.create(
                node_id=node_id, station=station, parameter=parameter, role=role, **fields
            )
    except IntegrityError as exc:  # mapped by someone else since the check above
        raise _already_mapped(node_id) from exc


@transaction.atomic
def tag_update(
    *,
    tag: Tag,
    enabled: bool | None = None,
    sampling_interval_ms: int | None = None,
    queue_size: int | None = None,
    description: str | None = None,
    parameter: str | None = None,
    role: str | None = None,
    deadband_kind: str | None = None,
    deadband_value: float | None = None,
) -> Tag:
    """Change a tag's settings, or what it carries; None leaves a field as it is.

    Giving `parameter` or `role` says what the node carries from now on, under the rule of
    tag_create (exactly one of them): a parameter turns a role tag into a process value and a role
    does the reverse, the other one is cleared. The node id and station do not change here;
    disable a tag (`enabled=False`) instead of deleting it. Nothing is saved, and `updated_at` does
    not move, when nothing differs. The deadband is checked as a whole against the role the tag
    has after the change: a kind of none clears the value, a role that takes no deadband needs
    the deadband dropped in the same change.
    """
    tag = Tag.objects.select_for_update().get(pk=tag.pk)
    changes: dict[str, object] = {}
    if enabled is not None:
        changes["enabled"] = enabled
    if sampling_interval_ms is not None:
        changes["sampling_interval_ms"] = _sampling_interval(sampling_interval_ms)
    if queue_size is not None:
        changes["queue_size"] = _queue_size(queue_size)
    if description is not None:
        changes["description"] = _description(description)
    if parameter is not None or role is not None:
        changes["parameter"], changes["role"] = _carried(parameter or "", role or "")
    if deadband_kind is not None or deadband_value is not None or "role" in changes:
        kind = tag.deadband_kind if deadband_kind is None else deadband_kind
        if deadband_value is not None:
            value = deadband_value
        elif deadband_kind == DeadbandKind.NONE:
            value = 0.0
        else:
            value = tag.deadband_value
        final_role = str(changes.get("role", tag.role))
        changes["deadband_kind"], changes["deadband_value"] = _deadband(kind, value, final_role)
    changed = [name for name, value in changes.items() if getattr(tag, name) != value]
    if changed:
        for name in changed:
            setattr(tag, name, changes[name])
        tag.save(update_fields=[*changed, "updated_at"])
    return tag
