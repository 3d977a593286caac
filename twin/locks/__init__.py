"""Lock models, one module per lock type, behind ``twin.locks.base.LockModel``."""

from __future__ import annotations

from twin.locks.hydraulic_pin import HydraulicPinLock

# Lock type (the ``type`` key of a lock config) -> model class. An explicit table.
LOCK_MODELS: dict[str, type] = {
    "hydraulic_pin": HydraulicPinLock,
}
