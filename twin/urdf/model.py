"""A small typed model of URDF, written to text deterministically.

Why our own writer: every asset is generated from config (pack brands, rigs,
vehicles), and the text must be byte-identical for identical inputs so that the
content-addressed cache (``twin.urdf.cache``) and the determinism guarantee hold.
Floats are written with a fixed format, and elements in the order given.

Conventions: SI units (m, kg, rad). A link's inertia is always written explicitly
(``inertia_box``) and loaded with ``URDF_USE_INERTIA_FROM_FILE``, because
pybullet otherwise recomputes it from the collision shapes and gives a link
without ``<inertial>`` a mass of 1 kg (shared/measured.md, pitfall 6).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal
from collections.abc import Sequence

Vec3 = tuple[float, float, float]


def _f(x: float) -> str:
    # 9 decimals = nm resolution: far below the 1 mm collision margin, and a fixed
    # format keeps the text (and so the cache key) stable across platforms.
    s = f"{float(x):.9f}".rstrip("0").rstrip(".")
    return "0" if s in ("-0", "") else s


def _v(v: Sequence[float]) -> str:
    return " ".join(_f(x) for x in v)


RGBA = tuple[float, float, float, float]


@dataclass(frozen=True)
class Box:
    size: Vec3
    xyz: Vec3 = (0.0, 0.0, 0.0)
    rpy: Vec3 = (0.0, 0.0, 0.0)
    rgba: RGBA | None = None  # a visual's own colour (None: its link's); ignored for collisions

    def geometry(self) -> str:
        return f'<box size="{_v(self.size)}"/>'


@dataclass(frozen=True)
class Cylinder:
    """Its axis along the local z (``rpy=(pi/2, 0, 0)`` lays it along y, a wheel's axle)."""

    radius: float
    length: float
    xyz: Vec3 = (0.0, 0.0, 0.0)
    rpy: Vec3 = (0.0, 0.0, 0.0)
    rgba: RGBA | None = None

    def geometry(self) -> str:
        return f'<cylinder radius="{_f(self.radius)}" length="{_f(self.length)}"/>'


@dataclass(frozen=True)
class Capsule:
    """A cylinder with hemispherical ends (pybullet extension of URDF).

    Used for locating pins: the hemispherical nose is the pin's lead-in.
    ``length`` is the cylindrical part only.
    """

    radius: float
    length: float
    xyz: Vec3 = (0.0, 0.0, 0.0)
    rpy: Vec3 = (0.0, 0.0, 0.0)
    rgba: RGBA | None = None

    def geometry(self) -> str:
        return f'<capsule radius="{_f(self.radius)}" length="{_f(self.length)}"/>'


@dataclass(frozen=True)
class Mesh:
    """Visual-only mesh (collisions always stay primitive). ``source``: the
    file to stage beside the URDF; ``filename`` is then its staged name."""

    filename: str
    scale: Vec3 = (1.0, 1.0, 1.0)
    xyz: Vec3 = (0.0, 0.0, 0.0)
    rpy: Vec3 = (0.0, 0.0, 0.0)
    source: Path | None = None
    rgba: RGBA | None = None

    def geometry(self) -> str:
        return f'<mesh filename="{self.filename}" scale="{_v(self.scale)}"/>'


Shape = Box | Cylinder | Capsule
Visual = Box | Cylinder | Capsule | Mesh


@dataclass(frozen=True)
class Inertial:
    mass_kg: float
    com: Vec3
    ixx: float
    iyy: float
    izz: float

    @staticmethod
    def box(*, mass_kg: float, size: Vec3, com: Vec3 = (0.0, 0.0, 0.0)) -> Inertial:
        """Solid cuboid about its centre of mass (Steiner terms not needed: the
        inertia frame sits at the CoM)."""
        a, b, c = size
        k = mass_kg / 12.0
        return Inertial(mass_kg, com, k * (b * b + c * c), k * (a * a + c * c), k * (a * a + b * b))


@dataclass
class Link:
    """A link. ``visuals`` (default: the collision shapes) are for pictures only: what a
    link looks like never changes what it does, so a visual may show parts (wheels, a
    lift's columns, a stand's posts) that the physics leaves out."""

    name: str
    inertial: Inertial | None
    collisions: list[Shape] = field(default_factory=list)
    visuals: list[Visual] = field(default_factory=list)
    rgba: tuple[float, float, float, float] = (0.6, 0.6, 0.6, 1.0)

    def materials(self) -> list[tuple[str, RGBA]]:
        """(material name, colour) of each visual: the link's own colour keeps the name
        ``m_<link>``; each other colour gets ``m_<link>_<k>`` (names must not clash)."""
        visuals = self.visuals if self.visuals else self.collisions
        own: list[RGBA] = []
        out = []
        for v in visuals:
            rgba = v.rgba if v.rgba is not None else self.rgba
            if v.rgba is None or rgba == self.rgba:
                out.append((f"m_{self.name}", self.rgba))
                continue
            if rgba not in own:
                own.append(rgba)
            out.append((f"m_{self.name}_{own.index(rgba) + 1}", rgba))
        return out


JointType = Literal["fixed", "prismatic", "revolute"]


@dataclass(frozen=True)
class Joint:
    name: str
    type: JointType
    parent: str
    child: str
    xyz: Vec3 = (0.0, 0.0, 0.0)
    axis: Vec3 = (1.0, 0.0, 0.0)
    lower: float = 0.0
    upper: float = 0.0
    # URDF effort/velocity are ignored by pybullet's motors (measured.md, pitfall 6);
    # the drives pass force and speed explicitly. They are written for other tools.
    effort: float = 0.0
    velocity: float = 0.0


@dataclass
class Robot:
    name: str
    links: list[Link]
    joints: list[Joint] = field(default_factory=list)

    def to_xml(self) -> str:
        out = ['<?xml version="1.0"?>', f'<robot name="{self.name}">']
        for link in self.links:
            out.append(f'  <link name="{link.name}">')
            if link.inertial is not None:
                i = link.inertial
                out.append("    <inertial>")
                out.append(f'      <origin xyz="{_v(i.com)}" rpy="0 0 0"/>')
                out.append(f'      <mass value="{_f(i.mass_kg)}"/>')
                out.append(
                    f'      <inertia ixx="{_f(i.ixx)}" ixy="0" ixz="0" iyy="{_f(i.iyy)}" iyz="0" izz="{_f(i.izz)}"/>'
                )
                out.append("    </inertial>")
            visuals = link.visuals if link.visuals else link.collisions
            for v, (material, rgba) in zip(visuals, link.materials()):
                out.append("    <visual>")
                out.append(f'      <origin xyz="{_v(v.xyz)}" rpy="{_v(v.rpy)}"/>')
                out.append(f"      <geometry>{v.geometry()}</geometry>")
                out.append(f'      <material name="{material}"><color rgba="{_v(rgba)}"/></material>')
                out.append("    </visual>")
            for c in link.collisions:
                out.append("    <collision>")
                out.append(f'      <origin xyz="{_v(c.xyz)}" rpy="{_v(c.rpy)}"/>')
                out.append(f"      <geometry>{c.geometry()}</geometry>")
                out.append("    </collision>")
            out.append("  </link>")
        for j in self.joints:
            out.append(f'  <joint name="{j.name}" type="{j.type}">')
            out.append(f'    <parent link="{j.parent}"/>')
            out.append(f'    <child link="{j.child}"/>')
            out.append(f'    <origin xyz="{_v(j.xyz)}" rpy="0 0 0"/>')
            if j.type != "fixed":
                out.append(f'    <axis xyz="{_v(j.axis)}"/>')
                out.append(
                    f'    <limit lower="{_f(j.lower)}" upper="{_f(j.upper)}" '
                    f'effort="{_f(j.effort)}" velocity="{_f(j.velocity)}"/>'
                )
            out.append("  </joint>")
        out.append("</robot>")
        return "\n".join(out) + "\n"


def rot_z(x: float, y: float, angle_rad: float) -> tuple[float, float]:
    c, s = math.cos(angle_rad), math.sin(angle_rad)
    return c * x - s * y, s * x + c * y
