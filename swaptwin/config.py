"""Compose and validate a SwapTwin config.

Hydra composes ``configs/swaptwin.yaml`` with its groups; ``validate`` then
builds the typed schemas of every group and refuses bad values before any
process starts, naming the file actually read (or the command-line
override), the key, the value and the allowed range. Which schema a group's
file takes comes from the registries: a rig family's (``twin.rigs``), a lock
type's (``twin.locks``), a pack form's, a vehicle class's, and each rig
family's controller tuning (``controllers.sequences``).
"""

from __future__ import annotations

import dataclasses
import typing
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from omegaconf import DictConfig, OmegaConf

from controllers.config import ControllerConfig
from controllers.sequences import SEQUENCES
from gateways import SCHEMAS as GATEWAY_SCHEMAS
from gateways import NoGateway, gateway_for
from twin.faults import target_problems
from twin.locks import LOCK_TYPES
from twin.rigs import FAMILIES
from twin.schema import PACK_SCHEMAS, VEHICLE_SCHEMAS, ConfigError, Fault, Problem, build
from twin.schema.physics import substeps
from twin.schema.plant import PlantConfig

CONFIG_DIR = Path(__file__).resolve().parents[1] / "configs"
PRIMARY = "swaptwin"
GROUPS = ("rig", "pack", "lock", "vehicle", "controller", "scenario", "fault", "gateway")
# Schemas of the plant's sections, by key (rig, pack, lock and vehicle are refined below).
_PLANT_SCHEMAS: dict[str, type] = typing.get_type_hints(PlantConfig)


def _discriminators() -> dict[str, tuple[str, dict[str, type]]]:
    """Which key of a group's file selects its schema, and the schemas (read
    from the registries each time: a lock type registered later is known)."""
    return {
        "rig": ("family", {name: f.schema for name, f in FAMILIES.items()}),
        "pack": ("form", PACK_SCHEMAS),
        "lock": ("type", {name: t.schema for name, t in LOCK_TYPES.items()}),
        "vehicle": ("vehicle_class", VEHICLE_SCHEMAS),
        "gateway": ("kind", GATEWAY_SCHEMAS),
    }


# Keys that steer a command, not a swap: (key, lowest, highest, may be null, what it counts).
_COMMAND_KEYS = (
    ("n", 1, 100000, False, "a number of swaps"),
    ("n_jobs", 1, 256, True, "a number of parallel swaps"),
    ("matrix_runs", 1, 10000, False, "a number of runs"),
    ("sessions", 1, 10**9, True, "a number of sessions"),
)


@dataclass(frozen=True)
class SwapConfig:
    plant: PlantConfig
    controller: ControllerConfig
    endpoint: str
    observer_endpoint: str
    resolved: dict[str, Any]  # the whole resolved config, as written to result.json
    sessions: int | None = 1  # swaptwin plant: sessions to serve (None: until stopped)
    gateway: Any = dataclasses.field(default_factory=NoGateway)  # the gateway group's schema (gateways registry)


class _Sources:
    """Where each value came from: an override on the command line, or the
    file Hydra actually read (the user's own folder first, then configs/)."""

    def __init__(self, choices: dict[str, str], overrides: list[str], folders: list[str]):
        self.choices, self.overrides = choices, overrides
        self.folders = [Path(f.removeprefix("file://")) for f in folders if not str(f).startswith("pkg://")]
        if CONFIG_DIR not in self.folders:
            self.folders.append(CONFIG_DIR)

    def file(self, relative: str) -> str:
        for folder in self.folders:
            if (folder / relative).is_file():
                return str(folder / relative) if folder != CONFIG_DIR else f"configs/{relative}"
        return f"configs/{relative}"

    def __call__(self, group: str | None, key: str) -> str:
        hit = [o for o in self.overrides if o.split("=", 1)[0].lstrip("+~") in (key, key.split("[")[0])]
        if hit:
            return f"command-line override {hit[-1]!r}"
        if group is None:
            return self.file(f"{PRIMARY}.yaml")
        return self.file(f"{group}/{self.choices.get(group, '?')}.yaml")


