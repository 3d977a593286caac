"""What every lock type provides: a record for the registry, and a model.

A lock *model* is plain physics with no pybullet in it: it integrates its own
state (pressure, pin stroke, coil current, pawl angle...) and says, from its
own law, whether it is engaged and what it can hold. pybullet's reaction
forces are noisy and are never the measurement (measured.md, pitfall 7).
Because nothing here imports pybullet, the static pre-check runs the very
same models; ``twin.locks.joint.LockJoint`` turns their verdict into physics.

A lock *type* is one module in ``twin/locks/`` holding its config schema, its
laws and model, its characterise sweep and its record ``TYPE = LockType(...)``,
and one line in the registry (``twin/locks/__init__.py``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar

import numpy as np

if TYPE_CHECKING:  # pragma: no cover
    from twin.locks.sweep import Sweep


@dataclass(frozen=True)
class LockContext:
    """What the station tells a lock model each control period.

    ``offset_m``: the pack's lock feature relative to the vehicle's lock
    anchor, in the lock's frame: x along the lock's axis (a pin's direction of
    travel), z up (vertical, the retention direction); an unseated pack shows
    as a negative z. ``tool_coupled``: the station's lock tool reaches this
    lock, so commands act and the tool's supply (pressure, release stroke) is
    available. ``vehicle_power``: the vehicle's low-voltage supply is on (what
    keeps a power-to-hold latch energised). ``carried_load_n``: the share of
    the pack's weight this lock carries, from the static support state (zero
    while the rig supports the pack), never from pybullet's reaction forces.
    """

    offset_m: np.ndarray
    tool_coupled: bool
    vehicle_power: bool
    carried_load_n: float


class LockModel:
    """A lock type's physics. One instance per lock. No pybullet in here.

    Subclasses set ``lock_type`` and ``channels`` (names of the status sensors;
    each reads two redundant channels ``[A, B]`` in ``sensors()``), the
    confirmation sets a controller uses (``engaged_when``, ``released_when``:
    channel -> value that, on both channels, confirms the state; published in
    the station description) and ``after_engage`` (``hold``: close the circuit
    once engaged; ``engage``: keep commanding it). They implement
    ``_update``, ``engaged``, ``nominal_engage_time_s``, ``holding_force_n``,
    ``insertion_force_n`` (the force along +z this lock exerts on the pack by its
    own law: negative resists an inserting pack as a clip's ramp does, positive
    pulls it in as a latch's magnet does), ``sensors`` and ``truth``.

    Faults act through ``apply_fault``: every lock can jam (it stops updating,
    staying as it is whatever it is told); a type takes its own kinds (its
    record's ``fault_kinds``) by overriding ``_apply_fault``.
    """

    lock_type: ClassVar[str]
    channels: ClassVar[tuple[str, ...]]
    engaged_when: ClassVar[dict[str, bool]]
    released_when: ClassVar[dict[str, bool]]
    after_engage: ClassVar[str] = "hold"

    def __init__(self) -> None:
        self.jammed = False

    def command(self, action: str) -> None:
        self.action = action

    def update(self, dt: float, ctx: LockContext) -> None:
        if not self.jammed:  # a jammed lock stays as it is, whatever it is told
            self._update(dt, ctx)
        self._after_update(dt)

    def _update(self, dt: float, ctx: LockContext) -> None:
        raise NotImplementedError

    def _after_update(self, dt: float) -> None:
        """What acts on the lock whatever its mechanism does (a leak)."""

    def apply_fault(self, kind: str, *, active: bool, rate: float | None = None) -> None:
        if kind == "lock_jam":
            self.jammed = active
        else:
            self._apply_fault(kind, active=active, rate=rate)

    def _apply_fault(self, kind: str, *, active: bool, rate: float | None) -> None:
        raise KeyError(f"a {self.lock_type} lock takes no {kind} fault")

    @property
    def engaged(self) -> bool:
        raise NotImplementedError

    @property
    def nominal_engage_time_s(self) -> float:
        raise NotImplementedError

    def holding_force_n(self) -> float:
        raise NotImplementedError

    def insertion_force_n(self) -> float:
        return 0.0

    def sensors(self) -> dict[str, tuple[bool, bool]]:
        raise NotImplementedError

    def truth(self) -> dict:
        raise NotImplementedError

    def reported_engaged(self, sensors: dict[str, tuple[bool, bool]]) -> bool:
        """Whether status channels, as a controller reads them, confirm this lock engaged."""
        return all(sensors[c][0] == v and sensors[c][1] == v for c, v in self.engaged_when.items())


# Lock faults every type takes (the lock's own state), whatever its mechanism.
COMMON_FAULT_KINDS = frozenset({"lock_jam"})


@dataclass(frozen=True)
class LockType:
    """The registry's record of a lock type.

    ``schema``: its config dataclass (a ``lock`` group file, with ``type`` equal
    to ``name``); ``model``: ``model(cfg, engaged=...) -> LockModel``; ``sweep``:
    ``sweep(cfg) -> Sweep``, the characterise sweep of its model against its law
    restated from its sources; ``strength_key``: the config field that carries
    its strength (what qualification scales); ``fault_kinds``: the fault kinds
    of its own that its model takes besides ``lock_jam`` (a pressure leak, a
    broken spring)."""

    name: str
    schema: type
    model: Callable[..., LockModel]
    sweep: Callable[[Any], Sweep]
    strength_key: str
    fault_kinds: frozenset[str] = frozenset()

    @property
    def all_fault_kinds(self) -> frozenset[str]:
        return COMMON_FAULT_KINDS | self.fault_kinds
