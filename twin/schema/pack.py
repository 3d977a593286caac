"""Pack family schemas: a brand's pack as pure data (``configs/pack/*.yaml``).

Three forms, told apart by ``form``:

* ``underbody``: a car pack pushed up into the vehicle's bay from below by an
  under-chassis shuttle. Its top face seats against the vehicle; locating
  pins stand on the top face, the rig's pins find holes in the bottom face,
  side flanges carry the locks and rest on storage rails.
* ``top_lift``: a truck pack lifted out from above by an overhead rig's
  spreader. Its bottom face sits on the vehicle's cradle, whose guide cones
  find sockets in the bottom face; corner castings on the top face take the
  spreader's twist-locks.
* ``side``: a pack slid sideways out of a compartment in the vehicle's flank
  (bus battery boxes, a truck's side packs) on guide rails along its side
  walls. No rig of the station swaps it yet (issue 16 builds the side rig):
  the form and its access direction are expressible, and the pre-check
  refuses it for that reason.

Every pack also says from where a station reaches it (``access``: ``below``,
``above`` or ``side``) and which vehicles it fits (``vehicles``: names of
files in ``configs/vehicle/``; a run uses the first unless ``vehicle=`` is
given).

Frame of a pack, both forms: origin at the centre of its top face, x along the
vehicle's length, z up; the body hangs below. Everything a station or a
vehicle needs to know about the pack's interface is here.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from twin.schema._fields import q


@dataclass(frozen=True)
class Dimensions:
    length_mm: float = q(lo=100.0, hi=6000.0, unit="mm", doc="outer length of the body along the vehicle (x)")
    width_mm: float = q(
        lo=100.0,
        hi=4000.0,
        unit="mm",
        doc="outer width of the body across the vehicle (y); without an underbody pack's flanges",
    )
    height_mm: float = q(
        lo=50.0, hi=3000.0, unit="mm", doc="top face to bottom face; pins and castings stand out of it, not counted"
    )


@dataclass(frozen=True)
class Tolerances:
    """Manufacturing tolerances, sampled by qualification runs."""

    # QC/T 1204.4-2024 Table 1: +-4 mm (400-1000 mm), +-6 mm (1000-2000 mm), +-8 mm (2000-4000 mm).
    length_mm: float = q(lo=0.0, hi=20.0, unit="mm", doc="+- on dimensions.length_mm")
    width_mm: float = q(lo=0.0, hi=20.0, unit="mm", doc="+- on dimensions.width_mm")
    height_mm: float = q(lo=0.0, hi=20.0, unit="mm", doc="+- on dimensions.height_mm")
    # QC/T 1204.4-2024 section 4.1: fixing points, HV connector, coolant port +-2 mm.
    interface_position_mm: float = q(
        lo=0.0, hi=10.0, unit="mm", doc="+- on every interface feature's position (locks, pins, holes, connector)"
    )
    mass_kg: float = q(lo=0.0, hi=500.0, unit="kg", doc="+- on mass_kg")


@dataclass(frozen=True)
class Flange:
    """Side flanges along the pack's long edges, flush with the top face.
    Locks anchor on them, and storage rails carry the pack by them."""

    width_mm: float = q(lo=10.0, hi=300.0, unit="mm", doc="how far each flange stands out of a long side")
    thickness_mm: float = q(lo=5.0, hi=200.0, unit="mm", doc="downward from the top face")


@dataclass(frozen=True)
class LocatingPins:
    """Pins on the pack's top face and the chamfered holes they find in the vehicle."""

    diameter_mm: float = q(lo=4.0, hi=100.0, unit="mm")
    length_mm: float = q(lo=5.0, hi=300.0, unit="mm", doc="standing out of the top face")
    hole_diameter_mm: float = q(lo=4.0, hi=120.0, unit="mm", doc="vehicle side")
    hole_chamfer_mm: float = q(lo=0.0, hi=30.0, unit="mm", doc="45 degree lead-in; <1 mm is below the collision margin")
    positions_mm: list[list[float]] = q(unit="mm", doc="[x, y] on the top face")

    def check(self):
        out = []
        if self.hole_diameter_mm <= self.diameter_mm:
            out.append(("hole_diameter_mm", f"{self.hole_diameter_mm} must exceed diameter_mm={self.diameter_mm}"))
        out += [(f"positions_mm[{i}]", "needs [x, y]") for i, p in enumerate(self.positions_mm) if len(p) != 2]
        if not self.positions_mm:
            out.append(("positions_mm", "at least one locating pin"))
        return out


