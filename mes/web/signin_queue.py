"""Password attempts at one user name run one after the other (SerialSignInMiddleware).

axes checks a user name's failures before the password and counts a failure after it: parallel
attempts all read the count as it was before any of them, so a burst of 40 wrong passwords got
~37 checked where the limit is 5 (measured on PostgreSQL). Run one at a time, each attempt reads
the count the one before it wrote, and the limit holds. Only the sign-in pages are queued, one
queue per user name on PostgreSQL (an advisory lock: a user signing in never waits for another
user's guesser); SQLite (embedded mode) has one writer at a time anyway.
"""

from collections.abc import Callable

from django.conf import settings
from django.db import connection, transaction
from django.http import HttpRequest, HttpResponse
from django.urls import reverse

# Every page that takes a user name and password (each calls authenticate(), which axes checks).
SIGN_IN_URLS = ("signin", "rest_framework:login", "admin:login")


def _user_name_tried(request: HttpRequest) -> str | None:
    if request.method != "POST" or request.path not in {reverse(url) for url in SIGN_IN_URLS}:
        return None
    return request.POST.get(settings.AXES_USERNAME_FORM_FIELD) or None


def _queue_on(user_name: str) -> None:
    """Wait for the attempts at `user_name` before this one; held until the transaction ends."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(hashtext(%s))", [f"signin:{user_name}"])
    # SQLite: the transaction began IMMEDIATE (settings), which already queues every writer.


class SerialSignInMiddleware:
    """Runs a sign-in POST in a transaction that first takes the user name's lock, so that the
    attempt's check, password and counted failure happen before the next attempt's check."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user_name = _user_name_tried(request)
        if user_name is None:
            return self.get_response(request)
        with transaction.atomic():
            _queue_on(user_name)
            return self.get_response(request)
