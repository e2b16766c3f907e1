"""`manage.py db_roles --app-role mes_app [--password-env MES_APP_DB_PASSWORD]` (PostgreSQL).

Run as the database owner, after `migrate`. Creates the role the application connects as (once;
later runs only re-grant, and set the password when one is given) and grants it what the app
needs and nothing more: it owns no table, so it cannot TRUNCATE, ALTER or DROP a table or disable
a trigger; on the audit tables (audit entries, signatures, unit history) it may only SELECT and
INSERT; on the chain heads it may not DELETE. Default privileges give it the same on tables the
owner creates later (telemetry partitions). docs/operations.md, "Database roles".
"""

import os

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection, transaction
from django.utils.translation import gettext as _
from psycopg import sql

# Rows of these are written once and never changed (quality 0002's triggers refuse it too).
APPEND_ONLY = ("quality_auditentry", "quality_signature", "lines_unithistory")
# One row per chain, updated on every append; deleting it would cut the chain's end.
NEVER_DELETED = ("quality_chainhead",)


def role_grants(role: str) -> list[sql.Composed]:
    """The statements that give `role` the app's rights on the current database."""
    who = sql.Identifier(role)
    database = sql.Identifier(connection.settings_dict["NAME"])
    dml = sql.SQL("SELECT, INSERT, UPDATE, DELETE")
    return [
        sql.SQL("GRANT CONNECT ON DATABASE {} TO {}").format(database, who),
        sql.SQL("GRANT USAGE ON SCHEMA public TO {}").format(who),
        sql.SQL("GRANT {} ON ALL TABLES IN SCHEMA public TO {}").format(dml, who),
        sql.SQL("GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO {}").format(who),
        sql.SQL("ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT {} ON TABLES TO {}").format(
            dml, who
        ),
        sql.SQL(
            "ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT USAGE, SELECT ON SEQUENCES TO {}"
        ).format(who),
        *[
            sql.SQL("REVOKE UPDATE, DELETE, TRUNCATE ON {} FROM {}").format(
                sql.Identifier(table), who
            )
            for table in APPEND_ONLY
        ],
        *[
            sql.SQL("REVOKE DELETE, TRUNCATE ON {} FROM {}").format(sql.Identifier(table), who)
            for table in NEVER_DELETED
        ],
    ]


def db_roles_apply(*, role: str, password: str | None = None) -> bool:
    """Create `role` when missing and (re)grant its rights. True when it was created.

    Refused: a role that is the connected user (the owner), a superuser, or one that owns tables.
    """
    if connection.vendor != "postgresql":
        raise CommandError(_("db_roles is for PostgreSQL; embedded mode (SQLite) has no roles"))
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SELECT current_user")
        if cursor.fetchone()[0] == role:
            raise CommandError(
                _("%(role)s is the user running this; run it as the owner") % {"role": role}
            )
        cursor.execute("SELECT rolsuper FROM pg_roles WHERE rolname = %s", [role])
        found = cursor.fetchone()
        if found and found[0]:
            raise CommandError(
                _("%(role)s is a superuser; the app's role must not be") % {"role": role}
            )
        cursor.execute("SELECT count(*) FROM pg_tables WHERE tableowner = %s", [role])
        if cursor.fetchone()[0]:
            raise CommandError(
                _("%(role)s owns tables; the app's role must own none") % {"role": role}
            )
        if not found:
            cursor.execute(sql.SQL("CREATE ROLE {} LOGIN").format(sql.Identifier(role)))
        if password:
            cursor.execute(
                sql.SQL("ALTER ROLE {} PASSWORD {}").format(
                    sql.Identifier(role), sql.Literal(password)
                )
            )
        for statement in role_grants(role):
            cursor.execute(statement)
    return not found


class Command(BaseCommand):
    help = "Create or re-grant the PostgreSQL role the application connects as (run as owner)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--app-role", required=True, help="the role's name, e.g. mes_app")
        parser.add_argument(
            "--password-env",
            default="",
            metavar="VAR",
            help="environment variable holding the role's password (never a flag)",
        )

    def handle(self, *args: object, app_role: str, password_env: str, **opts: object) -> None:
        password = os.environ.get(password_env, "") if password_env else ""
        if password_env and not password:
            raise CommandError(_("%(name)s is empty") % {"name": password_env})
        created = db_roles_apply(role=app_role, password=password or None)
        self.stdout.write(f"{'created' if created else 'updated'} role {app_role}; grants applied")
