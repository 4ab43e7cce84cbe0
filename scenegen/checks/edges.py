"""A condition's edges to findings: a real finding, its parent an edge too, a probability of the right shape, and
never a finding held to sexes the condition cannot present in."""

from __future__ import annotations

from typing import Any

from ..content import Condition, FindingEdge, FindingType
from .library import Library
from .problems import Problems, unknown


def check_edges(lib: Library, out: Problems, cid: str, c: Condition, bands: dict[str, float]) -> None:
    """Each edge once, then its finding, probability and sexes."""
    edge_ids = [e.id for e in c.findings]
    for i, edge in enumerate(c.findings):
        if edge_ids.index(edge.id) != i:
            out.add("conditions", cid, ("findings", i, "id"), f"finding '{edge.id}' is listed twice")
            continue
        check_edge(lib, out, cid, i, edge, bands, set(edge_ids))
        check_edge_sexes(lib, out, cid, i, c, edge.id)


def check_edge(lib: Library, out: Problems, cid: str, i: int, edge: FindingEdge, bands: dict[str, float],
               edge_ids: set[str]) -> None:
    """A real finding whose parent is an edge too (else it is never asked), with a probability of its type's shape:
    one for a binary finding, one per value otherwise."""
    f = lib.findings.get(edge.id)
    if f is None and edge.id in lib.invalid["findings"]:
        return
    if f is None:
        out.add("conditions", cid, ("findings", i, "id"), unknown("finding", edge.id, lib.findings))
        return
    if f.parent is not None and f.parent not in edge_ids:
        out.add("conditions", cid, ("findings", i, "id"),
                f"finding '{edge.id}' is asked only when '{f.parent}' is present, but this condition has no "
                f"edge to '{f.parent}'; add one")
    if f.type is FindingType.binary:
        if isinstance(edge.p, dict):
            out.add("conditions", cid, ("findings", i, "p"),
                    f"'{edge.id}' is binary: give one band or number, not a mapping of values")
        else:
            check_probability(lib, out, cid, ("findings", i, "p"), edge.p, bands)
        return
    if not isinstance(edge.p, dict):
        valid = ", ".join(v.id for v in f.values)
        out.add("conditions", cid, ("findings", i, "p"),
                f"'{edge.id}' is {f.type.value}: give a mapping of value -> band, with values from: {valid}")
        return
    values = {v.id for v in f.values}
    for value, p in edge.p.items():
        if value not in values:
            out.add("conditions", cid, ("findings", i, "p", value), unknown(f"value of '{edge.id}'", value, values))
        else:
            check_probability(lib, out, cid, ("findings", i, "p", value), p, bands)


def check_edge_sexes(lib: Library, out: Problems, cid: str, i: int, c: Condition, fid: str) -> None:
    """A finding held to some sexes (a vaginal discharge) is never an edge of a condition of none of them, and
    never obligatory for a condition of other sexes too: the condition could not present in them."""
    f = lib.findings.get(fid)
    if f is None or not f.sexes:
        return
    held, of = {s.value for s in f.sexes}, {s.value for s in c.sexes}
    if not held & of:
        out.add("conditions", cid, ("findings", i, "id"),
                f"'{fid}' is held to sexes {sorted(held)}, none of this condition's {sorted(of)}")
    elif of - held and obligate(lib, c, fid):
        out.add("conditions", cid, ("findings", i, "id"),
                f"'{fid}' is obligatory here but held to sexes {sorted(held)}: the condition could never "
                f"present in {sorted(of - held)}; narrow its sexes or lower the edge")


def obligate(lib: Library, c: Condition, fid: str) -> bool:
    """Whether the edge is at the model's obligatory band: the condition is ruled out when it is denied."""
    band = lib.settings.obligatory_band if lib.settings is not None else None
    return band is not None and any(e.id == fid and e.p == band for e in c.findings)


def check_probability(lib: Library, out: Problems, cid: str, loc: tuple[Any, ...], p: float | str,
                      bands: dict[str, float]) -> None:
    """An edge probability is a named frequency band or a number in [0, 1]."""
    if isinstance(p, str):
        if p not in bands:
            out.add("conditions", cid, loc, f"unknown frequency band '{p}'; valid: {', '.join(bands)}, or a number in [0, 1]")
    elif not 0 <= p <= 1:
        out.add("conditions", cid, loc, f"probability {p} is outside [0, 1]; use a number in [0, 1] or a band: {', '.join(bands)}")
