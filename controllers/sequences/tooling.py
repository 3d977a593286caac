"""Identifying the pack and adapting the tool to it: what every sequence of a station with a catalog does.

A station that adapts its tool describes its interface catalog
(``swapwire.vocab.catalog``) and reports the pack's identity in its frames
(``pack_id``). ``identify_pack`` reads the identity, finds the family in the
catalog and checks that the tooling it needs lies within the axes' travel;
it refuses, before anything moves, a pack that reports nothing, a family the
catalog does not know, or one the tool cannot adapt to. A station without a
catalog has a fixed tool: there is nothing to set (``None``).
"""

from __future__ import annotations

from typing import Any

from swapwire.station import StationDescription
from swapwire.typed import from_wire
from swapwire.vocab.catalog import CATALOG_SECTION, CatalogEntry

MM = 1e-3
PACK_ID = "pack_id"


def read_catalog(station: StationDescription) -> dict[str, CatalogEntry] | None:
    raw = station.sections.get(CATALOG_SECTION)
    if raw is None:
        return None
    return {family: from_wire(CatalogEntry, e, where=f"welcome.station.catalog.{family}") for family, e in raw.items()}


def identify_pack(
    catalog: dict[str, CatalogEntry] | None, sensors: dict[str, Any], axes: dict[str, Any], refusal: type
) -> CatalogEntry | None:
    """The catalog entry of the pack the station reports, or a ``refusal`` raised naming why not."""
    if catalog is None:
        return None
    family = sensors.get(PACK_ID)
    if family is None:
        raise refusal("the pack reports no identity", by="pack_identity")
    entry = catalog.get(family)
    if entry is None:
        raise refusal(
            f"pack {family!r} is not in this station's catalog ({', '.join(sorted(catalog))}): "
            f"no known interface to set the tool to",
            by="pack_identity",
        )
    for axis, target in entry.tooling.items():
        spec = axes.get(axis)
        if spec is None:
            raise refusal(f"the catalog sets tooling axis {axis!r}, which this station lacks", by="pack_identity")
        if not spec.lower <= target <= spec.upper:
            raise refusal(
                f"the tool cannot adapt to pack {family}: {axis} would need {target / MM:.0f} mm, beyond "
                f"[{spec.lower / MM:.0f}, {spec.upper / MM:.0f}] mm",
                by="pack_identity",
            )
    return entry
