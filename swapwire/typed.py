"""Typed message bodies: dataclasses that check themselves once, at the edge.

A message body is declared as a frozen dataclass whose fields carry their
meaning and unit (``wfield``). ``from_wire(cls, body)`` checks a received map
against the declaration and returns the typed object, or raises ``WireError``
naming the key, never the whole offending value; ``to_wire(obj)`` gives the
map to send. Unknown keys are ignored (a newer minor version may add them).
The same declarations generate the field tables of ``docs/protocol.md``
(``swapwire.docgen``).

Supported field types: ``bool``, ``int``, ``float`` (an int is accepted; NaN and
infinities are not), ``str``, ``Literal[...]``, ``X | None``, ``list[X]``,
``tuple[X, ...]``, ``dict[str, X]``, nested dataclasses and ``Any`` (a free-form
value, bounded by ``check_plain``). A field with ``flatten=True`` is a
``dict[str, Any]`` whose items sit in the parent map itself (a rig family's own
sections of the station description).

Decoders are compiled once per type, so a typed frame costs a few
microseconds per period.
"""

from __future__ import annotations

import dataclasses
import math
import types
from collections.abc import Callable
from typing import Any, Literal, Union, get_args, get_origin, get_type_hints

from swapwire.codec import MAX_STRING_BYTES, check_plain, is_int
from swapwire.errors import Code, WireError, shown

Decoder = Callable[[Any, str], Any]


def wfield(
    default: Any = dataclasses.MISSING,
    *,
    doc: str = "",
    unit: str = "",
    name: str | None = None,
    factory: Any = None,
    flatten: bool = False,
    omit_none: bool = False,
) -> Any:
    """A body field: its meaning, its unit, its name on the wire (if not the
    attribute's), and whether it is left out of the map when None."""
    meta = {"doc": doc, "unit": unit, "name": name, "flatten": flatten, "omit_none": omit_none}
    if factory is not None:
        return dataclasses.field(default_factory=factory, metadata=meta)
    return dataclasses.field(default=default, metadata=meta)


def wire_name(f: dataclasses.Field) -> str:
    return f.metadata.get("name") or f.name


_DECODERS: dict[Any, Decoder] = {}


def decoder(tp: Any, code: Code = Code.MALFORMED) -> Decoder:
    key = (tp, code)
    if key not in _DECODERS:
        _DECODERS[key] = _build(tp, code)
    return _DECODERS[key]


def from_wire(cls: type, data: Any, *, where: str, code: Code = Code.MALFORMED) -> Any:
    """Check ``data`` against dataclass ``cls``; the typed object or WireError."""
    return decoder(cls, code)(data, where)


def _build(tp: Any, code: Code) -> Decoder:  # noqa: C901  (one branch per supported type)
    origin = get_origin(tp)

    def fail(path: str, what: str, value: Any) -> WireError:
        return WireError(f"{path} must be {what}, got {shown(value)}", code=code)

    if isinstance(tp, type) and dataclasses.is_dataclass(tp):
        return _dataclass_decoder(tp, code)
    if tp is Any:

        def any_value(v: Any, path: str) -> Any:
            check_plain(v, where=path)
            return v

        return any_value
    if tp is bool:

        def boolean(v: Any, path: str) -> bool:
            if not isinstance(v, bool):
                raise fail(path, "true or false", v)
            return v

        return boolean
    if tp is int:

        def integer(v: Any, path: str) -> int:
            if not is_int(v):
                raise fail(path, "an integer", v)
            return v

        return integer
    if tp is float:

        def number(v: Any, path: str) -> float:
            if isinstance(v, bool) or not isinstance(v, int | float) or not math.isfinite(v):
                raise fail(path, "a finite number", v)
            return float(v)

        return number
    if tp is str:

        def string(v: Any, path: str) -> str:
            if not isinstance(v, str) or len(v) > MAX_STRING_BYTES:
                raise fail(path, "a string", v)
            return v

        return string
    if origin is Literal:
        choices = get_args(tp)
        allowed = frozenset(choices)

        def literal(v: Any, path: str) -> Any:
            # Only hashable scalars may be looked up: a list or a map is simply wrong.
            if not isinstance(v, str | int | float | bool) or v not in allowed:
                raise fail(path, f"one of {', '.join(map(repr, choices))}", v)
            return v

        return literal
    if origin in (Union, types.UnionType):
        args = [a for a in get_args(tp) if a is not type(None)]
        inner = decoder(args[0], code)

        def optional(v: Any, path: str) -> Any:
            return None if v is None else inner(v, path)

        return optional
    if origin in (list, tuple):
        item = decoder(get_args(tp)[0], code)
        as_tuple = origin is tuple

        def sequence(v: Any, path: str) -> Any:
            if not isinstance(v, list):
                raise fail(path, "a list", v)
            items = [item(x, f"{path}[{i}]") for i, x in enumerate(v)]
            return tuple(items) if as_tuple else items

        return sequence
    if origin is dict:
        _, value_tp = get_args(tp)
        item = decoder(value_tp, code)

        def mapping(v: Any, path: str) -> dict:
            if not isinstance(v, dict):
                raise fail(path, "a map", v)
            return {k: item(x, f"{path}.{k}") for k, x in v.items()}

        return mapping
    raise TypeError(f"wire type {tp!r} is not supported")


def _dataclass_decoder(cls: type, code: Code) -> Decoder:
    hints = get_type_hints(cls)
    fields = dataclasses.fields(cls)
    plan = []
    flat: str | None = None
    for f in fields:
        if f.metadata.get("flatten"):
            flat = f.name
            continue
        required = f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING
        plan.append((f.name, wire_name(f), decoder(hints[f.name], code), required))
    known = {w for _, w, _, _ in plan}

    def decode(v: Any, path: str) -> Any:
        if not isinstance(v, dict):
            raise WireError(f"{path} must be a map, got {shown(v)}", code=code)
        kwargs = {}
        for attr, key, dec, required in plan:
            if key in v:
                kwargs[attr] = dec(v[key], f"{path}.{key}")
            elif required:
                raise WireError(f"{path}.{key} is missing", code=code)
        if flat is not None:
            extra = {k: x for k, x in v.items() if k not in known}
            check_plain(extra, where=path)
            kwargs[flat] = extra
        return cls(**kwargs)

    return decode


def to_wire(obj: Any) -> Any:
    """The plain map (or value) to send for a typed object."""
    if dataclasses.is_dataclass(obj) and not isinstance(obj, type):
        out: dict[str, Any] = {}
        for f in dataclasses.fields(obj):
            value = getattr(obj, f.name)
            if f.metadata.get("flatten"):
                out.update({k: to_wire(x) for k, x in value.items()})
            elif value is None and f.metadata.get("omit_none"):
                continue
            else:
                out[wire_name(f)] = to_wire(value)
        return out
    if isinstance(obj, dict):
        return {k: to_wire(v) for k, v in obj.items()}
    if isinstance(obj, list | tuple):
        return [to_wire(v) for v in obj]
    return obj
