"""A screen whose session is gone goes to sign-in as a page, and comes back to where it was.

htmx follows a redirect inside the request it made and swaps what it gets into its target: without
this, a station's unit card or live panel would receive the whole sign-in page, top bar included,
focus would land in a nested user-name field and the operator's next scan would be typed there.
So every way a panel's request can find its session gone (sign-in required, idle sign-out, a
form posted after its cookies were cleared) answers htmx with HX-Redirect to sign-in, carrying the
page the operator was on as `next` (mes.web.views._landing honours it).
"""

from collections.abc import Callable
from urllib.parse import urlencode, urlsplit

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, resolve_url
from django.views.csrf import csrf_failure as django_csrf_failure


def _page_of(request: HttpRequest) -> str:
    """The page the htmx request was made from (path and query), if it is on this host."""
    current = urlsplit(request.headers.get("HX-Current-URL", ""))
    if not current.path or (current.netloc and current.netloc != request.get_host()):
        return ""
    return current.path + (f"?{current.query}" if current.query else "")


def signin_url(request: HttpRequest, **extra: str) -> str:
    page = _page_of(request) if request.headers.get("HX-Request") else request.get_full_path()
    query = {**extra, **({"next": page} if page else {})}
    return resolve_url(settings.LOGIN_URL) + (f"?{urlencode(query)}" if query else "")


def to_signin(request: HttpRequest, **extra: str) -> HttpResponse:
    """Sign-in as a whole page: HX-Redirect for htmx, an ordinary redirect otherwise."""
    url = signin_url(request, **extra)
    if request.headers.get("HX-Request"):
        response = HttpResponse(status=204)
        response["HX-Redirect"] = url
        return response
    return redirect(url)


class HtmxSignInMiddleware:
    """Turns the redirect to sign-in that login_required gives an htmx request into HX-Redirect."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if request.headers.get("HX-Request") and response.status_code in (301, 302):
            target = urlsplit(response.get("Location", "")).path
            if target == resolve_url(settings.LOGIN_URL):
                return to_signin(request)
        return response


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """A form posted from a screen whose cookies were cleared fails CSRF before sign-in is asked:
    for a signed-out htmx request that is a lost session, not an attack on a session."""
    if request.headers.get("HX-Request") and not request.user.is_authenticated:
        return to_signin(request)
    return django_csrf_failure(request, reason=reason)
