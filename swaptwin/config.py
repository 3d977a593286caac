"""Compose and validate a SwapTwin config.

Hydra composes ``configs/swaptwin.yaml`` with its groups; ``validate`` then
builds the typed schemas of every group and refuses bad values before any
process starts, naming the file actually read (or the command-line
override), the key, the value and the allowed range. Which schema a group's
file takes comes from the registries: a rig family's (``twin.rigs``), a lock
type's (``twin.locks``), a pack form's, a vehicle class's, and each rig
family's controller tuning (``controllers.sequences``).

**The pack brings its vehicle.** A pack names the vehicle models it fits
(``pack.vehicles``, files of ``configs/vehicle/``); a run uses the first of
them unless the command line chooses one (``vehicle=NAME``). That is a
resolution step after Hydra's composition (``pack_vehicle``): when the
composed vehicle is not the pack's, the config is composed again with
``vehicle=`` the pack's first, so every override still applies.

**Integrators' own folders.** ``--config-dir DIR`` and
``hydra.searchpath=[file://DIR]`` add folders Hydra searches before
``configs/``. Whatever composes a config later (a batch job, a replay line)
gets them as one ``hydra.searchpath`` override (``searchpath_overrides``),
so it reads the same files.
"""

from __future__ import annotations

import copy
import dataclasses
import functools
import hashlib
import typing
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import yaml
from omegaconf import DictConfig, OmegaConf

from controllers.config import ControllerConfig
from controllers.sequences import SEQUENCES
from gateways import SCHEMAS as GATEWAY_SCHEMAS
from gateways import NoGateway, gateway_for
from swaptwin.batch.executors import EXECUTORS
from twin.faults import target_problems
from twin.locks import LOCK_TYPES
from twin.rigs import FAMILIES
from swapwire.security import is_local
from twin.schema import PACK_SCHEMAS, VEHICLE_SCHEMAS, ConfigError, Fault, Problem, build, q
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
class RecordConfig:
    """The ``record`` section: each swap's recording ``swap.mcap`` and report ``swap.html`` (docs/recording.md)."""

    enabled: bool = q(True, doc="swaptwin swap and swaptwin plant: record every session")
    # A failing run always keeps its recording (issue 13): there is no "none".
    batch: Literal["failing", "all"] = q(
        "failing", doc="qualify, campaign, matrix, regress: keep the failing runs' recordings, or all"
    )
    render: Literal["never", "failing", "always"] = q(
        "failing", doc="pictures of the swap (keyframes, GIF) in swap.html: for failing runs, always or never"
    )
    tf_every_periods: int = q(1, lo=1, hi=1000, doc="/tf (every body's frame transforms) every N control periods")
    scene_every_s: float = q(5.0, lo=0.1, hi=3600.0, unit="s", doc="/scene published again every N s of plant time")
    gif_frames: int = q(40, lo=2, hi=400, doc="frames of the swap's animated GIF")

    def policy(self, *, batch: bool) -> str:
        """Which recordings a session keeps: ``always``, ``failing`` or ``never``."""
        if batch:
            return "always" if self.batch == "all" else "failing"
        return "always" if self.enabled else "never"


@dataclass(frozen=True)
class Security:
    """CURVE keys of the links (``swapwire.security``, ``swaptwin keys``). Mandatory
    whenever an endpoint is reachable from other machines (not loopback or ipc)."""

    keys_dir: str | None = q(None, doc="the station's keys: station.key_secret and allow.json (swaptwin keys --dir)")
    client_key: str | None = q(
        None, doc="a client's secret key file (default with keys_dir: its clients/controller.key_secret)"
    )
    station_key: str | None = q(None, doc="the station's public key file, pinned (default: keys_dir/station.key)")

    def client_files(self) -> tuple[str, str] | None:
        """Our controller's secret key and the station's public key: as given,
        else the ``controller`` pair of ``swaptwin keys`` in keys_dir; None if neither."""
        keys = Path(self.keys_dir) if self.keys_dir else None
        client = self.client_key or (str(keys / "clients" / "controller.key_secret") if keys else None)
        station = self.station_key or (str(keys / "station.key") if keys else None)
        return (client, station) if client and station else None


