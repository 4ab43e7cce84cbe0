"""The model settings' references to findings (gestation, pregnancy)."""

from __future__ import annotations

from ..content import FindingType
from ..errors import Problem
from .library import Library
from .problems import Problems, unknown


def check_settings(lib: Library, out: Problems) -> None:
    """The findings the settings name for gestation and pregnancy exist, with the type the sampler reads them as."""
    gid = lib.settings.gestation_finding if lib.settings is not None else None
    g = lib.findings.get(gid) if gid is not None else None
    if gid is not None and g is None and gid not in lib.invalid["findings"]:
        out.append(Problem("conditions/_model.yaml", 0, "model.gestation_finding",
                           unknown("finding", gid, lib.findings)))
    elif g is not None:
        stray = sorted(set(lib.settings.early_gestation_values) - {v.id for v in g.values})
        if g.type is not FindingType.categorical or stray:
            out.append(Problem("conditions/_model.yaml", 0, "model.early_gestation_values",
                               f"'{gid}' must be categorical with the values {stray}"))
    fid = lib.settings.pregnancy_finding if lib.settings is not None else None
    if fid is None:
        return
    f = lib.findings.get(fid)
    if f is None and fid not in lib.invalid["findings"]:
        out.append(Problem("conditions/_model.yaml", 0, "model.pregnancy_finding",
                           unknown("finding", fid, lib.findings)))
    elif f is not None and f.type is not FindingType.binary:
        out.append(Problem("conditions/_model.yaml", 0, "model.pregnancy_finding", f"'{fid}' must be binary"))
