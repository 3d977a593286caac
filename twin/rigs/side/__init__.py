"""The side rig family: a carrier beside a bus or truck slides its tray in under a pack in a side frame.

``schema`` (the ``rig`` config group), ``layout`` (derived geometry),
``criteria`` (the pre-check), ``vehicle`` (the side-frame vehicle),
``carrier`` and ``rack`` (its machines), ``station`` (the pybullet
station, loaded only when one is built).
"""

from __future__ import annotations

from swapwire.vocab import side as vocabulary
from twin.rigs.family import RigFamily
from twin.rigs.side.criteria import CRITERIA
from twin.rigs.side.layout import swap_positions
from twin.rigs.side.schema import SideRig

FAMILY = RigFamily(
    name=vocabulary.FAMILY,
    schema=SideRig,
    vocabulary=vocabulary,
    station="twin.rigs.side.station:SideStation",
    sequence="controllers.sequences.side:SideSequence",
    criteria=CRITERIA,
    access=("side",),
    pack_forms=("side",),
    vehicle_classes=("side_frames",),
    signals=("rig_load_n", "suspension_mm"),
    campaign="side",
    positions=swap_positions,
)
