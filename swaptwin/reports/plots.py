"""Small dependency-free SVG charts: line charts, scatter plots, histograms, bar charts.

Each function returns a complete SVG document as text (write it with
``swaptwin.atomic.write_text_atomic``, or inline it in an HTML report). Axes
get "nice" ticks (1, 2, 2.5, 5 x 10^n), a light grid, labels, and a legend for
named series; ``stack`` puts charts one above the other. No matplotlib: the reports must render on a CI box with
nothing but the standard library, and identical data gives identical text.

    svg = line_chart([Series("model", xs, ys), Series("law", xs, ys2, dashed=True)],
                     x_label="gap [mm]", y_label="force [N]", title="Pull vs gap")
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from collections.abc import Sequence
from xml.sax.saxutils import escape

# Colour-blind-safe palette (Okabe and Ito), in series order.
PALETTE = ("#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#F0E442", "#000000")
WIDTH_PX, HEIGHT_PX = 720, 440
_MARGIN = {"left": 78, "right": 20, "top": 44, "bottom": 58}
_FONT = 'font-family="sans-serif"'
_LEGEND_CHAR_PX = 6.5  # average width of a 12 px sans-serif character
_LABEL_MIN_PX = 40  # a band narrower than this keeps its label to itself
_SLANT_DEG = 40  # bar labels too long for their bars are set at this slant
_SIN_SLANT = math.sin(math.radians(_SLANT_DEG))


@dataclass(frozen=True)
class Series:
    """One named set of points. ``dashed`` draws the line dashed, ``markers`` marks each point."""

    label: str
    x: Sequence[float]
    y: Sequence[float]
    dashed: bool = False
    markers: bool = False
    color: str | None = None  # None: the palette colour of the series' position
    line: bool | None = None  # None: as the chart draws (lines for line_chart, none for scatter)


@dataclass(frozen=True)
class Band:
    """A shaded span of x behind the series (a phase), labelled at its top."""

    x0: float
    x1: float
    label: str = ""
    color: str = "#f0f0f0"


@dataclass(frozen=True)
class Mark:
    """A vertical line at ``x`` (a fault, a hazard, a limit), labelled at its top."""

    x: float
    label: str = ""
    color: str = "#D55E00"
    dashed: bool = True


_PLOTTED = 1e12


def nice_ticks(lo: float, hi: float, count: int = 6, *, integer: bool = False) -> list[float]:
    """About ``count`` round tick values covering [lo, hi]; whole numbers only with ``integer`` (counts)."""
    if not (math.isfinite(lo) and math.isfinite(hi)):
        return [0.0, 1.0]
    if hi <= lo:
        pad = abs(lo) * 0.1 or 1.0
        lo, hi = lo - pad, hi + pad
    raw = (hi - lo) / max(count - 1, 1)
    if integer:
        raw = max(raw, 1.0)
    mag = 10.0 ** math.floor(math.log10(raw))
    steps = (1.0, 2.0, 5.0, 10.0) if integer else (1.0, 2.0, 2.5, 5.0, 10.0)  # 2.5 x 1 is not whole
    step = next(m * mag for m in steps if m * mag >= raw)
    first = math.floor(lo / step + 1e-9)
    last = math.ceil(hi / step - 1e-9)
    ticks = [round(k * step, 12) + 0.0 for k in range(first, last + 1)]  # + 0.0: no "-0" label
    if len(ticks) < 2 or not ticks[-1] > ticks[0]:  # values beyond float's resolution of a step
        return [lo, hi]
    return ticks


def _label(v: float) -> str:
    return f"{v:.6g}" if abs(v) < 1e6 else f"{v:.3g}"


class _Canvas:
    """A plot area with linear axes mapping data to pixels, and the SVG it collects."""

    def __init__(
        self,
        *,
        title: str,
        x_label: str,
        y_label: str,
        width: int,
        height: int,
        legend_labels: Sequence[str] = (),
        bottom_px: int = _MARGIN["bottom"],
    ):
        self.w, self.h = width, height
        legend_px = max((len(t) for t in legend_labels), default=0) * _LEGEND_CHAR_PX + 50 if legend_labels else 0
        self.x0, self.x1 = _MARGIN["left"], width - _MARGIN["right"] - legend_px
        self.y0, self.y1 = height - bottom_px, _MARGIN["top"]
        self.parts = [
            f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" viewBox="0 0 {width} '
            f'{height}">',
            f'<rect width="{width}" height="{height}" fill="white"/>',
            f'<text x="{width / 2:.1f}" y="24" text-anchor="middle" font-size="16" {_FONT}>{escape(title)}</text>',
            f'<text x="{(self.x0 + self.x1) / 2:.1f}" y="{height - 14}" text-anchor="middle" font-size="13" '
            f"{_FONT}>{escape(x_label)}</text>",
            f'<text transform="translate(18 {(self.y0 + self.y1) / 2:.1f}) rotate(-90)" text-anchor="middle" '
            f'font-size="13" {_FONT}>{escape(y_label)}</text>',
        ]

    def set_ranges(
        self, xs: Sequence[float], ys: Sequence[float], *, x_ticks: bool = True, y_integer: bool = False
    ) -> None:
        # Beyond _PLOTTED no station's signal goes (a hostile controller's set-point might).
        finite_x = [v for v in xs if math.isfinite(v) and abs(v) <= _PLOTTED] or [0.0, 1.0]
        finite_y = [v for v in ys if math.isfinite(v) and abs(v) <= _PLOTTED] or [0.0, 1.0]
        self.xt = nice_ticks(min(finite_x), max(finite_x))
        self.yt = nice_ticks(min(finite_y), max(finite_y), integer=y_integer)
        self.xlo, self.xhi = self.xt[0], self.xt[-1]
        self.ylo, self.yhi = self.yt[0], self.yt[-1]
        self._axes(x_ticks=x_ticks)

    def px(self, x: float) -> float:
        return self.x0 + (x - self.xlo) / (self.xhi - self.xlo) * (self.x1 - self.x0)

    def py(self, y: float) -> float:
        return self.y0 - (y - self.ylo) / (self.yhi - self.ylo) * (self.y0 - self.y1)

    def _axes(self, *, x_ticks: bool) -> None:
        p = self.parts
        for v in self.yt:
            y = self.py(v)
            p.append(f'<line x1="{self.x0}" y1="{y:.1f}" x2="{self.x1}" y2="{y:.1f}" stroke="#e5e5e5"/>')
            p.append(
                f'<text x="{self.x0 - 6}" y="{y + 4:.1f}" text-anchor="end" font-size="11" {_FONT}>{_label(v)}</text>'
            )
        if x_ticks:
            for v in self.xt:
                x = self.px(v)
                p.append(f'<line x1="{x:.1f}" y1="{self.y0}" x2="{x:.1f}" y2="{self.y1}" stroke="#e5e5e5"/>')
                p.append(
                    f'<text x="{x:.1f}" y="{self.y0 + 16}" text-anchor="middle" font-size="11" '
                    f"{_FONT}>{_label(v)}</text>"
                )
        p.append(
            f'<rect x="{self.x0}" y="{self.y1}" width="{self.x1 - self.x0}" height="{self.y0 - self.y1}" fill="none" '
            f'stroke="#333"/>'
        )

    def series(self, s: Series, color: str, *, line: bool) -> None:
        line = line if s.line is None else s.line
        pts = [(self.px(x), self.py(y)) for x, y in zip(s.x, s.y) if math.isfinite(x) and math.isfinite(y)]
        if line and len(pts) > 1:
            dash = ' stroke-dasharray="6 4"' if s.dashed else ""
            path = " ".join(f"{x:.1f},{y:.1f}" for x, y in pts)
            self.parts.append(f'<polyline points="{path}" fill="none" stroke="{color}" stroke-width="2"{dash}/>')
        if s.markers or not line:
            self.parts.extend(
                f'<circle cx="{x:.1f}" cy="{y:.1f}" r="3" fill="none" stroke="{color}" stroke-width="1.5"/>'
                for x, y in pts
            )

    def rect(self, x0: float, x1: float, y: float, color: str) -> None:
        top, base = min(self.py(y), self.py(0.0)), max(self.py(y), self.py(0.0))
        self.parts.append(
            f'<rect x="{min(x0, x1):.1f}" y="{top:.1f}" width="{abs(x1 - x0):.1f}" height="{base - top:.1f}" '
            f'fill="{color}" fill-opacity="0.8"/>'
        )

    def band(self, b: Band) -> None:
        x0, x1 = (max(self.x0, min(self.x1, self.px(v))) for v in (b.x0, b.x1))
        if x1 <= x0:
            return
        self.parts.append(
            f'<rect class="band" x="{x0:.1f}" y="{self.y1}" width="{x1 - x0:.1f}" height="{self.y0 - self.y1}" '
            f'fill="{b.color}"/>'
        )
        if b.label and x1 - x0 >= _LABEL_MIN_PX:
            self.parts.append(
                f'<text x="{(x0 + x1) / 2:.1f}" y="{self.y1 + 11}" text-anchor="middle" font-size="9" fill="#555" '
                f"{_FONT}>{escape(b.label)}</text>"
            )

    def mark(self, m: Mark, row: int = 0) -> None:
        x = self.px(m.x)
        if not self.x0 <= x <= self.x1:
            return
        dash = ' stroke-dasharray="4 3"' if m.dashed else ""
        self.parts.append(
            f'<line class="mark" x1="{x:.1f}" y1="{self.y1}" x2="{x:.1f}" y2="{self.y0}" stroke="{m.color}" '
            f'stroke-width="1.5"{dash}/>'
        )
        if m.label:
            y = self.y1 + 24 + 12 * (row % 3)
            self.parts.append(
                f'<text x="{x + 3:.1f}" y="{y}" font-size="10" fill="{m.color}" {_FONT}>{escape(m.label)}</text>'
            )

    def legend(self, entries: list[tuple[str, str, bool]]) -> None:
        """(label, colour, dashed) rows, right of the plot area."""
        x = self.x1 + 12
        for i, (label, color, dashed) in enumerate(entries):
            y = self.y1 + 8 + 16 * i
            dash = ' stroke-dasharray="6 4"' if dashed else ""
            self.parts.append(
                f'<line x1="{x}" y1="{y}" x2="{x + 24}" y2="{y}" stroke="{color}" stroke-width="2"{dash}/>'
            )
            self.parts.append(f'<text x="{x + 30}" y="{y + 4}" font-size="12" {_FONT}>{escape(label)}</text>')

    def svg(self) -> str:
        return "\n".join([*self.parts, "</svg>"]) + "\n"


def _xy_chart(
    series: Sequence[Series],
    *,
    x_label: str,
    y_label: str,
    title: str,
    width: int,
    height: int,
    line: bool,
    bands: Sequence[Band] = (),
    marks: Sequence[Mark] = (),
) -> str:
    c = _Canvas(
        title=title,
        x_label=x_label,
        y_label=y_label,
        width=width,
        height=height,
        legend_labels=[s.label for s in series if s.label],
    )
    c.set_ranges([v for s in series for v in s.x], [v for s in series for v in s.y])
    for b in bands:
        c.band(b)
    colors = [s.color or PALETTE[i % len(PALETTE)] for i, s in enumerate(series)]
    for s, color in zip(series, colors):
        c.series(s, color, line=line)
    for i, m in enumerate(marks):
        c.mark(m, row=i)
    c.legend([(s.label, color, s.dashed) for s, color in zip(series, colors) if s.label])
    return c.svg()


def line_chart(
    series: Sequence[Series],
    *,
    x_label: str,
    y_label: str,
    title: str,
    width: int = WIDTH_PX,
    height: int = HEIGHT_PX,
    bands: Sequence[Band] = (),
    marks: Sequence[Mark] = (),
) -> str:
    """Lines through each series' points, in the order given; ``bands`` shaded behind them
    (phases), ``marks`` as vertical lines over them (faults, hazards)."""
    return _xy_chart(
        series,
        x_label=x_label,
        y_label=y_label,
        title=title,
        width=width,
        height=height,
        line=True,
        bands=bands,
        marks=marks,
    )


def scatter(
    series: Sequence[Series], *, x_label: str, y_label: str, title: str, width: int = WIDTH_PX, height: int = HEIGHT_PX
) -> str:
    """Markers only, one colour per series."""
    return _xy_chart(series, x_label=x_label, y_label=y_label, title=title, width=width, height=height, line=False)


def histogram(
    values: Sequence[float],
    *,
    bins: int = 20,
    x_label: str,
    title: str,
    y_label: str = "count",
    width: int = WIDTH_PX,
    height: int = HEIGHT_PX,
    limit: float | None = None,
    limit_label: str = "limit",
) -> str:
    """Counts of ``values`` in ``bins`` equal bins between their min and max (whole-number
    count ticks); ``limit`` drawn as a vertical line, the x axis stretched to show it."""
    data = [v for v in values if math.isfinite(v)]
    lo, hi = (min(data), max(data)) if data else (0.0, 1.0)
    if hi <= lo:
        lo, hi = lo - 0.5, hi + 0.5
    step = (hi - lo) / bins
    counts = [0] * bins
    for v in data:
        counts[min(int((v - lo) / step), bins - 1)] += 1
    c = _Canvas(title=title, x_label=x_label, y_label=y_label, width=width, height=height)
    xs = [lo, hi] + ([limit] if limit is not None and math.isfinite(limit) else [])
    c.set_ranges(xs, [0.0, float(max(counts, default=1))], y_integer=True)
    for i, n in enumerate(counts):
        c.rect(c.px(lo + i * step) + 1, c.px(lo + (i + 1) * step) - 1, float(n), PALETTE[0])
    if limit is not None and math.isfinite(limit):
        c.mark(Mark(limit, f"{limit_label} {_label(limit)}", color="#C00000", dashed=False))
    return c.svg()


def bars(
    labels: Sequence[str],
    values: Sequence[float],
    *,
    y_label: str,
    title: str,
    x_label: str = "",
    width: int = WIDTH_PX,
    height: int = HEIGHT_PX,
) -> str:
    """One bar per label, from zero to its value (negative values hang below zero).
    Labels that would not fit under their bars are set at a slant, with room made for them."""
    slot_px = (width - _MARGIN["left"] - _MARGIN["right"]) / max(len(values), 1)
    longest = max((len(t) for t in labels), default=0)
    slant = longest * _LEGEND_CHAR_PX > slot_px * 0.9
    bottom = _MARGIN["bottom"] + (int(longest * _LEGEND_CHAR_PX * _SIN_SLANT) if slant else 0)
    c = _Canvas(
        title=title,
        x_label=x_label,
        y_label=y_label,
        width=width,
        height=height + bottom - _MARGIN["bottom"],
        bottom_px=bottom,
    )
    c.set_ranges([0.0, float(len(values))], [0.0, *values], x_ticks=False)
    c.xlo, c.xhi = 0.0, float(max(len(values), 1))
    for i, (label, v) in enumerate(zip(labels, values)):
        c.rect(c.px(i + 0.15), c.px(i + 0.85), v, PALETTE[i % len(PALETTE)])
        x, y = c.px(i + 0.5), c.y0 + 16
        if slant:
            c.parts.append(
                f'<text x="{x:.1f}" y="{y}" text-anchor="end" transform="rotate(-{_SLANT_DEG} {x:.1f} {y})" '
                f'font-size="11" {_FONT}>{escape(label)}</text>'
            )
        else:
            c.parts.append(
                f'<text x="{x:.1f}" y="{y}" text-anchor="middle" font-size="11" {_FONT}>{escape(label)}</text>'
            )
    return c.svg()


def stack(charts: Sequence[str]) -> str:
    """Charts from this module one above the other, in one SVG document."""
    sizes = [(float(m.group(1)), float(m.group(2))) for m in (_SIZE.search(c) for c in charts) if m]
    width, height = max((w for w, _ in sizes), default=0.0), sum(h for _, h in sizes)
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width:g}" height="{height:g}" viewBox="0 0 {width:g} '
        f'{height:g}">'
    ]
    y = 0.0
    for chart, (_, h) in zip(charts, sizes):
        parts.append(chart.replace("<svg ", f'<svg y="{y:g}" ', 1).rstrip("\n"))
        y += h
    return "\n".join([*parts, "</svg>"]) + "\n"


_SIZE = re.compile(r'<svg [^>]*width="([0-9.]+)" height="([0-9.]+)"')
