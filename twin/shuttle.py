"""The under-chassis shuttle: travel x, align y, lift z, yaw, and a floating pallet.

Kinematic chain (one pybullet multibody, fixed to the rails):
rail -travel(x)- carriage -align(y)- cross -lift(z)- lift table -yaw- turntable
-float_x- float stage -float_y- pallet.

The four servo axes follow their drives' set-points (``twin.drives``) through
pybullet position motors with explicit force and gains; URDF effort limits are
ignored by pybullet's motors (measured.md, pitfall 6). The float is passive: a
centring spring and damper when released, held at centre by its centring lock
otherwise. The floating pallet is what lets the chamfers guide the last
millimetres: measured.md found a stiff rig jams on a chamfer that a floating
pin passes.

The pallet frame sits on the pad tops (the plane a carried pack's bottom face
rests on), at the pallet's centre.
"""

from __future__ import annotations

from twin.drives import AxisSpec, DriveGroup
from twin.frames import Pose
from twin.schema.rig import UnderChassisRig
from twin.urdf.features import locating_pin
from twin.urdf.model import Box, Inertial, Joint, Link, Robot
from twin.world import World, pb

MM = 1e-3
AXES = ("travel", "align", "lift", "yaw")
FLOAT_JOINTS = ("float_x", "float_y")


def axis_specs(rig: UnderChassisRig) -> list[AxisSpec]:
    a = rig.axes
    return [
        AxisSpec.linear("travel", a.travel),
        AxisSpec.linear("align", a.align),
        AxisSpec.linear("lift", a.lift),
        AxisSpec.rotary("yaw", a.yaw),
    ]


def build_shuttle_urdf(rig: UnderChassisRig) -> Robot:
    c, p, fl = rig.carriage, rig.pallet, rig.float
    specs = {s.name: s for s in axis_specs(rig)}
    tiny = (0.05, 0.05, 0.05)
    pad_h, plate_t = p.pad_height_mm * MM, p.thickness_mm * MM
    pallet_shapes = [Box(size=(p.length_mm * MM, p.width_mm * MM, plate_t), xyz=(0.0, 0.0, -pad_h - plate_t / 2.0))]
    pad = p.pad_size_mm * MM
    pallet_shapes += [Box(size=(pad, pad, pad_h), xyz=(x * MM, y * MM, -pad_h / 2.0)) for x, y in p.pad_positions_mm]
    # Pins rise from the plate; their buried lower hemisphere sits in the plate.
    pallet_shapes += [
        locating_pin(x_m=x * MM, y_m=y * MM, z_base_m=-pad_h, diameter_m=p.pin_diameter_mm * MM, length_m=p.pin_length_mm * MM + pad_h)
        for x, y in p.pin_positions_mm
    ]
    carriage_size = (c.length_mm * MM, c.width_mm * MM, c.height_mm * MM)
    rail_len = specs["travel"].upper - specs["travel"].lower + c.length_mm * MM
    rail_mid = (specs["travel"].upper + specs["travel"].lower) / 2.0
    links = [
        Link("rail", Inertial.box(mass_kg=1000.0, size=(rail_len, 1.0, 0.05)), [], visuals=[Box(size=(rail_len, 0.8, 0.02), xyz=(rail_mid, 0.0, 0.01))], rgba=(0.3, 0.3, 0.3, 1.0)),
        Link("carriage", Inertial.box(mass_kg=c.mass_kg, size=carriage_size, com=(0.0, 0.0, carriage_size[2] / 2.0)), [Box(size=carriage_size, xyz=(0.0, 0.0, carriage_size[2] / 2.0))], rgba=(0.9, 0.55, 0.1, 1.0)),
        Link("cross", Inertial.box(mass_kg=c.align_stage_mass_kg, size=tiny), []),
        Link("lift_table", Inertial.box(mass_kg=c.lift_stage_mass_kg, size=tiny), [], visuals=[Box(size=(0.6, 0.6, 0.05), xyz=(0.0, 0.0, -pad_h - plate_t - 0.025))], rgba=(0.9, 0.55, 0.1, 1.0)),
        Link("turntable", Inertial.box(mass_kg=c.float_stage_mass_kg, size=tiny), []),
        Link("float_stage", Inertial.box(mass_kg=c.float_stage_mass_kg, size=tiny), []),
        Link("pallet", Inertial.box(mass_kg=p.mass_kg, size=(p.length_mm * MM, p.width_mm * MM, plate_t), com=(0.0, 0.0, -pad_h - plate_t / 2.0)), pallet_shapes, rgba=(0.2, 0.2, 0.2, 1.0)),
    ]
    fr = fl.range_mm * MM

    def joint(name, jtype, parent, child, axis, spec=None, lo=0.0, hi=0.0, xyz=(0.0, 0.0, 0.0)):
        if spec is not None:
            # Hard stops sit one following-error limit beyond the soft limits: a
            # drive faults before its axis reaches the stop, and an axis parked
            # at a soft limit still carries its load through its motor (so the
            # load cell, which reads the motor's effort, stays honest).
            lo, hi = spec.lower - spec.following_error_limit, spec.upper + spec.following_error_limit
        return Joint(name, jtype, parent, child, xyz=xyz, axis=axis, lower=lo, upper=hi)

    joints = [
        joint("travel", "prismatic", "rail", "carriage", (1, 0, 0), specs["travel"]),
        joint("align", "prismatic", "carriage", "cross", (0, 1, 0), specs["align"]),
        joint("lift", "prismatic", "cross", "lift_table", (0, 0, 1), specs["lift"], xyz=(0.0, 0.0, p.top_at_lift_zero_mm * MM)),
        joint("yaw", "revolute", "lift_table", "turntable", (0, 0, 1), specs["yaw"]),
        joint("float_x", "prismatic", "turntable", "float_stage", (1, 0, 0), lo=-fr, hi=fr),
        joint("float_y", "prismatic", "float_stage", "pallet", (0, 1, 0), lo=-fr, hi=fr),
    ]
    return Robot(name=f"shuttle_{rig.name}", links=links, joints=joints)


