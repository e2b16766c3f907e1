"""Errors the API answers before any view logic runs still use the one JSON error shape."""

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
