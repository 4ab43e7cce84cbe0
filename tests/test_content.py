"""The bundled library, validated whole: breadth, sources, codes, demographics, reachability."""

from __future__ import annotations

import warnings
from collections import Counter
from functools import lru_cache
from pathlib import Path

from scenegen import load_knowledge_base
from scenegen.content import Disposition, FindingType, Pregnancy, Sex
from scenegen.generate import GenerateConfig, Generator, Library
from scenegen.load import bundled_library
from scenegen.personas import load_personas
from scenegen.report import unreachable_conditions, warnings as library_warnings

EMERGENCY = {Disposition.emergency_ambulance, Disposition.emergency_department}
LOW = {Disposition.routine, Disposition.self_care}


@lru_cache(maxsize=1)
def lib() -> Library:
    return Library.load()


def test_breadth_matches_the_issue(bundled_kb):
    kb = bundled_kb
    assert len(kb.conditions) >= 100
    assert len(kb.complaints) >= 15
    assert len({c.specialty for c in kb.conditions.values()}) >= 12
    assert len(kb.findings) >= 300
    by_level = Counter(c.disposition for c in kb.conditions.values())
    assert all(by_level[d] >= 10 for d in Disposition), by_level


def test_required_specialties_and_conditions_are_present(bundled_kb):
    ids = set(bundled_kb.conditions)
    for must in ["sepsis", "bacterial_meningitis", "cauda_equina_syndrome", "diabetic_ketoacidosis", "hypoglycaemia_treated_diabetes",
                 "anaphylaxis", "paracetamol_overdose", "ectopic_pregnancy", "threatened_miscarriage", "pre_eclampsia",
                 "febrile_young_infant_serious_bacterial_infection", "croup", "bronchiolitis", "gastroenteritis_dehydration_child",
                 "delirium", "hip_fracture", "suicidal_ideation_with_plan", "panic_attack"]:
        assert must in ids, must


def test_every_complaint_holds_an_emergency_and_a_low_acuity_condition(bundled_kb):
    for comp in bundled_kb.complaints:
        levels = {c.disposition for c in bundled_kb.conditions.values() if comp in c.complaints}
        assert levels & EMERGENCY, comp
        assert levels & LOW, comp


def test_every_icd10cm_code_is_a_billable_code_of_the_code_set(bundled_kb):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        import simple_icd_10_cm as cm
    for cid, c in bundled_kb.conditions.items():
        assert cm.is_valid_item(c.icd10) and cm.is_leaf(c.icd10), (cid, c.icd10)


def test_every_condition_and_red_flag_cites_a_source(bundled_kb):
    for cid, c in bundled_kb.conditions.items():
        assert c.sources and all(len(s.strip()) > 10 for s in c.sources), cid
    for fid, f in bundled_kb.red_flags().items():
        assert f.red_flag.source and len(f.red_flag.source.strip()) > 10, fid
    for m in bundled_kb.modifiers:
        assert len(m.source) > 10, m.id


def test_findings_have_three_lay_phrasings_and_a_question(bundled_kb):
    for fid, f in bundled_kb.findings.items():
        assert f.question.endswith("?"), fid
        if f.type is FindingType.binary:
            assert len(f.lay) >= 3, fid
            assert f.ask, fid
        else:
            assert all(v.lay for v in f.values), fid


def test_lay_phrasings_carry_no_pronouns(bundled_kb):
    """Templates wrap lay phrasings for the patient and for a carer alike, so they must not say 'my' or 'I'."""
    import re

    bad = re.compile(r"\b(i|i'm|i've|my|me|mine|myself|they|them|their|themselves|he|she|his|him|himself|herself)\b",
                     re.IGNORECASE)
    offenders = [(fid, p) for fid, f in bundled_kb.findings.items() for p in f.lay if bad.search(p)]
    offenders += [(c.id, p) for c in bundled_kb.complaints.values() for p in c.openings if bad.search(p)]
    assert offenders == []


def test_lay_names_are_noun_phrases_that_fit_mid_sentence(bundled_kb):
    """Templates say 'this could be {lay name}, which should be checked today': a lay name with its own
    relative clause reads 'X, which ..., which ...'."""
    for cid, c in bundled_kb.conditions.items():
        assert ", which" not in c.lay_name and not c.lay_name.endswith("."), (cid, c.lay_name)


def test_questions_about_the_child_or_the_baby_are_asked_only_about_children(bundled_kb):
    """'Is the child pulling at an ear?' must not reach an adult speaking for themselves; a pregnancy question
    about the unborn baby is the exception (it sits under the pregnancy finding)."""
    import re

    from scenegen.triage import ancestors

    children = {"young_infant", "infant", "toddler", "child"}
    pregnancy = bundled_kb.settings.pregnancy_finding
    for fid, f in bundled_kb.findings.items():
        if not re.search(r"\b(the child|the baby)\b", f.question, re.IGNORECASE):
            continue
        if pregnancy in ancestors(bundled_kb, fid):
            continue
        assert f.ages and set(f.ages) <= children, (fid, f.ages)


