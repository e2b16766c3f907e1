"""Loading the demo line's specs and gates (fixtures/demo_specs.toml), idempotently.

Runs as part of `manage.py seed_demo` (registered on lines.hooks.AFTER_DEMO_SEED). Specs are
created through quality.services (versioned, audited); an existing spec is never changed here.
"""

import tomllib
from pathlib import Path

from django.conf import settings

from lines.models import RouteStep
from quality import services
from quality.models import GateRequirement, Spec

DEMO_SPECS = Path(settings.BASE_DIR) / "fixtures" / "demo_specs.toml"


def load_demo_specs(*, path: Path = DEMO_SPECS, report: list[str]) -> None:
    data = tomllib.loads(path.read_text())
    created = 0
    for item in data.get("specs", []):
        if Spec.objects.filter(
            station_kind=item["station_kind"],
            parameter=item["parameter"],
            station=None,
            recipe=None,
        ).exists():
            continue
        services.spec_create(
            parameter=item["parameter"],
            unit_of_measure=item["unit"],
            station_kind=item["station_kind"],
            limits={k: item.get(k) for k in ("target", "lsl", "usl", "lcl", "ucl")},
            severity=item.get("severity", "major"),
            holds_on_violation=item.get("holds", True),
            reason="demo line limits from DESIGN.md",
        )
        created += 1
    gates = 0
    for gate in data.get("gates", []):
        step = RouteStep.objects.get(route__code=gate["route"], name=gate["step"])
        for parameter in gate["parameters"]:
            spec = Spec.objects.get(
                station_kind=step.station_kind, parameter=parameter, station=None, recipe=None
            )
            if not GateRequirement.objects.filter(step=step, spec=spec).exists():
                services.gate_requirement_create(step=step, spec=spec)
                gates += 1
    report.append(f"specs: {created} created; gate requirements: {gates} created")
