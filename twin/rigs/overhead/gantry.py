"""The overhead gantry: bridge x, trolley y, hoist z, slew, and a floating spreader.

Kinematic chain (one pybullet multibody, fixed to the building):
base -bridge(x)- bridge -trolley(y)- trolley -hoist(z)- mast -slew- slew ring
-float_x- float stage -float_y- spreader.

The hoist is a rigid guided mast (``structure.hoist_model: rigid_mast``): the
spreader cannot swing. A free rope hoist would add a pendulum mode, which this
model does not have; a station with ropes needs a rope model before its sway
can be judged. The mast hangs on chains, so the hoist pulls and never pushes:
from the step its drive would have to press down, the chains go slack and the
mast rests on what is under it with its own weight, until the chains' end is
back above it. The landing step itself is a rigid body's impact (no chain
or pad compliance), which the contact-force peaks in ``result.json`` show.
When the chains' tension falls below ``hoist_slack_force_n`` while lowering,
the slack-chain switch (debounced) stops the lowering where the load rests.
The float between slew ring and spreader lets the guide cones centre a carried
pack in the last centimetres.

The spreader's landing pads ride on two telescopic beams across the lane
(``span``: one drive, the left beam mirrored), so its twist-locks adapt to the
lifting points of the pack it identified. The twist-locks' load goes into the
spreader's frame at the beams' positions (the beams are held by their drive).

The spreader frame is its landing plane (the underside of its landing pads);
the twist-lock heads hang below it and are modelled by their lock models,
not by collision shapes.
"""

from __future__ import annotations

from twin.entities.drives import AxisSpec
from twin.entities.servo_rig import ServoRig, hard_stops
from twin.rigs.overhead.schema import OverheadRig
from twin.urdf.model import Box, Cylinder, Inertial, Joint, Link, Robot
from twin.world import World, pb

MM = 1e-3
# What the gantry looks like (visual only: no physics reads these), D: a
# double-girder bridge on two legs, running on floor rails; the trolley on top
# of the girders; the mast guided through the trolley into a tower above it,
# long enough to stay in its guide over the whole hoist stroke; twist-lock
# heads under the spreader.
_GIRDER_MM = (300.0, 600.0)  # width, depth
_GIRDER_GAP_MM = 700.0  # between the girders: the mast passes
_LEG_MM = 400.0
_FLOOR_RAIL_MM = (200.0, 150.0)
_TROLLEY_MM = (1500.0, 1200.0, 350.0)
_MAST_MM, _TOWER_MM = 300.0, 550.0
_GUIDE_OVERLAP_MM = 300.0  # mast kept inside the trolley at the lowest hoist position
_TWIST_LOCK_MM = (60.0, 60.0)  # cone diameter, height below the landing plane
_STEEL_RGBA = (0.35, 0.36, 0.38, 1.0)


# The spreader's telescopic beams: the right one's joint is the span axis's own, the left one follows.
FOLLOWERS = {"span": ("span_left",)}


def axis_specs(rig: OverheadRig) -> list[AxisSpec]:
    a = rig.axes
    return [
        AxisSpec.linear("bridge", a.bridge),
        AxisSpec.linear("trolley", a.trolley),
        AxisSpec.linear("hoist", a.hoist),
        AxisSpec.rotary("slew", a.slew),
        AxisSpec.linear("span", a.span),
    ]


