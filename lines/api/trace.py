"""JSON of a genealogy trace and of its "where are they now" summary, built as plain dicts.

A forward trace of a material lot can hold 50,000 cells and as many edges; a serializer per node
would take seconds, so the selector's slotted dataclasses become dicts here in one pass each. The
serializers below only document the shape for the OpenAPI schema; nothing runs through them.
"""

from collections.abc import Callable
from datetime import datetime, timedelta, tzinfo
from operator import attrgetter
from typing import Any

from django.utils import timezone
from rest_framework import serializers

from lines.models import Station, Unit
from lines.selectors import Trace, unit_whereabouts


def _iso_writer(zone: tzinfo) -> Callable[[datetime], str]:
    """The same text DRF's DateTimeField writes, so an edge's time reads alike in every endpoint."""
    if zone.utcoffset(None) == timedelta(0):
        # The usual case (TIME_ZONE=UTC): the database hands back UTC times, no conversion needed.
        return lambda value: value.isoformat().replace("+00:00", "Z")
    return lambda value: value.astimezone(zone).isoformat().replace("+00:00", "Z")


def trace_payload(trace: Trace) -> dict[str, Any]:
    """The trace as {"root", "direction", "nodes", "edges"}: root node first, edges by age.

    Quantities and metres become floats: they have at most 14 significant digits, which a float
    holds exactly enough, and JSON has no decimal type.
    """
    codes: dict[int | None, str] = dict(Station.objects.values_list("id", "code"))
    root_id = trace.root.id
    ordered = sorted(trace.nodes.values(), key=lambda node: (node.id != root_id, node.id))
    identifiers = {node.id: node.identifier for node in ordered}
    iso = _iso_writer(timezone.get_current_timezone())
    nodes = [
        {
            "identifier": node.identifier,
            "kind": node.kind,
            "status": node.status,
            "station": codes.get(node.station_id),
        }
        for node in ordered
    ]
    edges = [
        {
            "parent": identifiers[edge.parent_id],
            "child": identifiers[edge.child_id],
            "quantity": float(edge.quantity),
            "position_from": None if edge.position_from_m is None else float(edge.position_from_m),
            "position_to": None if edge.position_to_m is None else float(edge.position_to_m),
            "operation": edge.operation_id,
            "created_at": iso(edge.created_at),
        }
        for edge in sorted(trace.edges, key=attrgetter("id"))
    ]
    return {
        "root": trace.root.identifier,
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
