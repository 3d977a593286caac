"""A station's interface catalog as its description says it (``swapwire.vocab.catalog``).

One function for the twin's stations and the mock station (tests/mock_station.py): it imports no pybullet.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

MM = 1e-3


def describe_catalog(station_catalog: dict[str, Any], tool_settings_m: Callable[[Any], dict[str, float]]) -> dict:
    """Per family the station serves: its mass, tolerance, CoG (m), the tooling ``tool_settings_m(pack)`` it needs."""
    return {
        family: {
            "mass_kg": pack.mass_kg,
            "mass_tolerance_kg": pack.tolerances.mass_kg,
            "cog": [c * MM for c in pack.cog_mm],
            "tooling": tool_settings_m(pack),
        }
        for family, pack in station_catalog.items()
    }
