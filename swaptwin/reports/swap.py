"""The report of one swap, ``swap.html``, made from its recording alone.

What an engineer looks at first when a swap failed: the verdict, and plots
of what the station did against plant time, with the controller's phases
shaded and the faults (orange) and hazards (red) marked on every plot:

* every axis: the commanded target, the encoder position the controller
  read, and the true position (ground truth, dashed);
* the lift's (hoist's) load: the load cell as the controller read it, and the
  true load;
* the locks: each lock's holding force from its own law, and whether it is
  engaged;
* the connector: its engagement and force;
* pictures (``swaptwin.reports.render``), when asked for: a keyframe at each
  phase boundary, one at the moment of failure, and a GIF of the whole swap.

The page is one self-contained file (inline SVG, images as data URIs), so it
can be mailed as it is. It names the recording, the replay command and the
pack file with its digest. ``write_swap_report`` is the one writer.
"""

from __future__ import annotations

import base64
import math
import time
from pathlib import Path

from swaptwin.reports import html
from swaptwin.reports.plots import Band, Mark, Series, line_chart
from swaptwin.reports.runs import pack_line
from swaptwin.results.atomic import write_text_atomic
from swaptwin.results.recording import open_recording, session_records

REPORT = "swap.html"
FAILURE_PICTURE = "failure.png"
ANIMATION = "swap.gif"
_MAX_POINTS = 600  # per series: bucketed min/max keeps every peak
_CHART_HEIGHT_PX = 300
_CHART_WIDTH_PX = 900
_BAND_COLORS = ("#eef3fb", "#fbf4e6")
_FAULT_COLOR, _HAZARD_COLOR = "#E69F00", "#C00000"


class SwapData:
    """The time series and events of one recorded session."""

    def __init__(self, path: Path):
        self.t: list[float] = []  # frame times
        self.axes_pos: dict[str, list[float]] = {}
        self.target_t: dict[str, list[float]] = {}
        self.target: dict[str, list[float]] = {}
        self.truth_t: list[float] = []
        self.truth_pos: dict[str, list[float]] = {}
        self.load_cell: list[float] = []
        self.rig_load: list[float] = []
        self.lock_force: dict[str, list[float]] = {}
        self.lock_engaged: dict[str, list[float]] = {}
        self.connector_force: list[float] = []
        self.connector_engagement: list[float] = []
        self.phases: list[tuple[str, float]] = []
        self.faults: list[tuple[str, float]] = []
        self.hazards: list[tuple[str, float]] = []
        for topic, rec in session_records(path):
            handler = _HANDLERS.get(topic)
            if handler is not None:
                handler(self, rec)
        self.end_s = max(self.t[-1] if self.t else 0.0, self.truth_t[-1] if self.truth_t else 0.0)

    def _frame(self, rec: dict) -> None:
        if rec["dir"] != "sent":
            return
        body = rec["body"]
        self.t.append(body["t_s"])
        for name, a in body.get("axes", {}).items():
            self.axes_pos.setdefault(name, []).append(a.get("pos", math.nan))
        load = body.get("sensors", {}).get("load_cell_n")
        self.load_cell.append(load if isinstance(load, (int, float)) else math.nan)

    def _command(self, rec: dict) -> None:
        # Every command received is recorded, the ones the plant rejected too (a hostile or
        # buggy controller's): plot only the set-points of well-formed ones.
        axes = rec["body"].get("axes") if isinstance(rec.get("body"), dict) else None
        if not isinstance(axes, dict):
            return
        for name, a in axes.items():
            if not isinstance(a, dict):
                continue
            target = a.get("target")
            if a.get("mode") == "position" and isinstance(target, (int, float)) and math.isfinite(target):
                self.target_t.setdefault(str(name), []).append(rec["t_s"])
                self.target.setdefault(str(name), []).append(float(target))

    def _truth(self, rec: dict) -> None:
        b = rec["body"]
        self.truth_t.append(b.get("t_s", rec["t_s"]))
        for name, a in b.get("axes", {}).items():
            self.truth_pos.setdefault(name, []).append(a.get("pos", math.nan))
        self.rig_load.append(b.get("rig_load_n", math.nan))
        for lk in b.get("locks", []):
            lid = str(lk.get("id"))
            self.lock_force.setdefault(lid, []).append(lk.get("holding_force_n", math.nan))
            self.lock_engaged.setdefault(lid, []).append(1.0 if lk.get("engaged") else 0.0)
        c = b.get("connector", {})
        self.connector_force.append(c.get("force_n", math.nan))
        self.connector_engagement.append(c.get("engagement_mm", math.nan))

    def _event(self, rec: dict) -> None:
        ev = rec["body"]
        t = ev.get("t_s", rec["t_s"])
        kind = ev.get("event")
        if kind == "phase":
            self.phases.append((ev.get("phase", ""), t))
        elif kind == "fault" and ev.get("active"):
            self.faults.append((str(ev.get("name")), t))
        elif kind == "hazard":
            self.hazards.append((str(ev.get("kind")), t))

    def bands(self) -> list[Band]:
        out = []
        for i, (name, t0) in enumerate(self.phases):
            t1 = self.phases[i + 1][1] if i + 1 < len(self.phases) else self.end_s
            out.append(Band(t0, t1, name, _BAND_COLORS[i % 2]))
        return out

    def marks(self) -> list[Mark]:
        return [Mark(t, f"fault {n}", _FAULT_COLOR) for n, t in self.faults] + [
            Mark(t, f"HAZARD {k}", _HAZARD_COLOR, dashed=False) for k, t in self.hazards
        ]


