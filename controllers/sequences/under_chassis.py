"""The under-chassis swap sequence: shuttle under a clamped car.

  identify -> drive_under -> align -> raise_to_pack -> unlock -> lower_withdraw
  -> store_depleted -> fetch_charged -> approach_align -> raise_insert -> lock
  -> verify -> withdraw -> done

Interlocks: never lower a pack while a lock reports engaged (``lower_withdraw``
starts by requiring every lock released on both channels); never carry a pack
the load cell does not confirm; the pack is seated only when the connector
reports mated and the lock tool is coupled.

The tool adapts to the pack: ``identify`` reads the pack's identity
(``pack_id``), looks its interface up in the station's catalog (section
``catalog``) and sets the pallet's pads and pins to it before anything
approaches the car; a pack the catalog does not know, or whose tooling lies
beyond the axes' travel, is refused there. Every pack lifted (out of the car,
out of the rack) is weighed on the pad load cells: a mass or a centre of
gravity off the catalog's (a mislabelled pack, shifted modules) stops the
swap safely.
"""

from __future__ import annotations

from dataclasses import dataclass

from controllers.config import AlignTuning, ControllerConfig, q, timeout_problems
from controllers.engine import MM, STANDARD_GRAVITY_M_S2, Fault, PhaseGen, Refusal, SwapSequence
from controllers.sequences.tooling import identify_pack, read_catalog
from swapwire.station import StationDescription
from swapwire.typed import from_wire
from swapwire.vocab import under_chassis as vocab

PHASES = (
    "identify", "drive_under", "align", "raise_to_pack", "unlock", "lower_withdraw", "store_depleted",
    "fetch_charged", "approach_align", "raise_insert", "lock", "verify", "withdraw",
)  # fmt: skip


@dataclass(frozen=True)
class UnderChassisTuning:
    align: AlignTuning = q()
    contact_slowdown_mm: float = q(1.0, 500.0, "mm", "switch to contact speed this far before contact")
    contact_speed_mm_s: float = q(0.1, 500.0, "mm/s")
    seat_overtravel_mm: float = q(0.0, 50.0, "mm", "lift target past the nominal seat")
    seat_force_margin_n: float = q(0.0, 1e5, "N", "lift force limit above the carried weight while seating")
    present_load_fraction: float = q(0.05, 1.0, "", "load-cell share of the pack weight that confirms a carried pack")
    verify_settle_s: float = q(0.0, 10.0, "s", "wait after dropping the lift before judging that the locks hold")
    weigh_samples: int = q(1, 1000, "", "pad load frames averaged when a lifted pack is weighed")
    weigh_tolerance_kg: float = q(0.0, 1000.0, "kg", "allowed beyond the family's own mass tolerance")
    cog_tolerance_mm: float = q(0.0, 1000.0, "mm", "allowed CoG offset from the catalog's, in x and y")
    full_speed_mass_kg: float = q(
        1.0, 100000.0, "kg", "a weighed pack up to this mass travels at full speed; a heavier one in proportion slower"
    )
    timeouts_s: dict[str, float] = q(0.1, 3600.0, "s", "per phase of the sequence")

    def check(self) -> list[tuple[str, str]]:
        return timeout_problems(self.timeouts_s, PHASES)


