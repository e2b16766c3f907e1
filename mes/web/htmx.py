"""The request type of views that answer htmx: django_htmx's middleware sets `request.htmx`."""

from django.http import HttpRequest
from django_htmx.middleware import HtmxDetails


class HtmxRequest(HttpRequest):
    """An HttpRequest after django_htmx's middleware (for annotations; never instantiated)."""

    htmx: HtmxDetails
