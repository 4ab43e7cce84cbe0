"""Must-asks: start-of-call questions come first and no disposition below an ambulance is given without them."""

from __future__ import annotations

from functools import lru_cache

from hypothesis import given
from hypothesis import strategies as st

from scenegen import Demographics
from scenegen.content import Disposition, Sex
from scenegen.generate import GenerateConfig, Generator, Library
from scenegen.triage import assess, pending_must_asks

from .replay import known_before_each_turn, red_flags_the_opening_points_to


@lru_cache(maxsize=None)
def _gen(seed: int) -> Generator:
    return Generator(Library.load(), GenerateConfig(seed=seed))


@given(seed=st.integers(0, 3), index=st.integers(0, 100_000))
def test_must_asks_come_first_and_none_is_left_unasked_at_the_decision(seed, index):
    gen = _gen(seed)
    r = gen.record(index)
    kb = gen.lib.kb
    by_turn = {q.turn: q for q in r.gold.questions}
    # replay the dialogue: whenever a must-ask applies, the next question is one (start-of-call questions
    # come first, and one that a later answer brings into force, such as weakened immunity once a fever is
    # reported, is asked next)
    # (an ambulance-level red flag the opening all but said is confirmed before them: scenegen.plan.opening_red_flags)
    who, known_at = known_before_each_turn(kb, r)
    pointed = red_flags_the_opening_points_to(kb, r)
    for i, obs in known_at.items():
        if i in by_turn and pending_must_asks(kb, who, obs) and by_turn[i].finding not in pointed:
            assert by_turn[i].must_ask is not None, (i, by_turn[i].finding, pending_must_asks(kb, who, obs))
    for q in r.gold.questions:
        if q.must_ask:
            assert q.must_ask in {s.id for s in kb.screens}
            assert q.answer != "unsure"  # never left unsure
    if r.gold.disposition != "emergency_ambulance":
        from scenegen.validate import _dialogue_observations

        who = Demographics(r.persona.age_months, Sex(r.persona.sex), r.persona.pregnant)
        assert pending_must_asks(kb, who, _dialogue_observations(r, kb)) == {}


def _must_ask_head(result) -> list[tuple[str, str]]:
    """The must-asks at the head of the next questions, before any other question."""
    head = []
    for q in result.next_questions:
        if q.must_ask is None:
            break
        head.append((q.finding, q.must_ask))
    return head


def test_an_infant_with_a_cough_is_asked_about_fever_first(bundled_kb):
    result = assess(bundled_kb, Demographics(1, Sex.female), {"cough": True})
    head = _must_ask_head(result)  # start-of-call questions come first (the time course is one of them)
    assert ("fever", "temperature_in_a_young_child") in head
    assert result.info_state == "needs_more_info"


def test_a_woman_of_childbearing_age_with_abdominal_pain_is_asked_about_pregnancy(bundled_kb):
    result = assess(bundled_kb, Demographics(25 * 12, Sex.female), {"abdominal_pain": True})
    assert "pregnancy_known_or_possible" in {f for f, _ in _must_ask_head(result)}
    # not of a man, and not of a woman already known to be pregnant
    assert "pregnancy_known_or_possible" not in pending_must_asks(bundled_kb, Demographics(25 * 12, Sex.male), {"abdominal_pain": True})
    known = pending_must_asks(bundled_kb, Demographics(25 * 12, Sex.female, True),
                              {"abdominal_pain": True, "pregnancy_known_or_possible": True})
    assert "pregnancy_known_or_possible" not in known


def test_blood_thinners_are_asked_after_a_head_injury_and_only_then(bundled_kb):
    who = Demographics(50 * 12, Sex.male)
    assert "anticoagulant_use" in pending_must_asks(bundled_kb, who, {"head_injury": True})
    assert "anticoagulant_use" not in pending_must_asks(bundled_kb, who, {"cough": True})