_HANDLERS = {
    "/wire/frame": SwapData._frame,
    "/wire/command": SwapData._command,
    "/observer/truth": SwapData._truth,
    "/observer/event": SwapData._event,
}


def thin(xs: list[float], ys: list[float], max_points: int = _MAX_POINTS) -> tuple[list[float], list[float]]:
    """At most about ``max_points`` points: each bucket keeps its first, lowest and highest
    point, so no peak and no step is lost from the plot."""
    n = min(len(xs), len(ys))
    if n <= max_points:
        return list(xs[:n]), list(ys[:n])
    size = max(1, math.ceil(3 * n / max_points))
    ox, oy = [], []
    for k in range(0, n, size):
        idx = range(k, min(k + size, n))
        finite = [i for i in idx if math.isfinite(ys[i])]
        keep = sorted({k, *(finite and (min(finite, key=ys.__getitem__), max(finite, key=ys.__getitem__)))})
        ox += [xs[i] for i in keep]
        oy += [ys[i] for i in keep]
    ox.append(xs[n - 1])
    oy.append(ys[n - 1])
    return ox, oy


def _series(label: str, xs, ys, **kw) -> Series:
    x, y = thin(list(xs), list(ys))
    return Series(label, x, y, **kw)


def _chart(d: SwapData, series: list[Series], *, title: str, y_label: str) -> str:
    return line_chart(
        series,
        x_label="plant time [s]",
        y_label=y_label,
        title=title,
        width=_CHART_WIDTH_PX,
        height=_CHART_HEIGHT_PX,
        bands=d.bands(),
        marks=d.marks(),
    )


