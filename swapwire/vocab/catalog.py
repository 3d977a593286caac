"""A station's interface catalog on the wire: what it holds of each pack family it serves.

A station that adapts its tool to the pack describes a ``catalog`` section:
family id -> ``CatalogEntry``. It is data the station holds (its own records
of the families it serves), not the pack in hand: the controller reads the
pack's identity in the frame (an ``identity`` sensor), looks the family up
here, sets its tooling axes to the entry's positions before it approaches, and
may weigh the pack it lifted against the entry.
"""

from __future__ import annotations

from dataclasses import dataclass

from swapwire.typed import wfield

CATALOG_SECTION = "catalog"


@dataclass(frozen=True)
class CatalogEntry:
    """One pack family in the station's interface catalog."""

    mass_kg: float = wfield(unit="kg")
    mass_tolerance_kg: float = wfield(unit="kg", doc="the family's manufacturing tolerance")
    cog: list[float] = wfield(unit="m", doc="[x, y, z] from the top-face centre")
    tooling: dict[str, float] = wfield(unit="m", doc="tooling axis -> the position this family needs")
