"""A plant serves session after session: the world is reset between them, so a
second session with the same config is the first one again, bit for bit; and
batch workers that keep a warm plant give the results of a fresh plant per swap."""

from __future__ import annotations

import json
import subprocess
import sys
import time

from swaptwin.batch.runner import Job, fresh, run_batch
from tests.conftest import REPO, start_controller


def test_swaptwin_plant_serves_two_controllers_one_after_the_other(tmp_path):
    sock = tmp_path / "s"
    sock.mkdir()
    endpoint = f"ipc://{sock}/cmd"
    run_dir = tmp_path / "run"
    exe = [
        sys.executable,
        "-m",
        "swaptwin.cli",
        "plant",
        "sessions=2",
        f"endpoint={endpoint}",
        f"observer_endpoint=ipc://{sock}/obs",
        f"hydra.run.dir={run_dir}",
    ]
    with open(tmp_path / "plant.out", "wb") as out:
        plant = subprocess.Popen(exe, cwd=REPO, stdout=out, stderr=subprocess.STDOUT)
        try:
            for n in (1, 2):
                ctl_dir = tmp_path / f"c{n}"
                ctl_dir.mkdir()
                controller = start_controller(endpoint, ctl_dir)
                assert controller.wait(timeout=180) == 0, (ctl_dir / "controller.log").read_text()[-2000:]
                # The next session starts only once this one's result is written.
                deadline = time.monotonic() + 30
                while not (run_dir / "sessions" / str(n) / "result.json").exists() and time.monotonic() < deadline:
                    time.sleep(0.1)
            assert plant.wait(timeout=60) == 0, (tmp_path / "plant.out").read_text()[-2000:]
        finally:
            plant.kill()
    results = [json.loads((run_dir / "sessions" / str(n) / "result.json").read_text()) for n in (1, 2)]
    assert [r["verdict"]["status"] for r in results] == ["pass", "pass"]
    # The same config and seed: the reset world gives the very same session.
    assert results[0]["session"]["trace"] == results[1]["session"]["trace"]


def test_a_warm_plant_per_worker_gives_the_results_of_a_fresh_plant_per_swap(tmp_path):
    jobs = [
        Job("a", ("seed=1",)),
        Job("b", ("seed=2", "scenario.parking_offset_mm=[6,-4]")),
        Job("c", ("rig=overhead",)),
    ]
    warm = run_batch(jobs, tmp_path / "warm", base_overrides=[], n_jobs=1)  # one warm plant serves all three
    cold = run_batch(jobs, tmp_path / "fresh", base_overrides=[], n_jobs=2, swapper=fresh)
    for job in jobs:
        assert warm[job.id]["verdict"]["status"] == "pass", warm[job.id]["verdict"]
        assert warm[job.id]["session"]["trace"] == cold[job.id]["session"]["trace"], job.id
        assert (tmp_path / "warm" / "runs" / job.id / "plant.log").stat().st_size > 0
