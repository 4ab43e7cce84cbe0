"""The planner's cached reasoning states."""

from __future__ import annotations

from functools import lru_cache

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

from scenegen.inference import ranked
from scenegen.plan import State
from scenegen.triage import Decision
from scenegen.content import CrisisResource, Disposition

_DECISION = Decision(Disposition.routine, (), {}, (), CrisisResource.none)


@given(probs=st.lists(st.sampled_from([0.0, 0.01, 0.05, 0.2, 0.2, 0.3]), min_size=1, max_size=30),
       n=st.integers(1, 5))
def test_a_states_top_is_the_head_of_the_ranked_posterior_ties_to_the_lower_id(probs, n):
    conds = tuple(f"c{i:02d}" for i in range(len(probs)))
    post = dict(zip(conds, probs))
    state = State(conds, np.array(probs), _DECISION, 0.05)
    assert state.top(n) == ranked(post)[:n]
    assert state.post == post
    assert state.plausible == {c: p for c, p in post.items() if p >= 0.05}
    assert state.above(0.2) == {c: p for c, p in post.items() if p >= 0.2}


def test_ambiguity_needs_two_plausible_conditions_of_different_dispositions(bundled_kb):
    from scenegen.plan import is_ambiguous

    acs, reflux, chest_wall = "acute_coronary_syndrome", "gastro_oesophageal_reflux", "costochondritis"
    assert is_ambiguous(bundled_kb, {acs: 0.5, reflux: 0.5})
    assert not is_ambiguous(bundled_kb, {acs: 0.97, reflux: 0.03})  # one plausible condition only
    assert not is_ambiguous(bundled_kb, {reflux: 0.6, chest_wall: 0.4})  # both self-care (NICE CKS Dyspepsia)
    # a condition's level for the person's age counts: scabies is routine under 2, self-care from 2 (NHS Scabies)
    thrush, scabies = "oral_thrush_infant", "scabies"
    assert is_ambiguous(bundled_kb, {thrush: 0.6, scabies: 0.4}, age_months=6)
    assert not is_ambiguous(bundled_kb, {"acute_otitis_media": 0.6, scabies: 0.4}, age_months=40 * 12)


def test_a_state_scored_before_gives_the_same_screens_as_a_fresh_one(bundled_kb):
    """Found as a record that came out differently after 3,000 others in one process: a state whose full
    question list was cached returned only its red-flag screens, dropping a pending must-ask, so the dialogue
    stopped where a fresh state asked on. The must-asks, screens and rule-outs head both lists alike."""
    from scenegen.content import Sex
    from scenegen.plan import Reasoner
    from scenegen.sample import PersonaDraw

    persona = PersonaDraw("middle_aged", 50 * 12, Sex.male, False, "self", None, "medium", "matter_of_fact", "en_GB")
    obs = {"chest_pain": True}  # the time course and the chest-pain screens are still to ask
    seen = Reasoner(bundled_kb)
    st = seen.state(persona, obs)
    full = seen.questions(st, persona, obs, limit=1)
    assert full and (full[0].must_ask or full[0].red_flag or full[0].rules_out)
    fresh = Reasoner(bundled_kb)
    expected = fresh.screens(fresh.state(persona, obs), persona, obs, limit=1)
    assert seen.screens(st, persona, obs, limit=1) == expected
    assert [q.finding for q in expected] == [full[0].finding]


def test_a_state_reached_at_another_age_in_its_band_cites_the_sources_for_this_age(bundled_kb):
    """A red flag's reason cites the guidelines that cover the person's age (NICE CG57 for eczema herpeticum is
    for under-12s, and a boy of 9 to 12 shares every other part of a state's key): a state cached for a boy of
    12 must not give a boy of 10 the 12-year-old's citations, or a record would depend on the records before it."""
    from scenegen.content import Sex
    from scenegen.plan import Reasoner
    from scenegen.sample import PersonaDraw

    def boy(months: int) -> PersonaDraw:
        return PersonaDraw("child", months, Sex.male, False, "self", None, "medium", "matter_of_fact", "en_GB")

    obs = {"rash": True, "clustered_punched_out_sores": True}
    shared = Reasoner(bundled_kb)
    for months in (150, 120, 150):
        expected = Reasoner(bundled_kb).state(boy(months), obs).decision
        assert shared.state(boy(months), obs).decision == expected, months



@lru_cache(maxsize=1)
def _balanced_generator():
    from scenegen.generate import GenerateConfig, Generator, Library

    return Generator(Library.load(), GenerateConfig(seed=11, balance="disposition"))


