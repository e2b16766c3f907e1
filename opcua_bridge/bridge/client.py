"""The asyncua shell: connect, subscribe the tag map, batch what arrives, reconnect when lost.

The only module that imports asyncua's client. Everything it does per notification is a dict
lookup, a pure mapping call and a list append; batches leave through `Forwarder.submit` (never
blocks) to the forwarder's thread, and the tag map comes from a worker thread: no ORM call and no
blocking I/O run in the event loop.

Reconnect is ours, not asyncua's `auto_reconnect`. asyncua 2.1's supervisor does not cover the
first connect, retries security failures forever, and re-creates monitored items without telling
which failed. Here each connection is a fresh `Client` (auto_reconnect=False, whose supervisor
still probes the server every `watchdog_s` and reports a loss through `connection_lost_callback`);
on a loss we tear it down and connect again with exponential backoff, re-creating the subscription
from the current tag map. The server's re-sent current values after a resubscribe are recognised
(same source time, status and value as the last delivered sample of that node) and counted in
`duplicates_suppressed` instead of being delivered twice.
"""

import asyncio
import contextlib
import functools
import logging
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from asyncua import Client, ua
from asyncua.client.ua_client import UaClientState
from asyncua.common.events import get_filter_from_event_type
from asyncua.common.subscription import DataChangeEvent, OpcEvent, StatusChangeEvent, Subscription
from asyncua.crypto import security_policies, uacrypto
from cryptography import x509

from opcua_bridge.bridge import tagmap as tagmap_module
from opcua_bridge.bridge.batcher import Batcher
from opcua_bridge.bridge.closed_loop import ClosedLoop
from opcua_bridge.bridge.config import BridgeConfig
from opcua_bridge.bridge.decisions import Decider, LinesDecider
from opcua_bridge.bridge.delivery import Forwarder
from opcua_bridge.bridge.gaps import GapEntry, GapLog
from opcua_bridge.bridge.logfilter import tame_asyncua_logging
from opcua_bridge.bridge.mapping import (
    event_from_fields,
    iso_utc,
    sample_from_datavalue,
    sample_key,
)
from opcua_bridge.bridge.status import BridgeStatus, RateMeter, read_status, write_status
from opcua_bridge.bridge.stopping import cancel_until_done
from opcua_bridge.bridge.tag_health import TagHealth
from opcua_bridge.bridge.tagmap import TagMap, TagSpec

logger = logging.getLogger(__name__)

AUTH_ERRORS = {
    ua.StatusCodes.BadUserAccessDenied,
    ua.StatusCodes.BadIdentityTokenInvalid,
    ua.StatusCodes.BadIdentityTokenRejected,
}
FIRST_CLIENT_HANDLE = 1_000_000  # asyncua's own counter starts at 200; stay clear of it
DEADBAND_TYPES = {
    "absolute": ua.DeadbandType.Absolute,
    "percent": ua.DeadbandType.Percent,
}


class ConnectionLost(Exception):
    pass


@dataclass
class _Item:
    spec: TagSpec
    client_handle: int
    server_handle: int


def describe_error(exc: BaseException, config: BridgeConfig) -> str:
    """A message an operator can act on, for the status file and the log."""
    if isinstance(exc, ua.UaStatusCodeError):
        code = exc.code
        name = ua.StatusCode(code).name
        if code in AUTH_ERRORS:
            return (
                f"the server refused user {config.user!r} ({name}): "
                "check --user and --password (or OPCUA_PASSWORD)"
            )
        if "Certificate" in name or "Security" in name:
            return f"the server refused the secure connection ({name}): check the certificates"
        return f"the server answered {name}"
    if isinstance(exc, ua.UaError) and "No matching endpoints" in str(exc):
        policy = config.security_policy or "None"
        if not config.security_policy:
            return (
                "the server offers no endpoint with security None: "
                "use --security Basic256Sha256 with --certificate and --private-key"
            )
        return f"the server offers no endpoint with {policy} {config.security_mode}"
    if isinstance(exc, TimeoutError | asyncio.TimeoutError):
        return f"no answer from {config.endpoint} within {config.request_timeout_s:.0f} s"
    if isinstance(exc, OSError):
        return f"cannot reach {config.endpoint}: {exc.strerror or exc}"
    return f"{type(exc).__name__}: {exc}"


