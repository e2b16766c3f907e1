"""What a zh-Hans screen shows for a message is what our catalogue says for it.

Django looks a message up in the catalogues of INSTALLED_APPS in order, the first one wins: the
admin's, DRF's and django-filter's come before ours, and among ours mes before lines before
quality. A message we translate that one of them translates too shows their words ("Filter" was
过滤器, a strainer, from a third-party catalogue), and the same message in two of our apps shows
one app's words on the other's screen. A message must read as its own catalogue says: give a
shadowed one a context (msgctxt), and say a message shared by our apps the same way in each.
"""

from pathlib import Path

import polib
import pytest
from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext, pgettext

CATALOGUES = sorted(Path(settings.BASE_DIR).glob("*/locale/zh_Hans/LC_MESSAGES/django.po"))


def shown_otherwise(po_path: Path) -> list[str]:
    found = []
    with translation.override("zh-hans"):
        for entry in polib.pofile(str(po_path)):
            if entry.obsolete or entry.msgid_plural:
                continue
            shown = pgettext(entry.msgctxt, entry.msgid) if entry.msgctxt else gettext(entry.msgid)
            if shown != entry.msgstr:
                found.append(f"{entry.msgid!r}: ours {entry.msgstr!r}, shown {shown!r}")
    return found


@pytest.mark.parametrize("po_path", CATALOGUES, ids=lambda p: p.parts[-5])
def test_every_message_shows_as_its_catalogue_says(po_path):
    assert shown_otherwise(po_path) == []


def test_a_message_without_context_would_show_the_third_party_word():
    with translation.override("zh-hans"):
        assert gettext("Filter") == "过滤器"  # why the queue's button has a context
        assert pgettext("apply the queue filters", "Filter") == "筛选"
