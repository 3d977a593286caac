"""No physics on a refused pack, no crash on any combination: the swap command
pre-checks first; every catalog pack on every rig and lock type is pre-checked,
and either swapped or refused for a named reason."""

from __future__ import annotations

import json
import pathlib

import pytest

from swaptwin.commands.check import precheck
from swaptwin.config import CONFIG_DIR, load
from tests.conftest import run_cli

PACKS = sorted(p.stem for p in (CONFIG_DIR / "pack").glob("*.yaml"))
RIGS = sorted(p.stem for p in (CONFIG_DIR / "rig").glob("*.yaml"))


def _combinations() -> list[tuple[str, str, str]]:
    out = []
    for rig in RIGS:
        for lock in load([f"rig={rig}"]).plant.rig.lock_types:
            out += [(pack, rig, lock) for pack in PACKS]
    return out


def test_a_refused_pack_is_not_simulated_and_the_command_names_the_margins(tmp_path):
    run_dir = tmp_path / "run"
    proc = run_cli("swap", "pack=car_120kwh_wide", f"hydra.run.dir={run_dir}", cwd=tmp_path)
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert "the static pre-check refuses pack car_120kwh_wide" in proc.stderr
    assert "bay_width" in proc.stderr and "-36 mm" in proc.stderr and "force=true" in proc.stderr
    assert json.loads((run_dir / "check.json").read_text())["failed"] == ["bay_width"]
    # Nothing was simulated: no plant, no controller, no result.
    assert not (run_dir / "result.json").exists() and not (run_dir / "plant.log").exists()


def test_a_top_lift_pack_under_the_shuttle_is_refused_without_a_crash(tmp_path):
    run_dir = tmp_path / "run"
    proc = run_cli("swap", "pack=truck_cab_back_280kwh", f"hydra.run.dir={run_dir}", cwd=tmp_path)
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert "Traceback" not in proc.stderr and "no result was written" not in proc.stderr
    first = proc.stderr.splitlines()[1]
    assert first.split()[0] == "access", proc.stderr  # the real cause first
    assert "no geometry to simulate, even with force=true" in proc.stderr


@pytest.mark.slow
def test_force_runs_the_what_if_and_its_verdict_names_the_precheck(tmp_path):
    run_dir = tmp_path / "run"
    proc = run_cli("swap", "pack=car_120kwh_wide", "force=true", f"hydra.run.dir={run_dir}", cwd=tmp_path)
    assert proc.returncode == 1
    assert proc.stdout.index("bay_width") < proc.stdout.index("SwapTwin swap")  # the cause before the symptoms
    result = json.loads((run_dir / "result.json").read_text())
    assert any("static pre-check fails on bay_width" in r for r in result["verdict"]["reasons"])


@pytest.mark.parametrize(
    "pack, rig, lock",
    [
        ("qingdao_bus_box", "under_chassis", "mech_clip"),
        ("qingdao_bus_box", "overhead", "twist_lock"),
        ("truck_cab_back_280kwh", "under_chassis", "em_latch"),
        ("nio_100kwh", "overhead", "twist_lock"),
        ("better_place_fluence", "under_chassis", "hydraulic_pin"),
    ],
)
def test_a_pack_of_each_form_on_each_rig_is_prechecked_and_its_refusal_named(pack, rig, lock):
    cfg = load([f"rig={rig}", f"pack={pack}", f"lock={lock}"])
    report = precheck(cfg.plant, cfg.controller)
    assert report.failed and all(c.judged for c in report.failed)
    if report.not_judged:
        assert report.failed[0].name in ("access", "form", "vehicle")


@pytest.mark.slow
def test_every_pack_on_every_rig_and_lock_is_prechecked_and_refused_for_a_named_reason():
    """The pre-check of every combination: no crash, and a refusal always names judged criteria."""
    for pack, rig, lock in _combinations():
        cfg = load([f"rig={rig}", f"pack={pack}", f"lock={lock}"])
        report = precheck(cfg.plant, cfg.controller)
        assert report.passed or report.failed, (pack, rig, lock)
        if report.not_judged:
            assert report.failed[0].name in ("access", "form", "vehicle"), (pack, rig, lock)


@pytest.mark.slow
def test_every_pack_on_every_rig_and_lock_is_prechecked_and_built_or_refused(tmp_path):
    """The pre-check of every combination, then: a combination it can judge
    builds its station (the geometry code a what-if runs), one it cannot judge
    is refused by the plant itself without building anything."""
    from swaptwin.plant_server import NOT_SIMULATED, PlantServer
    from twin.rigs import make_station
    from twin.world import World

    server = PlantServer.__new__(PlantServer)  # its refusal path needs no sockets
    with World(load([]).plant.physics) as world:
        for pack, rig, lock in _combinations():
            cfg = load([f"rig={rig}", f"pack={pack}", f"lock={lock}"])
            report = precheck(cfg.plant, cfg.controller)
            assert report.criteria
            if report.not_judged:
                out = tmp_path / f"{pack}-{rig}-{lock}"
                out.mkdir()
                result = server.serve(cfg, out)
                assert result["session"]["end_reason"] == NOT_SIMULATED
                assert result["verdict"]["reasons"][0].startswith("not simulated")
                assert report.failed[0].name in ("access", "form", "vehicle")
            else:
                make_station(cfg.plant, world=world)


@pytest.mark.slow
@pytest.mark.timeout(2400)  # a swap of every passing pack, rig and lock combination, three rig families
def test_every_combination_the_precheck_passes_swaps(tmp_path):
    """A swap of every pack x rig x lock type the pre-check passes, on the batch
    runner: none crashes, each ends in a verdict with the controller's goodbye."""
    from swaptwin.batch.runner import Job, run_batch

    jobs = []
    for pack, rig, lock in _combinations():
        cfg = load([f"rig={rig}", f"pack={pack}", f"lock={lock}"])
        if precheck(cfg.plant, cfg.controller).passed:
            jobs.append(Job(f"{pack}__{rig}__{lock}", (f"rig={rig}", f"pack={pack}", f"lock={lock}")))
    assert len(jobs) >= 20
    results = run_batch(jobs, tmp_path, base_overrides=[], n_jobs=2, label="combinations")
    for job in jobs:
        r = results[job.id]
        assert r["controller"].get("outcome") in ("done", "safe_stop", "refused"), (job.id, r["verdict"])
        assert r["session"]["end_reason"] == "bye", job.id
    passed = [j.id for j in jobs if results[j.id]["verdict"]["status"] == "pass"]
    (pathlib.Path(tmp_path) / "passed.txt").write_text("\n".join(passed))
