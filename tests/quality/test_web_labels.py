"""The screens' words for codes: lines' kinds and statuses by their own labels, every flag kind
named (an exposure flag once showed its raw code in the queue)."""

from django.utils import translation

from quality.choices import FlagKind
from quality.templatetags.quality_ui import flag_kind_word, kind_word, status_word


def test_every_flag_kind_has_a_word_in_both_languages():
    for kind in FlagKind.values:
        assert flag_kind_word(kind) != kind
    with translation.override("zh-hans"):
        assert flag_kind_word("exposure") == "湿度暴露"


def test_unit_words_come_from_the_lines_choices():
    assert (kind_word("roll"), status_word("on_hold")) == ("Electrode roll", "On hold")
    assert status_word("no_such_status") == "no_such_status"
