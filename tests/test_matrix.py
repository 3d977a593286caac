"""``swaptwin matrix`` on a slice of the catalog: real swaps for the cells that
pass the pre-check, none for those that fail it."""

from __future__ import annotations

import json

import swaptwin.commands.matrix as matrix
from swaptwin.config import load
from tests.conftest import run_cli


def test_the_matrix_qualifies_what_passes_statically_and_names_what_decides(tmp_path, monkeypatch):
    monkeypatch.setattr(matrix, "catalog", lambda folders=(): (["car_100kwh", "car_120kwh_wide"], ["under_chassis"]))
    result = matrix.run_matrix(tmp_path, runs=1, n_jobs=2, base_overrides=[])
    cells = {(c["pack"], c["lock"]): c for c in result["cells"]}
    locks = tuple(load(["rig=under_chassis"]).plant.rig.lock_types)  # the rig's lock types, the bolt among them
    assert {"hydraulic_pin", "em_latch", "mech_clip", "bolt"} <= set(locks)
    assert set(cells) == {(p, lk) for p in ("car_100kwh", "car_120kwh_wide") for lk in locks}
    for lk in locks:
        good, wide = cells["car_100kwh", lk], cells["car_120kwh_wide", lk]
        assert (good["colour"], good["stage"]) == ("green", "qualified"), good
        assert (
            json.loads((tmp_path / "cells" / f"car_100kwh__under_chassis__{lk}" / "report.json").read_text())["n"] == 1
        )
        # Too wide for the sedan's bay: red, decided statically, never simulated.
        assert (wide["colour"], wide["deciding"], wide["stage"]) == ("red", "bay_width", "static")
        assert not (tmp_path / "cells" / f"car_120kwh_wide__under_chassis__{lk}").exists()
    page = (tmp_path / "matrix.html").read_text()
    assert page.count('class="green"') >= len(locks) and page.count('class="red"') >= len(locks)
    assert "bay_width" in page
    assert json.loads((tmp_path / "matrix.json").read_text()) == result


def test_a_bad_value_stops_the_matrix_before_any_cell(tmp_path):
    out = tmp_path / "m"
    proc = run_cli("matrix", "matrix_runs=0", f"hydra.run.dir={out}", cwd=tmp_path)
    assert proc.returncode == 2 and "matrix_runs: 0 is not a number of runs" in proc.stderr
    assert not (out / "cells").exists() and not (out / "matrix.json").exists()
