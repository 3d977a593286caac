"""The phase machine every swap sequence runs on.

A sequence is a fixed list of phases (``PHASES`` of the subclass). Each phase
is a method ``_phase_<name>`` that yields once per frame it receives and so
produces one ``Command`` per frame; a phase ends when its method returns, and
the next one starts on the same frame. Every phase has a timeout in *plant*
time (frames' ``t_s``), never host time. Any fault (a timeout, a drive fault,
channels that disagree, an implausible load) leads to a safe stop: all axes
brake to standstill, locks are held as they are, and the controller reports
the outcome with its reason. Nothing raises out of ``on_frame``.

A sequence learns the station from its description (axes, limits, taught
positions, lock group, pack mass) and senses only what the frames report: it
never reads ground truth. Its lock strategy follows the described lock group,
not the pack. Before any phase logic, every frame passes the safety
supervisor (``controllers/supervisor.py``).

Terminal outcomes: ``done`` (swap complete, locks verified), ``refused`` (a
precondition failed before any lock moved, e.g. a vehicle parked beyond the
rig's capture range), ``safe_stop`` (a fault during the swap).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Generator
from dataclasses import dataclass
from typing import Any, ClassVar

import swapwire as wire
from controllers.config import AlignTuning, ControllerConfig
from controllers.locking import LockStrategy
from controllers.supervisor import Fault, Refusal, Supervisor
from swapwire.frame import Frame, VisionReading
from swapwire.station import StationDescription

MM = 1e-3
# The phase a sequence reports once the swap is complete (the last one it declares).
FINAL_PHASE = "done"
# A load cell reads force; the pack's weight in N uses standard gravity (ISO 80000-3).
STANDARD_GRAVITY_M_S2 = 9.80665
PhaseGen = Generator[None, Frame, None]

__all__ = ["MM", "Fault", "Outcome", "PhaseGen", "Refusal", "SwapSequence"]


@dataclass(frozen=True)
class Outcome:
    outcome: str
    reason: str
    phase: str
    t_s: float
    detected_by: str = ""


class SwapSequence:
    """The base of every rig family's sequence. A subclass sets ``rig_family``,
    ``PHASES``, ``ALIGN_AXES`` and ``Tuning`` (its config schema), and writes
    one ``_phase_<name>`` per phase."""

    rig_family: ClassVar[str] = ""
    PHASES: ClassVar[tuple[str, ...]] = ()
    # Vision alignment: which axes move the tool along x, along y and in yaw.
    ALIGN_AXES: ClassVar[tuple[str, str, str]] = ("", "", "")
    Tuning: ClassVar[type]

    def __init__(self, cfg: ControllerConfig, station: StationDescription):
        self.cfg = cfg
        self.tuning: Any = cfg.tuning(self.rig_family)
        self.station = station
        self.axes = {a.name: a for a in station.axes}
        self.pack = station.pack
        self.weight_n = self.pack.mass_kg * STANDARD_GRAVITY_M_S2
        self.lock_strategy = LockStrategy(station.locks)
        self.phase = "identify"
        self.outcome: Outcome | None = None
        self._frame: Frame | None = None
        self.sp: dict[str, wire.AxisCommand] = {n: wire.AxisCommand(wire.MODE_HOLD) for n in self.axes}
        self.locks: dict[str, str] = {}
        self.tool: dict[str, str] = {}
        self.float_lock: bool | None = True
        self.reset_faults = True  # acknowledge whatever the drives latched before we took over
        self._phases = iter(self.PHASES)
        self._gen: PhaseGen | None = None
        self._phase_start_s = 0.0
        self._stopping = False
        self._pending: Outcome | None = None
        self.estimate: dict[str, float] = {}
        self.supervisor = Supervisor(cfg.supervisor, station, weight_n=self.weight_n)
        self.period_s = station.clock.control_period_s

    @property
    def frame(self) -> Frame:
        """The frame being answered (the phases run only once one has come)."""
        if self._frame is None:
            raise Fault("no frame yet", by="controller_error")
        return self._frame

    @property
    def expect_load(self) -> str | None:
        """What the load cell should read: "pack" (carrying), "empty", or None
        (pressing, landing: no expectation). Phases set it; the supervisor checks it."""
        return self.supervisor.expect_load

    @expect_load.setter
    def expect_load(self, value: str | None) -> None:
        self.supervisor.expect_load = value

    # -- the one entry point --------------------------------------------------
    def on_frame(self, frame: Frame) -> wire.Command:
        """Consume one frame, return the command that answers it. Never raises."""
        self._frame = frame
        try:
            if self.outcome is None and not self._stopping:
                self._run_phases(frame)
        except Fault as exc:
            self._begin_safe_stop(exc)
        except Exception as exc:  # a bug must still end in a safe stop, not a dead process
            self._begin_safe_stop(
                Fault(f"controller error in {self.phase}: {type(exc).__name__}: {exc}", by="controller_error")
            )
        if self._stopping:
            self._continue_safe_stop(frame)
        return self._command(frame)

    def _run_phases(self, frame: Frame) -> None:
        """Feed the frame to the current phase; when a phase returns, start the
        next one on the same frame. A phase's first command answers the frame
        it starts on, so every phase lasts at least one period."""
        self.supervisor.check(frame)
        self._check_drives(frame)
        if self._gen is not None:
            elapsed = frame.t_s - self._phase_start_s
            limit = self.tuning.timeouts_s[self.phase]
            if elapsed > limit:
                raise Fault(f"phase {self.phase} timed out after {elapsed:.2f} s (limit {limit} s)", by="timeout")
            try:
                self._gen.send(frame)
                return
            except StopIteration:
                self._gen = None
        while self._gen is None:
            name = next(self._phases, None)
            if name is None:
                self.outcome = Outcome(
                    wire.OUTCOME_DONE, "swap complete; locks verified on both channels", "done", frame.t_s
                )
                self.phase = "done"
                return
            self.phase, self._phase_start_s = name, frame.t_s
            self._gen = getattr(self, f"_phase_{name}")()
            try:
                next(self._gen)  # run up to the phase's first yield
            except StopIteration:
                self._gen = None

    def _command(self, frame: Frame) -> wire.Command:
        cmd = wire.Command(
            frame_seq=frame.frame_seq,
            phase=self.phase,
            axes=dict(self.sp),
            locks=dict(self.locks),
            float_lock=self.float_lock,
            tool=dict(self.tool),
            reset_faults=self.reset_faults,
        )
        self.reset_faults = False
        return cmd

    # -- safe stop --------------------------------------------------------------
    def _begin_safe_stop(self, exc: Fault) -> None:
        outcome = wire.OUTCOME_REFUSED if isinstance(exc, Refusal) else wire.OUTCOME_SAFE_STOP
        t = self._frame.t_s if self._frame is not None else 0.0
        self._pending = Outcome(outcome, str(exc), self.phase, t, exc.by)
        self._stopping = True
        self._gen = None
        self.sp = {n: wire.AxisCommand(wire.MODE_STOP) for n in self.axes}
        # Keep every lock as it is: never release on a fault.
        self.locks = {wire.ALL_LOCKS: wire.LOCK_HOLD}
        self.tool = {name: wire.LOCK_HOLD for name in self.station.tools}

    def _continue_safe_stop(self, frame: Frame) -> None:
        at_rest = all(a.settled or a.latched for a in frame.axes.values())
        if at_rest and self.outcome is None:
            self.outcome = self._pending

    # -- checks -------------------------------------------------------------------
    def _check_drives(self, frame: Frame) -> None:
        d = frame.drives
        if d.stopped and not self.reset_faults:
            raise Fault(f"drives {d.state}: {'; '.join(d.reasons) or 'no reason given'}", by="drive")

    def _sensors(self) -> dict[str, Any]:
        return self.frame.sensors

    def _load_n(self) -> float:
        return self._sensors()["load_cell_n"]

    def _two_channels(self, name: str, pair: tuple[bool, bool]) -> bool:
        a, b = pair
        if a != b:
            raise Fault(f"{name} channels disagree (A={a}, B={b})", by="two_channel")
        return a

    def _identify_common(self) -> None:
        s = self.station
        if s.rig_family != self.rig_family:
            raise Refusal(f"this sequence drives {self.rig_family} rigs, not {s.rig_family!r}")
        missing = set(self.ALIGN_AXES) - set(self.axes)
        if missing:
            raise Refusal(f"station lacks axes {sorted(missing)}")
        if not self.lock_strategy.confirmable:
            raise Refusal(f"the station does not say what confirms its {s.locks.type} locks engaged and released")
        registered = s.vehicle.registered_pack_family
        if registered is not None and self.pack.family_id != registered:
            raise Refusal(
                f"pack tag reads {self.pack.family_id!r} but vehicle {s.vehicle.vehicle_id} is registered for "
                f"{registered!r}"
            )
        if self.pack.mass_kg > s.limits.payload_kg:
            raise Refusal(
                f"pack {self.pack.family_id} weighs {self.pack.mass_kg} kg, over the rig's payload "
                f"{s.limits.payload_kg} kg"
            )

    # -- motion helpers (coroutines) -------------------------------------------
    def _set(self, axis: str, target: float, *, speed: float | None = None, force_limit: float | None = None) -> None:
        spec = self.axes[axis]
        if not spec.lower <= target <= spec.upper:
            raise Fault(f"{axis} target {target:.4f} {spec.unit} outside [{spec.lower}, {spec.upper}]", by="interlock")
        self.sp[axis] = wire.AxisCommand(wire.MODE_POSITION, target=target, speed=speed, force_limit=force_limit)

    def _hold(self, axis: str) -> None:
        self.sp[axis] = wire.AxisCommand(wire.MODE_HOLD)

    def _move(
        self,
        targets: dict[str, float],
        *,
        speed: dict[str, float] | None = None,
        force_limit: dict[str, float] | None = None,
        tol: dict[str, float] | None = None,
    ) -> PhaseGen:
        """Command targets; return once every set-point has arrived and each axis
        is within ``tol`` of its target (default: 5 encoder counts)."""
        speed, force_limit, tol = speed or {}, force_limit or {}, tol or {}
        for axis, target in targets.items():
            self._set(axis, target, speed=speed.get(axis), force_limit=force_limit.get(axis))
        while True:
            frame = yield
            axes = frame.axes
            if all(
                axes[a].settled and abs(axes[a].pos - t) <= tol.get(a, 5 * self.axes[a].encoder_resolution)
                for a, t in targets.items()
            ):
                return

    def _wait(self, predicate: Callable[[Frame], bool]) -> PhaseGen:
        while True:
            frame = yield
            if predicate(frame):
                return

    def _hold_for(self, duration_s: float) -> PhaseGen:
        t_end = self.frame.t_s + duration_s
        yield from self._wait(lambda f: f.t_s >= t_end)

    def _set_float(self, locked: bool) -> PhaseGen:
        self.float_lock = locked
        yield from self._wait(lambda f: f.sensors["float_locked"] == locked)

    def _axis_pos(self, axis: str) -> float:
        return self.frame.axes[axis].pos

    def _axis_force(self, axis: str) -> float:
        return self.frame.axes[axis].force

    # -- vision alignment -----------------------------------------------------------
    _align_origin: tuple[dict[str, float], dict[str, float]] | None = None

    def _check_vision_against_encoders(self, est: dict[str, float]) -> None:
        """After an alignment move, the new estimate must be the old one less the
        move the encoders report: a camera and encoders that disagree cannot both
        be trusted (a drifting encoder, a knocked camera, a moving vehicle)."""
        if self._align_origin is None:
            return
        before_axes, before = self._align_origin
        self._align_origin = None
        ax, ay, ayaw = self.ALIGN_AXES
        mx, my = self._axis_pos(ax) - before_axes[ax], self._axis_pos(ay) - before_axes[ay]
        yaw = self._axis_pos(ayaw)
        # The move in the tool's frame (which turned with the yaw axis).
        tx = math.cos(yaw) * mx + math.sin(yaw) * my
        ty = -math.sin(yaw) * mx + math.cos(yaw) * my
        err = math.hypot(est["x"] - (before["x"] - tx), est["y"] - (before["y"] - ty))
        if err > self.cfg.supervisor.vision_consistency_mm * MM:
            raise Fault(
                f"vision and encoders disagree by {err / MM:.1f} mm after an alignment move", by="vision_plausibility"
            )

    def _vision_estimate(self, tuning: AlignTuning) -> Generator[None, Frame, dict[str, float]]:
        """The average of ``tuning.samples`` valid vision readings."""
        samples: list[VisionReading] = []
        while len(samples) < tuning.samples:
            frame = yield
            v = frame.sensors["vision"]
            if v.valid:
                samples.append(v)
        return {k: sum(getattr(s, k) for s in samples) / len(samples) for k in ("x", "y", "z", "yaw")}

    def _align_on_vision(self, tuning: AlignTuning) -> PhaseGen:
        """Average the vision estimate, move, repeat until within tolerance.
        Refuses (before any lock moved) a target beyond an axis's travel."""
        ax, ay, ayaw = self.ALIGN_AXES
        tol_m, tol_rad = tuning.tolerance_mm * MM, math.radians(tuning.tolerance_deg)
        for _ in range(tuning.max_attempts):
            est = yield from self._vision_estimate(tuning)
            self._check_vision_against_encoders(est)
            self.estimate = est
            if abs(est["x"]) <= tol_m and abs(est["y"]) <= tol_m and abs(est["yaw"]) <= tol_rad:
                return
            # Vision measures in the tool's frame, which turns with the yaw axis.
            yaw, k = self._axis_pos(ayaw), tuning.gain
            dx = k * (math.cos(yaw) * est["x"] - math.sin(yaw) * est["y"])
            dy = k * (math.sin(yaw) * est["x"] + math.cos(yaw) * est["y"])
            targets = {
                ax: self._axis_pos(ax) + dx,
                ay: self._axis_pos(ay) + dy,
                ayaw: self._axis_pos(ayaw) + k * est["yaw"],
            }
            self._align_origin = ({a: self._axis_pos(a) for a in (ax, ay, ayaw)}, est)
            for axis, t in targets.items():
                self._refuse_beyond_travel(axis, t)
            yield from self._move(targets)
        raise Fault(
            f"alignment did not converge in {tuning.max_attempts} attempts: {self.estimate}", by="vision_plausibility"
        )

    def _refuse_beyond_travel(self, axis: str, target: float) -> None:
        spec = self.axes[axis]
        if not spec.lower <= target <= spec.upper:
            scale, unit = (1000.0, "mm") if spec.unit == "m" else (180.0 / math.pi, "deg")
            raise Refusal(
                f"vehicle out of capture range: {axis} would need {target * scale:+.1f} {unit}, "
                f"beyond [{spec.lower * scale:+.1f}, {spec.upper * scale:+.1f}] {unit}"
            )
