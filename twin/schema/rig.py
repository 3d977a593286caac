"""Parts every rig family's schema is made of: servo axes, the float, sensors, the racks' electrical window.

Each rig family's own schema (the ``rig`` config group) lives in its package,
``twin/rigs/<family>/schema.py``. Positions in mm, speeds in mm/s.
"""

from __future__ import annotations

from dataclasses import dataclass

from twin.schema._fields import q

# The faults a rig's servo axes take (``twin.entities.servo_rig.ServoRig``).
AXIS_FAULT_KINDS = frozenset({"axis_stall", "axis_slow", "encoder_drift"})


@dataclass(frozen=True)
class LinearAxis:
    """A servo axis: limits, drive ratings and servo gains."""

    lower_mm: float = q(lo=-20000.0, hi=20000.0, unit="mm")
    upper_mm: float = q(lo=-20000.0, hi=20000.0, unit="mm")
    home_mm: float = q(lo=-20000.0, hi=20000.0, unit="mm")
    max_speed_mm_s: float = q(lo=0.1, hi=5000.0, unit="mm/s")
    max_accel_mm_s2: float = q(lo=1.0, hi=20000.0, unit="mm/s^2")
    max_force_n: float = q(lo=1.0, hi=1e6, unit="N")
    following_error_limit_mm: float = q(lo=0.1, hi=500.0, unit="mm", doc="drive faults beyond this lag")
    encoder_resolution_mm: float = q(lo=1e-4, hi=1.0, unit="mm")
    position_gain: float = q(lo=0.01, hi=1.0, doc="pybullet motor position gain")
    velocity_gain: float = q(lo=0.0, hi=2.0, doc="pybullet motor velocity gain")

    def check(self):
        out = []
        if not self.lower_mm < self.upper_mm:
            out.append(("lower_mm", f"{self.lower_mm} must be below upper_mm={self.upper_mm}"))
        elif not self.lower_mm <= self.home_mm <= self.upper_mm:
            out.append(("home_mm", f"{self.home_mm} outside [{self.lower_mm}, {self.upper_mm}] mm"))
        return out


@dataclass(frozen=True)
class RotaryAxis:
    lower_deg: float = q(lo=-360.0, hi=360.0, unit="deg")
    upper_deg: float = q(lo=-360.0, hi=360.0, unit="deg")
    home_deg: float = q(lo=-360.0, hi=360.0, unit="deg")
    max_speed_deg_s: float = q(lo=0.01, hi=720.0, unit="deg/s")
    max_accel_deg_s2: float = q(lo=0.01, hi=7200.0, unit="deg/s^2")
    max_torque_nm: float = q(lo=1.0, hi=1e6, unit="N*m")
    following_error_limit_deg: float = q(lo=0.001, hi=90.0, unit="deg")
    encoder_resolution_deg: float = q(lo=1e-5, hi=1.0, unit="deg")
    position_gain: float = q(lo=0.01, hi=1.0)
    velocity_gain: float = q(lo=0.0, hi=2.0)

    def check(self):
        out = []
        if not self.lower_deg < self.upper_deg:
            out.append(("lower_deg", f"{self.lower_deg} must be below upper_deg={self.upper_deg}"))
        elif not self.lower_deg <= self.home_deg <= self.upper_deg:
            out.append(("home_deg", f"{self.home_deg} outside [{self.lower_deg}, {self.upper_deg}] deg"))
        return out


@dataclass(frozen=True)
class Float:
    """Compliant x-y float between the yaw table and the pallet, with a centring lock."""

    range_mm: float = q(lo=0.5, hi=50.0, unit="mm")
    stiffness_n_per_mm: float = q(lo=0.1, hi=10000.0, unit="N/mm", doc="centring springs when unlocked")
    damping_n_s_per_mm: float = q(lo=0.0, hi=10000.0, unit="N*s/mm")
    locked_force_n: float = q(lo=10.0, hi=1e6, unit="N", doc="holding force of the centring lock")
    lock_time_s: float = q(lo=0.0, hi=10.0, unit="s", doc="time for the centring lock to engage or release")


@dataclass(frozen=True)
class LoadCell:
    noise_n: float = q(lo=0.0, hi=10000.0, unit="N", doc="1-sigma")
    filter_tau_s: float = q(lo=0.0, hi=10.0, unit="s")


@dataclass(frozen=True)
class Vision:
    """The rig's camera: it measures the vehicle's seat frame against the tool's nominal frame."""

    noise_mm: float = q(lo=0.0, hi=50.0, unit="mm", doc="1-sigma, x, y and z")
    noise_deg: float = q(lo=0.0, hi=5.0, unit="deg", doc="1-sigma, yaw")
    range_mm: float = q(lo=10.0, hi=5000.0, unit="mm", doc="valid while the bay is within this distance in x-y")


@dataclass(frozen=True)
class StationElectrical:
    """What the station's charging racks accept: a pack outside this window
    cannot be recharged here, so it must not be swapped in."""

    voltage_min_v: float = q(lo=12.0, hi=1500.0, unit="V")
    voltage_max_v: float = q(lo=12.0, hi=1500.0, unit="V")
    max_current_a: float = q(lo=1.0, hi=3000.0, unit="A")

    def check(self):
        return (
            [("voltage_min_v", f"{self.voltage_min_v} must be below voltage_max_v={self.voltage_max_v}")]
            if self.voltage_min_v >= self.voltage_max_v
            else []
        )