class _Validation:
    def __init__(self, where: _Sources):
        self.where = where
        self.problems: list[Problem] = []

    def fail(self, group: str | None, key: str, message: str) -> None:
        self.problems.append(Problem(self.where(group, key), key, message))

    def build(self, schema: type, section: Any, key: str, group: str | None) -> Any:
        try:
            return build(schema, section, where=self.where(group, key), key=key)
        except ConfigError as e:
            # Attribute each problem to the override that set its key, if any.
            self.problems.extend(Problem(self.where(group, p.key), p.key, p.message) for p in e.problems)
            return None

    def group(self, group: str, section: Any) -> Any:
        if section is None:
            self.problems.append(Problem(self.where.file(f"{PRIMARY}.yaml"), group, "missing config group"))
            return None
        schema = ControllerConfig if group == "controller" else _PLANT_SCHEMAS.get(group)
        discriminators = _discriminators()
        if group in discriminators:
            disc, table = discriminators[group]
            kind = section.get(disc) if isinstance(section, dict) else None
            if kind not in table:
                self.fail(group, f"{group}.{disc}", f"{kind!r} is not known; choose one of {', '.join(sorted(table))}")
                return None
            schema = table[kind]
        return self.build(schema, section, group, group)

    def sequences(self, controller: ControllerConfig) -> ControllerConfig:
        """Each rig family's tuning built by its sequence's own schema."""
        typed = {}
        for family, section in controller.sequences.items():
            key = f"controller.sequences.{family}"
            if family not in SEQUENCES:
                self.fail(
                    "controller", key, f"no sequence for rig family {family!r}; sequences: {', '.join(SEQUENCES)}"
                )
                continue
            typed[family] = self.build(SEQUENCES[family].Tuning, section, key, "controller")
        return dataclasses.replace(controller, sequences=typed)

    def command_keys(self, data: dict) -> None:
        for key, lo, hi, nullable, what in _COMMAND_KEYS:
            v = data.get(key, lo)
            if v is None and nullable:
                continue
            if isinstance(v, bool) or not isinstance(v, int) or not lo <= v <= hi:
                self.fail(None, key, f"{v!r} is not {'null or ' if nullable else ''}{what} in [{lo}, {hi}]")

    def scalars(self, data: dict) -> None:
        seed = data.get("seed")
        if isinstance(seed, bool) or not isinstance(seed, int) or not 0 <= seed < 2**32:
            self.fail(None, "seed", f"{seed!r} is not an integer in [0, 2^32)")
        if data.get("clock") not in ("lockstep", "realtime"):
            self.fail(None, "clock", f"{data.get('clock')!r} is not allowed; choose 'lockstep' or 'realtime'")
        for key in ("endpoint", "observer_endpoint"):
            ep = data.get(key)
            if not isinstance(ep, str) or not ep.startswith(("tcp://", "ipc://", "inproc://")):
                self.fail(None, key, f"{ep!r} is not a ZeroMQ endpoint (tcp://host:port or ipc://path)")

    def across_groups(self, parts: dict[str, Any]) -> None:
        """Rules between groups: the pack's deviations, the rig's lock types, a tuning for the rig."""
        scenario, pack, rig, controller = (parts.get(k) for k in ("scenario", "pack", "rig", "controller"))
        if scenario is not None and pack is not None:
            n_dev, n_locks = len(scenario.charged_pack_deviation.lock_mm), len(pack.locks.positions_mm)
            if n_dev not in (0, n_locks):
                key = "scenario.charged_pack_deviation.lock_mm"
                self.fail(
                    "scenario",
                    key,
                    f"{n_dev} deviations for the {n_locks} locks of pack {pack.family_id}; give one [x, y] per lock "
                    f"or none",
                )
        if rig is not None:
            for i, name in enumerate(rig.lock_types):
                if name not in LOCK_TYPES:
                    self.fail(
                        "rig",
                        f"rig.lock_types[{i}]",
                        f"{name!r} is not a lock type; choose from {', '.join(sorted(LOCK_TYPES))}",
                    )
            if controller is not None and rig.family not in controller.sequences:
                self.fail("controller", "controller.sequences", f"no tuning for the {rig.family} rig family")

    def gateway(self, cfg: SwapConfig) -> None:
        """The chosen gateway's own checks: its tag map names its file; its keys, their source."""
        gateway = gateway_for(cfg)
        for problem in gateway.problems(cfg) if gateway is not None else []:
            if isinstance(problem, Problem):
                self.problems.append(problem)
            else:
                self.fail("gateway", *problem)

    def faults(self, plant: PlantConfig) -> None:
        named = [("fault", "fault")] if plant.fault.kind != "none" else []
        named += [(None, f"extra_faults[{i}]") for i, f in enumerate(plant.extra_faults) if f.kind != "none"]
        for key, message in target_problems(plant):
            index, field_key = key.split(":", 1)
            group, prefix = named[int(index)]
            self.fail(group, f"{prefix}.{field_key}", message)


