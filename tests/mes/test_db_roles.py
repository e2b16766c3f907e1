"""manage.py db_roles (PostgreSQL, run as the owner): idempotent, and it never hands the app's
rights to the owner or a superuser. What the role may not do: tests/quality/test_audit_attacks.py."""

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from tests.conftest import app_role_for

pytestmark = [pytest.mark.services, pytest.mark.django_db, pytest.mark.db_owner]


def test_a_second_run_updates_the_existing_role(capsys):
    role = app_role_for(connection.settings_dict["NAME"])
    call_command("db_roles", "--app-role", role)
    assert capsys.readouterr().out.strip() == f"updated role {role}; grants applied"
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT has_table_privilege(%s, 'quality_auditentry', 'INSERT'),"
            " has_table_privilege(%s, 'quality_auditentry', 'UPDATE'),"
            " has_table_privilege(%s, 'lines_unit', 'UPDATE')",
            [role, role, role],
        )
        assert cursor.fetchone() == (True, False, True)


def test_the_owner_or_a_superuser_is_refused():
    with pytest.raises(CommandError, match="is the user running this"):
        call_command("db_roles", "--app-role", connection.settings_dict["USER"])
    superuser = f"{app_role_for(connection.settings_dict['NAME'])}_su"
    with connection.cursor() as cursor:
        cursor.execute(f"CREATE ROLE {superuser} SUPERUSER")  # rolled back with the test
    with pytest.raises(CommandError, match="superuser"):
        call_command("db_roles", "--app-role", superuser)


def test_an_empty_password_variable_is_refused(monkeypatch):
    monkeypatch.setenv("MES_H_AUDIT_EMPTY", "")
    role = app_role_for(connection.settings_dict["NAME"])
    with pytest.raises(CommandError, match="MES_H_AUDIT_EMPTY is empty"):
        call_command("db_roles", "--app-role", role, "--password-env", "MES_H_AUDIT_EMPTY")
