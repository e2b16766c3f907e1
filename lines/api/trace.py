"""JSON of a genealogy trace and of its "where are they now" summary, built as plain dicts.

A forward trace of a material lot can hold 50,000 cells and as many edges; a serializer per node
would take seconds, so the selector's columns become dicts here in one pass each. The
serializers below only document the shape for the OpenAPI schema; nothing runs through them.
"""

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta, tzinfo
from typing import Any

import numpy as np
from django.utils import timezone
from rest_framework import serializers

from lines.models import Station, Unit
from lines.selectors import Trace, unit_whereabouts

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def _iso_texts(micros: Sequence[int], zone: tzinfo) -> list[str]:
    """The same texts DRF's DateTimeField writes (datetime.isoformat, "Z" for UTC) for times in
    microseconds since 1970, so an edge's time reads alike in every endpoint."""
    if zone.utcoffset(None) != timedelta(0):
        local = ((_EPOCH + timedelta(microseconds=us)).astimezone(zone) for us in micros)
        return [moment.isoformat().replace("+00:00", "Z") for moment in local]
    # The usual case (TIME_ZONE=UTC), 50,000 times at once in numpy; isoformat leaves out a
    # fraction of zero, numpy writes ".000000".
    moments = np.array(micros, dtype="datetime64[us]")
    texts = np.datetime_as_string(moments, unit="us")
    whole = moments.astype(np.int64) % 1_000_000 == 0
    if whole.any():
        texts[whole] = np.datetime_as_string(moments[whole], unit="s")
    return [text + "Z" for text in texts.tolist()]


def trace_payload(trace: Trace) -> dict[str, Any]:
    """The trace as {"root", "direction", "nodes", "edges"}: root node first, then nodes by id,
    edges by id. Written from the trace's columns: no node or edge tuple is built.

    Quantities and metres are floats (the walk casts them): they have at most 14 significant
    digits, which a float holds exactly enough, and JSON has no decimal type.
    """
    codes: dict[int | None, str] = dict(Station.objects.values_list("id", "code"))
    root, c, far = trace.root, trace.columns, trace.far_id
    # The first entry that reaches each unit: the dict keeps the last value written for a key,
    # and the entries go in backwards.
    first = dict(zip(reversed(far), range(len(far) - 1, -1, -1), strict=True))
    first.pop(root.id, None)
    nodes = [
        {
            "identifier": root.identifier,
            "kind": root.kind,
            "status": root.status,
            "station": codes.get(root.station_id),
        }
    ]
    nodes += [
        {
            "identifier": c.far_identifier[i],
            "kind": c.far_kind[i],
            "status": c.far_status[i],
            "station": codes.get(c.far_station_id[i]),
        }
        for _, i in sorted(first.items())
    ]
    identifier_of = dict(zip(far, c.far_identifier, strict=True))
    identifier_of[root.id] = root.identifier
    created = _iso_texts(c.created_us, timezone.get_current_timezone())
    edges = [
        {
            "parent": identifier_of[c.parent_id[i]],
            "child": identifier_of[c.child_id[i]],
            "quantity": c.quantity[i],
            "position_from": c.position_from_m[i],
            "position_to": c.position_to_m[i],
            "operation": c.operation_id[i],
            "created_at": created[i],
        }
        for i in sorted(range(len(c.edge_id)), key=c.edge_id.__getitem__)
    ]
    return {
        "root": root.identifier,
        "direction": trace.direction,
        "nodes": nodes,
        "edges": edges,
    }


def whereabouts_payload(unit: Unit, *, kind: str | None) -> dict[str, Any]:
    """The units downstream of `unit` (of one kind, if given) counted by status and station."""
    groups = unit_whereabouts(unit=unit, kind=kind)
    total = sum(group["count"] for group in groups)
    return {"root": unit.identifier, "total": total, "groups": groups}


class TraceNodeSerializer(serializers.Serializer):
    identifier = serializers.CharField()
    kind = serializers.CharField()
    status = serializers.CharField()
    station = serializers.CharField(allow_null=True, help_text="Code of the current station.")


class TraceEdgeSerializer(serializers.Serializer):
    parent = serializers.CharField(help_text="Identifier of the parent unit.")  # type: ignore[assignment]  # named like Field.parent: DRF moves declared fields off the class
    child = serializers.CharField(help_text="Identifier of the child unit.")
    quantity = serializers.FloatField(help_text="In the parent's unit of measure.")
    position_from = serializers.FloatField(allow_null=True, help_text="Parent roll metre.")
    position_to = serializers.FloatField(allow_null=True, help_text="Parent roll metre.")
    operation = serializers.IntegerField(allow_null=True, help_text="Id of the operation.")
    created_at = serializers.DateTimeField()


class TraceSerializer(serializers.Serializer):
    root = serializers.CharField()  # type: ignore[assignment]  # named like Field.root: DRF moves declared fields off the class
    direction = serializers.ChoiceField(choices=["backward", "forward"])
    nodes = TraceNodeSerializer(many=True)
    edges = TraceEdgeSerializer(many=True)


class WhereaboutsGroupSerializer(serializers.Serializer):
    status = serializers.CharField()
    station = serializers.CharField(allow_null=True)
    count = serializers.IntegerField()


class WhereaboutsSerializer(serializers.Serializer):
    root = serializers.CharField()  # type: ignore[assignment]  # named like Field.root: DRF moves declared fields off the class
    total = serializers.IntegerField()
    groups = WhereaboutsGroupSerializer(many=True)
