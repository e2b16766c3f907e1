"""Sealing the audit trail and the signatures: keyed (HMAC-SHA256) and chained.

A trigger stops the application from editing the audit, not the database owner, who can disable
it; and a plain SHA-256 can be recomputed by whoever edits the row. So each row carries
`mac = HMAC(key, canonical JSON of every field + its seq + the previous row's mac)`, with a key
from the environment (settings.MES_AUDIT_KEYS) that the database never holds. An edited field, a
forged row or a deleted row then breaks the chain where it happened (quality.selectors.audit_verify).

Two chains: "audit" (AuditEntry) and "signature" (Signature), each with one ChainHead row that
every append locks, so concurrent writers queue instead of forking the chain, and a rolled-back
append leaves no gap. Lock order: the audit head before the signature head, both before the
rows a service changes after them (chain_lock at the start of a service that audits late), so two
writers never wait on each other in a circle.

The functions here take rows with plain attributes, so the migration that seals existing
history (quality 0006) uses them with its historical models.
"""

import hashlib
import hmac
import json
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from typing import Any

from django.conf import settings
from django.db import models, transaction

AUDIT = "audit"
SIGNATURE = "signature"


def _norm(value: Any) -> Any:
    """One JSON form for one value, whichever database stored it: PostgreSQL's jsonb gives back
    1e20 as an integer and keeps 2.0 as 2.0, so an integral float is written as an integer."""
    if isinstance(value, dict):
        return {str(k): _norm(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_norm(v) for v in value]
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, datetime):
        return value.astimezone(UTC).isoformat()
    return value


def canonical(value: Any) -> str:
    """Sorted keys, no spaces, normalised numbers and times: equal content, equal text."""
    return json.dumps(_norm(value), sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def audit_fields(row: Any) -> dict[str, Any]:
    """Everything an audit entry says: when, who, which record, what it was and became, why."""
    return {
        "at": row.at,
        "by": row.by_id,
        "entity": row.entity,
        "entity_id": row.entity_id,
        "action": row.action,
        "before": row.before,
        "after": row.after,
        "reason": row.reason,
    }


def signature_fields(row: Any) -> dict[str, Any]:
    """Everything a signature says, the signed content and its plain hash included."""
    return {
        "signer": row.signer_id,
        "signed_at": row.signed_at,
        "meaning": row.meaning,
        "reason": row.reason,
        "record_type": row.record_type,
        "record_id": row.record_id,
        "content": row.content,
        "content_hash": row.content_hash,
    }


FIELDS: dict[str, Callable[[Any], dict[str, Any]]] = {
    AUDIT: audit_fields,
    SIGNATURE: signature_fields,
}


def row_mac(chain: str, row: Any, *, key: bytes) -> str:
    """The HMAC of a row's fields, its place in the chain and its link to the row before."""
    sealed = {
        "chain": chain,
        "seq": row.seq,
        "key_id": row.key_id,
        "prev": row.prev_mac,
        "fields": FIELDS[chain](row),
    }
    return hmac.new(key, canonical(sealed).encode(), hashlib.sha256).hexdigest()


def mac_matches(chain: str, row: Any) -> bool | None:
    """True when the row's mac is right; None when its key id is not among the known keys."""
    key = settings.MES_AUDIT_KEYS.get(row.key_id)
    if key is None:
        return None
    return hmac.compare_digest(row_mac(chain, row, key=key), row.mac or "")


def seal(chain: str, rows: Sequence[Any], *, seq: int, mac: str) -> tuple[int, str]:
    """Give each row its place after (seq, mac) and its mac, with the current key."""
    key_id = settings.MES_AUDIT_KEY_ID
    key = settings.MES_AUDIT_KEYS[key_id]
    for row in rows:
        seq += 1
        row.seq, row.key_id, row.prev_mac = seq, key_id, mac
        row.mac = mac = row_mac(chain, row, key=key)
    return seq, mac


def locked_head(chain: str, head_model: type[models.Model] | None = None) -> Any:
    """The chain's head row, locked until the transaction ends (made on first use)."""
    if head_model is None:
        from quality.models import ChainHead

        head_model = ChainHead
    heads = head_model._default_manager
    head = heads.select_for_update().filter(chain=chain).first()
    if head is None:
        # Two first appends at once: one insert wins, the other is ignored; both then lock it.
        heads.bulk_create([head_model(chain=chain)], ignore_conflicts=True)
        head = heads.select_for_update().get(chain=chain)
    return head


def chain_lock() -> None:
    """Take the audit chain's lock now, before the rows a service changes (see the lock order
    above). Must run inside the service's transaction."""
    locked_head(AUDIT)


def chain_append(chain: str, model: type[models.Model], rows: Sequence[Any]) -> list[Any]:
    """Seal and insert rows at the end of a chain, in one transaction with the head's update."""
    with transaction.atomic():
        if chain == SIGNATURE:
            locked_head(AUDIT)  # the lock order: audit head first
        head = locked_head(chain)
        seq, mac = seal(chain, rows, seq=head.seq, mac=head.mac)
        created = model._default_manager.bulk_create(list(rows), batch_size=2000)
        type(head)._default_manager.filter(chain=chain).update(seq=seq, mac=mac)
    return created
