"""Template filters naming codes in the reader's language: {{ unit.status|status_word }}."""

from django import template

from quality.reasons import limit_text
from quality.web import labels

register = template.Library()


@register.filter
def kind_word(code: str) -> str:
    return labels.word(labels.KIND, code)


@register.filter
def kinds_word(code: str) -> str:
    return labels.word(labels.KIND_PLURAL, code)


@register.filter
def status_word(code: str) -> str:
    return labels.word(labels.STATUS, code)


@register.filter
def severity_word(code: str) -> str:
    return labels.word(labels.SEVERITY, code)


@register.filter
def flag_kind_word(code: str) -> str:
    return labels.word(labels.FLAG_KIND, code)


@register.filter
def flag_state_word(code: str) -> str:
    return labels.word(labels.FLAG_STATE, code)


@register.filter
def hold_state_word(code: str) -> str:
    return labels.word(labels.HOLD_STATE, code)


@register.filter
def decision_word(code: str) -> str:
    return labels.word(labels.DECISION, code)


@register.filter
def result_word(code: str) -> str:
    return labels.word(labels.RESULT, code) if code else ""


@register.filter
def ncr_state_word(code: str) -> str:
    return labels.word(labels.NCR_STATE, code)


@register.filter
def event_word(code: str) -> str:
    return labels.word(labels.HISTORY_EVENT, code)


@register.filter
def thousands(number: int | None) -> str:
    """12,345: the same grouping in both languages of the screens."""
    return "" if number is None else f"{number:,}"


@register.filter
def limit_word(limit: str) -> str:
    return limit_text(limit)
