"""Health and metrics endpoints for load balancers, orchestrators and Prometheus.

No session or token needed for health (they reveal only up/down and component names); /metrics
asks for `Authorization: Bearer <METRICS_TOKEN>` when that setting is set.
"""

import hmac

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from mes.ops import health
from mes.ops.metrics import exposition


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
    return JsonResponse(
        {"status": "ok" if ok else "failing", "checks": checks}, status=200 if ok else 503
    )


@never_cache
@require_GET
def metrics(request: HttpRequest) -> HttpResponse:
    token = settings.METRICS_TOKEN
    if token:
        given = request.headers.get("Authorization", "").removeprefix("Bearer ").strip()
        if not hmac.compare_digest(given, token):
            return HttpResponse(
                "metrics need the bearer token\n", status=401, content_type="text/plain"
            )
    return HttpResponse(exposition(), content_type="text/plain; version=0.0.4; charset=utf-8")
