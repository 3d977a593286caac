"""The commands of ``swaptwin``, one module each, and the table the command line dispatches on.

A command module has ``run(cfg, inv) -> exit code`` (``cfg``: the composed
config of one job; ``inv``: what the command line says of the job) and may
have ``parse_flags(argv) -> (flags, rest)`` for flags of its own that Hydra
must not see. ``HELP`` is its line in ``swaptwin --help``.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Iterator, Mapping
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

    @property
    def folders(self) -> list[str]:
        """The user's own config folders (``--config-dir``, ``hydra.searchpath``), searched before configs/."""
        from swaptwin.config import user_folders

        return user_folders(self.config_sources)

    def validate(self, cfg):
        """The typed config, with the pack's own vehicle unless the command line
        chose one; raises ConfigError naming the file or override, the key and the range."""
        from swaptwin.config import GROUPS, recompose_for_pack_vehicle, validate

        choices = {k: v for k, v in self.choices.items() if k in GROUPS}
        sources = self.config_sources
        again = recompose_for_pack_vehicle(cfg, choices=choices, overrides=self.overrides, folders=self.folders)
        if again is not None:
            cfg, choices, sources = again
        return validate(cfg, choices=choices, overrides=self.overrides, sources=sources)

    def batch_overrides(self, *, drop: tuple[str, ...] = ()) -> list[str]:
        """The user's overrides that shape each swap of a batch (not the batch's own keys),
        led by the search path of the user's own folders, so every job (and every
        replay line) reads the same files."""
        from swaptwin.config import searchpath_overrides

        own = [o for o in self.overrides if not o.startswith(("hydra.", "n_jobs=", "n=", *drop))]
        return [*searchpath_overrides(self.folders), *own]


def config_error(exc: Exception) -> int:
    print(f"swaptwin: {exc}", file=sys.stderr)
    return EXIT_CONFIG


def no_flags(argv: list[str]) -> tuple[None, list[str]]:
    return None, argv


# The command names; a command's module is imported only when it is looked up, so
# that a plant process (which needs ``check.precheck``) or ``--help`` does not
# import every command and what each imports at module level.
_NAMES = (
    "swap", "plant", "controller", "plc", "gateway", "characterise", "check", "campaign", "qualify", "matrix",
    "regress", "replay", "keys",
)  # fmt: skip


class _Commands(Mapping[str, ModuleType]):
    """name -> command module, imported on first look-up."""

    def __getitem__(self, name: str) -> ModuleType:
        if name not in _NAMES:
            raise KeyError(name)
        return importlib.import_module(f"swaptwin.commands.{name}")

    def __iter__(self) -> Iterator[str]:
        return iter(_NAMES)

    def __len__(self) -> int:
        return len(_NAMES)


COMMANDS: Mapping[str, ModuleType] = _Commands()
