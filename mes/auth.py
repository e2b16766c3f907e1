"""Badge and PIN sign-in, beside Django's user name and password (settings.AUTHENTICATION_BACKENDS)."""

from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.hashers import make_password
from django.http import HttpRequest

from mes.models import OperatorProfile


class BadgePinBackend(ModelBackend):
    """authenticate(request, badge_number=..., pin=...): the active user whose badge it is."""

    def authenticate(  # type: ignore[override]
        self,
        request: HttpRequest | None,
        badge_number: str | None = None,
        pin: str | None = None,
        **kwargs: object,
    ):
        if not badge_number or not pin:
            return None
        profile = (
            OperatorProfile.objects.select_related("user")
            .filter(badge_number=badge_number.strip())
            .first()
        )
        if profile is None:
            make_password(pin)  # the same work as a real check, so timing tells no badge numbers
            return None
        if profile.check_pin(pin) and self.user_can_authenticate(profile.user):
            return profile.user
        return None
