"""Older adults are not given self-care for what a clinician must see at their age (read 10 #7, #38 and a
90-year-old's chest-wall pain), and self-care advice never comes from a condition whose defining question
was answered no."""

from __future__ import annotations

from scenegen import Demographics
from scenegen.content import Disposition, Sex
from scenegen.inference import posterior
from scenegen.plan import advice_source
from scenegen.triage import decide

Y = 12

# in a call about the joint, the call's weeks answer the pain's own duration (conditions/consistency.yaml, a
# complaint-scoped rule that decide() alone does not apply), so the case states it, as the textbook cases do
FOOT = {"joint_pain": True, "joint_pain_site": "ankle_foot", "pain_worse_on_movement": True,
        "heel_pain_first_steps": False, "onset": "gradual", "duration": "over_3_weeks", "joint_pain_over_a_week": True}
CHEST_WALL = {"chest_pain": True, "chest_pain_tender_to_touch": True, "onset": "gradual", "duration": "weeks_1_to_3"}


def test_chest_wall_pain_is_self_care_at_50_and_seen_by_a_doctor_at_90(bundled_kb):
    assert decide(bundled_kb, Demographics(50 * Y, Sex.female), CHEST_WALL).disposition is Disposition.self_care
    d = decide(bundled_kb, Demographics(90 * Y, Sex.female), CHEST_WALL)
    assert d.disposition.rank >= Disposition.routine.rank
    assert "chest_pain_from_65" in {r.id for r in d.reasons if r.kind == "modifier"}


def test_foot_pain_for_weeks_at_89_is_seen_by_a_gp(bundled_kb):
    d = decide(bundled_kb, Demographics(89 * Y, Sex.male), FOOT)
    assert d.disposition.rank >= Disposition.routine.rank
    assert "foot_pain_for_weeks_from_65" in {r.id for r in d.reasons if r.kind == "modifier"}


def test_no_heel_pain_advice_once_heel_pain_was_denied(bundled_kb):
    who = Demographics(89 * Y, Sex.male)
    d = decide(bundled_kb, who, FOOT)
    ranked = sorted(posterior(bundled_kb, who, FOOT).items(), key=lambda kv: -kv[1])
    assert ranked[0][0] == "plantar_fasciitis"  # still the likeliest on the numbers
    assert advice_source(bundled_kb, d, ranked, "joint_pain", FOOT) != "plantar_fasciitis"
    with_heel = {**FOOT, "heel_pain_first_steps": True}
    d2 = decide(bundled_kb, who, with_heel)
    ranked2 = sorted(posterior(bundled_kb, who, with_heel).items(), key=lambda kv: -kv[1])
    assert advice_source(bundled_kb, d2, ranked2, "joint_pain", with_heel) == "plantar_fasciitis"


def test_a_stuck_on_skin_growth_is_seen_once_not_diagnosed_by_text(bundled_kb):
    obs = {"rash": True, "lesion_stuck_on_waxy": True, "mole_changing": False, "onset": "gradual",
           "duration": "over_3_weeks"}
    assert decide(bundled_kb, Demographics(60 * Y, Sex.female), obs).disposition.rank >= Disposition.routine.rank


def test_passing_little_urine_over_75_is_same_day_without_a_fever(bundled_kb):
    obs = {"urinary_symptoms": True, "reduced_urine": True, "fever": False}
    assert decide(bundled_kb, Demographics(82 * Y, Sex.male), obs).disposition.rank >= Disposition.urgent.rank
    assert "passing_little_urine_75_and_over" not in {
        r.id for r in decide(bundled_kb, Demographics(60 * Y, Sex.male), obs).reasons}


def test_a_sudden_confusion_is_never_drawn_for_dementia_and_rules_it_out(bundled_kb):
    """Dementia is a gradual decline (NICE NG97); a sudden change is delirium, even on top of a dementia
    (NICE CG103). Read 11 #2: a dementia case answered 'yes, suddenly' after 'a couple of months'."""
    import random

    from scenegen.sample import sample_truth

    rng = random.Random(3)
    for _ in range(300):
        assert sample_truth(bundled_kb, "dementia_suspected", "confusion", rng).get("confusion_sudden_onset") is not True
    who = Demographics(88 * Y, Sex.female)
    slow = {"confusion": True, "duration": "over_3_weeks", "confusion_fluctuating": True, "confusion_sudden_onset": False}
    assert decide(bundled_kb, who, slow).disposition is Disposition.routine
    sudden = {**slow, "confusion_sudden_onset": True}
    assert posterior(bundled_kb, who, sudden).get("dementia_suspected", 0.0) < 1e-200


def test_a_faint_without_warning_at_65_or_over_is_same_day_only_once_the_warning_is_denied(bundled_kb):
    """NICE CG109: over 65 with a blackout and no prodrome is a red flag. 'absent' in a modifier's 'when' needs
    the answer no: an unasked warning is not an absent one."""
    def mods(age, obs):
        return {r.id for r in decide(bundled_kb, Demographics(age * Y, Sex.female), obs).reasons if r.kind == "modifier"}
    rule = "faint_without_warning_65_and_over"
    assert rule in mods(94, {"fainting": True, "faint_prodrome": False})
    assert rule not in mods(94, {"fainting": True})                          # not asked yet
    assert rule not in mods(94, {"fainting": True, "faint_prodrome": True})  # a warning: a simple faint
    assert rule not in mods(50, {"fainting": True, "faint_prodrome": False})


def test_an_older_person_is_never_told_any_medicine_taken_before_is_usually_fine():
    """Read 10 #4 and seed 9191: 'a medicine you've taken before without problems is usually fine' said to an
    87- and a 77-year-old. Older people often take several medicines (NICE CKS Medicines optimisation, not
    checked), and 'fine before' is not 'fine with today's list': their answers name paracetamol or a pharmacist."""
    import re
    from pathlib import Path

    root = Path(__file__).resolve().parent.parent / "templates" / "answer_question"
    reachable = []
    for path in sorted(root.glob("*.j2")):
        text = path.read_text()
        first = text.splitlines()[0]
        groups = re.search(r"age_group: \[([^\]]*)\]", first)
        older = groups is None or "older_adult" in groups.group(1)
        if older and "before without problems is usually fine" in text:
            reachable.append(path.name)
    assert reachable == []
