"""Writing the audit trail. Every quality service that changes a record calls one of these; each
row is sealed into the keyed, chained trail (quality.audit_chain)."""

import json
from collections.abc import Iterable
from datetime import datetime
from decimal import Decimal
from typing import Any

from django.db import models
from django.utils import timezone

from mes.actors import Actor
from quality.audit_chain import AUDIT, chain_append
from quality.models import AuditEntry


def _plain(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, models.Model):
        return value.pk
    return value


def snapshot(instance: models.Model, fields: Iterable[str]) -> dict[str, Any]:
    """The named fields of a record as JSON-ready values (FKs as ids, times as ISO 8601).

    A foreign key is read as its id column: reading the related object fetched it, one query
    per key, for a record made with ids only."""
    attnames = {field.name: field.attname for field in instance._meta.concrete_fields}
    return {name: _plain(getattr(instance, attnames[name])) for name in fields}


def _json(value: dict[str, Any] | None) -> dict[str, Any] | None:
    """The value as the JSON column gives it back, so the mac covers what is read later."""
    return json.loads(json.dumps(value, default=_plain)) if value is not None else None


def audit_record(
    *,
    by: Actor,
    entity: str,
    entity_id: int,
    action: str,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
    reason: str = "",
) -> AuditEntry:
    """Append one audit row: who, when, which record, what it was, what it became, and why.

    The row is sealed into the audit chain (quality.audit_chain)."""
    entry = AuditEntry(
        at=timezone.now(),
        by=by,
        entity=entity,
        entity_id=entity_id,
        action=action,
        before=_json(before),
        after=_json(after),
        reason=reason,
    )
    return chain_append(AUDIT, AuditEntry, [entry])[0]


def audit_many(entries: list[AuditEntry]) -> None:
    """Append many audit rows at once (flags raised by one evaluation), sealed in order."""
    for entry in entries:
        entry.before, entry.after = _json(entry.before), _json(entry.after)
    chain_append(AUDIT, AuditEntry, entries)
