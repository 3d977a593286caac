"""Fault injection into a running station.

Each configured fault waits for its trigger (a plant time, the controller
entering a phase, or a ground-truth signal crossing a value), then acts for
``duration_s`` or for good. Faults act where a real fault would, through the
part they hit: the station's entities name the kinds they take
(``fault_kinds``) and apply them themselves (``apply_fault``); the injector
only decides when. Sensor faults change what the station's I/O reports
(``corrupt``). Activation and deactivation are announced on the observer
channel only.

Static kinds (a misparked vehicle, a wrong pack tag) shape the station before
the run and are read by the station when it builds itself.

Which parts take which kinds is declared where the parts are
(``twin.schema.fault``: the station's own; ``twin.schema.rig``: the axes; a
vehicle schema's ``FAULT_KINDS``; a lock type's record), so a config that aims
a fault at something the station lacks is refused when it is loaded
(``target_problems``), before anything is built.

Determinism: triggers are evaluated once per control period on plant state,
and noise comes from the station's seeded generator, so a faulted run is as
reproducible as a clean one.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from swapwire.frame import VisionReading
from twin.schema.fault import REQUIRED, SENSOR_KINDS, STATIC_KINDS, STATION_KINDS, Fault
from twin.schema.rig import AXIS_FAULT_KINDS

MM = 1e-3
_FRAME_SENSOR_KINDS = frozenset(k for k, required in REQUIRED.items() if "sensor" in required)


def available_kinds(plant) -> frozenset[str]:
    """Every fault kind some part of this plant takes."""
    from twin.locks import lock_type  # pure models, no pybullet

    return (
        STATION_KINDS | AXIS_FAULT_KINDS | type(plant.vehicle).FAULT_KINDS | lock_type(plant.lock.type).all_fault_kinds
    )


def _fault_problems(plant, f: Fault, family, lock) -> list[tuple[str, str]]:
    """(key, message) for one fault of a composed plant."""
    from twin.locks import lock_type

    kinds = available_kinds(plant)
    if f.kind not in kinds:
        lt, vehicle = lock_type(plant.lock.type), plant.vehicle
        return [
            (
                "kind",
                f"nothing in this station takes a {f.kind} fault: the {vehicle.vehicle_class} takes "
                f"{', '.join(sorted(type(vehicle).FAULT_KINDS)) or 'none'}, {lt.name} locks take "
                f"{', '.join(sorted(lt.all_fault_kinds))}",
            )
        ]
    out = []
    n_locks = len(plant.pack.locks.positions_mm)
    if f.lock is not None and "lock" in REQUIRED.get(f.kind, ()) and f.lock >= n_locks:
        out.append(("lock", f"lock {f.lock} does not exist; the pack has {n_locks} locks (0..{n_locks - 1})"))
    if f.kind == "lock_channel_disagree" and f.sensor is not None and f.sensor not in lock.channels:
        out.append(
            ("sensor", f"{f.sensor!r} is not a channel of a {lock.lock_type}; choose one of {', '.join(lock.channels)}")
        )
    sensors = family.sensor_names
    if f.kind in _FRAME_SENSOR_KINDS and f.sensor is not None and f.sensor not in sensors:
        out.append(
            ("sensor", f"the {family.name} station has no sensor {f.sensor!r}; choose one of {', '.join(sensors)}")
        )
    if f.kind == "vision_error" and "vision" not in sensors:
        out.append(("kind", f"the {family.name} station has no vision sensor"))
    if f.axis is not None and f.axis not in family.axes:
        out.append(("axis", f"axis {f.axis!r} does not exist; the {family.name} rig has {', '.join(family.axes)}"))
    if f.at.signal is not None and f.at.signal not in family.signals:
        out.append(
            (
                "at.signal",
                f"the {family.name} station has no signal {f.at.signal!r}; choose one of {', '.join(family.signals)}",
            )
        )
    return out


def target_problems(plant) -> list[tuple[str, str]]:
    """(key, message) for every fault of a composed plant that names a kind no
    part of the station takes, or a lock, an axis, a sensor or a signal the
    station does not have: found when the config is loaded, before anything
    is built. Keys are ``<index>:<key relative to the fault's section>``."""
    from twin.locks import make_lock
    from twin.rigs import family as rig_family

    family = rig_family(plant.rig.family)
    lock = make_lock(plant.lock, engaged=False)
    return [(f"{i}:{k}", m) for i, f in enumerate(plant.faults) for k, m in _fault_problems(plant, f, family, lock)]


@dataclass
class _Armed:
    spec: Fault
    state: str = "waiting"  # waiting -> pending (trigger seen, delay running) -> active -> done
    fire_at_s: float = 0.0
    since_s: float = 0.0


