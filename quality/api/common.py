"""What the quality API views share: detail routes by id, and counts of related rows per record."""

from typing import Any

from django.db.models import Count, IntegerField, OuterRef, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.utils.translation import gettext as _

from lines.api.common import ID_PATH, GenericViewBase, path_id
from mes.errors import NotFound

__all__ = ["ID_PATH", "ById", "count_of"]


class ById(GenericViewBase):
    """Detail routes address the record by id; an unknown id is a 404 naming `id`.

    The record is read through `get_queryset()`, so its annotations and prefetches (member
    counts, derived flag counts) are there in a detail answer as in the list.
    """

    lookup_value_regex = ID_PATH

    def get_object(self) -> Any:  # an instance of the queryset's model
        queryset = self.get_queryset()
        record_id = path_id(queryset.model, self.kwargs["pk"])
        found = queryset.filter(pk=record_id).first()
        if found is None:
            name = queryset.model._meta.verbose_name
            raise NotFound(
                _("No %(name)s with id %(id)s.") % {"name": name, "id": record_id}, field="id"
            )
        self.check_object_permissions(self.request, found)
        return found


def count_of(related: QuerySet, field: str) -> Coalesce:
    """How many `related` rows point at each listed record through `field`, as an annotation.

    A correlated sub-select, not Count() over a join: the database counts for the one page of
    records it returns, instead of grouping the whole table (every member of every hold) first.
    """
    counted = (
        related.filter(**{field: OuterRef("pk")})
        .order_by()
        .values(field)
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(counted, output_field=IntegerField()), 0)
