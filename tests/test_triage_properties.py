"""Hypothesis properties of the posterior, the expected gain and the safety-first disposition."""

from __future__ import annotations

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from scenegen import Demographics, UsageError
from scenegen.content import Sex
from scenegen.inference import expected_gain, posterior
from scenegen.triage import ancestors, assess, baseline_observations, decide, imply_parents


@st.composite
def demographics(draw):
    sex = draw(st.sampled_from(list(Sex)))
    age = draw(st.integers(0, 100 * 12))
    pregnant = sex is Sex.female and 16 * 12 <= age < 45 * 12 and draw(st.booleans())
    return Demographics(age, sex, pregnant)


@st.composite
def observations(draw, kb, max_size=8):
    """Yes/no answers to binary findings, consistent with the question hierarchy."""
    binary = sorted(f for f, x in kb.findings.items() if x.type.value == "binary")
    chosen = draw(st.lists(st.sampled_from(binary), max_size=max_size, unique=True))
    obs = {f: draw(st.booleans()) for f in chosen}
    for f in list(obs):  # a child with its parent reported absent cannot be reported: drop it
        parent = kb.findings[f].parent
        while parent is not None:
            if obs.get(parent) is False:
                obs.pop(f, None)
                break
            parent = kb.findings[parent].parent
    return imply_parents(kb, obs)


def _case(draw, kb):
    who = draw(demographics())
    obs = draw(observations(kb))
    try:
        post = posterior(kb, who, obs)
    except UsageError:
        assume(False)
    return who, obs, post


@pytest.fixture(params=["tiny", "bundled"])
def kb(request):
    return request.getfixturevalue(f"{request.param}_kb")


@given(data=st.data())
def test_posterior_is_a_distribution(kb, data):
    _, _, post = _case(data.draw, kb)
    assert sum(post.values()) == pytest.approx(1.0, abs=1e-9)
    assert all(0.0 <= p <= 1.0 for p in post.values())


# 'a present red flag never lowers the disposition' lives in test_red_flag_monotonicity.py, with strategies
# aimed at the corners where it broke.


@given(data=st.data())
def test_disposition_is_never_below_a_condition_plausible_on_evidence(kb, data):
    who, obs, post = _case(data.draw, kb)
    d = decide(kb, who, obs, post)
    entries = {x.finding for x in kb.complaints.values()}
    evidence = {f for f, a in obs.items() if a is True and (kb.findings[f].kind.value in ("symptom", "sign") or f in entries)}

    def on_evidence(c: str) -> bool:
        """a symptom or sign of its own reported present; a non-specific one (fever, cough: it has a background
        rate) only for a condition that presents with it as a complaint"""
        complaints = {x.finding for x in kb.complaints.values() if x.id in kb.conditions[c].complaints}
        return any(f in kb.likelihoods[c] and (kb.findings[f].background is None or f in complaints) for f in evidence)

    def ruled_out_by_asking(c: str) -> bool:
        """every one of its rule-out questions answered no (or a question above it)"""
        rules = kb.conditions[c].rule_out
        return bool(rules) and all(obs.get(f) is False or any(obs.get(a) is False for a in ancestors(kb, f))
                                   for f in rules)

    for c, p in post.items():
        if p >= kb.settings.plausible_threshold and on_evidence(c) and not ruled_out_by_asking(c):
            # its own level, or the lower one it carries until a sign that makes it suspected is reported
            assert d.disposition.rank >= kb.conditions[c].level(obs).rank, (c, p)


@given(data=st.data())
def test_a_condition_with_no_reported_symptom_or_sign_of_its_own_is_not_counted_as_plausible(kb, data):
    """A dangerous condition stays plausible only on evidence (a symptom or sign of its own, or the complaint
    called about), never on its prior alone."""
    who, obs, post = _case(data.draw, kb)
    d = decide(kb, who, obs, post)
    entries = {x.finding for x in kb.complaints.values()}
    evidence = {f for f, a in obs.items() if a is True and (kb.findings[f].kind.value in ("symptom", "sign") or f in entries)}
    for c in d.plausible:
        assert evidence & set(kb.likelihoods[c]), c


@given(data=st.data())
def test_disposition_is_never_below_a_reported_red_flag_or_modifier(kb, data):
    who, obs, post = _case(data.draw, kb)
    d = decide(kb, who, obs, post)
    for r in d.reasons:
        assert d.disposition.rank >= r.disposition.rank
    for f, answer in obs.items():
        rf = kb.findings[f].red_flag
        if answer is True and rf is not None:
            assert d.disposition.rank >= rf.disposition.rank


@given(data=st.data())
def test_uninformative_finding_has_zero_gain_whatever_else_is_known(tiny_kb, data):
    who, obs, post = _case(data.draw, tiny_kb)
    assume("uninformative" not in obs)
    assert expected_gain(tiny_kb, post, "uninformative", obs).total == pytest.approx(0.0, abs=1e-9)


