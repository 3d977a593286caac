"""Scenario schema: the ``scenario`` config group (what differs between runs)."""

from __future__ import annotations

from dataclasses import dataclass

from twin.schema._fields import q


@dataclass(frozen=True)
class PackDeviation:
    """How one manufactured pack differs from its family's nominal data
    (QC/T 1204.4-2024 Table 1 and s4.1 give the tolerances qualification samples).
    The pack's frame stays on its locating pins (the datum features)."""

    length_mm: float = q(0.0, lo=-50.0, hi=50.0, unit="mm")
    width_mm: float = q(0.0, lo=-50.0, hi=50.0, unit="mm")
    height_mm: float = q(0.0, lo=-50.0, hi=50.0, unit="mm")
    mass_kg: float = q(0.0, lo=-1000.0, hi=1000.0, unit="kg")
    connector_mm: list[float] = q(
        factory=lambda: [0.0, 0.0], length=2, unit="mm", doc="[x, y] of the connector from its nominal place"
    )
    lock_mm: list[list[float]] = q(
        factory=list, unit="mm", doc="[x, y] per lock anchor from its nominal place; empty: none"
    )


@dataclass(frozen=True)
class Scenario:
    name: str = q()
    # Car parking error estimate +-20 mm, +-1 deg (D, domain.md).
    parking_offset_mm: list[float] = q(length=2, unit="mm", doc="[x, y] of the bay from its nominal place")
    parking_yaw_deg: float = q(lo=-20.0, hi=20.0, unit="deg")
    charged_pack_offset_mm: list[float] = q(
        length=2, unit="mm", doc="[x, y] placement error of the charged pack in its slot"
    )
    max_sim_time_s: float = q(lo=1.0, hi=86400.0, unit="s", doc="the run is truncated at this plant time")
    charged_pack_deviation: PackDeviation = q(factory=PackDeviation, doc="the charged pack's manufacturing deviations")
