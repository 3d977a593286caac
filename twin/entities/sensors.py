"""Sensor models: what a station's I/O reads, with its noise and filtering.

Each sensor samples once per control period (``sample``), after the
physics; the frame then reports the sample, and reading a frame changes
nothing. Noise comes from one seeded generator per station, drawn in a fixed
order every period, so a run is reproducible from its seed.
"""

from __future__ import annotations

import math

import numpy as np

from swapwire.frame import VisionReading
from twin.frames import Pose
from twin.schema.rig import LoadCell as LoadCellSpec
from twin.schema.rig import Vision as VisionSpec

MM = 1e-3


def quantize(value: float, resolution: float) -> float:
    return round(value / resolution) * resolution


class LoadCell:
    """The rig's load cell: first-order low-pass of the vertical axis's effort, plus noise."""

    def __init__(self, spec: LoadCellSpec, rng: np.random.Generator, initial_n: float):
        self.spec = spec
        self.rng = rng
        self.filtered_n = initial_n

    def sample(self, load_n: float, dt: float) -> float:
        """Filter ``load_n`` over ``dt`` and read it with noise."""
        tau = self.spec.filter_tau_s
        alpha = 1.0 if tau <= 0.0 else 1.0 - math.exp(-dt / tau)
        self.filtered_n += alpha * (load_n - self.filtered_n)
        if self.spec.noise_n > 0:
            return self.filtered_n + float(self.rng.normal(0.0, self.spec.noise_n))
        return self.filtered_n


class Vision:
    """The rig's camera: the vehicle's seat frame measured in the tool's nominal frame."""

    def __init__(self, spec: VisionSpec, rng: np.random.Generator):
        self.spec = spec
        self.rng = rng

    def sample(self, target_in_tool: Pose) -> VisionReading:
        s = self.spec
        noise = self.rng.normal(0.0, 1.0, size=4)  # always drawn: keeps the stream aligned
        x, y, z = target_in_tool.p
        valid = math.hypot(x, y) <= s.range_mm * MM
        if not valid:
            return VisionReading(False)
        sig_m, sig_rad = s.noise_mm * MM, math.radians(s.noise_deg)
        return VisionReading(
            True,
            float(x + sig_m * noise[0]),
            float(y + sig_m * noise[1]),
            float(z + sig_m * noise[2]),
            float(target_in_tool.yaw_rad + sig_rad * noise[3]),
        )
