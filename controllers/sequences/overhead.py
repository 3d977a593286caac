"""The overhead swap sequence: a gantry's spreader lifts a truck's pack out from above.

  identify -> approach -> align -> land -> grip -> unlock_vehicle -> lift_out
  -> store_depleted -> fetch_charged -> approach_vehicle -> set_down
  -> lock_vehicle -> verify -> release -> retract -> done

The truck rides on its suspension: lifting the pack off lets the cradle rise,
setting one down makes it sink. So the sequence never trusts a taught height
near the truck: it measures the cradle with the vision sensor just before
landing or setting down, lowers at the final-approach speed, and decides by
what it senses (the spreader's landed switches, the hoist's load cell, the
connector), not by a position.

The spreader adapts to the pack: ``identify`` reads the pack's identity,
looks it up in the station's catalog and sets the span of the twist-locks to
its lifting points before anything approaches; an unknown pack is refused
there.

Interlocks: never hoist while any spreader twist-lock is unconfirmed on both
channels; never lift off while a vehicle lock reports engaged; never release
the spreader before the vehicle locks confirm and the truck carries the pack.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import swapwire as wire
from controllers.config import AlignTuning, ControllerConfig, q, timeout_problems
from controllers.engine import MM, Fault, PhaseGen, Refusal, SwapSequence
from controllers.sequences.tooling import identify_pack, read_catalog
from swapwire.frame import Frame
from swapwire.station import LockGroup, StationDescription
from swapwire.typed import from_wire
from swapwire.vocab import overhead as vocab

PHASES = (
    "identify", "approach", "align", "land", "grip", "unlock_vehicle", "lift_out", "store_depleted",
    "fetch_charged", "approach_vehicle", "set_down", "lock_vehicle", "verify", "release", "retract",
)  # fmt: skip

# The spreader's twist-lock status channels this sequence relies on.
_SPREADER_CHANNELS = ("locked", "unlocked")


@dataclass(frozen=True)
class OverheadTuning:
    align: AlignTuning = q()
    landing_slowdown_mm: float = q(1.0, 2000.0, "mm", "switch to landing speed this far above contact")
    landing_speed_mm_s: float = q(0.1, 500.0, "mm/s", "final approach (domain.md: under 1 m/min onto guide cones)")
    present_load_fraction: float = q(0.05, 1.0, "", "hoist load share of the pack weight that confirms a lifted pack")
    set_down_load_fraction: float = q(0.0, 0.9, "", "below this share of the pack weight the pack is set down")
    settle_s: float = q(0.0, 10.0, "s", "after the hoist stops, before judging what it rests on")
    seat_height_tolerance_mm: float = q(
        1.0, 500.0, "mm", "a pack set down on a stand must rest within this of its seat's height (not on the cone tips)"
    )
    timeouts_s: dict[str, float] = q(0.1, 3600.0, "s", "per phase of the sequence")

    def check(self) -> list[tuple[str, str]]:
        out = timeout_problems(self.timeouts_s, PHASES)
        if self.set_down_load_fraction >= self.present_load_fraction:
            out.append(
                (
                    "set_down_load_fraction",
                    f"{self.set_down_load_fraction} must be below present_load_fraction={self.present_load_fraction}",
                )
            )
        return out


class OverheadSequence(SwapSequence):
    rig_family = vocab.FAMILY
    PHASES = PHASES
    ALIGN_AXES = ("bridge", "trolley", "slew")
    Tuning = OverheadTuning

    def __init__(self, cfg: ControllerConfig, station: StationDescription):
        super().__init__(cfg, station)
        self.pos = from_wire(vocab.Positions, station.positions, where="welcome.station.positions")
        sections = station.sections
        self.spreader: LockGroup = from_wire(
            LockGroup, sections.get(vocab.SPREADER_SECTION), where="welcome.station.spreader"
        )
        self.cradle = from_wire(
            vocab.VehicleCradle, sections.get(vocab.CRADLE_SECTION), where="welcome.station.vehicle_cradle"
        )
        self.catalog = read_catalog(station)

    # -- senses ----------------------------------------------------------------------
    def _spreader_all(self, frame: Frame, channel: str, value: bool) -> bool:
        locks = frame.sensors[vocab.SPREADER_LOCKS.name]
        return all(
            self._two_channels(f"spreader lock {i} {channel}", locks[i][channel]) == value for i in self.spreader.ids
        )

    def _landed(self, frame: Frame) -> bool:
        return self._two_channels("spreader landed", frame.sensors[vocab.SPREADER_LANDED.name])

    def _carrying(self, frame: Frame) -> bool:
        return frame.sensors[vocab.LOAD_CELL.name] >= self.tuning.present_load_fraction * self.weight_n

    def _set_down(self, frame: Frame) -> bool:
        return frame.sensors[vocab.LOAD_CELL.name] <= self.tuning.set_down_load_fraction * self.weight_n

    def _contact_over_cradle(self) -> float:
        """Hoist position at which the landing plane meets the castings of a pack
        seated on the truck's cradle as it is now (vision: the cradle's seat in
        the spreader's nominal frame, z negative below it)."""
        z = self.estimate.get("z")
        if z is None:
            raise Fault("no vision estimate of the truck's cradle", by="vision_plausibility")
        return self._axis_pos("hoist") + z + self.pack.height + self.pack.features["casting_height"]

    # -- motions -----------------------------------------------------------------------
    def _descend_until(self, contact: float, *, past_m: float, done: Callable[[Frame], bool]) -> PhaseGen:
        """Lower fast to just above ``contact``, then at the final-approach speed
        towards ``contact - past_m`` until ``done(frame)``; then hold the hoist."""
        t = self.tuning
        self.expect_load = None  # landing or setting down: the load is changing hands
        above = contact + t.landing_slowdown_mm * MM
        if self._axis_pos("hoist") > above:
            yield from self._move({"hoist": above})
        self._set("hoist", contact - past_m, speed=t.landing_speed_mm_s * MM)
        # The hoist stops by itself where its load comes to rest (slack chains),
        # a little before the filtered load cell has seen it: give it a moment.
        yield from self._wait(lambda f: done(f) or f.axes["hoist"].settled)
        self._hold("hoist")
        yield from self._hold_for(t.settle_s)
        if not done(self.frame):
            raise Fault(
                f"hoist stopped at {self._axis_pos('hoist'):.3f} m without the expected contact in phase {self.phase}",
                by="load_plausibility",
            )

    def _land_and_grip(self, contact: float) -> PhaseGen:
        yield from self._descend_until(contact, past_m=self.tuning.landing_slowdown_mm * MM, done=self._landed)
        self.tool = {vocab.SPREADER_TOOL: wire.LOCK_ENGAGE}
        yield from self._wait(lambda f: self._spreader_all(f, "locked", True))

    def _lift(self) -> PhaseGen:
        """Take the load slowly, then hoist fast to the carrying height."""
        if not self._spreader_all(self.frame, "locked", True):
            raise Fault("interlock: a spreader twist-lock is not confirmed locked; no hoisting", by="interlock")
        t = self.tuning
        self._set("hoist", self.pos.hoist_carry, speed=t.landing_speed_mm_s * MM)
        yield from self._wait(self._carrying)
        yield from self._move({"hoist": self.pos.hoist_carry})
        if not self._carrying(self.frame):
            raise Fault(
                f"hoist load {self._load_n():.0f} N does not confirm a pack of {self.weight_n:.0f} N",
                by="load_plausibility",
            )
        self.expect_load = "pack"
        yield from self._set_float(True)

    def _release_spreader(self) -> PhaseGen:
        self.tool = {vocab.SPREADER_TOOL: wire.LOCK_RELEASE}
        yield from self._wait(lambda f: self._spreader_all(f, "unlocked", True))
        self.tool = {}

    def _stand(self, content: str) -> vocab.StandPosition:
        return next(s for s in self.pos.stands if s.content == content)

    def _travel_high(self, bridge: float, trolley: float) -> PhaseGen:
        yield from self._move({"hoist": self.pos.hoist_high})
        yield from self._move({"bridge": bridge, "trolley": trolley, "slew": 0.0})

    # -- phases ----------------------------------------------------------------------
    def _phase_identify(self) -> PhaseGen:
        self._identify_common()
        missing = [c for c in _SPREADER_CHANNELS if c not in self.spreader.channels]
        if missing:
            raise Refusal(f"spreader lacks status channels {missing}")
        if self._carrying(self.frame):
            raise Refusal("the hoist already carries a load")
        entry = identify_pack(self.catalog, self._sensors(), self.axes, Refusal)
        if entry is None:
            yield
            return
        # The spreader adapts to the pack before it approaches (one period when it already stands there).
        yield from self._move(dict(entry.tooling))

    def _phase_approach(self) -> PhaseGen:
        v = self.pos.vehicle
        yield from self._travel_high(v.bridge, v.trolley)

    def _phase_align(self) -> PhaseGen:
        yield from self._align_on_vision(self.tuning.align)

    def _phase_land(self) -> PhaseGen:
        yield from self._set_float(False)
        yield from self._descend_until(
            self._contact_over_cradle(), past_m=self.tuning.landing_slowdown_mm * MM, done=self._landed
        )

    def _phase_grip(self) -> PhaseGen:
        self.tool = {vocab.SPREADER_TOOL: wire.LOCK_ENGAGE}
        yield from self._wait(lambda f: self._spreader_all(f, "locked", True))

    def _phase_unlock_vehicle(self) -> PhaseGen:
        yield from self.lock_strategy.release(self)

    def _phase_lift_out(self) -> PhaseGen:
        self.lock_strategy.require_all_released(self)
        yield from self._lift()

    def _phase_store_depleted(self) -> PhaseGen:
        stand = self._stand("empty")
        yield from self._move({"bridge": stand.bridge, "trolley": stand.trolley, "slew": 0.0})
        yield from self._set_float(False)
        yield from self._descend_until(
            stand.hoist_contact, past_m=self.tuning.landing_slowdown_mm * MM, done=self._set_down
        )
        # The load left the hoist, but a pack perched on the cone tips has too:
        # only a pack at its seat's height may be let go (the stand has no seat sensor).
        high_mm = (self._axis_pos("hoist") - stand.hoist_contact) / MM
        if abs(high_mm) > self.tuning.seat_height_tolerance_mm:
            raise Fault(
                f"pack set down {high_mm:+.0f} mm from its seat's height on stand {stand.name}: not seated, not "
                f"released",
                by="seat_height",
            )
        yield from self._release_spreader()
        yield from self._move({"hoist": self.pos.hoist_high})
        self.expect_load = "empty"
        yield from self._set_float(True)

    def _phase_fetch_charged(self) -> PhaseGen:
        stand = self._stand("charged")
        yield from self._travel_high(stand.bridge, stand.trolley)
        yield from self._set_float(False)
        yield from self._land_and_grip(stand.hoist_contact)
        yield from self._lift()

    def _phase_approach_vehicle(self) -> PhaseGen:
        v = self.pos.vehicle
        yield from self._move({"bridge": v.bridge, "trolley": v.trolley, "slew": 0.0})
        yield from self._align_on_vision(self.tuning.align)

    def _phase_set_down(self) -> PhaseGen:
        yield from self._set_float(False)
        # Measured now: the cradle has risen since the depleted pack left it.
        contact = self._contact_over_cradle()
        cones = self.cradle.cone_height
        sink = self.cradle.laden_sink
        above = contact + cones
        if self._axis_pos("hoist") > above + self.tuning.landing_slowdown_mm * MM:
            yield from self._move({"hoist": above + self.tuning.landing_slowdown_mm * MM})
        yield from self._descend_until(
            above, past_m=cones + 2 * sink, done=lambda f: self._set_down(f) and f.sensors["connector_mated"]
        )

    def _phase_lock_vehicle(self) -> PhaseGen:
        yield from self.lock_strategy.engage(self)

    def _phase_verify(self) -> PhaseGen:
        self.lock_strategy.require_all_engaged(self)
        if not self._sensors()["connector_mated"]:
            raise Fault("connector not mated", by="verification")
        if not self._set_down(self.frame):
            raise Fault(
                f"the truck does not carry the pack: the hoist still holds {self._load_n():.0f} N", by="verification"
            )
        yield

    def _phase_release(self) -> PhaseGen:
        self.lock_strategy.require_all_engaged(self)
        yield from self._release_spreader()

    def _phase_retract(self) -> PhaseGen:
        self.locks = {}
        h = self.pos.home
        yield from self._move({"hoist": self.pos.hoist_high})
        self.expect_load = "empty"
        yield from self._set_float(True)
        yield from self._move({"bridge": h["bridge"], "trolley": h["trolley"], "slew": h["slew"]})
