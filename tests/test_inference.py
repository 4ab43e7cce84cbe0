"""Inference on the tiny library, checked against posteriors computed by hand from its numbers."""

from __future__ import annotations

import math

import pytest

from scenegen import Demographics, UsageError
from scenegen.content import Sex
from scenegen.inference import answer_likelihood, candidates, expected_gain, posterior

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
    # obligate would be 1.0; the tiny library caps likelihoods at 0.95
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


def test_no_condition_for_these_demographics_is_a_clear_error(tiny_kb):
    from scenegen.content import Sex

    with pytest.raises(UsageError):
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
