"""``python -m bench [swap truck qualify ...] [--repeats N] [--n N] [--out FILE]``
``python -m bench mutation [MODULE ...] [--sample N] [--out FILE]`` (see bench/mutation.py)

Runs the benchmarks named (default: all) and prints a table; ``--out`` also
writes the figures as JSON. Figures are ratios within one run:

* swap, truck: one swap over the wire (two processes) against the same
  physics in one process; ``--repeats`` each, medians.
* qualify: ``swaptwin qualify n=N`` on one worker against one per CPU.
* curve: a frame-sized ZeroMQ round trip to another process, without and with
  CURVE encryption, over ipc and tcp loopback (``bench/wire.py``).

``mutation`` is no benchmark and not in the default set: the kill rate of the fast tests
against mutants of the wire, supervisor, hazard and verdict modules (bench/mutation.py).
"""

from __future__ import annotations

import argparse
import platform
import sys
import time

from bench.batch import bench_qualify
from bench.swap import bench_swap
from bench.wire import bench_curve
from swaptwin.results.atomic import write_json_atomic

CASES = {
    "swap": lambda args: bench_swap([], repeats=args.repeats),
    "truck": lambda args: bench_swap(["rig=overhead"], repeats=args.repeats),
    "qualify": lambda args: bench_qualify(n=args.n),
    "curve": lambda args: bench_curve(),
}


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["mutation"]:
        from bench import mutation

        return mutation.main(argv[1:])
    ap = argparse.ArgumentParser(prog="python -m bench")
    ap.add_argument("cases", nargs="*", default=list(CASES), help=f"of {', '.join(CASES)}")
    ap.add_argument("--repeats", type=int, default=3, help="swaps per case of swap and truck")
    ap.add_argument("--n", type=int, default=20, help="swaps of the qualify case")
    ap.add_argument("--out", help="write the figures as JSON here")
    args = ap.parse_args(argv)
    report = {
        "machine": {
            "python": platform.python_version(),
            "machine": platform.machine(),
            "cpus": __import__("os").cpu_count(),
        },
        "date": time.strftime("%Y-%m-%d %H:%M"),
        "cases": {},
    }
    for name in args.cases:
        if name not in CASES:
            print(f"unknown case {name!r}; cases: {', '.join(CASES)}", file=sys.stderr)
            return 2
        print(f"running {name} ...", flush=True)
        report["cases"][name] = CASES[name](args)
    for name, r in report["cases"].items():
        if "wire" in r:
            print(
                f"{name}: plant time {r['sim_time_s']:.1f} s | over the wire {r['wire']['session_wall_s']:.2f} s "
                f"({r['wire']['real_time_factor']:.1f}x real time) | in-process floor {r['floor']['wall_s']:.2f} s "
                f"({r['floor']['real_time_factor']:.1f}x) | wire/floor {r['wire_over_floor']:.2f} "
                f"| wire cost {r['wire_cost_per_period_us']:.0f} us per control period"
            )
        elif "speedup" in r:
            print(
                f"{name}: n={r['n']} | 1 worker {r['one_worker_wall_s']:.1f} s | {r['workers']} workers "
                f"{r['all_workers_wall_s']:.1f} s "
                f"({r['swaps_per_minute']:.1f} swaps/min) | speed-up {r['speedup']:.2f} (efficiency "
                f"{r['efficiency']:.2f}) "
                f"| peak child RSS {r['peak_child_rss_mb']:.0f} MB"
            )
        elif "message_bytes" in r:
            for link in ("ipc", "tcp"):
                f = r[link]
                print(
                    f"{name} {link}: {r['message_bytes']} B round trip, median plain {f['plain']['median_us']:.0f} us "
                    f"| CURVE {f['curve']['median_us']:.0f} us | CURVE/plain {f['curve_over_plain']:.2f} "
                    f"(+{f['curve_cost_us']:.0f} us per round trip)"
                )
    if args.out:
        write_json_atomic(args.out, report)
    return 0


if __name__ == "__main__":
    sys.exit(main())
