"""The process model of the simulated line: a pure, seeded function of line time. No asyncua.

`LineModel.step(dt_s)` advances the line by dt_s line seconds and returns what the PLCs would
write (process values, roll ids, serials, web position) and the per-cell result events. Every
machine draws from its own random stream seeded by (seed, station), and a fault never changes a
draw, so the same seed and the same steps give the same values, faults or not.
"""

from __future__ import annotations

import math
import random
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field, replace

from django.utils.translation import gettext as _

from .catalog import (
    EOL_LIMITS,
    EOL_SIGMA,
    MACHINES,
    ROLE_MACHINE_STATE,
    ROLE_STOP_REASON,
    ROLE_UNIT_ID,
    ROLE_WEB_POSITION,
    STACK_LIMITS,
    WEB_POSITION_MODEL,
    ChannelModel,
    LinePlan,
)
from .faults import GOOD, Fault, FaultKind, apply_faults, prune

# Noise is AR(1) around the target: consecutive readings of a real sensor are correlated.
AR_PHI = 0.6
# Per cell: a missed sheet is a fact of one stack, seen in every reading while it is stacked.
MISSED_SHEET_PROBABILITY = 0.003
DOWNSTREAM = ("WIP-01", "SEAL-01", "FORM-01", "EOL-01")
STACKER = "STACK-01"
CHECKIN, CHECKOUT = "checkin", "checkout"
PLC_PASS, PLC_FAIL = 1, 2
# PackML / OPC 30050 state numbers the cell flow's PLCs report (docs/integration-guide.md).
PACKML_EXECUTE, PACKML_SUSPENDED, PACKML_HELD = 6, 5, 11
FLOW = (STACKER, *DOWNSTREAM)


@dataclass(frozen=True)
class Write:
    """One value a PLC writes: station, channel (parameter or role), value, OPC UA status."""

    station: str
    channel: str
    value: float | str  # an int for the Int32 nodes (machine state, stop reason)
    status: int = GOOD


@dataclass(frozen=True)
class ResultEvent:
    """A per-cell verdict (ResultReadyEventType) emitted by a station's object."""

    station: str
    fields: Mapping[str, object]


@dataclass(frozen=True)
class CheckRequest:
    """A question an interlocked station's PLC asks the MES: may it work this cell (check-in),
    does the MES take its result (check-out, result 1 pass or 2 fail)? Only answer 1 is OK."""

    station: str
    side: str
    serial: str
    result: int = 0


@dataclass
class StepResult:
    """What one step produced, in the order the PLCs produced it (the shell keeps that order)."""

    time_s: float
    items: list[Write | ResultEvent] = field(default_factory=list)
    requests: list[CheckRequest] = field(default_factory=list)  # new questions for the MES

    @property
    def writes(self) -> list[Write]:
        return [item for item in self.items if isinstance(item, Write)]

    @property
    def events(self) -> list[ResultEvent]:
        return [item for item in self.items if isinstance(item, ResultEvent)]


@dataclass(frozen=True)
class Jam:
    """A station of the cell flow stopped by a fault for duration_s line seconds from the first
    step that reports it (until_s, set then): a jam injected between two ticks is seen, and
    lasts, from the next tick on, so its reported length is its duration."""

    station: str
    duration_s: float
    reason_code: int
    until_s: float | None = None


class _Channel:
    """One numeric value: its noise state, faults and last written value."""

    def __init__(self, model: ChannelModel, target: float, rng: random.Random) -> None:
        self.model = model
        self.target = target
        self.rng = rng
        self.noise = rng.gauss(0.0, model.sigma) if model.sigma else 0.0
        self.last: float | None = None
        self.faults: list[Fault] = []
        self.missing = 0.0  # a count's shortfall for the unit in the machine

    def new_unit(self) -> None:
        """The next unit enters the machine: a count channel draws its shortfall once for it
        (drawn per reading, half the cells at a 0.1 s sampling period had a missed sheet)."""
        if self.model.shape == "count":
            self.missing = 1.0 if self.rng.random() < MISSED_SHEET_PROBABILITY else 0.0

    def clean_value(self, base: float | None) -> float:
        """Draw the next sensor reading (always exactly one draw per call, faults or not)."""
        m = self.model
        gauss = self.rng.gauss(0.0, 1.0)
        self.noise = AR_PHI * self.noise + math.sqrt(1 - AR_PHI**2) * m.sigma * gauss
        if base is not None:
            return base
        if m.shape == "count":
            return self.target - self.missing
        if m.shape == "at_least":
            return round(self.target + abs(self.noise), 4)
        value = self.target + m.bias + self.noise
        return round(max(0.0, value) if m.shape == "non_negative" else value, 4)

    def next(self, now_s: float, base: float | None = None) -> tuple[float, int]:
        value = self.clean_value(base)
        self.faults = prune(self.faults, now_s)
        value, status = apply_faults(self.faults, now_s, value)
        if status == GOOD:
            self.last = value
        return value, status

    def inject(self, fault: Fault) -> None:
        if fault.kind is FaultKind.STUCK:
            fault.frozen = self.last if self.last is not None else self.target
        self.faults.append(fault)


