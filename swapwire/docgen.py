"""The field tables of ``docs/protocol.md``, generated from the typed messages.

One place per fact: a body's fields, their types, units and meanings are
declared once, in the dataclasses of ``swapwire`` (``wfield``); the document's
tables are generated from them between markers::

    <!-- generated: swapwire.messages.Hello -->
    ...
    <!-- end generated -->

``python -m swapwire.docgen docs/protocol.md`` rewrites the tables in place;
``--check`` exits 1 if any is stale (a test runs it). The error codes' table
is generated from ``swapwire.errors.Code`` and its comments the same way
(``<!-- generated: codes -->``), and a station's sensors from its vocabulary
(``<!-- generated: swapwire.vocab.under_chassis.SENSORS -->``).
"""

from __future__ import annotations

import argparse
import dataclasses
import importlib
import inspect
import re
import sys
import types
from pathlib import Path
from typing import Any, Literal, Union, get_args, get_origin, get_type_hints

from swapwire.errors import Code
from swapwire.sensors import Sensor
from swapwire.typed import wire_name

_BLOCK = re.compile(r"(<!-- generated: (?P<what>[\w.]+) -->\n)(?P<body>.*?)(<!-- end generated -->)", re.DOTALL)


def type_name(tp: Any) -> str:  # noqa: C901  (one branch per supported type, as swapwire.typed)
    """A field's type in the document's words."""
    origin = get_origin(tp)
    if tp is Any:
        return "any"
    if tp is bool:
        return "bool"
    if tp is int:
        return "int"
    if tp is float:
        return "float"
    if tp is str:
        return "string"
    if origin is Literal:
        return " or ".join(f'`"{v}"`' if isinstance(v, str) else f"`{v}`" for v in get_args(tp))
    if origin in (Union, types.UnionType):
        args = [a for a in get_args(tp) if a is not type(None)]
        return f"{type_name(args[0])} or null"
    if origin in (list, tuple):
        return f"list of {type_name(get_args(tp)[0])}"
    if origin is dict:
        return f"map string → {type_name(get_args(tp)[1])}"
    if isinstance(tp, type) and dataclasses.is_dataclass(tp):
        return f"map (`{tp.__name__}`)"
    return str(tp)


def field_table(cls: type) -> str:
    """A markdown table of a typed body: key, type, unit, required, meaning."""
    hints = get_type_hints(cls)
    rows = ["| key | type | unit | required | meaning |", "|---|---|---|---|---|"]
    for f in dataclasses.fields(cls):
        meta = f.metadata
        if meta.get("flatten"):
            rows.append(f"| *(more keys)* | {type_name(hints[f.name])} | | | {meta.get('doc', '')} |")
            continue
        required = f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING
        if required:
            req = "yes"
        elif f.default_factory is not dataclasses.MISSING:
            req = "no (empty)"
        else:
            req = f"no (`{_shown_default(f.default)}`)"
        unit, doc = meta.get("unit", ""), meta.get("doc", "")
        rows.append(f"| `{wire_name(f)}` | {type_name(hints[f.name])} | {unit} | {req} | {doc} |")
    return "\n".join(rows) + "\n"


def _shown_default(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return f'"{value}"'
    return str(value)


def codes_table() -> str:
    """The error codes with the comment each carries in ``swapwire/errors.py``."""
    source = inspect.getsource(Code)
    comments = dict(re.findall(r'^\s+\w+ = "(\w+)"(?:\s+#\s*(.*))?$', source, re.MULTILINE))
    rows = ["| code | meaning |", "|---|---|"]
    rows += [f"| `{c.value}` | {comments.get(c.value, '')} |" for c in Code]
    return "\n".join(rows) + "\n"


def sensors_table(sensors: tuple[Sensor, ...]) -> str:
    """A station's sensors as its vocabulary declares them, in frame order."""
    rows = ["| sensor | kind | unit | channels | meaning |", "|---|---|---|---|---|"]
    for sensor in sensors:
        info = sensor.info
        rows.append(f"| `{sensor.name}` | {info.kind} | {info.unit} | {info.channels} | {info.meaning} |")
    return "\n".join(rows) + "\n"


def generate(what: str) -> str:
    """The table a marker names: ``codes``, a typed body's class, or a tuple of ``Sensor``."""
    if what == "codes":
        return codes_table()
    module, _, name = what.rpartition(".")
    thing = getattr(importlib.import_module(module), name)
    if isinstance(thing, tuple) and all(isinstance(x, Sensor) for x in thing):
        return sensors_table(thing)
    return field_table(thing)


def render(text: str) -> str:
    """The document with every generated block regenerated."""
    return _BLOCK.sub(lambda m: m.group(1) + generate(m.group("what")) + m.group(4), text)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m swapwire.docgen", description=__doc__.splitlines()[0])
    ap.add_argument("doc", type=Path)
    ap.add_argument("--check", action="store_true", help="exit 1 if a generated table is stale")
    args = ap.parse_args(argv)
    text = args.doc.read_text(encoding="utf-8")
    new = render(text)
    if args.check:
        if new != text:
            print(f"{args.doc}: generated tables are stale; run python -m swapwire.docgen {args.doc}")
            return 1
        return 0
    if new != text:
        tmp = args.doc.with_suffix(".tmp")
        tmp.write_text(new, encoding="utf-8")
        tmp.replace(args.doc)
    return 0


if __name__ == "__main__":
    sys.exit(main())
