"""The symptom–condition graph on networkx, and the questions a clinician or data expert asks of it.

Nodes are ``("condition", id)``, ``("finding", id)`` and ``("complaint", id)``. Edges: condition -> finding
carrying ``p`` (P(finding | condition, parent present), binary findings; for other findings ``values``);
finding -> finding with ``kind="parent"`` (the question hierarchy); complaint -> finding (``kind="opens_with"``);
condition -> complaint (``kind="presents_with"``).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import lru_cache
from itertools import combinations

import networkx as nx

from .content import FindingType
from .knowledge import KnowledgeBase


def C(cid: str) -> tuple[str, str]:
    return ("condition", cid)


def F(fid: str) -> tuple[str, str]:
    return ("finding", fid)


def build_graph(kb: KnowledgeBase) -> nx.DiGraph:
    g = nx.DiGraph()
    for fid, f in kb.findings.items():
        g.add_node(F(fid), kind="finding", type=f.type.value, system=f.system,
                   red_flag=f.red_flag.disposition.value if f.red_flag else None)
    for fid, f in kb.findings.items():
        if f.parent is not None:
            g.add_edge(F(f.parent), F(fid), kind="parent")
    for cid, comp in kb.complaints.items():
        g.add_node(("complaint", cid), kind="complaint")
        g.add_edge(("complaint", cid), F(comp.finding), kind="opens_with")
    for cid, c in kb.conditions.items():
        g.add_node(C(cid), kind="condition", disposition=c.disposition.value, specialty=c.specialty)
        for comp in c.complaints:
            g.add_edge(C(cid), ("complaint", comp), kind="presents_with")
        for fid, p in kb.likelihoods[cid].items():
            if isinstance(p, dict):
                g.add_edge(C(cid), F(fid), kind="has_finding", values=dict(p))
            else:
                g.add_edge(C(cid), F(fid), kind="has_finding", p=p)
    return g


@lru_cache(maxsize=8)
def graph_of(kb: KnowledgeBase) -> nx.DiGraph:
    return build_graph(kb)


def conditions_sharing(kb: KnowledgeBase, finding: str) -> list[str]:
    """Conditions with an edge to ``finding``."""
    g = graph_of(kb)
    kb.finding(finding)
    return sorted(n[1] for n in g.predecessors(F(finding))
                  if n[0] == "condition" and g.edges[n, F(finding)]["kind"] == "has_finding")


def conditions_presenting_with(kb: KnowledgeBase, complaint: str) -> list[str]:
    return list(kb.presenting_with(complaint))


def _finding_ids(kb: KnowledgeBase, cid: str) -> set[str]:
    g = graph_of(kb)
    return {n[1] for n in g.successors(C(cid)) if n[0] == "finding"}


@dataclass(frozen=True)
class Separation:
    """How well one finding tells two conditions apart: Jeffreys divergence of its answer distributions."""

    finding: str
    p_a: float | dict[str, float]
    p_b: float | dict[str, float]
    divergence: float


def _jeffreys(pa: list[float], pb: list[float]) -> float:
    return sum((x - y) * math.log(x / y) for x, y in zip(pa, pb) if x > 0 and y > 0)


def _answer_dist(kb: KnowledgeBase, cid: str, fid: str) -> list[float]:
    f = kb.findings[fid]
    chain = kb.p_parent_chain(cid, fid)
    if f.type is FindingType.binary:
        p = chain * kb.p_present(cid, fid)
        return [p, 1 - p]
    values = kb.p_values(cid, fid)
    if f.type is FindingType.categorical:
        return [chain * values[v.id] for v in f.values] + [1 - chain]
    # multi: treat each value as its own yes/no question and add the divergences up
    return [x for v in f.values for x in (chain * values[v.id], 1 - chain * values[v.id])]


def separating_findings(kb: KnowledgeBase, a: str, b: str) -> list[Separation]:
    """Findings of either condition ranked by how strongly their answers differ between the two."""
    kb.condition(a), kb.condition(b)
    out = []
    for fid in sorted(_finding_ids(kb, a) | _finding_ids(kb, b)):
        da, db = _answer_dist(kb, a, fid), _answer_dist(kb, b, fid)
        if kb.findings[fid].type is FindingType.multi:
            div = sum(_jeffreys(da[i:i + 2], db[i:i + 2]) for i in range(0, len(da), 2))
        else:
            div = _jeffreys(da, db)
        pa = kb.likelihoods[a].get(fid, kb.background.get(fid, kb.settings.leak))
        pb = kb.likelihoods[b].get(fid, kb.background.get(fid, kb.settings.leak))
        out.append(Separation(fid, pa, pb, div))
    return sorted(out, key=lambda s: (-s.divergence, s.finding))


@dataclass(frozen=True)
class ConfusablePair:
    a: str
    b: str
    complaints: tuple[str, ...]
    divergence: float  # total separation over all their findings; small = hard to tell apart


def confusable_pairs(kb: KnowledgeBase, *, limit: int = 10, complaint: str | None = None) -> list[ConfusablePair]:
    """Pairs of conditions that share a presenting complaint, hardest to tell apart first."""
    pairs = []
    for x, y in combinations(sorted(kb.conditions), 2):
        shared = tuple(sorted(set(kb.conditions[x].complaints) & set(kb.conditions[y].complaints)))
        if not shared or (complaint is not None and complaint not in shared):
            continue
        total = sum(s.divergence for s in separating_findings(kb, x, y))
        pairs.append(ConfusablePair(x, y, shared, total))
    return sorted(pairs, key=lambda p: (p.divergence, p.a, p.b))[:limit]


def unused_findings(kb: KnowledgeBase) -> list[str]:
    """Findings no condition has an edge to and no complaint, modifier, must-ask or safety net names."""
    named = {c.finding for c in kb.complaints.values()} | {f for m in kb.modifiers for f in m.when.present}
    named |= {f for m in kb.modifiers for f in m.when.values} | {sc.ask for sc in kb.screens}
    named |= {f for m in kb.modifiers for f in m.when.absent}
    named |= {f.parent for f in kb.findings.values() if f.parent}
    named |= {f for warnings in kb.safety_nets.values() for f in warnings}
    return sorted(fid for fid, users in kb.used_by.items() if not users and fid not in named)
