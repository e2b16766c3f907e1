"""What a cell's EOL label says, read from its grade and its passport profile."""

from django.utils.translation import gettext as _

from finishing.label import LabelContent
from finishing.models import PassportProfile
from finishing.passport import digital_link, gtin_valid
from finishing.selectors.grading import grade_of
from lines.models import Unit
from mes.errors import RuleViolation


def label_content(*, unit: Unit) -> LabelContent:
    """The label of a graded cell; RuleViolation when the cell has no grade to print."""
    grade = grade_of(unit=unit)
    if grade is None:
        raise RuleViolation(
            _("%(unit)s has no grade yet; grade its batch before printing its label.")
            % {"unit": unit.identifier},
            field="identifier",
        )
    profile = (
        PassportProfile.objects.filter(product_id=unit.product_id).first()
        if unit.product_id is not None
        else None
    )
    link = None
    if profile is not None and profile.resolver_url and gtin_valid(profile.gtin):
        link = digital_link(profile.resolver_url, profile.gtin, unit.identifier)
    return LabelContent(
        serial=unit.identifier,
        product=unit.product.code if unit.product is not None else "",
        grade=grade.grade,
        k_mv_day=grade.k_mv_day,
        ocv_v=grade.ocv_v,
        acir_mohm=grade.acir_mohm,
        capacity_ah=grade.capacity_ah,
        batch=grade.batch,
        digital_link=link,
    )
