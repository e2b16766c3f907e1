"""`manage.py badge_unlock <badge number>`: lift a badge's PIN lockout (docs/operations.md,
"Sign-in lockout"), the badges' counterpart of axes' `axes_reset_username`."""

from django.core.management.base import BaseCommand

from mes.auth import badge_locked_until, badge_unlock


class Command(BaseCommand):
    help = "Lift the PIN lockout of a badge (after checking who is at the tablet)."

    def add_arguments(self, parser) -> None:  # noqa: ANN001
        parser.add_argument("badge_number")

    def handle(self, *args: object, badge_number: str, **opts: object) -> None:
        was_locked = badge_locked_until(badge_number) is not None
        badge_unlock(badge_number)
        state = "unlocked" if was_locked else "was not locked; its count of wrong PINs is cleared"
        self.stdout.write(f"Badge {badge_number.strip()} {state}.")
