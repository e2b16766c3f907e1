"""Shared set-up of the station-screen browser tests: a stacking station with PLC tags and specs,
an operator with a badge, and the steps every test takes (sign in, open the station, scan)."""

from playwright.sync_api import expect

from lines.models import Tag
from mes.models import OperatorProfile
from tests.factories import make_spec

BADGE, PIN = "B-1042", "4711"


def stacking_station(plant):
    """The plant's stacker with two PLC parameters and their specs (DESIGN.md limits)."""
    station = plant.station("stacking")
    for parameter in ("alignment_mm", "stack_pressure_mpa"):
        Tag.objects.create(
            node_id=f"ns=2;s=T-STACK.{parameter}", station=station, parameter=parameter
        )
    make_spec("alignment_mm", "stacking", lsl=-0.2, usl=0.2, target=0.0, uom="mm")
    make_spec("stack_pressure_mpa", "stacking", lsl=0.9, usl=1.1, target=1.0, uom="MPa")
    return station


def give_badge(user, *, language: str = "") -> OperatorProfile:
    profile = OperatorProfile(user=user, badge_number=BADGE, language=language)
    profile.set_pin(PIN)
    profile.save()
    return profile


def sign_in_with_badge(page, live_server) -> None:
    page.goto(f"{live_server.url}/signin/badge/")
    page.fill("#id_badge_number", BADGE)
    page.fill("#id_pin", PIN)
    page.press("#id_pin", "Enter")
    page.wait_for_url(lambda url: "/signin/" not in url)


def scan(page, identifier: str) -> None:
    """What the keyboard-wedge scanner does: type into the focused field, then Enter."""
    expect(page.locator("#scan")).to_be_focused()
    page.keyboard.type(identifier)
    page.keyboard.press("Enter")
    expect(page.locator("#unit-title")).to_have_text(identifier)
