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


# --- services mode: the tests connect as the app's role, as production does -------------------
# The test database is created and migrated by its owner (DATABASE_URL's user); the tests then
# connect as a role that owns no table (manage.py db_roles), so that nothing in the app needs
# the owner's rights. Tests marked `db_owner` (DDL, an insider's attack) connect as the owner.
_USERS: dict[str, str] = {}
_WANTED = {"user": "app"}  # set per test, before the test database may even exist


def app_role_for(database: str) -> str:
    """test_mes_ci_42 -> mes_ci_42_app: one role per database name, so engineers sharing a
    server do not share roles (roles are cluster-wide)."""
    return f"{database.removeprefix('test_')}_app"


def _connect_as(which: str) -> None:
    from django.db import connection

    user = _USERS.get(which)
    if user and connection.settings_dict["USER"] != user:
        connection.close()
        connection.settings_dict["USER"] = user  # shared by every thread's connection


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_setup(item):
    """Before the test's fixtures open a transaction: the owner for `db_owner`, else the app."""
    _WANTED["user"] = "owner" if item.get_closest_marker("db_owner") else "app"
    _connect_as(_WANTED["user"])


def _flush_as_owner(self, sql_list):
    """A transactional test ends by emptying every table with TRUNCATE, which the app's role may
    not do and the audit tables' triggers refuse (quality 0006): the owner (a superuser in the
    test run) does it with triggers off for its session."""
    import psycopg

    settings_dict = self.connection.settings_dict
    with psycopg.connect(
        dbname=settings_dict["NAME"],
        user=_USERS.get("owner") or settings_dict["USER"],
        password=settings_dict["PASSWORD"] or None,
        host=settings_dict["HOST"] or "127.0.0.1",
        port=settings_dict["PORT"] or 5432,
    ) as owner:
        owner.execute("SET session_replication_role = replica")
        for statement in sql_list:
            owner.execute(statement)


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    from django.db import connection
    from django.db.backends.postgresql.operations import DatabaseOperations

    from mes.management.commands.db_roles import db_roles_apply

    if connection.vendor != "postgresql":
        yield
        return
    DatabaseOperations.execute_sql_flush = _flush_as_owner
    owner = connection.settings_dict["USER"]
    role = app_role_for(connection.settings_dict["NAME"])
    with django_db_blocker.unblock():
        db_roles_apply(role=role)
    _USERS.update(owner=owner, app=role)
    _connect_as(_WANTED["user"])
    yield
    with django_db_blocker.unblock():
        _connect_as("owner")  # the test database is dropped by its owner
