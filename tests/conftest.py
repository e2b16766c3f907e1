"""Shared fixtures: the test plant and the named personas (operator, quality engineer, integration)."""

import pytest
from rest_framework.test import APIClient

from mes import roles
from tests.factories import Plant, make_plant, make_user


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    """PBKDF2 costs ~0.3 s a user by design; tests create many users and check many signatures."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def language_reset_after_each_test():
    """A request in Chinese leaves its language active in the thread (LocaleMiddleware activates
    per request and never resets; the test client runs in the test's thread), and the services'
    messages are translated: without this, a test's outcome would depend on the one before."""
    yield
    from django.conf import settings
    from django.utils import translation

    translation.activate(settings.LANGUAGE_CODE)


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
    """Tests marked `services` need a broker and workers of services mode; tests marked `browser`
    need Debian's chromium. Where those are absent they are deselected (reported as such, never a
    silent skip); with MES_REQUIRE_SERVICES=1 / MES_REQUIRE_BROWSER=1 (CI) they run and fail if
    what they need is missing."""
    import os

    from django.conf import settings

    needs = []
    if not settings.MES_REQUIRE_SERVICES:
        needs.append("services")
    if not settings.MES_REQUIRE_BROWSER and not os.access(settings.MES_CHROMIUM, os.X_OK):
        needs.append("browser")
    dropped = [item for item in items if any(item.get_closest_marker(m) for m in needs)]
    if dropped:
        config.hook.pytest_deselected(items=dropped)
        items[:] = [item for item in items if item not in dropped]
        print(f"\ndeselected {len(dropped)} test(s) needing: {', '.join(needs)}")
