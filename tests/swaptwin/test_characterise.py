"""``characterise``: every lock type's model against its law, written as CSV, JSON and SVG."""

from __future__ import annotations

import csv
import json
import xml.etree.ElementTree as ET

import pytest

from swaptwin.commands.characterise import TOLERANCE, characterise
from swaptwin.config import CONFIG_DIR, load

LOCK_FILES = sorted(p.stem for p in (CONFIG_DIR / "lock").glob("*.yaml"))


@pytest.mark.parametrize("name", LOCK_FILES)
def test_characterise_writes_the_table_summary_and_plot_within_tolerance(name, tmp_path):
    cfg = load([f"lock={name}"]).plant.lock
    summary = characterise(cfg, tmp_path)
    stem = f"characterise_{cfg.type}"
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(f"{stem}.{ext}" for ext in ("csv", "json", "svg"))
    with open(tmp_path / f"{stem}.csv", newline="") as f:
        rows = list(csv.DictReader(f))
    assert len(rows) == summary["rows"] > 10
    assert {"holding_model_n", "holding_law_n", "insertion_model_n", "insertion_law_n", "relative_error"} <= set(
        rows[0]
    )
    assert max(float(r["relative_error"]) for r in rows) == pytest.approx(
        summary["max_relative_error"], rel=1e-6, abs=1e-12
    )
    assert json.loads((tmp_path / f"{stem}.json").read_text()) == summary
    assert summary["max_relative_error"] <= TOLERANCE == 0.05 and summary["within_tolerance"]
    ET.fromstring((tmp_path / f"{stem}.svg").read_text())


def test_the_sweep_goes_through_the_model_not_the_law(tmp_path, monkeypatch):
    """A model that drifts from its law shows up as an error in the summary."""
    from twin.locks import mech_clip

    monkeypatch.setattr(mech_clip, "mating_force_n", lambda cfg, p: 1.1 * p)
    summary = characterise(load(["lock=mech_clip"]).plant.lock, tmp_path)
    assert summary["max_relative_error"] > TOLERANCE and not summary["within_tolerance"]
