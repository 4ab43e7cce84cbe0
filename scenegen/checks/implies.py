"""Implications: each side names a finding by an answer it can take, and the 'then' finding can be asked."""

from __future__ import annotations

from ..content import FindingType
from .library import Library
from .problems import Problems, unknown


def check_implies(lib: Library, out: Problems) -> None:
    """Each side names a real finding by an answer it can take; the 'then' side is askable whenever the 'if' holds."""
    for iid, imp in lib.implies.items():
        ok = True
        for i, comp in enumerate(imp.complaints):
            if comp not in lib.complaints:
                out.add("implies", iid, ("complaints", i), unknown("complaint", comp, lib.complaints))
        sides = [("if", fid, wanted) for fid, wanted in imp.if_items] + [("then", imp.then_finding, imp.then_value)]
        for side, fid, wanted in sides:
            f = lib.findings.get(fid)
            if f is None:
                if fid not in lib.invalid["findings"]:
                    out.add("implies", iid, (side, fid), unknown("finding", fid, lib.findings))
                ok = False
            elif f.type is FindingType.binary and not isinstance(wanted, bool):
                out.add("implies", iid, (side, fid), f"'{fid}' is binary: give true or false")
                ok = False
            elif f.type is FindingType.categorical and isinstance(wanted, bool):
                out.add("implies", iid, (side, fid), f"'{fid}' is categorical: give a list of its values "
                                                     f"({', '.join(v.id for v in f.values)})")
                ok = False
            elif f.type is FindingType.multi:
                out.add("implies", iid, (side, fid), f"'{fid}' is multi; implications name binary or categorical findings")
                ok = False
            elif isinstance(wanted, list):
                values = {v.id for v in f.values}
                for i, v in enumerate(wanted):
                    if v not in values:
                        out.add("implies", iid, (side, fid, i), unknown(f"value of '{fid}'", v, values))
                        ok = False
        if not ok:
            continue
        if imp.then_finding in imp.if_:
            out.add("implies", iid, ("then",), "a finding cannot imply itself")
            continue
        # whenever the 'if' holds, the 'then' finding must be askable: its ancestors are present
        context: set[str] = set()
        for fid, wanted in imp.if_items:
            context.update(lib.ancestors(fid))
            if wanted is not False:
                context.add(fid)
        missing = [a for a in lib.ancestors(imp.then_finding) if a not in context]
        if missing:
            out.add("implies", iid, ("then",),
                    f"'{imp.then_finding}' is asked only when '{missing[0]}' is present, which the 'if' side does "
                    "not guarantee; an implication may only name a finding whose parents the 'if' side implies")