@dataclass(frozen=True)
class RigHoles:
    """Blind chamfered holes in the pack's bottom face for the rig's locating pins."""

    diameter_mm: float = q(lo=4.0, hi=120.0, unit="mm", doc="bore; the pallet's pins must be thinner")
    chamfer_mm: float = q(lo=0.0, hi=30.0, unit="mm", doc="45 degree lead-in around the bore")
    depth_mm: float = q(lo=5.0, hi=300.0, unit="mm", doc="deeper than the pallet's pins stand")
    positions_mm: list[list[float]] = q(
        unit="mm", doc="[x, y] on the bottom face; the adaptive pallet sets its pins to their mean |x|, at y = 0"
    )

    def check(self):
        return [(f"positions_mm[{i}]", "needs [x, y]") for i, p in enumerate(self.positions_mm) if len(p) != 2]


@dataclass(frozen=True)
class Connector:
    """HV connector on the interface face; its vehicle half floats (D, domain.md)."""

    position_mm: list[float] = q(length=2, unit="mm", doc="[x, y] on the face that meets the vehicle")
    float_mm: float = q(lo=0.0, hi=20.0, unit="mm", doc="radial float of the vehicle half")
    float_deg: float = q(lo=0.0, hi=10.0, unit="deg")
    engagement_mm: float = q(lo=1.0, hi=100.0, unit="mm")
    mating_force_n: float = q(lo=0.0, hi=20000.0, unit="N", doc="to push the halves together over engagement_mm")
    max_force_n: float = q(lo=0.0, hi=100000.0, unit="N", doc="contact force limit (hazard above)")


@dataclass(frozen=True)
class PackLocks:
    """Where the pack-to-vehicle locks anchor. The lock *model* is the ``lock`` group."""

    native_type: str = q(doc="the lock type the brand ships with (a name in the lock registry)")
    positions_mm: list[list[float]] = q(
        unit="mm", doc="[x, y] of each anchor, pack frame: on the flanges (underbody) or the bottom face (top_lift)"
    )

    def check(self):
        from twin.locks import LOCK_TYPES

        out = [(f"positions_mm[{i}]", "needs [x, y]") for i, p in enumerate(self.positions_mm) if len(p) != 2]
        if not self.positions_mm:
            out.append(("positions_mm", "a pack needs at least one lock"))
        if self.native_type not in LOCK_TYPES:
            out.append(
                (
                    "native_type",
                    f"{self.native_type!r} is not a lock type; choose one of {', '.join(sorted(LOCK_TYPES))}",
                )
            )
        return out


# Wall around each bottom hole inside the pack's base plate (structural, D).
HOLE_WALL_MM = 15.0

# Where brand-supplied files live: a pack file may only point inside it.
ASSETS_DIR = Path(__file__).resolve().parents[2] / "assets"
MESH_SUFFIXES = (".obj", ".stl")


@dataclass(frozen=True)
class VisualMesh:
    """A brand's own look: a mesh drawn in place of the pack's plain box.
    Visual only: collisions stay the generated primitives."""

    file: str | None = q(None, doc="path under assets/, e.g. meshes/pack.obj; null: the plain box")
    scale: list[float] = q(
        factory=lambda: [1.0, 1.0, 1.0], length=3, lo=1e-6, hi=1e6, doc="mesh units to metres, per axis"
    )
    xyz_mm: list[float] = q(
        factory=lambda: [0.0, 0.0, 0.0], length=3, unit="mm", doc="the mesh's origin from the top-face centre"
    )

    def check(self):
        out = []
        if self.file is not None:
            path = (ASSETS_DIR / self.file).resolve()
            if not path.is_relative_to(ASSETS_DIR.resolve()):
                out.append(("file", f"{self.file!r} leaves assets/: a pack file may only name files under it"))
            elif path.suffix.lower() not in MESH_SUFFIXES:
                out.append(("file", f"{self.file!r} is not a mesh; allowed: {', '.join(MESH_SUFFIXES)}"))
            elif not path.is_file():
                out.append(("file", f"{self.file!r} does not exist under assets/"))
        return out

    @property
    def path(self) -> Path | None:
        return None if self.file is None else (ASSETS_DIR / self.file).resolve()


