"""Summaries of a knowledge base for people (kb check) and for programs (kb export)."""

from __future__ import annotations

from collections import Counter
from typing import Any

from .content import Disposition
from .graph import conditions_presenting_with, confusable_pairs, unused_findings
from .knowledge import KnowledgeBase

_EMERGENCY = {Disposition.emergency_ambulance, Disposition.emergency_department}
_LOW = {Disposition.routine, Disposition.self_care}
_SHORT = {Disposition.emergency_ambulance: "AMB", Disposition.emergency_department: "ED", Disposition.urgent: "URG",
          Disposition.routine: "ROUT", Disposition.self_care: "SELF"}


def warnings(kb: KnowledgeBase) -> list[str]:
    """Things that are valid but weaken the library; not errors."""
    out = []
    for fid in unused_findings(kb):
        file, line = kb.locations[("findings", fid)]
        out.append(f"{file}:{line}: finding '{fid}' is used by no condition, complaint or modifier")
    for comp in sorted(kb.complaints):
        conds = conditions_presenting_with(kb, comp)
        levels = {kb.conditions[c].disposition for c in conds}
        if not conds:
            out.append(f"complaint '{comp}' has no condition")
            continue
        if not levels & _EMERGENCY:
            out.append(f"complaint '{comp}' has no condition needing emergency care, so its openings cannot be "
                       "ambiguous across urgency")
        if not levels & _LOW:
            out.append(f"complaint '{comp}' has no condition needing only routine or self care")
    out += missing_must_ask_edges(kb)
    for cid, c in sorted(kb.conditions.items()):
        if c.disposition in _LOW and not c.advice:
            out.append(f"condition '{cid}' is {c.disposition.value} but gives no self-care advice")
    return out


def missing_must_ask_edges(kb: KnowledgeBase) -> list[str]:
    """A categorical must-ask (the time course) that a condition presenting with a complaint it covers has no
    edge to: every answer would be equally likely under that condition, and its cases would draw the answer
    at random. Each such condition needs an edge with bands per value."""
    from .content import FindingKind, FindingType

    out = []
    for sc in kb.screens:
        if kb.findings[sc.ask].type is not FindingType.categorical:
            continue
        w = sc.when
        if w.pregnant is not None or w.sex is not None or w.age_below_months or w.age_at_least_months:
            continue  # asked of some callers only (gestation, of pregnant women): uniform elsewhere is right
        covered = set(sc.when.any_present) | set(sc.when.present)
        # asked only of callers with a history (known diabetes): a condition with no edge to that history has it
        # only at its background or leak rate, so its few such cases draw the answer at random, not every caller with its complaints
        gates = [f for f in sc.when.present if kb.findings[f].kind in (FindingKind.history, FindingKind.risk_factor)]
        for cid, c in sorted(kb.conditions.items()):
            entries = {kb.complaints[comp].finding for comp in c.complaints}
            if any(f not in kb.likelihoods[cid] for f in gates):
                continue
            if (not covered or entries & covered) and sc.ask not in kb.likelihoods[cid]:
                file, line = kb.locations[("conditions", cid)]
                out.append(f"{file}:{line}: condition '{cid}' has no edge to '{sc.ask}', which must-ask "
                           f"'{sc.id}' asks of every caller with its complaints; add {{id: {sc.ask}, p: {{...}}}}")
    return out


def _disposition_mix(kb: KnowledgeBase, conds: list[str]) -> str:
    counts = Counter(kb.conditions[c].disposition for c in conds)
    return " ".join(f"{_SHORT[d]} {counts[d]}" for d in Disposition if counts[d])


def unreachable_conditions(kb: KnowledgeBase, personas) -> list[str]:
    """Conditions that no persona of the library can have with any of their complaints, so no opening reaches them."""
    from .content import Sex
    from .knowledge import Demographics
    from .sample import Filters, eligible

    reachable: set[str] = set()
    lo, hi = personas.pregnancy_ages_months
    for group in personas.age_groups:
        ages = {group.min_months, group.max_months}
        ages |= {a for a in (lo, hi) if group.min_months <= a <= group.max_months}
        for age in sorted(ages):
            for sex in Sex:
                for pregnant in ((False, True) if sex is Sex.female and lo <= age <= hi and personas.pregnancy_rate > 0 else (False,)):
                    reachable |= {c for c, _, w in eligible(kb, Demographics(age, sex, pregnant), Filters()) if w > 0}
    return sorted(set(kb.conditions) - reachable)