class Shuttle:
    """The shuttle in the world, bound to its drives."""

    def __init__(self, world: World, rig: UnderChassisRig):
        self.world = world
        self.spec = rig
        self.specs = axis_specs(rig)
        self.body = world.load(build_shuttle_urdf(rig), position=(0.0, 0.0, 0.0), fixed=True)
        self.joint = world.joint_indices(self.body)
        self._axis_idx = [self.joint[n] for n in AXES]
        self._float_idx = [self.joint[n] for n in FLOAT_JOINTS]
        self._all_idx = self._axis_idx + self._float_idx
        cid = world.cid
        for s in self.specs:
            pb.resetJointState(self.body, self.joint[s.name], s.home, physicsClientId=cid)
        self.pallet_link = self.joint["float_y"]  # a joint's index is its child link's index
        pb.changeDynamics(self.body, self.pallet_link, lateralFriction=rig.pallet.friction, physicsClientId=cid)
        self._gains_p = [s.position_gain for s in self.specs]
        self._gains_v = [s.velocity_gain for s in self.specs]
        g = world.physics.gravity_m_s2
        c = rig.carriage
        # Everything the lift joint carries besides a pack: the load cell's tare.
        self.tare_n = (c.lift_stage_mass_kg + 2 * c.float_stage_mass_kg + rig.pallet.mass_kg) * g
        self.float_commanded_locked = True
        self.float_locked = True
        self._float_timer_s = 0.0
        self._engage_float_lock()
        self.read()

    # -- state ---------------------------------------------------------------
    def read(self) -> None:
        """Read all joint states once per physics step."""
        states = pb.getJointStates(self.body, self._all_idx, physicsClientId=self.world.cid)
        # getJointStates: per joint (position, velocity, reaction forces, applied motor force)
        self.q = {n: st[0] for n, st in zip(AXES + FLOAT_JOINTS, states)}
        self.qd = {n: st[1] for n, st in zip(AXES + FLOAT_JOINTS, states)}
        self.motor_force = {n: st[3] for n, st in zip(AXES + FLOAT_JOINTS, states)}

    def positions(self) -> dict[str, float]:
        return {n: self.q[n] for n in AXES}

    # -- actuation, every physics step ---------------------------------------
    def actuate(self, drives: DriveGroup, dt: float) -> None:
        ds = [drives.drives[n] for n in AXES]
        pb.setJointMotorControlArray(
            self.body,
            self._axis_idx,
            pb.POSITION_CONTROL,
            targetPositions=[d.ref_pos for d in ds],
            targetVelocities=[d.ref_vel for d in ds],
            forces=[d.force_limit for d in ds],
            positionGains=self._gains_p,
            velocityGains=self._gains_v,
            physicsClientId=self.world.cid,
        )
        self._float_step(dt)

    def command_float_lock(self, locked: bool) -> None:
        if locked != self.float_commanded_locked:
            self.float_commanded_locked = locked
            self._float_timer_s = 0.0
            if locked:
                self._engage_float_lock()

    def _engage_float_lock(self) -> None:
        # The centring lock pulls the float to centre and holds it there.
        pb.setJointMotorControlArray(
            self.body, self._float_idx, pb.POSITION_CONTROL, targetPositions=[0.0, 0.0],
            forces=[self.spec.float.locked_force_n] * 2, physicsClientId=self.world.cid,
        )

    def _float_step(self, dt: float) -> None:
        f = self.spec.float
        if self.float_commanded_locked != self.float_locked:
            self._float_timer_s += dt
            if self._float_timer_s >= f.lock_time_s:
                self.float_locked = self.float_commanded_locked
                if not self.float_locked:
                    # Release the centring motor before applying spring forces.
                    pb.setJointMotorControlArray(
                        self.body, self._float_idx, pb.VELOCITY_CONTROL, forces=[0.0, 0.0], physicsClientId=self.world.cid
                    )
        if self.float_locked or self.float_commanded_locked:
            return
        k = f.stiffness_n_per_mm / MM
        c = f.damping_n_s_per_mm / MM
        forces = [-k * self.q[n] - c * self.qd[n] for n in FLOAT_JOINTS]
        pb.setJointMotorControlArray(self.body, self._float_idx, pb.TORQUE_CONTROL, forces=forces, physicsClientId=self.world.cid)

    # -- frames --------------------------------------------------------------
    def pallet_pose(self) -> Pose:
        return self.world.link_frame(self.body, self.pallet_link)

    def pallet_nominal_pose(self) -> Pose:
        """Where the pallet frame is with the float centred (the turntable frame)."""
        return self.world.link_frame(self.body, self.joint["yaw"])

    def lift_load_n(self) -> float:
        """Force the lift motor exerts beyond the shuttle's own moving mass."""
        return self.motor_force["lift"] - self.tare_n

    @property
    def float_offset_m(self) -> tuple[float, float]:
        return self.q["float_x"], self.q["float_y"]
