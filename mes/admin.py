"""Admin of the shell's records: operators' badges and PINs, badge lockouts (deleting one unlocks
the badge), receipts (only read)."""

from django import forms
from django.contrib import admin
from django.contrib.admin import options

from mes.models import CredentialLock, OperatorProfile, SubmissionReceipt
from mes.number_fields import ADMIN_NUMBER_FIELDS

# Every admin's numeric inputs read typed numbers as the station screen and the API do
# (mes.numbers). Set here because mes's admin module is imported before those of lines, quality,
# conditions and finishing (INSTALLED_APPS order), and each ModelAdmin and inline copies these
# defaults when it is made; Django's own widgets are kept.
for _field, _override in ADMIN_NUMBER_FIELDS.items():
    options.FORMFIELD_FOR_DBFIELD_DEFAULTS.setdefault(_field, {}).update(_override)


class OperatorProfileForm(forms.ModelForm):
    """The PIN is typed in clear once and stored hashed; empty keeps the current one."""

    new_pin = forms.CharField(
        required=False,
        min_length=4,
        max_length=12,
        widget=forms.PasswordInput(render_value=False),
        help_text="4-12 digits. Leave empty to keep the current PIN.",
    )

    class Meta:
        model = OperatorProfile
        fields = ["user", "badge_number", "language"]

    def clean_new_pin(self) -> str:
        pin = self.cleaned_data["new_pin"]
        if pin and not pin.isdigit():
            raise forms.ValidationError("A PIN is digits only.")
        return pin

    def save(self, commit: bool = True) -> OperatorProfile:
        profile = super().save(commit=False)
        if self.cleaned_data.get("new_pin"):
            profile.set_pin(self.cleaned_data["new_pin"])
        if commit:
            profile.save()
        return profile


@admin.register(OperatorProfile)
class OperatorProfileAdmin(admin.ModelAdmin):
    form = OperatorProfileForm
    list_display = ["badge_number", "user", "language"]
    search_fields = ["badge_number", "user__username"]
    autocomplete_fields = ["user"]


@admin.register(SubmissionReceipt)
class SubmissionReceiptAdmin(admin.ModelAdmin):
    list_display = ["created_at", "action", "subject", "user", "ok"]
    list_filter = ["action", "ok"]
    search_fields = ["subject", "key"]

    def has_add_permission(self, request, obj=None) -> bool:  # noqa: ANN001
        return False

    def has_change_permission(self, request, obj=None) -> bool:  # noqa: ANN001
        return False

    def has_delete_permission(self, request, obj=None) -> bool:  # noqa: ANN001
        return False


@admin.register(CredentialLock)
class CredentialLockAdmin(admin.ModelAdmin):
    """Counted PIN attempts per badge; deleting a row unlocks the badge (docs/operations.md)."""

    list_display = ["key", "attempts", "last_attempt_at", "locked_until"]
    search_fields = ["key"]

    def has_add_permission(self, request, obj=None) -> bool:  # noqa: ANN001
        return False

    def has_change_permission(self, request, obj=None) -> bool:  # noqa: ANN001
        return False