@dataclass(frozen=True)
class SwapConfig:
    plant: PlantConfig
    controller: ControllerConfig
    endpoint: str
    observer_endpoint: str
    resolved: dict[str, Any]  # the whole resolved config, as written to result.json
    sessions: int | None = 1  # swaptwin plant: sessions to serve (None: until stopped)
    record: RecordConfig = dataclasses.field(default_factory=RecordConfig)
    security: Security = Security()
    files: dict[str, str] = dataclasses.field(default_factory=dict)  # group -> absolute path of the file read
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

    def path(self, group: str) -> str | None:
        """The absolute path of the file a group's option was read from, if known."""
        relative = f"{group}/{self.choices.get(group, '?')}.yaml"
        return next((str(f / relative) for f in self.folders if (f / relative).is_file()), None)

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
        if not isinstance(data.get("force", False), bool):
            self.fail(None, "force", f"{data.get('force')!r} is not true/false")
        if data.get("clock") not in ("lockstep", "realtime"):
            self.fail(None, "clock", f"{data.get('clock')!r} is not allowed; choose 'lockstep' or 'realtime'")
        if data.get("executor", "local") not in EXECUTORS:
            allowed = " or ".join(map(repr, EXECUTORS))
            self.fail(None, "executor", f"{data.get('executor')!r} is not allowed; choose {allowed}")
        ray = data.get("ray") or {}
        if not isinstance(ray, dict) or set(ray) - {"address"}:
            self.fail(None, "ray", f"{ray!r} is not {{address: HOST:PORT, auto or null}}")
        elif not (ray.get("address") is None or isinstance(ray.get("address"), str)):
            self.fail(None, "ray.address", f"{ray.get('address')!r} is not HOST:PORT, auto or null")
        for key in ("endpoint", "observer_endpoint"):
            ep = data.get(key)
            if not isinstance(ep, str) or not ep.startswith(("tcp://", "ipc://", "inproc://")):
                self.fail(None, key, f"{ep!r} is not a ZeroMQ endpoint (tcp://host:port or ipc://path)")

    def security(self, data: dict) -> Security | None:
        sec = self.build(Security, data.get("security") or {}, "security", None)
        if sec is None:
            return None
        exposed = [
            k for k in ("endpoint", "observer_endpoint") if isinstance(data.get(k), str) and not is_local(data[k])
        ]
        if exposed and sec.keys_dir is None and sec.client_key is None:
            where = ", ".join(f"{k}={data[k]}" for k in exposed)
            self.fail(
                None,
                "security.keys_dir",
                f"{where} is reachable from other machines: CURVE keys are mandatory (make them with "
                f"`swaptwin keys --dir DIR`, then set security.keys_dir=DIR on the plant and "
                f"security.client_key, security.station_key on its clients)",
            )
        for key in ("keys_dir", "client_key", "station_key"):
            value = getattr(sec, key)
            if value is not None and not Path(value).exists():
                self.fail(None, f"security.{key}", f"{value!r} does not exist")
        return sec

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
        if pack is not None:
            for i, name in enumerate(pack.vehicles):
                if not any((folder / "vehicle" / f"{name}.yaml").is_file() for folder in self.where.folders):
                    known = sorted({p.stem for f in self.where.folders for p in (f / "vehicle").glob("*.yaml")})
                    self.fail(
                        "pack", f"pack.vehicles[{i}]", f"{name!r} is not a vehicle file; vehicles: {', '.join(known)}"
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
    data = _plain(cfg)
    if sources is None:
        # A resolved config (a swap's swap_config.json, a batch job's) remembers the user's
        # folders it was composed from: its pack's vehicles and the station's catalog are there.
        folders = data.get("config_folders")
        sources = [str(f) for f in folders] if isinstance(folders, list) else []
    where = _Sources(dict(choices or {}), list(overrides or []), list(sources))
    v = _Validation(where)
    data["config_folders"] = [str(f) for f in where.folders if f != CONFIG_DIR]
    if choices and "pack" in choices:
        # Which file the pack came from, and its digest: every report states them.
        data["pack_file"] = pack_file(where.path("pack"))
    # 1. The groups, each by the schema its file selects.
    parts: dict[str, Any] = {group: v.group(group, data.get(group)) for group in GROUPS}
    if parts["controller"] is not None:
        parts["controller"] = v.sequences(parts["controller"])
    # 2. The primary config's own sections and keys.
    for key in ("physics", "wire", "hazards", "acceptance"):
        parts[key] = v.build(_PLANT_SCHEMAS[key], data.get(key), key, None)
    record = v.build(RecordConfig, data.get("record", {}), "record", None)
    extra = [(i, _resolve_use(entry, v, i)) for i, entry in enumerate(data.get("extra_faults") or [])]
    parts["extra_faults"] = [
        v.build(Fault, entry, f"extra_faults[{i}]", None) for i, entry in extra if entry is not None
    ]
    parts["station_catalog"] = _station_catalog(v, data, parts.get("rig"))
    v.scalars(data)
    v.command_keys(data)
    security = v.security(data)
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
        record=record,
        security=security or Security(),
        files={g: path for g in GROUPS if (path := v.where.path(g)) is not None} if choices else {},
        gateway=parts["gateway"],
    )
    # 4. The gateway in front of the station, if one is chosen: its tag map, its keys.
    v.gateway(cfg)
    if v.problems:
        raise ConfigError(v.problems)
    return cfg


