"""Badge and PIN sign-in, beside Django's user name and password (settings.AUTHENTICATION_BACKENDS).

Passwords are throttled by django-axes; badges are not (mes.auth.axes_skips_badges): a PIN has
its own lockout, counted atomically per badge (mes.lockout), because four digits cannot afford
the parallel attempts that axes' read-then-write count lets through.
"""

from datetime import datetime, timedelta

from django.conf import settings
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.hashers import make_password
from django.http import HttpRequest

from mes.lockout import credential_attempt_claim, credential_attempts_clear, credential_locked_until
from mes.models import OperatorProfile


def _badge_key(badge_number: str) -> str:
    return f"badge:{badge_number.strip()}"


def badge_locked_until(badge_number: str) -> datetime | None:
    """When the badge's PIN lockout ends, or None when the badge is not locked."""
    return credential_locked_until(key=_badge_key(badge_number))


def badge_unlock(badge_number: str) -> None:
    """Lift a badge's lockout (the shift lead, after checking who is at the tablet)."""
    credential_attempts_clear(key=_badge_key(badge_number))


def axes_skips_badges(request: HttpRequest, credentials: dict | None) -> bool:
    """AXES_WHITELIST_CALLABLE: badge attempts are neither checked nor counted by axes.

    They carry no user name, so axes would count them all under one empty name per tablet and
    lock every badge at that tablet after a few typos; the badge lockout counts them instead.
    """
    return bool(credentials and credentials.get("badge_number"))


def client_ip(request: HttpRequest) -> str | None:
    """AXES_CLIENT_IP_CALLABLE: the address the password lockout counts per user name.

    Behind MES_PROXY_COUNT proxies, the address the outermost of them saw: each proxy appends its
    peer to X-Forwarded-For, so that entry is the n-th from the right; entries left of it are
    the client's to invent. Without proxies (or a request that did not pass them), the peer.
    """
    hops = [h.strip() for h in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if h.strip()]
    proxies = settings.MES_PROXY_COUNT
    if proxies and len(hops) >= proxies:
        return hops[-proxies]
    return request.META.get("REMOTE_ADDR")


class BadgePinBackend(ModelBackend):
    """authenticate(request, badge_number=..., pin=...): the active user whose badge it is."""

    def authenticate(  # type: ignore[override]  # takes badge and PIN, not username and password
        self,
        request: HttpRequest | None,
        badge_number: str | None = None,
        pin: str | None = None,
        **kwargs: object,
    ):
        if not badge_number or not pin:
            return None
        key = _badge_key(badge_number)
        claim = credential_attempt_claim(
            key=key,
            limit=settings.MES_PIN_FAILURE_LIMIT,
            cool_off=timedelta(seconds=settings.MES_PIN_COOLOFF_S),
        )
        if not claim.allowed:
            return None  # locked: the PIN is not even checked
        profile = (
            OperatorProfile.objects.select_related("user")
            .filter(badge_number=badge_number.strip())
            .first()
        )
        if profile is None:
            make_password(pin)  # the same work as a real check, so timing tells no badge numbers
            return None
        if profile.check_pin(pin) and self.user_can_authenticate(profile.user):
            credential_attempts_clear(key=key)
            return profile.user
        return None
