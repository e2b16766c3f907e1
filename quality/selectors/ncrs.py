"""Reads about NCRs: the list to find one again, one NCR with its flags and units, and which
open flags of the queue are already in an NCR."""

from collections import defaultdict
from collections.abc import Iterable

from django.db.models import Count, QuerySet

from quality.models import Flag, Ncr

NCRS_SHOWN = 200


def ncr_list() -> QuerySet[Ncr]:
    """NCRs newest first, with how many flags and units each covers."""
    return (
        Ncr.objects.select_related("created_by")
        .annotate(
            flag_count=Count("flags", distinct=True), unit_count=Count("units", distinct=True)
        )
        .order_by("-created_at", "-id")
    )


def ncr_flags(*, ncr: Ncr) -> list[Flag]:
    return list(ncr.flags.select_related("station", "unit").order_by("id"))


def ncr_codes_of(*, flag_ids: Iterable[int]) -> dict[int, list[str]]:
    """Flag id -> the codes of the NCRs it is in (one query for a page of the queue)."""
    rows = Ncr.flags.through.objects.filter(flag_id__in=list(flag_ids)).values_list(
        "flag_id", "ncr__code"
    )
    codes: dict[int, list[str]] = defaultdict(list)
    for flag_id, code in rows.order_by("ncr__code"):
        codes[flag_id].append(code)
    return dict(codes)