def build_gantry_urdf(rig: OverheadRig) -> Robot:
    st, sp, fl = rig.structure, rig.spreader, rig.float
    specs = {s.name: s for s in axis_specs(rig)}
    tiny = (0.1, 0.1, 0.1)
    pad, pad_h, t = sp.landing_pad_size_mm * MM, sp.landing_pad_height_mm * MM, sp.thickness_mm * MM
    L, W = sp.length_mm * MM, sp.width_mm * MM
    spreader_shapes = [Box(size=(L, W, t), xyz=(0.0, 0.0, pad_h + t / 2.0))]
    # Each beam carries the two landing pads (and twist-locks) of one side, at x = +-twist_lock_x_mm.
    tx = sp.twist_lock_x_mm * MM
    beam_pads = [Box(size=(pad, pad, pad_h), xyz=(sx * tx, 0.0, pad_h / 2.0)) for sx in (-1.0, 1.0)]
    top = sp.hoist_zero_height_mm * MM + specs["hoist"].upper + 1.0
    span_y = specs["trolley"].upper - specs["trolley"].lower + 2.0
    v = _GantryLook(rig, top_m=top, span_y_m=span_y, spreader_top_m=pad_h + t)
    links = [
        Link("base", Inertial.box(mass_kg=1000.0, size=tiny), [], visuals=v.floor_rails(), rgba=_STEEL_RGBA),
        Link(
            "bridge",
            Inertial.box(mass_kg=st.bridge_mass_kg, size=(1.0, span_y, 1.0)),
            [],
            visuals=v.bridge(),
            rgba=(0.95, 0.75, 0.1, 1.0),
        ),
        Link(
            "trolley",
            Inertial.box(mass_kg=st.trolley_mass_kg, size=(1.5, 1.5, 0.5)),
            [],
            visuals=v.trolley(),
            rgba=(0.9, 0.5, 0.1, 1.0),
        ),
        Link(
            "mast",
            Inertial.box(mass_kg=st.hoist_mass_kg, size=(0.4, 0.4, 2.0)),
            [],
            visuals=v.mast(),
            rgba=(0.5, 0.5, 0.5, 1.0),
        ),
        Link("slew_ring", Inertial.box(mass_kg=st.float_stage_mass_kg, size=tiny), []),
        Link("float_stage", Inertial.box(mass_kg=st.float_stage_mass_kg, size=tiny), []),
        Link(
            "spreader",
            Inertial.box(mass_kg=sp.mass_kg - 2 * sp.beam_mass_kg, size=(L, W, t), com=(0.0, 0.0, pad_h + t / 2.0)),
            spreader_shapes,
            visuals=spreader_shapes,
            rgba=(0.2, 0.3, 0.35, 1.0),
        ),
    ]
    links += [
        Link(
            name,
            Inertial.box(mass_kg=sp.beam_mass_kg, size=(2 * tx + pad, pad, pad_h), com=(0.0, 0.0, pad_h / 2.0)),
            beam_pads,
            visuals=beam_pads + v.twist_locks(),
            rgba=(0.2, 0.3, 0.35, 1.0),
        )
        for name in ("beam_right", "beam_left")
    ]
    fr = fl.range_mm * MM

    def axis_joint(name, parent, child, axis, jtype="prismatic", xyz=(0.0, 0.0, 0.0)):
        lo, hi = hard_stops(specs[name])
        return Joint(name, jtype, parent, child, xyz=xyz, axis=axis, lower=lo, upper=hi)

    joints = [
        axis_joint("bridge", "base", "bridge", (1, 0, 0)),
        axis_joint("trolley", "bridge", "trolley", (0, 1, 0)),
        axis_joint("hoist", "trolley", "mast", (0, 0, 1), xyz=(0.0, 0.0, sp.hoist_zero_height_mm * MM)),
        axis_joint("slew", "mast", "slew_ring", (0, 0, 1), jtype="revolute"),
        Joint("float_x", "prismatic", "slew_ring", "float_stage", axis=(1, 0, 0), lower=-fr, upper=fr),
        Joint("float_y", "prismatic", "float_stage", "spreader", axis=(0, 1, 0), lower=-fr, upper=fr),
    ]
    lo, hi = hard_stops(specs["span"])
    joints += [
        Joint("span", "prismatic", "spreader", "beam_right", axis=(0, 1, 0), lower=lo, upper=hi),
        Joint("span_left", "prismatic", "spreader", "beam_left", axis=(0, -1, 0), lower=lo, upper=hi),
    ]
    return Robot(name=f"gantry_{rig.name}", links=links, joints=joints)


