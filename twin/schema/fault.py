"""Fault schemas: the ``fault`` config group, and ``extra_faults`` to stack more.

A fault is injected into the plant when its trigger fires (a plant time,
entering a controller phase, or a ground-truth signal crossing a threshold),
acts for ``duration_s`` (or for good), and is announced on the observer channel
only: the controller must find out from what its sensors report.

``swaptwin swap fault=pin_jam fault.lock=2 fault.at.phase=lock`` selects a
catalog entry and retargets it. ``extra_faults=[{use: e_stop, at: {t_s: 30}}]``
stacks more: each entry names a catalog file and overrides some of its keys.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

from twin.schema._fields import q

FaultKind = Literal[
    "none",
    # sensors
    "sensor_stuck",
    "sensor_offset",
    "sensor_noise",
    "sensor_dropout",
    "lock_channel_disagree",
    "lock_status_stuck",
    "vision_error",
    "encoder_drift",
    # actuators
    "axis_stall",
    "axis_slow",
    "lock_jam",
    # hydraulics
    "pressure_loss",
    "leak_down",
    # electrics
    "latch_power_loss",
    # clips
    "broken_spring",
    # bolts
    "under_torque",
    "cross_thread",
    "seized_bolt",
    # vehicle
    "misparked",
    "suspension_sag",
    "wrong_pack_family",
    # the pack itself
    "pack_mislabelled",
    "cog_shifted",
    # station
    "e_stop",
    "power_loss",
]

# Which parameters each kind needs (besides name, kind, doc, at).
REQUIRED: dict[str, tuple[str, ...]] = {
    "none": (),
    "sensor_stuck": ("sensor", "value"),
    "sensor_offset": ("sensor", "offset"),
    "sensor_noise": ("sensor", "sigma"),
    "sensor_dropout": ("sensor",),
    "lock_channel_disagree": ("lock",),  # sensor: a channel of the lock; null = its first
    "lock_status_stuck": ("lock",),  # every channel of the lock reads its type's engaged values
    "vision_error": ("x_mm", "y_mm", "yaw_deg"),
    "encoder_drift": ("axis", "rate"),
    "axis_stall": ("axis",),
    "axis_slow": ("axis", "factor"),
    "lock_jam": ("lock",),
    "pressure_loss": ("lock", "rate"),
    "leak_down": ("lock", "rate"),
    "latch_power_loss": (),
    "broken_spring": ("lock",),
    "under_torque": ("lock",),
    "cross_thread": ("lock",),
    "seized_bolt": ("lock",),
    "misparked": ("x_mm", "y_mm", "yaw_deg"),
    "suspension_sag": ("factor",),
    "wrong_pack_family": ("value",),
    "pack_mislabelled": ("value",),
    "cog_shifted": ("x_mm", "y_mm"),
    "e_stop": (),
    "power_loss": (),
}
# Kinds that shape the station before the run starts (their trigger must be t_s = 0).
STATIC_KINDS = frozenset({"misparked", "wrong_pack_family", "pack_mislabelled", "cog_shifted"})
# Who takes which kind. The station itself: its safety inputs, and its frame
# (a sensor fault changes what the I/O reports). The rest are declared by the
# part they act on: a rig's axes (``twin.schema.rig.AXIS_FAULT_KINDS``), a
# vehicle class (its schema's ``FAULT_KINDS``), a lock type (its record).
SAFETY_KINDS = frozenset({"e_stop", "power_loss"})
SENSOR_KINDS = frozenset(
    {
        "sensor_stuck",
        "sensor_offset",
        "sensor_noise",
        "sensor_dropout",
        "lock_channel_disagree",
        "lock_status_stuck",
        "vision_error",
    }
)
STATION_KINDS = STATIC_KINDS | SAFETY_KINDS | SENSOR_KINDS


@dataclass(frozen=True)
class Trigger:
    """Exactly one of: a plant time; entering a controller phase; a ground-truth
    signal (``rig_load_n``, ``suspension_mm``, ...) going above or below a value."""

    t_s: float | None = q(None, lo=0.0, hi=1e6, unit="s")
    phase: str | None = q(None, doc="fires when the controller reports entering this phase")
    signal: str | None = q(None, doc="a ground-truth signal name")
    above: float | None = q(None)
    below: float | None = q(None)
    delay_s: float = q(0.0, lo=0.0, hi=1e6, unit="s", doc="after the phase is entered or the signal crosses")

    def check(self):
        given = [k for k in ("t_s", "phase", "signal") if getattr(self, k) is not None]
        if len(given) != 1:
            return [("(trigger)", f"give exactly one of t_s, phase or signal; got {given or 'none'}")]
        if self.signal is not None and (self.above is None) == (self.below is None):
            return [("signal", "a signal trigger needs exactly one of above or below")]
        return []


@dataclass(frozen=True)
class Fault:
    name: str = q(doc="catalog name")
    kind: FaultKind = q()
    doc: str = q(doc="what the fault is, where it comes from, what a controller should do")
    at: Trigger = q()
    duration_s: float | None = q(None, lo=0.0, hi=1e6, unit="s", doc="how long it acts; none: for good")
    sensor: str | None = q(
        None, doc="a frame sensor path, e.g. load_cell_n, pack_present, vision, or a lock channel name"
    )
    channel: int | None = q(None, lo=0, hi=1, doc="which of a two-channel sensor's channels")
    value: Any = q(None, doc="a stuck value, or the family id a wrong tag (or a mislabelled pack) reads")
    offset: float | None = q(None, doc="added to a numeric sensor, in its unit")
    sigma: float | None = q(None, lo=0.0, hi=1e9, doc="noise, in the sensor's unit")
    axis: str | None = q(None)
    lock: int | None = q(None, lo=0, hi=63, doc="lock index")
    factor: float | None = q(None, lo=0.0, hi=10.0)
    rate: float | None = q(None, doc="drift per second (encoder, in its unit), or a pressure decay time constant in s")
    x_mm: float | None = q(None, lo=-1000.0, hi=1000.0, unit="mm")
    y_mm: float | None = q(None, lo=-1000.0, hi=1000.0, unit="mm")
    yaw_deg: float | None = q(None, lo=-45.0, hi=45.0, unit="deg")

    def check(self):
        out = [(k, f"a {self.kind} fault needs {k}") for k in REQUIRED.get(self.kind, ()) if getattr(self, k) is None]
        if self.kind in STATIC_KINDS and self.at.t_s != 0.0:
            out.append(("at.t_s", f"a {self.kind} fault shapes the station before the run: its trigger must be t_s: 0"))
        return out
