"""Verifying the audit trail: every link of both chains, then the live rows a decision rests on.

Used by `manage.py audit_verify` and GET /api/v1/audit/verify/, which report the same thing: the
first broken link (which row, which field, why) and every problem found after it, up to a limit.
What it finds:
- a row whose fields no longer match its keyed mac (edited, or forged without the key);
- a row sealed with a key id that MES_AUDIT_KEYS no longer holds;
- a gap in a chain's seq (a row deleted) or a row that does not link to the one before;
- a chain shorter than its head says (rows deleted from the end), or than a head recorded
  outside the database (`expect`), and rows never sealed;
- live rows that differ from what their sealed records say: a disposition's decision, reason or
  decided_at, what its signature signed; a hold's unit, reason, state and released_at; and a hold
  or disposition with no audit entry at all (a truncated trail).
"""

import json
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from typing import Any

from django.utils.translation import gettext as _

from mes.errors import InvalidInput
from quality.audit_chain import AUDIT, SIGNATURE, _norm, mac_matches
from quality.choices import HoldState
from quality.models import AuditEntry, ChainHead, Disposition, Hold, Signature
from quality.selectors.dispositions import (
    disposition_audit_mismatches,
    disposition_audited,
    disposition_content,
)
from quality.services.audit import snapshot
from quality.services.holds import HOLD_FIELDS

MODELS: dict[str, type[AuditEntry] | type[Signature]] = {AUDIT: AuditEntry, SIGNATURE: Signature}
NAMES = {AUDIT: "audit entry", SIGNATURE: "signature"}
# A hold's placed entry vouches for these; its released entry for state and released_at.
HOLD_PLACED = ("unit", "reason", "flag", "placed_by", "placed_at")
HOLD_RELEASED = ("state", "released_at")


@dataclass(frozen=True)
class Problem:
    """One broken link: the row (`record`), the field at fault, and why, in words."""

    record: str
    field: str
    why: str


@dataclass
class AuditReport:
    """What a verification found; `problems[0]` is the first broken link."""

    checked: dict[str, int] = field(default_factory=dict)
    heads: dict[str, dict[str, Any]] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)
    more: int = 0  # problems found beyond the limit

    @property
    def intact(self) -> bool:
        return not self.problems

    def as_dict(self) -> dict[str, Any]:
        problems = [asdict(p) for p in self.problems]
        return {
            "intact": self.intact,
            "first_broken": problems[0] if problems else None,
            "problems": problems,
            "more_problems": self.more,
            "checked": self.checked,
            "heads": self.heads,
        }


class _Found:
    """Collects problems up to a limit, counting the rest."""

    def __init__(self, report: AuditReport, limit: int) -> None:
        self.report, self.limit = report, limit

    def add(self, record: str, field_name: str, why: str) -> None:
        if len(self.report.problems) < self.limit:
            self.report.problems.append(Problem(record, field_name, why))
        else:
            self.report.more += 1


def parse_expect(values: list[str]) -> dict[str, tuple[int, str]]:
    """["audit=12:ab12...", ...] as {"audit": (12, "ab12...")}: heads recorded earlier."""
    expect: dict[str, tuple[int, str]] = {}
    for value in values:
        chain, _sep, head = value.partition("=")
        seq, _sep, mac = head.partition(":")
        if chain not in MODELS or not seq.isdigit() or len(mac) != 64:
            raise InvalidInput(
                _("%(value)s: write audit=SEQ:MAC or signature=SEQ:MAC.") % {"value": value},
                field="expect",
            )
        expect[chain] = (int(seq), mac)
    return expect


def audit_verify(
    *, expect: dict[str, tuple[int, str]] | None = None, limit: int = 100
) -> AuditReport:
    """Check both chains and the live rows against them. `expect`: {chain: (seq, mac)} heads
    recorded earlier outside the database (the chain must still hold them)."""
    report = AuditReport()
    found = _Found(report, limit)
    for chain in (AUDIT, SIGNATURE):
        _walk_chain(chain, found, report)
        if expect and chain in expect:
            _check_expected(chain, *expect[chain], found)
    _check_dispositions(found)
    _check_holds(found)
    return report


def _label(chain: str, row: Any) -> str:
    return f"{NAMES[chain]} {row.pk} (seq {row.seq})"


def _walk_chain(chain: str, found: _Found, report: AuditReport) -> None:
    model = MODELS[chain]
    seq, mac, count = 0, "", 0
    # Audit entries or signatures, sealed (seq set): both carry seq and mac.
    rows: Iterator[Any] = (
        model._default_manager.filter(seq__isnull=False).order_by("seq").iterator(chunk_size=2000)
    )
    for row in rows:
        count += 1
        _check_link(chain, row, seq, mac, found)
        seq, mac = row.seq, row.mac
    for row in model._default_manager.filter(seq__isnull=True).order_by("pk")[:10]:
        found.add(f"{NAMES[chain]} {row.pk}", "seq", _("It was never sealed into the chain."))
    head = ChainHead.objects.filter(chain=chain).first()
    head_seq, head_mac = (head.seq, head.mac) if head else (0, "")
    if (head_seq, head_mac) != (seq, mac):
        found.add(
            f"{chain} chain",
            "head",
            _(
                "The chain ends at seq %(last)s but its head says seq %(head)s: entries at the "
                "end were deleted, or the head was changed."
            )
            % {"last": seq, "head": head_seq},
        )
    report.checked[chain] = count
    report.heads[chain] = {"seq": seq, "mac": mac}