class _GantryLook:
    """The gantry's visual parts, each in its link's frame (heights above the floor where the frame is the floor's)."""

    def __init__(self, rig: OverheadRig, *, top_m: float, span_y_m: float, spreader_top_m: float):
        specs = {s.name: s for s in axis_specs(rig)}
        self.rig, self.top, self.span_y = rig, top_m, span_y_m
        self.girder_w, self.girder_d = (v * MM for v in _GIRDER_MM)
        self.girder_x = (_GIRDER_GAP_MM * MM + self.girder_w) / 2
        self.leg_y = span_y_m / 2 - _LEG_MM * MM / 2
        self.bridge_travel = (specs["bridge"].lower, specs["bridge"].upper)
        self.trolley_bottom = top_m + self.girder_d / 2  # the trolley runs on the girders
        hoist, zero = specs["hoist"], rig.spreader.hoist_zero_height_mm * MM
        # The mast (in its frame, from the spreader's top) reaches into the trolley at the lowest
        # hoist position; the tower above the trolley holds it at the highest.
        self.mast_bottom = spreader_top_m
        self.mast_len = self.trolley_bottom + _GUIDE_OVERLAP_MM * MM - (zero + hoist.lower + spreader_top_m)
        self.tower_top = zero + hoist.upper + spreader_top_m + self.mast_len + 0.1

    def floor_rails(self) -> list:
        lo, hi = self.bridge_travel
        w, h = (v * MM for v in _FLOOR_RAIL_MM)
        length = hi - lo + 2 * _LEG_MM * MM + 1.0
        return [Box(size=(length, w, h), xyz=((lo + hi) / 2, s * self.leg_y, h / 2)) for s in (-1.0, 1.0)]

    def bridge(self) -> list:
        leg, rail_h = _LEG_MM * MM, _FLOOR_RAIL_MM[1] * MM
        out = [
            Box(size=(self.girder_w, self.span_y, self.girder_d), xyz=(s * self.girder_x, 0.0, self.top))
            for s in (-1.0, 1.0)
        ]
        leg_h = self.top + self.girder_d / 2 - rail_h
        span_x = 2 * self.girder_x + self.girder_w
        for s in (-1.0, 1.0):
            out.append(Box(size=(span_x, leg, leg_h), xyz=(0.0, s * self.leg_y, rail_h + leg_h / 2)))
        return out

    def trolley(self) -> list:
        tx, ty, tz = (v * MM for v in _TROLLEY_MM)
        tower = _TOWER_MM * MM
        tower_h = self.tower_top - (self.trolley_bottom + tz)
        return [
            Box(size=(tx, ty, tz), xyz=(0.0, 0.0, self.trolley_bottom + tz / 2)),
            Box(size=(tower, tower, tower_h), xyz=(0.0, 0.0, self.trolley_bottom + tz + tower_h / 2), rgba=_STEEL_RGBA),
        ]

    def mast(self) -> list:
        m = _MAST_MM * MM
        return [Box(size=(m, m, self.mast_len), xyz=(0.0, 0.0, self.mast_bottom + self.mast_len / 2))]

    def twist_locks(self) -> list:
        """A beam's two twist-lock heads, under its pads at x = +-twist_lock_x_mm (the span axis moves the beam)."""
        d, h = (v * MM for v in _TWIST_LOCK_MM)
        tx = self.rig.spreader.twist_lock_x_mm * MM
        return [Cylinder(d / 2, h, xyz=(sx * tx, 0.0, -h / 2), rgba=_STEEL_RGBA) for sx in (-1.0, 1.0)]


class Gantry(ServoRig):
    def __init__(self, world: World, rig: OverheadRig, *, command_timeout_periods: int):
        self.spec = rig
        body = world.load(build_gantry_urdf(rig), position=(0.0, 0.0, 0.0), fixed=True)
        st = rig.structure
        # Everything the hoist carries besides a pack: the load cell's tare.
        tare_n = (st.hoist_mass_kg + 2 * st.float_stage_mass_kg + rig.spreader.mass_kg) * world.physics.gravity_m_s2
        self.slack = False
        self.chain_slack = False  # before ServoRig's first read()
        self._slack_s = 0.0
        super().__init__(
            world,
            body,
            axis_specs(rig),
            rig.float,
            tool_joint="float_y",
            tool_frame_joint="slew",
            load_axis="hoist",
            tare_n=tare_n,
            command_timeout_periods=command_timeout_periods,
            followers=FOLLOWERS,
        )

    def read(self) -> None:
        super().read()
        if self.chain_slack:
            self.motor_force["hoist"] = 0.0  # slack chains carry nothing (pybullet reports the last solve)

    def actuate(self, dt: float) -> None:
        """Chains that only pull, and the slack-chain switch: a lowering hoist whose load rests stops there."""
        hoist = self.drives.drives["hoist"]
        q = self.q["hoist"]
        st = self.spec.structure
        # 1. The chains: slack from the step the drive would have to push the
        # mast down; taut again once the chain's end is back above the mast.
        chain_end = self.blocked_at.get("hoist", hoist.ref_pos - self.encoder_offset["hoist"])
        self.chain_slack = chain_end < q if self.chain_slack else self.motor_force["hoist"] < 0.0
        # 2. The switch: the chains' tension below its threshold while lowering, debounced.
        below = self.motor_force["hoist"] < st.hoist_slack_force_n and hoist.ref_pos < q + self.encoder_offset["hoist"]
        self._slack_s = self._slack_s + dt if below else 0.0
        self.slack = below and self._slack_s >= st.hoist_slack_debounce_s
        if self.slack:
            hoist.ref_pos = hoist.target = q + self.encoder_offset["hoist"]
            hoist.ref_vel = 0.0
        super().actuate(dt)
        if self.chain_slack:
            # The mast rests on what is under it with its own weight; the motor pays out chain.
            pb.setJointMotorControl2(
                self.body, self.joint["hoist"], pb.VELOCITY_CONTROL, force=0.0, physicsClientId=self.world.cid
            )
