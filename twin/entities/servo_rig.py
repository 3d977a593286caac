"""What every rig shares: servo axes bound to drives, and a lockable x-y float.

A rig is one pybullet multibody whose first joints are servo axes, followed by
two passive float joints (x, then y) under the tool (a shuttle's pallet, a
gantry's spreader). The axes follow their drives' set-points through pybullet
position motors with explicit force and gains; URDF effort limits are ignored
by pybullet's motors (measured.md, pitfall 6). The float is a centring spring
and damper when released, held at centre by its centring lock otherwise: it
is what lets chamfers and cones guide the last millimetres (measured.md: a
stiff rig jams on a chamfer that a floating one passes).
"""

from __future__ import annotations

from twin.entities.base import Entity
from twin.entities.drives import AxisSpec, DriveGroup
from twin.frames import Pose
from twin.schema.rig import Float
from twin.world import World, pb

MM = 1e-3
FLOAT_JOINTS = ("float_x", "float_y")


def hard_stops(spec: AxisSpec) -> tuple[float, float]:
    """URDF joint limits for an axis: one following-error limit beyond its soft
    limits. A drive faults before its axis reaches the stop, and an axis parked
    at a soft limit still carries its load through its motor, so a load cell
    that reads the motor's effort stays honest."""
    return spec.lower - spec.following_error_limit, spec.upper + spec.following_error_limit