@given(data=st.data())
def test_next_questions_are_unasked_and_askable(kb, data):
    who, obs, _ = _case(data.draw, kb)
    result = assess(kb, who, obs, n_questions=10)
    known = {**baseline_observations(kb, who), **obs}  # a known pregnancy is itself an observation
    for q in result.next_questions:
        assert q.finding not in known
        parent = kb.findings[q.finding].parent
        assert parent is None or known.get(parent) is True
        assert q.expected_gain >= 0


@given(data=st.data())
def test_vectorised_question_scores_equal_the_reference_implementation(kb, data):
    """numpy ranks the questions during generation; the plain-Python expected_gain is the reference."""
    from scenegen.triage import score_questions

    who, obs, post = _case(data.draw, kb)
    d = decide(kb, who, obs, post)
    band = kb.age_band(who.age_months)
    fast = score_questions(kb, post, obs, d.plausible, d.disposition, age_band=band, tables=True)
    slow = score_questions(kb, post, obs, d.plausible, d.disposition, age_band=band, tables=False)
    assert [q.finding for q in fast] == [q.finding for q in slow]
    for a, b in zip(fast, slow):
        assert a.expected_gain == pytest.approx(b.expected_gain, abs=1e-9)
        assert a.disposition_gain == pytest.approx(b.disposition_gain, abs=1e-9)
        assert a.red_flag == b.red_flag


@given(data=st.data())
def test_screens_only_is_the_head_of_the_full_ranking(kb, data):
    """Once the question budget is spent the planner scores only red-flag screens; that must pick what the
    full ranking would have picked."""
    from scenegen.triage import score_questions

    who, obs, post = _case(data.draw, kb)
    d = decide(kb, who, obs, post)
    band = kb.age_band(who.age_months)
    limit = data.draw(st.integers(1, 4))
    full = score_questions(kb, post, obs, d.plausible, d.disposition, age_band=band, limit=limit)
    screens = score_questions(kb, post, obs, d.plausible, d.disposition, age_band=band, limit=limit,
                              screens_only=True)
    assert screens == [q for q in full if q.red_flag is not None]


@given(data=st.data())
def test_relevant_findings_are_the_askable_ones_linked_to_a_condition_in_view(kb, data):
    """The set-algebra version equals the definition: askable now, linked to a condition in the posterior,
    reportable at this age, and linked to a condition presenting with a complaint reported (if any was)."""
    from scenegen.inference import askable, focus, relevant_findings

    who, obs, post = _case(data.draw, kb)
    focused = focus(post)
    band = kb.age_band(who.age_months)
    linked = {f for c in focused for f in kb.likelihoods[c]}
    reported = {cid for cid, comp in kb.complaints.items() if obs.get(comp.finding) is True}
    reasonable = {f for cid in reported for c in kb.presenting_with(cid) for f in kb.likelihoods[c]}
    expected = [f for f in askable(kb, obs) if f in linked and kb.reportable(f, band)
                and (not reported or f in reasonable)]
    assert relevant_findings(kb, focused, obs, band) == expected


@given(data=st.data())
def test_the_posterior_does_not_depend_on_the_order_observations_were_learnt(kb, data):
    """States are cached by the set of observations, so the posterior must be a function of that set."""
    who, obs, post = _case(data.draw, kb)
    shuffled = dict(data.draw(st.permutations(list(obs.items()))))
    assert posterior(kb, who, shuffled) == post


def test_an_edge_added_by_an_implication_counts_as_evidence(bundled_kb):
    """A fit implies a blackout (conditions/consistency.yaml), so a blackout reported for a toddler is evidence
    for the seizure conditions: they stay plausible and decide the level (found by the property above)."""
    d = decide(bundled_kb, Demographics(14, Sex.female), {"fainting": True})
    assert "first_unprovoked_seizure" in d.plausible
    assert d.disposition.rank >= bundled_kb.conditions["first_unprovoked_seizure"].disposition.rank


def test_a_poisoning_call_is_not_asked_about_joint_pain_or_a_head_injury(bundled_kb):
    """Information questions are reasonable for the complaint: linked to a condition that presents with it (the
    blind read found 'does your son have pain in a joint?' and 'has he hit his head?' after a swallowed packet
    of tablets, chosen for their information gain alone)."""
    from scenegen.inference import focus, posterior, relevant_findings

    who = Demographics(36, Sex.male)
    obs = {"swallowed_harmful_substance": True, "vomiting": True, "fever": False}
    asked = relevant_findings(bundled_kb, focus(posterior(bundled_kb, who, obs)), obs, bundled_kb.age_band(36))
    assert "substance_taken" in asked
    assert "joint_pain" not in asked and "head_injury" not in asked
