"""Time phrases agree with each other, with the case's onset and duration, and with the person's age: the
time-word table of conditions/_model.yaml (model.time_course), the realiser that picks phrases by it, the
loader check on findings whose questions carry a time, and the validate rule time_phrases_agree."""

from __future__ import annotations

import shutil
from functools import lru_cache

from scenegen import load_knowledge_base
from scenegen.content import FindingType
from scenegen.errors import ContentError
from scenegen.generate import GenerateConfig, Generator
from scenegen.load import bundled_library
from scenegen.timecourse import When, case_when, fit, fitting, time_words
from scenegen.validate import time_phrases_agree


def test_the_longest_time_words_are_read_first(bundled_kb):
    assert time_words(bundled_kb, "It started well over a month ago") == ["well over a month"]
    assert time_words(bundled_kb, "It happened the day before yesterday") == ["day before yesterday"]
    assert time_words(bundled_kb, "It built up slowly rather than all at once") == ["slowly", "rather than all at once"]


def test_over_a_month_then_several_months_disagree(bundled_kb):
    when = case_when(bundled_kb, {"duration": "over_3_weeks", "onset": "gradual"}, 40 * 12)
    said = fit(bundled_kb, when, "it's been going on for over a month now")
    assert said is not None
    assert fit(bundled_kb, said, "worrying for several months") is None
    assert fit(bundled_kb, when, "worrying for several months") is not None  # alone, it fits the case


def test_a_couple_of_days_ago_never_comes_with_an_onset_over_a_couple_of_hours(bundled_kb):
    when = case_when(bundled_kb, {"duration": "days_1_to_4", "onset": "hours"}, 80 * 12)
    onsets = next(v for v in bundled_kb.findings["onset"].values if v.id == "hours").lay
    kept = fitting(bundled_kb, when, onsets)
    assert "it came on over a couple of hours" in onsets and "it came on over a couple of hours" not in kept
    assert kept and all(fit(bundled_kb, when, p) is not None for p in kept)


def test_an_overnight_finding_does_not_fit_an_illness_that_came_on_slowly(bundled_kb):
    when = case_when(bundled_kb, {"duration": "days_1_to_4", "onset": "gradual"}, 10)
    assert fit(bundled_kb, when, "bruises that appeared overnight for no reason") is None
    kept = fitting(bundled_kb, when, bundled_kb.findings["bruises_unexplained"].lay)
    assert kept and not any("overnight" in p for p in kept)


def test_no_duration_phrase_says_longer_than_the_person_has_lived(bundled_kb):
    """Every age from a newborn to 3 months: each duration value keeps at least one phrase, and every phrase
    kept fits the age (no 'a couple of months' for a baby of one month)."""
    for value in bundled_kb.findings["duration"].values:
        for age in range(0, 4):
            if value.min_age_months is not None and age < value.min_age_months:
                continue
            when = case_when(bundled_kb, {"duration": value.id}, age)
            for phrases in (value.lay, value.lay_event):
                kept = [p for p in phrases if fit(bundled_kb, when, p) is not None]
                assert kept, (value.id, age)
                for p in kept:
                    assert fit(bundled_kb, When(0.0, max(age * 30.44, 14.0)), p) is not None, (p, age)
    one_month = case_when(bundled_kb, {"duration": "over_3_weeks"}, 1)
    assert fit(bundled_kb, one_month, "it has been going on for a couple of months") is None
    assert fit(bundled_kb, one_month, "it's been more than three weeks now") is not None


def test_every_question_with_a_time_about_the_problem_implies_a_fitting_time_course(bundled_kb):
    """A 'yes' to 'did it come on suddenly?' or 'for several months?' is only drawn in a case whose onset and
    duration agree with it: the finding's implies allow only values the table says fit its words."""
    for fid, f in bundled_kb.findings.items():
        if f.type is not FindingType.binary or not f.times_the_problem or not time_words(bundled_kb, f.question):
            continue
        onsets = f.implies.get("onset") or [v.id for v in bundled_kb.findings["onset"].values]
        durations = f.implies.get("duration") or [v.id for v in bundled_kb.findings["duration"].values]
        fits = [(o, d) for o in onsets for d in durations
                if fit(bundled_kb, case_when(bundled_kb, {"onset": o, "duration": d}, 50 * 12), f.question) is not None]
        assert fits, fid
        assert all(fit(bundled_kb, case_when(bundled_kb, {"onset": o}, 50 * 12), f.question) is not None
                   for o in onsets), fid


def test_the_loader_rejects_a_sudden_question_without_a_sudden_onset(tmp_path):
    lib = tmp_path / "lib"
    shutil.copytree(bundled_library() / "conditions", lib / "conditions")
    path = lib / "conditions" / "findings" / "additions_d.yaml"
    text = path.read_text()
    old = "    implies: {onset: [sudden, hours]}  # the time words of its own question (model.time_course in _model.yaml)\n" \
          "    question: \"Did the neck pain and stiffness start overnight"
    assert old in text
    path.write_text(text.replace(old, "    question: \"Did the neck pain and stiffness start overnight", 1))
    try:
        load_knowledge_base(lib)
    except ContentError as e:
        found = [p for p in e.problems if "neck_pain_on_waking" in p.field]
    else:
        found = []
    assert found and "overnight" in found[0].message


