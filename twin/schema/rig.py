"""Rig schemas: the ``rig`` config group (the station's swap machine and storage).

World frame of a station: x along the lane (the car's length), y across it,
z up from the plane of the shuttle rails. Positions in mm, speeds in mm/s.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from twin.schema._fields import q
from twin.schema.lock import TwistLock


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
class ShuttleAxes:
    travel: LinearAxis = q(doc="x, along the lane")
    align: LinearAxis = q(doc="y, across the lane")
    lift: LinearAxis = q(doc="z")
    yaw: RotaryAxis = q(doc="about z, under the float")


@dataclass(frozen=True)
class Carriage:
    """The shuttle's body and the stages stacked on it (travel > align > lift > yaw > float)."""

    length_mm: float = q(lo=100.0, hi=5000.0, unit="mm")
    width_mm: float = q(lo=100.0, hi=5000.0, unit="mm")
    height_mm: float = q(lo=20.0, hi=1000.0, unit="mm")
    mass_kg: float = q(lo=1.0, hi=10000.0, unit="kg", doc="travelling carriage")
    align_stage_mass_kg: float = q(lo=0.1, hi=10000.0, unit="kg")
    lift_stage_mass_kg: float = q(lo=0.1, hi=10000.0, unit="kg", doc="lift table and yaw turntable")
    float_stage_mass_kg: float = q(lo=0.1, hi=1000.0, unit="kg", doc="intermediate x stage of the float")


@dataclass(frozen=True)
class Pallet:
    """The floating plate that carries the pack on four pads and two locating pins."""

    length_mm: float = q(lo=100.0, hi=5000.0, unit="mm")
    width_mm: float = q(lo=100.0, hi=5000.0, unit="mm")
    thickness_mm: float = q(lo=5.0, hi=300.0, unit="mm")
    mass_kg: float = q(lo=1.0, hi=5000.0, unit="kg")
    top_at_lift_zero_mm: float = q(lo=50.0, hi=2000.0, unit="mm", doc="pad tops above the rail plane at lift = 0")
    pad_size_mm: float = q(lo=10.0, hi=1000.0, unit="mm")
    pad_height_mm: float = q(lo=2.0, hi=200.0, unit="mm")
    pad_positions_mm: list[list[float]] = q(unit="mm", doc="[x, y] of each pad centre")
    pin_diameter_mm: float = q(lo=4.0, hi=100.0, unit="mm")
    pin_length_mm: float = q(lo=2.0, hi=300.0, unit="mm", doc="standing above the pad tops")
    pin_positions_mm: list[list[float]] = q(unit="mm", doc="[x, y]; must match the pack's rig_holes")
    friction: float = q(lo=0.05, hi=1.5, doc="pad friction (rubber-faced pads ~0.5)")
    presence_gap_mm: float = q(lo=0.1, hi=100.0, unit="mm", doc="pack-present switches close within this gap")


@dataclass(frozen=True)
class Float:
    """Compliant x-y float between the yaw table and the pallet, with a centring lock."""

    range_mm: float = q(lo=0.5, hi=50.0, unit="mm")
    stiffness_n_per_mm: float = q(lo=0.1, hi=10000.0, unit="N/mm", doc="centring springs when unlocked")
    damping_n_s_per_mm: float = q(lo=0.0, hi=10000.0, unit="N*s/mm")
    locked_force_n: float = q(lo=10.0, hi=1e6, unit="N", doc="holding force of the centring lock")
    lock_time_s: float = q(lo=0.0, hi=10.0, unit="s", doc="time for the centring lock to engage or release")


@dataclass(frozen=True)
class LockTool:
    """The station-side coupler that powers and commands the vehicle's locks.
    It couples when the pallet stands under the vehicle's lock port."""

    port_position_mm: list[float] = q(
        length=2, unit="mm", doc="[x, y] on the pallet, = the vehicle port in the bay frame"
    )
    capture_mm: float = q(lo=0.1, hi=50.0, unit="mm", doc="lateral capture of the coupler")
    stroke_mm: float = q(lo=0.1, hi=200.0, unit="mm", doc="vertical range within which it couples")