class LineModel:
    """The seven machines of the demo line, stepped together in line time."""

    def __init__(self, plan: LinePlan, seed: int = 1, interlocked: tuple[str, ...] = ()) -> None:
        """interlocked: the stations that check every cell in and out (STACK-01, WIP-01); the
        cell flow waits for the MES's answers there (model.answer)."""
        self.plan = plan
        self.settings = plan.settings
        self.time_s = 0.0
        self.rngs = {m.station: random.Random(f"{seed}:{m.station}") for m in MACHINES}
        self.channels: dict[tuple[str, str], _Channel] = {}
        for machine in MACHINES:
            for model in machine.channels:
                target = plan.targets[(machine.station, model.parameter)]
                rng = self.rngs[machine.station]
                self.channels[(machine.station, model.parameter)] = _Channel(model, target, rng)
        coat_rng = self.rngs["COAT-01"]
        self.channels[("COAT-01", ROLE_WEB_POSITION)] = _Channel(WEB_POSITION_MODEL, 0.0, coat_rng)
        self.roll_number = 1
        self.web_position_m = 0.0
        self.cells = _CellFlow(plan, self.rngs, self.channels, interlocked)
        self._unit_ids: dict[str, str] = {}
        self._states: dict[str, tuple[int, int]] = {}

    # ----- faults and interventions (line time) ------------------------------------------------

    def numeric_channels(self) -> list[tuple[str, str]]:
        return list(self.channels)

    def inject(
        self, kind: FaultKind, station: str, channel: str, duration_s: float, magnitude: float = 0
    ) -> None:
        """Inject a fault into one numeric channel, starting now, for duration_s line seconds."""
        try:
            target = self.channels[(station, channel)]
        except KeyError:
            raise KeyError(
                _("no numeric channel %(station)s %(channel)s")
                % {"station": station, "channel": channel}
            ) from None
        target.inject(Fault(FaultKind(kind), self.time_s, duration_s, magnitude))

    def clear_faults(self, station: str | None = None, channel: str | None = None) -> int:
        """Remove faults (all, or a station's, or one channel's); returns how many went."""
        cleared = 0
        for (st, ch), state in self.channels.items():
            if station in (None, st) and channel in (None, ch):
                cleared += len(state.faults)
                state.faults = []
        if station in (None, STACKER) and channel in (None, "alignment_mm"):
            cleared += self.cells.unload_shift_mm is not None
            self.cells.unload_shift_mm = None
        jam = self.cells.jam
        if jam is not None and station in (None, jam.station) and channel is None:
            cleared += 1
            self.cells.jam = None  # the jam is cleared: the flow runs from the next step
        return cleared

    def inject_jam(self, station: str, duration_s: float, reason_code: int) -> None:
        """A station of the cell flow jams now for duration_s line seconds: no cell moves (a
        PLC holds the whole indexed flow), the station reports Held with reason_code, every
        other station of the flow Suspended (starved or blocked). A jam replaces one in force."""
        if station not in FLOW:
            raise KeyError(
                _("%(station)s is not in the cell flow (%(flow)s)")
                % {"station": station, "flow": ", ".join(FLOW)}
            )
        if duration_s <= 0:
            raise ValueError(_("a jam lasts longer than 0 s"))
        self.cells.jam = Jam(station, float(duration_s), int(reason_code))

    def inject_unload_shift(self, magnitude_mm: float) -> None:
        """The next cell the stacker hands over shifts by magnitude_mm while it is unloaded: its
        stack was in place at the check-out, the inline X-ray after unloading (its result event's
        alignment_mm) sees it shifted. One cell; the MES's specs judge the X-ray's reading."""
        self.cells.unload_shift_mm = float(magnitude_mm)

    def change_roll(self, station: str) -> str:
        """Start a new roll now: a new mother roll on COAT-01, the next feed roll on STACK-01."""
        if station == "COAT-01":
            self.roll_number += 1
            self.web_position_m = 0.0
            return self.roll_id
        if station == "STACK-01":
            return self.cells.next_feed_roll()
        raise KeyError(
            _("%(station)s has no roll (COAT-01 and STACK-01 do)") % {"station": station}
        )

    def set_target(self, station: str, parameter: str, value: float) -> None:
        """A set-point written by the MES: the process value now centres on it."""
        try:
            self.channels[(station, parameter)].target = float(value)
        except KeyError:
            raise KeyError(
                _("no numeric channel %(station)s %(channel)s")
                % {"station": station, "channel": parameter}
            ) from None

    def target(self, station: str, parameter: str) -> float:
        return self.channels[(station, parameter)].target

    def answer(self, request: CheckRequest, code: int) -> None:
        """The MES's answer to a request (anything but 1, or 0 for no answer in time, is NOK)."""
        self.cells.answer(request, code)

    @property
    def rejects(self) -> Counter[str]:
        """Cells each interlocked station refused to build on (a NOK answer or no answer)."""
        return self.cells.rejects

    @property
    def roll_id(self) -> str:
        return f"{self.settings.roll_id_prefix}{self.roll_number:04d}"

    # ----- stepping ----------------------------------------------------------------------------

    def step(self, dt_s: float) -> StepResult:
        """Advance dt_s line seconds; return the writes and events, in the order a PLC makes them."""
        self.time_s += dt_s
        result = StepResult(self.time_s)
        self._step_coater(dt_s, result)
        for machine in MACHINES[1:]:
            for model in machine.channels:
                self._write_channel(machine.station, model.parameter, result)
        result.items += self.cells.advance(dt_s, self.time_s)
        for station, serial in self.cells.unit_ids().items():
            self._write_unit_id(station, serial, result)
        self._write_states(result)
        result.requests = self.cells.take_requests()
        return result

    def _write_channel(self, station: str, channel: str, result: StepResult, base=None) -> None:
        value, status = self.channels[(station, channel)].next(self.time_s, base)
        result.items.append(Write(station, channel, value, status))

    def _write_unit_id(self, station: str, unit_id: str, result: StepResult) -> None:
        if self._unit_ids.get(station) != unit_id:
            self._unit_ids[station] = unit_id
            result.items.append(Write(station, ROLE_UNIT_ID, unit_id))

    def _write_states(self, result: StepResult) -> None:
        """Each flow station's PackML state and stop reason, on a change only (as a PLC does).
        The reason goes first when a station stops and last when it runs again, so the MES
        always finds the stop's code reported at or before the stop (docs/oee.md, Tags)."""
        for station, (state, reason) in self.cells.states(self.time_s).items():
            before = self._states.get(station)
            self._states[station] = (state, reason)
            writes = []
            if before is None or before[1] != reason:
                writes.append(Write(station, ROLE_STOP_REASON, reason))
            if before is None or before[0] != state:
                writes.append(Write(station, ROLE_MACHINE_STATE, state))
            if state == PACKML_EXECUTE:
                writes.reverse()
            result.items += writes

    def _step_coater(self, dt_s: float, result: StepResult) -> None:
        speed = self.channels[("COAT-01", "web_speed_m_min")]
        # A NaN or frozen speed reading is the gauge's problem, not the web's: the web keeps moving.
        last = speed.last
        speed_m_min = last if last is not None and math.isfinite(last) else speed.target
        self.web_position_m += max(0.0, speed_m_min) / 60.0 * dt_s
        length = self.settings.roll_length_m
        while self.web_position_m >= length:
            self.web_position_m -= length
            self.roll_number += 1
        self._write_unit_id("COAT-01", self.roll_id, result)
        position = round(self.web_position_m, 3)
        self._write_channel("COAT-01", ROLE_WEB_POSITION, result, base=position)
        for model in MACHINES[0].channels:
            self._write_channel("COAT-01", model.parameter, result)