async def _certificate_uri(path: Any) -> str:
    cert = await uacrypto.load_certificate(str(path))
    try:
        names = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName)
    except x509.ExtensionNotFound:
        names = None
    uris = names.value.get_values_for_type(x509.UniformResourceIdentifier) if names else []
    if not uris:
        raise ValueError(f"{path} has no URI in subjectAltName; OPC UA needs the application URI")
    return uris[0]


async def client_identify(client: Client, config: BridgeConfig, *, name: str) -> None:
    """Name, user and security of a client about to connect: the bridge's own session and the
    short one of a recipe download present themselves to the PLC the same way."""
    client.name = client.description = name
    client.application_uri = f"urn:cell-line-mes:bridge:{config.name}"
    if config.user:
        client.set_user(config.user)
        client.set_password(config.password)
    if config.security_policy:
        # the certificate's URI must be the client's application URI, or servers refuse it
        client.application_uri = await _certificate_uri(config.certificate)
        await client.set_security(
            getattr(security_policies, f"SecurityPolicy{config.security_policy}"),
            str(config.certificate),
            str(config.private_key),
            server_certificate=str(config.server_certificate)
            if config.server_certificate
            else None,
            mode=getattr(ua.MessageSecurityMode, config.security_mode),
        )


class TagSubscription:
    """One subscription on a connected client, kept equal to the tag map by diffing."""

    def __init__(self, client: Client, subscription: Subscription) -> None:
        self.client = client
        self.subscription = subscription
        self.active: dict[str, _Item] = {}
        self.skipped: dict[str, str] = {}
        # node id -> why the server refused the tag's deadband; the node is monitored without it
        self.deadband_refused: dict[str, str] = {}
        self.by_client_handle: dict[int, str] = {}
        self.by_server_handle: dict[int, str] = {}
        self.event_types: dict[str, str] = {}  # event type node id text -> browse name
        self._next_handle = FIRST_CLIENT_HANDLE

    async def apply(self, tag_map: TagMap) -> None:
        """Subscribe new and changed tags, then drop removed and replaced ones (in that order,
        so a node whose settings changed is never unmonitored in between)."""
        wanted = tag_map.subscribed()
        stale = [item for node_id, item in self.active.items() if wanted.get(node_id) != item.spec]
        new = [spec for node_id, spec in wanted.items() if self._needs(node_id, spec)]
        for spec in new:
            self.skipped.pop(spec.node_id, None)
            self.deadband_refused.pop(spec.node_id, None)
        if new:
            await self._create(new)
        for item in stale:
            if self.active.get(item.spec.node_id) is item:
                del self.active[item.spec.node_id]
        if stale:
            await self._delete(stale)
        for node_id in list(self.skipped):
            if node_id not in wanted:
                del self.skipped[node_id]
        for node_id in list(self.deadband_refused):
            if node_id not in wanted:
                del self.deadband_refused[node_id]

    def _needs(self, node_id: str, spec: TagSpec) -> bool:
        item = self.active.get(node_id)
        return item is None or item.spec != spec

    async def _create(self, specs: list[TagSpec], *, deadband: bool = True) -> None:
        requests, accepted = [], []
        for spec in specs:
            try:
                request = await self._request(spec, deadband=deadband)
            except Exception as exc:  # a node id that does not parse, an event node that fails
                self.skipped[spec.node_id] = f"{type(exc).__name__}: {exc}"
                continue
            requests.append(request)
            accepted.append(spec)
            self.by_client_handle[request.RequestedParameters.ClientHandle] = spec.node_id
        if not requests:
            return
        results = await self.subscription.create_monitored_items(requests)
        refused = []
        for spec, request, result in zip(accepted, requests, results, strict=True):
            handle = request.RequestedParameters.ClientHandle
            if deadband and spec.has_deadband and isinstance(result, ua.StatusCode):
                # Servers differ in the code (BadDeadbandFilterInvalid for percent without
                # EURange, BadFilterNotAllowed, BadMonitoredItemFilterUnsupported): any refusal
                # of an item with a deadband is tried again without it, so the tag is not lost.
                self.by_client_handle.pop(handle, None)
                self.deadband_refused[spec.node_id] = result.name
                refused.append(spec)
                continue
            self._record(spec, handle, result)
        if refused:
            logger.warning(
                "the server refused the deadband of %s; subscribed without it",
                ", ".join(f"{spec.node_id} ({spec.deadband_text})" for spec in refused),
            )
            await self._create(refused, deadband=False)
            for spec in refused:
                if spec.node_id in self.skipped:  # refused without the filter too: not the filter
                    self.deadband_refused.pop(spec.node_id, None)

    def _record(self, spec: TagSpec, client_handle: int, result: int | ua.StatusCode) -> None:
        # asyncua returns a StatusCode in the list for a node it could not monitor (no exception)
        if isinstance(result, ua.StatusCode):
            self.by_client_handle.pop(client_handle, None)
            self.skipped[spec.node_id] = result.name
            logger.warning("skipping %s: %s", spec.node_id, result.name)
            return
        self.active[spec.node_id] = _Item(spec, client_handle, result)
        self.by_server_handle[result] = spec.node_id

    async def _delete(self, items: list[_Item]) -> None:
        handles = [item.server_handle for item in items]
        try:
            await self.subscription.unsubscribe(handles)
        except ua.UaStatusCodeError as exc:
            logger.warning("unsubscribe of %d items: %s", len(handles), exc)
        for item in items:
            self.by_client_handle.pop(item.client_handle, None)
            self.by_server_handle.pop(item.server_handle, None)

    async def _request(
        self, spec: TagSpec, *, deadband: bool = True
    ) -> ua.MonitoredItemCreateRequest:
        node_id = ua.NodeId.from_string(spec.node_id)
        item = ua.ReadValueId(NodeId=node_id, AttributeId=ua.AttributeIds.Value)
        params = ua.MonitoringParameters()
        params.ClientHandle = self._next_handle
        self._next_handle += 1
        params.SamplingInterval = float(spec.sampling_interval_ms)
        params.QueueSize = spec.queue_size
        params.DiscardOldest = True
        if spec.is_event_source:
            item.AttributeId = ua.AttributeIds.EventNotifier
            params.Filter = await self._event_filter(node_id)
        elif deadband and spec.has_deadband:
            # Under StatusValueTimestamp every new source time is a change, whatever the
            # deadband; StatusValue lets the server hold back what moved less than it.
            params.Filter = ua.DataChangeFilter(
                Trigger=ua.DataChangeTrigger.StatusValue,
                DeadbandType=DEADBAND_TYPES[spec.deadband_kind],
                DeadbandValue=float(spec.deadband_value),
            )
        else:
            # Every reading, not only changes: a value that stays the same from unit to unit (a
            # sheet count of 21 for every cell) must reach each unit it was measured on. Under the
            # default trigger (StatusValue) it arrived once and the later cells had none of it.
            params.Filter = ua.DataChangeFilter(Trigger=ua.DataChangeTrigger.StatusValueTimestamp)
        request = ua.MonitoredItemCreateRequest()
        request.ItemToMonitor = item
        request.MonitoringMode = ua.MonitoringMode.Reporting
        request.RequestedParameters = params
        return request

    async def _event_filter(self, node_id: ua.NodeId) -> ua.EventFilter:
        """Select the fields of the event types the node declares (GeneratesEvent references)."""
        node = self.client.get_node(node_id)
        types = await node.get_referenced_nodes(
            refs=ua.ObjectIds.GeneratesEvent, direction=ua.BrowseDirection.Forward
        )
        if not types:
            types = [self.client.get_node(ua.ObjectIds.BaseEventType)]
        for event_type in types:
            name = (await event_type.read_browse_name()).Name
            self.event_types[event_type.nodeid.to_string()] = name
        return await get_filter_from_event_type(types)

    def event_node_id(self, event: Any) -> str:
        handle = getattr(event, "server_handle", None)
        node_id = self.by_server_handle.get(handle) if handle is not None else None
        if node_id is None:  # handles change when asyncua re-creates a stale subscription
            source = getattr(event, "SourceNode", None)
            node_id = source.to_string() if source is not None else ""
        return node_id

    def event_type_name(self, event: Any) -> str:
        event_type = getattr(event, "EventType", None)
        if event_type is None:
            return ""
        text = event_type.to_string()
        return self.event_types.get(text, text)