@dataclass(frozen=True)
class LoadCell:
    noise_n: float = q(lo=0.0, hi=10000.0, unit="N", doc="1-sigma")
    filter_tau_s: float = q(lo=0.0, hi=10.0, unit="s")


@dataclass(frozen=True)
class Vision:
    """Camera on the shuttle that measures the pack bay against the pallet."""

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


@dataclass(frozen=True)
class StorageSlot:
    name: str = q()
    x_mm: float = q(lo=-50000.0, hi=50000.0, unit="mm", doc="slot centre along the lane")
    content: Literal["charged", "empty"] = q()


@dataclass(frozen=True)
class Storage:
    pack_bottom_mm: float = q(lo=10.0, hi=5000.0, unit="mm", doc="height of a stored pack's bottom face")
    rail_width_mm: float = q(lo=5.0, hi=500.0, unit="mm")
    rail_friction: float = q(lo=0.05, hi=1.5, doc="wear strips on the rails")
    carry_clearance_mm: float = q(
        lo=1.0, hi=500.0, unit="mm", doc="a carried pack's flanges pass this far above the rails"
    )
    slots: list[StorageSlot] = q()

    def check(self):
        names = [s.name for s in self.slots]
        out = []
        if len(set(names)) != len(names):
            out.append(("slots", f"slot names must be unique: {names}"))
        if [s.content for s in self.slots].count("charged") < 1:
            out.append(("slots", "needs a slot holding a charged pack"))
        if [s.content for s in self.slots].count("empty") < 1:
            out.append(("slots", "needs an empty slot for the depleted pack"))
        return out


@dataclass(frozen=True)
class UnderChassisRig:
    family: Literal["under_chassis"] = q()
    name: str = q()
    payload_kg: float = q(lo=1.0, hi=100000.0, unit="kg")
    axes: ShuttleAxes = q()
    carriage: Carriage = q()
    pallet: Pallet = q()
    float: Float = q()
    tool: LockTool = q()
    load_cell: LoadCell = q()
    vision: Vision = q()
    storage: Storage = q()
    electrical: StationElectrical = q()
    lock_types: list[Literal["hydraulic_pin", "em_latch", "mech_clip", "twist_lock"]] = q(
        doc="vehicle lock types its tool can operate"
    )


@dataclass(frozen=True)
class GantryAxes:
    bridge: LinearAxis = q(doc="x, along the lane")
    trolley: LinearAxis = q(doc="y, across the lane")
    hoist: LinearAxis = q(doc="z of the spreader's landing plane")
    slew: RotaryAxis = q(doc="spreader rotation about z, to follow the truck's parking yaw")


@dataclass(frozen=True)
class GantryStructure:
    """Moving masses of the gantry's stages."""

    bridge_mass_kg: float = q(lo=1.0, hi=1e6, unit="kg")
    trolley_mass_kg: float = q(lo=1.0, hi=1e6, unit="kg")
    hoist_mass_kg: float = q(lo=1.0, hi=1e6, unit="kg", doc="mast and head block, moving with the hoist")
    float_stage_mass_kg: float = q(lo=0.1, hi=10000.0, unit="kg")
    # The hoist is a rigid guided mast: the spreader cannot swing. A free rope
    # hoist would add a pendulum mode, which this model does not have.
    hoist_model: Literal["rigid_mast"] = q(doc="rigid_mast: a guided telescopic mast, no sway")
    # The mast hangs on chains: it pulls and cannot push. Below this effort the
    # load rests on something and the hoist stops lowering (slack-chain switch).
    hoist_slack_force_n: float = q(lo=0.0, hi=1e6, unit="N", doc="hoist effort below which the chains are slack")
    # A slack-chain switch is debounced: the jolt of landing on a sprung truck
    # dips the effort for a few milliseconds without the chains going slack.
    hoist_slack_debounce_s: float = q(lo=0.0, hi=5.0, unit="s", doc="effort must stay below the threshold this long")


