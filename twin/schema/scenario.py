"""Scenario schema: the ``scenario`` config group (what differs between runs)."""

from __future__ import annotations

from dataclasses import dataclass

from twin.schema._fields import q


@dataclass(frozen=True)
class Scenario:
    name: str = q()
    # Car parking error estimate +-20 mm, +-1 deg (D, domain.md).
    parking_offset_mm: list[float] = q(length=2, unit="mm", doc="[x, y] of the bay from its nominal place")
    parking_yaw_deg: float = q(lo=-20.0, hi=20.0, unit="deg")
    charged_pack_offset_mm: list[float] = q(length=2, unit="mm", doc="[x, y] placement error of the charged pack in its slot")
    max_sim_time_s: float = q(lo=1.0, hi=86400.0, unit="s", doc="the run is truncated at this plant time")
