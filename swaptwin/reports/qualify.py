"""The qualification report as a self-contained HTML page (inline SVG charts)."""

from __future__ import annotations

from pathlib import Path

from swaptwin.reports import html
from swaptwin.reports.plots import Series, bars, histogram, scatter
from swaptwin.reports.runs import links_cell, pack_line, picture_cell


def _fmt(v, unit="") -> str:
    if v is None:
        return "n/a"
    if isinstance(v, float):
        return f"{v:.4g}{(' ' + unit) if unit else ''}"
    return f"{v}{(' ' + unit) if unit else ''}"


def render_html(report: dict, *, report_dir: Path | None = None) -> str:
    """The page; ``report_dir``: where the report is written (failing runs' pictures are read from there)."""
    title = f"Qualification: {report['pack']} on {report['rig']} ({report.get('lock', '')})"
    verdict = "PASS" if report["passed"] else "FAIL"
    failed = [c["name"] for c in report["criteria"] if not c["passed"]]
    sections = [
        html.banner(report["passed"], f"Verdict: {verdict}", f"failed: {', '.join(failed)}" if failed else ""),
        html.paragraph(
            f"Runs: {report.get('n', 0)}, seed {report.get('seed')}, base overrides: "
            f"{' '.join(report.get('base_overrides', [])) or '(defaults)'}."
        ),
        html.paragraph(pack_line(report.get("pack_file")), "small"),
    ]
    pr = report.get("pass_rate")
    if pr:
        sections.append(
            html.paragraph(
                f"Pass rate {pr['passes']}/{pr['n']} = {pr['value']:.3f}, {pr['confidence']:.0%} {pr['method']} "
                f"interval [{pr['ci_low']:.3f}, {pr['ci_high']:.3f}]."
            )
        )
    crit = report["criteria"]
    sections.append(
        html.section(
            "Criteria",
            html.table(
                ["criterion", "what", "value", "limit", "margin", "result"],
                [
                    [
                        c["name"],
                        c["description"],
                        _fmt(c["value"], c["unit"]),
                        _fmt(c["limit"], c["unit"]),
                        _fmt(c["margin"], c["unit"]),
                        "pass" if c["passed"] else "FAIL",
                    ]
                    for c in crit
                ],
                classes=[["", "", "", "", "", "pass" if c["passed"] else "fail"] for c in crit],
                table_id="criteria",
            ),
        )
    )
    where = report.get("positions", [])
    if where:
        sections.append(
            html.section(
                "Pack positions",
                html.paragraph(
                    "The vehicle carries several packs; the rig swaps them one a swap, and the runs are spread over "
                    "the positions. Each position passes when every one of its runs passed.",
                    "small",
                ),
                html.table(
                    ["position", "runs", "passed", "worst alignment", "median cycle", "longest cycle", "result"],
                    [
                        [
                            b["position"],
                            b["runs"],
                            b["passes"],
                            _fmt(b["worst_alignment_mm"], "mm"),
                            _fmt(b["cycle_time_s"]["median"], "s"),
                            _fmt(b["cycle_time_s"]["max"], "s"),
                            "pass" if b["passed"] else "FAIL",
                        ]
                        for b in where
                    ],
                    classes=[["", "", "", "", "", "", "pass" if b["passed"] else "fail"] for b in where],
                    table_id="positions",
                ),
            )
        )
    runs = report.get("runs", [])
    if runs:
        sections.append(html.section("Figures", *_figures(report, runs)))
    failing = report.get("failing", [])
    sections.append(
        html.section(
            f"Failing runs ({len(failing)})",
            html.paragraph(
                "Each replays exactly with its command, or with swaptwin replay on its recording. The picture "
                "shows the moment it failed (its first hazard, the controller's stop, or the end).",
                "small",
            ),
            html.table(
                ["run", "seed", "reasons", "at failure", "recording", "replay"],
                [
                    [
                        r["id"],
                        r["seed"],
                        "; ".join(r["reasons"]),
                        picture_cell(r.get("artifacts"), report_dir),
                        links_cell(r.get("artifacts")),
                        r["replay"],
                    ]
                    for r in failing
                ],
                table_id="failing",
            ),
        )
    )
    if "precheck" in report:
        pc = report["precheck"]
        sections.append(
            html.section(
                "Static pre-check",
                html.table(
                    ["criterion", "result", "margin", "reason"],
                    [
                        [c["name"], "pass" if c["passed"] else "FAIL", _fmt(c["margin"], c["unit"]), c["reason"]]
                        for c in pc["criteria"]
                    ],
                    classes=[["", "pass" if c["passed"] else "fail", "", ""] for c in pc["criteria"]],
                ),
            )
        )
    return html.page(title, sections)


def _figures(report: dict, runs: list[dict]) -> list[str]:
    tol = report["interface_tolerance_mm"]
    mated = [r for r in runs if r["alignment"]]
    box = Series("tolerance", [-tol, tol, tol, -tol, -tol], [-tol, -tol, tol, tol, -tol], dashed=True, line=True)
    pts = Series("runs", [r["alignment"]["x_mm"] for r in mated], [r["alignment"]["y_mm"] for r in mated])
    out = [
        html.figure(
            scatter([pts, box], x_label="x at mating [mm]", y_label="y at mating [mm]", title="Alignment at mating"),
            f"Each run's pack-to-bay offset at mating; dashed: the +-{tol} mm tolerance box.",
        )
    ]
    cycles = [r["cycle_time_s"] for r in runs if r["cycle_time_s"] is not None]
    if cycles:
        out.append(
            html.figure(
                histogram(
                    cycles,
                    bins=15,
                    x_label="cycle time [s]",
                    title=f"Cycle time (limit {report['cycle_time_limit_s']:g} s)",
                    limit=report["cycle_time_limit_s"],
                ),
                "Cycle time of the completed runs; the red line is the vehicle class's limit.",
            )
        )
    durations: dict[str, list[float]] = {}
    for r in runs:
        for p in r["phases"]:
            durations.setdefault(p["name"], []).append(p["duration_s"])
    if durations:
        names = list(durations)
        out.append(
            html.figure(
                bars(names, [sum(v) / len(v) for v in durations.values()], y_label="mean duration [s]", title="Phases"),
                "Mean duration of each phase over the runs.",
            )
        )
    hold = next((c for c in report["criteria"] if c["name"] == "holding_force"), None)
    if hold and hold["detail"].get("min_per_lock_n"):
        labels = [f"lock {k}" for k in hold["detail"]["min_per_lock_n"]] + ["required"]
        values = list(hold["detail"]["min_per_lock_n"].values()) + [report["required_force_n"]]
        out.append(
            html.figure(
                bars(labels, values, y_label="force [N]", title="Holding force against the requirement"),
                "Each lock's lowest holding force over the runs, beside the required retention.",
            )
        )
    return out
