"""One registry per extension point: a rig family's or a lock type's name is
written only in its own package, so adding one is a package and a registry
line (docs/architecture.md, "to add X").

A string literal naming a registered rig family or lock type anywhere else
in the product's code fails here, with the file and line."""

from __future__ import annotations

import io
import tokenize
from pathlib import Path

from twin.locks import LOCK_TYPES
from twin.rigs import FAMILIES
from twin.schema.pack import ACCESS_DIRECTIONS, PACK_SCHEMAS

ROOT = Path(__file__).resolve().parents[1]
PRODUCT = ("swapwire", "controllers", "twin", "swaptwin", "gateways")


def _literals(path: Path):
    src = path.read_text(encoding="utf-8")
    for tok in tokenize.generate_tokens(io.StringIO(src).readline):
        if tok.type == tokenize.STRING:
            text = tok.string.lstrip("rbuRBUfF")
            yield tok.start[0], text.strip("'\"")


def _own(rel: str, name: str, kind: str) -> bool:
    if kind == "family":
        return rel.startswith(f"twin/rigs/{name}/") or rel in (
            f"swapwire/vocab/{name}.py",
            f"controllers/sequences/{name}.py",
        )
    return rel == f"twin/locks/{name}.py"


def _offenders(names: dict[str, str], root: Path = ROOT) -> list[str]:
    out = []
    for pkg in PRODUCT:
        for path in sorted((root / pkg).rglob("*.py")):
            rel = path.relative_to(root).as_posix()
            for line, text in _literals(path):
                kind = names.get(text)
                if kind is not None and not _own(rel, text, kind):
                    out.append(f"{rel}:{line}: {kind} {text!r}")
    return out


def test_rig_families_and_lock_types_are_named_only_in_their_own_packages():
    # A family named like a pack form or an access direction ("side") shares that word with the
    # pack schema, where it means the pack's form: such a name cannot be told apart by its string.
    shared_words = set(PACK_SCHEMAS) | set(ACCESS_DIRECTIONS)
    families = {n: "family" for n in FAMILIES if n not in shared_words}
    names = {**families, **{n: "lock type" for n in LOCK_TYPES}}
    assert {"under_chassis", "overhead"} <= set(families) and len(LOCK_TYPES) >= 5, names
    assert _offenders(names) == []


def test_the_check_finds_a_family_named_outside_its_package(tmp_path):
    for rel in ("swaptwin/commands/probe.py", "twin/rigs/under_chassis/probe.py"):
        (tmp_path / rel).parent.mkdir(parents=True)
        (tmp_path / rel).write_text('RIG = "under_chassis"\n', encoding="utf-8")
    # Its own package may name it; a command may not.
    assert _offenders({"under_chassis": "family"}, tmp_path) == ["swaptwin/commands/probe.py:1: family 'under_chassis'"]