class Bridge:
    """One bridge: the tag map, the OPC UA connection, the batcher, the forwarder and the status."""

    def __init__(
        self, config: BridgeConfig, *, forwarder: Forwarder, decider: Decider | None = None
    ) -> None:
        self.config = config
        self.forwarder = forwarder
        # A recipe the MES downloads by itself after a check-in goes to this bridge's PLC.
        from opcua_bridge.bridge.recipe_writes import setpoints_write  # it imports this module

        writer = functools.partial(setpoints_write, config=config)
        self.closed_loop = ClosedLoop(config, decider or LinesDecider(writer))
        self.batcher = Batcher(
            source=config.source, max_items=config.batch_size, max_age_s=config.batch_ms / 1000
        )
        self.status = BridgeStatus(name=config.name, endpoint=config.endpoint)
        self.forwarder.on_error = self.status.error
        self.tag_map: TagMap | None = None
        self._map_changed = asyncio.Event()
        self._last_keys: dict[str, tuple | None] = {}
        self._rate = RateMeter()
        self.tag_health = TagHealth()
        self.gaps = GapLog(endpoint=config.endpoint)
        self._reading: tuple[
            str, ...
        ] = ()  # stations of the monitored nodes, at the last subscribe

    # --- the whole run -------------------------------------------------------------------------

    async def run(self, stop: asyncio.Event) -> None:
        """Run until `stop` is set; then flush the open batch and disconnect cleanly."""
        tame_asyncua_logging()
        # Before the first status write replaces it: the previous run's last sign of life.
        self.gaps.resume(await asyncio.to_thread(read_status, self.config.status_path))
        self.forwarder.start()
        helpers = [
            asyncio.create_task(self._flush_loop(stop), name="bridge-flush"),
            asyncio.create_task(self._status_loop(stop), name="bridge-status"),
        ]
        try:
            await self._load_tag_map(stop)
            self._gap(self.gaps.open_entry(self._stations()))
            helpers.append(asyncio.create_task(self._watch_tag_map(stop), name="bridge-tagmap"))
            await self._connection_loop(stop)
        finally:
            await self._shutdown(helpers)

    async def _shutdown(self, helpers: list[asyncio.Task]) -> None:
        self.status.state = "stopping"
        await cancel_until_done(helpers)
        batch = self.batcher.flush()
        if batch is not None:
            self._submit(batch)
        await asyncio.to_thread(self.forwarder.stop)
        self.closed_loop.close()
        self.status.state, self.status.connected = "stopped", False
        await asyncio.to_thread(self._write_status)

    # --- tag map -------------------------------------------------------------------------------

    async def _load_tag_map(self, stop: asyncio.Event) -> None:
        delay = self.config.reconnect_min_s
        while not stop.is_set():
            try:
                self._set_tag_map(await tagmap_module.fetch_tag_map())
                return
            except Exception as exc:
                self.status.error(f"cannot read the tag map: {exc}")
                logger.warning("cannot read the tag map: %s", exc)
            await _wait(stop, delay)
            delay = min(delay * 2, self.config.reconnect_max_s)

    def _set_tag_map(self, tag_map: TagMap) -> None:
        self.tag_map = tag_map
        self.status.tag_map_tags = len(tag_map.tags)
        self._map_changed.set()

    async def _watch_tag_map(self, stop: asyncio.Event) -> None:
        while not stop.is_set():
            await _wait(stop, self.config.tagmap_poll_s)
            try:
                version = await tagmap_module.fetch_version()
                if self.tag_map is None or version != self.tag_map.version:
                    tag_map = await tagmap_module.fetch_tag_map()
                    self._set_tag_map(tag_map)
                    logger.info("tag map changed: %d enabled tags", len(tag_map.tags))
            except Exception as exc:  # keep the map we have; try again at the next poll
                self.status.error(f"cannot read the tag map: {exc}")

    # --- connection ----------------------------------------------------------------------------

    async def _connection_loop(self, stop: asyncio.Event) -> None:
        delay = self.config.reconnect_min_s
        attempts = 0
        while not stop.is_set():
            lost = asyncio.Event()
            client = Client(
                self.config.endpoint,
                timeout=self.config.request_timeout_s,
                watchdog_intervall=self.config.watchdog_s,
                auto_reconnect=False,
            )
            self.status.state = "reconnecting" if self.status.reconnects else "connecting"
            try:
                await self._connect(client, lost)
            except Exception as exc:
                attempts += 1
                self._connect_failed(exc, attempts)
                await self._close(client)
                await _wait(stop, delay)
                delay = min(delay * 2, self.config.reconnect_max_s)
                continue
            delay, attempts = self.config.reconnect_min_s, 0
            try:
                await self._serve(client, lost, stop)
            except Exception as exc:
                message = describe_error(exc, self.config)
                self.status.error(f"connection lost: {message}")
                logger.warning("connection lost: %s", message)
            finally:
                # A stop opens a gap too: nothing reads the server until the next run closes it
                # (a run killed later finds its start in the status file).
                if self.status.connected:
                    self._gap(self.gaps.lost(datetime.now(UTC), self._reading))
                await self._close(client)
                self.status.connected, self.status.subscribed_tags = False, 0
            if not stop.is_set():
                self.status.reconnects += 1
                await _wait(stop, delay)  # a server that just dropped us is rarely back at once

    def _connect_failed(self, exc: BaseException, attempts: int) -> None:
        message = describe_error(exc, self.config)
        self.status.error(message)
        # Once, then every 10th attempt: an outage must not flood the log.
        if attempts == 1 or attempts % 10 == 0:
            logger.warning(
                "connect to %s failed (attempt %d): %s", self.config.endpoint, attempts, message
            )

    async def _connect(self, client: Client, lost: asyncio.Event) -> None:
        config = self.config
        await client_identify(client, config, name=f"cell-line MES bridge {config.name}")
        client.session_timeout = 30_000  # the server frees our subscription soon after we vanish

        async def on_lost(exc: Exception) -> None:
            lost.set()

        client.connection_lost_callback = on_lost
        await asyncio.wait_for(client.connect(), timeout=config.request_timeout_s * 2)

    async def _close(self, client: Client) -> None:
        with contextlib.suppress(Exception):
            await asyncio.wait_for(client.disconnect(), timeout=self.config.request_timeout_s)

    async def _serve(self, client: Client, lost: asyncio.Event, stop: asyncio.Event) -> None:
        params = ua.CreateSubscriptionParameters(
            RequestedPublishingInterval=float(self.config.publishing_interval_ms),
            RequestedLifetimeCount=300,
            RequestedMaxKeepAliveCount=max(1, int(5000 / self.config.publishing_interval_ms)),
            MaxNotificationsPerPublish=10_000,
            PublishingEnabled=True,
            Priority=0,
        )
        # Iterator mode with an unbounded queue (maxsize 0): asyncua never drops a notification
        # (its default is 1000 and DROP_OLDEST), and one task consumes them instead of one task
        # per notification in handler mode.
        subscription = await client.create_subscription(params, handler=None, queue_maxsize=0)
        tags = TagSubscription(client, subscription)
        consumer = asyncio.create_task(self._consume(subscription, tags, lost))
        try:
            await self._subscribe(tags)
            assert self.tag_map is not None  # loaded before the first connection (run)
            await self.closed_loop.attach(client, self.tag_map)
            self.status.state, self.status.connected = "connected", True
            self.status.connected_since = iso_utc(datetime.now(UTC))
            self._gap(self.gaps.subscribed(datetime.now(UTC), self._reading))
            logger.info("connected to %s: %d tags", self.config.endpoint, len(tags.active))
            await self._supervise(client, tags, lost, stop)
        finally:
            await self.closed_loop.detach()
            with contextlib.suppress(Exception):
                await asyncio.wait_for(subscription.delete(), self.config.request_timeout_s)
            # the delete put an end marker in the queue: what came before it is consumed
            await asyncio.wait({consumer}, timeout=5)
            await cancel_until_done([consumer])
            if not consumer.cancelled() and consumer.exception() is not None:
                logger.warning("notifications consumer failed: %s", consumer.exception())

    async def _subscribe(self, tags: TagSubscription) -> None:
        self._map_changed.clear()
        assert self.tag_map is not None
        await tags.apply(self.tag_map)
        await self.closed_loop.apply(self.tag_map)
        self._update_subscription_status(tags)

    def _update_subscription_status(self, tags: TagSubscription) -> None:
        self.status.subscribed_tags = sum(
            1 for item in tags.active.values() if not item.spec.is_event_source
        )
        self.status.event_nodes = len(tags.active) - self.status.subscribed_tags
        self.status.skipped_nodes = [
            {"node_id": node_id, "reason": reason}
            for node_id, reason in sorted(tags.skipped.items())
        ]
        self.status.deadband_tags = sum(
            1
            for node_id, item in tags.active.items()
            if item.spec.has_deadband and node_id not in tags.deadband_refused
        )
        self.status.deadband_refused = [
            {
                "node_id": node_id,
                "deadband": tags.active[node_id].spec.deadband_text,
                "reason": reason,
            }
            for node_id, reason in sorted(tags.deadband_refused.items())
            if node_id in tags.active
        ]
        self.tag_health.deadband_refused(
            {entry["node_id"]: entry["reason"] for entry in self.status.deadband_refused}
        )
        self.tag_health.skipped(tags.skipped)
        self._reading = tuple(sorted({item.spec.station for item in tags.active.values()}))

    async def _supervise(
        self, client: Client, tags: TagSubscription, lost: asyncio.Event, stop: asyncio.Event
    ) -> None:
        """Wait for stop or a loss; apply tag map changes; retry skipped nodes now and then."""
        loop = asyncio.get_running_loop()
        retried_at = loop.time()
        while not stop.is_set():
            await _wait_any([stop, lost, self._map_changed], timeout=0.5)
            if lost.is_set() or client.uaclient.state is not UaClientState.CONNECTED:
                raise ConnectionLost("the server connection is gone")
            due = tags.skipped and loop.time() - retried_at >= self.config.skipped_retry_s
            if self._map_changed.is_set() or due:
                retried_at = loop.time()
                await self._subscribe(tags)

    # --- notifications (in the event loop: cheap and never blocking) -------------------------

    async def _consume(
        self, subscription: Subscription, tags: TagSubscription, lost: asyncio.Event
    ) -> None:
        async for event in subscription:
            if isinstance(event, DataChangeEvent):
                self._on_data_change(tags, event)
            elif isinstance(event, OpcEvent):
                self._on_event(tags, event.event)
            elif isinstance(event, StatusChangeEvent):
                status = event.notification.Status
                if status is not None and not status.is_good():
                    logger.info("subscription status %s", status.name)
                    lost.set()

    def _on_data_change(self, tags: TagSubscription, event: DataChangeEvent) -> None:
        handle = event.data.subscription_data.client_handle
        node_id = tags.by_client_handle.get(handle) if handle is not None else None
        if node_id is None:
            node_id = event.node.nodeid.to_string()
        self.tag_health.value(node_id, event.data.monitored_item.Value.StatusCode)
        if self.closed_loop.notify(node_id, event.data.monitored_item.Value):
            return  # a handshake request or the PLC's heartbeat: not a process value
        sample = sample_from_datavalue(node_id, event.data.monitored_item.Value)
        key = sample_key(sample)
        if key is not None and self._last_keys.get(node_id) == key:
            self.status.duplicates_suppressed += 1
            return
        self._last_keys[node_id] = key
        self.status.samples_total += 1
        batch = self.batcher.add_sample(sample)
        if batch is not None:
            self._submit(batch)

    def _on_event(self, tags: TagSubscription, event: Any) -> None:
        fields = {
            _clause_name(clause): variant.Value
            for clause, variant in zip(event.select_clauses, event.event_fields, strict=False)
        }
        entry = event_from_fields(
            tags.event_node_id(event), tags.event_type_name(event), fields, datetime.now(UTC)
        )
        self.status.events_total += 1
        self.tag_health.value(entry["node_id"], None)
        batch = self.batcher.add_event(entry)
        if batch is not None:
            self._submit(batch)

    def _stations(self) -> tuple[str, ...]:
        """The stations of the nodes the tag map has the bridge subscribe: what a gap resumed
        from a run that named none leaves unread, as far as this run knows before it connects."""
        if self.tag_map is None:
            return ()
        return tuple(sorted({spec.station for spec in self.tag_map.subscribed().values()}))

    def _gap(self, entry: GapEntry | None) -> None:
        if entry is None:
            return
        logger.info(
            "connection gap of %s: %s to %s", entry["endpoint"], entry["start"], entry["end"]
        )
        batch = self.batcher.add_gap(entry)
        if batch is not None:
            self._submit(batch)

    def _submit(self, batch: dict) -> None:
        self.status.batches_created += 1
        self.forwarder.submit(batch)

    async def _flush_loop(self, stop: asyncio.Event) -> None:
        tick = max(self.config.batch_ms / 5000, 0.01)
        while not stop.is_set():
            await asyncio.sleep(tick)
            if self.batcher.due():
                batch = self.batcher.flush()
                if batch is not None:
                    self._submit(batch)

    # --- status --------------------------------------------------------------------------------

    async def _status_loop(self, stop: asyncio.Event) -> None:
        while True:
            try:
                await asyncio.to_thread(self._write_status)
            except OSError as exc:
                logger.warning("cannot write %s: %s", self.config.status_path, exc)
            await asyncio.sleep(self.config.status_interval_s)

    def _write_status(self) -> None:
        status = self.status
        status.samples_per_s = self._rate.rate(status.samples_total)
        status.batches_delivered = self.forwarder.batches_delivered
        status.batches_spooled = self.forwarder.batches_spooled
        status.batches_waiting = self.forwarder.waiting
        self.forwarder.report(status)
        status.closed_loop = self.closed_loop.status(connected=status.connected)
        mapped = sorted(self.tag_map.by_node_id()) if self.tag_map is not None else []
        status.tags = self.tag_health.report(mapped)
        status.gap_open_since = iso_utc(self.gaps.open_since)
        status.reading_stations = list(self._reading)
        status.gaps_reported = self.gaps.reported
        write_status(self.config.status_path, status)


def _clause_name(clause: ua.SimpleAttributeOperand) -> str:
    if not clause.BrowsePath:
        return clause.AttributeId.name
    return "/".join(part.Name for part in clause.BrowsePath)


async def _wait(stop: asyncio.Event, seconds: float) -> None:
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(stop.wait(), timeout=seconds)


async def _wait_any(events: list[asyncio.Event], timeout: float) -> None:
    waiters = [asyncio.create_task(event.wait()) for event in events]
    try:
        await asyncio.wait(waiters, timeout=timeout, return_when=asyncio.FIRST_COMPLETED)
    finally:
        for waiter in waiters:
            waiter.cancel()
