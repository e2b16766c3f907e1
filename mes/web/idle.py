"""Sign-out after inactivity (settings.MES_IDLE_SIGNOUT_S): a tablet left alone does not stay
signed in as the last operator.

Only what a person does counts as activity. Screens that poll (the live values of a station)
send the header X-MES-Passive, so a screen left open still times out.
"""

import time
from collections.abc import Callable

from django.conf import settings
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse

from mes.web.session_loss import to_signin

LAST_ACTIVE = "mes_last_active"


class IdleSignOutMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        limit = settings.MES_IDLE_SIGNOUT_S
        if limit <= 0 or not request.user.is_authenticated:
            return self.get_response(request)
        now = time.time()
        last = request.session.get(LAST_ACTIVE)
        if last is not None and now - last > limit:
            logout(request)
            return to_signin(request, idle="1")
        if last is None or not request.headers.get("X-MES-Passive"):
            request.session[LAST_ACTIVE] = now
        return self.get_response(request)
