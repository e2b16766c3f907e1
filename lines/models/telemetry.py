"""Telemetry: every value a PLC or an operator reported for a station parameter, kept as received."""

from django.conf import settings
from django.db import models


class SampleSource(models.TextChoices):
    PLC = "plc", "PLC (OPC UA)"
    MANUAL = "manual", "Manual measurement"


class TagRole(models.TextChoices):
    UNIT_ID = "unit_id", "Serial of the unit in the station (roll on a roll station)"
    WEB_POSITION = "web_position_m", "Web position, metre counter"
    RESULT_EVENT = "result_event", "Per-cell result events"
    # The closed loop (docs/integration-guide.md): the PLC asks, the MES answers.
    CHECKIN_SERIAL = "checkin_serial", "Check-in: serial asked for (PLC writes)"
    CHECKIN_REQUEST = "checkin_request", "Check-in: request (PLC writes)"
    CHECKIN_RESPONSE = "checkin_response", "Check-in: answer code (MES writes)"
    CHECKIN_DONE = "checkin_done", "Check-in: answer written (MES writes)"
    CHECKOUT_SERIAL = "checkout_serial", "Check-out: serial handed over (PLC writes)"
    CHECKOUT_RESULT = "checkout_result", "Check-out: 1 pass, 2 fail (PLC writes)"
    CHECKOUT_REQUEST = "checkout_request", "Check-out: request (PLC writes)"
    CHECKOUT_RESPONSE = "checkout_response", "Check-out: answer code (MES writes)"
    CHECKOUT_DONE = "checkout_done", "Check-out: answer written (MES writes)"
    SETPOINT = "setpoint", "Set-point of a recipe key (MES writes)"
    MES_HEARTBEAT = "mes_heartbeat", "MES heartbeat counter (MES writes)"
    PLC_HEARTBEAT = "plc_heartbeat", "PLC heartbeat counter (PLC writes)"
    # Machine time (docs/oee.md): the PLC's state (PackML number or OPC 40001 name) and its own
    # stop-reason code; stored as samples like any value, read by oee/.
    MACHINE_STATE = "machine_state", "Machine state, PackML number or OPC 40001 name (PLC writes)"
    STOP_REASON = "stop_reason", "Stop reason, the PLC's own code (PLC writes)"

    @classmethod
    def mes_writes(cls) -> frozenset[str]:
        """The only roles whose nodes the bridge ever writes; never a process value."""
        return frozenset(
            {
                cls.CHECKIN_RESPONSE,
                cls.CHECKIN_DONE,
                cls.CHECKOUT_RESPONSE,
                cls.CHECKOUT_DONE,
                cls.SETPOINT,
                cls.MES_HEARTBEAT,
            }
        )

    @classmethod
    def handshake(cls) -> frozenset[str]:
        """Roles of the check-in/check-out handshake: control signals, never telemetry."""
        return frozenset(
            {
                cls.CHECKIN_SERIAL,
                cls.CHECKIN_REQUEST,
                cls.CHECKIN_RESPONSE,
                cls.CHECKIN_DONE,
                cls.CHECKOUT_SERIAL,
                cls.CHECKOUT_RESULT,
                cls.CHECKOUT_REQUEST,
                cls.CHECKOUT_RESPONSE,
                cls.CHECKOUT_DONE,
            }
        )

    @classmethod
    def with_text(cls) -> frozenset[str]:
        """Roles whose values may be text (a serial, a state name, a reason code): stored as
        they came, not refused as "not a number"."""
        return frozenset({cls.UNIT_ID, cls.MACHINE_STATE, cls.STOP_REASON})

    @classmethod
    def without_deadband(cls) -> frozenset[str]:
        """Roles where every change matters: text, the handshake, what the MES writes, the
        machine's state and stop reason, heartbeats and events. A deadband would hide a step of
        a handshake or a counter's tick, so none is allowed on them."""
        return (
            cls.with_text()
            | cls.handshake()
            | cls.mes_writes()
            | {cls.RESULT_EVENT, cls.MES_HEARTBEAT, cls.PLC_HEARTBEAT}
        )

    @classmethod
    def with_parameter(cls) -> frozenset[str]:
        """Roles that also name a parameter: a set-point tag names its recipe key."""
        return frozenset({cls.SETPOINT})


class DeadbandKind(models.TextChoices):
    """How the OPC UA server filters a tag's changes (Part 4, DataChangeFilter): nothing, a
    change larger than a value in the tag's unit, or larger than a percent of its EURange."""

    NONE = "none", "None: every change"
    ABSOLUTE = "absolute", "Absolute, in the value's unit"
    PERCENT = "percent", "Percent of the node's EURange"


