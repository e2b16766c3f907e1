"""Errors the API answers before any view logic runs still use the one JSON error shape."""

import re

import pytest

from lines.api.views import LineViewSet
from lines.models import Unit


def test_an_oversized_body_is_a_413_in_the_error_shape_and_stores_nothing(api, operator, plant):
    api.force_authenticate(operator)
    response = api.post(
        "/api/v1/units/",
        {"identifier": "C-1", "kind": "cell", "junk": "y" * 3_000_000},
        format="json",
    )
    assert response.status_code == 413
    assert response.json()["error"] == {
        "code": "too_large",
        "message": "The request body is larger than the 2.5 MiB the API accepts; send less.",
        "fields": {},
    }
    assert not Unit.objects.exists()


def _fail(*args: object, **kwargs: object) -> None:
    raise RuntimeError("injected fault")


@pytest.fixture
def failing_api(api, operator, settings, monkeypatch):
    """Production settings, and an API view that fails unexpectedly (an injected fault)."""
    settings.DEBUG = False
    monkeypatch.setattr(LineViewSet, "list", _fail)
    api.raise_request_exception = False  # answer as the server would, not raise into the test
    api.force_authenticate(operator)
    return api


def test_an_unexpected_api_error_is_a_json_500_with_the_proxys_request_id(failing_api, caplog):
    response = failing_api.get("/api/v1/lines/", headers={"X-Request-ID": "req-42"})
    assert response.status_code == 500
    assert response["Content-Type"] == "application/json"
    assert response["X-Request-ID"] == "req-42"
    assert response.json() == {
        "error": {
            "code": "server_error",
            "message": "The server failed to answer this request; the error is logged as req-42. "
            "Try again; if it fails again, give that id to your MES administrator.",
            "fields": {},
            "request_id": "req-42",
        }
    }
    logged = [r for r in caplog.records if getattr(r, "request_id", None) == "req-42"]
    assert [r.getMessage() for r in logged] == [
        "API server error req-42 on GET /api/v1/lines/: RuntimeError: injected fault"
    ]


def test_a_json_500_makes_its_own_id_and_speaks_the_callers_language(failing_api):
    # a header that is not an id (spaces, markup) is not echoed back
    response = failing_api.get(
        "/api/v1/lines/", headers={"X-Request-ID": "<b>x y</b>", "Accept-Language": "zh-hans"}
    )
    assert response.status_code == 500
    error = response.json()["error"]
    assert re.fullmatch(r"[0-9a-f]{32}", error["request_id"])
    assert response["X-Request-ID"] == error["request_id"]
    assert error["message"].startswith("服务器未能处理此请求")
    assert error["request_id"] in error["message"]


def test_a_screen_keeps_djangos_error_page(client, operator, settings, monkeypatch):
    settings.DEBUG = False
    monkeypatch.setattr("mes.roles.user_roles", _fail)  # the home screen asks for the roles
    client.raise_request_exception = False
    client.force_login(operator)
    response = client.get("/")
    assert response.status_code == 500
    assert response["Content-Type"].startswith("text/html")


def test_an_unknown_api_path_is_a_json_404_in_the_callers_language(api, operator, settings):
    settings.DEBUG = False
    api.force_authenticate(operator)
    response = api.get("/api/v1/no-such-thing/", headers={"Accept-Language": "zh-hans"})
    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
    error = response.json()["error"]
    assert error["code"] == "not_found"
    assert "/api/v1/no-such-thing/" in error["message"]
    assert error["message"].startswith("没有")


def test_an_unknown_screen_path_keeps_the_html_page(client, operator, settings):
    settings.DEBUG = False
    client.force_login(operator)
    response = client.get("/no-such-screen/")
    assert response.status_code == 404
    assert response["Content-Type"].startswith("text/html")


def test_an_invalid_and_an_oversized_body_are_refused_in_the_callers_language(api, operator, plant):
    api.force_authenticate(operator)
    zh = {"Accept-Language": "zh-hans"}
    invalid = api.post(
        "/api/v1/units/", {"identifier": "C-1", "kind": "cell", "quantity": "x"}, headers=zh
    )
    too_large = api.post(
        "/api/v1/units/", {"identifier": "C-1", "junk": "y" * 3_000_000}, format="json", headers=zh
    )
    assert invalid.status_code == 400
    assert invalid.json()["error"]["message"].startswith("输入无效。")
    assert too_large.status_code == 413
    assert "2.5" in too_large.json()["error"]["message"]
    assert too_large.json()["error"]["message"].startswith("请求正文")
    assert not Unit.objects.exists()
