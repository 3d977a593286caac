"""The side carrier: travel x, lift z, reach y, yaw, and a floating tray.

Kinematic chain (one pybullet multibody, fixed to its rail beside the lane):
rail -travel(x)- body -lift(z)- mast carriage -reach(y)- fork -yaw- turntable
-float_x- float stage -float_y- tray.

The reach joint's position is the tray centre's world y (its origin is put
back by the rail's offset), so a taught reach is a place across the lane.
The fork between mast and tray is drawn, not collided: the tray's plate is
what slides under a pack between its frame's ledges. The tray frame sits on
its top face (where a carried pack's bottom rests), at its centre.
"""

from __future__ import annotations

from twin.entities.drives import AxisSpec
from twin.entities.servo_rig import ServoRig, hard_stops
from twin.rigs.side.schema import SideRig
from twin.urdf.model import Box, Inertial, Joint, Link, Robot
from twin.world import World, pb

MM = 1e-3
_ORANGE = (0.9, 0.55, 0.1, 1.0)


def axis_specs(rig: SideRig) -> list[AxisSpec]:
    a = rig.axes
    return [
        AxisSpec.linear("travel", a.travel),
        AxisSpec.linear("lift", a.lift),
        AxisSpec.linear("reach", a.reach),
        AxisSpec.rotary("yaw", a.yaw),
    ]


def build_carrier_urdf(rig: SideRig) -> Robot:
    c, t, fl = rig.carrier, rig.tray, rig.float
    specs = {s.name: s for s in axis_specs(rig)}
    tiny = (0.05, 0.05, 0.05)
    body = (c.body_length_mm * MM, c.body_width_mm * MM, c.body_height_mm * MM)
    rail_len = specs["travel"].upper - specs["travel"].lower + body[0]
    rail_mid = (specs["travel"].upper + specs["travel"].lower) / 2.0
    plate = (t.length_mm * MM, t.width_mm * MM, t.thickness_mm * MM)
    links = [
        Link(
            "rail",
            Inertial.box(mass_kg=1000.0, size=(rail_len, 0.5, 0.05)),
            [],
            visuals=[Box(size=(rail_len, 0.4, 0.02), xyz=(rail_mid, 0.0, 0.01))],
            rgba=(0.3, 0.3, 0.3, 1.0),
        ),
        Link(
            "body",
            Inertial.box(mass_kg=c.mass_kg, size=body, com=(0.0, 0.0, body[2] / 2.0)),
            [Box(size=body, xyz=(0.0, 0.0, body[2] / 2.0))],
            rgba=_ORANGE,
        ),
        Link(
            "mast_carriage",
            Inertial.box(mass_kg=c.mast_mass_kg, size=tiny),
            [],
            visuals=[Box(size=(0.3, 0.3, 0.3), xyz=(0.0, 0.0, -t.thickness_mm * MM - 0.15))],
            rgba=_ORANGE,
        ),
        Link("fork", Inertial.box(mass_kg=c.fork_mass_kg, size=tiny), []),
        Link("turntable", Inertial.box(mass_kg=c.float_stage_mass_kg, size=tiny), []),
        Link("float_stage", Inertial.box(mass_kg=c.float_stage_mass_kg, size=tiny), []),
        Link(
            "tray",
            Inertial.box(mass_kg=t.mass_kg, size=plate, com=(0.0, 0.0, -plate[2] / 2.0)),
            [Box(size=plate, xyz=(0.0, 0.0, -plate[2] / 2.0))],
            rgba=(0.2, 0.2, 0.2, 1.0),
        ),
    ]
    fr = fl.range_mm * MM

    def axis_joint(name, parent, child, axis, jtype="prismatic", xyz=(0.0, 0.0, 0.0)):
        lo, hi = hard_stops(specs[name])
        return Joint(name, jtype, parent, child, xyz=xyz, axis=axis, lower=lo, upper=hi)

    joints = [
        axis_joint("travel", "rail", "body", (1, 0, 0)),
        axis_joint("lift", "body", "mast_carriage", (0, 0, 1), xyz=(0.0, 0.0, t.top_at_lift_zero_mm * MM)),
        axis_joint("reach", "mast_carriage", "fork", (0, 1, 0), xyz=(0.0, -c.rail_y_mm * MM, 0.0)),
        axis_joint("yaw", "fork", "turntable", (0, 0, 1), jtype="revolute"),
        Joint("float_x", "prismatic", "turntable", "float_stage", axis=(1, 0, 0), lower=-fr, upper=fr),
        Joint("float_y", "prismatic", "float_stage", "tray", axis=(0, 1, 0), lower=-fr, upper=fr),
    ]
    return Robot(name=f"side_carrier_{rig.name}", links=links, joints=joints)


class Carrier(ServoRig):
    """The carrier in the world, its rail at y = ``carrier.rail_y_mm``."""

    def __init__(self, world: World, rig: SideRig, *, command_timeout_periods: int):
        self.spec = rig
        body = world.load(build_carrier_urdf(rig), position=(0.0, rig.carrier.rail_y_mm * MM, 0.0), fixed=True)
        c = rig.carrier
        # Everything the lift carries besides a pack: the load cell's tare.
        tare_n = (c.mast_mass_kg + c.fork_mass_kg + 2 * c.float_stage_mass_kg + rig.tray.mass_kg) * (
            world.physics.gravity_m_s2
        )
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
        )
        pb.changeDynamics(body, self.tool_link, lateralFriction=rig.tray.friction, physicsClientId=world.cid)