@dataclass(frozen=True)
class Spreader:
    """The frame that lands on the pack's corner castings and grips them with twist-locks.

    Its frame is the landing plane (the underside of its landing pads), at the
    centre; the twist-lock heads hang below it into the castings' apertures."""

    length_mm: float = q(lo=100.0, hi=10000.0, unit="mm", doc="along x")
    width_mm: float = q(lo=100.0, hi=10000.0, unit="mm", doc="along y")
    thickness_mm: float = q(lo=10.0, hi=1000.0, unit="mm")
    mass_kg: float = q(lo=1.0, hi=20000.0, unit="kg")
    hoist_zero_height_mm: float = q(lo=100.0, hi=20000.0, unit="mm", doc="landing plane above ground at hoist = 0")
    landing_pad_size_mm: float = q(lo=10.0, hi=1000.0, unit="mm")
    landing_pad_height_mm: float = q(lo=5.0, hi=500.0, unit="mm")
    landed_gap_mm: float = q(lo=0.1, hi=50.0, unit="mm", doc="landed switches close within this gap")
    twist_lock_positions_mm: list[list[float]] = q(unit="mm", doc="[x, y]; must match the pack's lifting points")

    def check(self):
        out = [
            (f"twist_lock_positions_mm[{i}]", "needs [x, y]")
            for i, p in enumerate(self.twist_lock_positions_mm)
            if len(p) != 2
        ]
        if len(self.twist_lock_positions_mm) != 4:
            out.append(("twist_lock_positions_mm", "a spreader has four twist-locks"))
        return out


@dataclass(frozen=True)
class Stand:
    name: str = q()
    x_mm: float = q(lo=-50000.0, hi=50000.0, unit="mm")
    y_mm: float = q(lo=-50000.0, hi=50000.0, unit="mm")
    content: Literal["charged", "empty"] = q()


@dataclass(frozen=True)
class StandStorage:
    """Storage stands beside the lane: pads and guide cones like a truck's cradle."""

    seat_height_mm: float = q(lo=10.0, hi=5000.0, unit="mm")
    cone_diameter_mm: float = q(lo=10.0, hi=300.0, unit="mm")
    cone_height_mm: float = q(lo=10.0, hi=500.0, unit="mm")
    pad_size_mm: float = q(lo=20.0, hi=1000.0, unit="mm", doc="pads at the pack's seat points")
    carry_clearance_mm: float = q(
        lo=10.0, hi=2000.0, unit="mm", doc="a carried pack's bottom passes this far above cone tips"
    )
    stands: list[Stand] = q()

    def check(self):
        names = [s.name for s in self.stands]
        out = []
        if len(set(names)) != len(names):
            out.append(("stands", f"stand names must be unique: {names}"))
        contents = [s.content for s in self.stands]
        if "charged" not in contents or "empty" not in contents:
            out.append(("stands", "needs a stand with a charged pack and an empty one"))
        return out


@dataclass(frozen=True)
class OverheadRig:
    family: Literal["overhead"] = q()
    name: str = q()
    # Overhead gantry payload 5 t (D, domain.md).
    payload_kg: float = q(lo=1.0, hi=100000.0, unit="kg")
    axes: GantryAxes = q()
    structure: GantryStructure = q()
    spreader: Spreader = q()
    spreader_lock: TwistLock = q(doc="the spreader's twist-locks (a twist_lock lock config)")
    float: Float = q()
    load_cell: LoadCell = q()
    vision: Vision = q()
    storage: StandStorage = q()
    electrical: StationElectrical = q()
    lock_types: list[Literal["hydraulic_pin", "em_latch", "mech_clip", "twist_lock"]] = q(
        doc="vehicle lock types the rig's station can operate"
    )


RigConfig = UnderChassisRig | OverheadRig
RIG_SCHEMAS: dict[str, type] = {"under_chassis": UnderChassisRig, "overhead": OverheadRig}
