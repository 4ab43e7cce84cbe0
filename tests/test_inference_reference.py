"""An independent reference for inference: the generative story enumerated by brute force.

The documented model (scenegen/inference.py's docstring, docs/authoring.md, the libraries' _model.yaml):

* exactly one condition, drawn with probability proportional to its prior weight among the conditions
  this person can have (ages, sexes, pregnancy; an age-band prior before a sex prior before ``prior``);
* given the condition, every finding independently: present with its edge's probability (a band word is
  looked up in ``frequency_bands``), or, when the condition has no edge to it, at the finding's own
  ``background`` rate if it has one and at the ``leak`` rate otherwise; no
  probability above ``max_likelihood``; a categorical finding takes one value (edge values normalised, no
  edge: every value equally likely); a multi finding has each value independently;
* a finding with a parent exists only when its parent is present: its probability is conditional on the
  parent being present, and when the parent is absent the question never arises.

The reference below enumerates every joint state (condition, state of every finding) of a small library
with its probability, and answers P(condition | observations) by summing the joint over every state
consistent with what was observed: a finding reported absent is consistent with "absent" and with "the
question never arose" (an ancestor absent); a finding reported present (or with a value) needs every
ancestor present. It reads only raw numbers from the loaded library (the condition's edges as written, the
bands, the leak, the cap, the priors) and calls no scenegen inference code, so a wrong formula in
``answer_likelihood``, ``posterior`` or ``expected_gain`` shows up as a disagreement.

The one rule the joint cannot express, and which the docstring states, is that a finding reported while an
ancestor is reported absent "carries no information": such observations are dropped before summing.
"""

from __future__ import annotations

import itertools
import math
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from scenegen import Demographics, load_knowledge_base
from scenegen.content import Disposition, FindingType, Pregnancy, Sex
from scenegen.inference import GainTables, expected_gain, posterior
from scenegen.triage import assess


REFERENCE = Path(__file__).parent / "libraries" / "reference"
NA = -1  # the state of a finding whose question never arises (an ancestor is absent)


# ---------------------------------------------------------------------------------------------------------
# The reference


