"""Compose and validate a SwapTwin config.

Hydra composes ``configs/swaptwin.yaml`` with its groups; ``validate`` then
builds the typed schemas of every group and refuses bad values before any
process starts, naming the file (or the command-line override), the key, the
value and the allowed range.
"""

from __future__ import annotations

import typing
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from omegaconf import DictConfig, OmegaConf

from controllers.config import ControllerConfig
from twin.faults import target_problems
from twin.schema import LOCK_SCHEMAS, PACK_SCHEMAS, RIG_SCHEMAS, VEHICLE_SCHEMAS, ConfigError, Fault, Problem, build
from twin.schema.plant import PlantConfig
from twin.schema.physics import substeps

CONFIG_DIR = Path(__file__).resolve().parents[1] / "configs"
PRIMARY = "swaptwin"
GROUPS = ("rig", "pack", "lock", "vehicle", "controller", "scenario", "fault")
# Schemas of the plant's sections, by key (rig, pack, lock and vehicle are refined below).
_PLANT_SCHEMAS: dict[str, type] = typing.get_type_hints(PlantConfig)
# Which key of a group's file selects its schema.
_DISCRIMINATORS = {
    "rig": ("family", RIG_SCHEMAS),
    "pack": ("form", PACK_SCHEMAS),
    "lock": ("type", LOCK_SCHEMAS),
    "vehicle": ("vehicle_class", VEHICLE_SCHEMAS),
}


@dataclass(frozen=True)
class SwapConfig:
    plant: PlantConfig
    controller: ControllerConfig
    endpoint: str
    observer_endpoint: str
    resolved: dict[str, Any]  # the whole resolved config, as written to result.json


def _where(group: str | None, choices: dict[str, str], overrides: list[str], key: str) -> str:
    hit = [o for o in overrides if o.split("=", 1)[0].lstrip("+~") in (key, key.split("[")[0])]
    if hit:
        return f"command-line override {hit[-1]!r}"
    if group is None:
        return f"configs/{PRIMARY}.yaml"
    return f"configs/{group}/{choices.get(group, '?')}.yaml"


def validate(  # noqa: C901 (split in the redesign)
    cfg: DictConfig | dict, *, choices: dict[str, str] | None = None, overrides: list[str] | None = None
) -> SwapConfig:
    """Build every schema; raise ConfigError listing all problems at once."""
    choices = dict(choices or {})
    overrides = list(overrides or [])
    data = _plain(cfg)
    problems: list[Problem] = []
    parts: dict[str, Any] = {}

    def where(group: str | None, key: str) -> str:
        return _where(group, choices, overrides, key)

    def run(schema: type, section: Any, key: str, group: str | None) -> Any:
        try:
            return build(schema, section, where=where(group, key), key=key)
        except ConfigError as e:
            # Attribute each problem to the override that set its key, if any.
            problems.extend(Problem(where(group, p.key), p.key, p.message) for p in e.problems)
            return None

    for group in GROUPS:
        section = data.get(group)
        if section is None:
            problems.append(Problem(f"configs/{PRIMARY}.yaml", group, "missing config group"))
            continue
        schema = ControllerConfig if group == "controller" else _PLANT_SCHEMAS[group]
        if group in _DISCRIMINATORS:
            disc, table = _DISCRIMINATORS[group]
            kind = section.get(disc) if isinstance(section, dict) else None
            if kind not in table:
                problems.append(
                    Problem(
                        where(group, f"{group}.{disc}"),
                        f"{group}.{disc}",
                        f"{kind!r} is not known; choose one of {', '.join(sorted(table))}",
                    )
                )
                continue
            schema = table[kind]
        parts[group] = run(schema, section, group, group)
    for key in ("physics", "wire", "hazards", "acceptance"):
        parts[key] = run(_PLANT_SCHEMAS[key], data.get(key), key, None)
    extra = [(i, _resolve_use(entry, problems, i)) for i, entry in enumerate(data.get("extra_faults") or [])]
    parts["extra_faults"] = [run(Fault, entry, f"extra_faults[{i}]", None) for i, entry in extra if entry is not None]
    seed = data.get("seed")
    if isinstance(seed, bool) or not isinstance(seed, int) or not 0 <= seed < 2**32:
        problems.append(Problem(where(None, "seed"), "seed", f"{seed!r} is not an integer in [0, 2^32)"))
    if data.get("clock") not in ("lockstep", "realtime"):
        problems.append(
            Problem(
                where(None, "clock"), "clock", f"{data.get('clock')!r} is not allowed; choose 'lockstep' or 'realtime'"
            )
        )
    n, n_jobs = data.get("n", 1), data.get("n_jobs")
    if isinstance(n, bool) or not isinstance(n, int) or not 1 <= n <= 100000:
        problems.append(Problem(where(None, "n"), "n", f"{n!r} is not a number of swaps in [1, 100000]"))
    runs = data.get("matrix_runs", 1)
    if isinstance(runs, bool) or not isinstance(runs, int) or not 1 <= runs <= 10000:
        problems.append(
            Problem(where(None, "matrix_runs"), "matrix_runs", f"{runs!r} is not a number of runs in [1, 10000]")
        )
    if n_jobs is not None and (isinstance(n_jobs, bool) or not isinstance(n_jobs, int) or not 1 <= n_jobs <= 256):
        problems.append(
            Problem(
                where(None, "n_jobs"), "n_jobs", f"{n_jobs!r} is not null or a number of parallel swaps in [1, 256]"
            )
        )
    scenario, pack = parts.get("scenario"), parts.get("pack")
    if scenario is not None and pack is not None:
        n_dev, n_locks = len(scenario.charged_pack_deviation.lock_mm), len(pack.locks.positions_mm)
        if n_dev not in (0, n_locks):
            key = "scenario.charged_pack_deviation.lock_mm"
            problems.append(
                Problem(
                    where("scenario", key),
                    key,
                    f"{n_dev} deviations for the {n_locks} locks of pack {pack.family_id}; give one [x, y] per lock "
                    f"or none",
                )
            )
    plant = None
    if not problems:
        plant = PlantConfig(
            seed=seed, clock=data["clock"], **{k: parts[k] for k in _PLANT_SCHEMAS if k not in ("seed", "clock")}
        )
        named = [("fault", "fault")] if plant.fault.kind != "none" else []
        named += [(None, f"extra_faults[{i}]") for i, f in enumerate(plant.extra_faults) if f.kind != "none"]
        for key, message in target_problems(plant):
            index, field_key = key.split(":", 1)
            group, prefix = named[int(index)]
            problems.append(Problem(where(group, f"{prefix}.{field_key}"), f"{prefix}.{field_key}", message))
    for key in ("endpoint", "observer_endpoint"):
        ep = data.get(key)
        if not isinstance(ep, str) or not ep.startswith(("tcp://", "ipc://", "inproc://")):
            problems.append(
                Problem(where(None, key), key, f"{ep!r} is not a ZeroMQ endpoint (tcp://host:port or ipc://path)")
            )
    if problems:
        raise ConfigError(problems)
    try:
        substeps(plant.physics, plant.wire)
    except ValueError as exc:
        raise ConfigError([Problem(where(None, "wire.control_period_s"), "wire.control_period_s", str(exc))]) from None
    return SwapConfig(
        plant=plant,
        controller=parts["controller"],
        endpoint=data["endpoint"],
        observer_endpoint=data["observer_endpoint"],
        resolved=data,
    )


