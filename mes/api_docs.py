"""The OpenAPI schema and Swagger UI, for signed-in users unless MES_API_DOCS_PUBLIC is set.

The schema names every endpoint, filter and field of the plant's API: a map for whoever wants
in, so by default only users who could call the API read it (docs/operations.md, "Who may read
what"). The setting is read per request, so that a test or an admin flipping it needs no restart.
"""

from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.http import HttpResponse
from drf_spectacular.utils import extend_schema
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView
from rest_framework.permissions import AllowAny, BasePermission, IsAuthenticated
from rest_framework.renderers import JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response


def _docs_permissions() -> list[BasePermission]:
    return [AllowAny()] if settings.MES_API_DOCS_PUBLIC else [IsAuthenticated()]


class SchemaView(SpectacularAPIView):
    """GET /api/schema/: anonymous callers get the API's 401 (token or session needed)."""

    def get_permissions(self) -> list[BasePermission]:
        return _docs_permissions()

    def handle_exception(self, exc: Exception) -> Response:
        """A refusal in the API's JSON error shape, not in the schema's YAML."""
        response = super().handle_exception(exc)
        self.request.accepted_renderer = JSONRenderer()
        self.request.accepted_media_type = JSONRenderer.media_type
        return response


class DocsView(SpectacularSwaggerView):
    """GET /api/docs/: a browser page, so an anonymous visitor is sent to sign in first."""

    permission_classes = [AllowAny]

    @extend_schema(exclude=True)  # a page, not an endpoint of the API
    def get(self, request: Request, *args: object, **kwargs: object) -> HttpResponse:
        if not settings.MES_API_DOCS_PUBLIC and not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        return super().get(request, *args, **kwargs)
