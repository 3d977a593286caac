"""Batch commands keep the recordings of their failing runs and show them; a Hydra
sweep of swaps runs every job in its own directory."""

from __future__ import annotations

import json
import re

from tests.conftest import run_cli

# An e-stop 2 s in: each swap stops safely a second later, so the batch is short and every run fails.
E_STOP = "extra_faults=[{use: e_stop, at: {t_s: 2}}]"


def test_a_qualification_shows_each_failing_run_with_its_picture_and_recording(tmp_path):
    out = tmp_path / "q"
    proc = run_cli("qualify", f"hydra.run.dir={out}", "n=2", E_STOP, cwd=tmp_path, timeout_s=600)
    assert proc.returncode == 1, proc.stdout + proc.stderr
    report = json.loads((out / "report.json").read_text())
    assert len(report["failing"]) == 2
    for run in report["failing"]:
        ev = run["artifacts"]
        assert ev["recording"] == f"runs/{run['id']}/swap.mcap" and (out / ev["recording"]).is_file()
        assert ev["report"] == f"runs/{run['id']}/swap.html" and (out / ev["report"]).is_file()
        assert ev["picture"] == f"runs/{run['id']}/failure.png" and (out / ev["picture"]).stat().st_size > 1000
        assert ev["failure"]["label"].startswith("safe_stop")
    assert report["pack_file"]["path"].endswith("configs/pack/car_100kwh.yaml")
    assert len(report["pack_file"]["sha256"]) == 64
    page = (out / "report.html").read_text()
    assert 'class="banner fail"' in page and report["pack_file"]["sha256"] in page
    failing = page.split('<table id="failing">', 1)[1].split("</table>", 1)[0]
    assert failing.count("data:image/png;base64,") == 2
    assert 'href="runs/0000/swap.mcap"' in failing and 'href="runs/0001/swap.html"' in failing


def test_a_passing_qualification_keeps_no_recording_and_draws_its_limit(tmp_path):
    out = tmp_path / "q"
    proc = run_cli("qualify", f"hydra.run.dir={out}", "n=1", cwd=tmp_path, timeout_s=600)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert not list((out / "runs").glob("*/swap.mcap")) and not list((out / "runs").glob("*/.swap.mcap.*"))
    page = (out / "report.html").read_text()
    assert 'class="banner pass"' in page
    histogram = page.split("Cycle time (limit 300 s)", 1)[1].split("</svg>", 1)[0]
    assert "limit 300" in histogram and 'class="mark"' in histogram  # the limit, drawn
    counts = [t for t in re.findall(r'text-anchor="end" font-size="11" [^>]*>([^<]+)<', histogram)]
    assert counts and all(float(c).is_integer() for c in counts)  # whole-number count ticks


def test_a_swap_sweep_runs_every_job_in_its_own_directory(tmp_path):
    sweep = tmp_path / "sweep"
    proc = run_cli("swap", "-m", "seed=1,2", f"hydra.sweep.dir={sweep}", "scenario.max_sim_time_s=2", cwd=tmp_path)
    assert proc.returncode == 1, proc.stdout + proc.stderr  # truncated swaps fail, and the worst code wins
    results = {d.name: json.loads((d / "result.json").read_text()) for d in sweep.iterdir() if d.name.isdigit()}
    assert {k: r["seed"] for k, r in results.items()} == {"0": 1, "1": 2}
    for job in ("0", "1"):
        assert results[job]["session"]["end_reason"] == "truncated"
        assert (sweep / job / "swap.mcap").is_file() and (sweep / job / "swap.html").is_file()


def test_a_sweep_under_hydras_joblib_launcher_runs_its_jobs_in_parallel_and_keeps_the_worst_code(tmp_path):
    # joblib's workers are other processes: a job's exit code once stayed there, and the sweep exited 0.
    sweep = tmp_path / "sweep"
    proc = run_cli(
        "swap",
        "-m",
        "hydra/launcher=joblib",
        "hydra.launcher.n_jobs=2",
        "seed=1,2",
        f"hydra.sweep.dir={sweep}",
        "scenario.max_sim_time_s=2",
        "record.render=never",
        cwd=tmp_path,
    )
    assert proc.returncode == 1, proc.stdout + proc.stderr  # both truncated: fail
    assert "Joblib" in proc.stdout + proc.stderr  # Hydra's joblib launcher ran it, not the basic one
    results = {d.name: json.loads((d / "result.json").read_text()) for d in sweep.iterdir() if d.name.isdigit()}
    assert {k: (r["seed"], r["session"]["end_reason"]) for k, r in results.items()} == {
        "0": (1, "truncated"),
        "1": (2, "truncated"),
    }
