"""Every numeric input reads numbers as mes.numbers does: the API's integers, decimals and
floats, the admin's forms and the list filters. "8,000" and, in a count, "8.000" are refused
with a message naming the field; nothing is stored. Before, a count of "8.000" was read as 8
(DRF's and Django's integer fields drop a trailing ".000") and a recipe version went through
DRF's field untouched by mes.numbers."""

import pytest
from django import forms
from django.contrib.auth.models import User

from lines.api.filters import WholeNumberFilter
from lines.models import Tag

TAGS = "/api/v1/tags/"
ADD = "/admin/lines/tag/add/"


def tag_json(**fields):
    return {
        "node_id": "ns=2;s=COAT-01.ArealLoading",
        "station": "T-COATING",
        "parameter": "areal_loading_mg_cm2",
    } | fields


@pytest.mark.parametrize("text", ["1.000", "1,000", "1 000", "1e3"])
def test_an_api_count_in_another_notation_is_refused(api, integration, plant, text):
    api.force_authenticate(integration)

    response = api.post(TAGS, tag_json(sampling_interval_ms=text), format="json")

    assert response.status_code == 400
    assert "sampling_interval_ms" in response.json()["error"]["fields"]
    assert not Tag.objects.exists()


def test_an_api_count_says_how_to_write_it(api, integration, plant):
    api.force_authenticate(integration)

    response = api.post(TAGS, tag_json(sampling_interval_ms="1.000"), format="json")

    assert response.json()["error"]["fields"]["sampling_interval_ms"] == [
        "sampling_interval_ms: “1.000” is not a plain whole number. Write digits only, "
        "without grouping or a decimal separator, e.g. 8000."
    ]


def test_an_api_count_written_plainly_is_taken(api, integration, plant):
    api.force_authenticate(integration)

    response = api.post(TAGS, tag_json(sampling_interval_ms=" 1000 "), format="json")

    assert response.status_code == 201
    assert Tag.objects.get().sampling_interval_ms == 1000


@pytest.fixture
def superuser_client(client, db):
    client.force_login(User.objects.create_superuser("root", "root@example.com", "pw-root-123"))
    return client


@pytest.mark.parametrize("text", ["1.000", "1,000"])
def test_an_admin_count_in_another_notation_is_refused(plant, superuser_client, text):
    form = {
        "node_id": "ns=2;s=COAT-01.ArealLoading",
        "station": plant.station("coating").pk,
        "parameter": "areal_loading_mg_cm2",
        "role": "",
        "enabled": "on",
        "sampling_interval_ms": text,
        "queue_size": 10,
        "description": "",
    }

    response = superuser_client.post(ADD, form)

    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert "is not a plain whole number" in " ".join(errors["sampling_interval_ms"])
    assert not Tag.objects.exists()


@pytest.mark.parametrize("text", ["8.000", "8,000", "8e3"])
def test_a_list_filter_refuses_a_number_in_another_notation(text):
    field = WholeNumberFilter(field_name="step__sequence").field
    with pytest.raises(forms.ValidationError):
        field.clean(text)
    assert field.clean("8") == 8
