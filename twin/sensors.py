"""Sensor models: what a station's I/O reads, with its noise and filtering.

Noise comes from one seeded generator per plant, drawn in a fixed order every
control period, so a run is reproducible from its seed.
"""

from __future__ import annotations

import math

import numpy as np

from twin.frames import Pose
from twin.schema.rig import LoadCell as LoadCellSpec
from twin.schema.rig import Vision as VisionSpec

MM = 1e-3


def quantize(value: float, resolution: float) -> float:
    return round(value / resolution) * resolution


class LoadCell:
    """Lift load cell: first-order low-pass of the lift's effort, plus noise."""

    def __init__(self, spec: LoadCellSpec, rng: np.random.Generator, initial_n: float):
        self.spec = spec
        self.rng = rng
        self.filtered_n = initial_n

    def read(self, load_n: float, dt: float) -> float:
        tau = self.spec.filter_tau_s
        alpha = 1.0 if tau <= 0.0 else 1.0 - math.exp(-dt / tau)
        self.filtered_n += alpha * (load_n - self.filtered_n)
        return (
            self.filtered_n + float(self.rng.normal(0.0, self.spec.noise_n))
            if self.spec.noise_n > 0
            else self.filtered_n
        )


class Vision:
    """Camera on the shuttle: the bay frame measured in the pallet's nominal frame."""

    def __init__(self, spec: VisionSpec, rng: np.random.Generator):
        self.spec = spec
        self.rng = rng

    def read(self, bay_in_pallet: Pose) -> dict:
        s = self.spec
        noise = self.rng.normal(0.0, 1.0, size=4)  # always drawn: keeps the stream aligned
        x, y, z = bay_in_pallet.p
        valid = math.hypot(x, y) <= s.range_mm * MM
        if not valid:
            return {"valid": False, "x": 0.0, "y": 0.0, "z": 0.0, "yaw": 0.0}
        sig_m, sig_rad = s.noise_mm * MM, math.radians(s.noise_deg)
        return {
            "valid": True,
            "x": float(x + sig_m * noise[0]),
            "y": float(y + sig_m * noise[1]),
            "z": float(z + sig_m * noise[2]),
            "yaw": float(bay_in_pallet.yaw_rad + sig_rad * noise[3]),
        }
