"""Config schemas of the plant side: one module per config group.

The controller's schema lives with the controller (``controllers.config``),
because the controller must not depend on the twin.
"""

from twin.schema._fields import ConfigError, Problem, build, q
from twin.schema.acceptance import Acceptance
from twin.schema.fault import Fault
from twin.schema.hazards import Hazards
from twin.schema.lock import LOCK_SCHEMAS, LockConfig
from twin.schema.pack import PACK_SCHEMAS, Pack, PackTopLift, PackUnderbody
from twin.schema.physics import Physics, Wire, substeps
from twin.schema.rig import RIG_SCHEMAS, RigConfig
from twin.schema.scenario import Scenario
from twin.schema.vehicle import VEHICLE_SCHEMAS, VehicleConfig

__all__ = [
    "Acceptance",
    "ConfigError",
    "Fault",
    "Hazards",
    "LOCK_SCHEMAS",
    "LockConfig",
    "PACK_SCHEMAS",
    "Pack",
    "PackTopLift",
    "PackUnderbody",
    "Physics",
    "Problem",
    "RIG_SCHEMAS",
    "RigConfig",
    "Scenario",
    "VEHICLE_SCHEMAS",
    "VehicleConfig",
    "Wire",
    "build",
    "q",
    "substeps",
]
