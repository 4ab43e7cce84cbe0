"""Inference on the tiny library, checked against posteriors computed by hand from its numbers."""

from __future__ import annotations

import math
from pathlib import Path

import pytest

from scenegen import Demographics, UsageError, load_knowledge_base
from scenegen.content import Sex
from scenegen.inference import answer_likelihood, candidates, expected_gain, posterior

REFERENCE = Path(__file__).parent / "libraries" / "reference"  # small library with edges above its cap
ADULT = Demographics(35 * 12, Sex.male)
# tiny library: priors cold 0.6, pneumonia 0.3, pe 0.1 (adults); leak 0.05; likelihood ceiling 0.95


def test_prior_is_normalised_over_the_conditions_this_person_can_have(tiny_kb):
    assert candidates(tiny_kb, ADULT) == pytest.approx({"cold": 0.6, "pneumonia": 0.3, "pe": 0.1})
    infant = Demographics(2, Sex.female)
    assert candidates(tiny_kb, infant) == {"pneumonia": 1.0}  # cold and pe are not in the young_infant band


def test_posterior_matches_hand_computation(tiny_kb):
    post = posterior(tiny_kb, ADULT, {"fever": True, "blood_in_sputum": False})
    # P(c) * P(fever | c) * P(no blood | c); pe has no fever edge (leak 0.05), cold has no blood edge (leak)
    cold = 0.6 * 0.2 * (1 - 0.05)
    pneumonia = 0.3 * 0.8 * (1 - 0.1)
    pe = 0.1 * 0.05 * (1 - 0.3)
    total = cold + pneumonia + pe
    assert post == pytest.approx({"cold": cold / total, "pneumonia": pneumonia / total, "pe": pe / total})


def test_child_finding_with_unknown_parent_uses_the_marginal(tiny_kb):
    # night_cough is asked only when cough is present: P(night_cough) = P(cough) * P(night_cough | cough)
    assert answer_likelihood(tiny_kb, "cold", "night_cough", True, {}) == pytest.approx(0.8 * 0.5)
    assert answer_likelihood(tiny_kb, "pneumonia", "night_cough", True, {}) == pytest.approx(0.9 * 0.05)
    # with the parent known present, the conditional alone
    assert answer_likelihood(tiny_kb, "cold", "night_cough", True, {"cough": True}) == pytest.approx(0.5)
    # with the parent known absent, the question never arises: no information
    assert answer_likelihood(tiny_kb, "cold", "night_cough", False, {"cough": False}) == 1.0


def test_categorical_values_are_normalised_and_unlisted_condition_is_uniform(tiny_kb):
    assert answer_likelihood(tiny_kb, "pe", "onset", "sudden", {}) == pytest.approx(0.8)
    assert answer_likelihood(tiny_kb, "cold", "onset", "sudden", {}) == pytest.approx(0.1)
    assert answer_likelihood(tiny_kb, "pneumonia", "onset", "sudden", {}) == pytest.approx(0.5)


def test_likelihoods_are_capped_so_no_single_answer_is_certain(tiny_kb):
    # the reference library caps likelihoods at 0.9 and has edges above it: angina has pain 'obligate' (1.0)
    # and the trigger 'exercise' at 0.97
    kb = load_knowledge_base(REFERENCE)
    cap = kb.settings.max_likelihood
    assert cap == 0.9
    assert kb.likelihoods["angina"]["pain"] == cap
    assert kb.likelihoods["angina"]["triggers"]["exercise"] == cap
    assert all(p <= cap for table in kb.likelihoods.values() for v in table.values()
               for p in (v.values() if isinstance(v, dict) else [v]))
    # so answering 'no' to an obligate finding leaves the condition possible, in proportion to 1 - cap
    assert answer_likelihood(kb, "angina", "pain", False, {}) == pytest.approx(1 - cap)
    man = Demographics(40 * 12, Sex.male)  # angina 0.3, reflux 1.0, pericarditis 0.3 (male prior)
    post = posterior(kb, man, {"pain": False, "triggers": frozenset({"food"})})
    angina = 0.3 * (1 - 0.9) * ((1 - 0.9) * 0.2 * (1 - 0.4))
    reflux = 1.0 * (1 - 0.7) * ((1 - 0.1) * 0.7 * (1 - 0.05))
    pericarditis = 0.3 * (1 - 0.8) * ((1 - 0.05) * 0.05 * (1 - 0.05))  # no triggers edge: every value at the leak
    total = angina + reflux + pericarditis
    assert post == pytest.approx({"angina": angina / total, "pericarditis": pericarditis / total, "reflux": reflux / total})
    assert post["angina"] > 0.001
    # the same holds in the tiny library (cap 0.95)
    assert all(p <= 0.95 for table in tiny_kb.likelihoods.values() for p in table.values() if isinstance(p, float))


def _h(ps):
    return -sum(p * math.log2(p) for p in ps if p > 0)


