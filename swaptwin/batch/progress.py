"""Progress of a batch on stderr: a one-line bar on a terminal, a plain line per job otherwise."""

from __future__ import annotations

import sys
import threading
import time


class Progress:
    """A one-line progress bar on stderr (a plain line per job when not a terminal)."""

    def __init__(self, total: int, label: str):
        self.total, self.label, self.done, self.t0 = total, label, 0, time.monotonic()
        self.tty = sys.stderr.isatty()
        self._lock = threading.Lock()

    def step(self, note: str = "") -> None:
        with self._lock:
            self.done += 1
            elapsed = time.monotonic() - self.t0
            eta = elapsed / self.done * (self.total - self.done) if self.done else 0.0
            width = 30
            filled = int(width * self.done / max(self.total, 1))
            line = (
                f"{self.label} [{'#' * filled}{'.' * (width - filled)}] {self.done}/{self.total} {elapsed:5.0f}s eta "
                f"{eta:4.0f}s {note}"
            )
            if self.tty:
                sys.stderr.write("\r" + line[:120].ljust(120))
                if self.done == self.total:
                    sys.stderr.write("\n")
            else:
                sys.stderr.write(line + "\n")
            sys.stderr.flush()
