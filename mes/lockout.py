"""Lockout of a short secret (a badge's PIN) counted atomically, in one database row per
credential (mes.models.CredentialLock), in both running modes.

Passwords are throttled by django-axes (settings: AXES_*). A PIN is four digits, so a badge needs
a limit that holds under parallel attempts too; axes checks its count before the password and
writes it after, so it cannot promise that. Here the attempt is claimed first: the count goes up
under the row's lock, and only a claim within the limit gets its secret checked.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from mes.models import CredentialLock


@dataclass(frozen=True)
class Claim:
    """One attempt's turn: `allowed` to check its secret or not; `locked_until` once the limit is
    reached (by this claim or before it)."""

    allowed: bool
    locked_until: datetime | None


def credential_attempt_claim(*, key: str, limit: int, cool_off: timedelta) -> Claim:
    """Count one attempt at `key`, before its secret is checked.

    Refused while the credential is locked. The claim that reaches `limit` is still checked (the
    limit-th attempt is allowed) and sets the lock, which a right secret lifts; a wrong one leaves
    it for `cool_off`. A count whose last attempt is older than `cool_off` starts again.
    """
    now = timezone.now()
    with transaction.atomic():
        lock = _row_locked(key=key, now=now)
        if lock.locked_until is not None and lock.locked_until > now:
            return Claim(allowed=False, locked_until=lock.locked_until)
        if lock.locked_until is not None or lock.last_attempt_at <= now - cool_off:
            lock.attempts, lock.locked_until = 0, None
        lock.attempts += 1
        lock.last_attempt_at = now
        if lock.attempts >= limit:
            lock.locked_until = now + cool_off
        lock.save(update_fields=["attempts", "last_attempt_at", "locked_until"])
    return Claim(allowed=True, locked_until=lock.locked_until)


def _row_locked(*, key: str, now: datetime) -> CredentialLock:
    """The credential's row, locked: the row lock serialises parallel claims, each reads the
    count the one before it wrote. get_or_create retries its get when a parallel claim inserted
    the row first; a right secret may delete that row in between (credential_attempts_clear),
    and then the insert is tried again, in its own savepoint, rather than failing the sign-in."""
    for _attempt in range(3):
        try:
            lock, _created = CredentialLock.objects.select_for_update().get_or_create(
                key=key, defaults={"last_attempt_at": now}
            )
            return lock
        except IntegrityError:
            continue
    raise IntegrityError(_("The sign-in lock row for %(key)s kept vanishing.") % {"key": key})


def credential_attempts_clear(*, key: str) -> None:
    """A right secret: the count (and a lock its own claim set) goes."""
    CredentialLock.objects.filter(key=key).delete()


def credential_locked_until(*, key: str) -> datetime | None:
    """When the lock on `key` ends, or None when it is not locked now."""
    until = CredentialLock.objects.filter(key=key).values_list("locked_until", flat=True).first()
    return until if until is not None and until > timezone.now() else None
