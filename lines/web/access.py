"""Who may do what on the station screens: reading needs a login, moving units a role that moves
units (mes.roles.MOVES_UNITS), as in the REST API."""

from collections.abc import Callable
from functools import wraps

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse

from mes import roles


def moves_units(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    @login_required
    @wraps(view)
    def wrapped(request: HttpRequest, *args: object, **kwargs: object) -> HttpResponse:
        if not roles.user_roles(request.user) & roles.MOVES_UNITS:
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapped
