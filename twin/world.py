"""A pybullet world with its own client: no module-global connection.

Two ``World`` objects can live in one process (tests and qualification workers
rely on it). Every engine parameter is set explicitly at creation because
pybullet keeps them across ``resetSimulation`` and leaks
``contactBreakingThreshold`` into new DIRECT clients (measured.md, pitfall 3).
"""

from __future__ import annotations

import contextlib
import os
import sys
from pathlib import Path
from collections.abc import Sequence

from twin.schema import Physics
from twin.urdf.cache import UrdfCache
from twin.urdf.model import Robot


@contextlib.contextmanager
def _quiet_stdout():
    """pybullet's C code prints banners and importer warnings straight to fd 1,
    which would corrupt the CLI's table; send them to stderr instead."""
    try:
        fd = sys.stdout.fileno()
    except (AttributeError, OSError, ValueError):
        yield
        return
    sys.stdout.flush()
    saved = os.dup(fd)
    try:
        os.dup2(sys.stderr.fileno(), fd)
        yield
    finally:
        os.dup2(saved, fd)
        os.close(saved)


with _quiet_stdout():
    import pybullet as pb  # noqa: E402  (imported under the redirect on purpose)


class World:
    """One pybullet DIRECT client and the parameters it was built with."""

    def __init__(self, physics: Physics, *, cache: UrdfCache | None = None):
        self.physics = physics
        self.cache = cache or UrdfCache()
        self.assets: list[str] = []  # every URDF loaded, by its content-addressed name
        self.cid = pb.connect(pb.DIRECT)
        self.time_s = 0.0
        self.steps = 0
        self._apply_engine_parameters()

    def _apply_engine_parameters(self) -> None:
        p = self.physics
        pb.resetSimulation(physicsClientId=self.cid)
        pb.setPhysicsEngineParameter(
            fixedTimeStep=p.step_s,
            numSubSteps=0,
            numSolverIterations=p.solver_iterations,
            solverResidualThreshold=p.solver_residual_threshold,
            contactBreakingThreshold=p.contact_breaking_threshold_mm / 1000.0,
            erp=p.erp,
            contactERP=p.contact_erp,
            frictionERP=p.friction_erp,
            deterministicOverlappingPairs=1,
            enableConeFriction=1,
            restitutionVelocityThreshold=0.2,
            physicsClientId=self.cid,
        )
        pb.setGravity(0.0, 0.0, -p.gravity_m_s2, physicsClientId=self.cid)

    def reset(self, physics: Physics | None = None) -> None:
        """An empty world with every engine parameter set again (``physics``: a
        session's own, if it brings other ones): a session starts here."""
        if physics is not None:
            self.physics = physics
        self._apply_engine_parameters()
        self.assets = []
        self.reset_clock()

    def load(self, robot: Robot, *, position: Sequence[float], yaw_rad: float = 0.0, fixed: bool) -> int:
        path: Path = self.cache.path_for(robot)
        self.assets.append(path.stem)
        orn = pb.getQuaternionFromEuler((0.0, 0.0, yaw_rad))
        with _quiet_stdout():
            body = pb.loadURDF(
                str(path),
                basePosition=list(position),
                baseOrientation=orn,
                useFixedBase=fixed,
                flags=pb.URDF_USE_INERTIA_FROM_FILE,
                physicsClientId=self.cid,
            )
        return body

    # -- named queries (no magic tuple indices elsewhere) ----------------------
    def joint_indices(self, body: int) -> dict[str, int]:
        """Joint name -> index (= child link index) of a multibody."""
        out = {}
        for i in range(pb.getNumJoints(body, physicsClientId=self.cid)):
            info = pb.getJointInfo(body, i, physicsClientId=self.cid)
            joint_name = info[1]  # getJointInfo: (index, name, type, ...)
            out[joint_name.decode()] = i
        return out

    def link_frame(self, body: int, link: int):
        """World pose of a link's URDF frame (not its centre of mass)."""
        from twin.frames import Pose

        state = pb.getLinkState(body, link, computeForwardKinematics=1, physicsClientId=self.cid)
        world_link_frame_position, world_link_frame_orientation = state[4], state[5]
        return Pose.from_pb(world_link_frame_position, world_link_frame_orientation)

    def step(self) -> None:
        pb.stepSimulation(physicsClientId=self.cid)
        self.steps += 1
        self.time_s = self.steps * self.physics.step_s

    def reset_clock(self) -> None:
        """Call plant time zero here (after the station has settled)."""
        self.steps = 0
        self.time_s = 0.0

    def close(self) -> None:
        if self.cid is not None and pb.isConnected(physicsClientId=self.cid):
            pb.disconnect(physicsClientId=self.cid)
        self.cid = None

    def __enter__(self) -> World:
        return self

    def __exit__(self, *exc) -> None:
        self.close()
