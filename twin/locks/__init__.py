"""The lock library: one module per lock type, and the registry of them.

To add a lock type: a module here with its config schema, its model (laws,
two-channel sensors, confirmation sets), its characterise sweep and its
record ``TYPE = LockType(...)``, one line below, and its config file in
``configs/lock/``. Nothing else names a lock type.
"""

from __future__ import annotations

from twin.locks import bolt, em_latch, hydraulic_pin, mech_clip, twist_lock
from twin.locks.base import LockModel, LockType

LOCK_TYPES: dict[str, LockType] = {}


def register(lock_type: LockType) -> LockType:
    """Add a lock type to the registry (a test may register a toy one)."""
    if lock_type.name in LOCK_TYPES and LOCK_TYPES[lock_type.name] is not lock_type:
        raise ValueError(f"lock type {lock_type.name!r} is registered already")
    LOCK_TYPES[lock_type.name] = lock_type
    return lock_type


def lock_type(name: str) -> LockType:
    try:
        return LOCK_TYPES[name]
    except KeyError:
        raise KeyError(f"no lock type {name!r}; the registry has {', '.join(sorted(LOCK_TYPES))}") from None


def make_lock(cfg, *, engaged: bool) -> LockModel:
    """The model of a lock config (its ``type`` picks the lock type)."""
    return lock_type(cfg.type).model(cfg, engaged=engaged)


for _module in (hydraulic_pin, em_latch, mech_clip, twist_lock, bolt):
    register(_module.TYPE)
