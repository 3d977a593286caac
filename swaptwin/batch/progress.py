"""Progress of a long command on stderr: a tqdm bar with counts and ETA on a terminal, plain lines otherwise.

On a terminal the bar redraws itself in place; when stderr is a file or a
pipe (CI logs) each step is one plain line (``qualify: 3/100 0002: pass,
12 s, eta 388 s``), or, for steps that come by the thousand (a replay's
frames), one line per tenth of the way, so logs stay short and readable.
"""

from __future__ import annotations

import sys
import threading
import time
from typing import TextIO


class Progress:
    """``total`` steps of ``unit`` labelled ``label``. ``step(note)`` counts
    one; ``close()`` ends the bar. ``lines``: in plain mode, a line per step
    (``every``) or per tenth of the total (``tenths``)."""

    def __init__(
        self, total: int, label: str, *, unit: str = "swap", lines: str = "every", stream: TextIO | None = None
    ):
        self.total, self.label, self.unit, self.done = total, label, unit, 0
        self.stream = stream or sys.stderr
        self.lines = lines
        self.t0 = time.monotonic()
        self._lock = threading.Lock()
        self._last_tenth = 0
        self._bar = None
        if _is_terminal(self.stream) and total > 0:
            from tqdm import tqdm

            self._bar = tqdm(
                total=total,
                desc=label,
                unit=unit,
                file=self.stream,
                dynamic_ncols=True,
                leave=True,
                bar_format="{desc}: {percentage:3.0f}%|{bar}| {n_fmt}/{total_fmt} [{elapsed}<{remaining}] {postfix}",
            )

    def step(self, note: str = "", n: int = 1) -> None:
        with self._lock:
            self.done += n
            if self._bar is not None:
                self._bar.set_postfix_str(note[:60], refresh=False)
                self._bar.update(n)
                if self.done >= self.total:
                    self.close()
                return
            if self.lines == "tenths":
                tenth = int(10 * self.done / max(self.total, 1))
                if tenth <= self._last_tenth and self.done < self.total:
                    return
                self._last_tenth = tenth
            self.stream.write(self.line(note) + "\n")
            self.stream.flush()

    def note(self, note: str) -> None:
        """Show ``note`` without counting a step (a terminal only)."""
        if self._bar is not None:
            self._bar.set_postfix_str(note[:60])

    def line(self, note: str = "") -> str:
        elapsed = time.monotonic() - self.t0
        eta = elapsed / self.done * (self.total - self.done) if self.done else 0.0
        tail = f" {note}" if note else ""
        return f"{self.label}: {self.done}/{self.total}{tail}, {elapsed:.0f} s, eta {eta:.0f} s"

    def close(self) -> None:
        if self._bar is not None:
            self._bar.close()
            self._bar = None


def _is_terminal(stream: TextIO) -> bool:
    try:
        return stream.isatty()
    except (AttributeError, ValueError):
        return False
