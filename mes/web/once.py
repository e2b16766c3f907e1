"""Each screen form is applied once: a form carries an idempotency key (a fresh UUID), and the
outcome is stored under it (mes.models.SubmissionReceipt) in the transaction that applied it.

A double tap, or a resend after the network lost the answer, returns the stored outcome (its
message, whether it needs attention, the field a refusal blames) and applies nothing. Under
concurrency the key's unique index decides: the second request waits for the first to commit
(PostgreSQL's unique check; SQLite's IMMEDIATE transactions), then reads it.
"""

import uuid
from collections.abc import Callable
from dataclasses import dataclass

from django.contrib.auth.models import User
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from mes.errors import DomainError
from mes.models import SubmissionReceipt


@dataclass(frozen=True)
class Done:
    """What an applied action has to say. `warning`: done, but not good news (a measurement
    recorded that put the unit on hold), so the screen must not confirm it in green."""

    message: str
    warning: bool = False


@dataclass(frozen=True)
class Outcome:
    """What a submission did: applied (ok) or refused, the message to show, whether this was
    a repeat of a submission already applied, whether an applied one needs attention, and the
    input a refusal blames (mes.errors.DomainError.field, "" when none)."""

    ok: bool
    message: str
    replayed: bool = False
    warning: bool = False
    field: str = ""


def new_key() -> str:
    return str(uuid.uuid4())


def submit_once(
    *, key: str, user: User, action: str, subject: str, apply: Callable[[], str | Done]
) -> Outcome:
    """Run `apply` (a service call returning the message to show, or a Done) once per key.

    A DomainError from `apply` is a refusal: it is stored as the outcome, and nothing it began
    is kept.
    """
    try:
        key_uuid = uuid.UUID(str(key))
    except ValueError:
        return Outcome(False, _("This form is out of date: scan the unit again."))
    with transaction.atomic():
        try:
            with transaction.atomic():
                receipt = SubmissionReceipt.objects.create(
                    key=key_uuid, user=user, action=action, subject=subject
                )
        except IntegrityError:
            return _earlier(key_uuid, user, action)
        try:
            with transaction.atomic():
                done = apply()
            said = done if isinstance(done, Done) else Done(done)
            receipt.ok, receipt.message, receipt.warning = True, said.message, said.warning
        except DomainError as exc:
            receipt.ok, receipt.message, receipt.field = False, exc.message, exc.field or ""
        receipt.save(update_fields=["ok", "message", "warning", "field"])
    return Outcome(receipt.ok, receipt.message, warning=receipt.warning, field=receipt.field)


def _earlier(key: uuid.UUID, user: User, action: str) -> Outcome:
    earlier = SubmissionReceipt.objects.get(key=key)
    if earlier.user_id != user.pk or earlier.action != action:
        return Outcome(False, _("This form is out of date: scan the unit again."))
    return Outcome(
        earlier.ok, earlier.message, replayed=True, warning=earlier.warning, field=earlier.field
    )