@given(index=st.integers(0, 100_000))
def test_once_a_sign_or_rule_sends_someone_to_ae_only_questions_that_screen_are_asked(index):
    """A feverish newborn goes to A&E whatever the cause (NICE NG143), so the call then asks only what could
    make it a 999 call or must be asked; questions that only tell causes apart (a runny nose, a cough) were
    asked after it in a blind read."""
    from scenegen.triage import decide

    from .replay import known_before_each_turn

    g = _balanced_generator()
    r = g.record(index)
    kb = g.lib.kb
    who, known_at = known_before_each_turn(kb, r)
    for q in r.gold.questions:
        if q.red_flag or q.must_ask or q.rules_out:
            continue
        known = {f: (a[0] if isinstance(a, list) else a) for f, a in known_at[q.turn].items()}
        d = decide(kb, who, known)
        held = d.disposition.rank >= Disposition.emergency_department.rank and any(
            x.kind in ("red_flag", "modifier") and x.disposition is d.disposition for x in d.decisive)
        assert not held, (r.id, q.finding, [x.id for x in d.decisive])


def test_a_plan_finished_later_has_the_same_question_traces_as_one_finished_at_once(library):
    """The generator leaves the questions' exact gains of a plan it may discard for Plan.finish; finishing it
    after other dialogues have moved the reasoner's caches on gives the traces a plan finished at once has."""
    from scenegen.generate import GenerateConfig, Generator
    from scenegen.plan import PlanSettings, Reasoner, plan_dialogue
    from scenegen.rng import stream
    from scenegen.sample import sample_case, sample_persona

    gen = Generator(library, GenerateConfig(seed=31))
    kb, pl = library.kb, library.personas
    now_reasoner, later_reasoner = Reasoner(kb), Reasoner(kb)
    drafts, compared = [], 0
    for i in range(40):
        rng = stream(31, i, "case")
        persona = sample_persona(pl, rng)
        case = sample_case(kb, persona, rng, gen.config.filters)
        if case is None:
            continue
        now = plan_dialogue(kb, pl, now_reasoner, persona, case, stream(31, i, "plan"), PlanSettings())
        later = plan_dialogue(kb, pl, later_reasoner, persona, case, stream(31, i, "plan"), PlanSettings(),
                              finish=False)
        assert (now is None) == (later is None)
        if now is not None:
            assert later.pending or not now.questions
            drafts.append((now, later))
    for now, later in drafts:  # finished only after every other plan was made with the same reasoner
        later.finish(later_reasoner)
        assert not later.pending
        assert [(q.score, q.separates, q.why, q.answer, q.differential_after) for q in later.questions] == \
               [(q.score, q.separates, q.why, q.answer, q.differential_after) for q in now.questions]
        compared += len(now.questions)
    assert compared > 50


@lru_cache(maxsize=None)
def _sudden_complaints_generator():
    """Complaints whose ambulance red flags have a time course the opening may say ('it came on in seconds'),
    with openings that say more (low ambiguity)."""
    from scenegen.generate import GenerateConfig, Generator, Library

    return Generator(Library.load(), GenerateConfig(seed=12, complaints=("headache", "chest_pain", "weakness_numbness"),
                                                    ambiguity="low"))


@given(index=st.integers(0, 100_000))
def test_an_ambulance_red_flag_the_opening_points_to_is_asked_first_and_a_yes_calls_999_at_once(index):
    """A headache that 'came on in seconds' was followed by a dozen start-of-call questions before the thunderclap
    question and 999 (blind read). The flag the opening all but said is the first question, so a yes gives the
    disposition at the second assistant turn (turn 4, or one more per other flag it points to); a flag reported
    outright gives it at the first."""
    from .replay import red_flags_the_opening_points_to

    g = _sudden_complaints_generator()
    r = g.record(index)
    kb = g.lib.kb
    pointed = red_flags_the_opening_points_to(kb, r)
    ambulance = {f for f in r.case.present if kb.findings[f].red_flag is not None
                 and kb.findings[f].red_flag.disposition is Disposition.emergency_ambulance}
    if ambulance & set(r.turns[1].volunteered):
        assert r.gold.disposition_turn == 2, r.id
    if pointed:
        assert r.gold.questions[0].finding in pointed, (r.id, pointed, r.gold.questions[0].finding)
    if ambulance & set(pointed):  # one question per flag the opening points to (rarely two: sudden weakness, sight loss)
        asked = [q.finding for q in r.gold.questions]
        assert r.gold.disposition_turn <= 2 + 2 * len(pointed), (r.id, pointed, asked)
        assert set(asked) <= set(pointed), (r.id, pointed, asked)
