"""Everything the plant needs, validated: the plant-side slice of a composed config."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

from twin.schema._fields import q
from twin.schema.acceptance import Acceptance
from twin.schema.fault import Fault
from twin.schema.hazards import Hazards
from twin.schema.pack import Pack
from twin.schema.physics import Physics, Wire
from twin.schema.scenario import Scenario
from twin.schema.vehicle import VehicleConfig

ClockMode = Literal["lockstep", "realtime"]


@dataclass(frozen=True)
class PlantConfig:
    seed: int = q(lo=0, hi=2**32 - 1)
    clock: ClockMode = q()
    physics: Physics = q()
    wire: Wire = q()
    hazards: Hazards = q()
    acceptance: Acceptance = q()
    rig: Any = q(doc="the rig family's schema (twin.rigs registry), chosen by its family key")
    pack: Pack = q()
    lock: Any = q(doc="the lock type's schema (twin.locks registry), chosen by its type key")
    vehicle: VehicleConfig = q()
    scenario: Scenario = q()
    fault: Fault = q()
    extra_faults: list[Fault] = q(factory=list, doc="more faults stacked on the first")
    # The interfaces of the pack families the station serves, as the station holds
    # them (its catalog, keyed by family id): data the station has, not the pack in hand.
    station_catalog: dict[str, Pack] = q(factory=dict, doc="family id -> that family's pack file, as catalogued")

    @property
    def faults(self) -> list[Fault]:
        return [f for f in (self.fault, *self.extra_faults) if f.kind != "none"]
