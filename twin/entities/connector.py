"""The HV connector: a floating vehicle half mating with the pack's half.

Geometric model with a force law, evaluated on ground truth each control period:

* engagement depth = how far the pack's half has entered the vehicle's, from
  the pack's distance to its installed pose along the insertion (0 .. ``engagement_mm``);
* lateral offset = distance of the two halves' axes in the seat plane, and the
  angle between them;
* while engaging within the float, the connector resists with its mating force
  (D, domain.md: about 200 N); beyond the float the halves stub, and the
  contact force is the lift's push (reported as a hazard by the monitors);
* mated = fully engaged within the float.

The mating force is applied to the pack in pybullet (it is what the lift must
overcome), but the reported force is the model's, not a reaction force.
"""

from __future__ import annotations

import math

import numpy as np

from twin.schema.pack import Connector as ConnectorSpec

MM = 1e-3
# A connector counts as fully engaged within this fraction of its engagement length.
_FULL_ENGAGEMENT_FRACTION = 0.9


class Connector:
    def __init__(self, spec: ConnectorSpec, *, face_z_m: float):
        """``face_z_m``: z of the pack's interface face in the pack frame."""
        self.spec = spec
        self.point_local = np.array([spec.position_mm[0] * MM, spec.position_mm[1] * MM, face_z_m])
        self.engagement_m = 0.0
        self.lateral_m = 0.0
        self.angle_deg = 0.0
        self.mated = False
        self.stubbed = False
        self.force_n = 0.0
        self.peak_force_n = 0.0

    def update(self, offset_m: np.ndarray, yaw_rad: float, *, push_n: float) -> None:
        """``offset_m``: the pack's half relative to the vehicle's, z along the
        insertion (negative: not yet in); ``yaw_rad``: the pack's yaw in the seat.
        ``push_n``: the rig's push on the pack beyond its weight (the stubbed case)."""
        s = self.spec
        full = s.engagement_mm * MM
        self.engagement_m = float(min(max(full + offset_m[2], 0.0), full))
        self.lateral_m = float(math.hypot(offset_m[0], offset_m[1]))
        self.angle_deg = math.degrees(abs(yaw_rad))
        within = bool(self.lateral_m <= s.float_mm * MM and self.angle_deg <= s.float_deg)
        engaging = self.engagement_m > 0.0
        self.stubbed = engaging and not within
        if self.stubbed:
            self.force_n = max(push_n, s.mating_force_n)
        elif engaging and self.engagement_m < full * _FULL_ENGAGEMENT_FRACTION:
            self.force_n = s.mating_force_n
        else:
            self.force_n = 0.0
        self.mated = within and self.engagement_m >= full * _FULL_ENGAGEMENT_FRACTION
        self.peak_force_n = max(self.peak_force_n, self.force_n)

    @property
    def resisting(self) -> bool:
        """True while the connector pushes back on an inserting pack."""
        return 0.0 < self.engagement_m < self.spec.engagement_mm * MM * _FULL_ENGAGEMENT_FRACTION and not self.stubbed

    def truth(self) -> dict:
        return {
            "mated": self.mated,
            "stubbed": self.stubbed,
            "engagement_mm": self.engagement_m / MM,
            "lateral_mm": self.lateral_m / MM,
            "angle_deg": self.angle_deg,
            "force_n": self.force_n,
            "peak_force_n": self.peak_force_n,
        }