class Joint:
    """Every joint state of a library, one row per (condition, state of every finding), with
    P(states | condition). States: binary 0/1, categorical the value's index, multi a bit mask of the values
    present, NA when an ancestor is absent."""

    def __init__(self, kb):
        self.kb = kb
        self.settings = kb.settings
        self.conds = sorted(kb.conditions)
        self.order = self._parents_first(kb)
        self.col = {fid: i for i, fid in enumerate(self.order)}
        states, cond_index, probs = [], [], []
        for i, c in enumerate(self.conds):
            for row, p in self._rows(c):
                states.append(row)
                cond_index.append(i)
                probs.append(p)
        self.states = np.array(states, dtype=np.int64)
        self.cond_index = np.array(cond_index)
        self.likelihood = np.array(probs)
        for i in range(len(self.conds)):  # each condition's rows are a distribution
            assert math.isclose(self.likelihood[self.cond_index == i].sum(), 1.0, rel_tol=1e-12)

    # --- raw numbers ------------------------------------------------------------------------------------
    @staticmethod
    def _parents_first(kb) -> list[str]:
        depth = {}
        for fid in kb.findings:
            d, parent = 0, kb.findings[fid].parent
            while parent is not None:
                d, parent = d + 1, kb.findings[parent].parent
            depth[fid] = d
        return sorted(kb.findings, key=lambda f: (depth[f], f))

    def _number(self, p) -> float:
        value = self.settings.frequency_bands[p] if isinstance(p, str) else float(p)
        assert value >= self.settings.leak, "the documented model says nothing of an edge below the leak"
        return min(value, self.settings.max_likelihood)

    def _edge(self, condition: str, finding: str):
        return next((e.p for e in self.kb.conditions[condition].findings if e.id == finding), None)

    def distribution(self, condition: str, finding: str) -> list[tuple[int, float]]:
        """(state, P(state | condition, parent present)) for every state of the finding."""
        f = self.kb.findings[finding]
        raw = self._edge(condition, finding)
        leak = self.settings.leak
        if f.type is FindingType.binary:
            if raw is None:
                p = leak if f.background is None else self._number(f.background)
            else:
                p = self._number(raw)
            return [(1, p), (0, 1.0 - p)]
        ids = [v.id for v in f.values]
        if f.type is FindingType.categorical:
            if raw is None:
                return [(i, 1.0 / len(ids)) for i in range(len(ids))]
            assert set(raw) == set(ids), "the reference library lists every value"
            weights = [self._number(raw[v]) for v in ids]
            return [(i, w / sum(weights)) for i, w in enumerate(weights)]
        ps = [leak] * len(ids) if raw is None else [self._number(raw[v]) for v in ids]
        out = []
        for mask in range(2 ** len(ids)):
            prob = 1.0
            for i, p in enumerate(ps):
                prob *= p if mask >> i & 1 else 1.0 - p
            out.append((mask, prob))
        return out

    def _rows(self, condition: str):
        rows: list[tuple[tuple[int, ...], float]] = [((), 1.0)]
        for fid in self.order:
            parent = self.kb.findings[fid].parent
            dist = self.distribution(condition, fid)
            nxt = []
            for row, p in rows:
                if parent is not None and row[self.col[parent]] != 1:
                    nxt.append((row + (NA,), p))  # the parent is absent (or never arose): so is the question
                else:
                    nxt.extend((row + (state,), p * q) for state, q in dist)
            rows = nxt
        return rows

    def prior(self, condition: str, who: Demographics) -> float:
        c = self.kb.conditions[condition]
        band = next(b.id for b in self.settings.age_bands if b.below_months is None or who.age_months < b.below_months)
        if who.sex not in c.sexes or band not in c.ages:
            return 0.0
        if (c.pregnancy is Pregnancy.required and not who.pregnant) or (c.pregnancy is Pregnancy.excluded and who.pregnant):
            return 0.0
        if band in c.prior_by_age:
            p = c.prior_by_age[band]
        elif who.sex in c.prior_by_sex:
            p = c.prior_by_sex[who.sex]
        else:
            p = c.prior
        return self.settings.prior_bands[p] if isinstance(p, str) else float(p)

    # --- observations -----------------------------------------------------------------------------------
    def ancestors(self, finding: str) -> list[str]:
        out, parent = [], self.kb.findings[finding].parent
        while parent is not None:
            out.append(parent)
            parent = self.kb.findings[parent].parent
        return out

    def informative(self, observations) -> dict:
        """The observations without those under an ancestor reported absent (documented: no information)."""
        return {f: a for f, a in observations.items() if not any(observations.get(x) is False for x in self.ancestors(f))}

    def consistent(self, observations) -> np.ndarray:
        mask = np.ones(len(self.likelihood), dtype=bool)
        for fid, answer in observations.items():
            f = self.kb.findings[fid]
            column = self.states[:, self.col[fid]]
            if f.type is FindingType.binary:
                # present needs the question to arise; absent is "absent, or an ancestor absent"
                mask &= (column == 1) if answer else (column != 1)
            elif f.type is FindingType.categorical:
                mask &= column == [v.id for v in f.values].index(answer)
            else:
                mask &= column == sum(1 << i for i, v in enumerate(f.values) if v.id in answer)
        return mask

    def joint_by_condition(self, who: Demographics, observations) -> dict[str, float]:
        """P(condition, observations) for each condition this person can have."""
        priors = np.array([self.prior(c, who) for c in self.conds])
        mask = self.consistent(self.informative(observations))
        weights = np.where(mask, self.likelihood * priors[self.cond_index], 0.0)
        per = np.bincount(self.cond_index, weights=weights, minlength=len(self.conds))
        total_prior = priors.sum()
        return {c: per[i] / total_prior for i, c in enumerate(self.conds) if priors[i] > 0}

    def posterior(self, who: Demographics, observations) -> dict[str, float]:
        joint = self.joint_by_condition(who, observations)
        z = sum(joint.values())
        return {c: p / z for c, p in joint.items()}

    def answers(self, finding: str) -> list:
        f = self.kb.findings[finding]
        if f.type is FindingType.binary:
            return [True, False]
        ids = [v.id for v in f.values]
        if f.type is FindingType.categorical:
            return ids
        return [frozenset(s) for r in range(len(ids) + 1) for s in itertools.combinations(ids, r)]

    def gain(self, who: Demographics, observations, finding: str) -> tuple[float, float]:
        """(condition, disposition) expected entropy reduction from asking ``finding``, from the joint alone."""
        before = self.joint_by_condition(who, observations)
        p_obs = sum(before.values())
        post = {c: p / p_obs for c, p in before.items()}
        exp_c = exp_d = total = 0.0
        for answer in self.answers(finding):
            after = self.joint_by_condition(who, {**observations, finding: answer})
            pa = sum(after.values()) / p_obs
            total += pa
            if pa == 0:
                continue
            cond = {c: p / (pa * p_obs) for c, p in after.items()}
            exp_c += pa * _entropy(cond.values())
            exp_d += pa * _entropy(_by_disposition(self.kb, cond).values())
        assert math.isclose(total, 1.0, rel_tol=1e-9), "the answers of an askable question partition the joint"
        return _entropy(post.values()) - exp_c, _entropy(_by_disposition(self.kb, post).values()) - exp_d

    def below(self, finding: str, observations) -> bool:
        """Whether an informative observation hangs below ``finding`` (unasked): asking it then asks about a
        state the observation already says something about."""
        return any(finding in self.ancestors(f) for f in self.informative(observations))

    def shares_unknown_ancestor(self, observations) -> bool:
        """Whether two informative observations hang below the same unobserved ancestor (then they are not
        independent given the condition: they share that ancestor's state)."""
        kept = self.informative(observations)
        seen: set[str] = set()
        for fid in kept:
            unknown = {a for a in self.ancestors(fid) if a not in observations}
            if unknown & seen:
                return True
            seen |= unknown
        return False


