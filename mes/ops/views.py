"""Health and metrics endpoints for load balancers, orchestrators and Prometheus.

Health needs no session or token, but tells an anonymous caller only up/down per component: the
details (database errors naming hosts, worker host names, the bridges' status directory and last
errors) go to staff and to users with the integration or admin role, signed in or with a token.
/metrics asks for `Authorization: Bearer <METRICS_TOKEN>` when that is set, and is closed when it
is not, unless MES_METRICS_PUBLIC (docs/operations.md, "Who may read what").
"""

import hmac

from django.conf import settings
from django.contrib.auth.models import User
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET
from rest_framework.authentication import TokenAuthentication
from rest_framework.exceptions import AuthenticationFailed
from rest_framework.request import Request

from mes.ops import health
from mes.ops.metrics import exposition
from mes.roles import SEES_OPS_DETAILS, user_roles


@never_cache
@require_GET
def live(request: HttpRequest) -> JsonResponse:
    """The web process answers: nothing else is checked (a restart would not fix anything else)."""
    return JsonResponse({"status": "ok"})


@never_cache
@require_GET
def component(request: HttpRequest, name: str) -> JsonResponse:
    if name not in health.COMPONENTS:
        raise Http404(f"no health check named {name!r}; there are {sorted(health.COMPONENTS)}")
    ok, checks = health.check(name)
    status = health.overall(ok, checks)
    if not _sees_details(request):
        checks = {probe: {"ok": result["ok"]} for probe, result in checks.items()}
    # Degraded is 200: the component works (a bridge with one unknown node still forwards the
    # others), so an orchestrator must not restart it; monitoring reads the status word.
    return JsonResponse({"status": status, "checks": checks}, status=200 if ok else 503)


def _sees_details(request: HttpRequest) -> bool:
    user = request.user if request.user.is_authenticated else _token_user(request)
    if user is None:
        return False
    return user.is_staff or bool(user_roles(user) & SEES_OPS_DETAILS)


def _token_user(request: HttpRequest) -> User | None:
    """The user of an `Authorization: Token` header (a monitoring integration); a wrong token
    only means no details, since health itself stays open."""
    try:
        found = TokenAuthentication().authenticate(Request(request))
    except AuthenticationFailed:
        return None
    return found[0] if found else None


@never_cache
@require_GET
def metrics(request: HttpRequest) -> HttpResponse:
    token = settings.METRICS_TOKEN
    if token:
        given = request.headers.get("Authorization", "").removeprefix("Bearer ").strip()
        if not hmac.compare_digest(given.encode(), token.encode()):
            refused = _text(_("/metrics needs the bearer token (METRICS_TOKEN)."), status=401)
            refused["WWW-Authenticate"] = 'Bearer realm="metrics"'
            return refused
    elif not settings.MES_METRICS_PUBLIC:
        return _text(
            _(
                "/metrics is closed: set METRICS_TOKEN and scrape with it as a bearer token, "
                "or set MES_METRICS_PUBLIC=1 on a closed network."
            ),
            status=403,
        )
    return HttpResponse(exposition(), content_type="text/plain; version=0.0.4; charset=utf-8")


def _text(message: str, *, status: int) -> HttpResponse:
    return HttpResponse(message + "\n", status=status, content_type="text/plain; charset=utf-8")
