"""Twenty quality engineers sign at once, through the real API (HTTP to the live server, one
thread, connection and transaction per request): exactly one signature wins, the others get a 409
in our error shape, and exactly one decision is stored.

On PostgreSQL the flag's (or hold's) row lock serialises the signers; on SQLite the IMMEDIATE
transaction mode does. Either way the loser must re-read the subject after waiting, which is what
these tests catch: before the fix a flag read before the lock let 11 signers win on PostgreSQL.
"""

import json
import threading
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone
from rest_framework.authtoken.models import Token

from lines.choices import UnitStatus
from lines.models import Unit, UnitHistory
from mes import roles
from quality import services
from quality.choices import FlagState, HoldState
from quality.models import AuditEntry, Disposition, Flag, Hold, Signature
from quality.services.flags import flag_new, flags_raise
from tests.factories import PASSWORD, build_cathode_chain, make_cell, make_user
from tests.lines.test_concurrency import _race as race
from tests.quality.test_trace_drill import _stack as stack

pytestmark = pytest.mark.django_db(transaction=True)

RACERS = 20
DECISIONS = ("use_as_is", "scrap")  # alternating, so the unit's status tells who won


def signers(count: int = RACERS) -> list[str]:
    """API tokens of `count` different quality engineers."""
    users = [make_user(f"qe-{n:02d}", roles.QUALITY_ENGINEER) for n in range(count)]
    return [Token.objects.create(user=user).key for user in users]


def post_all(url: str, requests: list[tuple[str, dict[str, Any]]]) -> list[tuple[int, dict]]:
    """POST every (token, body) at the same moment; the (status, JSON body) of each, in order."""
    barrier = threading.Barrier(len(requests))

    def post(token: str, body: dict[str, Any]) -> tuple[int, dict]:
        request = urllib.request.Request(
            url,
            data=json.dumps(body).encode(),
            headers={"Authorization": f"Token {token}", "Content-Type": "application/json"},
            method="POST",
        )
        barrier.wait(timeout=30)
        try:
            with urllib.request.urlopen(request, timeout=120) as response:
                return response.status, json.loads(response.read())
        except urllib.error.HTTPError as refused:
            return refused.code, json.loads(refused.read())

    with ThreadPoolExecutor(len(requests)) as pool:
        return list(pool.map(lambda r: post(*r), requests))


def decide_all(live_server, subject: dict[str, int]) -> list[tuple[int, dict]]:
    bodies = [
        {**subject, "decision": DECISIONS[n % 2], "reason": f"signer {n}", "password": PASSWORD}
        for n in range(RACERS)
    ]
    return post_all(
        f"{live_server.url}/api/v1/dispositions/", list(zip(signers(), bodies, strict=True))
    )


def one_winner(results: list[tuple[int, dict]]) -> dict:
    """Exactly one 201, every other answer a 409 conflict in our error shape; the winner's body."""
    codes = sorted(code for code, _ in results)
    assert codes == [201] + [409] * (RACERS - 1), codes
    for code, body in results:
        if code == 409:
            assert body["error"]["code"] == "conflict"
            assert "already" in body["error"]["message"]
    return next(body for code, body in results if code == 201)


def open_flag(plant) -> Flag:
    return flags_raise(
        flags=[
            flag_new(
                kind="out_of_spec",
                station=plant.station("sealing"),
                parameter="seal_temperature_c",
                unit=make_cell(plant, "CELL-RACE"),
                value=201.0,
                limit="USL 195",
            )
        ]
    )[0]


def test_twenty_signers_on_one_open_flag_make_one_decision(live_server, plant):
    flag = open_flag(plant)

    results = decide_all(live_server, {"flag": flag.pk})

    winner = one_winner(results)
    # Every second signer waited for the first and is told who decided what.
    said = {body["error"]["message"] for code, body in results if code == 409}
    assert all(winner["signature"]["signer"] in message for message in said), said

    disposition = Disposition.objects.get()
    assert (disposition.pk, disposition.flag_id, disposition.decision) == (
        winner["id"],
        flag.pk,
        winner["decision"],
    )
    assert Signature.objects.count() == 1
    assert AuditEntry.objects.filter(entity="disposition", action="signed").count() == 1
    assert Flag.objects.get(pk=flag.pk).state == FlagState.DISPOSITIONED
    expected = UnitStatus.SCRAPPED if winner["decision"] == "scrap" else UnitStatus.CREATED
    assert Unit.objects.get(pk=flag.unit_id).status == expected


