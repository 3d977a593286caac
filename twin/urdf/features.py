"""Collision features built from primitives: chamfered bores, plates with holes, pins.

pybullet has no concave primitives, so a hole is an octagon of boxes (an 8-gon
bore costs half as much as a 16-gon one for the same insertion verdicts,
shared/measured.md) with a ring of boxes tilted 45 degrees as the entry chamfer.

Every box edge behaves as if rounded by the 1 mm collision margin, so chamfers
below about 1 mm are not represented (measured.md). Bore *faces* are exact,
which is what clearances depend on.

Frames: a plate lies in the local x-y plane, its material between z = 0 and
z = thickness (plus ``z0``). ``entry`` says which face a pin enters from.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Literal
from collections.abc import Sequence

from twin.urdf.model import Box, Capsule

_SIDES = 8
_HALF_SECTOR_RAD = math.pi / _SIDES
# Boxes of a compound may overlap; a small tangential overlap closes the seams
# between the octagon's boxes so no pin can catch in a crack.
_SEAM_OVERLAP_M = 0.0005


@dataclass(frozen=True)
class Hole:
    x_m: float
    y_m: float
    diameter_m: float
    chamfer_m: float


def cell_side_m(hole: Hole, wall_m: float) -> float:
    """Side of the square cell that a hole's bore occupies in its plate."""
    return hole.diameter_m + 2.0 * wall_m


def chamfered_bore(
    hole: Hole, *, thickness_m: float, wall_m: float, z0_m: float, entry: Literal["bottom", "top"]
) -> list[Box]:
    """Boxes forming an octagonal bore with a 45 degree entry chamfer."""
    r = hole.diameter_m / 2.0
    c = min(hole.chamfer_m, 0.9 * thickness_m)
    half_cell = cell_side_m(hole, wall_m) / 2.0
    wall_t = half_cell - r
    boxes: list[Box] = []
    tan_h = math.tan(_HALF_SECTOR_RAD)
    straight_h = thickness_m - c
    # Straight part of the bore, away from the entry face.
    z_straight = z0_m + (c + straight_h / 2.0 if entry == "bottom" else straight_h / 2.0)
    # Chamfer boxes: their inner face is the 45 degree cone from radius r + c at
    # the entry face to radius r at depth c. The box sits behind that face.
    chamfer_t = max(c, wall_t) * 0.7
    slope_len = c * math.sqrt(2.0)
    depth_c = c / 2.0 + chamfer_t / (2.0 * math.sqrt(2.0))
    r_c = r + c / 2.0 + chamfer_t / (2.0 * math.sqrt(2.0))
    z_c = z0_m + depth_c if entry == "bottom" else z0_m + thickness_m - depth_c
    pitch = -math.pi / 4.0 if entry == "bottom" else math.pi / 4.0
    for k in range(_SIDES):
        phi = 2 * k * _HALF_SECTOR_RAD  # flats face the axes: clearance along x and y is exact
        cx, cy = math.cos(phi), math.sin(phi)
        if straight_h > 1e-6:
            rr = r + wall_t / 2.0
            boxes.append(
                Box(
                    size=(wall_t, 2.0 * (r + wall_t) * tan_h + _SEAM_OVERLAP_M, straight_h),
                    xyz=(hole.x_m + rr * cx, hole.y_m + rr * cy, z_straight),
                    rpy=(0.0, 0.0, phi),
                )
            )
        if c > 1e-6:
            boxes.append(
                Box(
                    size=(chamfer_t, 2.0 * (r + c + chamfer_t) * tan_h + _SEAM_OVERLAP_M, slope_len),
                    xyz=(hole.x_m + r_c * cx, hole.y_m + r_c * cy, z_c),
                    rpy=(0.0, pitch, phi),
                )
            )
    return boxes


def _intervals(lo: float, hi: float, cuts: Sequence[float]) -> list[tuple[float, float]]:
    pts = sorted({lo, hi, *[c for c in cuts if lo < c < hi]})
    return [(a, b) for a, b in zip(pts[:-1], pts[1:]) if b - a > 1e-9]


def plate_with_holes(
    *,
    length_m: float,
    width_m: float,
    thickness_m: float,
    holes: Sequence[Hole],
    wall_m: float,
    z0_m: float = 0.0,
    center: tuple[float, float] = (0.0, 0.0),
    entry: Literal["bottom", "top"] = "bottom",
) -> list[Box]:
    """A rectangular plate with square cells cut out around each hole, each cell
    holding a chamfered octagonal bore. Plain material is merged along x into as
    few boxes as the grid allows."""
    x0, y0 = center[0] - length_m / 2.0, center[1] - width_m / 2.0
    x1, y1 = center[0] + length_m / 2.0, center[1] + width_m / 2.0
    cells = []
    for h in holes:
        s = cell_side_m(h, wall_m) / 2.0
        cells.append((h.x_m - s, h.x_m + s, h.y_m - s, h.y_m + s))
    xs = _intervals(x0, x1, [v for c in cells for v in c[:2]])
    ys = _intervals(y0, y1, [v for c in cells for v in c[2:]])

    def in_cell(xm: float, ym: float) -> bool:
        return any(a < xm < b and c < ym < d for a, b, c, d in cells)

    boxes: list[Box] = []
    zc = z0_m + thickness_m / 2.0
    for ya, yb in ys:
        run: tuple[float, float] | None = None
        for xa, xb in xs + [(x1, x1)]:
            solid = xb > xa and not in_cell((xa + xb) / 2.0, (ya + yb) / 2.0)
            if solid:
                run = (run[0], xb) if run else (xa, xb)
                continue
            if run:
                boxes.append(
                    Box(
                        size=(run[1] - run[0], yb - ya, thickness_m), xyz=((run[0] + run[1]) / 2.0, (ya + yb) / 2.0, zc)
                    )
                )
                run = None
    for h in holes:
        boxes.extend(chamfered_bore(h, thickness_m=thickness_m, wall_m=wall_m, z0_m=z0_m, entry=entry))
    return boxes


def locating_pin(
    *, x_m: float, y_m: float, z_base_m: float, diameter_m: float, length_m: float, up: bool = True
) -> Capsule:
    """A locating pin standing ``length_m`` out of a face at ``z_base_m``.

    A capsule: its hemispherical nose is the pin's lead-in. The lower
    hemisphere is buried in the part that carries the pin.
    """
    r = diameter_m / 2.0
    cyl = max(length_m - r, 1e-4)
    zc = z_base_m + cyl / 2.0 if up else z_base_m - cyl / 2.0
    return Capsule(radius=r, length=cyl, xyz=(x_m, y_m, zc))