def test_a_fever_in_a_baby_under_3_months_is_screened_and_sends_them_to_hospital(bundled_kb):
    """The modifier (NICE NG143: any fever under 3 months is red) is asked for like a red flag."""
    who = Demographics(2, Sex.male)
    assert "fever" in pending_must_asks(bundled_kb, who, {"poor_feeding": True})
    result = assess(bundled_kb, who, {"poor_feeding": True, "fever": True})
    assert result.decision.disposition.rank >= Disposition.emergency_department.rank


def test_a_new_headache_from_50_is_screened_by_its_pattern_and_seen_the_same_day(bundled_kb):
    """A modifier that needs a categorical value (a new kind of headache) asks for it like a red flag: a
    71-year-old's new headache, worse over a couple of days, had been sent home as a migraine (NICE CKS
    Headache - assessment; BSR 2020 giant cell arteritis)."""
    old, young = Demographics(71 * 12, Sex.female), Demographics(40 * 12, Sex.female)
    assert "headache_pattern" in pending_must_asks(bundled_kb, old, {"headache": True})
    assert "headache_pattern" not in pending_must_asks(bundled_kb, young, {"headache": True})
    assert "headache_pattern" not in pending_must_asks(bundled_kb, old, {"headache": True, "headache_pattern": "new"})
    new = assess(bundled_kb, old, {"headache": True, "headache_pattern": "new"})
    usual = assess(bundled_kb, old, {"headache": True, "headache_pattern": "usual_recurrent"})
    assert new.decision.disposition.rank >= Disposition.urgent.rank
    assert "new_headache_from_50" not in {r.id for r in usual.decision.decisive}


def test_a_red_flag_that_would_raise_the_level_is_asked_before_any_information_question(bundled_kb):
    """Rule-out logic: after the must-asks, the red flags above the current level come first, whatever the
    gain of other questions (a headache that looks like self-care is first screened for a thunderclap onset
    and sudden weakness, though 'band-like?' would tell more)."""
    who = Demographics(30 * 12, Sex.female)
    obs = {"headache": True, "duration": "days_1_to_4", "onset": "gradual"}
    result = assess(bundled_kb, who, obs, n_questions=10)
    level = result.decision.disposition
    screening = [q for q in result.next_questions if not q.must_ask and not q.rules_out]
    assert screening[0].red_flag is not None and screening[0].red_flag.rank > level.rank
    assert max(q.expected_gain for q in screening if q.red_flag is None) > screening[0].expected_gain
    flags_then_info = [q.red_flag is not None for q in screening]
    assert flags_then_info == sorted(flags_then_info, reverse=True)


def test_the_flu_rule_asks_a_fever_only_with_a_symptom_of_flu(bundled_kb):
    """A 94-year-old's overdose call and a stroke call were asked about a fever 'like flu at 65 or over': the
    flu rules' screens are scoped (screen_with) to the symptoms of flu the NHS lists."""
    old = Demographics(94 * 12, Sex.male)
    pregnant = Demographics(30 * 12, Sex.female, True)
    for who in (old, pregnant):
        assert "fever" in pending_must_asks(bundled_kb, who, {"cough": True, "onset": "sudden"})
        for complaint in ("swallowed_harmful_substance", "weakness_or_numbness", "fainting"):
            pending = pending_must_asks(bundled_kb, who, {complaint: True, "onset": "sudden"})
            assert not any(s.startswith("flu_like") for s in pending.values()), (complaint, pending)


@given(seed=st.integers(0, 3), index=st.integers(0, 100_000))
def test_no_flu_question_is_asked_in_a_call_without_a_symptom_of_flu(seed, index):
    gen = _gen(seed)
    r = gen.record(index)
    kb = gen.lib.kb
    scope = {m.id: set(m.screen_with) for m in kb.modifiers if m.screen_with}
    known, known_at = known_before_each_turn(kb, r)
    for q in r.gold.questions:
        rule = (q.must_ask or "").split("__")[0]
        if rule in scope:
            assert any(known_at[q.turn].get(f) is True for f in scope[rule]), (r.id, q.must_ask, r.case.complaint)
