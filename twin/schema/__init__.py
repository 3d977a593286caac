"""Config schemas of the plant side: one module per config group.

A rig family's schema lives in its package (``twin/rigs/<family>/schema.py``)
and a lock type's in its module (``twin/locks/<type>.py``); the controller's
schema lives with the controller (``controllers.config``), because the
controller must not depend on the twin.
"""

from twin.schema._fields import ConfigError, Problem, build, q
from twin.schema.acceptance import Acceptance
from twin.schema.fault import Fault
from twin.schema.hazards import Hazards
from twin.schema.pack import PACK_SCHEMAS, Pack, PackSide, PackTopLift, PackUnderbody
from twin.schema.physics import Physics, Wire, substeps
from twin.schema.scenario import Scenario
from twin.schema.vehicle import VEHICLE_SCHEMAS, VehicleConfig

__all__ = [
    "Acceptance", "ConfigError", "Fault", "Hazards", "PACK_SCHEMAS", "Pack", "PackSide", "PackTopLift", "PackUnderbody",
    "Physics", "Problem", "Scenario", "VEHICLE_SCHEMAS", "VehicleConfig", "Wire", "build", "q", "substeps",
]  # fmt: skip