def _entropy(ps) -> float:
    return -sum(p * math.log2(p) for p in ps if p > 0)


def _by_disposition(kb, post: dict[str, float]) -> dict[Disposition, float]:
    out: dict[Disposition, float] = {}
    for c, p in post.items():
        out[kb.conditions[c].disposition] = out.get(kb.conditions[c].disposition, 0.0) + p
    return out


def _options(kb, finding: str) -> list:
    """Every way a finding can stand in an observation set: not asked, or each possible answer."""
    f = kb.findings[finding]
    if f.type is FindingType.binary:
        return [None, True, False]
    ids = [v.id for v in f.values]
    if f.type is FindingType.categorical:
        return [None, *ids]
    return [None] + [frozenset(s) for r in range(len(ids) + 1) for s in itertools.combinations(ids, r)]


def _all_observations(kb, findings: list[str], background: dict | None = None):
    for combo in itertools.product(*[_options(kb, f) for f in findings]):
        obs = dict(background or {})
        obs.update({f: a for f, a in zip(findings, combo) if a is not None})
        yield obs


def _assert_close(code: dict[str, float], ref: dict[str, float], context) -> None:
    assert list(code) == sorted(ref), context
    for c in ref:
        assert math.isclose(code[c], ref[c], rel_tol=1e-9, abs_tol=1e-12), (context, c, code[c], ref[c])


# ---------------------------------------------------------------------------------------------------------
# Fixtures and demographics


@pytest.fixture(scope="module")
def ref_kb():
    return load_knowledge_base(REFERENCE)


@pytest.fixture(scope="module")
def ref_joint(ref_kb):
    return Joint(ref_kb)


@pytest.fixture(scope="module")
def tiny_joint(tiny_kb):
    return Joint(tiny_kb)


PEOPLE = [
    Demographics(40 * 12, Sex.male),  # angina, reflux, pericarditis (male prior)
    Demographics(40 * 12, Sex.female),  # all four
    Demographics(30 * 12, Sex.female, pregnant=True),  # costochondritis excluded in pregnancy
    Demographics(10 * 12, Sex.male),  # child: reflux at its age-band prior, pericarditis at its sex prior
    Demographics(10 * 12, Sex.female),
]
TINY_PEOPLE = [Demographics(40 * 12, Sex.female), Demographics(8 * 12, Sex.male), Demographics(1, Sex.female)]
HIERARCHY = ["pain", "radiates", "radiates_jaw", "worse_lying", "site"]
ROOTS = ["triggers", "onset", "sweaty"]
BACKGROUNDS = [{}, {"triggers": frozenset({"exercise", "cold_air"}), "onset": "sudden", "sweaty": True},
               {"triggers": frozenset(), "onset": "gradual", "sweaty": False}]


# ---------------------------------------------------------------------------------------------------------
# The reference itself, on numbers computed by hand