def pack_file(path: str | None) -> dict[str, str | None]:
    """Which pack file was read (its absolute path) and the SHA-256 of its bytes:
    kept in the resolved config as ``pack_file``, so every report states them."""
    digest = hashlib.sha256(Path(path).read_bytes()).hexdigest() if path and Path(path).is_file() else None
    return {"path": path, "sha256": digest}


@functools.lru_cache(maxsize=256)
def _pack_file(path: str, _mtime_ns: int) -> Any:
    """A pack file's data (cached while the file is unchanged: a batch composes
    many jobs). Pack files are plain data, so a YAML load is all Hydra would do."""
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    with open(path, encoding="utf-8") as f:
        return yaml.load(f, Loader=loader)


def _catalog_files(folders: list[Path]) -> dict[str, Path]:
    """Every pack file Hydra would find, by option name (a user's folder first)."""
    found: dict[str, Path] = {}
    for folder in folders:
        for path in sorted((folder / "pack").glob("*.yaml")):
            found.setdefault(path.stem, path)
    return found


def _station_catalog(v: _Validation, data: dict, rig: Any) -> dict[str, Any]:
    """The station's interface catalog: the pack files of the families it
    serves (``rig.catalog``; by default every pack file that lists the rig's
    family), keyed by family id. Kept in the resolved config
    (``station_catalog``), so the plant process holds the same catalog."""
    raw = data.get("station_catalog")
    if raw is None:
        raw = {}
        named = None if rig is None else rig.catalog
        for name, path in _catalog_files(v.where.folders).items():
            entry = _pack_file(str(path), path.stat().st_mtime_ns)
            if not isinstance(entry, dict):
                continue
            listed = rig is not None and rig.family in (entry.get("rig_families") or [])
            if (named is None and listed) or (named is not None and entry.get("family_id") in named):
                raw[str(entry.get("family_id", name))] = copy.deepcopy(entry)
        missing = sorted(set(named or []) - set(raw))
        if missing:
            v.fail("rig", "rig.catalog", f"no pack file with family_id {', '.join(missing)} in the config folders")
        data["station_catalog"] = raw
    out = {}
    for family, entry in raw.items():
        form = entry.get("form") if isinstance(entry, dict) else None
        if form not in PACK_SCHEMAS:
            v.problems.append(Problem("station_catalog", f"station_catalog.{family}.form", f"{form!r} is not known"))
            continue
        try:
            out[family] = build(PACK_SCHEMAS[form], entry, where=f"station catalog entry {family}")
        except ConfigError:
            continue  # a broken pack file is not in the station's catalog: the station does not know it
    return out


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


