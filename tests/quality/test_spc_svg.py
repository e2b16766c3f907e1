"""The control chart's markup: one marker per violating point with its details and no printed
rule numbers, line labels that never collide (LSL beside LCL), a time axis, the baseline band."""

import re

from quality.web.spc_svg import LABEL_STEP, Line, series_svg, spread


def _chart(values, lines, marks, **options):
    return series_svg(values, lines=lines, marks=marks, title="t", chart_id="c", **options)


def test_close_lines_get_labels_at_least_a_step_apart_in_their_order():
    wanted = [100.0, 101.0, 103.0, 50.0, 290.0]

    placed = spread(wanted, LABEL_STEP, 20, 280)

    ordered = sorted(zip(wanted, placed, strict=True))
    assert [p for _, p in ordered] == sorted(placed)  # the order of the lines is kept
    assert all(b - a >= LABEL_STEP for (_, a), (_, b) in zip(ordered, ordered[1:], strict=False))
    assert max(placed) <= 280 and placed[3] == 50.0


def test_lsl_and_lcl_labels_do_not_overprint():
    lines = [Line("lcl", "LCL", 24.51), Line("lsl", "LSL", 24.5), Line("center", "CL", 25.0)]

    svg = _chart([24.9, 25.1, 25.0], lines, {})

    ys = sorted(float(y) for y in re.findall(r'data-label-y="([\d.]+)"', svg))
    assert len(ys) == 3
    assert all(b - a >= LABEL_STEP for a, b in zip(ys, ys[1:], strict=False))


def test_a_point_that_fires_several_rules_has_one_marker_and_its_details_but_no_numbers():
    svg = _chart(
        [25.0, 25.1, 27.0, 25.0],
        [Line("center", "CL", 25.0)],
        {2: [1, 2]},
        details={2: "10:02 · 27 · Rule 1: beyond; Rule 2: two of three"},
    )

    assert svg.count('class="point marked"') == 1
    assert 'data-rules="1,2"' in svg
    assert "<title>10:02 · 27 · Rule 1: beyond; Rule 2: two of three</title>" in svg
    assert 'class="mark"' not in svg  # no rule numbers printed beside the point


def test_the_time_axis_and_the_baseline_band_are_drawn():
    svg = _chart(
        [25.0] * 10,
        [Line("center", "CL", 25.0)],
        {},
        x_ticks=[(0, "10:00"), (9, "10:09")],
        band=(2, 6, "Baseline v1"),
    )

    assert re.findall(r'data-tick="([^"]+)"', svg) == ["10:00", "10:09"]
    assert 'data-band="2-6"' in svg and ">Baseline v1</text>" in svg
