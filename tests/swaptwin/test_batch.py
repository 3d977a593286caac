"""``swaptwin.batch``: what a resume trusts. The swaps are replaced by a stand-in
here; the real ones (plant and controller processes) are exercised by
tests/test_qualify_e2e.py, including a resume after SIGINT."""

from __future__ import annotations

import json

import swaptwin.batch as batch
from swaptwin.batch import Job, run_batch


def _result(status: str) -> dict:
    return {
        "verdict": {"status": status, "reasons": []},
        "controller": {},
        "hazards": [],
        "session": {"end_reason": "bye"},
    }


def test_a_finished_job_is_kept_and_not_run_again(tmp_path, monkeypatch):
    calls = []
    monkeypatch.setattr(batch, "run_swap", lambda cfg, run_dir, stop: calls.append(run_dir.name) or _result("pass"))
    jobs = [Job("0000", ("seed=1",)), Job("0001", ("seed=2",))]
    first = run_batch(jobs, tmp_path, base_overrides=[], n_jobs=1)
    again = run_batch(jobs, tmp_path, base_overrides=[], n_jobs=1)
    assert calls == ["0000", "0001"]  # the second batch found both done
    assert first == again and all(r["batch"]["config_digest"] for r in again.values())


def test_a_job_whose_plant_wrote_nothing_fails_now_and_runs_again_on_resume(tmp_path, monkeypatch):
    outcomes = iter([None, _result("pass")])
    monkeypatch.setattr(batch, "run_swap", lambda cfg, run_dir, stop: next(outcomes))
    jobs = [Job("0000", ("seed=1",))]
    first = run_batch(jobs, tmp_path, base_overrides=[], n_jobs=1)
    assert first["0000"]["verdict"]["status"] == "fail" and "no result" in first["0000"]["verdict"]["reasons"][0]
    assert not (tmp_path / "runs" / "0000" / "result.json").exists()  # nothing a resume could trust
    second = run_batch(jobs, tmp_path, base_overrides=[], n_jobs=1)
    assert second["0000"]["verdict"]["status"] == "pass"
    assert json.loads((tmp_path / "runs" / "0000" / "result.json").read_text())["verdict"]["status"] == "pass"


def test_a_job_run_with_another_config_is_run_again(tmp_path, monkeypatch):
    calls = []
    monkeypatch.setattr(batch, "run_swap", lambda cfg, run_dir, stop: calls.append(cfg.plant.seed) or _result("pass"))
    run_batch([Job("0000", ("seed=1",))], tmp_path, base_overrides=[], n_jobs=1)
    run_batch([Job("0000", ("seed=2",))], tmp_path, base_overrides=[], n_jobs=1)
    assert calls == [1, 2]
