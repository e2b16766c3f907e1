"""The Simplified Chinese catalogues are complete, and the compiled .mo files shipped in the repo
say what their .po sources say (`make messages` regenerates both)."""

from pathlib import Path

import polib
import pytest
from django.conf import settings

CATALOGUES = sorted(Path(settings.BASE_DIR).glob("*/locale/zh_Hans/LC_MESSAGES/django.po"))


def test_every_screen_app_has_a_catalogue():
    assert {p.parts[-5] for p in CATALOGUES} >= {
        "mes",
        "lines",
        "quality",
        "finishing",
        "conditions",
    }


@pytest.mark.parametrize("po_path", CATALOGUES, ids=lambda p: p.parts[-5])
def test_catalogue_is_translated_and_compiled(po_path):
    po = polib.pofile(str(po_path))
    untranslated = [e.msgid for e in po if not e.translated() or "fuzzy" in e.flags]
    assert untranslated == []
    mo = polib.mofile(str(po_path.with_suffix(".mo")))
    compiled = {(e.msgid, e.msgstr or str(e.msgstr_plural)) for e in mo if e.msgid}
    source = {(e.msgid, e.msgstr or str(e.msgstr_plural)) for e in po if not e.obsolete}
    assert compiled == source, "stale .mo: run `make messages`"
