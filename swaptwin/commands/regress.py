"""``swaptwin regress``: regression swaps against golden KPIs, for CI.

The suite (``ci/regression.yaml``) names scenarios: Hydra overrides on the
default swap. Each runs as a real swap (plant and controller processes over
ZeroMQ, lockstep) and its ``result.json`` is reduced to flat KPIs
(``kpis()``): the verdict and final outcome, cycle time and phase durations,
alignment at every mating, docking and first contact, holding forces, peak
connector and contact forces, hazards, faults and when the swap ended.

Each scenario's baseline (``ci/baselines/<scenario>.json``) holds its KPIs,
the overrides it was made with, and the *versions* (``swaptwin.versions``):
the URDF assets, the models' data and ``twin.MODEL_VERSION``. A baseline made
with other versions is not compared: the scenario is reported as "baseline
missing for this version", and says what changed.

Tolerances (``ci/tolerances.yaml``): the first rule whose pattern matches a
KPI key decides. Numbers pass within ``abs_tol + rel_tol * |baseline|``;
``worse`` names the direction that is a regression (``higher``, ``lower``,
``farther`` from zero, or ``both``): a change the other way beyond the
tolerance is reported as *improved* and does not fail. ``exact`` KPIs
(outcomes, hazard kinds, phase order) must be equal. A KPI that appears or
disappears fails: the swap behaves differently.

Outputs in the run directory: ``junit.xml`` (one test case per scenario and
KPI group), ``regress.txt`` and ``regress.html`` (the diff table: baseline,
now, tolerance, verdict), ``regress.json``, and ``runs/<scenario>/``.

``--bless "reason"`` rewrites the baselines that differ (or are missing) and
appends who, when, why and what changed to ``ci/baselines/HISTORY.jsonl``.
"""

from __future__ import annotations

import datetime as dt
import fnmatch
import getpass
import json
import math
import os
import socket
import subprocess
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from hydra.errors import HydraException
from omegaconf import OmegaConf
from omegaconf.errors import OmegaConfBaseException

from swaptwin.reports import html
from swaptwin.reports.junit import Case
from swaptwin.reports.junit import junit_xml as write_junit
from swaptwin.results.atomic import write_json_atomic, write_text_atomic
from swaptwin.batch.runner import Job, run_batch
from swaptwin.config import CONFIG_DIR, load
from swaptwin.results.versions import differences
from twin.schema import ConfigError

REPO = CONFIG_DIR.parent
SUITE = REPO / "ci" / "regression.yaml"
BASELINES = REPO / "ci" / "baselines"
TOLERANCES = REPO / "ci" / "tolerances.yaml"
HISTORY = "HISTORY.jsonl"
GROUPS = ("verdict", "cycle", "alignment", "holding", "forces", "safety")
_WORSE = ("higher", "lower", "farther", "both")


class SuiteError(ValueError):
    """A malformed suite or tolerance file: names the file and the entry."""


