"""The rig families, and the registry of them (``twin/rigs/family.py`` says what a family is).

Importing this module imports no pybullet: a family's station is loaded only
when one is built.
"""

from __future__ import annotations

from twin.rigs import overhead, side, under_chassis
from twin.rigs.family import RigFamily

FAMILIES: dict[str, RigFamily] = {f.name: f for f in (under_chassis.FAMILY, overhead.FAMILY, side.FAMILY)}


def family(name: str) -> RigFamily:
    try:
        return FAMILIES[name]
    except KeyError:
        raise KeyError(f"no rig family {name!r}; the registry has {', '.join(sorted(FAMILIES))}") from None


def make_station(cfg, *, world=None):
    """The station of a composed plant's rig family (imports pybullet)."""
    return family(cfg.rig.family).station_class()(cfg, world=world)
