"""The quality screens answer odd query parameters and tampered forms with a 400 (or 404) page
that says what is wrong, in the user's language, never a 500 (issue #19 item 6)."""

import pytest

from quality.models import Ncr
from quality.services.flags import flag_new, flags_raise
from tests.factories import make_cell

pytestmark = pytest.mark.django_db

HUGE = "99999999999999999999999"
SPC = "/quality/spc/T-CALENDERING/thickness_um/"


@pytest.fixture
def qe_client(client, quality_engineer, plant):
    client.force_login(quality_engineer)
    return client


def test_searching_an_identifier_with_a_slash_is_a_not_found_page(qe_client):
    response = qe_client.get("/quality/genealogy/", {"q": "a/b"})

    assert response.status_code == 404
    assert "No unit with identifier a/b." in response.content.decode()


@pytest.mark.parametrize("expand", ["²", HUGE, "-1", "x"])
def test_a_genealogy_expand_that_is_not_an_id_is_a_400_page_saying_so(qe_client, plant, expand):
    make_cell(plant, "C-1")

    response = qe_client.get("/quality/genealogy/C-1/", {"expand": expand})

    assert response.status_code == 400
    assert (
        f"“{expand}” is not a valid expand: give a whole number from 1 to 9223372036854775807."
        in response.content.decode()
    )


@pytest.mark.parametrize("path", [SPC, f"{SPC}chart/"])
@pytest.mark.parametrize("n", ["²", "11", "0", HUGE])
def test_an_spc_subgroup_size_out_of_range_is_a_400_page_saying_so(qe_client, path, n):
    response = qe_client.get(path, {"n": n})

    assert response.status_code == 400
    assert f"“{n}” is not a valid n: give a whole number from 1 to 10." in response.content.decode()


def test_the_400_page_speaks_chinese_to_a_chinese_user(qe_client):
    response = qe_client.get(SPC, {"n": "²"}, headers={"accept-language": "zh-hans"})

    html = response.content.decode()
    assert response.status_code == 400
    assert "“²” 不是有效的 n：请给出 1 到 10 之间的整数。" in html
    assert "此地址无效" in html


@pytest.fixture
def flag_id(plant) -> int:
    draft = flag_new(
        kind="out_of_spec",
        station=plant.station("sealing"),
        parameter="seal_temperature_c",
        unit=make_cell(plant, "C-1"),
        value=201.0,
        limit="USL 195",
    )
    return flags_raise(flags=[draft])[0].pk


@pytest.mark.parametrize("bad", ["²", HUGE])
def test_an_ncr_form_with_a_flag_that_is_not_an_id_is_refused_and_opens_nothing(
    qe_client, flag_id, bad
):
    data = {"title": "Seal bar", "description": "", "flags": [str(flag_id), bad]}

    response = qe_client.post("/quality/ncrs/new/", data)

    assert response.status_code == 400
    assert f"“{bad}” is not a flag id." in response.content.decode()
    assert not Ncr.objects.exists()