# -- KPIs -------------------------------------------------------------------------------------
def kpis(result: dict) -> dict[str, Any]:
    """A result.json reduced to flat, comparable KPIs (``group.name...`` -> value)."""
    out: dict[str, Any] = {}
    ctrl, verdict = result.get("controller") or {}, result.get("verdict") or {}
    out["verdict.status"] = verdict.get("status")
    out["verdict.outcome"] = ctrl.get("outcome")
    out["verdict.final_phase"] = ctrl.get("phase")
    out["verdict.detected_by"] = ctrl.get("detected_by")
    out["verdict.phase_sequence"] = [p["name"] for p in result.get("phases", [])]
    out["cycle.cycle_time_s"] = result.get("cycle_time_s")
    for p in result.get("phases", []):
        key = f"cycle.phase.{p['name']}_s"
        out[key] = round(out.get(key, 0.0) + p["duration_s"], 6)
    seen: dict[str, int] = {}
    for a in result.get("alignment", []):
        base = f"alignment.{a['mating']}.{a['pack']}"
        n = seen[base] = seen.get(base, 0) + 1
        name = base if n == 1 else f"{base}.{n}"
        for k in ("x_mm", "y_mm", "yaw_deg"):
            out[f"{name}.{k}"] = a.get(k)
    for lk in result.get("locks", []):
        out[f"holding.lock_{lk['id']}_n"] = lk.get("holding_force_n")
        out[f"holding.lock_{lk['id']}_engaged"] = lk.get("engaged")
    out["forces.connector_peak_n"] = (result.get("connector") or {}).get("peak_force_n")
    for kind, f in ((result.get("contacts") or {}).get("peak_n") or {}).items():
        out[f"forces.contact_peak_n.{kind}"] = f
    hazards = result.get("hazards", [])
    out["safety.hazards"] = [h["kind"] for h in hazards]
    for i, h in enumerate(hazards):
        out[f"safety.hazard.{i}.{h['kind']}_t_s"] = h["t_s"]
    out["safety.faults"] = [f["name"] for f in result.get("faults", [])]
    out["safety.end_t_s"] = result.get("sim_time_s")
    return out


# -- tolerances -------------------------------------------------------------------------------
@dataclass(frozen=True)
class Rule:
    match: str
    exact: bool = False
    abs_tol: float = 0.0
    rel_tol: float = 0.0
    worse: str = "both"

    def limit(self, baseline: float) -> float:
        return self.abs_tol + self.rel_tol * abs(baseline)

    def text(self) -> str:
        if self.exact:
            return "exact"
        parts = [f"+-{self.abs_tol:g}" if self.abs_tol else "", f"+-{self.rel_tol:.0%}" if self.rel_tol else ""]
        return " ".join(p for p in parts if p) + ("" if self.worse == "both" else f" ({self.worse} is worse)")


def load_rules(path: Path = TOLERANCES) -> list[Rule]:
    data = OmegaConf.to_container(OmegaConf.load(path), resolve=True)
    rules = []
    for i, entry in enumerate((data or {}).get("rules") or []):
        where = f"{path}: rules[{i}]"
        if not isinstance(entry, dict) or not isinstance(entry.get("match"), str):
            raise SuiteError(f"{where}: each rule needs a 'match' pattern")
        unknown = set(entry) - {f.name for f in Rule.__dataclass_fields__.values()}
        if unknown:
            raise SuiteError(f"{where}: unknown keys {sorted(unknown)}; allowed: match, exact, abs_tol, rel_tol, worse")
        rule = Rule(**entry)
        if rule.worse not in _WORSE:
            raise SuiteError(f"{where}.worse: {rule.worse!r} is not one of {', '.join(_WORSE)}")
        if rule.abs_tol < 0 or rule.rel_tol < 0:
            raise SuiteError(f"{where}: abs_tol and rel_tol must be >= 0")
        rules.append(rule)
    if not rules:
        raise SuiteError(f"{path}: no rules")
    return rules


def rule_for(key: str, rules: list[Rule]) -> Rule:
    return next((r for r in rules if fnmatch.fnmatchcase(key, r.match)), Rule(match="*", exact=True))


# -- comparison -------------------------------------------------------------------------------
@dataclass
class Row:
    scenario: str
    key: str
    baseline: Any
    now: Any
    tolerance: str
    verdict: str  # same, within, improved, REGRESSED, CHANGED, NEW, GONE

    @property
    def failed(self) -> bool:
        return self.verdict in ("REGRESSED", "CHANGED", "NEW", "GONE")

    @property
    def group(self) -> str:
        return self.key.split(".", 1)[0]


def _is_number(x) -> bool:
    return isinstance(x, (int, float)) and not isinstance(x, bool) and math.isfinite(x)


