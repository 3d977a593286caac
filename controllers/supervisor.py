"""The safety supervisor: checks that hold on every frame, in every phase, before any phase logic.

1. **Safety inputs**: an e-stop or a station power loss stops the swap; the
   station has already stopped its drives, and the controller never restarts
   them by itself (GB/T 29772-2024 s8.5.6).
2. **Plant-time watchdog** with a window (IEC 61508-2): frames must come one by
   one, a period apart; too many lost, repeated or mistimed frames in the
   window stop the swap.
3. **Every two-channel signal**, every frame (ISO 13849 category 3: a single
   fault must not lose the safety function): the description declares which
   sensors are two-channel switches and which lock groups report two-channel
   status; channels that disagree for longer than the switching skew stop the
   swap, whatever phase needs them next.
4. **Load plausibility**: the load cell against what the sequence expects it
   to carry (``expect_load``: ``"pack"``, ``"empty"`` or None for no
   expectation while pressing or landing).

A check that fails raises ``Fault`` naming itself (``by``), which the phase
machine turns into a safe stop.
"""

from __future__ import annotations

import collections
from collections.abc import Iterator

from controllers.config import SupervisorTuning
from swapwire.frame import Frame
from swapwire.station import StationDescription


class Fault(Exception):
    """A condition that ends the swap in a safe stop. ``by`` names the check
    that found it (the fault campaign reports detections by it)."""

    def __init__(self, message: str, *, by: str = "sequence"):
        super().__init__(message)
        self.by = by


class Refusal(Fault):
    """A precondition that fails before anything irreversible happened."""

    def __init__(self, message: str, *, by: str = "precondition"):
        super().__init__(message, by=by)


def two_channel_signals(station: StationDescription, frame: Frame) -> Iterator[tuple[str, tuple[bool, bool]]]:
    """(name, [A, B]) of every two-channel signal the description declares, in
    frame order: each ``two_channel`` sensor, and each channel of each lock of
    each ``lock_status`` sensor (``locks.0.extended``)."""
    for name, info in station.sensors.items():
        if info.kind == "two_channel":
            yield name, frame.sensors[name]
        elif info.kind == "lock_status":
            for lid, channels in frame.sensors[name].items():
                for channel, pair in channels.items():
                    yield f"{name}.{lid}.{channel}", pair


class Supervisor:
    def __init__(self, tuning: SupervisorTuning, station: StationDescription, *, weight_n: float):
        self.tuning = tuning
        self.station = station
        self.weight_n = weight_n
        self.period_s = station.clock.control_period_s
        self.expect_load: str | None = "empty"
        self._last_seq: int | None = None
        self._last_t: float | None = None
        self._anomalies: collections.deque[int] = collections.deque()
        self._discrepant: dict[str, float] = {}  # signal -> plant time its channels began to disagree

    def check(self, frame: Frame) -> None:
        self._safety_inputs(frame)
        self._watchdog(frame)
        self._two_channels(frame)
        self._load(frame)

    def _safety_inputs(self, frame: Frame) -> None:
        # Fail closed: a frame without these inputs is no frame to go on with, and only a
        # reading of "not pressed" and "power present" lets the swap go on.
        s = frame.sensors
        if s["estop"] is not False:
            raise Fault("emergency stop pressed", by="safety_input")
        if s["station_power"] is not True:
            raise Fault("station power lost", by="safety_input")

    def _watchdog(self, frame: Frame) -> None:
        sup = self.tuning
        seq, t = frame.frame_seq, frame.t_s
        if self._last_seq is not None and self._last_t is not None:
            ok = seq == self._last_seq + 1 and abs(t - self._last_t - self.period_s) <= 0.5 * self.period_s
            self._anomalies.append(0 if ok else 1)
            if len(self._anomalies) > sup.window_frames:
                self._anomalies.popleft()
            if sum(self._anomalies) > sup.max_frame_anomalies:
                raise Fault(
                    f"plant-time watchdog: {sum(self._anomalies)} frames lost, repeated or off the period "
                    f"in the last {len(self._anomalies)}",
                    by="frame_watchdog",
                )
        self._last_seq, self._last_t = seq, t

    def _two_channels(self, frame: Frame) -> None:
        t = frame.t_s
        for name, (a, b) in two_channel_signals(self.station, frame):
            if a != b:
                since = self._discrepant.setdefault(name, t)
                if t - since > self.tuning.discrepancy_time_s:
                    raise Fault(f"{name} channels disagree (A={a}, B={b}) for {t - since:.2f} s", by="two_channel")
            else:
                self._discrepant.pop(name, None)

    def _load(self, frame: Frame) -> None:
        load = frame.sensors.get("load_cell_n", 0.0)
        if load is None:
            raise Fault("load cell not reporting", by="sensor_dropout")
        if self.expect_load is not None:
            expected = self.weight_n if self.expect_load == "pack" else 0.0
            if abs(load - expected) > self.tuning.load_tolerance_fraction * self.weight_n:
                raise Fault(
                    f"load cell reads {load:.0f} N where {expected:.0f} N is expected ({self.expect_load})",
                    by="load_plausibility",
                )
