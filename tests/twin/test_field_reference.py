"""The field reference in configs/pack/README.md is generated from the schemas; a stale one fails."""

from __future__ import annotations

import dataclasses

from twin.schema import reference
from twin.schema.pack import Dimensions


def test_the_field_reference_is_current():
    text = reference.README.read_text()
    assert reference.rendered(text) == text, "stale: run python -m twin.schema.reference"
    assert reference.main(["--check"]) == 0


def test_it_says_what_the_integrators_asked():
    text = reference.reference()
    for row in (
        "| `dimensions.width_mm` | mm | [100.0, 4000.0] mm | outer width of the body across the vehicle (y); without "
        "an underbody pack's flanges |",
        "| `electrical.max_current_a` | A | [1.0, 3000.0] A | the largest charging current it accepts",
        "| `support_points_mm` | mm |",
        "| `bay.width_mm` | mm |",
    ):
        assert row in text, row
    assert "Frames" in text and "rig_holes" in text


def test_a_schema_change_makes_it_stale(monkeypatch):
    text = reference.README.read_text()
    field = next(f for f in dataclasses.fields(Dimensions) if f.name == "width_mm")
    monkeypatch.setattr(field, "metadata", {**field.metadata, "doc": "changed"})
    assert reference.rendered(text) != text
