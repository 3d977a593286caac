"""The side swap sequence: a carrier's tray slides in under a pack in a side frame.

  identify -> approach -> align -> enter -> raise_to_pack -> unlock -> lift_off
  -> store_depleted -> fetch_charged -> approach_frame -> set_down -> lock
  -> verify -> retract -> done

Interlocks (beside the supervisor's checks on every frame): the tray moves
across the lane (reach) only at a taught entry, lift-off or carry height;
never lift a pack while a lock reports engaged (``lift_off`` starts by
requiring every lock released on both channels); a pack lifted out is
weighed on the lift's load cell against the catalog's mass (a wrong pack, a
mislabelled one, stops the swap); a pack is carried only while the
pack-present switches and the load cell both confirm it; the pack is seated
only when the connector reports mated, the tray's lock actuator is coupled
and the ledges carry the pack (the load cell falls).

The chassis sinks as a pack is set down and rises as one leaves it: the
sequence aligns on the vision's seat frame (which moves with the chassis),
enters under a seated pack at its laden height, and lifts it off to the
unladen frame's height plus a clearance.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from controllers.config import AlignTuning, ControllerConfig, q, timeout_problems
from controllers.engine import MM, STANDARD_GRAVITY_M_S2, Fault, PhaseGen, Refusal, SwapSequence
from controllers.sequences.tooling import identify_pack, read_catalog
from swapwire.frame import VisionReading
from swapwire.station import StationDescription
from swapwire.typed import from_wire
from swapwire.vocab import side as vocab

PHASES = (
    "identify", "approach", "align", "enter", "raise_to_pack", "unlock", "lift_off", "store_depleted",
    "fetch_charged", "approach_frame", "set_down", "lock", "verify", "retract",
)  # fmt: skip


class _SteadyFrame:
    """While the lift lowers a pack onto the frame, nothing else moves: the frame must stand still in
    the vision (the mean of the last ``window`` readings against the first such mean). A drifting
    travel or reach encoder walks the tray, and its pack's connector off the vehicle's, unseen by
    the encoders; the vision sees it. ``check`` raises, else returns True."""

    def __init__(self, window: int, drift_m: float):
        self.window, self.drift_m = window, drift_m
        self.readings: list[tuple[float, float]] = []
        self.reference: tuple[float, float] | None = None

    def check(self, vision: VisionReading) -> bool:
        if not vision.valid:
            return True
        self.readings = [*self.readings, (vision.x, vision.y)][-self.window :]
        if len(self.readings) < self.window:
            return True
        mean = (sum(x for x, _ in self.readings) / self.window, sum(y for _, y in self.readings) / self.window)
        if self.reference is None:
            self.reference = mean
        moved = math.hypot(mean[0] - self.reference[0], mean[1] - self.reference[1])
        if moved > self.drift_m:
            raise Fault(
                f"the frame moved {moved / MM:.1f} mm in the vision while the pack was set down (the encoders "
                "say the tray stood still: a drifting axis, or the vehicle moved)",
                by="vision_plausibility",
            )
        return True


@dataclass(frozen=True)
class SideTuning:
    align: AlignTuning = q()
    contact_slowdown_mm: float = q(1.0, 500.0, "mm", "switch to contact speed this far before contact")
    contact_speed_mm_s: float = q(0.1, 500.0, "mm/s")
    seat_overtravel_mm: float = q(0.0, 50.0, "mm", "lift target past the pack's bottom when taking it up")
    set_down_depth_mm: float = q(1.0, 200.0, "mm", "lift target below the laden seat when setting a pack down")
    align_standoff_mm: float = q(
        0.0, 1000.0, "mm", "the tray stops this far outside the frame (or slot) to take its first vision estimate"
    )
    couple_within_s: float = q(0.02, 10.0, "s", "the lock actuator couples this soon after the tray is under the pack")
    locked_load_fraction: float = q(
        0.0, 1.0, "", "at most this share of its weight on the tray under a pack still locked in its frame"
    )
    set_down_vision_window: int = q(1, 100, "", "vision readings averaged while setting a pack down")
    set_down_vision_drift_mm: float = q(
        0.1, 50.0, "mm", "the frame may move this far in the vision while the tray sets a pack down"
    )
    couple_settle_s: float = q(
        0.0, 5.0, "s", "the coupling must read true this long without a break (a debounced interlock)"
    )
    lift_force_margin_n: float = q(0.0, 1e6, "N", "lift force limit above the carried weight while pressing")
    present_load_fraction: float = q(0.05, 1.0, "", "load-cell share of the pack weight that confirms a carried pack")
    set_down_load_fraction: float = q(0.0, 1.0, "", "below this share of its weight the pack rests on the ledges")
    verify_settle_s: float = q(0.0, 10.0, "s", "wait after lowering the tray before judging that the locks hold")
    weigh_samples: int = q(1, 1000, "", "load-cell frames averaged when a lifted pack is weighed")
    weigh_tolerance_kg: float = q(0.0, 5000.0, "kg", "allowed beyond the family's own mass tolerance")
    timeouts_s: dict[str, float] = q(0.1, 3600.0, "s", "per phase of the sequence")

    def check(self) -> list[tuple[str, str]]:
        return timeout_problems(self.timeouts_s, PHASES)


class SideSequence(SwapSequence):
    rig_family = vocab.FAMILY
    PHASES = PHASES
    ALIGN_AXES = ("travel", "reach", "yaw")
    Tuning = SideTuning

    def __init__(self, cfg: ControllerConfig, station: StationDescription):
        super().__init__(cfg, station)
        self.pos = from_wire(vocab.Positions, station.positions, where="welcome.station.positions")
        self.catalog = read_catalog(station)
        self.entry: vocab.CatalogEntry | None = None
        self.measured_mass_kg: float | None = None

    # -- checks ----------------------------------------------------------------------
    def _present(self) -> bool:
        return self._two_channels("pack-present", self._sensors()[vocab.PACK_PRESENT.name])

    def _check_carrying(self) -> None:
        if not self._present():
            raise Fault("pack-present switches say the tray is empty", by="presence")
        share = self.tuning.present_load_fraction
        if self._load_n() < share * self.weight_n:
            raise Fault(
                f"load cell reads {self._load_n():.0f} N, below {share:.0%} of the pack weight {self.weight_n:.0f} N",
                by="load_plausibility",
            )

    def _weigh(self, which: str) -> PhaseGen:
        """Weigh the lifted pack on the lift's load cell and compare it with the catalog."""
        entry, t = self.entry, self.tuning
        total = 0.0
        for _ in range(t.weigh_samples):
            frame = yield
            total += frame.sensors[vocab.LOAD_CELL.name]
        mass = self.measured_mass_kg = total / t.weigh_samples / STANDARD_GRAVITY_M_S2
        if entry is None:
            return
        allowed = entry.mass_tolerance_kg + t.weigh_tolerance_kg
        if abs(mass - entry.mass_kg) > allowed:
            raise Fault(
                f"wrong pack: the {which} pack weighs {mass:.0f} kg, its catalog family {entry.mass_kg:.0f} "
                f"+- {allowed:.0f} kg",
                by="pack_check",
            )

    def _frame_pos(self) -> vocab.FramePosition:
        return self.pos.frames[0]

    def _slot(self, content: str) -> vocab.Slot:
        return next(s for s in self.pos.slots if s.content == content)

    def _frame_contact(self) -> float:
        """Lift position at which the tray's top meets the seat plane, from the
        vision's height estimate (falls back to the taught laden contact)."""
        z = self.estimate.get("z")
        return self.pos.frames[0].lift_contact if z is None else self._axis_pos("lift") + z

    def _reach(self, target: float) -> PhaseGen:
        """Move the tray across the lane, the other axes held where they are."""
        yield from self._move({"reach": target})

    def _raise_to(self, contact: float, *, extra_m: float, force_limit: float) -> PhaseGen:
        t = self.tuning
        slow_from = contact - t.contact_slowdown_mm * MM
        if self._axis_pos("lift") < slow_from:
            yield from self._move({"lift": slow_from})
        self._set("lift", contact + extra_m, speed=t.contact_speed_mm_s * MM, force_limit=force_limit)

    # -- phases ----------------------------------------------------------------------
    def _phase_identify(self) -> PhaseGen:
        self._identify_common()
        if not self.pos.frames:
            raise Refusal("the station describes no frame on the swapped flank")
        if self._present():
            raise Refusal("a pack is already on the tray")
        self.entry = identify_pack(self.catalog, self._sensors(), self.axes, Refusal)
        yield

    def _phase_approach(self) -> PhaseGen:
        fr = self._frame_pos()
        yield from self._reach(self.pos.reach_clear)
        yield from self._move({"lift": fr.lift_entry, "travel": fr.travel, "yaw": fr.yaw})

    def _align_from_standoff(self, *, carrying: bool) -> PhaseGen:
        """Stop outside the frame by the standoff (the vehicle may be parked nearer or farther,
        its suspension sag: the taught positions are the nominal vehicle's), measure the seat
        plane with the vision and set the height from it (an empty tray below a seated pack's
        bottom by the entry clearance; a carried pack's bottom above the empty frame's ledges by
        as much), then align: the vision's first move takes the tray in to where the frame is."""
        fr, t = self._frame_pos(), self.tuning
        yield from self._reach(fr.reach + t.align_standoff_mm * MM)
        self.estimate = {}
        est = yield from self._vision_estimate(t.align)
        clearance = fr.lift_contact - fr.lift_entry
        height = self._axis_pos("lift") + est["z"] + (clearance if carrying else -clearance)
        self._refuse_beyond_travel("lift", height)
        yield from self._move({"lift": height})
        # In by the measured offset, translation only (the vision measures in the tool's frame,
        # which turns with the yaw axis); the yaw is aligned once the tool stands at the frame,
        # where turning it no longer swings the target.
        yaw = self._axis_pos("yaw")
        dx = math.cos(yaw) * est["x"] - math.sin(yaw) * est["y"]
        dy = math.sin(yaw) * est["x"] + math.cos(yaw) * est["y"]
        targets = {"travel": self._axis_pos("travel") + dx, "reach": self._axis_pos("reach") + dy}
        for axis, target in targets.items():
            self._refuse_beyond_travel(axis, target)
        # The move in is the longest the vision checks against the encoders: a drifting reach or
        # travel encoder shows here (the next estimate is not the last one less the move).
        self._align_origin = ({a: self._axis_pos(a) for a in self.ALIGN_AXES}, est)
        yield from self._move(targets)
        yield from self._align_on_vision(t.align)

    def _phase_align(self) -> PhaseGen:
        yield from self._align_from_standoff(carrying=False)

    def _phase_enter(self) -> PhaseGen:
        # The tray stands under the pack at its entry height: it must be empty,
        # and the lock actuator must couple (it does not when the tray is off the port).
        if self._present():
            raise Fault("the tray touches the pack before it was raised", by="presence")
        yield from self._coupled_for(self.tuning.couple_settle_s, "the tray stood under the pack")

    def _coupled_for(self, settle_s: float, where: str) -> PhaseGen:
        """Until the lock actuator has read coupled for ``settle_s`` without a break; a fault
        if it has not coupled ``couple_within_s`` after ``where`` (the tray is off the frame's port)."""
        deadline = self.frame.t_s + self.tuning.couple_within_s
        since: float | None = None
        while True:
            if self._sensors()[vocab.TOOL_COUPLED.name]:
                since = self.frame.t_s if since is None else since
                if self.frame.t_s - since >= settle_s - 1e-9:
                    return
            else:
                since = None
                if self.frame.t_s >= deadline:
                    raise Fault(
                        f"lock actuator not coupled {self.tuning.couple_within_s:g} s after {where}: the tray is "
                        f"off the frame's port (vision {self.estimate})",
                        by="interlock",
                    )
            yield

    def _phase_raise_to_pack(self) -> PhaseGen:
        self.expect_load = None  # taking the pack's weight off the ledges
        yield from self._set_float(False)
        force = self._axis_force("lift") + self.weight_n + self.tuning.lift_force_margin_n
        yield from self._raise_to(self._frame_contact(), extra_m=self.tuning.seat_overtravel_mm * MM, force_limit=force)
        yield from self._wait(lambda f: f.axes["lift"].settled and self._present())
        # The tray touches a pack its frame still holds: the ledges carry the weight. Carrying more,
        # the vehicle has sunk onto the tray (a sagging spring): unlocked now, the body would spring
        # back with the pack still in its connector.
        share = self._load_n() / self.weight_n
        if share > self.tuning.locked_load_fraction:
            raise Fault(
                f"the tray carries {share:.0%} of the pack's weight under a pack still locked in its frame "
                f"(at most {self.tuning.locked_load_fraction:.0%}): the vehicle sank onto it; not unlocking",
                by="load_plausibility",
            )

    def _phase_unlock(self) -> PhaseGen:
        if not self._sensors()[vocab.TOOL_COUPLED.name]:
            raise Fault("lock actuator not coupled to the frame", by="interlock")
        yield from self.lock_strategy.release(self)

    def _phase_lift_off(self) -> PhaseGen:
        self.lock_strategy.require_all_released(self)
        fr = self._frame_pos()
        lift_off = max(fr.lift_off, self._axis_pos("lift"))
        yield from self._move({"lift": lift_off}, speed={"lift": self.tuning.contact_speed_mm_s * MM * 3})
        self._check_carrying()
        self.expect_load = "pack"
        yield from self._weigh("depleted")
        yield from self._set_float(True)
        yield from self._reach(self.pos.reach_clear)

    def _phase_store_depleted(self) -> PhaseGen:
        slot = self._slot("empty")
        self._check_carrying()
        yield from self._move({"lift": self.pos.lift_carry})
        yield from self._move({"travel": slot.travel, "yaw": 0.0})
        yield from self._move({"lift": slot.lift_off})
        yield from self._reach(slot.reach)
        self.expect_load = None  # handing the pack over to the rack
        yield from self._move({"lift": slot.lift_entry}, speed={"lift": self.tuning.contact_speed_mm_s * MM * 3})
        if self._present():
            raise Fault("pack still on the tray after setting it down in the rack", by="presence")
        self.expect_load = "empty"
        yield from self._reach(self.pos.reach_clear)

    def _phase_fetch_charged(self) -> PhaseGen:
        slot = self._slot("charged")
        yield from self._move({"lift": slot.lift_entry, "travel": slot.travel, "yaw": 0.0})
        yield from self._reach(slot.reach)
        yield from self._set_float(False)
        self.expect_load = None  # taking the pack over from the rack
        yield from self._raise_to(slot.lift_contact, extra_m=0.0, force_limit=self.axes["lift"].max_force)
        yield from self._wait(lambda f: f.axes["lift"].settled)
        yield from self._move({"lift": slot.lift_off}, speed={"lift": self.tuning.contact_speed_mm_s * MM})
        if not self._present():
            raise Fault("no pack on the tray after lifting it from its slot", by="presence")
        yield from self._set_float(True)
        self._check_carrying()
        self.expect_load = "pack"
        yield from self._weigh("charged")
        yield from self._reach(self.pos.reach_clear)

    def _phase_approach_frame(self) -> PhaseGen:
        fr = self._frame_pos()
        yield from self._move({"lift": self.pos.lift_carry})
        yield from self._move({"travel": fr.travel, "yaw": fr.yaw})
        yield from self._move({"lift": max(fr.lift_off, self._axis_pos("lift") - 1.0)})
        yield from self._align_from_standoff(carrying=True)

    def _phase_set_down(self) -> PhaseGen:
        t = self.tuning
        # Above the frame, before the pack's connector meets the vehicle's: the tray's coupler must
        # sit on the frame's port, or the carried pack is off the frame and its connector would stub.
        yield from self._coupled_for(0.0, "the carried pack stood over the frame")
        self.expect_load = None  # handing the pack over to the ledges
        yield from self._set_float(False)
        # The vision saw the seat plane (the carried pack's bottom is the tray's top); the seat
        # sinks further as this pack's weight comes onto it, by at most the taught lift-off over
        # contact (its rise and the lift-off clearance): aim below that by the set-down depth.
        fr = self._frame_pos()
        seat = self._axis_pos("lift") + self.estimate.get("z", fr.lift_contact - self._axis_pos("lift"))
        target = seat - (fr.lift_off - fr.lift_contact) - t.set_down_depth_mm * MM
        self._set("lift", target, speed=t.contact_speed_mm_s * MM)
        steady = _SteadyFrame(t.set_down_vision_window, t.set_down_vision_drift_mm * MM)
        yield from self._wait(
            lambda f: (
                steady.check(f.sensors[vocab.VISION.name])
                and f.sensors["connector_mated"]
                and f.sensors[vocab.TOOL_COUPLED.name]
                and f.sensors[vocab.LOAD_CELL.name] < t.set_down_load_fraction * self.weight_n
            )
        )
        self._hold("lift")

    def _phase_lock(self) -> PhaseGen:
        yield from self.lock_strategy.engage(self)

    def _phase_verify(self) -> PhaseGen:
        t = self.tuning
        self.lock_strategy.require_all_engaged(self)
        # Out from under the pack by the entry clearance below where the set-down left the tray
        # (a sagging vehicle sits lower than taught), at least to the taught entry height.
        fr = self._frame_pos()
        low = min(fr.lift_entry, self._axis_pos("lift") - (fr.lift_contact - fr.lift_entry))
        low = max(low, self.axes["lift"].lower)
        yield from self._move({"lift": low}, speed={"lift": t.contact_speed_mm_s * MM})
        yield from self._hold_for(t.verify_settle_s)
        if self._present() or self._load_n() > t.set_down_load_fraction * self.weight_n:
            raise Fault(f"pack did not stay in its frame: the lift carries {self._load_n():.0f} N", by="verification")
        self.expect_load = "empty"
        if not self._sensors()["connector_mated"]:
            raise Fault("connector unmated after the tray left the pack", by="verification")
        self.lock_strategy.require_all_engaged(self)

    def _phase_retract(self) -> PhaseGen:
        self.locks = {}
        yield from self._set_float(True)
        yield from self._reach(self.pos.reach_clear)
        yield from self._move({a: self.pos.home[a] for a in ("travel", "lift", "reach", "yaw")})