def test_expected_gain_matches_hand_computation(tiny_kb):
    prior = {"cold": 0.6, "pneumonia": 0.3, "pe": 0.1}
    fever = {"cold": 0.2, "pneumonia": 0.8, "pe": 0.05}
    p_yes = sum(prior[c] * fever[c] for c in prior)
    post_yes = [prior[c] * fever[c] / p_yes for c in prior]
    post_no = [prior[c] * (1 - fever[c]) / (1 - p_yes) for c in prior]
    condition_gain = _h(prior.values()) - (p_yes * _h(post_yes) + (1 - p_yes) * _h(post_no))
    # each condition has its own disposition here, so the disposition gain equals the condition gain
    g = expected_gain(tiny_kb, prior, "fever", {})
    assert g.condition_gain == pytest.approx(condition_gain)
    assert g.disposition_gain == pytest.approx(condition_gain)
    assert g.total == pytest.approx(2 * condition_gain)


def test_a_finding_equally_likely_under_every_condition_is_worth_nothing(tiny_kb):
    g = expected_gain(tiny_kb, {"cold": 0.6, "pneumonia": 0.3, "pe": 0.1}, "uninformative", {})
    assert g.total == pytest.approx(0.0, abs=1e-12)


def test_no_condition_for_these_demographics_is_a_clear_error(tiny_copy):
    # without pneumonia in the youngest band, no condition of the tiny library applies to a baby under 3 months
    lib = tiny_copy / "conditions" / "library.yaml"
    lib.write_text(lib.read_text().replace("ages: [young_infant, child, adult]", "ages: [child, adult]", 1))
    kb = load_knowledge_base(tiny_copy)
    baby = Demographics(2, Sex.female)
    message = "no condition in the library applies to female, age band 'young_infant'"
    with pytest.raises(UsageError, match=message):
        candidates(kb, baby)
    with pytest.raises(UsageError, match=message):
        posterior(kb, baby, {"cough": True})
    assert posterior(kb, Demographics(2 * 12, Sex.female), {"cough": True})  # a child still has conditions
    # demographics that cannot exist are refused before any library is consulted
    with pytest.raises(UsageError, match="pregnant applies only to sex 'female'"):
        Demographics(30 * 12, Sex.male, pregnant=True)


def test_prior_by_sex_applies_unless_an_age_band_prior_is_given(tiny_copy):
    from scenegen import load_knowledge_base

    lib = tiny_copy / "conditions" / "library.yaml"
    lib.write_text(lib.read_text().replace("    prior: 0.3\n", "    prior: 0.3\n    prior_by_sex: {male: 0.9}\n", 1))
    kb = load_knowledge_base(tiny_copy)
    man, woman = Demographics(40 * 12, Sex.male), Demographics(40 * 12, Sex.female)
    assert kb.prior("pneumonia", man) == pytest.approx(0.9)
    assert kb.prior("pneumonia", woman) == pytest.approx(0.3)


def _plain_posterior(kb, who, observations):
    """The posterior in plain Python, in the documented order: prior log plus each finding's log likelihood
    in finding-id order, exp(log - max), divided by the correctly rounded total."""
    prior = candidates(kb, who)
    conds = sorted(prior)
    logs = []
    for c in conds:
        total = math.log(prior[c])
        for fid, answer in sorted(observations.items()):
            total += math.log(max(answer_likelihood(kb, c, fid, answer, observations), 1e-300))
        logs.append(total)
    top = max(logs)
    unnorm = [math.exp(x - top) for x in logs]
    z = math.fsum(unnorm)
    return {c: u / z for c, u in zip(conds, unnorm)}


def test_posterior_is_bit_identical_to_the_plain_python_reference(bundled_kb):
    who = Demographics(50 * 12, Sex.female)
    observations = {"chest_pain": True, "fever": False, "breathlessness": True, "cough": True,
                    "pain_radiates_arm_jaw": False, "chest_pain_pressure_tightness": True}
    assert set(observations) <= set(bundled_kb.findings)
    assert posterior(bundled_kb, who, observations) == _plain_posterior(bundled_kb, who, observations)


def test_a_subtree_program_gives_each_condition_the_likelihood_worked_out_for_it_alone(bundled_kb):
    """Rows of follow-ups below an unknown question are built from one program per set of answers; every
    condition's value is bit-for-bit the recursive likelihood's, for answers given, denied and unknown."""
    from scenegen.content import FindingType
    from scenegen.inference import _children, _subtree_likelihood, _subtree_program

    kb = bundled_kb
    tops = [f for f in sorted(kb.findings) if kb.findings[f].parent is None and _children(kb, f)
            and any(_children(kb, ch) for ch in _children(kb, f))][:6]
    tops += [f for f in sorted(kb.findings) if kb.findings[f].parent is None and _children(kb, f)][:10]
    assert tops
    checked = 0
    for top in tops:
        kids = _children(kb, top)
        for i, ch in enumerate(kids):
            f = kb.findings[ch]
            answer = (i % 2 == 0) if f.type is FindingType.binary else (
                f.values[0].id if f.type is FindingType.categorical else frozenset({f.values[0].id}))
            denied = {k: False for k in kids[i + 1:i + 3] if kb.findings[k].type is FindingType.binary}
            for obs in ({ch: answer}, {ch: answer, **denied}, {top: True, ch: answer}):
                program = _subtree_program(kb, top, obs)
                for c in sorted(kb.conditions):
                    assert program(c) == _subtree_likelihood(kb, c, top, obs), (top, obs, c)
                    checked += 1
    assert checked > 1000
