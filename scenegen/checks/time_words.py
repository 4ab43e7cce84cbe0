"""Time said in a finding's question, and time tied by implications: a 'yes' must fit the case's onset and
duration, and two findings present together must not need times that nothing fits."""

from __future__ import annotations

import re

from ..content import FindingType
from ..errors import Problem
from .library import Library
from .problems import Problems


def check_time_words(lib: Library, out: Problems) -> None:
    """A finding whose question carries a time about the problem ('did it come on suddenly', 'for several
    months') is answered 'yes' only in a case whose onset and duration agree with it: its ``implies`` must
    allow only values the time-word table says fit the words (model.time_course in _model.yaml)."""
    table = lib.settings.time_course if lib.settings is not None else None
    if table is None:
        return
    entries = {w: e for e in table.words for w in e.words}
    pattern = re.compile(r"\b(" + "|".join(re.escape(w) for w in sorted(entries, key=lambda w: (-len(w), w))) + r")\b")
    for v in (table.onset, table.duration):
        if v not in lib.findings:
            out.append(Problem("conditions/_model.yaml", 0, "model.time_course", f"unknown finding {v!r}"))
            return
    onsets = {x.id for x in lib.findings[table.onset].values}
    durations = {x.id for x in lib.findings[table.duration].values}
    if set(table.duration_days) != durations:
        out.append(Problem("conditions/_model.yaml", 0, "model.time_course.duration_days",
                           f"must give a span for each duration value: {sorted(durations)}"))
    for fid, spans in table.value_days.items():
        f = lib.findings.get(fid)
        if f is None or f.type is not FindingType.categorical or f.parent is None:
            out.append(Problem("conditions/_model.yaml", 0, "model.time_course.value_days",
                               f"{fid!r} must be a categorical finding with a parent (the moment it times)"))
            continue
        unknown = set(spans) - {x.id for x in f.values}
        if unknown:
            out.append(Problem("conditions/_model.yaml", 0, "model.time_course.value_days",
                               f"{fid}: unknown values {sorted(unknown)}"))
        for v, (lo, hi) in spans.items():
            if lo < 0 or (hi is not None and hi <= lo):
                out.append(Problem("conditions/_model.yaml", 0, "model.time_course.value_days",
                                   f"{fid}.{v}: the span {[lo, hi]} is empty"))
    for e in table.words:
        if set(e.onsets) - onsets:
            out.append(Problem("conditions/_model.yaml", 0, "model.time_course.words",
                               f"{e.words}: unknown onsets {sorted(set(e.onsets) - onsets)}"))
    for fid, f in lib.findings.items():
        if fid in (table.onset, table.duration) or not f.times_the_problem or f.type is not FindingType.binary:
            continue
        words = [m.group(1) for m in pattern.finditer(f.question.lower())]
        for w in words:
            e = entries[w]
            if e.onsets:
                allowed = f.implies.get(table.onset)
                if allowed is None or set(allowed) - set(e.onsets):
                    out.add("findings", fid, ("implies",),
                            f"its question says {w!r}, so a 'yes' needs an onset of {e.onsets}: give "
                            f"implies: {{{table.onset}: [...]}} within those, or time_words: own if the words are about "
                            f"its own episode")
            if e.days is not None:
                lo, hi = e.days
                allowed = f.implies.get(table.duration)
                bad = [d for d in (allowed or []) if d in table.duration_days and not (
                    (hi is None or table.duration_days[d][0] < hi)
                    and (table.duration_days[d][1] is None or lo < table.duration_days[d][1]))]
                if allowed is None or bad:
                    out.add("findings", fid, ("implies",),
                            f"its question says {w!r}, so a 'yes' needs a duration within {list(e.days)} days: give "
                            f"implies: {{{table.duration}: [...]}} within those (not {bad}), or time_words: own")


def check_time_clashes(lib: Library, out: Problems) -> None:
    """Two findings that tie the same categorical finding to values with none in common (a breathlessness that
    came on suddenly; one getting gradually worse over days) cannot both be present: the sampler could keep
    only one of them, so an implication must make one absent when the other is present."""
    ties: list[tuple[frozenset[str], str, frozenset[str], str]] = []  # (present findings, target, values, where)
    for fid, f in lib.findings.items():
        for target, allowed in f.implies.items():
            ties.append((frozenset([fid]), target, frozenset(allowed), f"findings[{fid}]"))
    for iid, imp in lib.implies.items():
        (target, allowed), = imp.then.items()
        if isinstance(allowed, list) and all(v is True for v in imp.if_.values()):
            ties.append((frozenset(imp.if_), target, frozenset(allowed), f"implies[{iid}]"))
    excludes = {(a, b) for imp in lib.implies.values() for a, va in imp.if_.items() for b, vb in imp.then.items()
                if va is True and vb is False}
    edges = {cid: {e.id for e in c.findings} for cid, c in lib.conditions.items()}
    together = lambda s: [cid for cid, ids in edges.items() if s <= ids]  # noqa: E731 (conditions with all of them)
    for i, (s1, t1, a1, w1) in enumerate(ties):
        for s2, t2, a2, w2 in ties[i + 1:]:
            if t1 != t2 or a1 & a2 or s1 & s2 or not together(s1 | s2):
                continue
            if any((x, y) in excludes or (y, x) in excludes for x in s1 for y in s2):
                continue
            kind, item = w2.split("[", 1)
            out.add(kind, item.rstrip("]"), (),
                    f"it ties {t1} to {sorted(a2)} and {w1} to {sorted(a1)}: nothing fits both, so add an implication "
                    f"that makes one of {sorted(s1)} absent when one of {sorted(s2)} is present (consistency.yaml); "
                    f"both are in {together(s1 | s2)[0]}")
