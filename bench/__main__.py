"""``python -m bench [swap truck qualify ...] [--repeats N] [--n N] [--out FILE]``
``python -m bench mutation [MODULE ...] [--sample N] [--out FILE]`` (see bench/mutation.py)

Runs the benchmarks named (default: all) and prints a table; ``--out`` also
writes the figures as JSON. Figures are ratios within one run:

* swap, truck: one swap over the wire (two processes) against the same
  physics in one process; ``--repeats`` each, medians.
* qualify: ``swaptwin qualify n=N`` on one worker against one per CPU.
* gateway, gateway_truck: one swap through the OPC UA gateway and the
  emulated PLC against the same swap served directly; ``--repeats`` each,
  interleaved, medians: the wall time the gateway adds per control period.
* curve: a frame-sized ZeroMQ round trip to another process, without and with
  CURVE encryption, over ipc and tcp loopback (``bench/wire.py``).
* record: one swap with its recording (``swap.mcap``) against one without,
  interleaved; the file's size; and what its pictures cost to render.
* zmq: a bare ZeroMQ round trip between two processes (``bench/zmq_rtt.py``).
* physics: the in-process swap of each rig family under each physics lever
  (200 Hz, fewer solver iterations, pyramid friction, sleeping packs) against
  the default, side by side in this process: the time in each lever's own
  periods and how far each moves the KPIs (``bench/physics.py``).

The swap and truck cases run without recording, so that their figures stay
comparable with earlier runs; the record case measures what it adds.

Then each goal of issue 15 that the cases run measured: its figure, its
target, and the limit it is measured against, all from this one run
(``goals``). The CI goal is not a bench case: time ``.ci/run``.

``mutation`` is no benchmark and not in the default set: the kill rate of the fast tests
against mutants of the wire, supervisor, hazard and verdict modules (bench/mutation.py).
"""

from __future__ import annotations

import argparse
import platform
import sys
import time

from bench.batch import bench_qualify
from bench.gateway import bench_gateway
from bench.physics import bench_physics, print_physics
from bench.record import bench_record
from bench.swap import bench_swap
from bench.wire import bench_curve
from bench.zmq_rtt import bench_zmq_rtt
from swaptwin.results.atomic import write_json_atomic

CASES = {
    "swap": lambda args: bench_swap(["record.enabled=false"], repeats=args.repeats),
    "truck": lambda args: bench_swap(["rig=overhead", "record.enabled=false"], repeats=args.repeats),
    "qualify": lambda args: bench_qualify(n=args.n),
    "gateway": lambda args: bench_gateway([], repeats=args.repeats, gateway_overrides=args.gateway_override),
    "gateway_truck": lambda args: bench_gateway(
        ["rig=overhead"], repeats=args.repeats, gateway_overrides=args.gateway_override
    ),
    "curve": lambda args: bench_curve(),
    "record": lambda args: bench_record([], repeats=args.repeats),
    "zmq": lambda args: bench_zmq_rtt(),
    "physics": lambda args: bench_physics(repeats=args.repeats),
}

QUALIFY_GOAL_N = 100  # goal 3: a qualification of 100 swaps


def goals(cases: dict) -> list[dict]:
    """Each goal the cases measured: ``goal``, ``figure``, ``target``, ``limit`` (what the figure is
    measured against: it cannot pass it), ``met``; ``unit`` and ``note`` say what they are."""
    rows = []

    def row(goal, figure, target, limit, unit, met, note):
        rows.append(
            {"goal": goal, "figure": figure, "target": target, "limit": limit, "unit": unit, "met": met, "note": note}
        )

    for case, target in (("swap", 50.0), ("truck", 35.0)):
        if case in cases:
            r = cases[case]
            row(
                f"1. {case} over the wire, lockstep",
                r["wire"]["real_time_factor"],
                f">= {target:g}",
                r["floor"]["real_time_factor"],
                "x real time",
                r["wire"]["real_time_factor"] >= target,
                "limit: the same physics in one process, no wire",
            )
    if "swap" in cases and "zmq" in cases:
        cost, rtt = cases["swap"]["wire_cost_per_period_us"], cases["zmq"]["round_trip_us"]
        row(
            "2. wire cost per control period",
            cost,
            f"<= {1.3 * rtt:.0f} (1.3 x limit)",
            rtt,
            "us",
            cost <= 1.3 * rtt,
            f"limit: a bare ZeroMQ round trip; figure / limit = {cost / rtt:.2f}",
        )
        answer = cases["swap"]["wire"].get("answer_p50_us")
        if answer is not None:
            row(
                "2. controller round trip in the run (answer p50)",
                answer,
                f"<= {1.3 * rtt:.0f} (1.3 x limit)",
                rtt,
                "us",
                answer <= 1.3 * rtt,
                "frame sent to its command's arrival, measured by the plant in the same swap (no difference of "
                f"two runs); it adds the controller's decode, decision and encode; figure / limit = {answer / rtt:.2f}",
            )
    if "qualify" in cases:
        q = cases["qualify"]
        per_100 = q["all_workers_wall_s"] * QUALIFY_GOAL_N / q["n"]
        ideal = q["one_worker_wall_s"] * QUALIFY_GOAL_N / q["n"] / q["workers"]
        row(
            f"3. qualify {QUALIFY_GOAL_N} swaps on {q['workers']} workers",
            round(per_100, 1),
            "<= 90",
            round(ideal, 1),
            "s",
            per_100 <= 90,
            f"scaled from n={q['n']}; limit: one worker's time / workers (perfect scaling)",
        )
        row(
            "3. qualify speed-up, 1 worker to all",
            q["speedup"],
            ">= 1.8",
            q["workers"],
            "x",
            q["speedup"] >= 1.8,
            "limit: the number of workers",
        )
    return rows