def user_folders(sources: list[str]) -> list[str]:
    """The config folders Hydra searched besides ``configs/``: ``--config-dir`` and ``hydra.searchpath``."""
    out = []
    for s in sources:
        s = str(s)
        if not s or s.startswith("pkg://"):
            continue
        path = Path(s.removeprefix("file://")).resolve()
        if path != CONFIG_DIR.resolve() and str(path) not in out:
            out.append(str(path))
    return out


def searchpath_overrides(folders: list[str]) -> list[str]:
    """The override that makes a later composition search ``folders`` too (empty: none)."""
    if not folders:
        return []
    return ["hydra.searchpath=[" + ",".join(f"file://{Path(f).resolve()}" for f in folders) + "]"]


def _chooses_vehicle(overrides: list[str]) -> bool:
    return any(o.split("=", 1)[0].lstrip("+~") == "vehicle" for o in overrides)


def pack_vehicle(cfg: DictConfig | dict, choices: dict[str, str], overrides: list[str]) -> str | None:
    """The vehicle the run should use instead of the composed one: the pack's
    first, unless the command line chose a vehicle or the composed one is it."""
    if _chooses_vehicle(overrides):
        return None
    pack = cfg.get("pack") if hasattr(cfg, "get") else None
    names = pack.get("vehicles") if hasattr(pack, "get") else None
    if not names or not isinstance(names[0], str) or choices.get("vehicle") == names[0]:
        return None
    return names[0]


def _choices_and_sources(cfg: DictConfig) -> tuple[dict[str, str], list[str]]:
    choices = {k: v for k, v in cfg.hydra.runtime.choices.items() if k in GROUPS}
    sources = [s["path"] for s in cfg.hydra.runtime.config_sources if s["schema"] == "file"]
    return choices, sources


def compose(overrides: list[str] | None = None) -> DictConfig:
    """Compose the config outside a Hydra app (tests, benchmarks, batch jobs);
    the pack's vehicle resolved (``pack_vehicle``)."""
    from hydra import compose as hydra_compose
    from hydra import initialize_config_dir
    from hydra.core.global_hydra import GlobalHydra

    overrides = list(overrides or [])

    def once(extra: list[str]) -> DictConfig:
        if GlobalHydra.instance().is_initialized():
            # Inside a swaptwin command: Hydra already searches configs/ (and --config-dir).
            return hydra_compose(config_name=PRIMARY, overrides=overrides + extra, return_hydra_config=True)
        with initialize_config_dir(config_dir=str(CONFIG_DIR), version_base="1.3"):
            return hydra_compose(config_name=PRIMARY, overrides=overrides + extra, return_hydra_config=True)

    from hydra.errors import MissingConfigException

    cfg = once([])
    vehicle = pack_vehicle(cfg, _choices_and_sources(cfg)[0], overrides)
    if vehicle is None:
        return cfg
    try:
        return once([f"vehicle={vehicle}"])
    except MissingConfigException:
        return cfg  # a vehicle that has no file: validation names the pack's key


def recompose_for_pack_vehicle(cfg: DictConfig, *, choices: dict, overrides: list[str], folders: list[str]):
    """Inside a swaptwin command: the job's config again with the pack's vehicle,
    or None if the composed one is already right. Returns (cfg, choices, sources)."""
    if pack_vehicle(cfg, choices, overrides) is None:
        return None
    again = compose([*searchpath_overrides(folders), *overrides])
    return (again, *_choices_and_sources(again))


