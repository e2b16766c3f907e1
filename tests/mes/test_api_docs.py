"""The OpenAPI schema and Swagger UI: signed-in users by default, open with MES_API_DOCS_PUBLIC."""

import re

import pytest
from django.conf import settings
from django.contrib.staticfiles import finders
from rest_framework.authtoken.models import Token

pytestmark = pytest.mark.django_db


def test_the_schema_needs_a_token_or_a_session_by_default(client, integration):
    response = client.get("/api/schema/")
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Token"
    assert response.json() == {
        "error": {
            "code": "not_authenticated",
            "message": "Authentication credentials were not provided.",
            "fields": {},
        }
    }
    token = Token.objects.create(user=integration).key
    response = client.get("/api/schema/", headers={"Authorization": f"Token {token}"})
    assert response.status_code == 200
    assert b"openapi: 3" in response.content


def test_the_docs_page_sends_an_anonymous_visitor_to_sign_in(client, operator):
    response = client.get("/api/docs/")
    assert response.status_code == 302
    assert response["Location"] == "/signin/?next=/api/docs/"
    client.force_login(operator)
    assert client.get("/api/docs/").status_code == 200


def test_the_setting_opens_schema_and_docs_to_anyone(client, settings):
    settings.MES_API_DOCS_PUBLIC = True
    assert client.get("/api/schema/").status_code == 200
    assert client.get("/api/docs/").status_code == 200


def test_swagger_ui_comes_from_our_static_files_not_a_cdn(client, operator):
    """An air-gapped plant has no CDN: every file the page loads is one of ours, and exists."""
    client.force_login(operator)
    html = client.get("/api/docs/").content.decode()
    assert "http://" not in html and "https://" not in html and "cdn" not in html.lower()
    urls = re.findall(r'(?:src|href)="([^"]+)"', html)
    assert sorted(u.rsplit("/", 1)[1] for u in urls) == [
        "favicon-32x32.png",
        "swagger-ui-bundle.js",
        "swagger-ui-standalone-preset.js",
        "swagger-ui.css",
    ]
    for url in urls:
        assert url.startswith(settings.STATIC_URL), url
        path = url.removeprefix(settings.STATIC_URL)
        assert finders.find(path), f"{url} is not a static file of ours"