def compare_value(key: str, base: Any, now: Any, rule: Rule) -> str:
    if base == now:
        return "same"
    if rule.exact or not (_is_number(base) and _is_number(now)):
        return "CHANGED"
    # "farther" judges the distance from zero: an offset that changes sign at
    # the same size is no less precise.
    delta = abs(now) - abs(base) if rule.worse == "farther" else now - base
    if abs(delta) <= rule.limit(base):
        return "within"
    worse = {"higher": delta > 0, "lower": delta < 0, "farther": delta > 0, "both": True}[rule.worse]
    return "REGRESSED" if worse else "improved"


def compare(scenario: str, baseline: dict[str, Any], now: dict[str, Any], rules: list[Rule]) -> list[Row]:
    rows = []
    for key in sorted(set(baseline) | set(now)):
        rule = rule_for(key, rules)
        if key not in now:
            rows.append(Row(scenario, key, baseline[key], None, rule.text(), "GONE"))
        elif key not in baseline:
            rows.append(Row(scenario, key, None, now[key], rule.text(), "NEW"))
        else:
            rows.append(
                Row(
                    scenario,
                    key,
                    baseline[key],
                    now[key],
                    rule.text(),
                    compare_value(key, baseline[key], now[key], rule),
                )
            )
    return rows


# -- suite --------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Scenario:
    name: str
    overrides: tuple[str, ...]
    doc: str = ""


def load_suite(path: Path = SUITE) -> list[Scenario]:
    data = OmegaConf.to_container(OmegaConf.load(path), resolve=True) or {}
    out, names = [], set()
    for i, entry in enumerate(data.get("scenarios") or []):
        where = f"{path}: scenarios[{i}]"
        if not isinstance(entry, dict) or not isinstance(entry.get("name"), str) or not entry["name"]:
            raise SuiteError(f"{where}: each scenario needs a name")
        name = entry["name"]
        if not all(c.isalnum() or c in "_-" for c in name):
            raise SuiteError(f"{where}.name: {name!r} may hold only letters, digits, '_' and '-' (it names a file)")
        if name in names:
            raise SuiteError(f"{where}.name: {name!r} appears twice")
        overrides = entry.get("overrides") or []
        if not isinstance(overrides, list) or not all(isinstance(o, str) for o in overrides):
            raise SuiteError(f"{where}.overrides: a list of Hydra overrides (strings)")
        names.add(name)
        out.append(Scenario(name, tuple(overrides), str(entry.get("doc", ""))))
    if not out:
        raise SuiteError(f"{path}: no scenarios")
    return out


# -- the run ------------------------------------------------------------------------------------
@dataclass
class ScenarioReport:
    name: str
    status: str  # pass, fail, missing (no baseline for these versions), error (no result)
    message: str = ""
    rows: list[Row] = field(default_factory=list)
    versions: dict = field(default_factory=dict)
    kpis: dict = field(default_factory=dict)
    overrides: list[str] = field(default_factory=list)  # the scenario's, as in the suite
    extra: list[str] = field(default_factory=list)  # the run's own, on top
    pack: dict = field(default_factory=dict)  # the pack file the run read, and its digest
    artifacts: dict | None = None  # a failing verdict's recording, report and picture (swaptwin.reports.runs)


def _baseline_path(baselines: Path, name: str) -> Path:
    return baselines / f"{name}.json"


