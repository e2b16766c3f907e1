"""Shared fixtures: the test plant and the named personas (operator, quality engineer, integration)."""

import pytest
from rest_framework.test import APIClient

from mes import roles
from tests.factories import Plant, make_plant, make_user


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    """PBKDF2 costs ~0.3 s a user by design; tests create many users and check many signatures."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def plant(db) -> Plant:
    return make_plant()


@pytest.fixture
def operator(db):
    return make_user("olivia.operator", roles.OPERATOR)


@pytest.fixture
def quality_engineer(db):
    return make_user("quinn.quality", roles.QUALITY_ENGINEER)


@pytest.fixture
def integration(db):
    return make_user("plc.integration", roles.INTEGRATION)


@pytest.fixture
def nobody(db):
    """Logged in, but holds no role."""
    return make_user("nora.norole")


@pytest.fixture
def api():
    """An API client; call api.force_authenticate(user) or use token headers in the test."""
    return APIClient()


def pytest_collection_modifyitems(config, items):
    """Tests marked `services` need a broker and workers of services mode. In embedded mode they
    are deselected (reported as such, never a silent skip); with MES_REQUIRE_SERVICES=1 they run
    and fail if a service is missing."""
    from django.conf import settings

    if settings.MES_REQUIRE_SERVICES:
        return
    chosen = [item for item in items if item.get_closest_marker("services") is None]
    dropped = [item for item in items if item.get_closest_marker("services") is not None]
    if dropped:
        config.hook.pytest_deselected(items=dropped)
        items[:] = chosen
