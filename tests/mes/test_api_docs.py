"""The OpenAPI schema and Swagger UI: signed-in users by default, open with MES_API_DOCS_PUBLIC."""

import pytest
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