def _resolve_use(entry: Any, problems: list[Problem], index: int) -> Any:
    """An extra fault ``{use: NAME, ...}`` is the catalog file NAME with the
    entry's other top-level keys replacing its own (a new ``at`` replaces the
    whole trigger)."""
    if not isinstance(entry, dict) or "use" not in entry:
        return entry
    name = entry["use"]
    path = CONFIG_DIR / "fault" / f"{name}.yaml"
    if not isinstance(name, str) or not path.is_file():
        options = ", ".join(sorted(p.stem for p in (CONFIG_DIR / "fault").glob("*.yaml")))
        problems.append(
            Problem(
                f"configs/{PRIMARY}.yaml",
                f"extra_faults[{index}].use",
                f"{name!r} is not a fault in the catalog: {options}",
            )
        )
        return None
    merged = OmegaConf.to_container(OmegaConf.load(path), resolve=True)
    merged.update({k: v for k, v in entry.items() if k != "use"})
    return merged


def _plain(cfg: DictConfig | dict) -> dict[str, Any]:
    """The resolved config as plain data, without Hydra's own node."""
    if not isinstance(cfg, DictConfig):
        return {k: v for k, v in cfg.items() if k != "hydra"}
    out = {}
    for key in cfg:
        if key == "hydra":
            continue
        node = cfg[key]
        out[key] = OmegaConf.to_container(node, resolve=True) if OmegaConf.is_config(node) else node
    return out


def compose(overrides: list[str] | None = None) -> DictConfig:
    """Compose the config outside a Hydra app (tests, benchmarks, the check command)."""
    from hydra import compose as hydra_compose
    from hydra import initialize_config_dir
    from hydra.core.global_hydra import GlobalHydra

    if GlobalHydra.instance().is_initialized():
        # Inside a swaptwin command: Hydra already searches configs/.
        return hydra_compose(config_name=PRIMARY, overrides=list(overrides or []), return_hydra_config=True)
    with initialize_config_dir(config_dir=str(CONFIG_DIR), version_base="1.3"):
        return hydra_compose(config_name=PRIMARY, overrides=list(overrides or []), return_hydra_config=True)


def load(overrides: list[str] | None = None) -> SwapConfig:
    """Compose and validate in one step, outside a Hydra app."""
    cfg = compose(overrides)
    choices = {k: v for k, v in cfg.hydra.runtime.choices.items() if k in GROUPS}
    return validate(cfg, choices=choices, overrides=list(overrides or []))