class _CellFlow:
    """Cells through STACK-01 and the downstream stations, one station step per cell cycle.

    At an interlocked station a cell is checked in before the station works it and checked out
    after; the line waits for the answers (real stations wait for their PLC's handshake). A cell
    refused (any answer but 1) is counted in the station's rejects and goes no further: refused
    at check-in, the station stays empty for the cycle; refused at check-out, it is not passed
    on. Phases of a cycle end: run -> (check-outs) -> move on -> (check-ins) -> run.

    With the stacker interlocked, a stacked cell spends one cycle on the transfer (unloading and
    the inline X-ray, whose reading is its result event) between the stacker's check-out and the
    press's check-in: a hold that comes meanwhile is answered at the press's check-in.
    """

    def __init__(
        self, plan: LinePlan, rngs: dict[str, random.Random], channels, interlocked=()
    ) -> None:
        self.settings = plan.settings
        self.targets = plan.targets
        self.rngs = rngs
        self.channels = channels
        self.elapsed_s = 0.0
        self.cell_number = 1
        self.eol_sequence = 0
        self.feed_index = 0
        self.feed_pos_mm = 0
        self.occupant: dict[str, str] = dict.fromkeys(DOWNSTREAM, "")
        self.capacity_of: dict[str, float] = {}
        self.interlocked = frozenset(interlocked)
        self.rejects: Counter[str] = Counter()
        self.pending: dict[tuple[str, str], CheckRequest] = {}
        self.refused: set[tuple[str, str]] = set()
        self.phase = "start" if STACKER in self.interlocked else "run"
        self.stack_admitted = STACKER not in self.interlocked
        self._stacked = ""
        self.transfer = ""  # the cell between the stacker and the press (interlocked only)
        self.unload_shift_mm: float | None = None  # one cell's shift on unloading (X-ray)
        self._held_event: ResultEvent | None = None
        self.jam: Jam | None = None
        self._incoming: dict[str, str] = {}
        self._new_requests: list[CheckRequest] = []

    def serial(self, number: int) -> str:
        return f"{self.settings.cell_serial_prefix}{number:06d}"

    def unit_ids(self) -> dict[str, str]:
        stacking = self.serial(self.cell_number) if self.stack_admitted else ""
        return {STACKER: stacking, **self.occupant}

    def feed_roll(self) -> str:
        rolls = self.settings.feed_rolls
        if self.feed_index < len(rolls):
            return rolls[self.feed_index]
        return f"FEED-SIM-{self.feed_index + 1:04d}"

    def next_feed_roll(self) -> str:
        self.feed_index += 1
        self.feed_pos_mm = 0
        return self.feed_roll()

    # ----- the closed loop -----------------------------------------------------------------------

    def take_requests(self) -> list[CheckRequest]:
        taken, self._new_requests = self._new_requests, []
        return taken

    def answer(self, request: CheckRequest, code: int) -> None:
        key = (request.station, request.side)
        if self.pending.get(key) != request:
            return  # not (or no longer) asked: nothing to do
        del self.pending[key]
        if code != 1:  # the PLC puts the cell on its reject lane at once
            self.refused.add(key)
            self.rejects[request.station] += 1

    def _ask(self, requests: list[CheckRequest]) -> None:
        for request in requests:
            self.pending[(request.station, request.side)] = request
            self._new_requests.append(request)

    def _refused(self, station: str, side: str) -> bool:
        if (station, side) not in self.refused:
            return False
        self.refused.discard((station, side))
        return True

    # ----- the cycle -------------------------------------------------------------------------------

    def states(self, now_s: float) -> dict[str, tuple[int, int]]:
        """(PackML state, stop-reason code) per flow station at line time now_s."""
        jam = self.jam
        if jam is None or jam.until_s is None or now_s >= jam.until_s:
            return dict.fromkeys(FLOW, (PACKML_EXECUTE, 0))
        return {
            station: (PACKML_HELD, jam.reason_code) if station == jam.station
            else (PACKML_SUSPENDED, 0)
            for station in FLOW
        }  # fmt: skip

    def _unjammed_s(self, dt_s: float, now_s: float) -> float:
        """The part of the step [now_s - dt_s, now_s) the flow ran: none while jammed. No cell
        finishes, none is asked for; answers to questions asked before still arrive, and the
        phases they unblock wait for the jam's end."""
        if self.jam is None:
            return dt_s
        until_s = self.jam.until_s
        if until_s is None:
            until_s = now_s + self.jam.duration_s
            self.jam = replace(self.jam, until_s=until_s)
        if now_s < until_s:
            return -1.0
        self.jam = None
        return min(dt_s, now_s - until_s)

    def advance(self, dt_s: float, now_s: float | None = None) -> list[ResultEvent]:
        events: list[ResultEvent] = []
        dt_s = self._unjammed_s(dt_s, dt_s if now_s is None else now_s)
        if dt_s < 0:
            return events
        if self.phase == "start":  # the first cell checks in before anything is stacked
            self._incoming = {STACKER: self.serial(self.cell_number)}
            self._ask([CheckRequest(STACKER, CHECKIN, self.serial(self.cell_number))])
            self.phase = "checkin"
        while not self.pending:  # while the MES has not answered, the cells wait
            if self.phase == "checkout":
                if self._held_event is not None:
                    handed_over = (STACKER, CHECKOUT) not in self.refused
                    events.append(self._unloaded(self._held_event) if handed_over
                                  else self._held_event)  # fmt: skip
                    self._held_event = None
                self._move_on()
                continue
            if self.phase == "checkin":
                self._admit()
                continue
            self.elapsed_s += dt_s
            dt_s = 0.0
            if self.elapsed_s < self.settings.cell_cycle_s:
                break
            self.elapsed_s -= self.settings.cell_cycle_s
            events += self._finish_cycle()
        return events

    def _finish_cycle(self) -> list[ResultEvent]:
        """The cycle's work is done: verdicts, then the check-outs of the interlocked stations."""
        events: list[ResultEvent] = []
        asks: list[CheckRequest] = []
        self._stacked = self.serial(self.cell_number) if self.stack_admitted else ""
        if self._stacked:
            stacking = self._finish_stacking()
            if STACKER in self.interlocked:
                # The check-out hands the result over first; the result event (its feed roll
                # metres) follows the answer, so the MES never completes the operation twice.
                self._held_event = stacking
                result = PLC_PASS if stacking.fields["result"] == "OK" else PLC_FAIL
                asks.append(CheckRequest(STACKER, CHECKOUT, self._stacked, result))
            else:
                events.append(self._unloaded(stacking))
        if self.occupant["EOL-01"]:
            events.append(self._finish_eol(self.occupant["EOL-01"]))
        for station in DOWNSTREAM:
            if station in self.interlocked and self.occupant[station]:
                asks.append(CheckRequest(station, CHECKOUT, self.occupant[station], PLC_PASS))
        self._ask(asks)
        self.phase = "checkout"
        return events

    def _move_on(self) -> None:
        """The check-outs are answered: cells move one station on; the next cell is stacked."""
        stacked = "" if self._refused(STACKER, CHECKOUT) else self._stacked
        for station in DOWNSTREAM:
            if self._refused(station, CHECKOUT):
                self.occupant[station] = ""  # to the reject lane, not passed on
        self._shift(stacked)
        self.cell_number += 1
        for (station, _channel_name), channel in self.channels.items():
            if station == STACKER:
                channel.new_unit()
        incoming = {}
        if STACKER in self.interlocked:
            incoming[STACKER] = self.serial(self.cell_number)
            self.stack_admitted = False
        for station in DOWNSTREAM:
            if station in self.interlocked and self.occupant[station]:
                incoming[station], self.occupant[station] = self.occupant[station], ""
        self._incoming = incoming
        self._ask([CheckRequest(station, CHECKIN, serial) for station, serial in incoming.items()])
        self.phase = "checkin"

    def _admit(self) -> None:
        """The check-ins are answered: the admitted cells enter their stations."""
        for station, serial in self._incoming.items():
            if self._refused(station, CHECKIN):
                continue
            if station == STACKER:
                self.stack_admitted = True
            else:
                self.occupant[station] = serial
        self._incoming = {}
        self.phase = "run"

    def _feed_range_m(self) -> tuple[str, float, float]:
        per_cell_mm = round(self.settings.feed_per_cell_m * 1000)
        if self.feed_pos_mm + per_cell_mm > round(self.settings.feed_roll_length_m * 1000):
            self.next_feed_roll()
        start_mm = self.feed_pos_mm
        self.feed_pos_mm += per_cell_mm
        return self.feed_roll(), start_mm / 1000, self.feed_pos_mm / 1000

    def _last(self, station: str, parameter: str) -> float:
        state = self.channels[(station, parameter)]
        return state.last if state.last is not None else math.nan

    def _finish_stacking(self) -> ResultEvent:
        roll, from_m, to_m = self._feed_range_m()
        alignment = self._last("STACK-01", "alignment_mm")
        overhang = self._last("STACK-01", "anode_overhang_mm")
        sheets = self._last("STACK-01", "sheet_count")
        low_a, high_a = STACK_LIMITS["alignment_mm"]
        low_o, high_o = STACK_LIMITS["overhang_mm"]
        target_sheets = self.targets[("STACK-01", "sheet_count")]
        ok = (
            low_a <= alignment <= high_a and low_o <= overhang <= high_o and sheets == target_sheets
        )
        fields: dict[str, object] = {
            "serial": self.serial(self.cell_number),
            "result": "OK" if ok else "NOK",
            "sequence": self.cell_number,
            "feed_roll": roll,
            "feed_from_m": from_m,
            "feed_to_m": to_m,
            "alignment_mm": alignment,
            "overhang_mm": overhang,
            "sheet_count": int(sheets) if math.isfinite(sheets) else 0,
        }
        return ResultEvent("STACK-01", fields)

    def _unloaded(self, stacking: ResultEvent) -> ResultEvent:
        """The stacker's result event as the X-ray after unloading reads the cell: shifted by a
        pending unload shift (then spent), else as stacked."""
        shift, self.unload_shift_mm = self.unload_shift_mm, None
        if shift is None:
            return stacking
        alignment = float(stacking.fields["alignment_mm"]) + shift  # type: ignore[arg-type]
        low, high = STACK_LIMITS["alignment_mm"]
        fields = {**stacking.fields, "alignment_mm": round(alignment, 4)}
        if not low <= alignment <= high:
            fields["result"] = "NOK"
        return ResultEvent(stacking.station, fields)

    def _finish_eol(self, serial: str) -> ResultEvent:
        rng = self.rngs["EOL-01"]
        self.eol_sequence += 1
        ocv_target = self.targets[("EOL-01", "ocv_v")]
        ocv = round(ocv_target + rng.gauss(0.0, EOL_SIGMA["ocv_v"]), 4)
        acir = round(
            self.targets[("EOL-01", "acir_mohm")] + rng.gauss(0, EOL_SIGMA["acir_mohm"]), 4
        )
        capacity = self.capacity_of.pop(serial, self.targets[("FORM-01", "capacity_ah")])
        capacity = round(capacity + rng.gauss(0.0, EOL_SIGMA["capacity_ah"]), 4)
        ok = (
            abs(ocv - ocv_target) <= EOL_LIMITS["ocv_window_v"]
            and acir <= EOL_LIMITS["acir_max_mohm"]
            and capacity >= EOL_LIMITS["capacity_min_ah"]
        )
        fields: dict[str, object] = {
            "serial": serial,
            "result": "OK" if ok else "NOK",
            "sequence": self.eol_sequence,
            "ocv_v": ocv,
            "acir_mohm": acir,
            "capacity_ah": capacity,
        }
        return ResultEvent("EOL-01", fields)

    def _shift(self, stacked: str) -> None:
        formed = self.occupant["FORM-01"]
        if formed:
            capacity = self._last("FORM-01", "capacity_ah")
            if math.isfinite(capacity):
                self.capacity_of[formed] = capacity
        for here, before in zip(DOWNSTREAM[::-1], DOWNSTREAM[-2::-1], strict=False):
            self.occupant[here] = self.occupant[before]
        if STACKER in self.interlocked:
            self.occupant["WIP-01"], self.transfer = self.transfer, stacked
        else:
            self.occupant["WIP-01"] = stacked