def test_twenty_signers_on_one_active_hold_release_it_once(live_server, plant, quality_engineer):
    cell = make_cell(plant, "CELL-RACE")
    hold = services.hold_place(unit=cell, reason="stack misaligned", by=quality_engineer)

    winner = one_winner(decide_all(live_server, {"hold": hold.pk}))

    disposition = Disposition.objects.get()
    assert (disposition.pk, disposition.hold_id) == (winner["id"], hold.pk)
    assert Signature.objects.count() == 1
    assert AuditEntry.objects.filter(entity="hold", action="released").count() == 1
    stored = Hold.objects.get(pk=hold.pk)
    assert stored.state == HoldState.RELEASED and stored.released_at is not None
    expected = UnitStatus.SCRAPPED if winner["decision"] == "scrap" else UnitStatus.CREATED
    assert Unit.objects.get(pk=cell.pk).status == expected


def test_twenty_requests_to_hold_one_unit_for_one_reason_make_one_hold(live_server, plant):
    cell = make_cell(plant, "CELL-RACE")
    body = {"unit": cell.identifier, "reason": "tab weld cracked"}

    results = post_all(f"{live_server.url}/api/v1/holds/", [(t, body) for t in signers()])

    assert sorted(code for code, _ in results) == [200] * (RACERS - 1) + [201]
    hold = Hold.objects.get()
    assert {answer["id"] for _, answer in results} == {hold.pk}
    assert (hold.state, hold.members.count()) == (HoldState.ACTIVE, 1)
    assert AuditEntry.objects.filter(entity="hold", action="placed").count() == 1
    assert UnitHistory.objects.filter(unit=cell, event="hold_placed").count() == 1
    assert Unit.objects.get(pk=cell.pk).status == UnitStatus.ON_HOLD


def test_twenty_signers_of_one_recall_hold_its_cells_once(live_server, plant):
    t0 = timezone.now() - timedelta(hours=1)
    cells = [make_cell(plant, f"CELL-{n}") for n in range(3)]
    for n, cell in enumerate(cells):
        stack(plant, cell, t0 + timedelta(minutes=n))
    window = {"station": "T-STACKING", "start": t0.isoformat(), "end": timezone.now().isoformat()}
    body = {**window, "reason": "stacker fixture worn", "password": PASSWORD}

    results = post_all(f"{live_server.url}/api/v1/recalls/hold/", [(t, body) for t in signers()])

    winner = one_winner(results)
    hold = Hold.objects.get()
    assert winner["hold"] == hold.pk
    assert Signature.objects.get().record_id == hold.pk
    assert sorted(hold.members.values_list("unit__identifier", flat=True)) == [
        "CELL-0",
        "CELL-1",
        "CELL-2",
    ]
    assert AuditEntry.objects.filter(entity="hold", action="recall_signed").count() == 1


def test_two_signers_recalling_one_lot_for_one_reason_hold_it_once(plant):
    lot = build_cathode_chain(plant, cells_per_lane=1)[0]
    first, second = (make_user(name, roles.QUALITY_ENGINEER) for name in ("qe-a", "qe-b"))

    wins, refusals = race(
        *[
            lambda who=who: services.unit_recall_hold(
                unit=lot, reason="supplier recall 42", password=PASSWORD, by=who
            )
            for who in (first, second)
        ]
    )

    assert (len(wins), len(refusals)) == (1, 1)
    assert refusals[0].message == (
        f"LOT-NMC-1 is already held for this reason: hold {wins[0].pk}, placed at "
        f"{Hold.objects.get().placed_at:%Y-%m-%d %H:%M:%S} UTC. Nothing was signed."
    )
    assert Signature.objects.get().record_id == wins[0].pk
    assert Hold.objects.get().members.count() == 7  # lot, slurry, mother roll, 2 lanes, 2 cells