def test_the_reference_reads_the_documented_numbers(ref_joint):
    j = ref_joint
    assert j.distribution("angina", "pain") == [(1, 0.9), (0, pytest.approx(0.1))]  # obligate, capped at 0.9
    assert j.distribution("pericarditis", "radiates_jaw") == [(1, 0.05), (0, 0.95)]  # no edge: the leak
    assert j.distribution("reflux", "sweaty") == [(1, 0.17), (0, 0.83)]  # no edge: its background rate
    assert dict(j.distribution("costochondritis", "onset")) == {0: 0.5, 1: 0.5}  # no edge: uniform
    triggers = dict(j.distribution("angina", "triggers"))  # exercise 0.97 capped at 0.9, food 0.2, cold air 0.4
    assert triggers[0b101] == pytest.approx(0.9 * 0.8 * 0.4)
    assert j.prior("reflux", PEOPLE[3]) == 0.1 and j.prior("pericarditis", PEOPLE[3]) == 0.3
    assert j.prior("costochondritis", PEOPLE[2]) == 0.0 and j.prior("angina", PEOPLE[4]) == 0.0


def test_the_reference_scores_a_follow_up_reported_absent_with_its_parent_unknown_by_the_joint(tiny_joint):
    # night_cough absent, cough unknown: "no cough, or a cough but not at night" = 1 - P(cough) P(night | cough)
    who = TINY_PEOPLE[0]
    joint = tiny_joint.joint_by_condition(who, {"night_cough": False})
    assert joint["cold"] == pytest.approx(0.6 * (1 - 0.8 * 0.5))
    assert joint["pneumonia"] == pytest.approx(0.3 * (1 - 0.9 * 0.05))
    assert joint["pe"] == pytest.approx(0.1 * (1 - 0.3 * 0.05))
    joint = tiny_joint.joint_by_condition(who, {"night_cough": True})
    assert joint["cold"] == pytest.approx(0.6 * 0.8 * 0.5)


# ---------------------------------------------------------------------------------------------------------
# posterior() against the reference


def test_posterior_equals_the_joint_for_every_observation_set_of_the_tiny_library(tiny_kb, tiny_joint):
    findings = sorted(tiny_kb.findings)  # six findings, each not asked or answered: 729 sets
    checked = 0
    for who in TINY_PEOPLE:
        for obs in _all_observations(tiny_kb, findings):
            _assert_close(posterior(tiny_kb, who, obs), tiny_joint.posterior(who, obs), (who, obs))
            checked += 1
    assert checked == 3 * 729


def test_posterior_equals_the_joint_over_the_question_hierarchy(ref_kb, ref_joint):
    """Every combination of answers on the parent, its two children, the grandchild and the categorical child,
    over a few backgrounds and every kind of person, including observations that share an unknown ancestor."""
    checked = 0
    for who in PEOPLE:
        for background in BACKGROUNDS:
            for obs in _all_observations(ref_kb, HIERARCHY, background):
                _assert_close(posterior(ref_kb, who, obs), ref_joint.posterior(who, obs), (who, obs))
                checked += 1
    assert checked > 2000


def test_posterior_equals_the_joint_over_roots_multi_and_categorical(ref_kb, ref_joint):
    checked = 0
    for who in PEOPLE:
        for obs in _all_observations(ref_kb, ["pain", *ROOTS]):
            _assert_close(posterior(ref_kb, who, obs), ref_joint.posterior(who, obs), (who, obs))
            checked += 1
    assert checked == 5 * 3 * 9 * 3 * 3


@given(data=st.data())
def test_posterior_equals_the_joint_for_any_mix(ref_kb, ref_joint, data):
    who = data.draw(st.sampled_from(PEOPLE))
    obs = {}
    for fid in sorted(ref_kb.findings):
        answer = data.draw(st.sampled_from(_options(ref_kb, fid)), label=fid)
        if answer is not None:
            obs[fid] = answer
    _assert_close(posterior(ref_kb, who, obs), ref_joint.posterior(who, obs), (who, obs))


# Two follow-ups below one unknown parent are not independent given the condition: both depend on whether the
# parent is present. The code scores each with its own marginal (the docstring's "findings are independent
# given the condition" applied to each child on its own), the joint does not. Reachable from the command line:
# `scenegen triage --absent radiates,worse_lying` (two follow-ups absent, the pain itself not reported).


def test_two_follow_ups_reported_absent_with_their_parent_unknown(ref_kb, ref_joint):
    obs = {"radiates": False, "worse_lying": False}
    _assert_close(posterior(ref_kb, PEOPLE[1], obs), ref_joint.posterior(PEOPLE[1], obs), obs)


def test_a_follow_up_below_a_present_parent_whose_own_parent_is_unknown(ref_kb, ref_joint):
    obs = {"radiates": True, "radiates_jaw": False}
    _assert_close(posterior(ref_kb, PEOPLE[1], obs), ref_joint.posterior(PEOPLE[1], obs), obs)


