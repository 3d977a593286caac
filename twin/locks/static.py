"""A lock model driven as a station drives it, with no physics: the pre-check's view of a lock.

``swaptwin check`` asks two questions of the pack's lock before any
simulation: how far off centre may the pack's feature sit and still be
taken (``capture_m``), and what does the lock hold once engaged with the
feature at a given offset (``engaged_holding_n``). Both run the lock's own
model (the same class the twin runs each period), so the answer follows the
model's law and cannot drift from it:

1. the engage command is given, the tool is coupled and the vehicle powered;
2. the pack's feature rises from ``_APPROACH_M`` below its seat to the seat,
   at the given lateral offset, in ``_INSERTION_STEPS`` steps;
3. the lock is then given its nominal engage time twice over, plus
   ``_SETTLE_S``, at the seat.

Every step is one control period (``dt_s``, the plant's
``wire.control_period_s``): the model runs at the rate the station runs it.

``capture_m`` bisects, over ``_DIRECTIONS`` directions around the feature,
for the largest offset that still engages in every direction.
"""

from __future__ import annotations

import math

import numpy as np

from swapwire import LOCK_ENGAGE
from twin.locks.base import LockContext

MM = 1e-3
_APPROACH_M = 50 * MM  # below every lock's lead-in (a clip's ramp foot is ~10 mm down)
_INSERTION_STEPS = 50
_SETTLE_S = 0.5
_DIRECTIONS = 8
_CAPTURE_MAX_M = 100 * MM  # search range of the bisection
_CAPTURE_RESOLUTION_M = 0.05 * MM


def engage(lock_cfg, *, dx_m: float, dy_m: float, dt_s: float):
    """The lock model after a seating and engaging at lateral offset (dx, dy)."""
    from twin.locks import make_lock  # late: twin.locks imports this module's siblings

    lock = make_lock(lock_cfg, engaged=False)
    lock.command(LOCK_ENGAGE)

    def step(z_m: float, dt_s: float) -> None:
        lock.update(
            dt_s,
            LockContext(
                offset_m=np.array([dx_m, dy_m, z_m]), tool_coupled=True, vehicle_power=True, carried_load_n=0.0
            ),
        )

    for z in np.linspace(-_APPROACH_M, 0.0, _INSERTION_STEPS):
        step(float(z), dt_s)
    settle_s = 2.0 * lock.nominal_engage_time_s + _SETTLE_S
    for _ in range(max(1, math.ceil(settle_s / dt_s))):
        step(0.0, dt_s)
    return lock


def _directions() -> list[tuple[float, float]]:
    return [(math.cos(a), math.sin(a)) for a in np.linspace(0.0, 2.0 * math.pi, _DIRECTIONS, endpoint=False)]


def engaged_holding_n(lock_cfg, *, offset_m: float, dt_s: float) -> float:
    """The least holding force over the directions, with the feature ``offset_m`` off centre (0: not engaged)."""
    return min(
        engage(lock_cfg, dx_m=offset_m * ux, dy_m=offset_m * uy, dt_s=dt_s).holding_force_n()
        for ux, uy in _directions()
    )


def capture_m(lock_cfg, *, dt_s: float) -> float:
    """The largest lateral offset at which the lock engages in every direction (0 if not even centred)."""

    def takes(r: float) -> bool:
        return all(engage(lock_cfg, dx_m=r * ux, dy_m=r * uy, dt_s=dt_s).engaged for ux, uy in _directions())

    if not takes(0.0):
        return 0.0
    if takes(_CAPTURE_MAX_M):
        return _CAPTURE_MAX_M
    lo, hi = 0.0, _CAPTURE_MAX_M
    while hi - lo > _CAPTURE_RESOLUTION_M:
        mid = (lo + hi) / 2.0
        lo, hi = (mid, hi) if takes(mid) else (lo, mid)
    return lo
