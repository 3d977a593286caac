"""``python -m bench [swap truck ...] [--repeats N] [--out FILE]``

Runs the benchmarks named (default: all) and prints a table; ``--out`` also
writes the figures as JSON. Figures are ratios within one run.
"""

from __future__ import annotations

import argparse
import json
import platform
import sys
import time

from bench.swap import bench_swap
from swaptwin.atomic import write_json_atomic

CASES = {
    "swap": lambda repeats: bench_swap([], repeats=repeats),
    "truck": lambda repeats: bench_swap(["rig=overhead"], repeats=repeats),
}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m bench")
    ap.add_argument("cases", nargs="*", default=list(CASES), help=f"of {', '.join(CASES)}")
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--out", help="write the figures as JSON here")
    args = ap.parse_args(argv)
    report = {"machine": {"python": platform.python_version(), "machine": platform.machine(), "cpus": __import__("os").cpu_count()}, "date": time.strftime("%Y-%m-%d %H:%M"), "cases": {}}
    for name in args.cases:
        if name not in CASES:
            print(f"unknown case {name!r}; cases: {', '.join(CASES)}", file=sys.stderr)
            return 2
        print(f"running {name} x{args.repeats} ...", flush=True)
        report["cases"][name] = CASES[name](args.repeats)
    for name, r in report["cases"].items():
        if "wire" in r:
            print(
                f"{name}: plant time {r['sim_time_s']:.1f} s | over the wire {r['wire']['session_wall_s']:.2f} s "
                f"({r['wire']['real_time_factor']:.1f}x real time) | in-process floor {r['floor']['wall_s']:.2f} s "
                f"({r['floor']['real_time_factor']:.1f}x) | wire/floor {r['wire_over_floor']:.2f} "
                f"| wire cost {r['wire_cost_per_period_us']:.0f} us per control period"
            )
    if args.out:
        write_json_atomic(args.out, report)
    return 0


if __name__ == "__main__":
    sys.exit(main())
