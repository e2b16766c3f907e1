"""Deploy checks (`manage.py check --deploy`): a placeholder or the dev key is an error.

deploy/production.env.example ships CHANGE-ME placeholders for every secret, and Django's own
checks passed them: a long string is a fine SECRET_KEY to Django, and it does not look at
passwords or tokens at all. A plant that copies the file and forgets one must not go live.
"""

import os
from collections.abc import Iterator

from django.conf import settings
from django.core.checks import CheckMessage, Error, Tags, register
from django.utils.translation import gettext as _

PLACEHOLDER = "change-me"


def _secrets() -> Iterator[tuple[str, str]]:
    """(name, value) of everything secret the settings hold, then every environment variable:
    the env file's placeholders land there (POSTGRES_PASSWORD, OPCUA_PASSWORD, ...) even when
    the settings do not read them."""
    yield "SECRET_KEY", settings.SECRET_KEY
    yield "METRICS_TOKEN", settings.METRICS_TOKEN
    yield "REDIS_URL", settings.REDIS_URL
    for alias, database in settings.DATABASES.items():
        yield f"DATABASES[{alias!r}] PASSWORD (DATABASE_URL)", str(database.get("PASSWORD") or "")
    yield from sorted(os.environ.items())


@register(Tags.security, deploy=True)
def secrets_are_not_placeholders(
    app_configs: object = None, **kwargs: object
) -> list[CheckMessage]:
    errors: list[CheckMessage] = []
    if settings.SECRET_KEY == settings.DEV_SECRET_KEY:
        errors.append(
            Error(
                _("SECRET_KEY is the development key, which is public."),
                hint=_("Set SECRET_KEY to 50 or more random characters (deploy/env.example)."),
                id="mes.E001",
            )
        )
    named = {name for name, value in _secrets() if PLACEHOLDER in value.lower()}
    for name in sorted(named):
        # The name only: a check's output goes to logs and terminals, a value never does.
        errors.append(
            Error(
                _("%(name)s still holds a CHANGE-ME placeholder.") % {"name": name},
                hint=_("Replace every CHANGE-ME of deploy/production.env.example with a secret."),
                id="mes.E002",
            )
        )
    return errors
