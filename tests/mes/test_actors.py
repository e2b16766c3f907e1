"""The acting user a view hands to a service: the signed-in user, never an anonymous visitor."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied
from django.test import RequestFactory

from mes.actors import request_actor
from tests.factories import make_user

pytestmark = pytest.mark.django_db


def test_a_signed_in_request_acts_as_its_user():
    olivia = make_user("olivia.operator", "operator")
    request = RequestFactory().post("/")
    request.user = olivia

    assert request_actor(request) == olivia


def test_an_anonymous_request_is_refused_rather_than_recorded_against_nobody():
    request = RequestFactory().post("/")
    request.user = AnonymousUser()

    with pytest.raises(PermissionDenied):
        request_actor(request)
