"""What a batch report shows of each failing run: its picture at the moment of
failure, and links to its recording and its own report (``swap.html``).

A batch (qualify, campaign, matrix, regress) keeps the recording of every
run whose verdict failed (``record.batch``); the run's plant renders its
picture at the moment of failure (``record.render``) beside it. The batch's
``report.json`` names these files by paths relative to the report, so the
report directory can be moved or archived whole; the HTML embeds the picture
itself, so the page stands alone.
"""

from __future__ import annotations

import base64
from pathlib import Path

from swaptwin.reports import html

_PICTURE_WIDTH_PX = 280


def artifacts(result: dict, run_dir: Path, report_dir: Path) -> dict:
    """The failing run's files, relative to ``report_dir``: recording, report, picture (each None if absent)."""
    rel = run_dir.relative_to(report_dir) if run_dir.is_relative_to(report_dir) else run_dir
    rec, rep = result.get("recording") or {}, result.get("report") or {}
    out = {
        "recording": str(rel / rec["file"]) if rec.get("file") else None,
        "report": str(rel / rep["html"]) if rep.get("html") else None,
        "picture": str(rel / rep["failure_picture"]) if rep.get("failure_picture") else None,
        "failure": rep.get("failure"),
    }
    return out


def picture_cell(ev: dict | None, report_dir: Path | None) -> html.Raw | str:
    """The run's picture at the moment of failure, embedded; or a word why there is none."""
    if not ev or not ev.get("picture") or report_dir is None:
        return "(no picture: record.render)"
    path = report_dir / ev["picture"]
    if not path.is_file():
        return "(picture missing)"
    uri = "data:image/png;base64," + base64.b64encode(path.read_bytes()).decode()
    what = (ev.get("failure") or {}).get("label", "failure")
    t = (ev.get("failure") or {}).get("t_s")
    caption = f"{what} at {t:.1f} s" if isinstance(t, (int, float)) else what
    img = html.image(uri, caption, width=_PICTURE_WIDTH_PX)
    return html.Raw(f'{img}<div class="small">{html.esc(caption)}</div>')


def links_cell(ev: dict | None) -> html.Raw | str:
    if not ev or not (ev.get("recording") or ev.get("report")):
        return "(no recording: record.batch)"
    parts = [html.link(ev[k], label) for k, label in (("report", "swap.html"), ("recording", "swap.mcap")) if ev.get(k)]
    return html.Raw(" ".join(parts))


def pack_line(pack_file: dict | None) -> str:
    """The pack file a run read and its digest, in words (``swaptwin.config.pack_file``)."""
    pf = pack_file or {}
    return f"Pack file {pf.get('path') or '(unknown)'}, sha256 {pf.get('sha256') or 'n/a'}."
