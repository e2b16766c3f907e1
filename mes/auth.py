"""Badge and PIN sign-in, beside Django's user name and password (settings.AUTHENTICATION_BACKENDS)."""

from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.hashers import make_password
from django.core.cache import cache
from django.http import HttpRequest

from mes.models import OperatorProfile

# A PIN is short: after this many wrong ones a badge is locked for a while, so that nobody can
# try all 10,000 four-digit PINs at a tablet.
PIN_ATTEMPTS = 5
PIN_LOCK_S = 300


def _failures_key(badge_number: str) -> str:
    return f"mes:pin-failures:{badge_number.strip()}"


def badge_locked(badge_number: str) -> bool:
    return cache.get(_failures_key(badge_number), 0) >= PIN_ATTEMPTS


def _count_failure(badge_number: str) -> None:
    key = _failures_key(badge_number)
    cache.add(key, 0, PIN_LOCK_S)
    try:
        cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, PIN_LOCK_S)


class BadgePinBackend(ModelBackend):
    """authenticate(request, badge_number=..., pin=...): the active user whose badge it is."""

    def authenticate(  # type: ignore[override]
        self,
        request: HttpRequest | None,
        badge_number: str | None = None,
        pin: str | None = None,
        **kwargs: object,
    ):
        if not badge_number or not pin or badge_locked(badge_number):
            return None
        profile = (
            OperatorProfile.objects.select_related("user")
            .filter(badge_number=badge_number.strip())
            .first()
        )
        if profile is None:
            make_password(pin)  # the same work as a real check, so timing tells no badge numbers
            _count_failure(badge_number)
            return None
        if profile.check_pin(pin) and self.user_can_authenticate(profile.user):
            cache.delete(_failures_key(badge_number))
            return profile.user
        _count_failure(badge_number)
        return None
