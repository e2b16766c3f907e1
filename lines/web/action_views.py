"""The station screen's writes: start, complete, consume, measure. Each is one service call,
applied once per form (mes.web.once), answered with the unit card and what happened."""

from collections.abc import Callable

from django.http import HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from lines import selectors, services
from lines.models import Station, Unit
from lines.services.common import qty_text
from lines.web.access import moves_units
from lines.web.measure_said import measurement_said
from lines.web.station_quality import station_quality
from lines.web.station_views import card_context, screen_context, with_unit_in_address
from mes.actors import request_actor
from mes.errors import NotFound, RuleViolation
from mes.web.htmx import HtmxRequest
from mes.web.once import Done, submit_once

TYPED_FIELDS = ("parameter", "value", "parent", "quantity", "position_from_m", "position_to_m")


def _answer(
    request: HtmxRequest, code: str, action: str, apply: Callable[[Station, Unit], str | Done]
) -> HttpResponse:
    station = get_object_or_404(Station, code=code)
    identifier = request.POST.get("unit", "").strip()
    try:
        unit = selectors.unit_get_by_identifier(identifier=identifier)
    except NotFound:
        return render(request, "lines/_card.html", {"station": station, "unknown": identifier})
    outcome = submit_once(
        key=request.POST.get("key", ""),
        user=request_actor(request),
        action=action,
        subject=unit.identifier,
        apply=lambda: apply(station, unit),
    )
    notice: dict[str, object] = {
        "notice": outcome.message,
        "notice_ok": outcome.ok,
        "notice_warning": outcome.warning,
    }
    if not outcome.ok:
        # A refused form comes back with what was typed, to correct rather than retype, and
        # with the field the refusal blames marked ("consume.quantity"; "" when none is).
        notice["sent"] = {name: request.POST.get(name, "") for name in TYPED_FIELDS}
        notice["wrong"] = f"{action}.{outcome.field}" if outcome.field else ""
    if request.htmx:
        context = {"station": station, **card_context(station=station, identifier=identifier)}
        response = render(request, "lines/_card.html", {**context, **notice})
        return with_unit_in_address(response, station, context)
    context = screen_context(station=station, identifier=identifier)
    return render(request, "lines/station.html", {**context, **notice})


def _open_operation_here(station: Station, unit: Unit):  # noqa: ANN202
    operation = selectors.unit_open_operation(unit=unit)
    if operation is None or operation.station_id != station.pk:
        raise RuleViolation(
            _("%(unit)s is not in operation at %(station)s: start it first.")
            % {"unit": unit.identifier, "station": station.code}
        )
    return operation


@require_POST
@moves_units
def start(request: HtmxRequest, code: str) -> HttpResponse:
    def apply(station: Station, unit: Unit) -> str:
        operation = services.operation_start(unit=unit, station=station, by=request_actor(request))
        return _("%(unit)s started: %(step)s at %(station)s.") % {
            "unit": unit.identifier,
            "step": operation.step.get_station_kind_display() if operation.step else "",
            "station": station.code,
        }

    return _answer(request, code, "start", apply)


@require_POST
@moves_units
def complete(request: HtmxRequest, code: str) -> HttpResponse:
    def apply(station: Station, unit: Unit) -> str:
        operation = services.operation_complete(
            operation=_open_operation_here(station, unit),
            result=request.POST.get("result", ""),
            note=request.POST.get("note", "").strip(),
            by=request_actor(request),
        )
        return _("%(unit)s completed as %(result)s.") % {
            "unit": unit.identifier,
            "result": operation.get_result_display().lower(),
        }

    return _answer(request, code, "complete", apply)


def _blank_is_none(value: str | None) -> str | None:
    value = (value or "").strip()
    return value or None


@require_POST
@moves_units
def consume(request: HtmxRequest, code: str) -> HttpResponse:
    def apply(station: Station, unit: Unit) -> str:
        try:
            parent = selectors.unit_get_by_identifier(
                identifier=request.POST.get("parent", "").strip()
            )
        except NotFound as exc:
            raise NotFound(exc.message, field="parent") from exc
        edge = services.unit_consume(
            child=unit,
            parent=parent,
            quantity=_blank_is_none(request.POST.get("quantity")),
            position_from_m=_blank_is_none(request.POST.get("position_from_m")),
            position_to_m=_blank_is_none(request.POST.get("position_to_m")),
            operation=_open_operation_here(station, unit),
            by=request_actor(request),
        )
        return _("%(unit)s consumed %(qty)s %(uom)s of %(parent)s.") % {
            "unit": unit.identifier,
            "qty": qty_text(edge.quantity),
            "uom": parent.uom,
            "parent": parent.identifier,
        }

    return _answer(request, code, "consume", apply)


@require_POST
@moves_units
def measure(request: HtmxRequest, code: str) -> HttpResponse:
    def apply(station: Station, unit: Unit) -> Done:
        _open_operation_here(station, unit)
        parameter = request.POST.get("parameter", "")
        measured = services.measurement_record(
            unit=unit,
            station=station,
            parameter=parameter,
            value=request.POST.get("value", ""),
            by=request_actor(request),
        )
        quality = station_quality()
        return measurement_said(
            unit=unit,
            parameter=parameter,
            value=measured.sample.value,
            limits=quality.limits_for(station=station, parameter=parameter, unit=unit),
            broken=quality.rules_broken(raised=measured.flags),
        )

    return _answer(request, code, "measure", apply)
