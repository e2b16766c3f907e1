"""Configuring quality gates: which specs a route step requires before a unit moves on."""

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from lines.models import RouteStep
from mes.actors import Actor
from mes.errors import InvalidInput, RuleViolation
from quality.models import GateRequirement, Spec
from quality.services.audit import audit_record


def gate_requirement_create(*, step: RouteStep, spec: Spec, by: Actor = None) -> GateRequirement:
    """Gate `step` on `spec`, audited. The spec must be measured at the step's kind of station;
    a step gated on the spec already is a conflict."""
    if spec.station_kind != step.station_kind:
        raise InvalidInput(
            _(
                "Spec %(spec)s is measured at %(spec_kind)s stations; step '%(step)s' is done "
                "at %(step_kind)s stations."
            )
            % {
                "spec": spec,
                "spec_kind": spec.station_kind,
                "step": step.name,
                "step_kind": step.station_kind,
            },
            field="spec",
        )
    try:
        with transaction.atomic():
            gate = GateRequirement.objects.create(step=step, spec=spec)
    except IntegrityError as exc:
        raise RuleViolation(
            _("Step %(sequence)s of %(route)s already requires spec %(spec)s.")
            % {"sequence": step.sequence, "route": step.route.code, "spec": spec.pk},
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
