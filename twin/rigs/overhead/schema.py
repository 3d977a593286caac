"""The overhead rig's schema: the ``rig`` config group for ``family: overhead``.

World frame of the station: x along the lane (the truck's length), y across
it, z up from the ground. Positions in mm, speeds in mm/s.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from twin.locks.twist_lock import TwistLock
from twin.schema._fields import q
from twin.schema.rig import Float, LinearAxis, LoadCell, RotaryAxis, StationElectrical, Vision


@dataclass(frozen=True)
class GantryAxes:
    bridge: LinearAxis = q(doc="x, along the lane")
    trolley: LinearAxis = q(doc="y, across the lane")
    hoist: LinearAxis = q(doc="z of the spreader's landing plane")
    slew: RotaryAxis = q(doc="spreader rotation about z, to follow the truck's parking yaw")
    span: LinearAxis = q(doc="tooling: the twist-locks' half-span across the lane (twist-locks at [+-x, +-span])")


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
    twist_lock_x_mm: float = q(
        lo=10.0, hi=5000.0, unit="mm", doc="the twist-locks' fixed half-span along x; across, the span axis sets it"
    )
    beam_mass_kg: float = q(lo=0.1, hi=5000.0, unit="kg", doc="each telescopic beam with its two pads and locks")


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
    lock_types: list[str] = q(doc="vehicle lock types the rig's station can operate")
    catalog: list[str] | None = q(
        None,
        doc="pack families in the station's interface catalog; null: every pack file that lists this rig family",
    )
