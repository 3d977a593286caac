"""A brand is a pack and the vehicles it fits: real families from public figures,
each run on its own vehicle, judged against the adjustable tooling."""

from __future__ import annotations

import re

import pytest
from omegaconf import OmegaConf

from swaptwin.commands.check import precheck
from swaptwin.config import CONFIG_DIR, load
from twin.schema import ConfigError

PACK_DIR, VEHICLE_DIR = CONFIG_DIR / "pack", CONFIG_DIR / "vehicle"
FAMILIES = sorted(p.stem for p in PACK_DIR.glob("*.yaml"))
# A family from public figures cites at least one [key] of the README's Sources.
_SOURCE_KEY = re.compile(r"\[([a-z0-9_]+)\]")


def _raw(name: str) -> dict:
    return OmegaConf.to_container(OmegaConf.load(PACK_DIR / f"{name}.yaml"))


def _sourced() -> list[str]:
    return [f for f in FAMILIES if _SOURCE_KEY.search((PACK_DIR / f"{f}.yaml").read_text())]


def test_at_least_twelve_families_from_public_figures_span_the_tooling():
    sourced = _sourced()
    assert len(sourced) >= 12, sourced
    dims = [_raw(f)["dimensions"] for f in sourced]
    masses = [_raw(f)["mass_kg"] for f in sourced]
    lengths, widths = [d["length_mm"] for d in dims], [d["width_mm"] for d in dims]
    # Short and long, narrow and wide, light and heavy: a city car's block to a truck's cab-back pack.
    assert min(lengths) <= 1000 and max(lengths) >= 2060
    assert min(widths) <= 700 and max(widths) >= 2300
    assert min(masses) <= 200 and max(masses) >= 2500
    assert {_raw(f)["access"] for f in sourced} == {"below", "above", "side"}


def test_every_source_key_a_file_cites_is_in_the_readme():
    readme = (PACK_DIR / "README.md").read_text()
    listed = set(re.findall(r"^- \*\*\[([a-z0-9_]+)\]\*\*", readme, re.M))
    cited = set()
    for path in [*PACK_DIR.glob("*.yaml"), *VEHICLE_DIR.glob("*.yaml")]:
        cited |= set(_SOURCE_KEY.findall(path.read_text()))
    cited -= {p.stem for p in VEHICLE_DIR.glob("*.yaml")} | {"key"}  # names in brackets, not sources
    cited -= {"under_chassis", "overhead", "side"}  # rig families in brackets (rig_families: [side])
    assert cited <= listed, sorted(cited - listed)


@pytest.mark.parametrize("name", FAMILIES)
def test_every_family_names_vehicle_files_that_exist(name):
    vehicles = _raw(name)["vehicles"]
    assert vehicles and all((VEHICLE_DIR / f"{v}.yaml").is_file() for v in vehicles)


def test_a_run_uses_the_packs_own_vehicle_unless_one_is_given():
    assert load(["pack=nio_100kwh"]).plant.vehicle.model == "nio_es8"
    assert load(["pack=nio_75kwh"]).plant.vehicle.model == "nio_et5_touring"
    assert load(["pack=nio_100kwh", "vehicle=nio_et5_touring"]).plant.vehicle.model == "nio_et5_touring"
    assert load(["rig=overhead", "pack=xcmg_e700_282kwh"]).plant.vehicle.model == "xcmg_e700_tractor"
    # An override of a key of the pack's vehicle still applies to it.
    cfg = load(["pack=nio_100kwh", "vehicle.bay.width_mm=1800"])
    assert cfg.plant.vehicle.model == "nio_es8" and cfg.plant.vehicle.bay.width_mm == 1800


def test_the_default_swap_is_todays_car_on_the_sedan():
    cfg = load([])
    assert (cfg.plant.pack.family_id, cfg.plant.vehicle.model) == ("car_100kwh", "sedan_e1")
    assert load(["rig=overhead"]).plant.vehicle.model == "tractor_6x4_cab_back"


def test_a_pack_naming_a_vehicle_that_does_not_exist_is_refused():
    with pytest.raises(ConfigError) as err:
        load(["pack=car_100kwh", "pack.vehicles=[sedan_x9]"])
    hits = [p for p in err.value.problems if p.key == "pack.vehicles[0]"]
    assert hits and "'sedan_x9' is not a vehicle file" in hits[0].message


def test_a_real_pack_that_failed_on_the_catalog_car_passes_on_its_own_vehicle():
    """NIO's 1539 mm wide envelope does not fit the sedan's bay, but does fit its own cars'."""
    own = load(["pack=nio_100kwh"])
    assert precheck(own.plant, own.controller).passed
    sedan = load(["pack=nio_100kwh", "vehicle=sedan"])
    failed = [c.name for c in precheck(sedan.plant, sedan.controller).failed]
    assert failed == ["bay_width"]
