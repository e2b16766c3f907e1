"""The one reading of typed numbers (mes.numbers): properties over arbitrary text, and the cases
that were read wrongly before ("8,000" as 8, "300,1" as 300.1, "8.000" in a count as 8)."""

from decimal import Decimal

import pytest
from django.utils import translation
from hypothesis import example, given
from hypothesis import strategies as st

from mes.errors import InvalidInput
from mes.numbers import AMBIGUOUS, parse_number, parse_whole_number

# Between digit groups: the comma, the space, the no-break spaces and the apostrophe people use.
GROUP_SEPARATORS = st.sampled_from([",", " ", "\u00a0", "\u202f", "'"])
GROUPS = st.lists(st.integers(0, 999).map(lambda n: f"{n:03d}"), min_size=1, max_size=4)


def grouped(lead: int, groups: list[str], separator: str) -> str:
    return separator.join([str(lead), *groups])


@given(st.text())
@example("8,000")
@example("1e99999")
@example("٣")
@example("9" * 5000)
def test_arbitrary_text_is_a_finite_number_or_a_refusal_never_a_crash(text):
    for parse in (parse_number, parse_whole_number):
        try:
            number = parse(text, field="value")
        except InvalidInput as refused:
            assert refused.field == "value"
        else:
            assert isinstance(number, Decimal | int)
            assert number == number  # not NaN
            if isinstance(number, Decimal):
                assert number.is_finite()


@given(st.integers(1, 999), GROUPS, GROUP_SEPARATORS, st.sampled_from(["", "-", "+"]))
@example(8, ["000"], ",", "")
def test_grouped_digits_are_refused_as_ambiguous_never_read(lead, groups, separator, sign):
    text = sign + grouped(lead, groups, separator)
    for parse in (parse_number, parse_whole_number):
        with pytest.raises(InvalidInput) as refused:
            parse(text, field="quantity")
        assert refused.value.code == AMBIGUOUS
        assert text.strip() in refused.value.message


@given(st.integers(1, 999), GROUPS)
@example(8, ["000"])
def test_a_point_between_digits_is_refused_in_a_whole_number(lead, groups):
    with pytest.raises(InvalidInput) as refused:
        parse_whole_number(grouped(lead, groups, "."), field="count")
    assert refused.value.code == AMBIGUOUS


@given(st.decimals(allow_nan=False, allow_infinity=False))
def test_a_number_written_plainly_reads_back_as_itself(number):
    assert parse_number(format(number, "f"), field="value") == number
    assert parse_number(str(number), field="value") == number  # "1E+3" as Python writes it


@given(st.integers(-(2**63), 2**63))
def test_a_whole_number_written_plainly_reads_back_as_itself(number):
    assert parse_whole_number(str(number), field="count") == number
    assert parse_whole_number(f" {number} ", field="count") == number


@given(st.decimals(allow_nan=False, allow_infinity=False, places=3))
def test_a_language_with_a_decimal_comma_reads_its_own_notation_and_refuses_the_point(number):
    written = format(number, "f")
    with translation.override("de"):
        assert parse_number(written.replace(".", ","), field="value") == number
        if "." in written:
            with pytest.raises(InvalidInput):
                parse_number(written, field="value")


@pytest.mark.parametrize(
    ("language", "text", "read"),
    [
        ("en", "300.1", Decimal("300.1")),
        ("zh-hans", "300.1", Decimal("300.1")),
        ("en", " -0.25 ", Decimal("-0.25")),
        ("en", "1e-3", Decimal("0.001")),
        ("de", "300,1", Decimal("300.1")),
    ],
)
def test_the_decimal_separator_is_the_language_s(language, text, read):
    with translation.override(language):
        assert parse_number(text, field="value") == read


@pytest.mark.parametrize(
    ("language", "text"),
    [
        ("en", "8,000"),
        ("en", "300,1"),
        ("zh-hans", "300,1"),
        ("en", "8 000"),
        ("en", "1,234.5"),
        ("de", "8.000"),
        ("de", "1.234,5"),
    ],
)
def test_text_another_notation_would_read_differently_is_refused(language, text):
    with translation.override(language), pytest.raises(InvalidInput) as refused:
        parse_number(text, field="value")
    assert refused.value.code == AMBIGUOUS


def test_the_refusal_says_how_to_write_the_number_in_the_reader_s_language():
    with translation.override("zh-hans"), pytest.raises(InvalidInput) as refused:
        parse_number("8,000", field="quantity")
    assert "8,000" in refused.value.message
    assert "not a plain number" not in refused.value.message  # translated, not English


@pytest.mark.parametrize("text", ["", "  ", "nan", "inf", "-Infinity", "0x10", "1_000", "８"])
def test_what_is_no_number_is_refused(text):
    with pytest.raises(InvalidInput):
        parse_number(text, field="value")
    with pytest.raises(InvalidInput):
        parse_whole_number(text, field="value")


def test_a_whole_number_refusal_is_translated():
    with translation.override("zh-hans"), pytest.raises(InvalidInput) as refused:
        parse_whole_number("8.000", field="version")
    assert refused.value.message == (
        "version：“8.000” 不是一个规范的整数。请只写数字，不要使用千位分隔符或小数点，例如 8000。"
    )
