"""The database refuses what the services never write: a second decision on a flag or a hold, a
hold whose `released_at` disagrees with its state, a second active hold for the same cause.
Rows are inserted behind the services' back, as a script or a racing bug would."""

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from mes.errors import InvalidInput
from quality import services
from quality.choices import HoldState
from quality.models import Disposition, Hold, Signature
from quality.services.holds import HOLD_REASON_MAX_CHARS
from tests.factories import PASSWORD, make_cell
from tests.quality.test_api_dispositions import flag_on

pytestmark = pytest.mark.django_db


def refused(write) -> None:  # noqa: ANN001
    with pytest.raises(IntegrityError), transaction.atomic():
        write()


def second_disposition(user, **subject) -> Disposition:  # noqa: ANN001, ANN003
    signature = Signature.objects.create(
        signer=user,
        signed_at=timezone.now(),
        meaning="disposition: scrap",
        reason="again",
        record_type="x",
        record_id=0,
        content="{}",
        content_hash="0" * 64,
    )
    return Disposition.objects.create(
        decision="scrap", reason="again", signature=signature, decided_at=timezone.now(), **subject
    )


def test_a_second_disposition_of_a_flag_is_refused_by_the_database(plant, quality_engineer):
    flag = flag_on(plant, "C-1")
    first = services.disposition_decide(
        flag=flag, decision="use_as_is", reason="ok", password=PASSWORD, by=quality_engineer
    )

    refused(lambda: second_disposition(quality_engineer, flag=flag))

    assert list(Disposition.objects.values_list("id", flat=True)) == [first.pk]


def test_a_second_disposition_of_a_hold_is_refused_by_the_database(plant, quality_engineer):
    hold = services.hold_place(unit=make_cell(plant, "C-1"), reason="dent")
    first = services.disposition_decide(
        hold=hold, decision="release", reason="ok", password=PASSWORD, by=quality_engineer
    )

    refused(lambda: second_disposition(quality_engineer, hold=hold))

    assert list(Disposition.objects.values_list("id", flat=True)) == [first.pk]


def test_released_at_is_set_exactly_when_the_hold_is_released(plant):
    hold = services.hold_place(unit=make_cell(plant, "C-1"), reason="dent")
    rows = Hold.objects.filter(pk=hold.pk)

    refused(lambda: rows.update(state=HoldState.RELEASED))
    refused(lambda: rows.update(released_at=timezone.now()))

    assert rows.values_list("state", "released_at").get() == (HoldState.ACTIVE, None)


def test_a_second_active_hold_for_the_same_cause_is_refused_by_the_database(plant):
    flag = flag_on(plant, "C-1")
    on_flag = services.hold_place(unit=flag.unit, reason="hot seal", flag=flag)
    on_reason = services.hold_place(unit=flag.unit, reason="dent")
    again = {"unit": flag.unit, "placed_at": timezone.now()}

    refused(lambda: Hold.objects.create(**again, reason="other words", flag=flag))
    refused(lambda: Hold.objects.create(**again, reason="dent"))

    assert set(Hold.objects.values_list("id", flat=True)) == {on_flag.pk, on_reason.pk}


def test_the_same_hold_asked_again_is_the_same_hold_and_a_new_reason_is_a_new_hold(
    plant, quality_engineer
):
    cell = make_cell(plant, "C-1")
    first, placed = services.hold_place_once(unit=cell, reason="dent", by=quality_engineer)

    assert services.hold_place_once(unit=cell, reason=" dent ", by=quality_engineer) == (
        first,
        False,
    )
    other, placed_other = services.hold_place_once(unit=cell, reason="tab", by=quality_engineer)
    assert (placed, placed_other, other.pk != first.pk) == (True, True, True)
    services.disposition_decide(
        hold=first, decision="release", reason="ok", password=PASSWORD, by=quality_engineer
    )
    # Released, the cause may come back: a new hold for the same reason.
    assert services.hold_place_once(unit=cell, reason="dent", by=quality_engineer)[1] is True
    assert Hold.objects.filter(reason="dent").count() == 2


def test_a_reason_too_long_for_the_index_is_refused_with_nothing_held(plant):
    cell = make_cell(plant, "C-1")

    with pytest.raises(InvalidInput, match=f"at most {HOLD_REASON_MAX_CHARS} characters"):
        services.hold_place(unit=cell, reason="x" * (HOLD_REASON_MAX_CHARS + 1))

    assert not Hold.objects.exists()
