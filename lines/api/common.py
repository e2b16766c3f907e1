"""Small helpers shared by the lines API views: path patterns, the error shape for the schema,
request validation, field renaming and the browsable API's input forms."""

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any, ClassVar

from django.db.models import Model
from django.utils.translation import gettext as _
from rest_framework import serializers
from rest_framework.generics import GenericAPIView

from mes.errors import DomainError, InvalidInput, NotFound
from mes.numbers import (
    AMBIGUOUS,
    BIGINT_MAX,
    INT_MAX,
    check_instant,
    parse_number,
    parse_whole_number,
)

# Barcodes may hold '.', ':', '-' and '_' (lines.services.common.IDENTIFIER_RE); never a slash.
IDENTIFIER_PATH = r"[A-Za-z0-9][A-Za-z0-9._:\-]{0,63}"
CODE_PATH = r"[^/]+"
ID_PATH = r"[0-9]+"


if TYPE_CHECKING:
    # The view mixins (InputForms, ByCode, ById) only ever run inside DRF's generic views.
    GenericViewBase = GenericAPIView
    # PlainNumber only ever runs mixed into a DRF number field.
    FieldBase = serializers.Field
else:
    GenericViewBase = FieldBase = object


class ApiErrorBody(serializers.Serializer):
    code = serializers.CharField(help_text="invalid, not_found, conflict, not_authenticated, ...")
    message = serializers.CharField()
    fields = serializers.DictField(  # type: ignore[assignment]  # a field named like Serializer.fields: DRF moves declared fields off the class
        child=serializers.ListField(child=serializers.CharField()),
        help_text="Messages per request field at fault; empty when no single field is.",
    )


class ApiError(serializers.Serializer):
    """The one error shape of the API (mes.api_errors)."""

    error = ApiErrorBody()


def with_errors(ok: dict[Any, Any], *statuses: int) -> dict[Any, Any]:
    """Schema responses: the success responses plus the error shape for each status given."""
    return {**ok, **dict.fromkeys(statuses, ApiError)}


WRITE_ERRORS = (400, 403, 404, 409)


def valid(serializer_class: type[serializers.Serializer], data: Any) -> dict[str, Any]:
    """The validated data of a request, or a ValidationError (400) naming each bad field."""
    serializer = serializer_class(data=data)
    serializer.is_valid(raise_exception=True)
    return dict(serializer.validated_data)


@contextmanager
def fields_as_sent(**renames: str) -> Iterator[None]:
    """Services name a few fields as the model does (position_from_m); report them as sent."""
    try:
        yield
    except DomainError as exc:
        if exc.field in renames:
            exc.field = renames[exc.field]
        raise


class InputForms(GenericViewBase):
    """The browsable API shows, for each write action, a form of that action's input serializer."""

    input_serializers: ClassVar[dict[str, type[serializers.Serializer]]] = {}

    def get_serializer_class(self) -> type[serializers.BaseSerializer]:
        action = getattr(self, "action", None) or ""
        return self.input_serializers.get(action) or super().get_serializer_class()


def path_id(model: type[Model], text: str, *, field: str = "id") -> int:
    """The id in a detail path; one no row can have (beyond a bigint) is a 404 naming `field`,
    not a query the database driver overflows on."""
    record_id = int(text)
    if not 1 <= record_id <= BIGINT_MAX:
        raise NotFound(
            _("No %(model)s with id %(id)s.") % {"model": model._meta.verbose_name, "id": text},
            field=field,
        )
    return record_id


# Numbers a request sends. Every integer is bounded to its column (a bigint for ids, 32-bit
# for counts and sequence numbers, as PostgreSQL stores a PositiveIntegerField), so a huge one
# is a 400 naming the field rather than an overflow in the database driver; text is read by
# mes.numbers (no digit grouping, no comma taken for a decimal point).


class PlainNumber(FieldBase):
    """Reads a number sent as text with mes.numbers before the field's own checks: grouped or
    comma text is refused with mes.numbers' message, any other non-number with DRF's."""

    parse: Callable[..., Any] = staticmethod(parse_number)

    def to_internal_value(self, data: Any) -> Any:
        if isinstance(data, str):
            try:
                data = self.parse(data, field=self.field_name or "")
            except InvalidInput as exc:
                if exc.code == AMBIGUOUS:
                    raise serializers.ValidationError(exc.message, code="invalid") from exc
                self.fail("invalid")
        return super().to_internal_value(data)


class IntegerField(PlainNumber, serializers.IntegerField):
    """An integer within a 32-bit column unless told otherwise. Text is digits only
    (mes.numbers.parse_whole_number): "8.000" and "8,000" are refused, never taken for 8."""

    parse = staticmethod(parse_whole_number)

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("max_value", INT_MAX)
        kwargs.setdefault("min_value", -INT_MAX - 1)
        super().__init__(**kwargs)


class DecimalField(PlainNumber, serializers.DecimalField):
    """A decimal bounded by max_digits and decimal_places, as its column is."""


class FloatField(PlainNumber, serializers.FloatField):
    """A float within +-FLOAT_LIMIT unless told otherwise: no process quantity gets near it, and
    the arithmetic done on limits and readings stays finite."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("max_value", FLOAT_LIMIT)
        kwargs.setdefault("min_value", -FLOAT_LIMIT)
        super().__init__(**kwargs)


FLOAT_LIMIT = 1e12


def record_id(**kwargs: Any) -> IntegerField:
    """The id of a stored record: 1 to the largest bigint."""
    return IntegerField(min_value=1, max_value=BIGINT_MAX, **kwargs)


def count(**kwargs: Any) -> IntegerField:
    """A count or sequence number: 1 to the largest 32-bit integer."""
    kwargs.setdefault("min_value", 1)
    return IntegerField(**kwargs)


class DateTimeField(serializers.DateTimeField):
    """An ISO 8601 instant the database can store (mes.numbers.check_instant)."""

    def to_internal_value(self, value: Any) -> Any:
        parsed = super().to_internal_value(value)
        try:
            return check_instant(parsed, field=self.field_name or "")
        except InvalidInput as exc:
            raise serializers.ValidationError(exc.message, code="invalid") from exc