def print_goals(rows: list[dict]) -> None:
    if not rows:
        return
    print("\ngoal | figure | target | limit | met")
    for r in rows:
        print(
            f"{r['goal']} | {r['figure']} {r['unit']} | {r['target']} | {r['limit']} {r['unit']} | "
            f"{'yes' if r['met'] else 'NO'}  ({r['note']})"
        )


def _print_case(name: str, r: dict) -> None:
    """One case's figures, in a line or two."""
    if "added_per_period_ms" in r:
        print(
            f"{name}: plant time {r['sim_time_s']:.1f} s, {r['periods']} periods | direct "
            f"{r['direct']['session_wall_s']:.2f} s ({r['direct']['real_time_factor']:.1f}x real time) | "
            f"through the gateway {r['gateway']['session_wall_s']:.2f} s ({r['gateway']['real_time_factor']:.1f}x) "
            f"| gateway/direct {r['gateway_over_direct']:.2f} | added {r['added_per_period_ms']:.2f} ms per period"
        )
        step = [(r[k]["step_ms"] or {}).get("p50") for k in ("direct", "gateway")]
        scans = (r["gateway"]["plc_scans"] or {}).get("period_scan_ms") or {}
        print(
            f"  values per period {r['values_per_period']} | step p50 direct {step[0]} ms, gateway {step[1]} ms "
            f"| PLC period scan p50 {scans.get('p50')} ms, p99 {scans.get('p99')} ms"
        )
    elif "wire" in r:
        print(
            f"{name}: plant time {r['sim_time_s']:.1f} s | over the wire {r['wire']['session_wall_s']:.2f} s "
            f"({r['wire']['real_time_factor']:.1f}x real time) | in-process floor {r['floor']['wall_s']:.2f} s "
            f"({r['floor']['real_time_factor']:.1f}x) | wire/floor {r['wire_over_floor']:.2f} "
            f"| wire cost {r['wire_cost_per_period_us']:.0f} us per control period"
        )
        if r["wire"].get("answer_p50_us") is not None:
            print(
                f"  in the wire run: answer p50 {r['wire']['answer_p50_us']:.0f} us (frame sent to command in), "
                f"plant step p50 {r['wire']['step_p50_us']:.0f} us"
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
    elif "on_over_off" in r:
        print(
            f"{name}: session {r['session_wall_s']['off']:.2f} s without recording, "
            f"{r['session_wall_s']['on']:.2f} s with it (x{r['on_over_off']:.3f}; {r['recorder_s']:.2f} s in the "
            f"recorder) | {r['recording_mb']:.2f} MB, "
            f"{r['messages']} messages | pictures: {r['render']['pictures']} in {r['render']['render_s']:.1f} s "
            f"({r['render']['ms_per_picture']:.0f} ms each, GIF {r['render']['gif_kb']:.0f} kB)"
        )
    elif "rigs" in r:
        print_physics(r)
    elif "round_trip_us" in r:
        print(f"{name}: bare ZeroMQ round trip {r['round_trip_us']:.1f} us (median of {r['batches_us']})")


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
    ap.add_argument(
        "--gateway-override", action="append", default=[], metavar="KEY=VALUE", help="gateway cases: through it only"
    )
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
        _print_case(name, r)
    report["goals"] = goals(report["cases"])
    print_goals(report["goals"])
    if args.out:
        write_json_atomic(args.out, report)
    return 0


if __name__ == "__main__":
    sys.exit(main())
