"""The fault campaign on the default car rig: every cell that can run is run;
zero hazards; each cell detected, or absorbed with the evidence. Slow: about
200 swaps."""

from __future__ import annotations

import json

import pytest

from tests.conftest import run_cli


@pytest.mark.slow
@pytest.mark.timeout(3000)  # about 200 swaps on two cores; the suite's 600 s default is for one test's few swaps
def test_default_car_campaign_has_no_hazard_and_detects_or_absorbs_every_cell(tmp_path):
    out = tmp_path / "campaign"
    proc = run_cli("campaign", f"hydra.run.dir={out}", cwd=tmp_path, timeout_s=3000)
    report = json.loads((out / "campaign.json").read_text())
    s = report["summary"]
    assert proc.returncode == 0, proc.stdout[-2000:]
    assert s["hazard_count"] == 0
    unsafe = [
        (c["fault"], c["phase"], c["status"])
        for c in report["cells"]
        if c["status"] not in ("detected", "absorbed", "excluded")
    ]
    assert unsafe == []
    assert s["detection_rate"] == 1.0
    assert s["counts"]["absorbed"] > 0 and all(c["evidence"] for c in report["cells"] if c["status"] == "absorbed")
    assert all("cannot apply" in e["reason"] or "before the run" in e["reason"] for e in s["exclusions"])
    assert (out / "campaign.html").read_text().count("<td") > len(report["cells"])
