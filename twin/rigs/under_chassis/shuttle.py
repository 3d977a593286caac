"""The under-chassis shuttle: travel x, align y, lift z, yaw, and a floating pallet.

Kinematic chain (one pybullet multibody, fixed to the rails):
rail -travel(x)- carriage -align(y)- cross -lift(z)- lift table -yaw- turntable
-float_x- float stage -float_y- pallet.

The pallet's tooling (the pack it carries decides where): two pad beams slide
along x (``pads_x``: one drive, the rear beam mirrored), each carries two pads
sliding along y (``pads_y``), and two locating pins slide along x
(``pins_x``). Each tooling joint's axis points away from the pallet's centre,
so every joint of one axis sits at the axis's position: the half-span.

Axes and float are driven by ``twin.servo_rig.ServoRig``.

The pallet frame sits on the pad tops (the plane a carried pack's bottom face
rests on), at the pallet's centre.
"""

from __future__ import annotations

from twin.entities.drives import AxisSpec
from twin.entities.servo_rig import ServoRig, hard_stops
from twin.rigs.under_chassis.schema import UnderChassisRig
from twin.urdf.features import locating_pin
from twin.urdf.model import Box, Inertial, Joint, Link, Robot
from twin.world import World, pb

MM = 1e-3


_DARK = (0.2, 0.2, 0.2, 1.0)
# Tooling joints: (joint, parent, axis direction, the axis it follows; None: the axis's own joint).
_BEAMS = (("pads_x", "pallet", (1, 0, 0)), ("pads_x_rear", "pallet", (-1, 0, 0)))
_PADS = tuple(
    # The front-left pad's joint is the axis's own.
    ("pads_y" if (beam, side) == ("front", "left") else f"pads_y_{beam}_{side}", beam_link, (0, sign, 0), beam, side)
    for beam, beam_link in (("front", "beam_front"), ("rear", "beam_rear"))
    for side, sign in (("left", 1), ("right", -1))
)
_PINS = (("pins_x", "pallet", (1, 0, 0)), ("pins_x_rear", "pallet", (-1, 0, 0)))
FOLLOWERS = {
    "pads_x": ("pads_x_rear",),
    "pads_y": tuple(name for name, *_ in _PADS if name != "pads_y"),
    "pins_x": ("pins_x_rear",),
}


def axis_specs(rig: UnderChassisRig) -> list[AxisSpec]:
    a = rig.axes
    return [
        AxisSpec.linear("travel", a.travel),
        AxisSpec.linear("align", a.align),
        AxisSpec.linear("lift", a.lift),
        AxisSpec.rotary("yaw", a.yaw),
        AxisSpec.linear("pads_x", a.pads_x),
        AxisSpec.linear("pads_y", a.pads_y),
        AxisSpec.linear("pins_x", a.pins_x),
    ]


def _tooling(rig: UnderChassisRig, specs: dict[str, AxisSpec]) -> tuple[list[Link], list[Joint]]:
    """The pad beams, the pads on them and the pins, each on its prismatic joint."""
    p = rig.pallet
    pad, pad_h = p.pad_size_mm * MM, p.pad_height_mm * MM
    tiny = (0.05, 0.05, 0.05)
    links, joints = [], []
    for name, parent, axis in _BEAMS:
        child = "beam_front" if axis[0] > 0 else "beam_rear"
        links.append(Link(child, Inertial.box(mass_kg=p.beam_mass_kg, size=tiny), []))
        lo, hi = hard_stops(specs["pads_x"])
        joints.append(Joint(name, "prismatic", parent, child, axis=axis, lower=lo, upper=hi))
    for name, parent, axis, beam, side in _PADS:
        child = f"pad_{beam}_{side}"
        box = Box(size=(pad, pad, pad_h), xyz=(0.0, 0.0, -pad_h / 2.0))
        links.append(Link(child, Inertial.box(mass_kg=p.pad_mass_kg, size=(pad, pad, pad_h)), [box], rgba=_DARK))
        lo, hi = hard_stops(specs["pads_y"])
        joints.append(Joint(name, "prismatic", parent, child, axis=axis, lower=lo, upper=hi))
    for name, parent, axis in _PINS:
        child = f"pin_{'front' if axis[0] > 0 else 'rear'}"
        # The pin rises from the plate; its buried lower hemisphere sits in the plate.
        shape = locating_pin(
            x_m=0.0, y_m=0.0, z_base_m=-pad_h, diameter_m=p.pin_diameter_mm * MM, length_m=p.pin_length_mm * MM + pad_h
        )
        links.append(Link(child, Inertial.box(mass_kg=p.pin_mass_kg, size=tiny), [shape], rgba=_DARK))
        lo, hi = hard_stops(specs["pins_x"])
        joints.append(Joint(name, "prismatic", parent, child, axis=axis, lower=lo, upper=hi))
    return links, joints


def tooling_mass_kg(rig: UnderChassisRig) -> float:
    p = rig.pallet
    return 4 * p.pad_mass_kg + 2 * p.beam_mass_kg + 2 * p.pin_mass_kg


