"""The screens' input forms: what a signature, a recall, a disposition and an NCR ask for."""

from django import forms
from django.utils.translation import gettext_lazy as _

from quality.web.labels import DECISION


class SignatureFields(forms.Form):
    """Re-enter the password and say why: an electronic signature (quality.services.signatures)."""

    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 2}))
    password = forms.CharField(
        label=_("Your password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )


class DispositionForm(SignatureFields):
    # No decision is preselected: a signer who skips the choice is asked, never defaulted.
    decision = forms.ChoiceField(
        label=_("Decision"), choices=[("", _("Choose a decision")), *DECISION.items()]
    )
    field_order = ["decision", "reason", "password"]


class NcrForm(forms.Form):
    title = forms.CharField(label=_("NCR title"), max_length=200)
    description = forms.CharField(
        label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
