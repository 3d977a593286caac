"""JUnit XML, the one writer: what CI systems read as test results."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from xml.sax.saxutils import escape, quoteattr


@dataclass(frozen=True)
class Case:
    classname: str
    name: str
    failure: str | None = None  # the failure's one-line message; None: passed
    text: str = ""  # the failure's detail


def junit_xml(suite: str, cases: Sequence[Case]) -> str:
    lines = []
    for c in cases:
        body = ""
        if c.failure is not None:
            body = (
                f"<failure message={quoteattr(c.failure)}>{escape(c.text)}</failure>"
                if c.text
                else f"<failure message={quoteattr(c.failure)}/>"
            )
        lines.append(f'  <testcase classname="{escape(c.classname)}" name="{escape(c.name)}">{body}</testcase>')
    failures = sum(1 for c in cases if c.failure is not None)
    return (
        '<?xml version="1.0" encoding="utf-8"?>\n'
        f'<testsuite name="{escape(suite)}" tests="{len(cases)}" failures="{failures}">\n'
        + "\n".join(lines)
        + "\n</testsuite>\n"
    )
