"""Recall holds, each one signed action: a suspect unit and everything made from it
(unit_recall_hold), or every cell made at a station in a defect window (window_recall_hold, from
the recall simulator of quality.selectors.trace_drill)."""

from datetime import datetime
from typing import Any

from django.contrib.auth.models import User
from django.db import transaction
from django.utils.translation import gettext as _

from lines.models import Station, Unit
from mes.errors import InvalidInput, RuleViolation
from quality.models import Hold
from quality.reasons import system_reason
from quality.selectors.trace_drill import recall_report, recall_suspects
from quality.services.audit import audit_record
from quality.services.holds import already_held, hold_add_units, hold_place_once
from quality.services.signatures import signature_record, signer_check


@transaction.atomic
def unit_recall_hold(*, unit: Unit, reason: str, password: str, by: User) -> Hold:
    """Hold `unit` and every descendant, signed by `by` (password re-entered, reason given).

    The signer (reason, role, password) is checked before the hold is placed: a hold on a lot
    writes tens of thousands of rows, which a typo should not cost. The signature covers the
    hold and how many units it reached; the password is hashed once. Refused, with nothing
    signed, when the unit's hold for the same reason is active (two signers at once: one wins).
    """
    signer = signer_check(user=by, password=password, reason=reason)
    hold, placed = hold_place_once(unit=unit, reason=reason, by=by)
    if not placed:  # another signer got there first: one hold, one signature
        raise already_held(hold)
    signature_record(
        signer=signer,
        meaning="recall: hold downstream",
        record_type="hold",
        record_id=hold.pk,
        content={
            "hold": hold.pk,
            "unit": unit.identifier,
            "reason": hold.reason,
            "members": hold.members.count(),
        },
    )
    return hold


@transaction.atomic
def window_recall_hold(
    *,
    station: Station,
    start: datetime,
    end: datetime,
    reason: str,
    password: str,
    by: User,
) -> tuple[Hold, dict[str, Any]]:
    """Hold every suspect cell of the window with one electronic signature.

    The signature covers the station, the window and the list of suspect serials; one hold
    holds them all (a disposition of it releases or scraps them together). Refused with nothing
    written: no suspects, no reason, a wrong password, a user who is not a quality engineer, or
    the same recall (window and reason) active already.
    """
    suspects = recall_suspects(station=station, start=start, end=end)
    if not suspects.cell_ids:
        raise RuleViolation(
            _("No cell was made at %(station)s in that window; there is nothing to hold.")
            % {"station": station.code}
        )
    report = recall_report(suspects)
    why = f"recall: defect at {station.code} {start:%Y-%m-%d %H:%M}..{end:%Y-%m-%d %H:%M} UTC"
    if not reason.strip():
        raise InvalidInput(_("Say why the cells are held."), field="reason")
    held_for = system_reason(
        "recall",
        station=station.code,
        start=f"{start:%Y-%m-%d %H:%M}",
        end=f"{end:%Y-%m-%d %H:%M}",
        reason=reason.strip(),
    )
    signer = signer_check(user=by, password=password, reason=reason)  # before the many rows
    ids = sorted(suspects.cell_ids)
    hold, placed = hold_place_once(
        unit=Unit.objects.get(pk=ids[0]), reason=held_for, by=by, scope="none"
    )
    if not placed:  # the same recall signed a moment ago by someone else
        raise already_held(hold)
    content = {
        "station": station.code,
        "start": start.isoformat(),
        "end": end.isoformat(),
        "hold": hold.pk,
        "cells": [row["identifier"] for row in report["cells"]],
    }
    signature = signature_record(
        signer=signer,
        meaning="recall hold",
        record_type="hold",
        record_id=hold.pk,
        content=content,
    )
    hold_add_units(hold=hold, unit_ids=ids, by=by, why=why)
    audit_record(
        by=by,
        entity="hold",
        entity_id=hold.pk,
        action="recall_signed",
        after={**content, "signature": signature.pk, "hash": signature.content_hash},
        reason=reason.strip(),
    )
    return hold, report
