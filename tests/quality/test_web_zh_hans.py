"""A Chinese reader sees no English on the quality screens: every visible text (HTML and SVG) of
each page, in zh-hans, holds no Latin word outside an explicit whitelist of identifiers, codes
and units, which stay as they are in both languages. Recorded text (a hold's reason, an audit
action) is shown as it was written and carries HTML's translate="no"; the check skips it."""

import re
from html.parser import HTMLParser

import pytest

from tests.quality.web_scenario import build_scenario

PAGES = [
    "/quality/",
    "/quality/genealogy/MR-1-A/",
    "/quality/genealogy/LOT-NMC-1/",
    "/quality/recall/LOT-NMC-1/",
    "/quality/queue/",
    "/quality/spc/",
    "/quality/spc/T-CALENDERING/thickness_um/",
    "/quality/rolls/MR-1/",
    "/quality/units/MR-1-A-C1/",
    "/quality/ncrs/",
]
# Kept in every language: barcodes and station codes (LOT-NMC-1, T-CALENDERING), parameter names
# (areal_loading_mg_cm2), user names, spec names (coating/areal_loading...), dates.
CODE = re.compile(
    r"[A-Z][A-Z0-9]*(?:-[A-Z0-9]+)+"  # identifiers and station codes
    r"|[a-z][a-z0-9]*(?:_[a-z0-9]+)+"  # parameter names
    r"|[a-z]+/[a-z0-9_]+"  # spec names: scope/parameter
    r"|[a-z]+\.[a-z]+"  # user names (quinn.quality)
    r"|\bv\d+\b"  # spec versions
)
# Abbreviations and units a Chinese quality engineer reads as they are.
WORDS = {
    "NCR",
    "SPC",
    "CSV",
    "JSON",
    "UTC",
    "UCL",
    "LCL",
    "LSL",
    "USL",
    "Cp",
    "Cpk",
    "Pp",
    "Ppk",
    "MES",
    "PLC",  # kept as is in Chinese plants (docs/glossary-zh.md)
    "SHA",
    "sigma",
    "m",
    "kg",
    "pcs",
    "h",
    "d",
    "English",
    # Cell test terms and units a Chinese battery engineer writes in Latin letters too.
    "EOL",
    "OCV",
    "ACIR",
    "K",
    "V",
    "mV",
    "Ah",
}


VOID = {"input", "br", "img", "meta", "link", "hr", "source", "col", "wbr"}


class _Text(HTMLParser):
    """Collects text a reader sees: element text (SVG included), not scripts, styles or what is
    marked translate="no"."""

    def __init__(self) -> None:
        super().__init__()
        self.texts: list[str] = []
        self._open: list[tuple[str, bool]] = []  # (tag, skipped)

    def handle_starttag(self, tag, attrs):
        if tag not in VOID:
            skipped = tag in ("script", "style") or ("translate", "no") in attrs
            self._open.append((tag, skipped))

    def handle_endtag(self, tag):
        while self._open:
            if self._open.pop()[0] == tag:
                break

    def handle_data(self, data):
        if data.strip() and not any(skipped for _tag, skipped in self._open):
            self.texts.append(data.strip())


def english_left(html: str) -> list[str]:
    parser = _Text()
    parser.feed(html)
    left = []
    for text in parser.texts:
        words = re.findall(r"[A-Za-z]+", CODE.sub(" ", text))
        if any(word not in WORDS for word in words):
            left.append(text)
    return left


@pytest.fixture
def zh_client(client, quality_engineer, plant):
    client.scenario = build_scenario(plant)
    client.force_login(quality_engineer)
    return client


@pytest.mark.parametrize("path", PAGES)
def test_a_zh_hans_page_has_no_untranslated_text(zh_client, path):
    response = zh_client.get(path, HTTP_ACCEPT_LANGUAGE="zh-hans")

    assert response.status_code == 200
    html = response.content.decode()
    assert '<html lang="zh-hans">' in html
    left = english_left(html)
    assert left == [], left


@pytest.mark.parametrize("page", ["flags", "holds"])
def test_the_zh_hans_flag_and_hold_pages_have_no_untranslated_text(zh_client, page):
    flag = zh_client.scenario.segment_flag
    pk = flag.pk if page == "flags" else zh_client.scenario.hold.pk

    html = zh_client.get(f"/quality/{page}/{pk}/", HTTP_ACCEPT_LANGUAGE="zh-hans").content

    left = english_left(html.decode())
    assert left == [], left


def test_the_check_catches_english(zh_client):
    assert english_left("<p>质量</p><svg><text>Out of spec</text></svg>") == ["Out of spec"]
    assert english_left("<p>LOT-NMC-1 · 420–450 m · thickness_um</p>") == []
    assert english_left('<td translate="no">supplier recall</td><td>原因</td>') == []


def test_the_zh_hans_ncr_page_and_a_signed_flag_have_no_untranslated_text(
    zh_client, quality_engineer
):
    from quality import services
    from tests.factories import PASSWORD

    flag = zh_client.scenario.segment_flag
    ncr = services.ncr_open(title="Thin coating", flags=[flag], by=quality_engineer)
    services.disposition_decide(
        decision="scrap",
        reason="confirmed",
        password=PASSWORD,
        by=quality_engineer,
        hold=zh_client.scenario.hold,
    )
    for path in (f"/quality/ncrs/{ncr.code}/", f"/quality/flags/{flag.pk}/", "/quality/queue/"):
        html = zh_client.get(path, HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
        assert english_left(html) == [], path
