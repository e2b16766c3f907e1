"""The quality screens' signed actions: a recall hold, a disposition, an NCR. Each is refused
without the password or a reason, and a refusal changes nothing."""

import pytest

from lines.choices import UnitStatus
from lines.models import Unit
from quality.choices import FlagState, HoldState
from quality.models import AuditEntry, Disposition, Flag, Hold, Ncr, Signature
from tests.factories import PASSWORD
from tests.quality.web_scenario import build_scenario


@pytest.fixture
def scenario(plant):
    return build_scenario(plant)


@pytest.fixture
def qe_client(client, quality_engineer):
    client.force_login(quality_engineer)
    return client


def _status(identifier: str) -> str:
    return Unit.objects.get(identifier=identifier).status


def test_recall_page_previews_the_hold_and_where_the_cells_are(scenario, qe_client):
    html = qe_client.get("/quality/recall/LOT-NMC-1/").content.decode()

    assert 'data-impact="units">11<' in html  # the lot and its 10 descendants
    assert 'data-impact="already_on_hold">2<' in html
    assert "data-whereabouts" in html


def test_a_signed_recall_holds_the_lot_and_everything_made_from_it(scenario, qe_client):
    response = qe_client.post(
        "/quality/recall/LOT-NMC-1/", {"reason": "supplier recall 42", "password": PASSWORD}
    )

    assert response.status_code == 200
    hold = Hold.objects.get(unit=scenario.lot)
    assert hold.members.count() == 11
    assert _status("MR-1-A-C0") == UnitStatus.ON_HOLD
    signature = Signature.objects.get(record_type="hold", record_id=hold.pk)
    assert (signature.meaning, signature.reason) == (
        "recall: hold downstream",
        "supplier recall 42",
    )
    assert AuditEntry.objects.filter(entity="hold", entity_id=hold.pk, action="placed").exists()


@pytest.mark.parametrize(
    "data, message",
    [
        ({"reason": "supplier recall", "password": "wrong"}, "The password is not correct"),
        ({"reason": "supplier recall", "password": ""}, "This field is required."),
        ({"reason": "", "password": PASSWORD}, "This field is required."),
    ],
)
def test_a_recall_without_password_or_reason_holds_nothing(scenario, qe_client, data, message):
    holds_before = Hold.objects.count()

    response = qe_client.post("/quality/recall/LOT-NMC-1/", data)

    assert response.status_code == 400
    assert message in response.content.decode()
    assert Hold.objects.count() == holds_before
    assert _status("MR-1-A-C0") != UnitStatus.ON_HOLD
    assert not Signature.objects.exists()


def test_a_disposition_on_a_segment_flag_decides_its_hold(scenario, qe_client):
    url = f"/quality/flags/{scenario.segment_flag.pk}/"
    data = {"decision": "scrap", "reason": "thin coating confirmed", "password": PASSWORD}

    response = qe_client.post(url, data)

    assert response.status_code == 200
    disposition = Disposition.objects.get()
    assert (disposition.hold_id, disposition.decision) == (scenario.hold.pk, "scrap")
    assert Hold.objects.get(pk=scenario.hold.pk).state == HoldState.RELEASED
    assert _status("MR-1-A-C1") == UnitStatus.SCRAPPED
    assert Flag.objects.get(pk=scenario.segment_flag.pk).state == FlagState.DISPOSITIONED
    assert "data-disposition=" in response.content.decode()


def test_a_disposition_with_a_wrong_password_changes_nothing(scenario, qe_client):
    url = f"/quality/flags/{scenario.segment_flag.pk}/"
    data = {"decision": "release", "reason": "fine", "password": "not-mine"}

    response = qe_client.post(url, data)

    assert response.status_code == 400
    assert "The password is not correct; nothing was signed." in response.content.decode()
    assert not Disposition.objects.exists()
    assert Hold.objects.get(pk=scenario.hold.pk).state == HoldState.ACTIVE
    assert _status("MR-1-A-C1") == UnitStatus.ON_HOLD


def test_an_ncr_opens_over_the_ticked_flags(scenario, qe_client, plant):
    other = Flag.objects.filter(source_flag=scenario.segment_flag).order_by("id").first()
    data = {"title": "Thin coating MR-1", "flags": [scenario.segment_flag.pk, other.pk]}

    response = qe_client.post("/quality/ncrs/new/", data)

    assert response.status_code == 200
    ncr = Ncr.objects.get()
    assert set(ncr.flags.values_list("id", flat=True)) == {scenario.segment_flag.pk, other.pk}
    assert ncr.code in response.content.decode()


def test_an_ncr_without_flags_is_refused(scenario, qe_client):
    response = qe_client.post("/quality/ncrs/new/", {"title": "Nothing ticked"})

    assert response.status_code == 400
    assert "Give at least one flag." in response.content.decode()
    assert not Ncr.objects.exists()


def test_a_recall_hold_is_released_by_a_signed_disposition_on_its_page(scenario, qe_client):
    qe_client.post("/quality/recall/SLURRY-1/", {"reason": "viscosity", "password": PASSWORD})
    hold = Hold.objects.get(unit__identifier="SLURRY-1")
    page = qe_client.get(f"/quality/holds/{hold.pk}/").content.decode()
    assert "10 units reached" in page  # the batch, the mother, 2 lanes, 6 cells

    response = qe_client.post(
        f"/quality/holds/{hold.pk}/",
        {"decision": "release", "reason": "viscosity within limits", "password": PASSWORD},
    )

    assert response.status_code == 200
    assert Hold.objects.get(pk=hold.pk).state == HoldState.RELEASED
    assert _status("MR-1-A-C0") == UnitStatus.CREATED
    assert _status("MR-1-A-C1") == UnitStatus.ON_HOLD  # still under the segment hold


def test_a_hold_disposition_without_the_password_is_refused(scenario, qe_client):
    response = qe_client.post(
        f"/quality/holds/{scenario.hold.pk}/", {"decision": "release", "reason": "fine"}
    )

    assert response.status_code == 400
    assert Hold.objects.get(pk=scenario.hold.pk).state == HoldState.ACTIVE
    assert not Disposition.objects.exists()