@dataclass(frozen=True)
class Electrical:
    nominal_voltage_v: float = q(lo=12.0, hi=1500.0, unit="V", doc="must lie in the station racks' voltage window")
    max_current_a: float = q(
        lo=1.0, hi=3000.0, unit="A", doc="the largest charging current it accepts, which the racks must deliver"
    )
    # GB 38031-2025: insulation >= 100 ohm/V DC after mechanical tests.
    min_insulation_ohm_per_v: float = q(lo=1.0, hi=1e6, unit="ohm/V", doc="GB 38031-2025: >= 100 ohm/V")


ACCESS_DIRECTIONS = ("below", "above", "side")


@dataclass(frozen=True)
class PackBase:
    """What every pack form declares."""

    form: str = q(doc="underbody, top_lift or side")
    family_id: str = q(doc="as the station reads it from the pack's ID tag or its BMS identity")
    description: str = q(doc="one line, in words")
    access: Literal["below", "above", "side"] = q(
        doc="from where a station's rig reaches the pack: below (under-chassis), above (overhead), side"
    )
    vehicles: list[str] = q(
        doc="vehicle models it fits: names in configs/vehicle/; a run uses the first unless vehicle= is given"
    )
    rig_families: list[str] = q(doc="the rig families that can swap it (names in the rig registry)")
    energy_kwh: float = q(lo=1.0, hi=2000.0, unit="kWh", doc="nominal")
    mass_kg: float = q(lo=10.0, hi=20000.0, unit="kg", doc="the whole pack as swapped (housing, modules, fittings)")
    cog_mm: list[float] = q(length=3, unit="mm", doc="from the top-face centre; z is negative (below)")
    friction: float = q(lo=0.05, hi=1.5, doc="Coulomb friction of the pack's surfaces")
    dimensions: Dimensions = q()
    tolerances: Tolerances = q()
    connector: Connector = q()
    locks: PackLocks = q()
    seat_points_mm: list[list[float]] = q(
        unit="mm", doc="[x, y] where the interface face bears on its seat: vehicle pads, cradle or stand pads"
    )
    electrical: Electrical = q()
    coolant_position_mm: list[float] = q(length=2, unit="mm", doc="[x, y] of the coolant port on the interface face")

    def _face_problems(self, named_points: dict[str, list[list[float]]]) -> list[tuple[str, str]]:
        from twin.rigs import FAMILIES

        out = [("vehicles", "a pack names at least one vehicle it fits")] if not self.vehicles else []
        if self.access != FORM_ACCESS[self.form]:
            out.append(("access", f"a {self.form} pack is reached from {FORM_ACCESS[self.form]}, not {self.access!r}"))
        out += [
            ("rig_families", f"{name!r} is not a rig family; choose from {', '.join(sorted(FAMILIES))}")
            for name in self.rig_families
            if name not in FAMILIES
        ]
        h = self.dimensions.height_mm
        if not (-h <= self.cog_mm[2] <= 0.0):
            out.append(("cog_mm", f"z={self.cog_mm[2]} must lie inside the pack: [{-h}, 0] mm below the top face"))
        half_l, half_w = self.dimensions.length_mm / 2, self.dimensions.width_mm / 2
        out += [(f"seat_points_mm[{i}]", "needs [x, y]") for i, p in enumerate(self.seat_points_mm) if len(p) != 2]
        if len(self.seat_points_mm) < 3:
            out.append(
                (
                    "seat_points_mm",
                    f"a pack needs at least 3 seat points to rest stably, got {len(self.seat_points_mm)}",
                )
            )
        named_points = {**named_points, "seat_points": self.seat_points_mm}
        for name, pts in named_points.items():
            for i, (x, y) in enumerate(pts):
                if abs(x) > half_l or abs(y) > half_w:
                    key = name if name == "seat_points" else f"{name}.positions"
                    out.append((f"{key}_mm[{i}]", f"[{x}, {y}] lies outside the {2 * half_l} x {2 * half_w} mm face"))
        return out