def test_the_triage_path_implies_parents_so_a_reported_follow_up_agrees_with_the_joint(ref_kb, ref_joint):
    """`triage` makes a follow-up reported present imply its parents, which avoids the second case above."""
    who = PEOPLE[1]
    obs = {"radiates": True, "radiates_jaw": False}
    result = assess(ref_kb, who, obs, n_questions=0)
    ref = ref_joint.posterior(who, {"pain": True, **obs})
    listed = dict(result.differential)
    for c, p in ref.items():
        if p >= ref_kb.settings.differential_threshold:
            assert listed[c] == pytest.approx(p, rel=1e-9)


# ---------------------------------------------------------------------------------------------------------
# expected_gain() against the reference


def _askable(kb, obs) -> list[str]:
    return [f for f in sorted(kb.findings)
            if f not in obs and (kb.findings[f].parent is None or obs.get(kb.findings[f].parent) is True)]


GAIN_CASES = [{}, {"pain": True}, {"pain": True, "radiates": True}, {"pain": True, "site": "left", "onset": "sudden"},
              {"pain": True, "worse_lying": False, "triggers": frozenset({"food"})},
              {"pain": False, "sweaty": True}, {"radiates": False}, {"radiates_jaw": False, "onset": "gradual"}]


@pytest.mark.parametrize("obs", GAIN_CASES, ids=lambda o: ",".join(f"{k}={v}" for k, v in o.items()) or "nothing")
def test_expected_gain_equals_the_expected_entropy_reduction_of_the_joint(ref_kb, ref_joint, obs):
    """Condition and disposition gains of every askable question, from the joint alone. The code clamps its
    gains at 0; the reference does not, so a gain that came out wrong (negative, say, and clamped) shows."""
    tables = GainTables(ref_kb)
    for who in PEOPLE:
        post = ref_joint.posterior(who, obs)
        findings = _askable(ref_kb, obs)
        gc_t, gd_t, _ = tables.totals(post, findings)
        for i, fid in enumerate(findings):
            ref_c, ref_d = ref_joint.gain(who, obs, fid)
            assert ref_c >= -1e-12 and ref_d >= -1e-12  # information never hurts: no clamp needed here
            g = expected_gain(ref_kb, post, fid, obs)
            context = (who, obs, fid)
            assert g.condition_gain == pytest.approx(ref_c, abs=1e-9), context
            assert g.disposition_gain == pytest.approx(ref_d, abs=1e-9), context
            assert g.total == pytest.approx(ref_c + ref_kb.settings.disposition_gain_weight * ref_d, abs=1e-9)
            if not ref_joint.below(fid, obs):  # the tables serve questions with nothing reported below them
                assert gc_t[i] == pytest.approx(ref_c, abs=1e-9) and gd_t[i] == pytest.approx(ref_d, abs=1e-9), context


def test_asking_the_parent_of_a_follow_up_reported_absent(ref_kb, ref_joint):
    who, obs = PEOPLE[0], {"radiates": False}
    ref_c, _ = ref_joint.gain(who, obs, "pain")
    assert expected_gain(ref_kb, ref_joint.posterior(who, obs), "pain", obs).condition_gain == pytest.approx(ref_c, abs=1e-9)


def test_a_gain_of_zero_is_only_reported_where_the_joint_says_so(ref_kb, ref_joint):
    """Most askable questions here are worth something; a clamp hiding negative gains would report 0."""
    who = PEOPLE[1]
    gains = {fid: expected_gain(ref_kb, ref_joint.posterior(who, {}), fid, {}).condition_gain
             for fid in _askable(ref_kb, {})}
    assert all(g > 0.01 for g in gains.values()), gains


def test_next_question_gains_from_triage_equal_the_joint(ref_kb, ref_joint):
    """The gains `triage` reports (vectorised, clamped at 0) are the joint's, not merely non-negative."""
    who = PEOPLE[0]
    obs = {"pain": True, "onset": "sudden"}
    result = assess(ref_kb, who, obs, n_questions=10)
    assert result.next_questions
    w = ref_kb.settings.disposition_gain_weight
    for q in result.next_questions:
        ref_c, ref_d = ref_joint.gain(who, obs, q.finding)
        assert q.expected_gain == pytest.approx(ref_c + w * ref_d, abs=1e-9), q.finding
        assert q.expected_gain > 0.001, q.finding
