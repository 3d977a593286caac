"""Stations: a rig family composed with a vehicle, packs, locks and sensors."""

from __future__ import annotations

from twin.schema.plant import PlantConfig


def make_station(cfg: PlantConfig):
    """The station for the configured rig family."""
    from twin.stations.overhead import OverheadStation
    from twin.stations.under_chassis import UnderChassisStation

    families = {"under_chassis": UnderChassisStation, "overhead": OverheadStation}
    return families[cfg.rig.family](cfg)