def test_warnings_written_to_a_parent_reach_only_parents(bundled_kb):
    """A safety-net warning worded to a parent ('your child is floppy') is never said to a teenager or an
    adult speaking for themselves: its finding is reportable only in age bands where every speaker is a
    parent or carer (the persona library says who speaks at each age)."""
    from scenegen.realise.person import TO_A_PARENT

    personas = load_personas(bundled_library())
    from scenegen.triage import ancestors

    proxy_only = {g.id for g in personas.age_groups if "self" not in g.speakers}
    assert proxy_only, "the persona library has no age band spoken for by a parent only"
    pregnancy = bundled_kb.settings.pregnancy_finding  # 'your baby moving less' is said to the mother
    for fid, f in bundled_kb.findings.items():
        if f.red_flag is None or not f.red_flag.warning or not TO_A_PARENT.search(f.red_flag.warning):
            continue
        if pregnancy in ancestors(bundled_kb, fid):
            continue
        assert f.ages and set(f.ages) <= proxy_only, (fid, f.red_flag.warning, f.ages)


def test_demographic_gating(bundled_kb):
    for cid, c in bundled_kb.conditions.items():
        if c.pregnancy is Pregnancy.required:
            assert c.sexes == [Sex.female], cid
    assert "young_infant" not in bundled_kb.conditions["gout_flare"].ages
    assert bundled_kb.conditions["ectopic_pregnancy"].sexes == [Sex.female]
    assert "older_adult" not in bundled_kb.conditions["febrile_young_infant_serious_bacterial_infection"].ages


def test_no_warnings_and_every_condition_is_reachable(bundled_kb):
    personas = load_personas(bundled_library())
    assert library_warnings(bundled_kb) == []
    assert unreachable_conditions(bundled_kb, personas) == []
    # the same checks on a library built to fail them (tests/libraries/flawed/conditions/library.yaml says what)
    flawed = load_knowledge_base(Path(__file__).parent / "libraries" / "flawed")
    found = library_warnings(flawed)
    assert len(found) == 4, found
    assert found[0].endswith("finding 'lump_growing' is used by no condition, complaint or modifier")
    assert found[1].endswith("finding 'orphan' is used by no condition, complaint or modifier")
    assert found[2].startswith("complaint 'itch' has no condition needing emergency care")
    assert found[3] == "condition 'eczema' is self_care but gives no self-care advice"
    # newborn_rash's only complaint cannot be reported under 3 months; puppp needs a pregnant persona
    assert unreachable_conditions(flawed, personas) == ["newborn_rash"]


def test_every_condition_can_be_generated():
    gen_lib = lib()
    for cid in sorted(gen_lib.kb.conditions):
        r = Generator(gen_lib, GenerateConfig(seed=1, conditions=(cid,))).record(0)
        assert r.case.condition == cid


def test_every_complaint_yields_openings_ambiguous_across_dispositions():
    gen_lib = lib()
    for comp in sorted(gen_lib.kb.complaints):
        r = Generator(gen_lib, GenerateConfig(seed=2, complaints=(comp,))).record(0)
        assert r.case.complaint == comp
        assert r.ambiguity.plausible_initial >= 2 and len(r.ambiguity.dispositions_initial) >= 2, comp


def test_a_finding_below_one_nobody_at_this_age_can_report_is_not_reportable_either(bundled_kb):
    """Found by a blind read: a baby's parent asked 'any pain, pressure or tightness in her chest?' because a red
    flag below chest pain was reportable at that age, and its gateway question was asked."""
    kb = bundled_kb
    for band in ("young_infant", "infant", "toddler"):
        out = kb.unreportable(band)
        assert "chest_pain" in out
        for fid, f in kb.findings.items():
            if f.parent in out:
                assert fid in out, (band, fid)


def test_a_patient_phrase_with_a_bracketed_gloss_is_refused_with_its_file_and_field(tiny_copy):
    """'sickness (vomiting)' opened patients' first messages (read of 2026-12-08): the library explaining itself.
    A patient's words (a complaint's, a finding's or a value's lay phrasings, a denial) hold no brackets."""
    import pytest

    from scenegen import ContentError, load_knowledge_base

    path = tiny_copy / "conditions" / "library.yaml"
    text = path.read_text()
    path.write_text(text.replace('lay: ["a cough"]}', 'lay: ["a cough (coughing)"]}', 1)
                    .replace('ask: "a fever", lay: ["a fever"]', 'ask: "a fever", lay: ["a fever (high temperature)"]', 1))
    with pytest.raises(ContentError) as info:
        load_knowledge_base(tiny_copy)
    said = [str(p) for p in info.value.problems]
    assert any(s.startswith("conditions/library.yaml:2: complaints[cough].lay[0]:") and "no brackets" in s for s in said), said
    assert any("findings[fever].lay[0]" in s and "no brackets" in s for s in said), said