@lru_cache(maxsize=None)
def _records(seed: int, n: int, conditions: tuple[str, ...] = ()) -> list:
    from scenegen.generate import Library

    gen = Generator(Library.load(), GenerateConfig(seed=seed, conditions=conditions))
    return [gen.record(i) for i in range(n)]


def test_generated_time_phrases_agree(bundled_kb):
    """Over generated records, including the conditions whose findings carry time words, the rule finds
    nothing; it is not vacuous: some records say time words beyond the time course itself."""
    records = _records(31, 150) + _records(32, 60, ("immune_thrombocytopenia_child",)) \
        + _records(33, 60, ("acute_torticollis",))
    bad = [(r.id, m) for r in records for m in time_phrases_agree(r, bundled_kb, None)]
    assert bad == []
    assert sum(1 for r in records if any(time_words(bundled_kb, m.content) for m in r.messages if m.role == "user")) > 20


def test_the_opening_names_the_injury_that_brought_the_pain_on(bundled_kb):
    """A sprained ankle that began with going over on it is said to have begun so in the opening ('a painful
    joint after a rolled ankle'), before any question about 'the injury'."""
    records = _records(5, 80, ("ankle_sprain",))
    injured = [r for r in records if "twisting_injury" in r.case.present or "fall_recent" in r.case.present]
    assert len(injured) > 20
    for r in injured:
        opening = r.turns[1] if r.turns[0].act == "system" else r.turns[0]
        assert opening.act == "opening"
        assert {"twisting_injury", "fall_recent"} & set(r.case.present) & set(opening.volunteered), r.id
        text = r.messages[r.turns.index(opening)].content
        assert " after " in text, text


def test_a_swallow_whose_time_was_said_is_never_of_unknown_time(bundled_kb):
    records = [r for r in _records(9, 120, ("paracetamol_overdose",)) if "time_since_ingestion" in r.case.value_map]
    assert len(records) > 50
    for r in records:
        assert "duration" in r.case.value_map
        assert r.case.value_map["time_since_ingestion"] != ["unknown_time"], r.id


def test_the_loader_asks_for_a_rule_when_two_findings_of_one_condition_need_different_onsets(tmp_path):
    """Breathlessness that came on suddenly and breathlessness getting worse over days are both findings of
    acute pulmonary oedema; without the implication that keeps them apart the sampler could not give a case
    with both one onset, and the loader says so."""
    lib = tmp_path / "lib"
    shutil.copytree(bundled_library() / "conditions", lib / "conditions")
    path = lib / "conditions" / "consistency.yaml"
    text = path.read_text()
    old = "  - id: breathlessness_that_came_on_suddenly_is_not_one_worsening_over_days\n    if: {breathlessness_sudden: true}"
    assert old in text
    path.write_text(text.replace(old, "  - id: breathlessness_that_came_on_suddenly_is_not_one_worsening_over_days\n"
                                      "    if: {breathlessness_sudden: false}", 1))
    try:
        load_knowledge_base(lib)
    except ContentError as e:
        found = [p for p in e.problems if "nothing fits both" in p.message]
    else:
        found = []
    assert found and "breathlessness_sudden" in found[0].message


def test_a_finding_whose_onset_the_settled_case_rules_out_is_dropped(bundled_kb):
    """Sight clouding slowly over months, drawn at the leak rate in a stroke whose sudden weakness made the
    onset sudden, is made absent; the sudden weakness and the complaint stay."""
    from scenegen.sample import drop_clashing_findings

    truth = {"weakness_or_numbness": True, "limb_weakness_sudden": True, "vision_change": True,
             "vision_cloudy_gradually": True, "onset": "sudden", "duration": "hours"}
    assert drop_clashing_findings(bundled_kb, truth, frozenset({"weakness_or_numbness"}))
    assert truth["vision_cloudy_gradually"] is False
    assert truth["limb_weakness_sudden"] is True and truth["weakness_or_numbness"] is True
    assert not drop_clashing_findings(bundled_kb, truth, frozenset({"weakness_or_numbness"}))  # nothing left to drop


def test_the_site_of_limb_pain_agrees_with_the_injury_named(bundled_kb):
    """Read in a fresh dialogue: 'pain after going over on the ankle', then 'the shoulder' as where it is worst.
    A twisted ankle or knee puts the pain in the leg, a fall onto the hand in the arm; and the arm's answer names
    no one part of it (a frozen shoulder is not 'the wrist')."""
    records = _records(5, 80, ("ankle_sprain",)) + _records(6, 60, ("distal_radius_fracture",))
    checked = 0
    for r in records:
        site = r.case.value_map.get("joint_pain_site")
        if not site:
            continue
        if "twisting_injury" in r.case.present:
            assert site[0] in ("ankle_foot", "knee"), r.id
            checked += 1
        if "fall_on_outstretched_hand" in r.case.present:
            assert site == ["upper_limb"], r.id
            checked += 1
    assert checked > 30
    arm = next(v for v in bundled_kb.findings["joint_pain_site"].values if v.id == "upper_limb")
    assert not any(part in p for p in arm.lay for part in ("wrist", "shoulder", "finger", "hand", "elbow"))
