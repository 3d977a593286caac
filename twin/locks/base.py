"""What every lock model provides.

A lock *model* is plain physics with no pybullet in it: it integrates its own
state (pressure, pin stroke, coil current, pawl angle...) and says, from its own
law, whether it is engaged and what it can hold. pybullet's reaction forces are
noisy and are never the measurement (measured.md, pitfall 7). Because nothing
here imports pybullet, the static pre-check (``swaptwin check``) runs the very
same models; ``twin.locks.joint.LockJoint`` turns their verdict into physics.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

import numpy as np


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


class LockModel(Protocol):
    """A lock type's physics. One instance per lock. No pybullet in here.

    ``channels``: names of the lock's status sensors; each reads two
    redundant channels ([A, B]) in ``sensors()``. ``nominal_engage_time_s``:
    how long engaging takes when all goes well (the controller's timeouts).
    ``insertion_force_n()``: the force along +z that the lock exerts on the
    pack this period by its own law (negative resists an inserting pack, as a
    clip's ramp does; positive pulls it in, as a latch's magnet does); the
    station applies it in pybullet.
    """

    lock_type: str
    channels: tuple[str, ...]

    def command(self, action: str) -> None: ...

    def update(self, dt: float, ctx: LockContext) -> None: ...

    @property
    def engaged(self) -> bool: ...

    @property
    def nominal_engage_time_s(self) -> float: ...

    def holding_force_n(self) -> float: ...

    def insertion_force_n(self) -> float: ...

    def sensors(self) -> dict[str, list[bool]]: ...

    def truth(self) -> dict: ...
