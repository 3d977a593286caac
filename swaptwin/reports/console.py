"""The short console summary of a swap result."""

from __future__ import annotations


def swap_table(result: dict) -> str:
    lines = []
    v = result["verdict"]
    lines.append(f"SwapTwin swap: {v['status'].upper()}")
    ct = result.get("cycle_time_s")
    ct_text = f"{ct:.2f} s" if ct is not None else "n/a"
    lines.append(
        f"  cycle time {ct_text} (limit {result['cycle_time_limit_s']:.0f} s), plant time {result['sim_time_s']:.2f} "
        f"s, "
        f"wall {result['wall_time_s']:.2f} s, {result['real_time_factor'] or 0:.1f}x real time"
    )
    lines.append("")
    lines.append(f"  {'phase':<16}{'start s':>9}{'duration s':>12}")
    for p in result["phases"]:
        lines.append(f"  {p['name']:<16}{p['start_s']:>9.2f}{p['duration_s']:>12.2f}")
    lines.append("")
    lines.append(f"  {'alignment':<34}{'x mm':>8}{'y mm':>8}{'yaw deg':>9}")
    for a in result["alignment"]:
        tag = {True: "ok", False: "OUT"}.get(a.get("within"), "")
        lines.append(
            f"  {a['mating'] + ' (' + a['pack'] + ')':<34}{a['x_mm']:>8.3f}{a['y_mm']:>8.3f}{a['yaw_deg']:>9.4f}  {tag}"
        )
    lines.append("")
    lines.append(f"  {'lock':<6}{'type':<15}{'engaged':<9}{'holding N':>11}{'required N':>12}")
    for lk in result["locks"]:
        lines.append(
            f"  "
            f"{lk['id']:<6}{lk['type']:<15}{str(lk['engaged']):<9}{lk['holding_force_n']:>11.0f}{lk['required_force_n']:>12.0f}"
        )
    lines.append("")
    lines.append(f"  hazards: {len(result['hazards']) or 'none'}")
    for r in v["reasons"]:
        lines.append(f"  - {r}")
    return "\n".join(lines)
