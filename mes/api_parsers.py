"""The API's JSON parser: DRF's, refusing nesting deeper than any request of ours needs.

A body of a few thousand nested brackets made Python's JSON decoder (and anything walking the
result afterwards) raise RecursionError: a 500. No request of the API nests deeper than a few
levels, so MAX_DEPTH refuses such a body with a 400 in the error shape, before any view runs.
"""

from typing import Any

from django.utils.translation import gettext as _
from rest_framework.exceptions import ParseError
from rest_framework.parsers import JSONParser

MAX_DEPTH = 64


def nesting_depth(data: Any) -> int:
    """How deep lists and objects nest in `data` (a scalar is 0), without recursing."""
    deepest, stack = 0, [(data, 1)]
    while stack:
        value, depth = stack.pop()
        if isinstance(value, dict):
            value = list(value.values())
        if not isinstance(value, list):
            continue
        deepest = max(deepest, depth)
        if depth <= MAX_DEPTH:  # deeper than that is refused anyway: stop counting
            stack.extend((child, depth + 1) for child in value)
    return deepest


class BoundedJSONParser(JSONParser):
    def parse(self, stream: Any, media_type: str | None = None, parser_context: Any = None) -> Any:
        try:
            data = super().parse(stream, media_type, parser_context)
        except RecursionError as exc:
            raise ParseError(_too_deep()) from exc
        if nesting_depth(data) > MAX_DEPTH:
            raise ParseError(_too_deep())
        return data


def _too_deep() -> str:
    return _("JSON nested deeper than %(depth)s levels is not accepted.") % {"depth": MAX_DEPTH}
