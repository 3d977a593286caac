"""``python -m bench mutation [MODULE ...] [--sample N] [--max-children N] [--out FILE]``

Mutation testing (mutmut 3, configured in pyproject.toml ``[tool.mutmut]``) of the wire
(swapwire codec, messages, frame), the safety supervisor, the hazard monitor and the verdict,
each mutant against the fast tests that call the mutated function (mutmut's per-function
selection; each run is ``pytest -x -q -p no:cacheprovider``). Prints per module: mutants,
killed, survived, timeouts, no tests, kill rate; ``--out`` writes the figures and the names of
the survivors as JSON. Not a CI gate.

Steps:

1. **Baseline.** The selected tests run once, unmutated; any that fail are deselected for the
   whole run (a mutation run needs a green baseline) and listed in the report.
2. **Mutants.** A fresh ``mutants/`` copy (git-ignored; the working tree is never mutated) is
   made and mutmut collects which test calls which function.
3. **Sample.** At most ``--sample`` mutants per module (0: all), evenly spaced over the
   module's mutants in mutmut's order: deterministic, so two runs of one tree test the same
   mutants.
4. **Run** them and count. Kill rate = (killed + timeouts) / (mutants that had a test).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shlex
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from swaptwin.results.atomic import write_json_atomic

REPO = Path(__file__).resolve().parents[1]
# module -> (its mutmut name prefix, the file); the tests are pyproject's [tool.mutmut] selection.
MODULES = {
    "codec": "swapwire.codec.",
    "messages": "swapwire.messages.",
    "frame": "swapwire.frame.",
    "supervisor": "controllers.supervisor.",
    "hazards": "twin.entities.hazards.",
    "verdict": "swaptwin.results.verdict.",
}
KILLED = {"killed", "timeout"}  # a mutant that makes the tests hang is caught too (by the timeout)

_BASELINE = """
import json, sys, pytest
class Failed:
    def __init__(self): self.ids = []
    def pytest_runtest_logreport(self, report):
        if report.failed and report.nodeid not in self.ids: self.ids.append(report.nodeid)
