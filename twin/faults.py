"""Fault injection into a running station.

Each configured fault waits for its trigger (a plant time, the controller
entering a phase, or a ground-truth signal crossing a value), then acts on the
station for ``duration_s`` or for good. Faults act where a real fault would:
on a sensor's reading (the frame the controller gets), on an actuator (a
drive, a lock), on the vehicle or on the station's safety inputs. Activation
and deactivation are announced on the observer channel only.

Static kinds (a misparked vehicle, a wrong pack tag) shape the station before
the run and are read by the station when it builds itself.

Determinism: triggers are evaluated once per control period on plant state,
and noise comes from the station's seeded generator, so a faulted run is as
reproducible as a clean one.
"""

from __future__ import annotations

import copy
import dataclasses
import math
from dataclasses import dataclass, field

from twin.schema.fault import REQUIRED, STATIC_KINDS, Fault

MM = 1e-3
# Faults that act on a lock model's own state: the attribute they need.
_LOCK_ATTRIBUTE = {"pressure_loss": "pressure_pa", "leak_down": "pressure_pa", "broken_spring": "spring_factor"}
# Kinds aimed at a lock, or at a frame sensor: those whose schema requires one.
_LOCK_KINDS = frozenset(k for k, required in REQUIRED.items() if "lock" in required)
_FRAME_SENSOR_KINDS = frozenset(k for k, required in REQUIRED.items() if "sensor" in required)
# What each station's frames carry under "sensors" (tests/twin/test_fault_targets.py
# holds these to the stations), and the ground-truth signals a trigger may watch.
SENSORS = {
    "under_chassis": (
        "load_cell_n",
        "pack_present",
        "float_locked",
        "tool_coupled",
        "connector_mated",
        "vision",
        "locks",
        "estop",
        "station_power",
    ),
    "overhead": (
        "load_cell_n",
        "float_locked",
        "vision",
        "spreader",
        "spreader.landed",
        "locks",
        "connector_mated",
        "vehicle_interface",
        "estop",
        "station_power",
    ),
}  # a dotted name reaches into a group: spreader.landed is the spreader's two-channel landed switch
SIGNALS = {"under_chassis": ("rig_load_n",), "overhead": ("rig_load_n", "suspension_mm")}


def target_problems(plant) -> list[tuple[str, str]]:
    """(key, message) for every fault of a composed plant that names a lock,
    an axis, a sensor or a signal its station does not have: found when the
    config is loaded, before anything is built. Keys are relative to the
    fault's own section."""
    from twin.locks import LOCK_MODELS  # pure models, no pybullet

    family = plant.rig.family
    n_locks = len(plant.pack.locks.positions_mm)
    lock = LOCK_MODELS[plant.lock.type](plant.lock, engaged=False)
    axes = [f.name for f in dataclasses.fields(plant.rig.axes)]
    out: dict[int, list[tuple[str, str]]] = {}
    for i, f in enumerate(plant.faults):
        p = out.setdefault(i, [])
        if f.kind in _LOCK_KINDS and f.lock is not None:
            if f.lock >= n_locks:
                p.append(("lock", f"lock {f.lock} does not exist; the pack has {n_locks} locks (0..{n_locks - 1})"))
            attr = _LOCK_ATTRIBUTE.get(f.kind)
            if attr and not hasattr(lock, attr):
                p.append(("kind", f"a {f.kind} fault needs a lock with {attr}; this run's locks are {lock.lock_type}"))
        if f.kind == "lock_channel_disagree" and f.sensor is not None and f.sensor not in lock.channels:
            p.append(
                (
                    "sensor",
                    f"{f.sensor!r} is not a channel of a {lock.lock_type}; choose one of {', '.join(lock.channels)}",
                )
            )
        if f.kind in _FRAME_SENSOR_KINDS and f.sensor is not None and f.sensor not in SENSORS[family]:
            p.append(
                (
                    "sensor",
                    f"the {family} station has no sensor {f.sensor!r}; choose one of {', '.join(SENSORS[family])}",
                )
            )
        if f.axis is not None and f.axis not in axes:
            p.append(("axis", f"axis {f.axis!r} does not exist; the {family} rig has {', '.join(axes)}"))
        if f.kind == "suspension_sag" and family != "overhead":
            p.append(("kind", "suspension_sag needs a truck (rig=overhead)"))
        if f.at.signal is not None and f.at.signal not in SIGNALS[family]:
            p.append(
                (
                    "at.signal",
                    f"the {family} station has no signal {f.at.signal!r}; choose one of {', '.join(SIGNALS[family])}",
                )
            )
    return [(f"{i}:{k}", m) for i, ps in out.items() for k, m in ps]


@dataclass
class _Armed:
    spec: Fault
    state: str = "waiting"  # waiting -> pending (trigger seen, delay running) -> active -> done
    fire_at_s: float = 0.0
    since_s: float = 0.0
    saved: dict = field(default_factory=dict)


