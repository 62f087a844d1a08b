"""A downloaded bundle says which run it is and how it decides: the run id, the model's name as the dashboard names it
(a blend, not its first architecture), its area, whether it was the area's champion, and the decision threshold with
the costs it was chosen at. The workspace keeps each run's bundle as training saved it; the decision is set later on
Evaluate, so it is written into the bundle's manifest when the bundle is downloaded (`stamped`). The manifest is not
among the hashed files, so a stamped bundle loads as before; a bundle scored elsewhere (another area, the command
line) then starts from the same threshold and decides as the run does."""

from __future__ import annotations

import io
import json
import zipfile
from datetime import datetime, timezone

from finmodels.errors import BundleError


def stamped(raw: bytes, *, run_id: str | None, name: str, area: str | None = None, champion: bool = False,
            threshold: float | None = None, costs: dict | None = None, threshold_source: str | None = None) -> bytes:
    """`raw` (a bundle's bytes) with its run and decision written into the manifest ('run', 'decision')."""
    from finmodels.models.bundle import _manifest, _open_archive

    files = _open_archive(raw)
    manifest = _manifest(files)  # the bundle's own checks first: a damaged bundle is never stamped
    manifest["run"] = {"run_id": run_id, "name": name, "area": area, "champion": bool(champion),
                       "downloaded": datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC")}
    if threshold is not None:
        if not 0.0 < float(threshold) < 1.0:
            raise BundleError(f"A decision threshold is a probability between 0 and 1; got {threshold}.")
        manifest["decision"] = {"threshold": float(threshold), "costs": dict(costs or {}),
                                "source": threshold_source or "kept with the run"}
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("manifest.json", json.dumps(manifest, indent=1))
        for member, data in files.items():
            if member != "manifest.json":
                archive.writestr(member, data)
    return out.getvalue()


def bundle_run(bundle) -> dict:
    """The run a loaded bundle was downloaded from ({} for a bundle saved without it: the command line's)."""
    return dict((getattr(bundle, "manifest", None) or {}).get("run") or {})


def bundle_decision(bundle) -> dict | None:
    """{'threshold', 'costs', 'source'} written at download, or None."""
    found = (getattr(bundle, "manifest", None) or {}).get("decision")
    return dict(found) if found and found.get("threshold") is not None else None


def bundle_name(bundle) -> str:
    """The model's name: the run's as the dashboard named it at download, else the bundle's own title."""
    return bundle_run(bundle).get("name") or bundle.title


def bundle_file_name(task: str, run_id: str | None, arch_or_name: str) -> str:
    """'credit_default_blend_d09afcf5.zip': the task, the network (a blend says so) and the run."""
    network = "blend" if arch_or_name.lower().startswith("blend") else arch_or_name
    safe = "".join(ch if ch.isalnum() or ch in "-_" else "_" for ch in network)[:30].strip("_") or "model"
    return f"{task}_{safe}" + (f"_{run_id[:8]}" if run_id else "") + ".zip"