class ServoRig(Entity):
    """Binds a multibody's axis joints to its drives (``drives``, the drive
    cabinet) and runs its float.

    ``load_axis`` names the vertical axis whose motor effort, less ``tare_n``,
    is what the rig's load cell reads.

    Lifecycle: before each physics step the drives step their profiles and
    the motors follow them; after it the joints are read (once per step:
    everything the next step and the period's models need).

    ``followers``: joints that move with an axis, mirrored by their own joint
    axis (a pad beam on each side of the pallet follows one ``pads_x``
    drive); they take the axis's target and force, and the axis reads its
    own joint.

    Faults it takes: ``axis_stall`` (the axis is blocked where it stands),
    ``axis_slow`` (its drive's profile speed is scaled), ``encoder_drift``
    (its reported position walks away from the true one; the drive closes its
    loop on what it reports).
    """

    fault_kinds = frozenset({"axis_stall", "axis_slow", "encoder_drift"})

    def __init__(
        self,
        world: World,
        body: int,
        specs: list[AxisSpec],
        float_cfg: Float,
        *,
        tool_joint: str,
        tool_frame_joint: str,
        load_axis: str,
        tare_n: float,
        command_timeout_periods: int,
        followers: dict[str, tuple[str, ...]] | None = None,
    ):
        self.world = world
        self.body = body
        self.specs = specs
        self.axes = tuple(s.name for s in specs)
        self.float_cfg = float_cfg
        self.joint = world.joint_indices(body)
        self._axis_idx = [self.joint[n] for n in self.axes]
        # Each follower joint, and the axis it follows.
        self._followers = [(self.joint[j], axis) for axis, joints in (followers or {}).items() for j in joints]
        self._float_idx = [self.joint[n] for n in FLOAT_JOINTS]
        self._all = self.axes + FLOAT_JOINTS
        self._all_idx = self._axis_idx + self._float_idx
        self.tool_link = self.joint[tool_joint]  # a joint's index is its child link's index
        self._nominal_link = self.joint[tool_frame_joint]
        self.load_axis = load_axis
        self.tare_n = tare_n
        for s in specs:
            pb.resetJointState(body, self.joint[s.name], s.home, physicsClientId=world.cid)
        homes = {s.name: s.home for s in specs}
        for idx, axis in self._followers:
            pb.resetJointState(body, idx, homes[axis], physicsClientId=world.cid)
        # Faults: a stalled axis is blocked where it stood; a drifting encoder
        # reports true position + offset, and the drive closes its loop on it.
        self.blocked_at: dict[str, float] = {}
        self.encoder_offset = {n: 0.0 for n in self.axes}
        self.encoder_drift_per_s: dict[str, float] = {}
        self._gains_p = [s.position_gain for s in specs]
        self._gains_v = [s.velocity_gain for s in specs]
        self.float_commanded_locked = True
        self.float_locked = True
        self._float_timer_s = 0.0
        self._engage_float_lock()
        self.read()
        self.drives = DriveGroup(specs, self.positions(), timeout_periods=command_timeout_periods)

    # -- lifecycle -------------------------------------------------------------
    def before_period(self, t_s: float, dt: float) -> None:
        for axis, rate in self.encoder_drift_per_s.items():
            self.encoder_offset[axis] += rate * dt

    def before_step(self, dt: float) -> None:
        self.drives.step(dt, self.positions())
        self.actuate(dt)

    def after_step(self, dt: float) -> None:
        self.read()

    def apply_fault(self, fault, *, active: bool) -> None:
        axis = fault.axis
        if fault.kind == "axis_stall":
            if active:
                self.blocked_at[axis] = self.q[axis]
            else:
                self.blocked_at.pop(axis, None)
        elif fault.kind == "axis_slow":
            self.drives.drives[axis].speed_factor = fault.factor if active else 1.0
        elif fault.kind == "encoder_drift":
            if active:
                self.encoder_drift_per_s[axis] = fault.rate
            else:
                self.encoder_drift_per_s.pop(axis, None)
        else:
            super().apply_fault(fault, active=active)

    # -- state ---------------------------------------------------------------
    def read(self) -> None:
        """Read all joint states once per physics step."""
        states = pb.getJointStates(self.body, self._all_idx, physicsClientId=self.world.cid)
        # getJointStates: per joint (position, velocity, reaction forces, applied motor force)
        self.q = {n: st[0] for n, st in zip(self._all, states)}
        self.qd = {n: st[1] for n, st in zip(self._all, states)}
        self.motor_force = {n: st[3] for n, st in zip(self._all, states)}

    def positions(self) -> dict[str, float]:
        """Axis positions as the encoders report them (what drives and frames see)."""
        return {n: self.q[n] + self.encoder_offset[n] for n in self.axes}

    # -- actuation, every physics step ---------------------------------------
    def actuate(self, dt: float) -> None:
        ds = [self.drives.drives[n] for n in self.axes]
        targets = [self.blocked_at.get(n, d.ref_pos - self.encoder_offset[n]) for d, n in zip(ds, self.axes)]
        velocities = [0.0 if n in self.blocked_at else d.ref_vel for d, n in zip(ds, self.axes)]
        forces = [d.spec.max_force if n in self.blocked_at else d.force_limit for d, n in zip(ds, self.axes)]
        pb.setJointMotorControlArray(
            self.body,
            self._axis_idx,
            pb.POSITION_CONTROL,
            targetPositions=targets,
            targetVelocities=velocities,
            forces=forces,
            positionGains=self._gains_p,
            velocityGains=self._gains_v,
            physicsClientId=self.world.cid,
        )
        if self._followers:
            k = {n: i for i, n in enumerate(self.axes)}
            pb.setJointMotorControlArray(
                self.body,
                [idx for idx, _ in self._followers],
                pb.POSITION_CONTROL,
                targetPositions=[targets[k[a]] for _, a in self._followers],
                targetVelocities=[velocities[k[a]] for _, a in self._followers],
                forces=[forces[k[a]] for _, a in self._followers],
                positionGains=[self._gains_p[k[a]] for _, a in self._followers],
                velocityGains=[self._gains_v[k[a]] for _, a in self._followers],
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
            self.body,
            self._float_idx,
            pb.POSITION_CONTROL,
            targetPositions=[0.0, 0.0],
            forces=[self.float_cfg.locked_force_n] * 2,
            physicsClientId=self.world.cid,
        )

    def _float_step(self, dt: float) -> None:
        f = self.float_cfg
        if self.float_commanded_locked != self.float_locked:
            self._float_timer_s += dt
            if self._float_timer_s >= f.lock_time_s:
                self.float_locked = self.float_commanded_locked
                if not self.float_locked:
                    # Release the centring motor before applying spring forces.
                    pb.setJointMotorControlArray(
                        self.body,
                        self._float_idx,
                        pb.VELOCITY_CONTROL,
                        forces=[0.0, 0.0],
                        physicsClientId=self.world.cid,
                    )
        if self.float_locked or self.float_commanded_locked:
            return
        k = f.stiffness_n_per_mm / MM
        c = f.damping_n_s_per_mm / MM
        forces = [-k * self.q[n] - c * self.qd[n] for n in FLOAT_JOINTS]
        pb.setJointMotorControlArray(
            self.body, self._float_idx, pb.TORQUE_CONTROL, forces=forces, physicsClientId=self.world.cid
        )

    # -- frames and loads -----------------------------------------------------
    def tool_pose(self) -> Pose:
        """The tool's frame (pallet pad tops, spreader landing plane)."""
        return self.world.link_frame(self.body, self.tool_link)

    def tool_nominal_pose(self) -> Pose:
        """Where the tool frame is with the float centred."""
        return self.world.link_frame(self.body, self._nominal_link)

    def load_n(self) -> float:
        """What the load cell on the vertical axis reads before filtering and noise:
        the motor's effort beyond the rig's own moving mass."""
        return self.motor_force[self.load_axis] - self.tare_n

    @property
    def float_offset_m(self) -> tuple[float, float]:
        return self.q["float_x"], self.q["float_y"]
