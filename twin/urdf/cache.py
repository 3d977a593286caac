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


def staged_name(source: Path) -> str:
    """The name a mesh file takes beside the URDFs: its content's hash, so
    a URDF's text (and its hash) names the mesh by content, not by where the
    checkout happens to be."""
    return f"mesh-{hashlib.sha256(source.read_bytes()).hexdigest()[:20]}{source.suffix.lower()}"


def _write_atomic(root: Path, path: Path, data: bytes) -> None:
    root.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=root, prefix=".tmp-")
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


class UrdfCache:
    def __init__(self, root: Path | None = None):
        self.root = Path(root) if root is not None else default_root()

    def path_for(self, robot: Robot) -> Path:
        text = robot.to_xml()
        # Meshes first: a URDF in the cache always finds its files beside it.
        for link in robot.links:
            for v in link.visuals:
                src = getattr(v, "source", None)
                if src is not None and not (self.root / v.filename).exists():
                    _write_atomic(self.root, self.root / v.filename, Path(src).read_bytes())
        path = self.root / f"{robot.name}-{content_hash(text)}.urdf"
        if not path.exists():
            _write_atomic(self.root, path, text.encode("utf-8"))
        return path
