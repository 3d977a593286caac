"""Self-contained HTML pages for reports: inline CSS and SVG, nothing fetched,
readable offline and stable byte for byte for the same data."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from xml.sax.saxutils import escape

_CSS = """
body{font-family:sans-serif;margin:24px;color:#222;max-width:1200px}
h1{font-size:22px}h2{font-size:18px;margin-top:28px}
table{border-collapse:collapse;margin:8px 0;font-size:13px}
th,td{border:1px solid #ccc;padding:4px 8px;text-align:left;vertical-align:top}
th{background:#f3f3f3}
td.num{text-align:right;font-variant-numeric:tabular-nums}
.pass,.green{background:#d9f2d9}.fail,.red{background:#f8d0d0}.amber{background:#fde9b8}.grey{background:#eee;color:#777}
.small{font-size:12px;color:#555}
figure{margin:12px 0}
.banner{font-size:20px;font-weight:bold;padding:10px 16px;margin:12px 0;border-radius:4px}
.banner.pass{background:#2e7d32;color:#fff}.banner.fail{background:#c62828;color:#fff}
.banner .why{font-size:14px;font-weight:normal;display:block;margin-top:4px}
img.picture{border:1px solid #ccc;margin:4px;max-width:100%}
.pictures{display:flex;flex-wrap:wrap;gap:8px}
.pictures figure{margin:0}
"""


def esc(x) -> str:
    return escape(str(x))


class Raw(str):
    """Markup made here (a link, an image) that a table cell must not escape."""


def link(href: str, text: str) -> Raw:
    return Raw(f'<a href="{esc(href)}">{esc(text)}</a>')


def image(src: str, alt: str, *, width: int | None = None, img_id: str = "") -> Raw:
    """An <img> (a data URI keeps the page self-contained)."""
    attrs = f' id="{esc(img_id)}"' if img_id else ""
    attrs += f' width="{width}"' if width else ""
    return Raw(f'<img class="picture"{attrs} alt="{esc(alt)}" src="{esc(src)}">')


def banner(passed: bool, headline: str, why: str = "") -> str:
    """The verdict, big and coloured, at the top of a report."""
    cls = "pass" if passed else "fail"
    detail = f'<span class="why">{esc(why)}</span>' if why else ""
    return f'<div class="banner {cls}" id="verdict">{esc(headline)}{detail}</div>'


def page(title: str, sections: Iterable[str]) -> str:
    body = "\n".join(sections)
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        f"<title>{esc(title)}</title><style>{_CSS}</style></head>\n"
        f"<body>\n<h1>{esc(title)}</h1>\n{body}\n</body></html>\n"
    )


def section(title: str, *parts: str) -> str:
    return f"<h2>{esc(title)}</h2>\n" + "\n".join(parts)


def paragraph(text: str, cls: str = "") -> str:
    return f'<p class="{cls}">{esc(text)}</p>' if cls else f"<p>{esc(text)}</p>"


def table(
    header: Sequence[str],
    rows: Iterable[Sequence],
    *,
    classes: Iterable[Sequence[str]] | None = None,
    table_id: str = "",
) -> str:
    """A table; ``classes`` gives a CSS class per cell (same shape as rows)."""
    out = [
        f'<table id="{esc(table_id)}">' if table_id else "<table>",
        "<tr>" + "".join(f"<th>{esc(h)}</th>" for h in header) + "</tr>",
    ]
    class_rows = iter(classes) if classes is not None else None
    for row in rows:
        cls = next(class_rows) if class_rows is not None else [""] * len(row)
        cells = []
        for value, c in zip(row, cls):
            num = isinstance(value, (int, float)) and not isinstance(value, bool)
            attr = " ".join(x for x in (c, "num" if num else "") if x)
            text = value if isinstance(value, Raw) else esc(_fmt(value))
            cells.append(f'<td class="{attr}">{text}</td>' if attr else f"<td>{text}</td>")
        out.append("<tr>" + "".join(cells) + "</tr>")
    out.append("</table>")
    return "\n".join(out)


def figure(svg: str, caption: str) -> str:
    # The SVG documents from swaptwin.plots start with their own XML-free <svg> root.
    return f'<figure>{svg}<figcaption class="small">{esc(caption)}</figcaption></figure>'


def _fmt(v) -> str:
    if isinstance(v, float):
        return f"{v:.4g}"
    return "" if v is None else str(v)