class Tag(models.Model):
    """One OPC UA node the bridge subscribes to: a process value of a station parameter, or a role.

    A `setpoint` tag carries both: its role and, in `parameter`, the recipe key it is written from.

    Editable in the admin and through the API; the bridge reloads the map when `updated_at` moves.
    """

    node_id = models.CharField(max_length=255, unique=True)
    station = models.ForeignKey("lines.Station", on_delete=models.PROTECT, related_name="tags")
    parameter = models.CharField(max_length=64, blank=True)
    role = models.CharField(max_length=20, choices=TagRole.choices, blank=True)
    sampling_interval_ms = models.PositiveIntegerField(default=100)
    queue_size = models.PositiveIntegerField(default=10)
    # Applied by the server (docs/telemetry.md, "Deadband"): a change smaller than this never
    # leaves the PLC. 0 with kind none.
    deadband_kind = models.CharField(
        max_length=8, choices=DeadbandKind.choices, default=DeadbandKind.NONE
    )
    deadband_value = models.FloatField(default=0.0)
    enabled = models.BooleanField(default=True)
    description = models.CharField(max_length=200, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["station", "node_id"]
        constraints = [
            models.CheckConstraint(
                condition=(models.Q(parameter="") & ~models.Q(role=""))
                | (~models.Q(parameter="") & models.Q(role=""))
                | (~models.Q(parameter="") & models.Q(role="setpoint")),
                name="tag_parameter_xor_role",
            ),
            models.CheckConstraint(
                condition=(models.Q(deadband_kind="none") & models.Q(deadband_value=0))
                | (models.Q(deadband_kind="absolute") & models.Q(deadband_value__gte=0))
                | (
                    models.Q(deadband_kind="percent")
                    & models.Q(deadband_value__gte=0)
                    & models.Q(deadband_value__lte=100)
                ),
                name="tag_deadband_valid",
            ),
        ]

    def __str__(self) -> str:
        return self.node_id


class IngestBatch(models.Model):
    """A batch of telemetry the ingest has stored. Its id makes a redelivered batch a no-op."""

    batch_id = models.UUIDField(unique=True)
    source = models.CharField(max_length=120, blank=True)
    received_at = models.DateTimeField()
    samples = models.PositiveIntegerField(default=0)
    rejected = models.PositiveIntegerField(default=0)
    events = models.PositiveIntegerField(default=0)
    problems = models.JSONField(default=list, blank=True)  # unit events refused, gaps unusable

    class Meta:
        ordering = ["-received_at"]
        verbose_name_plural = "ingest batches"

    def __str__(self) -> str:
        return str(self.batch_id)


class Sample(models.Model):
    """One reported value: station, parameter, value, source time, OPC UA status, and attribution.

    `unit` is the unit the value belongs to (the cell in the station at `source_time`, or the roll on
    a roll station, with `position_m` its web position). A value that cannot be used (bad status,
    NaN, unparseable, unknown tag) is still stored, with `rejected_reason` saying why, `value` null
    when nothing numeric arrived and `raw_value` what did; a sample of an unknown node has no
    station. Written in bulk by the ingest; never updated.
    """

    # No database constraints or single-column indexes on the foreign keys: the per-row
    # constraint checks cost the ingest a third of its time, each index another tenth of its
    # COPY, the composite indexes below lead with station and unit, and on_delete=PROTECT is
    # enforced by the ORM (docs/telemetry.md).
    station = models.ForeignKey(
        "lines.Station",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        db_constraint=False,
        db_index=False,
    )
    parameter = models.CharField(max_length=64, blank=True)
    node_id = models.CharField(max_length=255, blank=True)  # as the PLC named it; blank if manual
    batch = models.ForeignKey(
        IngestBatch,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        db_constraint=False,
        db_index=False,  # nothing reads samples by batch; ingest batches are never deleted
    )
    raw_value = models.CharField(max_length=200, blank=True)  # what arrived, when it was no number
    value = models.FloatField(null=True, blank=True)
    source_time = models.DateTimeField()
    server_time = models.DateTimeField()
    status_code = models.BigIntegerField(default=0)  # OPC UA StatusCode; 0 is Good
    unit = models.ForeignKey(
        "lines.Unit",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="samples",
        db_constraint=False,
        db_index=False,
    )
    position_m = models.FloatField(null=True, blank=True)
    source = models.CharField(max_length=8, choices=SampleSource.choices, default=SampleSource.PLC)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        db_constraint=False,
        db_index=False,
    )
    rejected_reason = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["-source_time", "-id"]
        indexes = [
            models.Index(fields=["station", "parameter", "source_time"], name="sample_series_idx"),
            models.Index(fields=["unit", "parameter"], name="sample_unit_param_idx"),
            # Manual measurements only: telemetry rows have no user and stay out of it.
            models.Index(
                fields=["recorded_by"],
                name="sample_recorded_by_idx",
                condition=models.Q(recorded_by__isnull=False),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.station_id}/{self.parameter}={self.value}"


class ConnectionGap(models.Model):
    """A time a bridge had no subscription on its OPC UA server (its `source`, at `endpoint`):
    nothing was read from the `stations`' nodes then. `end` is null while the gap is open (the
    bridge reported the loss and has not subscribed again). One row per source and start, so a
    re-sent batch stores nothing twice and the closing report finds the open one.

    The bridge names the stations (those of the nodes it had monitored), not the ingest: no
    table says which tags a source reads (every bridge subscribes every enabled tag and skips
    the nodes its server has not), and what it read before the outage is what went unread; a
    tag mapped later must not backdate a gap onto its station.
    """

    source = models.CharField(max_length=120)
    endpoint = models.CharField(max_length=255, blank=True)
    start = models.DateTimeField()
    end = models.DateTimeField(null=True, blank=True)
    stations = models.ManyToManyField("lines.Station", related_name="+", blank=True)
    received_at = models.DateTimeField()  # when the ingest first heard of it

    class Meta:
        ordering = ["-start"]
        constraints = [
            models.UniqueConstraint(fields=["source", "start"], name="lines_connection_gap_once"),
            models.CheckConstraint(
                condition=models.Q(end__isnull=True) | models.Q(end__gt=models.F("start")),
                name="lines_connection_gap_ends_after_start",
            ),
        ]
        indexes = [models.Index(fields=["start", "end"], name="lines_gap_start_end")]

    def __str__(self) -> str:
        end = f"{self.end:%Y-%m-%d %H:%M:%S}" if self.end else "open"
        return f"{self.source} {self.start:%Y-%m-%d %H:%M:%S} .. {end}"
