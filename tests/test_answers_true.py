"""Answers true to the case and the person: implications between findings hold in every case and dialogue,
answers are worded for the kind of question, conditions occur only at the ages their sources give, and
guidelines are cited only for the ages they cover."""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from scenegen import ContentError, Demographics, load_knowledge_base
from scenegen.content import AnswerKind, FindingKind, Sex, satisfies
from scenegen.generate import GenerateConfig, Generator, Library
from scenegen.triage import assess
from scenegen.validate import answers_consistent, condition_fits_age, sources_fit_age


@lru_cache(maxsize=None)
def _gen(seed: int) -> Generator:
    return Generator(Library.load(), GenerateConfig(seed=seed))


#: wordings that do not fit a question about pregnancy, suicidal thoughts or a fit (measured in 3,000 records)
STOCK = ("A bit, I suppose", "I'm fairly sure I'd have noticed", "thank goodness", "Sort of", "Is that bad",
         "Should there be", "I'm managing", "s managing", "One less thing to worry about", "what's worrying me")

#: age-specific guidelines by how records cite them -> the ages (months, inclusive) they cover
AGE_SCOPED = [
    (re.compile(r"NG143|Fever in under 5s|in under 5s"), 0, 59),
    (re.compile(r"NG9 Bronchiolitis"), 0, 23),
    (re.compile(r"in under 12s"), 0, 143),
    (re.compile(r"in adults(?! and in children)"), 216, 10**6),  # the NHS pages for adults and for children together cover all
    (re.compile(r"children and young people"), 0, 215),
]


@given(seed=st.integers(0, 3), index=st.integers(0, 100_000))
def test_no_case_or_dialogue_breaks_an_implication(seed, index):
    gen = _gen(seed)
    r = gen.record(index)
    kb = gen.lib.kb
    assert list(answers_consistent(r, kb, None)) == []  # the dialogue's answers and the case's findings
    facts = {**{f: True for f in r.case.present}, **{f: False for f in r.case.absent},
             **{f: v[0] for f, v in r.case.value_map.items()}}
    band = kb.age_band(r.persona.age_months)
    for imp in kb.implies:
        b = imp.then_finding
        if not imp.holds_for(r.case.complaint):
            continue  # about another complaint's own duration (fever for 5 days in a call about a fever)
        if kb.reportable(b, band, Sex(r.persona.sex)) and b in facts and all(a in facts and satisfies(facts[a], w) for a, w in imp.if_items):
            assert satisfies(facts[b], imp.then_value), (imp.id, r.case.condition)


@given(seed=st.integers(0, 3), index=st.integers(0, 100_000))
def test_answers_are_worded_for_the_kind_of_question(seed, index):
    gen = _gen(seed)
    r = gen.record(index)
    kb = gen.lib.kb
    for m, t in zip(r.messages, r.turns):
        if t.finding is None or not t.act.startswith("answer_") or t.act == "answer_value":
            continue
        kind = kb.findings[t.finding].answer_kind
        if kind is not AnswerKind.general:
            assert not any(s.lower() in m.content.lower() for s in STOCK), (t.finding, m.content)
            # written for the kind, or the second-thought wording after 'not sure', which fits every kind
            assert all(v.split("/")[1].startswith((kind.value, "again")) for v in t.templates
                       if v.startswith("answer_")), t.templates


@given(seed=st.integers(0, 3), index=st.integers(0, 100_000))
def test_nobody_is_unsure_of_their_own_diagnoses_or_of_what_happened_to_them(seed, index):
    """'Have you been diagnosed with epilepsy?' - 'Not sure really' is not believable from the patient."""
    gen = _gen(seed)
    r = gen.record(index)
    if r.persona.speaker != "self":
        return
    kb = gen.lib.kb
    for t in r.turns:
        if t.act == "answer_unsure":
            f = kb.findings[t.finding]
            assert f.kind is not FindingKind.history and f.answer_kind is not AnswerKind.event, t.finding


