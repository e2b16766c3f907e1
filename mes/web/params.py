"""Query parameters of the screens, read once and refused with a 400 page, never a 500.

`?n=²` passed str.isdigit() and then broke int(); a parameter a person can edit in the address
bar is input like any other. A view reads its parameters with int_param inside a view wrapped
in @answers_bad_parameters: a bad value becomes a translated 400 page saying which parameter
and what it takes, and the view's own code never sees it.
"""

from collections.abc import Callable
from functools import wraps

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from mes.numbers import BIGINT_MAX

View = Callable[..., HttpResponse]


class BadParameter(Exception):
    """A query parameter the view cannot use; `message` says what it takes."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def int_param(
    request: HttpRequest,
    name: str,
    *,
    default: int | None,
    minimum: int = 1,
    maximum: int = BIGINT_MAX,
) -> int | None:
    """The integer in `?name=`, or `default` when it is absent or blank.

    Only ASCII digits count ('²' and '١' are digits to str.isdigit() but not to a person here).
    """
    text = request.GET.get(name, "").strip()
    if not text:
        return default
    if text.isascii() and text.isdigit() and minimum <= int(text) <= maximum:
        return int(text)
    raise BadParameter(
        _("“%(value)s” is not a valid %(name)s: give a whole number from %(min)s to %(max)s.")
        % {"value": text[:40], "name": name, "min": minimum, "max": maximum}
    )


def bad_request(request: HttpRequest, message: str) -> HttpResponse:
    """The 400 page: what was wrong, and a way back."""
    return render(request, "mes/bad_request.html", {"message": message}, status=400)


def answers_bad_parameters(view: View) -> View:
    """A BadParameter raised in `view` is answered with the 400 page."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args: object, **kwargs: object) -> HttpResponse:
        try:
            return view(request, *args, **kwargs)
        except BadParameter as exc:
            return bad_request(request, exc.message)

    return wrapped