def charts(d: SwapData) -> list[tuple[str, str]]:
    """(caption, SVG) of every plot of the swap."""
    out = []
    for name in d.axes_pos:
        s = [_series("target", d.target_t.get(name, []), d.target.get(name, []), markers=False)]
        s.append(_series("encoder", d.t, d.axes_pos[name]))
        if name in d.truth_pos:
            s.append(_series("true", d.truth_t, d.truth_pos[name], dashed=True))
        unit = "rad" if name in ("yaw", "slew") else "m"
        out.append(
            (
                f"Axis {name}: commanded target, encoder and true position.",
                _chart(d, s, title=f"axis {name}", y_label=f"{name} [{unit}]"),
            )
        )
    load = [_series("load cell", d.t, d.load_cell), _series("true load", d.truth_t, d.rig_load, dashed=True)]
    out.append(
        (
            "The rig's load: its load cell as the controller read it, and the true load.",
            _chart(d, load, title="rig load", y_label="load [N]"),
        )
    )
    if d.lock_force:
        forces = [_series(f"lock {lid}", d.truth_t, f) for lid, f in d.lock_force.items()]
        out.append(
            (
                "Each lock's holding force, from its own law.",
                _chart(d, forces, title="lock holding force", y_label="force [N]"),
            )
        )
        engaged = [
            _series(f"lock {lid}", d.truth_t, [v + 0.04 * i for v in e])
            for i, (lid, e) in enumerate(d.lock_engaged.items())
        ]
        out.append(
            (
                "Each lock engaged (1) or not (0); lines offset a little to be told apart.",
                _chart(d, engaged, title="lock state", y_label="engaged"),
            )
        )
    conn = [_series("engagement [mm]", d.truth_t, d.connector_engagement)]
    out.append(
        ("The connector's engagement.", _chart(d, conn, title="connector engagement", y_label="engagement [mm]"))
    )
    out.append(
        (
            "The connector's mating force.",
            _chart(d, [_series("force", d.truth_t, d.connector_force)], title="connector force", y_label="force [N]"),
        )
    )
    return out


def failure_moment(result: dict) -> tuple[str, float] | None:
    """When a failed swap failed, and how: its first hazard, the controller's stop, an
    alignment out of tolerance at mating, or the end. None for a swap that passed."""
    if (result.get("verdict") or {}).get("status") == "pass":
        return None
    hazards = result.get("hazards") or []
    if hazards:
        return f"hazard {hazards[0]['kind']}", float(hazards[0]["t_s"])
    ctrl = result.get("controller") or {}
    if ctrl.get("outcome") not in (None, "done"):
        return f"{ctrl['outcome']} in {ctrl.get('phase')}", float(result.get("sim_time_s") or 0.0)
    for a in result.get("alignment") or []:
        if a.get("within") is False:
            return f"{a['mating']} out of tolerance", float(a["t_s"])
    return "end of the session", float(result.get("sim_time_s") or 0.0)


def write_swap_report(
    out_dir: Path, recording: Path, *, render: bool, gif_frames: int = 40, failure_only: bool = False
) -> dict:
    """Write ``swap.html`` (and, with ``render``, ``failure.png`` for a failed swap and
    ``swap.gif``) beside the recording; what was made and what it cost.
    ``failure_only``: the picture at the moment of failure alone (a batch's failing
    run, shown in its batch report), without the phases' keyframes and the GIF."""
    t0 = time.perf_counter()
    rec = open_recording(recording)
    result = rec.result or {}
    data = SwapData(recording)
    pictures = None
    info: dict = {"html": REPORT}
    if render:
        from swaptwin.reports.render import render_recording

        keyframes = [(name, t) for name, t in data.phases if name != "done"] + [("end", data.end_s)]
        pictures = render_recording(
            recording,
            keyframes=[] if failure_only else keyframes,
            gif_frames=0 if failure_only else gif_frames,
            failure=failure_moment(result),
        )
        info.update(render_s=round(pictures.render_s, 3), pictures=pictures.frames_rendered)
        if pictures.failure is not None:
            (out_dir / FAILURE_PICTURE).write_bytes(pictures.failure.png)
            info["failure_picture"] = FAILURE_PICTURE
            info["failure"] = {"label": pictures.failure.label, "t_s": pictures.failure.t_s}
        if pictures.gif:
            (out_dir / ANIMATION).write_bytes(pictures.gif)
            info["animation"] = ANIMATION
    write_text_atomic(out_dir / REPORT, render_html(rec, result, data, pictures, recording_name=recording.name))
    info["report_s"] = round(time.perf_counter() - t0, 3)
    return info