def judge(sc: Scenario, result: dict | None, baselines: Path, rules: list[Rule], extra: list[str]) -> ScenarioReport:
    overrides = list(sc.overrides)
    if result is None or "versions" not in result:
        reason = "; ".join((result or {}).get("verdict", {}).get("reasons", [])) or "the plant wrote no result"
        return ScenarioReport(sc.name, "error", f"no result to compare: {reason}", overrides=overrides, extra=extra)
    now, versions = kpis(result), result["versions"]
    rep = ScenarioReport(sc.name, "pass", versions=versions, kpis=now, overrides=overrides, extra=extra)
    path = _baseline_path(baselines, sc.name)
    if not path.exists():
        rep.status, rep.message = "missing", f"no baseline yet ({path.name})"
        return rep
    base = json.loads(path.read_text())
    rep.rows = compare(sc.name, base["kpis"], now, rules)
    # Against another scenario or other versions the rows only inform (and a
    # bless records them): they are not a verdict.
    if base.get("overrides") != overrides:
        rep.status, rep.message = (
            "missing",
            f"baseline made with other overrides {base.get('overrides')}; the suite now says {list(sc.overrides)}",
        )
        return rep
    if base.get("versions", {}).get("key") != versions["key"]:
        what = "; ".join(differences(base.get("versions", {}), versions)) or "version key differs"
        rep.status, rep.message = "missing", f"baseline missing for this version ({what})"
        return rep
    failed = [r for r in rep.rows if r.failed]
    if failed:
        rep.status = "fail"
        rep.message = (
            f"{len(failed)} KPI(s) out of tolerance: "
            + ", ".join(r.key for r in failed[:6])
            + (" ..." if len(failed) > 6 else "")
        )
    else:
        improved = sum(r.verdict == "improved" for r in rep.rows)
        rep.message = f"{len(rep.rows)} KPIs within tolerance" + (
            f" ({improved} improved: bless to keep them)" if improved else ""
        )
    if extra:
        rep.message += f" [with extra overrides {extra}]"
    return rep


def run_regression(
    out_dir: Path,
    *,
    suite: Path = SUITE,
    baselines: Path = BASELINES,
    tolerances: Path = TOLERANCES,
    only: list[str] | None = None,
    extra: list[str] | None = None,
    n_jobs: int | None = None,
) -> list[ScenarioReport]:
    scenarios = load_suite(suite)
    rules = load_rules(tolerances)
    if only:
        unknown = sorted(set(only) - {s.name for s in scenarios})
        if unknown:
            raise SuiteError(
                f"{suite}: no scenario named {', '.join(unknown)}; the suite has {', '.join(s.name for s in scenarios)}"
            )
        scenarios = [s for s in scenarios if s.name in only]
    extra = list(extra or [])
    for s in scenarios:
        try:
            load([*s.overrides, *extra])  # every scenario's config is valid before any swap runs
        except (ConfigError, HydraException, OmegaConfBaseException) as exc:
            raise SuiteError(f"{suite}: scenario {s.name}: {exc}") from None
    from swaptwin.reports.runs import artifacts

    jobs = [Job(s.name, (*s.overrides, *extra)) for s in scenarios]
    results = run_batch(jobs, out_dir, base_overrides=[], n_jobs=n_jobs, label="regress")
    reports = []
    for s in scenarios:
        rep, result = judge(s, results.get(s.name), baselines, rules, extra), results.get(s.name) or {}
        rep.pack = (result.get("config") or {}).get("pack_file") or {}
        if result.get("verdict", {}).get("status") == "fail":
            rep.artifacts = artifacts(result, out_dir / "runs" / s.name, out_dir)
        reports.append(rep)
    write_outputs(out_dir, reports)
    return reports


# -- bless --------------------------------------------------------------------------------------
def _who() -> str:
    try:
        name = subprocess.run(
            ["git", "config", "user.name"], cwd=REPO, capture_output=True, text=True, timeout=5
        ).stdout.strip()
        email = subprocess.run(
            ["git", "config", "user.email"], cwd=REPO, capture_output=True, text=True, timeout=5
        ).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        name = email = ""
    if name:
        return f"{name} <{email}>" if email else name
    return f"{os.environ.get('USER') or getpass.getuser()}@{socket.gethostname()}"


