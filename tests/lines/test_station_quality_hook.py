"""The station screens read quality through lines.hooks.STATION_QUALITY (lines imports no quality):
quality's reads are the ones registered, and without them the screens say there is no spec."""

import pytest

from lines import hooks
from lines.web import card, station_quality
from tests.factories import make_cell


def test_quality_registers_its_station_reads():
    from quality import station_reads

    assert station_quality.station_quality() is station_reads


@pytest.mark.django_db
def test_without_a_registered_app_the_card_shows_no_spec_and_no_reasons(plant, monkeypatch):
    monkeypatch.setattr(hooks, "STATION_QUALITY", [])
    reads = station_quality.station_quality()
    cell = make_cell(plant, "C-1")

    assert reads.verdict_text(12.0, None) == ("No spec", False)
    assert reads.limits_for(station=plant.station("stacking"), parameter="x", unit=cell) is None
    shown = card.card_for(station=plant.station("stacking"), unit=cell)
    assert (shown.can_start, shown.checklist, shown.holds) == (True, [], [])