class FaultInjector:
    """Arms a station's faults, fires them on their triggers and hands each to
    the part that takes it (``targets``: fault kind -> that part)."""

    def __init__(self, faults: list[Fault], targets: dict[str, Any], *, engaged_when: dict[str, bool] | None = None):
        """``engaged_when``: the lock type's status values that confirm a lock
        engaged (what a ``lock_status_stuck`` input reads)."""
        self.armed = [_Armed(f) for f in faults if f.kind not in STATIC_KINDS]
        self.targets = targets
        self.engaged_when = dict(engaged_when or {})
        missing = sorted(
            {a.spec.kind for a in self.armed if a.spec.kind not in targets and a.spec.kind not in SENSOR_KINDS}
        )
        if missing:  # config loading refuses these; a station built from an unchecked config must too
            raise ValueError(f"no part of this station takes faults of kind {', '.join(missing)}")

    def arm(self, fault: Fault) -> None:
        """One more fault, armed now (an engineer's injection into a running station)."""
        if fault.kind not in self.targets and fault.kind not in SENSOR_KINDS:
            raise ValueError(f"no part of this station takes faults of kind {fault.kind}")
        self.armed.append(_Armed(fault))

    @property
    def active(self) -> list[Fault]:
        return [a.spec for a in self.armed if a.state == "active"]

    # -- once per control period, before the physics ----------------------------
    def update(self, t_s: float, phase: str, signals: dict[str, float]) -> list[dict]:
        events = []
        for a in self.armed:
            f, at = a.spec, a.spec.at
            if a.state == "waiting" and _fired(at, t_s, phase, signals):
                a.state, a.fire_at_s = "pending", t_s + (at.delay_s if at.t_s is None else 0.0)
            if a.state == "pending" and t_s >= a.fire_at_s - 1e-9:
                a.state, a.since_s = "active", t_s
                self._apply(f, True)
                events.append({"event": "fault", "name": f.name, "kind": f.kind, "active": True, "t_s": t_s})
            elif a.state == "active" and f.duration_s is not None and t_s >= a.since_s + f.duration_s - 1e-9:
                a.state = "done"
                self._apply(f, False)
                events.append({"event": "fault", "name": f.name, "kind": f.kind, "active": False, "t_s": t_s})
        return events

    def _apply(self, f: Fault, active: bool) -> None:
        if f.kind in SENSOR_KINDS:
            return  # acts on the frame (corrupt), not on the plant
        self.targets[f.kind].apply_fault(f, active=active)

    # -- on every sampled frame: sensor faults -------------------------------------------
    def corrupt(self, sensors: dict[str, Any], rng) -> dict[str, Any]:
        """The readings as the faulty sensors report them (a copy when changed)."""
        live = [a.spec for a in self.armed if a.state == "active" and a.spec.kind in SENSOR_KINDS]
        if not live:
            return sensors
        sensors = dict(sensors)
        for f in live:
            if f.kind == "vision_error":
                v = sensors["vision"]
                if v.valid:
                    sensors["vision"] = VisionReading(
                        True, v.x + f.x_mm * MM, v.y + f.y_mm * MM, v.z, v.yaw + math.radians(f.yaw_deg)
                    )
            elif f.kind == "lock_channel_disagree":
                locks = {lid: dict(ch) for lid, ch in sensors["locks"].items()}
                channels = locks[str(f.lock)]
                name = f.sensor if f.sensor is not None else next(iter(channels))
                a, b = channels[name]
                channels[name] = (a, not b)
                sensors["locks"] = locks
            elif f.kind == "lock_status_stuck":  # a common-cause failure: both channels of every signal
                locks = {lid: dict(ch) for lid, ch in sensors["locks"].items()}
                locks[str(f.lock)].update({name: (v, v) for name, v in self.engaged_when.items()})
                sensors["locks"] = locks
            else:
                sensors[f.sensor] = _corrupted(sensors[f.sensor], f, rng)
        return sensors


def _fired(at, t_s: float, phase: str, signals: dict[str, float]) -> bool:
    if at.t_s is not None:
        return t_s >= at.t_s
    if at.phase is not None:
        return phase == at.phase
    v = signals.get(at.signal)
    return v is not None and ((at.above is not None and v > at.above) or (at.below is not None and v < at.below))


def _corrupted(value: Any, f: Fault, rng) -> Any:
    """One sensor's reading under a stuck, offset, noisy or dropped-out fault."""
    if isinstance(value, tuple):  # a two-channel switch
        ch = f.channel if f.channel is not None else 1
        pair = list(value)
        if f.kind == "sensor_stuck":
            pair[ch] = bool(f.value)
        elif f.kind == "sensor_dropout":
            pair[ch] = False
        return (pair[0], pair[1])
    if f.kind == "sensor_stuck":
        return f.value
    if f.kind == "sensor_offset":
        return value + f.offset
    if f.kind == "sensor_noise":
        return value + float(rng.normal(0.0, f.sigma))
    return None  # sensor_dropout


def static_parking(faults: list[Fault], offset_mm, yaw_deg: float) -> tuple[list[float], float]:
    """The parked pose after any ``misparked`` fault."""
    x, y = offset_mm
    for f in faults:
        if f.kind == "misparked":
            x, y, yaw_deg = x + f.x_mm, y + f.y_mm, yaw_deg + f.yaw_deg
    return [x, y], yaw_deg


def pack_tag(faults: list[Fault], family_id: str) -> str:
    """What the pack's ID tag (and its BMS) reads: its family, unless a fault says otherwise."""
    for f in faults:
        if f.kind in ("wrong_pack_family", "pack_mislabelled"):
            return str(f.value)
    return family_id


def registered_family(faults: list[Fault], family_id: str) -> str:
    """The pack family the vehicle is registered for. A mislabelled pack (its
    label and BMS say another family, and so does the vehicle's record, which
    was made from them) deceives registration; only weighing it can tell."""
    for f in faults:
        if f.kind == "pack_mislabelled":
            return str(f.value)
    return family_id


def with_cog_shift(faults: list[Fault], pack):
    """The pack as it is: its modules shifted in their housing (``cog_shifted``) move its centre of gravity."""
    import dataclasses

    for f in faults:
        if f.kind == "cog_shifted":
            x, y, z = pack.cog_mm
            return dataclasses.replace(pack, cog_mm=[x + f.x_mm, y + f.y_mm, z])
    return pack


__all__ = [
    "FaultInjector", "available_kinds", "pack_tag", "registered_family", "static_parking", "target_problems",
    "with_cog_shift",
]  # fmt: skip
