"""What a result was made with: the asset and model versions a baseline is keyed by.

``versions(plant_cfg, assets)``: the pybullet release, ``twin.MODEL_VERSION``,
the content-addressed names of every URDF the station loaded (geometry,
masses, inertia of rig, vehicle and both packs), and a digest of each model's
data (pack, vehicle, locks, physics engine). ``key`` digests them all. Drive
limits, sensor noise, the controller and the scenario are not in the key:
they are what a regression run compares, not what it is made with.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict
from importlib import metadata

import twin


def _digest(data) -> str:
    return hashlib.sha256(json.dumps(data, sort_keys=True, default=str).encode()).hexdigest()[:16]


def versions(plant_cfg, assets: list[str]) -> dict:
    models = {k: _digest(asdict(getattr(plant_cfg, k))) for k in ("pack", "lock", "vehicle", "physics")}
    spreader_lock = getattr(plant_cfg.rig, "spreader_lock", None)
    if spreader_lock is not None:
        models["spreader_lock"] = _digest(asdict(spreader_lock))
    out = {
        "pybullet": metadata.version("pybullet"),
        "twin_model": twin.MODEL_VERSION,
        "assets": sorted(set(assets)),
        "models": models,
    }
    out["key"] = _digest(out)
    return out


def differences(old: dict, new: dict) -> list[str]:
    """What differs between two version records, in words."""
    out = []
    if old.get("pybullet") != new.get("pybullet"):
        out.append(f"pybullet {old.get('pybullet')} -> {new.get('pybullet')}")
    if old.get("twin_model") != new.get("twin_model"):
        out.append(f"twin MODEL_VERSION {old.get('twin_model')} -> {new.get('twin_model')}")
    for k in sorted(set(old.get("models", {})) | set(new.get("models", {}))):
        if old.get("models", {}).get(k) != new.get("models", {}).get(k):
            out.append(f"{k} model data changed")
    gone, added = (
        set(old.get("assets", [])) - set(new.get("assets", [])),
        set(new.get("assets", [])) - set(old.get("assets", [])),
    )
    if gone or added:
        out.append(f"assets changed: {', '.join(sorted(added)) or '-'} (was {', '.join(sorted(gone)) or '-'})")
    return out
