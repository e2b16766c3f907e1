"""Django form fields that read typed numbers with mes.numbers: the admin's and the query
filters' numeric inputs, so that "8,000" or "8.000" in a count is refused as on the station
screen and in the API, never taken for 8.

Django's own fields strip a trailing ".000" from an integer ("8.000" became 8) and would take
digit grouping out of a localized field; these refuse both with mes.numbers' message.
"""

from typing import Any

from django import forms
from django.db import models

from mes.errors import InvalidInput
from mes.numbers import parse_number, parse_whole_number


def _read(parse: Any, value: Any, field: forms.Field) -> Any:
    if value in field.empty_values:
        return value
    try:
        return parse(value, field=field.label or "")
    except InvalidInput as exc:
        raise forms.ValidationError(exc.message, code="invalid") from exc


class PlainIntegerField(forms.IntegerField):
    def to_python(self, value: Any) -> int | None:
        return super().to_python(_read(parse_whole_number, value, self))


class PlainDecimalField(forms.DecimalField):
    def to_python(self, value: Any) -> Any:  # Decimal | None (the stubs say int)
        return super().to_python(_read(parse_number, value, self))


class PlainFloatField(forms.FloatField):
    def to_python(self, value: Any) -> Any:  # float | None (the stubs say int)
        return super().to_python(_read(parse_number, value, self))


# For ModelAdmin.formfield_overrides (by model field class; subclasses such as
# PositiveIntegerField and BigIntegerField match through their MRO).
ADMIN_NUMBER_FIELDS: dict[type[models.Field], dict[str, Any]] = {
    models.IntegerField: {"form_class": PlainIntegerField},
    models.BigIntegerField: {"form_class": PlainIntegerField},
    models.DecimalField: {"form_class": PlainDecimalField},
    models.FloatField: {"form_class": PlainFloatField},
}
