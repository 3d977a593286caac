"""Lock models, one module per lock type, behind ``twin.locks.base.LockModel``."""

from __future__ import annotations

from collections.abc import Callable

from twin.locks.base import LockModel
from twin.locks.em_latch import em_latch_lock
from twin.locks.hydraulic_pin import HydraulicPinLock
from twin.locks.mech_clip import MechClipLock
from twin.locks.twist_lock import TwistLockModel

# Lock type (the ``type`` key of a lock config) -> model constructor, called as
# ``LOCK_MODELS[cfg.type](cfg, engaged=...)``. An explicit table. The em_latch entry
# picks its variant's class from ``cfg.variant``.
LOCK_MODELS: dict[str, Callable[..., LockModel]] = {
    "hydraulic_pin": HydraulicPinLock,
    "em_latch": em_latch_lock,
    "mech_clip": MechClipLock,
    "twist_lock": TwistLockModel,
}