@dataclass(frozen=True)
class PackUnderbody(PackBase):
    form: Literal["underbody"] = q(doc="underbody")
    flange: Flange = q()
    locating_pins: LocatingPins = q()
    rig_holes: RigHoles = q()
    support_points_mm: list[list[float]] = q(
        unit="mm",
        doc="[x, y] of the four reinforced points of the bottom face a rig's pads may bear on: [+-x, +-y]",
    )
    visual_mesh: VisualMesh = q(factory=VisualMesh, doc="optional brand mesh, visual only")

    def check(self):
        out = self._face_problems(
            {
                "locating_pins": self.locating_pins.positions_mm,
                "rig_holes": self.rig_holes.positions_mm,
                "support_points": self.support_points_mm,
            }
        )
        h = self.dimensions.height_mm
        if self.rig_holes.depth_mm >= h:
            out.append(("rig_holes.depth_mm", f"{self.rig_holes.depth_mm} must be less than the pack height {h} mm"))
        half_l, half_w = self.dimensions.length_mm / 2, self.dimensions.width_mm / 2
        out += self._support_problems()
        # A hole needs its chamfer's mouth and a wall inside the face: one on an end face is no hole.
        reach = self.rig_holes.diameter_mm / 2 + self.rig_holes.chamfer_mm + HOLE_WALL_MM
        for i, (x, y) in enumerate(self.rig_holes.positions_mm):
            if abs(x) + reach > half_l or abs(y) + reach > half_w:
                out.append(
                    (
                        f"rig_holes.positions_mm[{i}]",
                        f"[{x}, {y}]: the hole with its chamfer and {HOLE_WALL_MM:g} mm wall reaches {reach:g} mm "
                        f"beyond it, past the {2 * half_l} x {2 * half_w} mm bottom face",
                    )
                )
        for i, (x, y) in enumerate(self.locks.positions_mm):
            if abs(x) > half_l or not (half_w <= abs(y) <= half_w + self.flange.width_mm):
                out.append(
                    (
                        f"locks.positions_mm[{i}]",
                        f"[{x}, {y}] must lie on a side flange: |y| in [{half_w}, {half_w + self.flange.width_mm}] mm",
                    )
                )
        return out

    def _support_problems(self) -> list[tuple[str, str]]:
        pts = self.support_points_mm
        if len(pts) != 4 or any(len(p) != 2 for p in pts):
            return [("support_points_mm", f"four [x, y] points, one under each corner of a rectangle; got {pts}")]
        xs, ys = {abs(p[0]) for p in pts}, {abs(p[1]) for p in pts}
        corners = {(1 if p[0] > 0 else -1, 1 if p[1] > 0 else -1) for p in pts}
        if len(xs) != 1 or len(ys) != 1 or len(corners) != 4:
            return [("support_points_mm", f"must be the corners [+-x, +-y] of a rectangle centred on the pack: {pts}")]
        return []


