"""What a sign-in refused by the password lockout (django-axes) answers: the sign-in page with a
banner on the screens, our JSON error under /api/ (AXES_LOCKOUT_CALLABLE)."""

from datetime import datetime

from axes.helpers import get_client_username, get_cool_off
from axes.models import AccessAttempt
from django.db.models import Max
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils import formats, timezone
from django.utils.translation import gettext as _


def _locked_until(request: HttpRequest, credentials: dict | None) -> datetime:
    """The lockout runs from the last counted failure (axes does not count failures while locked,
    AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT off) for the cool-off."""
    last = AccessAttempt.objects.filter(
        username=get_client_username(request, credentials),
        ip_address=getattr(request, "axes_ip_address", None),
    ).aggregate(last=Max("attempt_time"))["last"]
    return (last or timezone.now()) + get_cool_off(request)


def lockout_message(locked_until: datetime) -> str:
    when = formats.time_format(timezone.localtime(locked_until), "H:i")
    return _(
        "Too many wrong passwords for this user name: sign-in is locked until %(time)s. Try "
        "again then, or call your shift lead or the MES administrator to unlock it."
    ) % {"time": when}


def lockout_response(
    request: HttpRequest, original_response: HttpResponse | None, credentials: dict | None
) -> HttpResponse:
    """429 with a translated message saying when to come back and whom to call."""
    locked_until = _locked_until(request, credentials)
    retry_after_s = max(1, int((locked_until - timezone.now()).total_seconds()))
    message = lockout_message(locked_until)
    if request.path.startswith("/api/"):
        body = {"error": {"code": "locked_out", "message": message, "fields": {}}}
        response: HttpResponse = JsonResponse(body, status=429)
    else:
        context = {"message": message, "next": request.POST.get("next", "")}
        response = render(request, "mes/signin_locked.html", context, status=429)
    response["Retry-After"] = str(retry_after_s)
    return response