@given(seed=st.integers(0, 3), index=st.integers(0, 100_000))
def test_no_case_outside_its_conditions_ages_and_no_guideline_outside_its_ages(seed, index):
    gen = _gen(seed)
    r = gen.record(index)
    kb = gen.lib.kb
    c = kb.conditions[r.case.condition]
    age = r.persona.age_months
    assert c.fits_age(age) and kb.age_band(age) in c.ages, (r.case.condition, age)
    assert list(condition_fits_age(r, kb, None)) == []
    assert list(sources_fit_age(r, kb, None)) == []
    texts = [x.detail for x in r.gold.reasons] + [s.text for s in r.gold.reasoning]
    for pattern, lo, hi in AGE_SCOPED:
        if not lo <= age <= hi:
            for text in texts:
                assert not pattern.search(text), (age, text)


def test_a_finding_an_implication_settles_outside_the_conditions_edges_is_in_the_case():
    """A pregnant woman with a change in vision answers yes to the pre-eclampsia vision question (an implication
    whose 'if' names the known pregnancy); the record's case must list it, or validate finds the yes untrue
    (1 record in 3,000 in seeds 3, 5 and 6)."""
    from scenegen.validate import answers_true

    # every pregnant caller with a changed sight among the first records of a vision run (a fixed record index
    # of the whole library moved whenever the data changed)
    gen = Generator(Library.load(), GenerateConfig(seed=3, complaints=("vision_problem",)))
    found = 0
    for i in range(150):
        r = gen.record(i)
        if not (r.persona.pregnant and "vision_change" in r.case.present):
            continue
        found += 1
        assert "visual_disturbance_in_pregnancy" in r.case.present, i
        assert list(answers_true(r, gen.lib.kb, None)) == [], i  # type: ignore[arg-type]  # the rule reads no wording
    assert found >= 2


def test_the_seeded_contradictions_are_gone():
    """The measured ones: over 2,000 records, none of them comes back."""
    gen = _gen(7)
    for i in range(0, 2000, 7):
        r = gen.record(i)
        said = {t.finding: t.answer_values or {"yes": True, "no": False}.get(t.answer)
                for t in r.turns if t.finding and t.act.startswith("answer_")}
        site = said.get("abdominal_pain_site") or []
        if set(site) & {"lower_left", "lower_right"}:
            assert said.get("one_sided_lower_abdominal_pain") is not False
        if said.get("seizure") is True or "seizure" in r.case.present:
            assert said.get("fainting") is not False and "fainting" not in r.case.absent
        if r.case.condition == "simple_febrile_seizure":
            assert 6 <= r.persona.age_months <= 60


def test_a_febrile_seizure_is_not_in_the_differential_of_an_11_year_old(bundled_kb):
    obs = {"seizure": True, "fever": True}
    old = assess(bundled_kb, Demographics(11 * 12, Sex.male), obs)
    young = assess(bundled_kb, Demographics(2 * 12, Sex.male), obs)
    assert "simple_febrile_seizure" not in {c for c, _ in old.differential}
    assert "simple_febrile_seizure" in {c for c, _ in young.differential}
    assert bundled_kb.prior("simple_febrile_seizure", Demographics(5, Sex.female)) == 0
    assert bundled_kb.prior("bronchiolitis", Demographics(30, Sex.female)) == 0
    assert bundled_kb.prior("croup", Demographics(15 * 12, Sex.female)) > 0  # CKS: up to 15 years
    assert bundled_kb.prior("infant_colic", Demographics(6, Sex.female)) == 0


def test_an_age_scoped_source_is_cited_only_for_its_ages(bundled_kb):
    obs = {"breathlessness": True, "chest_indrawing": True}
    seven = assess(bundled_kb, Demographics(7 * 12, Sex.female), obs)
    baby = assess(bundled_kb, Demographics(6, Sex.female), obs)
    detail = lambda a: " ".join(r.detail for r in a.decision.reasons if r.id == "chest_indrawing")  # noqa: E731
    assert "NG143" not in detail(seven) and "NG9" not in detail(seven)
    assert "NG143" in detail(baby) and "NG9" in detail(baby)


# --- the loader checks implications and month limits ---------------------------------------------------

def _with(tiny_copy: Path, text: str) -> list:
    (tiny_copy / "conditions" / "consistency.yaml").write_text(text)
    with pytest.raises(ContentError) as info:
        load_knowledge_base(tiny_copy)
    return [p.message for p in info.value.problems]


