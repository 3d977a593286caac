"""An integrator works from a folder outside the repository: --config-dir and
hydra.searchpath reach every command, batch jobs and replay lines keep them,
a bad file exits 2 naming the file that was read."""

from __future__ import annotations

import json
import shlex
from pathlib import Path

import pytest

from swaptwin.commands import Invocation
from swaptwin.config import CONFIG_DIR, load
from tests.conftest import run_cli
from twin.schema import ConfigError


@pytest.fixture
def folder(tmp_path) -> Path:
    """A brand's own folder: a pack (a copy of the reference one under another
    family id) and its own vehicle (the sedan under another name)."""
    own = tmp_path / "brand"
    (own / "pack").mkdir(parents=True)
    (own / "vehicle").mkdir()
    pack = (CONFIG_DIR / "pack" / "car_100kwh.yaml").read_text()
    pack = pack.replace("family_id: car_100kwh", "family_id: brand_pack")
    pack = pack.replace("vehicles: [sedan]", "vehicles: [brand_car]")
    (own / "pack" / "brand_pack.yaml").write_text(pack)
    car = (CONFIG_DIR / "vehicle" / "sedan.yaml").read_text().replace("model: sedan_e1", "model: brand_car_e1")
    (own / "vehicle" / "brand_car.yaml").write_text(car)
    bad = pack.replace("family_id: brand_pack", "family_id: brand_bad").replace("mass_kg: 555 ", "mass_kg: -5 ")
    (own / "pack" / "brand_bad.yaml").write_text(bad)
    return own


@pytest.mark.parametrize("how", ["config_dir", "searchpath"])
def test_check_reads_the_pack_and_its_vehicle_from_the_folder(tmp_path, folder, how):
    where = ["--config-dir", str(folder)] if how == "config_dir" else [f"hydra.searchpath=[file://{folder}]"]
    proc = run_cli("check", *where, "pack=brand_pack", f"hydra.run.dir={tmp_path / 'c'}", cwd=tmp_path)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "pack brand_pack (underbody), vehicle brand_car_e1 (car)" in proc.stdout
    assert "brand_pack is in the station's catalog" in proc.stdout


@pytest.mark.parametrize("command", ["check", "swap", "qualify"])
def test_a_bad_file_in_the_folder_exits_2_naming_it(tmp_path, folder, command):
    proc = run_cli(command, "--config-dir", str(folder), "pack=brand_bad", "n=1", f"hydra.run.dir={tmp_path / 'c'}",
                   cwd=tmp_path)  # fmt: skip
    assert proc.returncode == 2, proc.stdout + proc.stderr
    assert f"{folder / 'pack' / 'brand_bad.yaml'}: pack.mass_kg: -5 is out of range" in proc.stderr


@pytest.mark.parametrize("command", ["check", "qualify"])
def test_a_pack_missing_from_every_folder_exits_2(tmp_path, folder, command):
    proc = run_cli(command, "--config-dir", str(folder), "pack=nowhere", "n=1", f"hydra.run.dir={tmp_path / 'c'}",
                   cwd=tmp_path)  # fmt: skip
    assert proc.returncode == 2, proc.stdout + proc.stderr


def test_batch_jobs_and_replays_carry_the_folder(folder):
    inv = Invocation(command="qualify", output_dir="/tmp/x", overrides=["pack=brand_pack"],
                     config_sources=[str(CONFIG_DIR), str(folder)])  # fmt: skip
    base = inv.batch_overrides()
    assert base[0] == f"hydra.searchpath=[file://{folder.resolve()}]" and base[1:] == ["pack=brand_pack"]
    # A batch job composes with them, outside any Hydra app, and finds the folder's files.
    cfg = load(base)
    assert (cfg.plant.pack.family_id, cfg.plant.vehicle.model) == ("brand_pack", "brand_car_e1")
    assert cfg.files["pack"] == str(folder / "pack" / "brand_pack.yaml")
    assert load(["pack=brand_pack"], config_dirs=[str(folder)]).plant.pack.family_id == "brand_pack"
    with pytest.raises(ConfigError) as err:
        load(["pack=brand_bad"], config_dirs=[str(folder)])
    assert err.value.problems[0].where == str(folder / "pack" / "brand_bad.yaml")


@pytest.mark.slow
def test_qualify_from_the_folder_and_its_replay_line_rerun(tmp_path, folder):
    out = tmp_path / "q"
    proc = run_cli("qualify", "--config-dir", str(folder), "pack=brand_pack", "n=1", f"hydra.run.dir={out}",
                   cwd=tmp_path, timeout_s=600)  # fmt: skip
    assert proc.returncode == 0, proc.stdout + proc.stderr
    report = json.loads((out / "report.json").read_text())
    assert report["pack_file"]["path"] == str(folder / "pack" / "brand_pack.yaml")
    assert len(report["pack_file"]["sha256"]) == 64 and report["seed"] == 0
    assert all(isinstance(r["seed"], int) for r in report["runs"])
    # The console gives the figures, not just the limits.
    assert "cycle_time" in proc.stdout and "(limit 300 s, margin +" in proc.stdout
    assert f"pack file {folder / 'pack' / 'brand_pack.yaml'}" in proc.stdout
    # The replay line works from anywhere: it carries the folder.
    replay = shlex.split(report["runs"][0]["replay"])
    assert replay[:2] == ["swaptwin", "swap"] and replay[2].startswith("hydra.searchpath=")
    again = run_cli("swap", *replay[2:], f"hydra.run.dir={tmp_path / 'r'}", cwd=tmp_path, timeout_s=600)
    assert again.returncode == 0, again.stdout + again.stderr
