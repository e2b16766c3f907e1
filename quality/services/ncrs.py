"""Non-conformance reports grouping flags and the units they concern."""

from collections.abc import Sequence

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from mes.actors import Actor
from mes.errors import InvalidInput, RuleViolation
from quality.choices import NcrState
from quality.models import Flag, Ncr
from quality.services.audit import audit_record


def _next_code() -> str:
    year = timezone.now().year
    count = Ncr.objects.filter(code__startswith=f"NCR-{year}-").count()
    return f"NCR-{year}-{count + 1:04d}"


@transaction.atomic
def ncr_open(*, title: str, flags: Sequence[Flag], description: str = "", by: Actor = None) -> Ncr:
    """Open an NCR over one or more flags; the units of those flags are attached."""
    if not title.strip():
        raise InvalidInput(_("An NCR needs a title."), field="title")
    if not flags:
        raise InvalidInput(_("Give at least one flag."), field="flags")
    ncr = Ncr.objects.create(
        code=_next_code(),
        title=title.strip(),
        description=description,
        created_by=by,
        created_at=timezone.now(),
    )
    ncr.flags.set(flags)
    ncr.units.set({f.unit_id for f in flags if f.unit_id})
    audit_record(
        by=by,
        entity="ncr",
        entity_id=ncr.pk,
        action="opened",
        after={"code": ncr.code, "title": ncr.title, "flags": sorted(f.pk for f in flags)},
    )
    return ncr


@transaction.atomic
def ncr_close(*, ncr: Ncr, reason: str, by: Actor = None) -> Ncr:
    """Close an NCR with the conclusion of the investigation."""
    if not reason.strip():
        raise InvalidInput(_("Give the conclusion that closes the NCR."), field="reason")
    ncr = Ncr.objects.select_for_update().get(pk=ncr.pk)
    if ncr.state == NcrState.CLOSED:
        raise RuleViolation(_("%(ncr)s is already closed.") % {"ncr": ncr.code})
    ncr.state, ncr.closed_at = NcrState.CLOSED, timezone.now()
    ncr.save(update_fields=["state", "closed_at"])
    audit_record(
        by=by,
        entity="ncr",
        entity_id=ncr.pk,
        action="closed",
        before={"state": "open"},
        after={"state": "closed"},
        reason=reason.strip(),
    )
    return ncr