def _check_link(chain: str, row: Any, seq: int, mac: str, found: _Found) -> None:
    label = _label(chain, row)
    if row.seq != seq + 1:
        found.add(
            label,
            "seq",
            _("Entries with seq %(first)s to %(last)s are missing from the chain (deleted).")
            % {"first": seq + 1, "last": row.seq - 1},
        )
    elif row.prev_mac != mac:
        found.add(label, "prev_mac", _("It does not link to the entry before it."))
    ok = mac_matches(chain, row)
    if ok is None:
        found.add(
            label,
            "key_id",
            _("It was sealed with the key %(key)s, which MES_AUDIT_KEYS does not hold.")
            % {"key": row.key_id or "-"},
        )
    elif not ok:
        found.add(
            label,
            "mac",
            _("Its fields do not match its seal: changed after it was written, or forged."),
        )


def _check_expected(chain: str, seq: int, mac: str, found: _Found) -> None:
    row = MODELS[chain]._default_manager.filter(seq=seq).first()
    if row is None or row.mac != mac:
        found.add(
            f"{chain} chain",
            "head",
            _("The chain no longer holds the head recorded earlier (seq %(seq)s).") % {"seq": seq},
        )


def _entries(entity: str, actions: tuple[str, ...]) -> dict[tuple[int, str], AuditEntry]:
    """The first entry of each (record, action), sealed order."""
    rows = AuditEntry.objects.filter(entity=entity, action__in=actions).order_by("-seq")
    return {(row.entity_id, row.action): row for row in rows.iterator(chunk_size=2000)}


def _after(entry: AuditEntry) -> dict[str, Any]:
    """An entry's `after`, or {} when an edit made it something else (its seal says so)."""
    return entry.after if isinstance(entry.after, dict) else {}


def _differs(found: _Found, record: str, field_name: str, now: Any, recorded: Any) -> None:
    if _norm(now) != _norm(recorded):
        found.add(
            record,
            field_name,
            _("It is %(now)s now; its sealed record says %(recorded)s.")
            % {"now": _shown(now), "recorded": _shown(recorded)},
        )


def _shown(value: Any) -> str:
    return "-" if value is None else str(value)


def _dispositions() -> Iterator[Disposition]:
    related = ("signature__signer", "hold__unit", "flag__unit")
    return Disposition.objects.select_related(*related).order_by("pk").iterator(chunk_size=500)


def _check_dispositions(found: _Found) -> None:
    signed = _entries("disposition", ("signed",))
    for disposition in _dispositions():
        record = f"disposition {disposition.pk}"
        entry = signed.get((disposition.pk, "signed"))
        if entry is None:
            found.add(record, "audit", _("Its signed audit entry is missing."))
        else:
            live = disposition_audited(disposition)
            for name in disposition_audit_mismatches(disposition, entry):
                if name != "entry":  # a broken seal is reported by the chain walk
                    _differs(found, record, name, live[name], _after(entry).get(name))
        _check_signed_content(found, record, disposition)


def _check_signed_content(found: _Found, record: str, disposition: Disposition) -> None:
    """The live disposition and its subject against what the signature signed."""
    try:
        signed = json.loads(disposition.signature.content).get("record")
    except (ValueError, AttributeError):
        signed = None
    if not isinstance(signed, dict):
        found.add(record, "signature", _("Its signature's content is not readable."))
        return
    now = json.loads(json.dumps(disposition_content(disposition), default=str))
    for name in sorted(set(now) | set(signed)):
        if _norm(now.get(name)) == _norm(signed.get(name)):
            continue
        if isinstance(now.get(name), dict) and isinstance(signed.get(name), dict):
            for key in sorted(set(now[name]) | set(signed[name])):
                _differs(found, record, f"{name}.{key}", now[name].get(key), signed[name].get(key))
        else:
            _differs(found, record, name, now.get(name), signed.get(name))


def _check_holds(found: _Found) -> None:
    entries = _entries("hold", ("placed", "released"))
    for hold in Hold.objects.order_by("pk").iterator(chunk_size=2000):
        record = f"hold {hold.pk}"
        live = snapshot(hold, HOLD_FIELDS)
        placed = entries.get((hold.pk, "placed"))
        if placed is None:
            found.add(record, "audit", _("Its placed audit entry is missing."))
        else:
            for name in HOLD_PLACED:
                _differs(found, record, name, live[name], _after(placed).get(name))
        released = entries.get((hold.pk, "released"))
        if released is not None:
            for name in HOLD_RELEASED:
                _differs(found, record, name, live[name], _after(released).get(name))
        elif hold.state != HoldState.ACTIVE or hold.released_at is not None:
            _differs(found, record, "state", live["state"], HoldState.ACTIVE)