class FaultInjector:
    def __init__(self, station):
        self.station = station
        self.armed = [_Armed(f) for f in station.cfg.faults if f.kind not in STATIC_KINDS]
        # Config loading refuses these; a station built from an unchecked config must too.
        problems = target_problems(station.cfg)
        if problems:
            raise ValueError("; ".join(f"fault {k}: {m}" for k, m in problems))

    @property
    def active(self) -> list[Fault]:
        return [a.spec for a in self.armed if a.state == "active"]

    # -- once per control period, before the physics ----------------------------
    def update(self, t_s: float, phase: str, signals: dict[str, float]) -> list[dict]:
        events = []
        for a in self.armed:
            f, at = a.spec, a.spec.at
            if a.state == "waiting":
                if at.t_s is not None:
                    fired = t_s >= at.t_s
                elif at.phase is not None:
                    fired = phase == at.phase
                else:
                    v = signals.get(at.signal)
                    fired = v is not None and (
                        (at.above is not None and v > at.above) or (at.below is not None and v < at.below)
                    )
                if fired:
                    a.state, a.fire_at_s = "pending", t_s + (at.delay_s if at.t_s is None else 0.0)
            if a.state == "pending" and t_s >= a.fire_at_s - 1e-9:
                a.state, a.since_s = "active", t_s
                self._apply(a, True)
                events.append({"event": "fault", "name": f.name, "kind": f.kind, "active": True, "t_s": t_s})
            elif a.state == "active" and f.duration_s is not None and t_s >= a.since_s + f.duration_s - 1e-9:
                a.state = "done"
                self._apply(a, False)
                events.append({"event": "fault", "name": f.name, "kind": f.kind, "active": False, "t_s": t_s})
        return events

    def _apply(self, a: _Armed, on: bool) -> None:  # noqa: C901 (split in the redesign)
        """Actuator, vehicle and station faults change the plant itself."""
        f, st = a.spec, self.station
        k = f.kind
        if k == "latch_power_loss":
            st.vehicle_power = not on
        elif k == "lock_jam":
            (st.interface.jammed.add if on else st.interface.jammed.discard)(f.lock)
        elif k in ("pressure_loss", "leak_down"):
            if on:
                st.interface.leaks[f.lock] = f.rate
            else:
                st.interface.leaks.pop(f.lock, None)
        elif k == "broken_spring":
            lock = st.interface.locks[f.lock]
            if on:
                a.saved["spring_factor"] = lock.spring_factor
                lock.spring_factor = 0.0
            else:
                lock.spring_factor = a.saved["spring_factor"]
        elif k == "axis_stall":
            if on:
                st.rig.blocked_at[f.axis] = st.rig.q[f.axis]
            else:
                st.rig.blocked_at.pop(f.axis, None)
        elif k == "encoder_drift":
            (st.encoder_drift.__setitem__(f.axis, f.rate) if on else st.encoder_drift.pop(f.axis, None))
        elif k == "axis_slow":
            st.drives.drives[f.axis].speed_factor = f.factor if on else 1.0
        elif k == "suspension_sag":
            st.truck.k_n_per_m *= f.factor if on else 1.0 / f.factor
        elif k == "e_stop":
            st.estop = on
            if on:
                st.drives.emergency_stop(category=1, reason="emergency stop pressed", actual=st.rig.positions())
        elif k == "power_loss":
            st.station_power = not on
            if on:
                st.drives.emergency_stop(category=0, reason="station power lost", actual=st.rig.positions())

    # -- on every frame: sensor faults -----------------------------------------------
    def corrupt(self, frame: dict, t_s: float, rng) -> dict:
        """The frame as the faulty sensors report it (a copy when changed)."""
        live = [a for a in self.armed if a.state == "active" and a.spec.kind in _SENSOR_KINDS]
        if not live:
            return frame
        frame = copy.deepcopy(frame)
        for a in live:
            f, sensors = a.spec, frame["sensors"]
            if f.kind == "vision_error":
                v = sensors["vision"]
                if v["valid"]:
                    v["x"] += f.x_mm * MM
                    v["y"] += f.y_mm * MM
                    v["yaw"] += math.radians(f.yaw_deg)
            elif f.kind == "lock_channel_disagree":
                channels = sensors["locks"][str(f.lock)]
                pair = channels[f.sensor if f.sensor is not None else next(iter(channels))]
                pair[1] = not pair[1]
            else:
                _corrupt_sensor(sensors, f, rng)
        return frame


_SENSOR_KINDS = frozenset(
    {"sensor_stuck", "sensor_offset", "sensor_noise", "sensor_dropout", "lock_channel_disagree", "vision_error"}
)


def _corrupt_sensor(sensors: dict, f: Fault, rng) -> None:
    *groups, key = f.sensor.split(".")
    for g in groups:  # a dotted name: a sensor inside a group (spreader.landed)
        sensors = sensors[g]
    if key not in sensors:
        raise KeyError(f"fault {f.name}: the station has no sensor {f.sensor!r}; it has {sorted(sensors)}")
    value = sensors[key]
    if isinstance(value, list):  # a two-channel switch
        ch = f.channel if f.channel is not None else 1
        if f.kind == "sensor_stuck":
            value[ch] = bool(f.value)
        elif f.kind == "sensor_dropout":
            value[ch] = False
        return
    if f.kind == "sensor_stuck":
        sensors[key] = f.value
    elif f.kind == "sensor_offset":
        sensors[key] = value + f.offset
    elif f.kind == "sensor_noise":
        sensors[key] = value + float(rng.normal(0.0, f.sigma))
    elif f.kind == "sensor_dropout":
        sensors[key] = None


def static_parking(faults: list[Fault], offset_mm, yaw_deg: float) -> tuple[list[float], float]:
    """The parked pose after any ``misparked`` fault."""
    x, y = offset_mm
    for f in faults:
        if f.kind == "misparked":
            x, y, yaw_deg = x + f.x_mm, y + f.y_mm, yaw_deg + f.yaw_deg
    return [x, y], yaw_deg


def pack_tag(faults: list[Fault], family_id: str) -> str:
    """What the pack's ID tag reads: its family, unless a fault says otherwise."""
    for f in faults:
        if f.kind == "wrong_pack_family":
            return str(f.value)
    return family_id


__all__ = ["FaultInjector", "pack_tag", "static_parking"]
