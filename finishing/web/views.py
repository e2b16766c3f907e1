"""The battery passport of one cell as a page to read and print: its grade and the figures it
rests on, its composition from the as-built genealogy, its test results and the QR code of its
digital link. The same content as the API's JSON (finishing.selectors.passport)."""

from datetime import datetime
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

from finishing.passport import qr_svg
from finishing.selectors.grading import grade_of
from finishing.selectors.passport import passport_of
from finishing.web.words import ELEMENT, MATERIAL_CATEGORY, STEP
from lines.models import Unit
from mes.errors import RuleViolation
from quality.web.access import quality_required

QR_SCALE = 4  # 4 px a module: about 30 mm on paper, scanned from a tablet's camera


def _grams(kg: float | None) -> float | None:
    return None if kg is None else round(kg * 1000.0, 3)


def _words(passport: dict[str, Any]) -> None:
    """Name the codes in the reader's language (the passport dict is this page's own copy)."""
    composition = passport["materialComposition"]
    for material in composition["batteryMaterials"]:
        material["categoryWord"] = MATERIAL_CATEGORY.get(material["category"], material["category"])
        material["massG"] = _grams(material["massKg"])
    for element in composition["criticalRawMaterials"]:
        element["nameWord"] = ELEMENT.get(element["element"], element["name"])
        element["massG"] = _grams(element["massKg"])
    for row in passport["testResults"]["operations"]:
        row["stepWord"] = STEP.get(row["step"], row["step"])
        done = row["completedAt"]
        row["completedShown"] = f"{datetime.fromisoformat(done):%Y-%m-%d %H:%M} UTC" if done else ""
    for row in passport["missing"]:
        row["reasonWord"] = _(row["reason"])


@quality_required
def passport_page(request: HttpRequest, identifier: str) -> HttpResponse:
    unit = get_object_or_404(
        Unit.objects.select_related("product", "work_order", "current_step"),
        identifier=identifier,
    )
    try:
        passport = passport_of(unit=unit, qr=False)
    except RuleViolation as exc:
        context = {"unit": unit, "refusal": exc.message}
        return render(request, "finishing/passport.html", context, status=409)
    _words(passport)
    link = passport["qr"]["digitalLink"]
    context = {
        "unit": unit,
        "p": passport,
        "grade": grade_of(unit=unit),
        # segno's SVG of our own link: no user text reaches it unescaped.
        "qr": mark_safe(qr_svg(link, scale=QR_SCALE)) if link else "",  # noqa: S308
    }
    return render(request, "finishing/passport.html", context)
