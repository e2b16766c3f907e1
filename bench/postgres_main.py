"""The entry shared by the PostgreSQL-only telemetry benches: Django set up, PostgreSQL
required, migrated, the bench run, its report written as JSON under <var>/bench."""

import json
import os
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any


def run_on_postgresql(
    name: str,
    run: Callable[[Any], dict[str, Any]],
    args: Any,
    *,
    show: Callable[[dict[str, Any]], None] | None = None,
) -> dict[str, Any]:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "mes.settings")
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection

    if connection.vendor != "postgresql":
        raise SystemExit(f"bench.{name} needs PostgreSQL: set DATABASE_URL.")
    call_command("migrate", verbosity=0)
    report = run(args)
    out_dir = args.out_dir or Path(settings.VAR_DIR) / "bench"
    out_dir.mkdir(parents=True, exist_ok=True)
    slug = name.replace("_", "-")
    path = out_dir / f"{slug}-{datetime.now(UTC):%Y%m%dT%H%M%SZ}.json"
    path.write_text(json.dumps(report, indent=2, default=str))
    if show is not None:
        show(report)
    print(f"\nJSON: {path}")
    return report
