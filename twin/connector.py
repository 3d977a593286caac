"""The HV connector: a floating vehicle half mating with the pack's half.

Geometric model with a force law, evaluated on ground truth each control period:

* engagement depth = how far the pack's half has entered the vehicle's, from
  the pack's height under the seat plane (0 .. ``engagement_mm``);
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

from twin.frames import Pose
from twin.schema.pack import Connector as ConnectorSpec

MM = 1e-3
# A connector counts as fully engaged within this fraction of its engagement length.
_FULL_ENGAGEMENT_FRACTION = 0.9


class Connector:
    def __init__(self, spec: ConnectorSpec):
        self.spec = spec
        self.point_local = np.array([spec.position_mm[0] * MM, spec.position_mm[1] * MM, 0.0])
        self.engagement_m = 0.0
        self.lateral_m = 0.0
        self.angle_deg = 0.0
        self.mated = False
        self.stubbed = False
        self.force_n = 0.0
        self.peak_force_n = 0.0

    def update(self, pack_in_bay: Pose, *, push_n: float) -> None:
        """``pack_in_bay``: the pack frame in the bay frame. ``push_n``: the lift's
        push on the pack beyond its weight (for the stubbed case)."""
        s = self.spec
        p = pack_in_bay.apply(self.point_local)
        full = s.engagement_mm * MM
        self.engagement_m = float(min(max(full + p[2], 0.0), full))
        self.lateral_m = float(math.hypot(p[0] - self.point_local[0], p[1] - self.point_local[1]))
        self.angle_deg = math.degrees(abs(pack_in_bay.yaw_rad))
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
