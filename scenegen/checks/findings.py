"""Findings: what each implies, presupposes and has as parent, their ages, backgrounds and red-flag first aid."""

from __future__ import annotations

from ..content import FindingType, ModelSettings
from .library import Library
from .problems import Problems, unknown
from .refs import check_advice, check_binary_ref, check_values
from .time_words import check_time_clashes, check_time_words


def check_findings(lib: Library, out: Problems) -> None:
    """Every check of findings that needs no model settings, in the order their problems are listed."""
    check_value_implies(lib, out)
    check_time_words(lib, out)
    check_time_clashes(lib, out)
    check_cause_of(lib, out)
    check_implied_clashes(lib, out)
    check_presupposes(lib, out)
    check_parents(lib, out)
    check_parent_cycles(lib, out)


def check_value_implies(lib: Library, out: Problems) -> None:
    """What a finding, or one of its values, implies names real values; a value cannot constrain its own finding."""
    for fid, f in lib.findings.items():
        check_values(lib, out, "findings", fid, ("implies",), f.implies)
        for i, v in enumerate(f.values):
            check_values(lib, out, "findings", fid, ("values", i, "implies"), v.implies)
            if fid in v.implies:
                out.add("findings", fid, ("values", i, "implies", fid), "a value cannot constrain its own finding")


def check_cause_of(lib: Library, out: Problems) -> None:
    """A finding given as the cause of a complaint names a real complaint."""
    for fid, f in lib.findings.items():
        for i, c in enumerate(f.cause_of):
            if c not in lib.complaints:
                out.add("findings", fid, ("cause_of", i), unknown("complaint", c, lib.complaints))


def check_implied_clashes(lib: Library, out: Problems) -> None:
    """An implication the sampler could not keep together with a value's own; only findings that imply and values
    that imply can clash, so each side is listed once (pairing every finding with every other took 27 s on a
    library of 5,000 findings)."""
    implying_values = [(gid, u) for gid, g in lib.findings.items() if g.type is FindingType.categorical
                       for u in g.values if u.implies]
    for fid, f in lib.findings.items():
        if not f.implies:
            continue
        for gid, u in implying_values:
            if gid == fid or gid in f.implies:
                continue
            clash = [t for t, allowed in u.implies.items() if t in f.implies and not set(allowed) & set(f.implies[t])]
            if clash:
                out.add("findings", fid, ("implies",),
                        f"it allows {clash[0]} {f.implies[clash[0]]}, which {gid} {u.id!r} rules out "
                        f"(it needs {u.implies[clash[0]]}): say which values of {gid} it allows too")


def check_presupposes(lib: Library, out: Problems) -> None:
    """A finding can presuppose only a yes to a real binary finding."""
    for fid, f in lib.findings.items():
        for i, other in enumerate(f.presupposes):
            if other not in lib.findings and other not in lib.invalid["findings"]:
                out.add("findings", fid, ("presupposes", i), unknown("finding", other, lib.findings))
            elif other in lib.findings and lib.findings[other].type is not FindingType.binary:
                out.add("findings", fid, ("presupposes", i), f"'{other}' is not binary: only a yes can be presupposed")


def check_parents(lib: Library, out: Problems) -> None:
    """A parent is a real binary finding: its child is asked only when it is present."""
    for fid, f in lib.findings.items():
        if f.parent is None:
            continue
        check_binary_ref(lib, out, "findings", fid, "parent", f.parent,
                         lambda kind, pid=f.parent: f"parent '{pid}' is {kind}; a parent must be binary")


def check_parent_cycles(lib: Library, out: Problems) -> None:
    """A cycle of parents could never be asked; each is reported once, at its smallest id."""
    reported: set[str] = set()
    for fid in lib.findings:
        seen: list[str] = []
        node: str | None = fid
        while node is not None and node in lib.findings and node not in seen:
            seen.append(node)
            node = lib.findings[node].parent
        if node is not None and node in seen:
            cycle = seen[seen.index(node):]
            key = min(cycle)
            if key not in reported:
                reported.add(key)
                out.add("findings", key, ("parent",), "parent cycle: " + " -> ".join(cycle + [node]))


def check_finding_ages(lib: Library, out: Problems, settings: ModelSettings) -> None:
    """Ages, background and red-flag first aid name the model's own bands, and moot warnings real findings."""
    bands = {b.id for b in settings.age_bands}
    for fid, f in lib.findings.items():
        for i, band in enumerate(f.ages):
            if band not in bands:
                out.add("findings", fid, ("ages", i), unknown("age band", band, bands))
        bg = f.background
        if isinstance(bg, str) and bg not in settings.frequency_bands:
            out.add("findings", fid, ("background",), unknown("frequency band", bg, settings.frequency_bands))
        elif isinstance(bg, (int, float)) and not 0 <= bg <= 1:
            out.add("findings", fid, ("background",), f"background {bg} is not a probability in [0, 1]")
        if f.red_flag is not None:
            check_advice(lib, out, "findings", fid, ("red_flag", "first_aid"), f.red_flag.first_aid, bands, None)
            for i, other in enumerate(f.red_flag.warning_moot_with):
                if other not in lib.findings or other == fid:
                    out.add("findings", fid, ("red_flag", "warning_moot_with", i),
                            unknown("finding", other, set(lib.findings) - {fid}))
            for i, other in enumerate(f.red_flag.warn_also):
                g = lib.findings.get(other)
                if g is None or other == fid:
                    out.add("findings", fid, ("red_flag", "warn_also", i), unknown("finding", other, set(lib.findings) - {fid}))
                elif g.red_flag is None or not g.red_flag.warning or \
                        g.red_flag.net_disposition.rank <= f.red_flag.disposition.rank:
                    out.add("findings", fid, ("red_flag", "warn_also", i),
                            f"{other!r} must be a red flag with a warning that calls for more urgent care than this one")
