"""The tag map: which nodes to subscribe and how. The bridge's only database access.

The ORM runs in a worker thread (`asyncio.to_thread`), never in the event loop, and each call
closes its connection so a long-running bridge holds none between polls. A change is detected
by (max(updated_at), count) over all tags: an edit, a new tag, a deletion and an (en|dis)able
each move one of them.
"""

import asyncio
from dataclasses import dataclass

from django.db import close_old_connections, connection
from django.db.models import Count, Max

from lines.models import DeadbandKind, Tag, TagRole

NOT_SUBSCRIBED = TagRole.mes_writes() | {
    TagRole.CHECKIN_SERIAL,
    TagRole.CHECKOUT_SERIAL,
    TagRole.CHECKOUT_RESULT,
}


@dataclass(frozen=True)
class TagSpec:
    """One enabled tag as the bridge needs it."""

    node_id: str
    station: str
    parameter: str
    role: str
    sampling_interval_ms: int
    queue_size: int
    deadband_kind: str = DeadbandKind.NONE
    deadband_value: float = 0.0

    @property
    def is_event_source(self) -> bool:
        return self.role == TagRole.RESULT_EVENT

    @property
    def has_deadband(self) -> bool:
        return self.deadband_kind != DeadbandKind.NONE and not self.is_event_source

    @property
    def deadband_text(self) -> str:
        """The deadband as a person reads it: `absolute 0.5`, `percent 2`."""
        return f"{self.deadband_kind} {self.deadband_value:g}"


@dataclass(frozen=True)
class TagMap:
    tags: tuple[TagSpec, ...]
    version: tuple[str | None, int]

    def by_node_id(self) -> dict[str, TagSpec]:
        return {tag.node_id: tag for tag in self.tags}

    def subscribed(self) -> dict[str, TagSpec]:
        """The nodes to monitor: all but those the PLC only reads (MES-written roles) and those
        the handshake reads at its trigger (serial, result); request and PLC heartbeat changes
        go to the closed loop, not to the ingest."""
        return {tag.node_id: tag for tag in self.tags if tag.role not in NOT_SUBSCRIBED}


def tag_map_version() -> tuple[str | None, int]:
    found = Tag.objects.aggregate(last=Max("updated_at"), count=Count("id"))
    last = found["last"]
    return (last.isoformat() if last else None, found["count"])


def load_tag_map() -> TagMap:
    """Read the enabled tags (sync; call it through `fetch_tag_map` from async code)."""
    close_old_connections()
    try:
        version = tag_map_version()
        rows = (
            Tag.objects.filter(enabled=True)
            .select_related("station")
            .order_by("node_id")
            .values_list(
                "node_id",
                "station__code",
                "parameter",
                "role",
                "sampling_interval_ms",
                "queue_size",
                "deadband_kind",
                "deadband_value",
            )
        )
        return TagMap(tags=tuple(TagSpec(*row) for row in rows), version=version)
    finally:
        connection.close()


def load_version() -> tuple[str | None, int]:
    close_old_connections()
    try:
        return tag_map_version()
    finally:
        connection.close()


async def fetch_tag_map() -> TagMap:
    return await asyncio.to_thread(load_tag_map)


async def fetch_version() -> tuple[str | None, int]:
    return await asyncio.to_thread(load_version)
