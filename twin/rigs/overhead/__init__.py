"""The overhead rig family: a gantry's spreader lifts a truck's pack out from above.

``schema`` (the ``rig`` config group), ``layout`` (derived geometry),
``criteria`` (the pre-check), ``gantry`` and ``stands`` (its machines),
``station`` (the pybullet station, loaded only when one is built).
"""

from __future__ import annotations

from swapwire.vocab import overhead as vocabulary
from twin.rigs.family import RigFamily
from twin.rigs.overhead.criteria import CRITERIA
from twin.rigs.overhead.schema import OverheadRig

FAMILY = RigFamily(
    name=vocabulary.FAMILY,
    schema=OverheadRig,
    vocabulary=vocabulary,
    station="twin.rigs.overhead.station:OverheadStation",
    sequence="controllers.sequences.overhead:OverheadSequence",
    criteria=CRITERIA,
    access=("above",),
    pack_forms=("top_lift",),
    vehicle_classes=("truck",),
    signals=("rig_load_n", "suspension_mm"),
    campaign="overhead",
)