@dataclass(frozen=True)
class LiftingPoints:
    """ISO 1161-style corner castings on the top face, for the spreader's twist-locks."""

    positions_mm: list[list[float]] = q(
        unit="mm", doc="[x, y] of each casting's aperture centre; the spreader sets its span to their largest |y|"
    )
    # ISO 1161 top aperture: 124.5 mm long axis, flats 63.5 mm apart (B, domain.md).
    aperture_length_mm: float = q(lo=10.0, hi=500.0, unit="mm", doc="long axis, along x")
    aperture_width_mm: float = q(lo=10.0, hi=500.0, unit="mm", doc="across the flats")
    casting_size_mm: float = q(lo=50.0, hi=500.0, unit="mm", doc="square footprint of a casting")
    casting_height_mm: float = q(lo=5.0, hi=300.0, unit="mm", doc="standing proud of the top face")

    def check(self):
        out = [(f"positions_mm[{i}]", "needs [x, y]") for i, p in enumerate(self.positions_mm) if len(p) != 2]
        if len(self.positions_mm) != 4:
            out.append(("positions_mm", f"a spreader lifts by four points, got {len(self.positions_mm)}"))
        if self.aperture_width_mm >= self.aperture_length_mm:
            out.append(("aperture_width_mm", "the aperture's width must be below its length"))
        return out


@dataclass(frozen=True)
class ConeSockets:
    """Chamfered sockets in the bottom face that the vehicle's guide cones find."""

    positions_mm: list[list[float]] = q(unit="mm", doc="[x, y] on the bottom face")
    diameter_mm: float = q(lo=10.0, hi=300.0, unit="mm", doc="wider than the guide cones")
    chamfer_mm: float = q(lo=0.0, hi=100.0, unit="mm", doc="45 degree lead-in")
    depth_mm: float = q(lo=10.0, hi=500.0, unit="mm", doc="deeper than the cones stand")

    def check(self):
        return [(f"positions_mm[{i}]", "needs [x, y]") for i, p in enumerate(self.positions_mm) if len(p) != 2]


@dataclass(frozen=True)
class PackTopLift(PackBase):
    form: Literal["top_lift"] = q(doc="top_lift")
    lifting_points: LiftingPoints = q()
    cone_sockets: ConeSockets = q()
    visual_mesh: VisualMesh = q(factory=VisualMesh, doc="optional brand mesh, visual only")

    def check(self):
        out = self._face_problems(
            {
                "lifting_points": self.lifting_points.positions_mm,
                "cone_sockets": self.cone_sockets.positions_mm,
                "locks": self.locks.positions_mm,
            }
        )
        h = self.dimensions.height_mm
        if self.cone_sockets.depth_mm >= h:
            out.append(
                ("cone_sockets.depth_mm", f"{self.cone_sockets.depth_mm} must be less than the pack height {h} mm")
            )
        return out


@dataclass(frozen=True)
class SideRails:
    """Guide rails along the pack's two long side walls: the rollers or slides
    it runs on into its compartment ([rollers] C in the brands notes)."""

    height_mm: float = q(lo=0.0, hi=3000.0, unit="mm", doc="rail centre above the pack's bottom face")
    length_mm: float = q(lo=50.0, hi=6000.0, unit="mm", doc="along the pack's length (x)")
    size_mm: float = q(lo=5.0, hi=200.0, unit="mm", doc="square section standing out of the side wall")


@dataclass(frozen=True)
class PackSide(PackBase):
    """A pack slid sideways (along y) out of a compartment in the vehicle's flank.
    Its frame is the centre of its top face like every form; y points out of
    the vehicle on the side it is drawn from (``side``)."""

    form: Literal["side"] = q(doc="side")
    side: Literal["left", "right"] = q(doc="the vehicle's side its compartment opens to")
    rails: SideRails = q()
    visual_mesh: VisualMesh = q(factory=VisualMesh, doc="optional brand mesh, visual only")

    def check(self):
        out = self._face_problems({"locks": self.locks.positions_mm})
        h = self.dimensions.height_mm
        if self.rails.height_mm + self.rails.size_mm / 2 > h:
            out.append(("rails.height_mm", f"{self.rails.height_mm} puts the rails above the pack's {h} mm height"))
        return out


Pack = PackUnderbody | PackTopLift | PackSide
PACK_SCHEMAS: dict[str, type] = {"underbody": PackUnderbody, "top_lift": PackTopLift, "side": PackSide}
# The access direction each form's geometry is built for.
FORM_ACCESS: dict[str, str] = {"underbody": "below", "top_lift": "above", "side": "side"}
