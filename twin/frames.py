"""Rigid transforms in numpy (no pybullet client needed for the maths)."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np


def quat_to_matrix(q) -> np.ndarray:
    """Rotation matrix of a unit quaternion (x, y, z, w), pybullet's order."""
    x, y, z, w = q
    return np.array(
        (
            (1 - 2 * (y * y + z * z), 2 * (x * y - z * w), 2 * (x * z + y * w)),
            (2 * (x * y + z * w), 1 - 2 * (x * x + z * z), 2 * (y * z - x * w)),
            (2 * (x * z - y * w), 2 * (y * z + x * w), 1 - 2 * (x * x + y * y)),
        )
    )


def rot_z(yaw_rad: float) -> np.ndarray:
    c, s = math.cos(yaw_rad), math.sin(yaw_rad)
    return np.array([[c, -s, 0.0], [s, c, 0.0], [0.0, 0.0, 1.0]])


@dataclass(frozen=True)
class Pose:
    """x_world = R @ x_local + p."""

    p: np.ndarray
    R: np.ndarray

    @staticmethod
    def from_pb(position, quaternion) -> Pose:
        return Pose(np.asarray(position, dtype=float), quat_to_matrix(quaternion))

    @staticmethod
    def from_xyz_yaw(x: float, y: float, z: float, yaw_rad: float) -> Pose:
        return Pose(np.array([x, y, z], dtype=float), rot_z(yaw_rad))

    def inverse(self) -> Pose:
        Rt = self.R.T
        return Pose(-Rt @ self.p, Rt)

    def __matmul__(self, other: Pose) -> Pose:
        return Pose(self.R @ other.p + self.p, self.R @ other.R)

    def apply(self, point) -> np.ndarray:
        return self.R @ np.asarray(point, dtype=float) + self.p

    def offset(self, local_point) -> Pose:
        """The same orientation, moved to ``local_point`` expressed in this frame."""
        return Pose(self.apply(local_point), self.R)

    @property
    def yaw_rad(self) -> float:
        return math.atan2(self.R[1, 0], self.R[0, 0])

    @property
    def tilt_rad(self) -> float:
        """Angle between this frame's z axis and the world's."""
        return math.acos(max(-1.0, min(1.0, float(self.R[2, 2]))))

    def relative_to(self, ref: Pose) -> Pose:
        return ref.inverse() @ self
