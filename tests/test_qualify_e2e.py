"""Qualification, the compatibility pre-check against the dynamic result, and
the matrix: as an integrator runs them from the command line."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import interrupt_once_done, run_cli

N = 4


def _qualify(tmp_path: Path, name: str, *overrides: str) -> tuple[subprocess.CompletedProcess, dict]:
    out = tmp_path / name
    proc = run_cli("qualify", f"hydra.run.dir={out}", f"n={N}", *overrides, cwd=tmp_path, timeout_s=600)
    return proc, json.loads((out / "report.json").read_text())


def test_qualify_writes_report_junit_and_html_and_is_reproducible(tmp_path):
    proc_a, a = _qualify(tmp_path, "a", "seed=7")
    _, b = _qualify(tmp_path, "b", "seed=7")
    assert a == b
    assert a["n"] == N and len(a["runs"]) == N
    assert {c["name"] for c in a["criteria"]} == {
        "alignment",
        "holding_force",
        "cycle_time",
        "connector_force",
        "hazards",
        "pass_rate",
    }
    pr = a["pass_rate"]
    assert 0.0 <= pr["ci_low"] <= pr["value"] <= pr["ci_high"] <= 1.0
    assert proc_a.returncode == (0 if a["passed"] else 1)
    out = tmp_path / "a"
    junit = (out / "junit.xml").read_text()
    assert junit.count("<testcase ") == len(a["criteria"])
    page = (out / "report.html").read_text()
    assert page.count("<svg") >= 4 and "Alignment at mating" in page
    # Every run replays with its own overrides.
    assert all(r["replay"].startswith("swaptwin swap ") and f"seed={r['seed']}" in r["replay"] for r in a["runs"])
    # Runs differ: parking and tolerances are sampled.
    assert len({json.dumps(r["alignment"]) for r in a["runs"]}) == N


def test_a_run_replays_exactly_from_its_replay_line(tmp_path):
    run_cli("qualify", f"hydra.run.dir={tmp_path / 'q'}", "n=1", "seed=5", cwd=tmp_path, timeout_s=600)
    report = json.loads((tmp_path / "q" / "report.json").read_text())
    run = report["runs"][0]
    exe = Path(sys.executable).parent / "swaptwin"
    line = run["replay"].replace("swaptwin swap", f"{exe} swap hydra.run.dir={tmp_path / 'replay'}", 1)
    subprocess.run(["bash", "-c", line], cwd=tmp_path, capture_output=True, timeout=300)
    replayed = json.loads((tmp_path / "replay" / "result.json").read_text())
    original = json.loads((tmp_path / "q" / "runs" / run["id"] / "result.json").read_text())
    assert replayed["session"]["trace"] == original["session"]["trace"]


def test_a_resumed_qualification_gives_the_same_report_as_an_uninterrupted_one(tmp_path):
    _, whole = _qualify(tmp_path, "whole", "seed=11", "n_jobs=1")
    out = tmp_path / "resumed"
    exe = Path(sys.executable).parent / "swaptwin"
    args = [str(exe), "qualify", f"hydra.run.dir={out}", f"n={N}", "seed=11", "n_jobs=1"]
    interrupt_once_done(args, cwd=tmp_path, first=out / "runs" / "0001" / "result.json")
    assert not (out / "report.json").exists()
    done_before = {p.parent.name for p in (out / "runs").glob("*/result.json")}
    assert 2 <= len(done_before) < N
    stamps = {d: (out / "runs" / d / "result.json").stat().st_mtime_ns for d in done_before}
    resumed = subprocess.run(args, cwd=tmp_path, capture_output=True, text=True, timeout=600)
    assert "already done" in resumed.stderr
    assert {d: (out / "runs" / d / "result.json").stat().st_mtime_ns for d in done_before} == stamps  # not run again
    assert json.loads((out / "report.json").read_text()) == whole


@pytest.mark.parametrize(
    "overrides, criterion",
    [(("pack=car_120kwh_wide",), "bay_width"), (("rig=overhead", "pack=truck_cab_back_420kwh_heavy"), "payload")],
)
def test_the_static_check_agrees_with_the_dynamic_result(tmp_path, overrides, criterion):
    check = run_cli("check", f"hydra.run.dir={tmp_path / 'check'}", *overrides, cwd=tmp_path)
    assert check.returncode == 1 and criterion in check.stdout
    # The swap, run anyway as a what-if (force=true), fails too, and says why beside the pre-check.
    swap = run_cli("swap", f"hydra.run.dir={tmp_path / 'swap'}", "force=true", *overrides, cwd=tmp_path)
    result = json.loads((tmp_path / "swap" / "result.json").read_text())
    assert swap.returncode == 1 and result["verdict"]["status"] == "fail"
    assert criterion in result["precheck"]["failed"]
    dynamic = [r for r in result["verdict"]["reasons"] if "pre-check" not in r]
    assert dynamic, "the dynamic run must fail on its own account too"
    # And qualification never simulates it.
    proc, report = _qualify(tmp_path, "q", *overrides)
    assert proc.returncode == 1 and report["n"] == 0 and not (tmp_path / "q" / "runs").exists()


@pytest.mark.browser
def test_the_report_opens_in_headless_chromium_with_its_figures(tmp_path):
    chromium = next((c for c in ("/usr/bin/chromium", "/usr/bin/chromium-browser") if os.path.exists(c)), None)
    if chromium is None:
        pytest.fail(
            "headless Chromium is not installed (Debian packages chromium, chromium-driver); .ci/run installs it"
        )
    _qualify(tmp_path, "r", "seed=3")
    page = tmp_path / "r" / "report.html"
    profile = tmp_path / "profile"
    dom = subprocess.run(
        [
            chromium,
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            f"--user-data-dir={profile}",
            "--dump-dom",
            page.as_uri(),
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert dom.returncode == 0, dom.stderr[-2000:]
    html_out = dom.stdout
    assert '<table id="criteria">' in html_out
    assert html_out.count("<svg") >= 4 and html_out.count("<figure>") >= 4
    shot = tmp_path / "shot.png"
    subprocess.run(
        [
            chromium,
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--no-first-run",
            "--disable-background-networking",
            f"--user-data-dir={profile}2",
            f"--screenshot={shot}",
            "--window-size=1280,2400",
            page.as_uri(),
        ],
        capture_output=True,
        timeout=120,
    )
    assert shot.exists() and shot.stat().st_size > 10_000
