"""Who may open the quality screens: quality engineers and admins (mes.roles.DECIDES_QUALITY)."""

from collections.abc import Callable
from functools import wraps

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse

from mes import roles


def quality_required(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    @login_required
    @wraps(view)
    def guarded(request: HttpRequest, *args: object, **kwargs: object) -> HttpResponse:
        if not roles.user_roles(request.user) & roles.DECIDES_QUALITY:
            raise PermissionDenied("The quality screens are for quality engineers.")
        return view(request, *args, **kwargs)

    return guarded
