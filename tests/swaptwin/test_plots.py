"""The SVG charts are well-formed, deterministic, labelled, and escape their text."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest

from swaptwin.reports.plots import Series, bars, histogram, line_chart, nice_ticks, scatter

SVG = "{http://www.w3.org/2000/svg}"


def texts(svg: str) -> list[str]:
    return [t.text for t in ET.fromstring(svg).iter(f"{SVG}text")]


@pytest.mark.parametrize(
    "lo, hi", [(0.0, 1.0), (0.0, 14000.0), (-3.2, 7.9), (0.05, 0.051), (5.0, 5.0), (-20000.0, 0.0)]
)
def test_nice_ticks_cover_the_range_with_round_even_steps(lo, hi):
    ticks = nice_ticks(lo, hi)
    assert ticks[0] <= lo and ticks[-1] >= hi and 3 <= len(ticks) <= 12
    steps = {round(b - a, 9) for a, b in zip(ticks, ticks[1:])}
    assert len(steps) == 1
    mantissa = f"{steps.pop():e}".split("e")[0]
    assert float(mantissa) in (1.0, 2.0, 2.5, 5.0)


def test_line_chart_draws_each_series_with_a_legend_and_labels():
    svg = line_chart(
        [Series("model", [0, 1, 2], [0, 10, 5]), Series("law <F0>", [0, 1, 2], [0, 9, 6], dashed=True, markers=True)],
        x_label="gap [mm]",
        y_label="force [N]",
        title="Pull & gap",
    )
    root = ET.fromstring(svg)
    lines = list(root.iter(f"{SVG}polyline"))
    assert len(lines) == 2 and "stroke-dasharray" in lines[1].attrib
    assert len(list(root.iter(f"{SVG}circle"))) == 3
    assert {"model", "law <F0>", "gap [mm]", "force [N]", "Pull & gap"} <= set(texts(svg))


def test_charts_are_deterministic_text():
    s = [Series("a", [0.0, 0.5, 1.0], [1.0, 2.0, 3.0])]
    assert line_chart(s, x_label="x", y_label="y", title="t") == line_chart(s, x_label="x", y_label="y", title="t")


def test_scatter_histogram_and_bars_are_well_formed():
    sc = scatter([Series("runs", [1, 2, 3], [3, 1, 2])], x_label="x", y_label="y", title="s")
    assert len(list(ET.fromstring(sc).iter(f"{SVG}circle"))) == 3 and not list(ET.fromstring(sc).iter(f"{SVG}polyline"))
    h = histogram([0.1, 0.2, 0.2, 0.9, float("nan")], bins=4, x_label="error [mm]", title="h")
    heights = [float(r.attrib["height"]) for r in ET.fromstring(h).iter(f"{SVG}rect")][2:]  # after background and frame
    assert len(heights) == 4 and heights[0] > heights[3] > 0.0 and heights[1] == 0.0
    b = bars(["pin", "latch", "clip"], [3.0, -1.0, 2.0], y_label="margin [kN]", title="b")
    assert {"pin", "latch", "clip"} <= set(texts(b))


def test_empty_and_degenerate_data_still_render():
    for svg in (
        line_chart([], x_label="x", y_label="y", title="t"),
        histogram([], x_label="x", title="t"),
        bars([], [], y_label="y", title="t"),
    ):
        ET.fromstring(svg)


@pytest.mark.parametrize("lo, hi", [(1e15, 1e15 + 1), (5.0, 5.0), (-1e11, 1e11), (3e11, 3e11 + 1e-3)])
def test_ticks_of_extreme_or_flat_ranges_still_span_an_axis(lo, hi):
    ticks = nice_ticks(lo, hi)
    assert len(ticks) >= 2 and ticks[-1] > ticks[0]


def test_a_chart_of_a_hostile_set_point_is_drawn():
    svg = line_chart([Series("target", [0.0, 1.0, 2.0], [0.1, 1e300, -1e300])], x_label="t", y_label="m", title="x")
    ET.fromstring(svg)  # well-formed
