from django import template

register = template.Library()


@register.filter
def percent(value: float | None) -> str:
    """0.8167 as "81.7 %"; an empty figure as a dash (nothing to divide by)."""
    return "–" if value is None else f"{value * 100:.1f} %"


@register.filter
def minutes(seconds: float) -> str:
    return f"{seconds / 60:.1f}"
