"""The under-chassis rig family: a shuttle pushes a car's underbody pack up into its bay.

``schema`` (the ``rig`` config group), ``layout`` (derived geometry),
``criteria`` (the pre-check), ``shuttle`` and ``rack`` (its machines),
``station`` (the pybullet station, loaded only when one is built).
"""

from __future__ import annotations

from swapwire.vocab import under_chassis as vocabulary
from twin.rigs.family import RigFamily
from twin.rigs.under_chassis.criteria import CRITERIA
from twin.rigs.under_chassis.schema import UnderChassisRig

FAMILY = RigFamily(
    name=vocabulary.FAMILY,
    schema=UnderChassisRig,
    vocabulary=vocabulary,
    station="twin.rigs.under_chassis.station:UnderChassisStation",
    sequence="controllers.sequences.under_chassis:UnderChassisSequence",
    criteria=CRITERIA,
    access=("below",),
    pack_forms=("underbody",),
    vehicle_classes=("car",),
    signals=("rig_load_n",),
    campaign="under_chassis",
)