class UnderChassisSequence(SwapSequence):
    rig_family = vocab.FAMILY
    PHASES = PHASES
    ALIGN_AXES = ("travel", "align", "yaw")
    Tuning = UnderChassisTuning

    def __init__(self, cfg: ControllerConfig, station: StationDescription):
        super().__init__(cfg, station)
        self.pos = from_wire(vocab.Positions, station.positions, where="welcome.station.positions")
        # A station without a catalog has a fixed tool: nothing to identify it by, nothing to set.
        self.catalog = read_catalog(station)
        self.entry: vocab.CatalogEntry | None = None
        self.measured_mass_kg: float | None = None  # the last pack weighed on the pad cells

    def _present(self) -> bool:
        return self._two_channels("pack-present", self._sensors()[vocab.PACK_PRESENT.name])

    def _check_carrying(self) -> None:
        if not self._present():
            raise Fault("pack-present switches say the pallet is empty", by="presence")
        share = self.tuning.present_load_fraction
        if self._load_n() < share * self.weight_n:
            raise Fault(
                f"load cell reads {self._load_n():.0f} N, below {share:.0%} of the pack weight {self.weight_n:.0f} N",
                by="load_plausibility",
            )

    def _slot(self, content: str) -> vocab.Slot:
        return next(s for s in self.pos.slots if s.content == content)

    def _bay_lift_contact(self) -> float:
        """Lift position at which the pallet meets the bottom of an installed pack,
        from the vision's height estimate (falls back to the taught position)."""
        z = self.estimate.get("z")
        if z is None:
            return self.pos.bay.lift_contact
        return self._axis_pos("lift") + z - self.pack.height

    def _raise_to(self, contact: float, *, extra_m: float, force_limit: float) -> PhaseGen:
        """Raise fast to just short of ``contact``, then at contact speed to
        ``contact + extra_m`` with the lift's force capped."""
        t = self.tuning
        slow_from = contact - t.contact_slowdown_mm * MM
        if self._axis_pos("lift") < slow_from:
            yield from self._move({"lift": slow_from})
        self._set("lift", contact + extra_m, speed=t.contact_speed_mm_s * MM, force_limit=force_limit)

    # -- the pack in hand -------------------------------------------------------------
    def _identify_pack(self) -> vocab.CatalogEntry | None:
        return identify_pack(self.catalog, self._sensors(), self.axes, Refusal)

    def _weigh(self, which: str) -> PhaseGen:
        """Weigh the pack on the pallet's pad cells and compare it with the
        catalog: its mass, and its centre of gravity between the pads."""
        entry, t = self.entry, self.tuning
        if entry is None:
            return
        sums = [0.0] * 4
        for _ in range(t.weigh_samples):
            frame = yield
            loads = frame.sensors[vocab.PAD_LOADS.name]
            if loads is None:
                raise Fault("pad load cells not reporting", by="sensor_dropout")
            sums = [s + f for s, f in zip(sums, loads)]
        f = [s / t.weigh_samples for s in sums]
        total = sum(f)
        mass = self.measured_mass_kg = total / STANDARD_GRAVITY_M_S2
        allowed = entry.mass_tolerance_kg + t.weigh_tolerance_kg
        if abs(mass - entry.mass_kg) > allowed:
            raise Fault(
                f"wrong pack: the {which} pack weighs {mass:.0f} kg, its catalog family {entry.mass_kg:.0f} "
                f"+- {allowed:.0f} kg",
                by="pack_check",
            )
        a, b = self._axis_pos("pads_x"), self._axis_pos("pads_y")
        x = a * (f[2] + f[3] - f[0] - f[1]) / total
        y = b * (f[1] + f[3] - f[0] - f[2]) / total
        dx, dy = (x - entry.cog[0]) / MM, (y - entry.cog[1]) / MM
        if max(abs(dx), abs(dy)) > t.cog_tolerance_mm:
            raise Fault(
                f"the {which} pack's centre of gravity is {dx:+.0f}, {dy:+.0f} mm off its catalog place "
                f"(limit {t.cog_tolerance_mm:g} mm): shifted modules, or another pack",
                by="pack_check",
            )

    def _carry_speed(self) -> dict[str, float]:
        """The travel speed for the pack just weighed: full up to ``full_speed_mass_kg``,
        then in proportion slower, so the drive's force to accelerate it stays what a
        pack of that mass needs at full speed (the wire commands speeds, not accelerations)."""
        m = self.measured_mass_kg
        if m is None or m <= self.tuning.full_speed_mass_kg:
            return {}
        return {"travel": self.axes["travel"].max_speed * self.tuning.full_speed_mass_kg / m}

    # -- phases ----------------------------------------------------------------------
    def _phase_identify(self) -> PhaseGen:
        self._identify_common()
        if self._present():
            raise Refusal("a pack is already on the pallet")
        self.entry = self._identify_pack()
        if self.entry is None:
            yield
            return
        # The tool adapts to the pack before it approaches (its first frame: the
        # same single period as before when the tool already stands there).
        yield from self._move(dict(self.entry.tooling))

    def _phase_drive_under(self) -> PhaseGen:
        bay = self.pos.bay
        yield from self._move({"lift": self.pos.lift_low})
        yield from self._move({"travel": bay.travel, "align": bay.align, "yaw": bay.yaw})

    def _phase_align(self) -> PhaseGen:
        yield from self._align_on_vision(self.tuning.align)

    def _phase_raise_to_pack(self) -> PhaseGen:
        self.expect_load = None  # pressing up against a pack still locked in
        yield from self._set_float(False)
        force = self._axis_force("lift") + self.weight_n + self.tuning.seat_force_margin_n
        yield from self._raise_to(
            self._bay_lift_contact(), extra_m=self.tuning.seat_overtravel_mm * MM, force_limit=force
        )
        yield from self._wait(
            lambda f: self._present() and f.sensors[vocab.TOOL_COUPLED.name] and f.axes["lift"].settled
        )

    def _phase_unlock(self) -> PhaseGen:
        if not self._sensors()[vocab.TOOL_COUPLED.name]:
            raise Fault("lock tool not coupled to the vehicle", by="interlock")
        yield from self.lock_strategy.release(self)
        # The pack now rests on the pallet: the load cell must carry its weight.
        yield from self._wait(lambda f: self._load_n() >= self.tuning.present_load_fraction * self.weight_n)

    def _phase_lower_withdraw(self) -> PhaseGen:
        self.lock_strategy.require_all_released(self)
        yield from self._move({"lift": self.pos.lift_carry})
        if not self._present():
            raise Fault("pack left the pallet while lowering", by="presence")
        self.expect_load = "pack"  # no longer pressed against the seat: just its weight
        yield from self._weigh("depleted")
        yield from self._set_float(True)

    def _phase_store_depleted(self) -> PhaseGen:
        slot = self._slot("empty")
        self._check_carrying()
        yield from self._move({"travel": slot.travel, "align": 0.0, "yaw": 0.0}, speed=self._carry_speed())
        self.expect_load = None  # handing the pack over to the rack
        yield from self._move({"lift": self.pos.lift_low})
        if self._present():
            raise Fault("pack still on the pallet after setting it down in the rack", by="presence")
        self.expect_load = "empty"

    def _phase_fetch_charged(self) -> PhaseGen:
        slot = self._slot("charged")
        yield from self._move({"travel": slot.travel, "align": 0.0, "yaw": 0.0})
        yield from self._set_float(False)
        self.expect_load = None  # taking the pack over from the rack
        yield from self._raise_to(slot.lift_contact, extra_m=0.0, force_limit=self.axes["lift"].max_force)
        yield from self._wait(lambda f: f.axes["lift"].settled)
        yield from self._move({"lift": self.pos.lift_carry}, speed={"lift": self.tuning.contact_speed_mm_s * MM})
        if not self._present():
            raise Fault("no pack on the pallet after lifting it from its slot", by="presence")
        yield from self._set_float(True)
        self._check_carrying()
        self.expect_load = "pack"
        yield from self._weigh("charged")

    def _phase_approach_align(self) -> PhaseGen:
        bay = self.pos.bay
        yield from self._move({"travel": bay.travel, "align": bay.align, "yaw": bay.yaw}, speed=self._carry_speed())
        yield from self._align_on_vision(self.tuning.align)

    def _phase_raise_insert(self) -> PhaseGen:
        t = self.tuning
        self.expect_load = None  # pressing the pack into its seat
        yield from self._set_float(False)
        contact = self._bay_lift_contact()
        # Slow down before the locating pins reach their holes, not just before the seat.
        slow_from = contact - self.pack.features["locating_pin_length"] - t.contact_slowdown_mm * MM
        force = self._axis_force("lift") + t.seat_force_margin_n
        yield from self._move({"lift": slow_from})
        self._set("lift", contact + t.seat_overtravel_mm * MM, speed=t.contact_speed_mm_s * MM, force_limit=force)
        yield from self._wait(
            lambda f: f.sensors["connector_mated"] and f.axes["lift"].settled and f.sensors[vocab.TOOL_COUPLED.name]
        )

    def _phase_lock(self) -> PhaseGen:
        yield from self.lock_strategy.engage(self)

    def _phase_verify(self) -> PhaseGen:
        t = self.tuning
        self.lock_strategy.require_all_engaged(self)
        # Take the lift's support away by a few millimetres: locks that hold
        # keep the pack in the bay, and the load cell falls to zero.
        lift = self._axis_pos("lift")
        yield from self._move({"lift": lift - 2 * t.seat_overtravel_mm * MM}, speed={"lift": t.contact_speed_mm_s * MM})
        yield from self._hold_for(t.verify_settle_s)
        if self._load_n() > (1.0 - t.present_load_fraction) * self.weight_n:
            raise Fault(f"pack not held by its locks: the lift still carries {self._load_n():.0f} N", by="verification")
        self.expect_load = "empty"
        if not self._sensors()["connector_mated"]:
            raise Fault("connector unmated after verification drop", by="verification")
        self.lock_strategy.require_all_engaged(self)

    def _phase_withdraw(self) -> PhaseGen:
        self.locks = {}
        yield from self._move({"lift": self.pos.lift_low})
        yield from self._set_float(True)
        yield from self._move({"travel": self.pos.home["travel"], "align": 0.0, "yaw": 0.0})
