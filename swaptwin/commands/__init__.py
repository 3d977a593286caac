"""The commands of ``swaptwin``, one module each, and the table the command line dispatches on.

A command module has ``run(cfg, inv) -> exit code`` (``cfg``: the composed
config of one job; ``inv``: what the command line says of the job) and may
have ``parse_flags(argv) -> (flags, rest)`` for flags of its own that Hydra
must not see. ``HELP`` is its line in ``swaptwin --help``.
"""

from __future__ import annotations

import argparse
import sys
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType
from typing import Any

EXIT_PASS, EXIT_FAIL, EXIT_CONFIG, EXIT_INTERRUPTED = 0, 1, 2, 130


@dataclass(frozen=True)
class Invocation:
    """One job of a command, as the command line gave it."""

    command: str
    output_dir: str
    overrides: list[str] = field(default_factory=list)  # the job's task overrides, as typed
    choices: dict[str, Any] = field(default_factory=dict)  # config group -> the option chosen
    config_sources: list[str] = field(default_factory=list)  # config folders, the user's (--config-dir) first
    flags: argparse.Namespace | None = None  # the command's own flags

    @property
    def out(self) -> Path:
        return Path(self.output_dir)

    def validate(self, cfg):
        """The typed config; raises ConfigError naming the file or override, the key and the range."""
        from swaptwin.config import GROUPS, validate

        choices = {k: v for k, v in self.choices.items() if k in GROUPS}
        return validate(cfg, choices=choices, overrides=self.overrides, sources=self.config_sources)

    def batch_overrides(self, *, drop: tuple[str, ...] = ()) -> list[str]:
        """The user's overrides that shape each swap of a batch (not the batch's own keys)."""
        return [o for o in self.overrides if not o.startswith(("hydra.", "n_jobs=", "n=", *drop))]


def config_error(exc: Exception) -> int:
    print(f"swaptwin: {exc}", file=sys.stderr)
    return EXIT_CONFIG


def no_flags(argv: list[str]) -> tuple[None, list[str]]:
    return None, argv


# The command modules import what they need when they run, so --help stays fast.
from swaptwin.commands import (  # noqa: E402
    campaign,
    characterise,
    check,
    controller,
    gateway,
    matrix,
    plant,
    plc,
    qualify,
    regress,
    swap,
)

COMMANDS: dict[str, ModuleType] = {
    "swap": swap,
    "plant": plant,
    "controller": controller,
    "plc": plc,
    "gateway": gateway,
    "characterise": characterise,
    "check": check,
    "campaign": campaign,
    "qualify": qualify,
    "matrix": matrix,
    "regress": regress,
}
