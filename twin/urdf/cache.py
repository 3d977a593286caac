"""Content-addressed URDF cache.

pybullet caches loaded files by file name (shared/measured.md, pitfall 2), so a
regenerated asset under an old name would silently load the old geometry. Each
file here is named by the hash of its text: a different asset is a different
file, and an identical one is written once. Writes are atomic (temp file and
rename) so parallel qualification workers can share one cache.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from pathlib import Path

from twin.urdf.model import Robot

ENV_VAR = "SWAPTWIN_CACHE"


def default_root() -> Path:
    env = os.environ.get(ENV_VAR)
    if env:
        return Path(env)
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "swaptwin" / "urdf"


def content_hash(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:20]


class UrdfCache:
    def __init__(self, root: Path | None = None):
        self.root = Path(root) if root is not None else default_root()

    def path_for(self, robot: Robot) -> Path:
        text = robot.to_xml()
        path = self.root / f"{robot.name}-{content_hash(text)}.urdf"
        if not path.exists():
            self.root.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=self.root, prefix=".tmp-", suffix=".urdf")
            try:
                with os.fdopen(fd, "w", encoding="utf-8") as f:
                    f.write(text)
                os.replace(tmp, path)
            except BaseException:
                if os.path.exists(tmp):
                    os.unlink(tmp)
                raise
        return path
