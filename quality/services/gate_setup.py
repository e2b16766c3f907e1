"""Configuring quality gates: which specs a route step requires before a unit moves on."""

from django.db import IntegrityError, transaction

from lines.models import RouteStep
from lines.services.common import User
from mes.errors import InvalidInput, RuleViolation
from quality.models import GateRequirement, Spec
from quality.services.audit import audit_record


def gate_requirement_create(*, step: RouteStep, spec: Spec, by: User = None) -> GateRequirement:
    """Gate `step` on `spec`, audited. The spec must be measured at the step's kind of station;
    a step gated on the spec already is a conflict."""
    if spec.station_kind != step.station_kind:
        raise InvalidInput(
            f"Spec {spec} is measured at {spec.station_kind} stations; step '{step.name}' is done "
            f"at {step.station_kind} stations.",
            field="spec",
        )
    try:
        with transaction.atomic():
            gate = GateRequirement.objects.create(step=step, spec=spec)
    except IntegrityError as exc:
        raise RuleViolation(
            f"Step {step.sequence} of {step.route.code} already requires spec {spec.pk}.",
            field="spec",
        ) from exc
    audit_record(
        by=by,
        entity="gate",
        entity_id=gate.pk,
        action="created",
        after={"route": step.route.code, "step": step.sequence, "spec": spec.pk},
    )
    return gate