def test_an_implication_must_name_real_findings_and_values(tiny_copy):
    msgs = _with(tiny_copy, "implies:\n  - {id: a, if: {coughh: true}, then: {fever: true}, why: because, source: src}\n"
                            "  - {id: b, if: {onset: true}, then: {fever: true}, why: because, source: src}\n"
                            "  - {id: c, if: {fever: true}, then: {onset: [suddenly]}, why: because, source: src}\n")
    assert any("unknown finding 'coughh'" in m for m in msgs)
    assert any("categorical" in m for m in msgs)
    assert any("suddenly" in m for m in msgs)


def test_an_implication_cannot_make_a_child_present_without_its_parent(tiny_copy):
    msgs = _with(tiny_copy, "implies:\n  - {id: a, if: {fever: true}, then: {night_cough: true}, why: because, source: src}\n")
    assert any("asked only when 'cough' is present" in m for m in msgs)


def test_an_implication_holds_in_the_tiny_library(tiny_copy):
    (tiny_copy / "conditions" / "consistency.yaml").write_text(
        "implies:\n  - {id: a, if: {fever: true}, then: {cough: true}, why: because, source: src}\n")
    kb = load_knowledge_base(tiny_copy)
    assert kb.likelihoods["cold"]["cough"] >= kb.likelihoods["cold"]["fever"]
    import random

    from scenegen.sample import Filters, PersonaDraw, sample_case

    persona = PersonaDraw("adult", 300, Sex.male, False, "self", None, "medium", "plain", "en_GB")
    fevers = 0
    for i in range(200):
        case = sample_case(kb, persona, random.Random(i), Filters())
        if case.answer("fever") is True:
            fevers += 1
            assert case.answer("cough") is True
    assert fevers > 10


def test_month_limits_must_leave_an_age_band(tiny_copy):
    text = (tiny_copy / "conditions" / "library.yaml").read_text()
    text = text.replace("  - id: cold\n", "  - id: cold\n    max_age_months: 1\n", 1)
    (tiny_copy / "conditions" / "library.yaml").write_text(text)
    with pytest.raises(ContentError) as info:
        load_knowledge_base(tiny_copy)
    assert any("month limits" in p.message for p in info.value.problems)


@given(seed=st.integers(0, 3), index=st.integers(0, 100_000))
def test_nothing_a_person_cannot_report_is_taken_as_said(seed, index):
    """A newborn who vomits has told nobody of nausea: an implication does not settle, for the dialogue, a
    finding this person cannot report (a read found 'nausea' among a newborn's pertinent positives)."""
    from scenegen.validate import _dialogue_observations

    gen = _gen(seed)
    r = gen.record(index)
    kb = gen.lib.kb
    mute = kb.unreportable(kb.age_band(r.persona.age_months), Sex(r.persona.sex))
    assert not set(_dialogue_observations(r, kb)) & mute, r.id
    positives = next(s.findings for s in r.gold.reasoning if s.step == "pertinent_positives")
    assert not set(positives) & mute, (r.id, set(positives) & mute)


def test_a_baby_who_vomits_is_not_taken_to_have_reported_nausea():
    gen = Generator(Library.load(), GenerateConfig(seed=5, conditions=("malrotation_with_volvulus",)))
    kb = gen.lib.kb
    babies = 0
    for i in range(8):
        r = gen.record(i)
        if kb.reportable("nausea", kb.age_band(r.persona.age_months)):
            continue  # a child of 5 can say it feels sick
        babies += 1
        positives = next(s.findings for s in r.gold.reasoning if s.step == "pertinent_positives")
        assert "vomiting" in positives and "nausea" not in positives, (r.id, positives)
    assert babies >= 2


def test_a_fit_is_never_asked_about_or_labelled_as_a_faint():
    """A fit is a blackout, not a faint (NICE CG109 'blackouts' covers both): a blind read found a seizure asked
    'just before or when you fainted' and labelled with syncope among its positives (16/28 fit records of seed
    33 were asked about a faint they never reported)."""
    gen = Generator(Library.load(), GenerateConfig(seed=33, conditions=("first_unprovoked_seizure",)))
    for i in range(12):
        r = gen.record(i)
        said = {t.finding for t in r.turns if t.act in ("opening", "answer_yes")} | {v for t in r.turns for v in t.volunteered}
        if "fainting" in said:
            continue
        for m, t in zip(r.messages, r.turns):
            if m.role == "assistant":
                assert "faint" not in m.content.lower(), (r.id, m.content)
        positives = next(s.text for s in r.gold.reasoning if s.step == "pertinent_positives")
        assert "syncope" not in positives, (r.id, positives)
