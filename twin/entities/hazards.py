"""Hazard monitors on ground truth. The controller never sees these.

Each monitor looks at the true state once per control period and reports a
hazard once per episode (a fall, a contact), with the time and the numbers
that make it a hazard. Hazards fail the verdict.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from twin.schema.hazards import Hazards
from twin.world import World, pb

MM = 1e-3
# Every hazard the twin reports, and what makes it one. ``hazard()`` accepts
# these only; tests/test_hazards_fire.py causes each of them.
HAZARD_KINDS: dict[str, str] = {
    "pack_dropped": "a pack fell farther than hazards.drop_distance_mm, faster than hazards.fall_speed_mm_s",
    "released_under_load": "a lock (of the vehicle, or the spreader's) let go while it carried the pack's weight",
    "lock_reported_engaged_while_open": "a lock's status channels confirm it engaged while its model says open",
    "rig_vehicle_collision": "the rig touched the vehicle's body (hazards.rig_vehicle_contact)",
    "connector_overload": "the HV connector's contact force exceeded its rating (pack connector.max_force_n)",
    "rig_overload": "the rig carried more than its payload times hazards.rig_overload_factor",
    "placement_interference": "a pack does not fit where the scenario puts it: it starts inside its surroundings",
}


@dataclass
class _Fall:
    start_z_m: float
    reported: bool = False


@dataclass
class HazardMonitor:
    cfg: Hazards
    world: World
    rig_body: int
    vehicle_body: int
    _falls: dict[str, _Fall] = field(default_factory=dict)
    _in_contact: bool = False
    _overloaded: bool = False

    _overloaded_rig: bool = False

    def check(
        self,
        *,
        t_s: float,
        packs: dict[str, tuple[float, float]],
        connector_force_n: float,
        connector_max_n: float,
        carried_kg: float,
        payload_kg: float,
    ) -> list[dict]:
        """``packs``: role -> (z of the pack frame, vertical speed); ``carried_kg``:
        the mass of a pack the rig is carrying now (0 if none)."""
        events: list[dict] = []
        limit_kg = payload_kg * self.cfg.rig_overload_factor
        over = carried_kg > limit_kg
        if over and not self._overloaded_rig:
            events.append(hazard("rig_overload", t_s, carried_kg=carried_kg, limit_kg=round(limit_kg, 1)))
        self._overloaded_rig = over
        fall_speed = self.cfg.fall_speed_mm_s * MM
        for role, (z, vz) in packs.items():
            fall = self._falls.get(role)
            if vz < -fall_speed:
                if fall is None:
                    fall = self._falls[role] = _Fall(start_z_m=z)
                drop = fall.start_z_m - z
                if not fall.reported and drop > self.cfg.drop_distance_mm * MM:
                    fall.reported = True
                    events.append(
                        hazard(
                            "pack_dropped", t_s, pack=role, fall_mm=round(drop / MM, 3), speed_mm_s=round(-vz / MM, 1)
                        )
                    )
            elif fall is not None:
                del self._falls[role]
        if self.cfg.rig_vehicle_contact:
            contacts = pb.getContactPoints(bodyA=self.rig_body, bodyB=self.vehicle_body, physicsClientId=self.world.cid)
            if contacts and not self._in_contact:
                link = contacts[0][3]  # getContactPoints: (flag, bodyA, bodyB, linkIndexA, ...)
                events.append(hazard("rig_vehicle_collision", t_s, rig_link=link, points=len(contacts)))
            self._in_contact = bool(contacts)
        over = connector_force_n > connector_max_n
        if over and not self._overloaded:
            events.append(
                hazard("connector_overload", t_s, force_n=round(connector_force_n, 1), limit_n=connector_max_n)
            )
        self._overloaded = over
        return events


def false_engaged(t_s: float, reported: dict[str, dict], locks: dict, seen: set) -> list[dict]:
    """A lock whose status channels, as the frame reports them, confirm it
    engaged (its type's ``engaged_when``) while its model says open: a hazard
    whoever believes it. ``locks``: lock id -> model."""
    events = []
    for lid, lock in locks.items():
        wrong = lock.reported_engaged(reported[lid]) and not lock.engaged
        if wrong and lid not in seen:
            events.append(hazard("lock_reported_engaged_while_open", t_s, lock=lid, type=lock.lock_type))
        (seen.add if wrong else seen.discard)(lid)
    return events


def hazard(kind: str, t_s: float, **detail) -> dict:
    if kind not in HAZARD_KINDS:
        raise ValueError(f"hazard kind {kind!r} is not one of HAZARD_KINDS")
    return {"event": "hazard", "kind": kind, "t_s": round(t_s, 6), "detail": detail}
