"""A finding a condition is defined WITHOUT (the library's excluding band: chest pain for 'a raised
blood-pressure reading without symptoms') is never drawn for it, and reporting it rules the condition out.
Read 11 #13: a 93-year-old with new chest pain kept that condition as the hidden one and got a routine
disposition."""

from __future__ import annotations

import random

from scenegen import Demographics
from scenegen.content import Disposition, FindingType, Sex
from scenegen.inference import posterior
from scenegen.sample import sample_truth
from scenegen.triage import decide


def _excluded_edges(kb):
    band = kb.settings.excluding_band
    assert band is not None and kb.settings.frequency_bands[band] == 0.0
    return [(cid, e.id) for cid, c in sorted(kb.conditions.items()) for e in c.findings
            if e.p == band and kb.findings[e.id].type is FindingType.binary]


def test_an_excluded_finding_has_likelihood_zero_after_the_implications(bundled_kb):
    edges = _excluded_edges(bundled_kb)
    assert len(edges) >= 15
    for cid, fid in edges:
        assert bundled_kb.likelihoods[cid][fid] == 0.0, (cid, fid)  # not raised to the leak nor by an implication


def test_every_excluded_edge_cites_the_definition_it_comes_from(bundled_kb):
    band = bundled_kb.settings.excluding_band
    for cid, c in bundled_kb.conditions.items():
        for e in c.findings:
            if e.p == band:
                assert e.source and "definition" in e.source, (cid, e.id)


def test_a_hidden_case_never_has_a_finding_its_condition_is_defined_without(bundled_kb):
    rng = random.Random(7)
    for cid, fid in _excluded_edges(bundled_kb):
        complaint = bundled_kb.conditions[cid].complaints[0]
        for _ in range(200):
            truth = sample_truth(bundled_kb, cid, complaint, rng)
            assert truth.get(fid) is not True, (cid, fid)


def test_chest_pain_with_a_raised_reading_rules_out_the_conditions_defined_without_symptoms(bundled_kb):
    who = Demographics(93 * 12, Sex.female)
    obs = {"high_bp_reading": True, "chest_pain": True}
    post = posterior(bundled_kb, who, obs)
    assert post.get("raised_bp_reading_without_symptoms", 0.0) < 1e-200
    assert post.get("severe_hypertension_without_symptoms", 0.0) < 1e-200
    assert decide(bundled_kb, who, obs).disposition.rank >= Disposition.emergency_department.rank


def test_a_raised_reading_alone_still_is_routine(bundled_kb):
    """The exclusion takes nothing away from the case it is not about: a raised reading, symptoms denied."""
    who = Demographics(60 * 12, Sex.male)
    obs = {"high_bp_reading": True, "bp_reading_180_120": False, "chest_pain": False, "breathlessness": False,
           "headache": False, "confusion": False, "vision_change": False}
    d = decide(bundled_kb, who, obs)
    assert d.disposition is Disposition.routine
    assert "raised_bp_reading_without_symptoms" in d.plausible
