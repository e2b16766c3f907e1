"""Template helpers of the station screens."""

from django import template

from mes.web.once import new_key

register = template.Library()


@register.simple_tag
def form_key() -> str:
    """A fresh idempotency key for one rendered form (mes.web.once)."""
    return new_key()


@register.filter
def number(value: float | None) -> str:
    """A measured value as an engineer writes it: 25.02, 110, 0.8 (never 1.1e+02 or 25.020000)."""
    return "—" if value is None else f"{value:.6g}"
