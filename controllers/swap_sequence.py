"""SwapSequence: the under-chassis swap as an explicit phase machine.

Phases, in order (``controllers.config.PHASES``):

  identify -> drive_under -> align -> raise_to_pack -> unlock -> lower_withdraw
  -> store_depleted -> fetch_charged -> approach_align -> raise_insert -> lock
  -> verify -> withdraw -> done

Each phase is a method that yields one ``Command`` per frame it receives; a
phase ends when its method returns. Every phase has a timeout in *plant* time
(frames' ``t_s``), never host time. Any fault (a timeout, a drive fault, an
implausible sensor, a refused precondition) leads to ``safe_stop``: all axes
brake to standstill, locks are held as they are, and the controller reports the
outcome with its reason. Nothing here raises out of ``on_frame``.

The controller learns the station from its description (axes, limits, taught
positions, lock type, pack mass) and senses only what the frames report: it
never reads ground truth. The lock strategy is chosen from the described lock
type, not from the pack.

Terminal outcomes: ``done`` (swap complete, locks verified), ``refused`` (a
precondition failed before any lock moved, e.g. the car is parked beyond the
shuttle's capture range), ``safe_stop`` (a fault during the swap).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Callable, Generator

from controllers import wire
from controllers.config import PHASES, ControllerConfig
from controllers.locking import LockStrategy, strategy_for

MM = 1e-3
# A load cell reads force; the pack's weight in N uses standard gravity (ISO 80000-3).
STANDARD_GRAVITY_M_S2 = 9.80665
Frame = dict
PhaseGen = Generator[wire.Command, Frame, None]


class Fault(Exception):
    """A condition that ends the swap in a safe stop."""


class Refusal(Fault):
    """A precondition that fails before anything irreversible happened."""


@dataclass(frozen=True)
class Outcome:
    outcome: str
    reason: str
    phase: str
    t_s: float


class SwapSequence:
    def __init__(self, cfg: ControllerConfig, station: dict):
        self.cfg = cfg
        self.station = station
        self.axes = {a["name"]: a for a in station["axes"]}
        self.pos = station["positions"]
        self.pack = station["pack"]
        self.weight_n = self.pack["mass_kg"] * STANDARD_GRAVITY_M_S2
        self.lock_strategy: LockStrategy | None = strategy_for(station["locks"])
        self.phase = "identify"
        self.outcome: Outcome | None = None
        self.frame: Frame = {}
        self.sp: dict[str, wire.AxisCommand] = {n: wire.AxisCommand(wire.MODE_HOLD) for n in self.axes}
        self.locks: dict[str, str] = {}
        self.float_lock: bool | None = True
        self.reset_faults = True  # acknowledge whatever the drives latched before we took over
        self._phases = iter(PHASES)
        self._gen: PhaseGen | None = None
        self._phase_start_s = 0.0
        self._stopping = False
        self.bay_estimate: dict[str, float] = {}

    # -- the one entry point --------------------------------------------------
    def on_frame(self, frame: Frame) -> wire.Command:
        """Consume one frame, return the command that answers it. Never raises."""
        self.frame = frame
        try:
            if self.outcome is None and not self._stopping:
                self._run_phases(frame)
        except Fault as exc:
            self._begin_safe_stop(exc)
        except Exception as exc:  # a bug must still end in a safe stop, not a dead process
            self._begin_safe_stop(Fault(f"controller error in {self.phase}: {type(exc).__name__}: {exc}"))
        if self._stopping:
            self._continue_safe_stop(frame)
        return self._command(frame)

    def _run_phases(self, frame: Frame) -> None:
        """Feed the frame to the current phase; when a phase returns, start the
        next one on the same frame. A phase's first command answers the frame
        it starts on, so every phase lasts at least one period."""
        self._check_drives(frame)
        if self._gen is not None:
            elapsed = frame["t_s"] - self._phase_start_s
            if elapsed > self.cfg.timeouts_s[self.phase]:
                raise Fault(f"phase {self.phase} timed out after {elapsed:.2f} s (limit {self.cfg.timeouts_s[self.phase]} s)")
            try:
                self._gen.send(frame)
                return
            except StopIteration:
                self._gen = None
        while self._gen is None:
            name = next(self._phases, None)
            if name is None:
                self.outcome = Outcome(wire.OUTCOME_DONE, "swap complete; locks verified on both channels", "done", frame["t_s"])
                self.phase = "done"
                return
            self.phase, self._phase_start_s = name, frame["t_s"]
            self._gen = getattr(self, f"_phase_{name}")()
            try:
                next(self._gen)  # run up to the phase's first yield
            except StopIteration:
                self._gen = None

    def _command(self, frame: Frame) -> wire.Command:
        cmd = wire.Command(
            frame_seq=frame["frame_seq"],
            phase=self.phase,
            axes=dict(self.sp),
            locks=dict(self.locks),
            float_lock=self.float_lock,
            reset_faults=self.reset_faults,
        )
        self.reset_faults = False
        return cmd

    # -- safe stop --------------------------------------------------------------
    def _begin_safe_stop(self, exc: Fault) -> None:
        outcome = wire.OUTCOME_REFUSED if isinstance(exc, Refusal) else wire.OUTCOME_SAFE_STOP
        self._pending = Outcome(outcome, str(exc), self.phase, self.frame.get("t_s", 0.0))
        self._stopping = True
        self._gen = None
        self.sp = {n: wire.AxisCommand(wire.MODE_STOP) for n in self.axes}
        self.locks = {"all": wire.LOCK_HOLD}  # keep every lock as it is: never release on a fault

    def _continue_safe_stop(self, frame: Frame) -> None:
        at_rest = all(a.get("settled", True) or a.get("state") in (wire.DRIVE_FAULT, wire.DRIVE_STOPPED) for a in frame["axes"].values())
        if at_rest and self.outcome is None:
            self.outcome = self._pending

    # -- checks -------------------------------------------------------------------
    def _check_drives(self, frame: Frame) -> None:
        d = frame["drives"]
        if d["state"] in (wire.DRIVE_FAULT, wire.DRIVE_STOPPED, wire.DRIVE_STOPPING) and not self.reset_faults:
            raise Fault(f"drives {d['state']}: {'; '.join(d.get('reasons', [])) or 'no reason given'}")

    def _sensors(self) -> dict:
        return self.frame["sensors"]

    def _load_n(self) -> float:
        return self._sensors()["load_cell_n"]

    def _present(self) -> bool:
        a, b = self._sensors()["pack_present"]
        if a != b:
            raise Fault(f"pack-present channels disagree (A={a}, B={b})")
        return a

    # -- motion helpers (coroutines) -------------------------------------------
    def _set(self, axis: str, target: float, *, speed: float | None = None, force_limit: float | None = None) -> None:
        spec = self.axes[axis]
        if not spec["lower"] <= target <= spec["upper"]:
            raise Fault(f"{axis} target {target:.4f} {spec['unit']} outside [{spec['lower']}, {spec['upper']}]")
        self.sp[axis] = wire.AxisCommand(wire.MODE_POSITION, target=target, speed=speed, force_limit=force_limit)

    def _move(self, targets: dict[str, float], *, speed: dict[str, float] | None = None, force_limit: dict[str, float] | None = None, tol: dict[str, float] | None = None) -> PhaseGen:
        """Command targets; return once every set-point has arrived and each axis
        is within ``tol`` of its target (default: 5 encoder counts)."""
        speed, force_limit, tol = speed or {}, force_limit or {}, tol or {}
        for axis, target in targets.items():
            self._set(axis, target, speed=speed.get(axis), force_limit=force_limit.get(axis))
        while True:
            frame = yield
            axes = frame["axes"]
            if all(
                axes[a]["settled"] and abs(axes[a]["pos"] - t) <= tol.get(a, 5 * self.axes[a]["encoder_resolution"])
                for a, t in targets.items()
            ):
                return

    def _wait(self, predicate: Callable[[Frame], bool]) -> PhaseGen:
        while True:
            frame = yield
            if predicate(frame):
                return

    def _hold_for(self, duration_s: float) -> PhaseGen:
        t_end = self.frame["t_s"] + duration_s
        yield from self._wait(lambda f: f["t_s"] >= t_end)

    def _set_float(self, locked: bool) -> PhaseGen:
        self.float_lock = locked
        yield from self._wait(lambda f: f["sensors"]["float_locked"] == locked)

    def _lift_force_now(self) -> float:
        return self.frame["axes"]["lift"]["force"]

    # -- vision alignment -----------------------------------------------------------
    def _align_on_bay(self) -> PhaseGen:
        """Average the vision estimate, move, repeat until within tolerance."""
        tol_m, tol_rad = self.cfg.align_tolerance_mm * MM, math.radians(self.cfg.align_tolerance_deg)
        for attempt in range(self.cfg.align_max_attempts):
            samples = []
            while len(samples) < self.cfg.align_samples:
                frame = yield
                v = frame["sensors"]["vision"]
                if v["valid"]:
                    samples.append(v)
            est = {k: sum(s[k] for s in samples) / len(samples) for k in ("x", "y", "z", "yaw")}
            self.bay_estimate = est
            if abs(est["x"]) <= tol_m and abs(est["y"]) <= tol_m and abs(est["yaw"]) <= tol_rad:
                return
            # Vision measures in the pallet's frame, which turns with the yaw axis.
            axes = self.frame["axes"]
            yaw = axes["yaw"]["pos"]
            dx = math.cos(yaw) * est["x"] - math.sin(yaw) * est["y"]
            dy = math.sin(yaw) * est["x"] + math.cos(yaw) * est["y"]
            targets = {"travel": axes["travel"]["pos"] + dx, "align": axes["align"]["pos"] + dy, "yaw": axes["yaw"]["pos"] + est["yaw"]}
            for axis, t in targets.items():
                spec = self.axes[axis]
                if not spec["lower"] <= t <= spec["upper"]:
                    scale, unit = (1000.0, "mm") if spec["unit"] == "m" else (180.0 / math.pi, "deg")
                    raise Refusal(
                        f"vehicle out of capture range: {axis} would need {t * scale:+.1f} {unit}, "
                        f"beyond [{spec['lower'] * scale:+.1f}, {spec['upper'] * scale:+.1f}] {unit}"
                    )
            yield from self._move(targets)
        raise Fault(f"alignment did not converge in {self.cfg.align_max_attempts} attempts: {self.bay_estimate}")

    # -- phases ----------------------------------------------------------------------
    def _phase_identify(self) -> PhaseGen:
        s = self.station
        if s.get("rig_family") != "under_chassis":
            raise Refusal(f"this controller drives under-chassis rigs, not {s.get('rig_family')!r}")
        missing = {"travel", "align", "lift", "yaw"} - set(self.axes)
        if missing:
            raise Refusal(f"station lacks axes {sorted(missing)}")
        if self.lock_strategy is None:
            raise Refusal(f"no strategy for lock type {s['locks'].get('type')!r}")
        if self.pack["mass_kg"] > s["limits"]["payload_kg"]:
            raise Refusal(f"pack {self.pack['family_id']} weighs {self.pack['mass_kg']} kg, over the rig's payload {s['limits']['payload_kg']} kg")
        if self._present():
            raise Refusal("a pack is already on the pallet")
        self.sp = {n: wire.AxisCommand(wire.MODE_HOLD) for n in self.axes}
        yield

    def _phase_drive_under(self) -> PhaseGen:
        bay = self.pos["bay"]
        yield from self._move({"lift": self.pos["lift_low"]})
        yield from self._move({"travel": bay["travel"], "align": bay["align"], "yaw": bay["yaw"]})

    def _phase_align(self) -> PhaseGen:
        yield from self._align_on_bay()

    def _raise_to(self, contact: float, *, extra_m: float, force_limit: float) -> PhaseGen:
        """Raise fast to just short of ``contact``, then at contact speed to
        ``contact + extra_m`` with the lift's force capped."""
        slow_from = contact - self.cfg.contact_slowdown_mm * MM
        if self.frame["axes"]["lift"]["pos"] < slow_from:
            yield from self._move({"lift": slow_from})
        self._set("lift", contact + extra_m, speed=self.cfg.contact_speed_mm_s * MM, force_limit=force_limit)

    def _phase_raise_to_pack(self) -> PhaseGen:
        yield from self._set_float(False)
        contact = self.bay_lift_contact()
        force = self._lift_force_now() + self.weight_n + self.cfg.seat_force_margin_n
        yield from self._raise_to(contact, extra_m=self.cfg.seat_overtravel_mm * MM, force_limit=force)
        yield from self._wait(lambda f: self._present() and f["sensors"]["tool_coupled"] and f["axes"]["lift"]["settled"])

    def bay_lift_contact(self) -> float:
        """Lift position at which the pallet meets the bottom of an installed pack,
        from the vision's height estimate (falls back to the taught position)."""
        lift = self.frame["axes"]["lift"]["pos"]
        z = self.bay_estimate.get("z")
        if z is None:
            return self.pos["bay"]["lift_contact"]
        return lift + z - self.pack["height"]

    def _phase_unlock(self) -> PhaseGen:
        if not self.frame["sensors"]["tool_coupled"]:
            raise Fault("lock tool not coupled to the vehicle")
        yield from self.lock_strategy.release(self)
        # The pack now rests on the pallet: the load cell must carry its weight.
        yield from self._wait(lambda f: self._load_n() >= self.cfg.present_load_fraction * self.weight_n)

    def _phase_lower_withdraw(self) -> PhaseGen:
        self.lock_strategy.require_all_released(self)
        yield from self._move({"lift": self.pos["lift_carry"]})
        if not self._present():
            raise Fault("pack left the pallet while lowering")
        yield from self._set_float(True)

    def _slot(self, content: str) -> dict:
        return next(s for s in self.pos["slots"] if s["content"] == content)

    def _phase_store_depleted(self) -> PhaseGen:
        slot = self._slot("empty")
        self._check_carrying()
        yield from self._move({"travel": slot["travel"], "align": 0.0, "yaw": 0.0})
        yield from self._move({"lift": self.pos["lift_low"]})
        if self._present():
            raise Fault("pack still on the pallet after setting it down in the rack")

    def _phase_fetch_charged(self) -> PhaseGen:
        slot = self._slot("charged")
        yield from self._move({"travel": slot["travel"], "align": 0.0, "yaw": 0.0})
        yield from self._set_float(False)
        yield from self._raise_to(slot["lift_contact"], extra_m=0.0, force_limit=self.axes["lift"]["max_force"])
        yield from self._wait(lambda f: f["axes"]["lift"]["settled"])
        yield from self._move({"lift": self.pos["lift_carry"]}, speed={"lift": self.cfg.contact_speed_mm_s * MM})
        if not self._present():
            raise Fault("no pack on the pallet after lifting it from its slot")
        yield from self._set_float(True)
        self._check_carrying()

    def _check_carrying(self) -> None:
        if not self._present():
            raise Fault("pack-present switches say the pallet is empty")
        if self._load_n() < self.cfg.present_load_fraction * self.weight_n:
            raise Fault(f"load cell reads {self._load_n():.0f} N, below {self.cfg.present_load_fraction:.0%} of the pack weight {self.weight_n:.0f} N")

    def _phase_approach_align(self) -> PhaseGen:
        bay = self.pos["bay"]
        yield from self._move({"travel": bay["travel"], "align": bay["align"], "yaw": bay["yaw"]})
        yield from self._align_on_bay()

    def _phase_raise_insert(self) -> PhaseGen:
        yield from self._set_float(False)
        contact = self.bay_lift_contact()
        # Slow down before the locating pins reach their holes, not just before the seat.
        lead = self.pack["locating_pin_length"]
        force = self._lift_force_now() + self.cfg.seat_force_margin_n
        slow_from = contact - lead - self.cfg.contact_slowdown_mm * MM
        yield from self._move({"lift": slow_from})
        self._set("lift", contact + self.cfg.seat_overtravel_mm * MM, speed=self.cfg.contact_speed_mm_s * MM, force_limit=force)
        yield from self._wait(lambda f: f["sensors"]["connector_mated"] and f["axes"]["lift"]["settled"] and f["sensors"]["tool_coupled"])

    def _phase_lock(self) -> PhaseGen:
        yield from self.lock_strategy.engage(self)

    def _phase_verify(self) -> PhaseGen:
        self.lock_strategy.require_all_engaged(self)
        # Take the lift's support away by a few millimetres: locks that hold
        # keep the pack in the bay, and the load cell falls to zero.
        lift = self.frame["axes"]["lift"]["pos"]
        yield from self._move({"lift": lift - 2 * self.cfg.seat_overtravel_mm * MM}, speed={"lift": self.cfg.contact_speed_mm_s * MM})
        yield from self._hold_for(self.cfg.verify_settle_s)
        if self._load_n() > (1.0 - self.cfg.present_load_fraction) * self.weight_n:
            raise Fault(f"pack not held by its locks: the lift still carries {self._load_n():.0f} N")
        if not self._sensors()["connector_mated"]:
            raise Fault("connector unmated after verification drop")
        self.lock_strategy.require_all_engaged(self)

    def _phase_withdraw(self) -> PhaseGen:
        self.locks = {}
        yield from self._move({"lift": self.pos["lift_low"]})
        yield from self._set_float(True)
        yield from self._move({"travel": self.pos["home"]["travel"], "align": 0.0, "yaw": 0.0})