def bless(
    reports: list[ScenarioReport], reason: str, *, baselines: Path = BASELINES, now: dt.datetime | None = None
) -> dict:
    """Write the baselines that differ or are missing; append the change to the history."""
    if not reason.strip():
        raise SuiteError("--bless needs a reason: what changed and why the new figures are right")
    errors = [r.name for r in reports if r.status == "error"]
    if errors:
        raise SuiteError(f"cannot bless: {', '.join(errors)} produced no result")
    if any(r.extra for r in reports):
        raise SuiteError("cannot bless a run with extra overrides: a baseline is the suite's scenario as written")
    stamp = (now or dt.datetime.now(dt.UTC)).isoformat(timespec="seconds")
    who = _who()
    changed = {}
    for r in reports:
        if r.status == "pass" and not any(row.verdict != "same" for row in r.rows):
            continue  # identical: nothing to bless
        change = {"replaces": r.message} if r.status == "missing" else {}
        diffs = {row.key: [row.baseline, row.now] for row in r.rows if row.verdict != "same"}
        if diffs or r.status != "missing":
            change["kpis"] = diffs
        write_json_atomic(
            _baseline_path(baselines, r.name),
            {
                "scenario": r.name,
                "overrides": r.overrides,
                "versions": r.versions,
                "kpis": r.kpis,
                "blessed": {"at": stamp, "by": who, "reason": reason},
            },
        )
        changed[r.name] = change
    entry = {"at": stamp, "by": who, "reason": reason, "scenarios": changed}
    if changed:
        history = baselines / HISTORY
        old = history.read_text() if history.exists() else ""
        write_text_atomic(history, old + json.dumps(entry, sort_keys=True) + "\n")
    return entry


# -- outputs --------------------------------------------------------------------------------------
def _fmt(v: Any) -> str:
    if isinstance(v, float):
        return f"{v:.6g}"
    if isinstance(v, list):
        return "[" + ", ".join(_fmt(x) for x in v) + "]"
    return "-" if v is None else str(v)


def table_rows(reports: list[ScenarioReport], *, all_rows: bool) -> list[Row]:
    return [row for r in reports for row in r.rows if all_rows or row.verdict not in ("same", "within")]


def text_table(reports: list[ScenarioReport], *, all_rows: bool = False) -> str:
    lines = []
    for r in reports:
        lines.append(f"{r.status.upper():8s} {r.name}: {r.message}")
    if any(r.status == "missing" for r in reports):
        lines.append(
            '(a missing baseline is made, after checking the run, with: swaptwin regress --bless "what changed and '
            'why")'
        )
    rows = table_rows(reports, all_rows=all_rows)
    if rows:
        head = ("scenario", "kpi", "baseline", "now", "tolerance", "verdict")
        body = [(row.scenario, row.key, _fmt(row.baseline), _fmt(row.now), row.tolerance, row.verdict) for row in rows]
        widths = [max(len(x[i]) for x in [head, *body]) for i in range(len(head))]
        lines.append("")
        lines += ["  ".join(c.ljust(w) for c, w in zip(line, widths)).rstrip() for line in [head, *body]]
    return "\n".join(lines) + "\n"


def junit_xml(reports: list[ScenarioReport]) -> str:
    cases = []
    for r in reports:
        if r.status in ("missing", "error"):
            cases.append(Case(classname=f"regress.{r.name}", name="baseline", failure=r.message))
            continue
        for group in GROUPS:
            bad = [row for row in r.rows if row.group == group and row.failed]
            text = "\n".join(
                f"{row.key}: baseline {_fmt(row.baseline)}, now {_fmt(row.now)}, tolerance {row.tolerance}: "
                f"{row.verdict}"
                for row in bad
            )
            failure = f"{len(bad)} {group} KPI(s) out of tolerance" if bad else None
            cases.append(Case(classname=f"regress.{r.name}", name=group, failure=failure, text=text))
    return write_junit("swaptwin regress", cases)


