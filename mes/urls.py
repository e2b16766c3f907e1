"""Top-level URLs: the screens, admin, the REST API under /api/v1/, its OpenAPI schema and docs."""

from django.contrib import admin
from django.urls import include, path

from mes.api_docs import DocsView, SchemaView

urlpatterns = [
    path("", include("mes.ops.urls")),
    path("", include("mes.web.urls")),
    path("", include("lines.web.urls")),
    path("", include("quality.web.urls")),
    path("", include("finishing.web.urls")),
    path("", include("oee.web.urls")),
    path("admin/", admin.site.urls),
    path("api/v1/", include("lines.api.urls")),
    path("api/v1/", include("quality.api.urls")),
    path("api/v1/", include("finishing.api.urls")),
    path("api/v1/", include("conditions.api.urls")),
    path("api/v1/", include("oee.api.urls")),
    path("api/schema/", SchemaView.as_view(), name="schema"),
    path("api/docs/", DocsView.as_view(url_name="schema"), name="swagger-ui"),
    path("api/auth/", include("rest_framework.urls")),
]

# With DEBUG off, an unexpected error under /api/ answers in the API's JSON error shape.
handler404 = "mes.api_errors.page_not_found"
handler500 = "mes.api_errors.server_error"