def load(overrides: list[str] | None = None, *, config_dirs: list[str] | None = None) -> SwapConfig:
    """Compose and validate in one step, outside a Hydra app. ``config_dirs``:
    folders of the user's own config files, searched before ``configs/``."""
    overrides = [*searchpath_overrides(list(config_dirs or [])), *(overrides or [])]
    cfg = compose(overrides)
    choices, sources = _choices_and_sources(cfg)
    return validate(cfg, choices=choices, overrides=overrides, sources=sources)


class Composer:
    """The configs of many jobs that share a base (a batch's), Hydra composing the base once.

    Hydra composes a config from its defaults list and then sets each value
    override on the result (``OmegaConf.update(cfg, key, value, merge=True)``,
    in ``ConfigLoaderImpl._apply_overrides_to_config``). A job whose overrides
    all set values (a qualification's samples: ``seed=...``,
    ``scenario.parking_offset_mm=[...]``) therefore gets a copy of the composed
    base with them set in the same way, which is the config Hydra would
    compose; a job with any other override (a group, an append or deletion, a
    sweep, a key the base does not have) is composed in full, so Hydra's own
    error names what is wrong. Measured here: a composition 0.21 s, a copy
    20 to 30 ms, and the validation both pay about 45 ms; 100 jobs of a
    qualification took 21 s to configure before the first swap, now 7 s."""

    def __init__(self, base_overrides: list[str]):
        self.base_overrides = list(base_overrides)
        self._base: DictConfig | None = None
        self._groups: set[str] = set()
        self._choices_sources: tuple[dict[str, str], list[str]] = ({}, [])
        self.composed = self.copied = 0

    def load(self, overrides: list[str]) -> SwapConfig:
        everything = [*self.base_overrides, *overrides]
        cfg = self._values_set(overrides)
        if cfg is None:
            self.composed += 1
            cfg = compose(everything)
            choices, sources = _choices_and_sources(cfg)
        else:
            self.copied += 1
            choices, sources = self._choices_sources
        return validate(cfg, choices=choices, overrides=everything, sources=sources)

    def _values_set(self, overrides: list[str]) -> DictConfig | None:
        """The base with ``overrides`` set, or None if one of them is not a value override of it."""
        from hydra.core.override_parser.overrides_parser import OverridesParser
        from hydra.errors import HydraException
        from omegaconf.errors import OmegaConfBaseException

        try:
            parsed = OverridesParser.create().parse_overrides(list(overrides))
        except HydraException:
            return None  # Hydra's full composition says what is wrong with it
        if self._base is None:
            composed = compose(self.base_overrides)
            self._choices_sources = _choices_and_sources(composed)
            self._groups = set(composed.hydra.runtime.choices)
            # Hydra's own node is no part of a job's config: no copy carries it.
            self._base = OmegaConf.masked_copy(composed, [k for k in composed if k != "hydra"])
        base, groups = self._base, self._groups
        for o in parsed:
            key = o.key_or_group
            top = key.split(".", 1)[0]
            if (
                o.is_add()
                or o.is_force_add()
                or o.is_delete()
                or o.is_sweep_override()
                or o.package is not None
                or "/" in key
                or key in groups
                or top == "hydra"
                or key.startswith("pack.vehicles")  # decides the vehicle composed
                or OmegaConf.select(base, key, default=_ABSENT) is _ABSENT
            ):
                return None
        cfg = copy.deepcopy(base)
        try:
            for o in parsed:
                OmegaConf.update(cfg, o.key_or_group, o.value(), merge=True)
        except OmegaConfBaseException:
            return None
        return cfg


_ABSENT = object()


def default_controller() -> ControllerConfig:
    """Our sequencer's tuning, read straight from its file (no Hydra composition)."""
    path = CONFIG_DIR / "controller" / "sequencer.yaml"
    data = OmegaConf.to_container(OmegaConf.load(path), resolve=True)
    v = _Validation(_Sources({"controller": "sequencer"}, [], []))
    controller = v.sequences(v.build(ControllerConfig, data, "controller", "controller"))
    if v.problems:
        raise ConfigError(v.problems)
    return controller
