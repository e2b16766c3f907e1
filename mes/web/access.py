"""Screen access by role, as the REST API's permissions decide it (mes.roles): sign-in first, then
one of the allowed roles, else 403."""

from collections.abc import Callable
from functools import wraps

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from django.http.response import HttpResponseBase

from mes import roles

View = Callable[..., HttpResponseBase]


def role_required(allowed: frozenset[str], refusal: str = "") -> Callable[[View], View]:
    def decorate(view: View) -> View:
        @login_required
        @wraps(view)
        def guarded(request: HttpRequest, *args: object, **kwargs: object) -> HttpResponseBase:
            if not roles.user_roles(request.user) & allowed:
                raise PermissionDenied(refusal)
            return view(request, *args, **kwargs)

        return guarded

    return decorate
