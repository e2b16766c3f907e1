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
    replaces = forms.IntegerField(required=False, widget=forms.HiddenInput)
    field_order = ["period_from", "period_to", "reason", "password", "replaces"]