def summary(kb: KnowledgeBase, *, coverage: bool = False, personas=None) -> str:
    """The text `scenegen kb check` prints for a library that loaded."""
    red_flags = kb.red_flags()
    lines = [
        f"{len(kb.conditions)} conditions, {len(kb.findings)} findings ({len(red_flags)} red flags), "
        f"{len(kb.complaints)} complaints, {len(kb.modifiers)} demographic modifiers",
        f"content sha256 {kb.content_hash[:16]}",
        "",
        "Conditions by presenting complaint (dispositions):",
    ]
    for comp in sorted(kb.complaints):
        conds = conditions_presenting_with(kb, comp)
        lines.append(f"  {comp:<20} {len(conds):>3}   {_disposition_mix(kb, conds)}")
    lines += ["", "Conditions by specialty:"]
    by_spec = Counter(c.specialty for c in kb.conditions.values())
    for spec, n in sorted(by_spec.items(), key=lambda kv: (-kv[1], kv[0])):
        lines.append(f"  {spec:<20} {n:>3}")
    lines += ["", "Conditions by disposition:"]
    by_disp = Counter(c.disposition for c in kb.conditions.values())
    for d in Disposition:
        lines.append(f"  {d.value:<20} {by_disp[d]:>3}")
    lines += ["", "Red flags by the disposition they force:"]
    by_flag = Counter(f.red_flag.disposition for f in red_flags.values() if f.red_flag)
    for d in Disposition:
        if by_flag[d]:
            lines.append(f"  {d.value:<20} {by_flag[d]:>3}")
    if coverage:
        lines += ["", "Conditions by age band (can occur in):"]
        for band in kb.settings.age_bands:
            n = sum(1 for c in kb.conditions.values() if band.id in c.ages)
            lines.append(f"  {band.id:<20} {n:>3}")
        lines += ["", "Most confusable pairs (share a complaint; lowest total separation first):"]
        for pair in confusable_pairs(kb, limit=10):
            lines.append(f"  {pair.a} ~ {pair.b}  [{', '.join(pair.complaints)}]  separation {pair.divergence:.2f}")
        unused = unused_findings(kb)
        lines += ["", f"Findings no condition uses: {len(unused)}"] + [f"  {f}" for f in unused]
        if personas is not None:
            unreachable = unreachable_conditions(kb, personas)
            lines += ["", f"Conditions no generated opening can reach (no persona can have them): {len(unreachable)}"]
            lines += [f"  {c}" for c in unreachable]
    warns = warnings(kb)
    lines += ["", f"Warnings: {len(warns)}"] + [f"  {w}" for w in warns]
    return "\n".join(lines)


def export(kb: KnowledgeBase) -> dict[str, Any]:
    """The whole knowledge base as one JSON-ready document (`scenegen kb export`)."""
    return {
        "content_sha256": kb.content_hash,
        "conditions": [
            {
                "id": cid, "name": c.name, "lay_name": c.lay_name, "icd10": c.icd10, "specialty": c.specialty,
                "complaints": list(c.complaints), "disposition": c.disposition.value,
                "crisis_resource": c.crisis_resource.value,
                "prior": kb.settings.prior_bands[c.prior] if isinstance(c.prior, str) else c.prior,
                "prior_by_age": dict(kb.prior_weights[cid]),
                "ages": list(c.ages), "sexes": [s.value for s in c.sexes], "pregnancy": c.pregnancy.value,
                "findings": [{"id": fid, "p": p} for fid, p in kb.likelihoods[cid].items()],
                "sources": list(c.sources),
            }
            for cid, c in kb.conditions.items()
        ],
        "findings": [
            {
                "id": fid, "name": f.name, "type": f.type.value, "kind": f.kind.value, "system": f.system,
                "parent": f.parent, "question": f.question, "lay": list(f.lay),
                "values": [v.id for v in f.values],
                "red_flag": f.red_flag.disposition.value if f.red_flag else None,
                "red_flag_source": f.red_flag.source if f.red_flag else None,
            }
            for fid, f in kb.findings.items()
        ],
        "complaints": [{"id": cid, "name": c.name, "finding": c.finding} for cid, c in kb.complaints.items()],
        "modifiers": [
            {"id": m.id, "when": m.when.model_dump(mode="json", exclude_none=True), "disposition": m.disposition.value,
             "source": m.source}
            for m in kb.modifiers
        ],
    }
