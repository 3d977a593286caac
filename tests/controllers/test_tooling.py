"""Identifying the pack and the tooling it needs, on the controller's side (no twin)."""

from __future__ import annotations

import pytest

from controllers.sequences.tooling import identify_pack
from controllers.supervisor import Refusal
from swapwire.vocab.catalog import CatalogEntry


class _Axis:
    def __init__(self, lower: float, upper: float):
        self.lower, self.upper = lower, upper


AXES = {"pads_x": _Axis(0.33, 0.84), "pads_y": _Axis(0.24, 0.44)}
CATALOG = {
    "a": CatalogEntry(mass_kg=100.0, mass_tolerance_kg=1.0, cog=[0, 0, 0], tooling={"pads_x": 0.8, "pads_y": 0.4}),
    "short": CatalogEntry(mass_kg=100.0, mass_tolerance_kg=1.0, cog=[0, 0, 0], tooling={"pads_x": 0.15}),
    "odd": CatalogEntry(mass_kg=100.0, mass_tolerance_kg=1.0, cog=[0, 0, 0], tooling={"span": 1.0}),
}


def test_a_known_pack_gives_its_entry():
    assert identify_pack(CATALOG, {"pack_id": "a"}, AXES, Refusal) is CATALOG["a"]


def test_a_station_without_a_catalog_has_nothing_to_set():
    assert identify_pack(None, {}, AXES, Refusal) is None


@pytest.mark.parametrize(
    "sensors, text",
    [
        ({"pack_id": None}, "reports no identity"),
        ({"pack_id": "b"}, "'b' is not in this station's catalog"),
        ({"pack_id": "short"}, "pads_x would need 150 mm, beyond [330, 840] mm"),
        ({"pack_id": "odd"}, "tooling axis 'span', which this station lacks"),
    ],
)
def test_what_cannot_be_set_is_refused_naming_why(sensors, text):
    with pytest.raises(Refusal) as err:
        identify_pack(CATALOG, sensors, AXES, Refusal)
    assert text in str(err.value) and err.value.by == "pack_identity"
