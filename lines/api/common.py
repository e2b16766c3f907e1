"""Small helpers shared by the lines API views: path patterns, the error shape for the schema,
request validation, field renaming and the browsable API's input forms."""

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any, ClassVar

from rest_framework import serializers

from mes.errors import DomainError

# Barcodes may hold '.', ':', '-' and '_' (lines.services.common.IDENTIFIER_RE); never a slash.
IDENTIFIER_PATH = r"[A-Za-z0-9][A-Za-z0-9._:\-]{0,63}"
CODE_PATH = r"[^/]+"


class ApiErrorBody(serializers.Serializer):
    code = serializers.CharField(help_text="invalid, not_found, conflict, not_authenticated, ...")
    message = serializers.CharField()
    fields = serializers.DictField(
        child=serializers.ListField(child=serializers.CharField()),
        help_text="Messages per request field at fault; empty when no single field is.",
    )


class ApiError(serializers.Serializer):
    """The one error shape of the API (mes.api_errors)."""

    error = ApiErrorBody()


def with_errors(ok: dict[int, Any], *statuses: int) -> dict[int, Any]:
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


class InputForms:
    """The browsable API shows, for each write action, a form of that action's input serializer."""

    input_serializers: ClassVar[dict[str, type[serializers.Serializer]]] = {}

    def get_serializer_class(self) -> type[serializers.Serializer]:
        action = getattr(self, "action", None)
        return self.input_serializers.get(action) or super().get_serializer_class()  # type: ignore[misc]
