"""The tag map as the ingest sees it: node id -> tag with its station, cached per worker process.

Every batch asks the database whether the map changed (one small query on count and newest
update); the whole map is reloaded only then, so an edit in the admin or the API applies to the
next batch.
"""

from typing import TypedDict

from django.db.models import Count, Max

from lines.models import Tag


class _Cache(TypedDict):
    version: tuple | None
    tags: dict[str, Tag]


_cache: _Cache = {"version": None, "tags": {}}


def tag_map() -> dict[str, Tag]:
    """Enabled and disabled tags by node id (a disabled tag's samples are still recognised)."""
    version = tuple(Tag.objects.aggregate(n=Count("id"), newest=Max("updated_at")).values())
    if version != _cache["version"]:
        _cache["tags"] = {t.node_id: t for t in Tag.objects.select_related("station")}
        _cache["version"] = version
    return _cache["tags"]
