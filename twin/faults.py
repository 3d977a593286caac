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
import math
from dataclasses import dataclass, field

from twin.schema.fault import STATIC_KINDS, Fault

MM = 1e-3
# Faults that act on a lock model's own state: the attribute they need.
_LOCK_ATTRIBUTE = {"pressure_loss": "pressure_pa", "leak_down": "pressure_pa", "broken_spring": "spring_factor"}


@dataclass
class _Armed:
    spec: Fault
    state: str = "waiting"  # waiting -> pending (trigger seen, delay running) -> active -> done
    fire_at_s: float = 0.0
    since_s: float = 0.0
    saved: dict = field(default_factory=dict)


class FaultInjector:
    def __init__(self, faults: list[Fault], station):
        self.station = station
        self.armed = [_Armed(f) for f in faults if f.kind not in STATIC_KINDS]
        for a in self.armed:
            self._validate_target(a.spec)

    def _validate_target(self, f: Fault) -> None:
        st = self.station
        if f.lock is not None and f.kind in ("lock_jam", "pressure_loss", "leak_down", "broken_spring", "lock_channel_disagree"):
            if f.lock >= len(st.interface.locks):
                raise ValueError(f"fault {f.name}: lock {f.lock} does not exist; the station has {len(st.interface.locks)} locks")
            attr = _LOCK_ATTRIBUTE.get(f.kind)
            if attr and not hasattr(st.interface.locks[f.lock], attr):
                raise ValueError(f"fault {f.name} ({f.kind}) needs a lock with {attr}; lock {f.lock} is a {st.interface.locks[f.lock].lock_type}")
        if f.axis is not None and f.axis not in st.rig.axes:
            raise ValueError(f"fault {f.name}: axis {f.axis!r} does not exist; the rig has {list(st.rig.axes)}")
        if f.kind == "suspension_sag" and not hasattr(st, "truck"):
            raise ValueError(f"fault {f.name}: suspension_sag needs a truck")

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
                    fired = v is not None and ((at.above is not None and v > at.above) or (at.below is not None and v < at.below))
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

    def _apply(self, a: _Armed, on: bool) -> None:
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
                pair = sensors["locks"][str(f.lock)][f.sensor]
                pair[1] = not pair[1]
            else:
                _corrupt_sensor(sensors, f, rng)
        return frame


_SENSOR_KINDS = frozenset({"sensor_stuck", "sensor_offset", "sensor_noise", "sensor_dropout", "lock_channel_disagree", "vision_error"})


def _corrupt_sensor(sensors: dict, f: Fault, rng) -> None:
    if f.sensor not in sensors:
        raise KeyError(f"fault {f.name}: the station has no sensor {f.sensor!r}; it has {sorted(sensors)}")
    value = sensors[f.sensor]
    if isinstance(value, list):  # a two-channel switch
        ch = f.channel if f.channel is not None else 1
        if f.kind == "sensor_stuck":
            value[ch] = bool(f.value)
        elif f.kind == "sensor_dropout":
            value[ch] = False
        return
    if f.kind == "sensor_stuck":
        sensors[f.sensor] = f.value
    elif f.kind == "sensor_offset":
        sensors[f.sensor] = value + f.offset
    elif f.kind == "sensor_noise":
        sensors[f.sensor] = value + float(rng.normal(0.0, f.sigma))
    elif f.kind == "sensor_dropout":
        sensors[f.sensor] = None


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
