"""Schema machinery: typed config sections that validate themselves.

Every config group (rig, pack, lock, vehicle, scenario, fault, physics, and the
controller's own) has a dataclass schema. ``build`` turns a plain mapping (a
composed Hydra node, or a YAML file) into those dataclasses and refuses, with
one line per problem, anything that is missing, unknown, of the wrong type or
out of range. Each line names the file, the key, the value and the allowed
range, so a third party's pack file fails before any simulation starts.

Fields declare their unit and range with ``q``; the metadata keys (``lo``,
``hi``, ``unit``, ``doc``, ``length``) are plain ``dataclasses.field``
metadata, so a schema module outside ``twin`` (the controller's) can use them
without importing this module.
"""

from __future__ import annotations

import dataclasses
import math
import types
from dataclasses import dataclass, field
from typing import Any, Literal, Union, get_args, get_origin, get_type_hints

_CODE_KEYS = ("_target_", "_partial_", "_recursive_", "_convert_", "_args_")


def q(
    default: Any = dataclasses.MISSING,
    *,
    lo: float | None = None,
    hi: float | None = None,
    unit: str = "",
    doc: str = "",
    length: int | None = None,
    factory: Any = None,
) -> Any:
    """A schema field with a unit and an inclusive range (None = open end).

    Without a default the key is required in the config file. ``length`` fixes
    the length of a list (a 2-vector, a 3-vector).
    """
    meta = {"lo": lo, "hi": hi, "unit": unit, "doc": doc, "length": length}
    if factory is not None:
        return field(default_factory=factory, metadata=meta)
    return field(default=default, metadata=meta)


@dataclass(frozen=True)
class Problem:
    where: str  # the config file (or source) the value came from
    key: str  # dotted key
    message: str

    def __str__(self) -> str:
        return f"{self.where}: {self.key}: {self.message}"


class ConfigError(ValueError):
    """One or more config values are invalid. ``problems`` lists each of them."""

    def __init__(self, problems: list[Problem]):
        self.problems = problems
        super().__init__("invalid configuration:\n  " + "\n  ".join(str(p) for p in problems))


def _range_text(meta: dict) -> str:
    lo, hi, unit = meta.get("lo"), meta.get("hi"), meta.get("unit") or ""
    u = f" {unit}" if unit else ""
    if lo is not None and hi is not None:
        return f"[{lo}, {hi}]{u}"
    if lo is not None:
        return f">= {lo}{u}"
    if hi is not None:
        return f"<= {hi}{u}"
    return f"any{u}"


class _Builder:
    def __init__(self, where: str):
        self.where = where
        self.problems: list[Problem] = []

    def fail(self, key: str, message: str) -> None:
        self.problems.append(Problem(self.where, key, message))

    def value(self, tp: Any, data: Any, key: str, meta: dict) -> Any:  # noqa: C901 (split in the redesign)
        origin = get_origin(tp)
        if dataclasses.is_dataclass(tp):
            return self.dataclass(tp, data, key)
        if origin is Literal:
            choices = get_args(tp)
            if data not in choices:
                self.fail(key, f"{data!r} is not allowed; choose one of {', '.join(map(repr, choices))}")
            return data
        if origin in (Union, types.UnionType):
            args = [a for a in get_args(tp) if a is not type(None)]
            if data is None:
                return None
            return self.value(args[0], data, key, meta)
        if origin is list:
            (item_tp,) = get_args(tp)
            if not isinstance(data, (list, tuple)):
                self.fail(key, f"{data!r} is not a list")
                return []
            n = meta.get("length")
            if n is not None and len(data) != n:
                self.fail(key, f"has {len(data)} items; it needs exactly {n}")
            return [self.value(item_tp, item, f"{key}[{i}]", meta) for i, item in enumerate(data)]
        if origin is dict:
            _, item_tp = get_args(tp)
            if not isinstance(data, dict):
                self.fail(key, f"{data!r} is not a mapping")
                return {}
            return {str(k): self.value(item_tp, v, f"{key}.{k}", meta) for k, v in data.items()}
        if tp is bool:
            if not isinstance(data, bool):
                self.fail(key, f"{data!r} is not true/false")
            return data
        if tp in (int, float):
            if isinstance(data, bool) or not isinstance(data, (int, float)):
                self.fail(key, f"{data!r} is not a number; allowed range {_range_text(meta)}")
                return data
            if tp is int and not float(data).is_integer():
                self.fail(key, f"{data!r} is not a whole number; allowed range {_range_text(meta)}")
            if not math.isfinite(float(data)):
                self.fail(key, f"{data!r} is not finite; allowed range {_range_text(meta)}")
                return data
            lo, hi = meta.get("lo"), meta.get("hi")
            if (lo is not None and data < lo) or (hi is not None and data > hi):
                self.fail(key, f"{data!r} is out of range; allowed range {_range_text(meta)}")
            return tp(data)
        if tp is str:
            if not isinstance(data, str):
                self.fail(key, f"{data!r} is not a string")
            return data
        if tp is Any:
            return data
        raise TypeError(f"schema type {tp!r} at {key} is not supported")

    def dataclass(self, cls: type, data: Any, key: str) -> Any:
        if not isinstance(data, dict):
            self.fail(key or "(root)", f"expected a mapping of {cls.__name__} fields, got {data!r}")
            return None
        prefix = f"{key}." if key else ""
        for bad in _CODE_KEYS:
            if bad in data:
                self.fail(
                    f"{prefix}{bad}",
                    "code-bearing keys are refused: config is data (Hydra instantiate on untrusted config runs code)",
                )
        hints = get_type_hints(cls)
        names = {f.name for f in dataclasses.fields(cls)}
        for k in data:
            if k not in names and k not in _CODE_KEYS:
                self.fail(f"{prefix}{k}", f"unknown key; {cls.__name__} has: {', '.join(sorted(names))}")
        kwargs = {}
        for f in dataclasses.fields(cls):
            k = f"{prefix}{f.name}"
            if f.name not in data:
                if f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING:
                    self.fail(k, f"missing; required ({_range_text(dict(f.metadata))})")
                continue
            kwargs[f.name] = self.value(hints[f.name], data[f.name], k, dict(f.metadata))
        try:
            obj = cls(**kwargs)
        except TypeError:
            return None
        check = getattr(obj, "check", None)
        if callable(check) and not self.problems:
            for sub_key, message in check():
                self.fail(f"{prefix}{sub_key}", message)
        return obj


def build(cls: type, data: Any, *, where: str, key: str = "") -> Any:
    """Validate ``data`` against schema ``cls`` and return the typed object.

    Raises ConfigError listing every problem found (not just the first).
    A schema may define ``check() -> list[(key, message)]`` for cross-field rules.
    """
    b = _Builder(where)
    obj = b.dataclass(cls, data, key)
    if b.problems:
        raise ConfigError(b.problems)
    return obj


def schema_doc(cls: type, prefix: str = "") -> list[tuple[str, str, str, str]]:
    """(key, unit, range, doc) rows for a schema: used by ``docs/config.md``."""
    rows = []
    hints = get_type_hints(cls)
    for f in dataclasses.fields(cls):
        tp = hints[f.name]
        if dataclasses.is_dataclass(tp):
            rows.extend(schema_doc(tp, f"{prefix}{f.name}."))
            continue
        m = dict(f.metadata)
        rows.append((f"{prefix}{f.name}", m.get("unit", ""), _range_text(m) if m else "", m.get("doc", "")))
    return rows


__all__ = ["ConfigError", "Problem", "build", "q", "schema_doc"]
