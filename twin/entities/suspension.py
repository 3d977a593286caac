"""A vehicle's heave suspension: a linear spring and damper on a vertical prismatic joint.

The spring's preload carries the sprung mass's weight, so unladen the joint
rests at 0 and a load of mass m sinks it by m g / k. Applied every physics
step as a joint force (pybullet clears it after each step). Shared by every
vehicle that rides on one (the overhead rig's truck, the side rig's vehicles).
"""

from __future__ import annotations

from twin.world import pb

MM = 1e-3


class HeaveSpring:
    def __init__(self, suspension, *, gravity_m_s2: float):
        """``suspension``: a vehicle's ``suspension`` config (stiffness, damping, sprung mass)."""
        self.k_n_per_m = suspension.stiffness_n_per_mm / MM
        self.c_n_s_per_m = suspension.damping_n_s_per_mm / MM
        self.preload_n = suspension.sprung_mass_kg * gravity_m_s2

    def static_deflection_m(self, load_kg: float, *, gravity_m_s2: float) -> float:
        """Where the joint rests under ``load_kg`` beyond the sprung mass (negative: down)."""
        return -load_kg * gravity_m_s2 / self.k_n_per_m

    def step(self, body: int, joint: int, cid: int) -> None:
        q, qd = pb.getJointState(body, joint, physicsClientId=cid)[:2]
        force = self.preload_n - self.k_n_per_m * q - self.c_n_s_per_m * qd
        pb.setJointMotorControl2(body, joint, pb.TORQUE_CONTROL, force=force, physicsClientId=cid)

    def sag(self, factor: float, *, active: bool) -> None:
        """The ``suspension_sag`` fault: the spring softened by ``factor`` while active."""
        self.k_n_per_m *= factor if active else 1.0 / factor
