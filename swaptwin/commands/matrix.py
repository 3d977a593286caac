"""The compatibility matrix: every pack family × every rig × every lock type the
rig's station can operate (``swaptwin matrix``).

Each cell gets the static pre-check; a cell that passes it also gets a short
qualification (``matrix_runs`` Monte Carlo swaps). Colours:

* green: pre-check and qualification pass;
* amber: pre-check passes, but not every qualification run did (or a
  criterion failed): swappable with a known weakness, named in the cell;
* red: the pre-check fails (the simulation never ran), named by the deciding
  criterion.

Writes ``matrix.html`` and ``matrix.json``; each qualified cell keeps its own
``cells/<pack>__<rig>__<lock>/`` with the qualification report.
"""

from __future__ import annotations

from pathlib import Path

from swaptwin.reports import html
from swaptwin.results.atomic import write_json_atomic, write_text_atomic
from swaptwin.commands.check import precheck
from swaptwin.config import CONFIG_DIR, load


def catalog(folders: list[str] | tuple[str, ...] = ()) -> tuple[list[str], list[str]]:
    """The pack and rig options: configs/ and the user's own folders (``--config-dir``, ``hydra.searchpath``)."""
    where = [CONFIG_DIR, *(Path(f) for f in folders)]
    packs = sorted({p.stem for d in where for p in (d / "pack").glob("*.yaml")})
    rigs = sorted({p.stem for d in where for p in (d / "rig").glob("*.yaml")})
    return packs, rigs


def run_matrix(
    out_dir: Path, *, runs: int, n_jobs: int | None, base_overrides: list[str], folders: tuple[str, ...] = ()
) -> dict:
    from swaptwin.commands.qualify import run_qualification

    packs, rigs = catalog(folders)
    cells = []
    for rig in rigs:
        lock_types = load([*base_overrides, f"rig={rig}"]).plant.rig.lock_types
        for pack in packs:
            for lock in lock_types:
                overrides = [*base_overrides, f"rig={rig}", f"pack={pack}", f"lock={lock}"]
                cfg = load(overrides)
                pre = precheck(cfg.plant, cfg.controller)
                cell = {"pack": pack, "rig": rig, "lock": lock, "native_lock": cfg.plant.pack.locks.native_type == lock}
                if not pre.passed:
                    first = pre.failed[0]
                    margin = f" ({first.margin:+.3g} {first.unit})" if first.margin is not None else ""
                    cell.update(
                        colour="red",
                        deciding=first.name,
                        why=f"{first.reason}{margin}",
                        stage="static",
                        failed=[c.name for c in pre.failed],
                    )
                else:
                    cell_dir = out_dir / "cells" / f"{pack}__{rig}__{lock}"
                    report = run_qualification(cfg, cell_dir, base_overrides=overrides, n=runs, n_jobs=n_jobs)
                    failed = [c for c in report["criteria"] if not c["passed"]]
                    if not failed:
                        cell.update(colour="green", deciding="", why=f"{runs} of {runs} runs pass", stage="qualified")
                    else:
                        c = failed[0]
                        cell.update(
                            colour="amber",
                            deciding=c["name"],
                            why=c["description"],
                            stage="qualified",
                            failed=[x["name"] for x in failed],
                        )
                    cell["report"] = str((cell_dir / "report.html").relative_to(out_dir))
                cells.append(cell)
    result = {"runs_per_cell": runs, "base_overrides": base_overrides, "packs": packs, "rigs": rigs, "cells": cells}
    write_json_atomic(out_dir / "matrix.json", result)
    write_text_atomic(out_dir / "matrix.html", render_html(result))
    return result


def render_html(result: dict) -> str:
    sections = []
    for rig in result["rigs"]:
        rig_cells = [c for c in result["cells"] if c["rig"] == rig]
        locks = sorted({c["lock"] for c in rig_cells})
        rows, classes = [], []
        for pack in result["packs"]:
            row, cls = [pack], [""]
            for lock in locks:
                c = next(x for x in rig_cells if x["pack"] == pack and x["lock"] == lock)
                mark = " (native)" if c["native_lock"] else ""
                row.append(f"{c['colour']}{mark}: {c['deciding'] or 'all criteria'}")
                cls.append(c["colour"])
            rows.append(row)
            classes.append(cls)
        detail = html.table(
            ["pack", "lock", "colour", "deciding criterion", "why", "report"],
            [[c["pack"], c["lock"], c["colour"], c["deciding"], c["why"], c.get("report", "")] for c in rig_cells],
            classes=[["", "", c["colour"], "", "", ""] for c in rig_cells],
        )
        sections.append(
            html.section(
                f"Rig {rig}", html.table(["pack", *locks], rows, classes=classes, table_id=f"matrix-{rig}"), detail
            )
        )
    note = html.paragraph(
        f"Green: static pre-check and a {result['runs_per_cell']}-run qualification pass. Amber: the pre-check "
        f"passes but a "
        "qualification criterion fails (named). Red: the pre-check fails (named); the simulation never ran.",
        "small",
    )
    return html.page("Compatibility matrix: packs x rigs x lock types", [note, *sections])


HELP = "every pack x rig x lock type: matrix.html, matrix.json"


def parse_flags(argv: list[str]):
    return None, argv


def run(cfg, inv) -> int:
    import sys

    from swaptwin.commands import EXIT_PASS, config_error
    from twin.schema import ConfigError

    try:
        inv.validate(cfg)  # bad values (matrix_runs=0, a typo) exit 2 before any cell
    except ConfigError as exc:
        return config_error(exc)
    base = inv.batch_overrides(drop=("rig=", "pack=", "lock=", "matrix_runs="))
    try:
        result = run_matrix(
            inv.out, runs=cfg.matrix_runs, n_jobs=cfg.n_jobs, base_overrides=base, folders=tuple(inv.folders)
        )
    except KeyboardInterrupt:
        print(
            "swaptwin: matrix interrupted; run the same command with the same hydra.run.dir to resume", file=sys.stderr
        )
        raise
    counts = {c: sum(1 for x in result["cells"] if x["colour"] == c) for c in ("green", "amber", "red")}
    print(
        f"matrix: {len(result['cells'])} cells: {counts['green']} green, {counts['amber']} amber, {counts['red']} red"
    )
    print(f"report: {inv.out / 'matrix.html'}")
    return EXIT_PASS
