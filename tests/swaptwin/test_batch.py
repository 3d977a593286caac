"""``swaptwin.batch.runner``: what a resume trusts. The swaps are replaced by a stand-in
here; the real ones (plant and controller processes) are exercised by
tests/test_qualify_e2e.py, including a resume after SIGINT."""

from __future__ import annotations

import json

from swaptwin.batch.runner import Job, config_digest, run_batch


class Stand:
    """A swapper that calls ``fn(cfg, run_dir)`` instead of running a swap."""

    def __init__(self, fn):
        self.fn = fn

    def __call__(self, _worker):
        return self

    def run(self, cfg, run_dir, stop):
        return self.fn(cfg, run_dir)

    def close(self):
        pass


def _result(status: str) -> dict:
    return {
        "verdict": {"status": status, "reasons": []},
        "controller": {},
        "hazards": [],
        "session": {"end_reason": "bye"},
    }


def test_a_finished_job_is_kept_and_not_run_again(tmp_path):
    calls = []
    swap = Stand(lambda cfg, run_dir: calls.append(run_dir.name) or _result("pass"))
    jobs = [Job("0000", ("seed=1",)), Job("0001", ("seed=2",))]
    first = run_batch(jobs, tmp_path, base_overrides=[], n_jobs=1, swapper=swap)
    again = run_batch(jobs, tmp_path, base_overrides=[], n_jobs=1, swapper=swap)
    assert calls == ["0000", "0001"]  # the second batch found both done
    assert first == again and all(r["batch"]["config_digest"] for r in again.values())


def test_a_job_whose_plant_wrote_nothing_fails_now_and_runs_again_on_resume(tmp_path):
    outcomes = iter([None, _result("pass")])
    swap = Stand(lambda cfg, run_dir: next(outcomes))
    jobs = [Job("0000", ("seed=1",))]
    first = run_batch(jobs, tmp_path, base_overrides=[], n_jobs=1, swapper=swap)
    assert first["0000"]["verdict"]["status"] == "fail" and "no result" in first["0000"]["verdict"]["reasons"][0]
    assert not (tmp_path / "runs" / "0000" / "result.json").exists()  # nothing a resume could trust
    second = run_batch(jobs, tmp_path, base_overrides=[], n_jobs=1, swapper=swap)
    assert second["0000"]["verdict"]["status"] == "pass"
    assert json.loads((tmp_path / "runs" / "0000" / "result.json").read_text())["verdict"]["status"] == "pass"


def test_a_job_run_with_another_config_is_run_again(tmp_path):
    calls = []
    swap = Stand(lambda cfg, run_dir: calls.append(cfg.plant.seed) or _result("pass"))
    run_batch([Job("0000", ("seed=1",))], tmp_path, base_overrides=[], n_jobs=1, swapper=swap)
    run_batch([Job("0000", ("seed=2",))], tmp_path, base_overrides=[], n_jobs=1, swapper=swap)
    assert calls == [1, 2]


def test_a_pack_file_counts_by_its_bytes_not_its_path():
    def resolved(path, sha):
        return {"seed": 1, "n": 4, "pack_file": {"path": path, "sha256": sha}}

    here = config_digest(resolved("/home/a/swaptwin/configs/pack/x.yaml", "ab12"))
    assert config_digest(resolved("/tmp/clone/configs/pack/x.yaml", "ab12")) == here  # another checkout resumes
    assert config_digest(resolved("/home/a/swaptwin/configs/pack/x.yaml", "cd34")) != here  # an edited file does not
    assert config_digest({**resolved("/x", "ab12"), "n": 100}) == config_digest(resolved("/y", "ab12"))