def build_shuttle_urdf(rig: UnderChassisRig) -> Robot:
    c, p, fl = rig.carriage, rig.pallet, rig.float
    specs = {s.name: s for s in axis_specs(rig)}
    tiny = (0.05, 0.05, 0.05)
    pad_h, plate_t = p.pad_height_mm * MM, p.thickness_mm * MM
    pallet_shapes = [Box(size=(p.length_mm * MM, p.width_mm * MM, plate_t), xyz=(0.0, 0.0, -pad_h - plate_t / 2.0))]
    carriage_size = (c.length_mm * MM, c.width_mm * MM, c.height_mm * MM)
    rail_len = specs["travel"].upper - specs["travel"].lower + c.length_mm * MM
    rail_mid = (specs["travel"].upper + specs["travel"].lower) / 2.0
    links = [
        Link(
            "rail",
            Inertial.box(mass_kg=1000.0, size=(rail_len, 1.0, 0.05)),
            [],
            visuals=[Box(size=(rail_len, 0.8, 0.02), xyz=(rail_mid, 0.0, 0.01))],
            rgba=(0.3, 0.3, 0.3, 1.0),
        ),
        Link(
            "carriage",
            Inertial.box(mass_kg=c.mass_kg, size=carriage_size, com=(0.0, 0.0, carriage_size[2] / 2.0)),
            [Box(size=carriage_size, xyz=(0.0, 0.0, carriage_size[2] / 2.0))],
            rgba=(0.9, 0.55, 0.1, 1.0),
        ),
        Link("cross", Inertial.box(mass_kg=c.align_stage_mass_kg, size=tiny), []),
        Link(
            "lift_table",
            Inertial.box(mass_kg=c.lift_stage_mass_kg, size=tiny),
            [],
            visuals=[Box(size=(0.6, 0.6, 0.05), xyz=(0.0, 0.0, -pad_h - plate_t - 0.025))],
            rgba=(0.9, 0.55, 0.1, 1.0),
        ),
        Link("turntable", Inertial.box(mass_kg=c.float_stage_mass_kg, size=tiny), []),
        Link("float_stage", Inertial.box(mass_kg=c.float_stage_mass_kg, size=tiny), []),
        Link(
            "pallet",
            Inertial.box(
                mass_kg=p.mass_kg - tooling_mass_kg(rig),
                size=(p.length_mm * MM, p.width_mm * MM, plate_t),
                com=(0.0, 0.0, -pad_h - plate_t / 2.0),
            ),
            pallet_shapes,
            rgba=(0.2, 0.2, 0.2, 1.0),
        ),
    ]
    fr = fl.range_mm * MM

    def joint(name, jtype, parent, child, axis, spec=None, lo=0.0, hi=0.0, xyz=(0.0, 0.0, 0.0)):
        if spec is not None:
            lo, hi = hard_stops(spec)
        return Joint(name, jtype, parent, child, xyz=xyz, axis=axis, lower=lo, upper=hi)

    joints = [
        joint("travel", "prismatic", "rail", "carriage", (1, 0, 0), specs["travel"]),
        joint("align", "prismatic", "carriage", "cross", (0, 1, 0), specs["align"]),
        joint(
            "lift",
            "prismatic",
            "cross",
            "lift_table",
            (0, 0, 1),
            specs["lift"],
            xyz=(0.0, 0.0, p.top_at_lift_zero_mm * MM),
        ),
        joint("yaw", "revolute", "lift_table", "turntable", (0, 0, 1), specs["yaw"]),
        joint("float_x", "prismatic", "turntable", "float_stage", (1, 0, 0), lo=-fr, hi=fr),
        joint("float_y", "prismatic", "float_stage", "pallet", (0, 1, 0), lo=-fr, hi=fr),
    ]
    tool_links, tool_joints = _tooling(rig, specs)
    return Robot(name=f"shuttle_{rig.name}", links=links + tool_links, joints=joints + tool_joints)


class Shuttle(ServoRig):
    """The shuttle in the world: travel, align, lift, yaw, and the floating pallet."""

    def __init__(self, world: World, rig: UnderChassisRig, *, command_timeout_periods: int):
        self.spec = rig
        body = world.load(build_shuttle_urdf(rig), position=(0.0, 0.0, 0.0), fixed=True)
        c = rig.carriage
        # Everything the lift joint carries besides a pack: the load cell's tare.
        tare_n = (c.lift_stage_mass_kg + 2 * c.float_stage_mass_kg + rig.pallet.mass_kg) * world.physics.gravity_m_s2
        super().__init__(
            world,
            body,
            axis_specs(rig),
            rig.float,
            tool_joint="float_y",
            tool_frame_joint="yaw",
            load_axis="lift",
            tare_n=tare_n,
            command_timeout_periods=command_timeout_periods,
            followers=FOLLOWERS,
        )
        pb.changeDynamics(body, self.tool_link, lateralFriction=rig.pallet.friction, physicsClientId=world.cid)