def render_html(reports: list[ScenarioReport], *, report_dir: Path | None = None) -> str:
    from swaptwin.reports.runs import links_cell, picture_cell

    summary = html.table(
        ("scenario", "status", "message", "pack file", "sha256"),
        [(r.name, r.status, r.message, r.pack.get("path"), r.pack.get("sha256")) for r in reports],
        classes=[("", "pass" if r.status == "pass" else "fail", "", "", "") for r in reports],
    )
    failing = [r for r in reports if r.artifacts is not None]
    runs = html.table(
        ("scenario", "at failure", "recording"),
        [(r.name, picture_cell(r.artifacts, report_dir), links_cell(r.artifacts)) for r in failing],
        table_id="failing",
    )
    bad = [r.name for r in reports if r.status != "pass"]
    head = html.banner(not bad, f"Regression: {'PASS' if not bad else 'FAIL'}", ", ".join(bad))
    rows = table_rows(reports, all_rows=True)
    cls = {
        "same": "",
        "within": "",
        "improved": "green",
        "REGRESSED": "red",
        "CHANGED": "red",
        "NEW": "red",
        "GONE": "red",
    }
    detail = html.table(
        ("scenario", "kpi", "baseline", "now", "tolerance", "verdict"),
        [(row.scenario, row.key, _fmt(row.baseline), _fmt(row.now), row.tolerance, row.verdict) for row in rows],
        classes=[("", "", "", "", "", cls[row.verdict]) for row in rows],
    )
    return html.page(
        "SwapTwin regression",
        [
            head,
            html.section("Scenarios", summary),
            html.section(
                f"Runs whose verdict failed ({len(failing)})",
                html.paragraph("Scenarios that inject faults fail their verdict by design; here is how.", "small"),
                runs,
            ),
            html.section("Every KPI", detail),
        ],
    )


def write_outputs(out_dir: Path, reports: list[ScenarioReport]) -> None:
    write_text_atomic(out_dir / "junit.xml", junit_xml(reports))
    write_text_atomic(out_dir / "regress.txt", text_table(reports, all_rows=True))
    write_text_atomic(out_dir / "regress.html", render_html(reports, report_dir=out_dir))
    data = [
        {**{k: v for k, v in asdict(r).items() if k != "rows"}, "rows": [asdict(x) for x in r.rows]} for r in reports
    ]
    write_json_atomic(out_dir / "regress.json", {"passed": all(r.status == "pass" for r in reports), "scenarios": data})


HELP = "regression suite of ci/ against its baselines: junit.xml, regress.html"


def parse_flags(argv: list[str]):
    """regress's own flags, taken off the command line before Hydra sees it."""
    import argparse

    ap = argparse.ArgumentParser(prog="swaptwin regress", add_help=False)
    ap.add_argument(
        "--bless", metavar="REASON", help="rewrite the baselines that differ, recording REASON in the history"
    )
    ap.add_argument("--only", metavar="A,B", help="run only these scenarios of the suite")
    ap.add_argument("--suite", type=Path, default=SUITE)
    ap.add_argument("--baselines", type=Path, default=BASELINES)
    ap.add_argument("--tolerances", type=Path, default=TOLERANCES)
    return ap.parse_known_args(argv)


def run(cfg, inv) -> int:
    import sys

    from swaptwin.commands import EXIT_CONFIG, EXIT_FAIL, EXIT_PASS, config_error

    try:
        inv.validate(cfg)
    except ConfigError as exc:
        return config_error(exc)
    f = inv.flags
    only = [x for x in (f.only or "").split(",") if x]
    try:
        reports = run_regression(
            inv.out,
            suite=f.suite,
            baselines=f.baselines,
            tolerances=f.tolerances,
            only=only,
            extra=inv.batch_overrides(),
            n_jobs=cfg.n_jobs,
        )
        print(text_table(reports), end="")
        if f.bless is not None:
            entry = bless(reports, f.bless, baselines=f.baselines)
            changed = entry["scenarios"]
            history = f.baselines / HISTORY
            print(f"blessed {len(changed)} baseline(s): {', '.join(changed) or 'none changed'} (history: {history})")
            return EXIT_PASS
    except SuiteError as exc:
        print(f"swaptwin: {exc}", file=sys.stderr)
        return EXIT_CONFIG
    except KeyboardInterrupt:
        print(
            "swaptwin: regress interrupted; run the same command with the same hydra.run.dir to resume", file=sys.stderr
        )
        raise
    print(f"report: {inv.out / 'regress.html'}, junit: {inv.out / 'junit.xml'}")
    return EXIT_PASS if all(r.status == "pass" for r in reports) else EXIT_FAIL