f = Failed()
code = pytest.main(["-q", "-p", "no:cacheprovider", *sys.argv[2:]], plugins=[f])
json.dump({"exit": int(code), "failed": f.ids}, open(sys.argv[1], "w"))
"""


def _selection() -> list[str]:
    import tomllib

    cfg = tomllib.loads((REPO / "pyproject.toml").read_text())["tool"]["mutmut"]
    return list(cfg["pytest_add_cli_args_test_selection"])


def baseline_failures(tests: list[str]) -> list[str]:
    """Node ids of the selected tests that fail before any mutation."""
    with tempfile.TemporaryDirectory() as d:
        out = Path(d) / "baseline.json"
        subprocess.run([sys.executable, "-c", _BASELINE, str(out), *tests], cwd=REPO, stdout=subprocess.DEVNULL)
        got = json.loads(out.read_text())
    if got["exit"] not in (0, 1):
        raise SystemExit(f"baseline test run could not run (pytest exit {got['exit']})")
    return list(got["failed"])


def _mutmut(args: list[str], env: dict[str, str], log) -> int:
    cmd = [sys.executable, "-m", "mutmut", *args]
    return subprocess.run(cmd, cwd=REPO, env=env, stdout=log, stderr=subprocess.STDOUT).returncode


def statuses(env: dict[str, str]) -> dict[str, str]:
    """mutant name -> mutmut's status (killed, survived, timeout, no tests, not checked, ...)."""
    out = subprocess.run(
        [sys.executable, "-m", "mutmut", "results", "--all", "true"],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    found = (re.match(r"\s+(\S+): (.+)$", line) for line in out.splitlines())
    return {m.group(1): m.group(2).strip() for m in found if m}


def module_of(name: str) -> str | None:
    return next((mod for mod, prefix in MODULES.items() if name.startswith(prefix)), None)


def sample(names: list[str], n: int) -> list[str]:
    """At most n of names, evenly spaced (first included); all of them when n is 0 or more."""
    if n <= 0 or len(names) <= n:
        return list(names)
    return [names[(i * len(names)) // n] for i in range(n)]


def tally(status: dict[str, str], chosen: dict[str, list[str]]) -> dict[str, dict]:
    figures = {}
    for mod, names in chosen.items():
        got = [status.get(name, "not checked") for name in names]
        tested = [s for s in got if s != "no tests"]
        killed = sum(s == "killed" for s in got)
        timeouts = sum(s == "timeout" for s in got)
        figures[mod] = {
            "file": MODULES[mod].rstrip(".").replace(".", "/") + ".py",
            "mutants_generated": len([n for n in status if module_of(n) == mod]),
            "mutants": len(got),
            "killed": killed,
            "survived": sum(s == "survived" for s in got),
            "timeouts": timeouts,
            "no_tests": len(got) - len(tested),
            "other": sum(s not in {"killed", "survived", "timeout", "no tests"} for s in got),
            "kill_rate": round((killed + timeouts) / len(tested), 3) if tested else None,
            "survivors": sorted(n for n, s in zip(names, got) if s == "survived"),
            "untested": sorted(n for n, s in zip(names, got) if s == "no tests"),
        }
    return figures


def _print(figures: dict[str, dict]) -> None:
    print(f"{'module':<11}{'mutants':>9}{'killed':>8}{'survived':>10}{'timeouts':>10}{'no tests':>10}{'kill rate':>11}")
    for mod, f in figures.items():
        rate = "-" if f["kill_rate"] is None else f"{100 * f['kill_rate']:.1f}%"
        print(
            f"{mod:<11}{f['mutants']:>9}{f['killed']:>8}{f['survived']:>10}{f['timeouts']:>10}{f['no_tests']:>10}"
            f"{rate:>11}"
        )


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m bench mutation", description=__doc__.split("\n\n")[1])
    ap.add_argument("modules", nargs="*", default=list(MODULES), help=f"of {', '.join(MODULES)} (default: all)")
    ap.add_argument("--sample", type=int, default=100, help="at most this many mutants per module; 0: all")
    ap.add_argument("--max-children", type=int, default=2, help="mutants tested at once")
    ap.add_argument("--out", help="write the figures and the survivors' names as JSON here")
    ap.add_argument("--log", help="mutmut's output (default: mutants/bench-mutation.log)")
    args = ap.parse_args(argv)
    unknown = [m for m in args.modules if m not in MODULES]
    if unknown:
        print(f"unknown module {unknown[0]!r}; modules: {', '.join(MODULES)}", file=sys.stderr)
        return 2
    started, cpu0 = time.time(), os.times()

    tests = _selection()
    print(f"baseline: {' '.join(tests)} ...", flush=True)
    failing = baseline_failures(tests)
    by_test: dict[str, int] = {}
    for nodeid in failing:
        by_test[nodeid.split("[")[0]] = by_test.get(nodeid.split("[")[0], 0) + 1
    for test, n in by_test.items():
        print(f"  excluded, fails unmutated: {test} ({n} case{'s' * (n > 1)})")
    env = dict(os.environ)
    env["PYTEST_ADDOPTS"] = " ".join(shlex.quote(f"--deselect={n}") for n in failing)

    shutil.rmtree(REPO / "mutants", ignore_errors=True)  # fresh: results of another tree must not count
    (REPO / "mutants").mkdir()
    args.log = args.log or str(REPO / "mutants" / "bench-mutation.log")
    with open(args.log, "w") as log:
        print("generating mutants and collecting which tests call which function ...", flush=True)
        # A name that matches no mutant: mutmut makes the mutants and the stats (which test calls which
        # function), then stops on "nothing matches" before running any; the sample is drawn from those.
        _mutmut(["run", "--max-children", str(args.max_children), "no.such.mutant"], env, log)
        everything = list(statuses(env))
        if not everything or not (REPO / "mutants" / "mutmut-stats.json").exists():
            print(f"mutmut made no mutants or no stats; see {args.log}", file=sys.stderr)
            return 1
        chosen = {m: sample([n for n in everything if module_of(n) == m], args.sample) for m in args.modules}
        names = [n for mod in chosen.values() for n in mod]
        print(f"running {len(names)} mutants of {len(everything)} ...", flush=True)
        if _mutmut(["run", "--max-children", str(args.max_children), *names], env, log) != 0:
            print(f"mutmut failed; see {args.log}", file=sys.stderr)
            return 1
    figures = tally(statuses(env), chosen)
    cpu1 = os.times()
    report = {
        "date": time.strftime("%Y-%m-%d %H:%M"),
        "tool": f"mutmut {_version()}",
        "tests": tests,
        "excluded_failing_unmutated": failing,
        "sample_per_module": args.sample,
        "wall_s": round(time.time() - started, 1),
        "cpu_s": round(cpu1.children_user + cpu1.children_system - cpu0.children_user - cpu0.children_system, 1),
        "modules": figures,
    }
    _print(figures)
    print(f"{len(failing)} failing test(s) excluded | wall {report['wall_s']:.0f} s | CPU {report['cpu_s']:.0f} s")
    print("survivors: python -m mutmut show NAME  (names in --out's JSON, or python -m mutmut results)")
    if args.out:
        write_json_atomic(args.out, report)
    return 0


def _version() -> str:
    from importlib.metadata import version

    return version("mutmut")
