"""References that several areas share the shape of: a mapping of categorical finding -> some of its values,
and a list of advice items."""

from __future__ import annotations

from typing import Any, Callable

from ..content import Advice, FindingType
from .library import Library
from .problems import Problems, unknown


def check_binary_ref(lib: Library, out: Problems, kind: str, item_id: str, field: str, fid: str,
                     not_binary: Callable[[str], str]) -> None:
    """A reference to a finding that must be binary (a complaint's finding, a finding's parent): a real one
    (not one already reported as invalid), and binary; ``not_binary`` words the problem from the type found."""
    f = lib.findings.get(fid)
    if f is None and fid in lib.invalid["findings"]:
        return
    if f is None:
        out.add(kind, item_id, (field,), unknown("finding", fid, lib.findings))
    elif f.type is not FindingType.binary:
        out.add(kind, item_id, (field,), not_binary(f.type.value))


def check_values(lib: Library, out: Problems, kind: str, item_id: str, loc: tuple[Any, ...],
                 values: dict[str, list[str]]) -> None:
    """A mapping of categorical finding -> some of its values (a 'when.values' or a finding's 'implies')."""
    for fid, allowed in values.items():
        f = lib.findings.get(fid)
        if f is None and fid in lib.invalid["findings"]:
            continue
        if f is None:
            out.add(kind, item_id, loc + (fid,), unknown("finding", fid, lib.findings))
            continue
        if f.type is not FindingType.categorical:
            out.add(kind, item_id, loc + (fid,), f"'{fid}' is {f.type.value}; only a categorical finding's "
                                                 "values can be named here")
            continue
        if not allowed:
            out.add(kind, item_id, loc + (fid,), f"name at least one value of '{fid}'")
        valid = {v.id for v in f.values}
        for i, value in enumerate(allowed):
            if value not in valid:
                out.add(kind, item_id, loc + (fid, i), unknown(f"value of '{fid}'", value, valid))


def check_advice(lib: Library, out: Problems, kind: str, item_id: str, loc: tuple[Any, ...], items: list[Advice], bands: set[str],
                 ages: list[str] | None) -> None:
    """Advice items name real age bands (within the condition's own, for a condition) and real ids in not_with
    and medicines."""
    for i, item in enumerate(items):
        for j, band in enumerate(item.ages):
            if band not in bands:
                out.add(kind, item_id, loc + (i, "ages", j), unknown("age band", band, bands))
            elif ages is not None and band not in ages:
                out.add(kind, item_id, loc + (i, "ages", j),
                        f"age band '{band}' is not one of the condition's ages {ages}: nobody there can be given it")
        for j, mid in enumerate(item.medicines):
            if mid not in lib.medicines:
                out.add(kind, item_id, loc + (i, "medicines", j), unknown("medicine", mid, lib.medicines))
        for field in ("not_with", "only_with"):
            for j, other in enumerate(getattr(item, field)):
                if other not in lib.findings and other not in lib.conditions:
                    out.add(kind, item_id, loc + (i, field, j),
                            unknown("finding or condition", other, list(lib.findings) + list(lib.conditions)))
