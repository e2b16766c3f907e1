"""The form a quality engineer signs to fix a chart's baseline (Phase I) period."""

from django import forms
from django.utils.translation import gettext_lazy as _

from quality.web.forms import SignatureFields


class SpcBaselineForm(SignatureFields):
    period_from = forms.DateTimeField(
        label=_("In control from"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )
    period_to = forms.DateTimeField(
        label=_("In control until"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )
    field_order = ["period_from", "period_to", "reason", "password"]


def replaced_version(data: dict) -> int | None:
    """The baseline version the page showed (a hidden input beside the form's fields), None when
    it showed none; anything malformed counts as none, which the service then refuses if a
    baseline exists."""
    raw = str(data.get("replaces", "")).strip()
    return int(raw) if raw.isdigit() else None
