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
from twin.urdf.model import Box, Inertial, Joint, Link, Robot
from twin.world import World, pb

MM = 1e-3


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
    links = [
        Link("base", Inertial.box(mass_kg=1000.0, size=tiny), []),
        Link(
            "bridge",
            Inertial.box(mass_kg=st.bridge_mass_kg, size=(1.0, span_y, 1.0)),
            [],
            visuals=[Box(size=(0.6, span_y, 0.6), xyz=(0.0, 0.0, top))],
            rgba=(0.95, 0.75, 0.1, 1.0),
        ),
        Link(
            "trolley",
            Inertial.box(mass_kg=st.trolley_mass_kg, size=(1.5, 1.5, 0.5)),
            [],
            visuals=[Box(size=(1.2, 1.2, 0.4), xyz=(0.0, 0.0, top - 0.5))],
            rgba=(0.9, 0.5, 0.1, 1.0),
        ),
        Link(
            "mast",
            Inertial.box(mass_kg=st.hoist_mass_kg, size=(0.4, 0.4, 2.0)),
            [],
            visuals=[Box(size=(0.3, 0.3, 2.0), xyz=(0.0, 0.0, pad_h + t + 1.0))],
            rgba=(0.5, 0.5, 0.5, 1.0),
        ),
        Link("slew_ring", Inertial.box(mass_kg=st.float_stage_mass_kg, size=tiny), []),
        Link("float_stage", Inertial.box(mass_kg=st.float_stage_mass_kg, size=tiny), []),
        Link(
            "spreader",
            Inertial.box(mass_kg=sp.mass_kg - 2 * sp.beam_mass_kg, size=(L, W, t), com=(0.0, 0.0, pad_h + t / 2.0)),
            spreader_shapes,
            rgba=(0.2, 0.3, 0.35, 1.0),
        ),
    ]
    links += [
        Link(
            name,
            Inertial.box(mass_kg=sp.beam_mass_kg, size=(2 * tx + pad, pad, pad_h), com=(0.0, 0.0, pad_h / 2.0)),
            beam_pads,
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