def _summary(result: dict, config: dict) -> str:
    rows = [
        ["cycle time", f"{result['cycle_time_s']:.2f} s" if result.get("cycle_time_s") is not None else "n/a"],
        ["limit", f"{result.get('cycle_time_limit_s', 0):g} s"],
        ["plant time", f"{result.get('sim_time_s', 0.0):.2f} s"],
        [
            "controller",
            f"{(result.get('controller') or {}).get('outcome')}: {(result.get('controller') or {}).get('reason', '')}",
        ],
        ["seed", result.get("seed")],
        ["rig", (config.get("rig") or {}).get("name")],
        ["pack", (config.get("pack") or {}).get("family_id")],
        ["lock", (config.get("lock") or {}).get("type")],
        ["hazards", len(result.get("hazards") or []) or "none"],
    ]
    return html.table(["what", "value"], rows, table_id="summary")


def render_html(rec, result: dict, data: SwapData, pictures, *, recording_name: str) -> str:
    config = rec.config
    status = (result.get("verdict") or {}).get("status", "unknown")
    reasons = (result.get("verdict") or {}).get("reasons") or []
    title = f"Swap: {(config.get('pack') or {}).get('family_id')} on {(config.get('rig') or {}).get('name')}"
    sections = [
        html.banner(status == "pass", f"Verdict: {status.upper()}", "; ".join(reasons)),
        html.paragraph(pack_line(config.get("pack_file")), "small"),
        html.paragraph(
            f"Recording: {recording_name} ({sum(rec.counts.values())} messages over {rec.duration_s:.1f} s). "
            "Open it in Foxglove (layout: docs/foxglove/swaptwin_layout.json), or prove it: "
            f"swaptwin replay {recording_name}",
            "small",
        ),
        html.section("Summary", _summary(result, config)),
        html.section(
            "Phases",
            html.table(
                ["phase", "start s", "duration s"],
                [[p["name"], p["start_s"], p["duration_s"]] for p in result.get("phases") or []],
                table_id="phases",
            ),
        ),
    ]
    if pictures is not None:
        sections.append(html.section("Pictures", _pictures(pictures)))
    sections.append(
        html.section(
            "Signals",
            html.paragraph("Phases shaded; faults dashed orange, hazards red.", "small"),
            *[html.figure(svg, caption) for caption, svg in charts(data)],
        )
    )
    events = [[f"{t:.2f}", "fault", n] for n, t in data.faults] + [[f"{t:.2f}", "HAZARD", k] for k, t in data.hazards]
    if events:
        sections.append(
            html.section("Faults and hazards", html.table(["t s", "what", "name"], sorted(events), table_id="events"))
        )
    return html.page(title, sections)


def _pictures(p) -> str:
    parts = []
    if p.failure is not None:
        parts.append(
            '<div class="pictures">'
            + html.figure(
                html.image(p.failure.data_uri(), p.failure.label, img_id="failure"),
                f"At the moment of failure: {p.failure.label}, t = {p.failure.t_s:.2f} s.",
            )
            + "</div>"
        )
    if p.gif:
        uri = "data:image/gif;base64," + base64.b64encode(p.gif).decode()
        parts.append(
            html.figure(html.image(uri, "the whole swap", img_id="animation"), "The whole swap, in plant time.")
        )
    frames = "".join(
        html.figure(html.image(k.data_uri(), k.label, width=320), f"{k.label}, t = {k.t_s:.2f} s") for k in p.keyframes
    )
    parts.append(f'<div class="pictures" id="keyframes">{frames}</div>')
    parts.append(
        html.paragraph(f"{p.frames_rendered} pictures rendered in {p.render_s:.2f} s (TinyRenderer).", "small")
    )
    return "\n".join(parts)
