"""The tag map in the admin: saves go through the tag services and refusals show on the form."""

import pytest
from django.contrib.auth.models import User

from lines.models import Tag

ADD = "/admin/lines/tag/add/"


@pytest.fixture
def admin_client_(client, db):
    user = User.objects.create_superuser("root", "root@example.com", "pw-root-123")
    client.force_login(user)
    return client


def _form(plant, **fields):
    return {
        "node_id": "ns=2;s=COAT-01.ArealLoading",
        "station": plant.station("coating").pk,
        "parameter": "areal_loading_mg_cm2",
        "role": "",
        "enabled": "on",
        "sampling_interval_ms": 1000,
        "queue_size": 10,
        "description": "",
    } | fields


def test_a_tag_added_in_the_admin_is_created_by_the_service(plant, admin_client_):
    response = admin_client_.post(ADD, _form(plant))
    assert response.status_code == 302
    tag = Tag.objects.get()
    assert (tag.node_id, tag.parameter, tag.sampling_interval_ms) == (
        "ns=2;s=COAT-01.ArealLoading",
        "areal_loading_mg_cm2",
        1000,
    )


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"node_id": "COAT-01 areal"}, "node id"),
        ({"role": "unit_id"}, "parameter or a role"),
    ],
)
def test_a_refused_tag_shows_the_service_s_reason_and_stores_nothing(
    plant, admin_client_, fields, message
):
    response = admin_client_.post(ADD, _form(plant, **fields))
    assert response.status_code == 200
    errors = " ".join(str(e) for e in response.context["adminform"].form.errors.values())
    assert message in errors.lower() or message in errors
    assert Tag.objects.count() == 0


def test_a_tag_can_be_disabled_in_the_admin(plant, admin_client_):
    admin_client_.post(ADD, _form(plant))
    tag = Tag.objects.get()
    form = _form(plant) | {"enabled": ""}
    del form["node_id"], form["station"]
    form.pop("enabled")
    response = admin_client_.post(f"/admin/lines/tag/{tag.pk}/change/", form)
    assert response.status_code == 302
    assert Tag.objects.get().enabled is False
