"""Graph queries: shared findings, separating findings, confusable pairs."""

from __future__ import annotations

from pathlib import Path

import pytest

from scenegen import UsageError, load_knowledge_base
from scenegen.graph import (
    build_graph, conditions_presenting_with, conditions_sharing, confusable_pairs, separating_findings, unused_findings,
)


def test_graph_has_condition_finding_and_parent_edges(tiny_kb):
    g = build_graph(tiny_kb)
    assert g.edges[("condition", "pneumonia"), ("finding", "fever")]["p"] == pytest.approx(0.8)
    assert g.edges[("finding", "cough"), ("finding", "night_cough")]["kind"] == "parent"
    assert g.edges[("condition", "pe"), ("finding", "onset")]["values"] == pytest.approx({"sudden": 0.8, "gradual": 0.2})


def test_conditions_sharing_a_finding(tiny_kb):
    assert conditions_sharing(tiny_kb, "blood_in_sputum") == ["pe", "pneumonia"]
    assert conditions_sharing(tiny_kb, "cough") == ["cold", "pe", "pneumonia"]
    with pytest.raises(UsageError, match="did you mean"):
        conditions_sharing(tiny_kb, "feverr")


def test_separating_findings_rank_the_most_different_first(tiny_kb):
    seps = separating_findings(tiny_kb, "cold", "pneumonia")
    assert seps[0].finding == "fever"  # 0.2 vs 0.8: the largest difference between the two
    uninformative = next(s for s in seps if s.finding == "uninformative")
    assert uninformative.divergence == pytest.approx(0.0)


def test_confusable_pairs_share_a_complaint_and_are_ordered(tiny_kb):
    pairs = confusable_pairs(tiny_kb, limit=10)
    assert len(pairs) == 3 and all(p.complaints == ("cough",) for p in pairs)
    assert [p.divergence for p in pairs] == sorted(p.divergence for p in pairs)


def test_complaint_index(tiny_kb):
    assert conditions_presenting_with(tiny_kb, "cough") == ["cold", "pe", "pneumonia"]


def test_unused_findings_are_found(tiny_kb):
    assert unused_findings(tiny_kb) == []
    # the flawed library has two findings nothing uses; fever is named by a modifier only, lump only as
    # lump_growing's parent, and neither counts as unused
    flawed = load_knowledge_base(Path(__file__).parent / "libraries" / "flawed")
    assert unused_findings(flawed) == ["lump_growing", "orphan"]