def validate(
    cfg: DictConfig | dict,
    *,
    choices: dict[str, str] | None = None,
    overrides: list[str] | None = None,
    sources: list[str] | None = None,
) -> SwapConfig:
    """Build every schema; raise ConfigError listing all problems at once.
    ``sources``: the config folders Hydra searched (a ``--config-dir`` first),
    so a problem names the file actually read."""
    v = _Validation(_Sources(dict(choices or {}), list(overrides or []), list(sources or [])))
    data = _plain(cfg)
    # 1. The groups, each by the schema its file selects.
    parts: dict[str, Any] = {group: v.group(group, data.get(group)) for group in GROUPS}
    if parts["controller"] is not None:
        parts["controller"] = v.sequences(parts["controller"])
    # 2. The primary config's own sections and keys.
    for key in ("physics", "wire", "hazards", "acceptance"):
        parts[key] = v.build(_PLANT_SCHEMAS[key], data.get(key), key, None)
    extra = [(i, _resolve_use(entry, v, i)) for i, entry in enumerate(data.get("extra_faults") or [])]
    parts["extra_faults"] = [
        v.build(Fault, entry, f"extra_faults[{i}]", None) for i, entry in extra if entry is not None
    ]
    v.scalars(data)
    v.command_keys(data)
    # 3. Rules across groups, then the faults against the station they aim at.
    v.across_groups(parts)
    plant = None
    if not v.problems:
        plant = PlantConfig(
            seed=data["seed"],
            clock=data["clock"],
            **{k: parts[k] for k in _PLANT_SCHEMAS if k not in ("seed", "clock")},
        )
        v.faults(plant)
    if v.problems:
        raise ConfigError(v.problems)
    try:
        substeps(plant.physics, plant.wire)
    except ValueError as exc:
        raise ConfigError(
            [Problem(v.where(None, "wire.control_period_s"), "wire.control_period_s", str(exc))]
        ) from None
    cfg = SwapConfig(
        plant=plant,
        controller=parts["controller"],
        endpoint=data["endpoint"],
        observer_endpoint=data["observer_endpoint"],
        resolved=data,
        sessions=data.get("sessions", 1),
        gateway=parts["gateway"],
    )
    # 4. The gateway in front of the station, if one is chosen: its tag map, its keys.
    v.gateway(cfg)
    if v.problems:
        raise ConfigError(v.problems)
    return cfg


def _resolve_use(entry: Any, v: _Validation, index: int) -> Any:
    """An extra fault ``{use: NAME, ...}`` is the catalog file NAME with the
    entry's other top-level keys replacing its own (a new ``at`` replaces the
    whole trigger)."""
    if not isinstance(entry, dict) or "use" not in entry:
        return entry
    name = entry["use"]
    path = CONFIG_DIR / "fault" / f"{name}.yaml"
    if not isinstance(name, str) or not path.is_file():
        options = ", ".join(sorted(p.stem for p in (CONFIG_DIR / "fault").glob("*.yaml")))
        v.fail(None, f"extra_faults[{index}].use", f"{name!r} is not a fault in the catalog: {options}")
        return None
    merged = OmegaConf.to_container(OmegaConf.load(path), resolve=True)
    merged.update({k: val for k, val in entry.items() if k != "use"})
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
    """Compose the config outside a Hydra app (tests, benchmarks, batch jobs)."""
    from hydra import compose as hydra_compose
    from hydra import initialize_config_dir
    from hydra.core.global_hydra import GlobalHydra

    if GlobalHydra.instance().is_initialized():
        # Inside a swaptwin command: Hydra already searches configs/ (and the user's folders).
        return hydra_compose(config_name=PRIMARY, overrides=list(overrides or []), return_hydra_config=True)
    with initialize_config_dir(config_dir=str(CONFIG_DIR), version_base="1.3"):
        return hydra_compose(config_name=PRIMARY, overrides=list(overrides or []), return_hydra_config=True)


def load(overrides: list[str] | None = None) -> SwapConfig:
    """Compose and validate in one step, outside a Hydra app."""
    cfg = compose(overrides)
    choices = {k: v for k, v in cfg.hydra.runtime.choices.items() if k in GROUPS}
    sources = [s["path"] for s in cfg.hydra.runtime.config_sources if s["schema"] == "file"]
    return validate(cfg, choices=choices, overrides=list(overrides or []), sources=sources)


def default_controller() -> ControllerConfig:
    """Our sequencer's tuning, read straight from its file (no Hydra composition)."""
    path = CONFIG_DIR / "controller" / "sequencer.yaml"
    data = OmegaConf.to_container(OmegaConf.load(path), resolve=True)
    v = _Validation(_Sources({"controller": "sequencer"}, [], []))
    controller = v.sequences(v.build(ControllerConfig, data, "controller", "controller"))
    if v.problems:
        raise ConfigError(v.problems)
    return controller
