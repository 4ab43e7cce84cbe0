"""Every kind of content error is reported with file, line, field and what would be valid."""

from __future__ import annotations

from pathlib import Path

import pytest

from scenegen import ContentError, load_knowledge_base

LIB = "conditions/library.yaml"


def edit(lib: Path, old: str, new: str, file: str = LIB) -> None:
    path = lib / file
    text = path.read_text()
    assert old in text, f"fixture text not found: {old!r}"
    path.write_text(text.replace(old, new, 1))


def line_of(lib: Path, needle: str, file: str = LIB) -> int:
    for i, line in enumerate((lib / file).read_text().splitlines(), start=1):
        if needle in line:
            return i
    raise AssertionError(needle)


def problems(lib: Path) -> list:
    with pytest.raises(ContentError) as info:
        load_knowledge_base(lib)
    return info.value.problems


def test_tiny_library_loads(tiny_copy):
    kb = load_knowledge_base(tiny_copy)
    assert set(kb.conditions) == {"cold", "pneumonia", "pe"}


def test_unknown_finding_id_names_file_line_and_close_match(tiny_copy):
    edit(tiny_copy, "- {id: fever, p: 0.8}", "- {id: fevr, p: 0.8}")
    [p] = problems(tiny_copy)
    assert p.file == LIB and p.line == line_of(tiny_copy, "fevr")
    assert p.field == "conditions[pneumonia].findings[1].id"
    assert "unknown finding 'fevr'" in p.message and "'fever'" in p.message


def test_duplicate_id_points_at_both_definitions(tiny_copy):
    edit(tiny_copy, "  - {id: fever, name: Fever,", "  - {id: cough, name: Fever,")
    found = problems(tiny_copy)
    dup = [p for p in found if "duplicate id 'cough'" in p.message]
    assert dup and dup[0].line == line_of(tiny_copy, "{id: cough, name: Fever")
    assert f"first defined at {LIB}:{line_of(tiny_copy, '{id: cough, name: Cough, system')}" in dup[0].message


def test_probability_above_one_is_rejected_with_valid_range(tiny_copy):
    edit(tiny_copy, "- {id: fever, p: 0.2}", "- {id: fever, p: 1.7}")
    [p] = problems(tiny_copy)
    assert p.field == "conditions[cold].findings[1].p" and p.line == line_of(tiny_copy, "p: 1.7")
    assert "1.7 is outside [0, 1]" in p.message and "very_frequent" in p.message


def test_unknown_band_lists_the_bands(tiny_copy):
    edit(tiny_copy, "- {id: fever, p: 0.2}", "- {id: fever, p: sometimes}")
    [p] = problems(tiny_copy)
    assert "unknown frequency band 'sometimes'" in p.message and "occasional" in p.message


def test_parent_cycle_is_reported(tiny_copy):
    edit(tiny_copy, "{id: cough, name: Cough, system", "{id: cough, name: Cough, parent: night_cough, system")
    found = problems(tiny_copy)
    assert any("parent cycle" in p.message and "night_cough" in p.message for p in found)


def test_red_flag_without_disposition(tiny_copy):
    edit(tiny_copy, "red_flag: {disposition: emergency_ambulance, source", "red_flag: {source")
    [p] = problems(tiny_copy)
    assert p.field == "findings[blood_in_sputum].red_flag.disposition"
    assert "required key 'disposition' is missing" in p.message and p.line == line_of(tiny_copy, "red_flag:")


def test_condition_without_sources(tiny_copy):
    text = (tiny_copy / LIB).read_text()
    marker = '    sources: ["test source"]\n'
    last = text.rindex(marker)
    (tiny_copy / LIB).write_text(text[:last] + text[last + len(marker):])
    [p] = problems(tiny_copy)
    assert p.field == "conditions[pe].sources" and "required key 'sources' is missing" in p.message


def test_empty_sources_list(tiny_copy):
    text = (tiny_copy / LIB).read_text()
    marker = 'sources: ["test source"]'
    last = text.rindex(marker)
    (tiny_copy / LIB).write_text(text[:last] + "sources: []" + text[last + len(marker):])
    [p] = problems(tiny_copy)
    assert p.field == "conditions[pe].sources" and "at least 1 item" in p.message


def test_icd10_code_that_does_not_exist(tiny_copy):
    edit(tiny_copy, "icd10: J18.9", "icd10: J18.7")
    [p] = problems(tiny_copy)
    assert p.field == "conditions[pneumonia].icd10" and p.line == line_of(tiny_copy, "J18.7")
    assert "'J18.7' is not an ICD-10-CM code" in p.message


def test_icd10_category_that_is_not_billable_lists_subcodes(tiny_copy):
    edit(tiny_copy, "icd10: J18.9", "icd10: J18")
    [p] = problems(tiny_copy)
    assert "not a billable code" in p.message and "J18.9" in p.message


def test_identical_finding_sets(tiny_copy):
    edit(tiny_copy, "      - {id: blood_in_sputum, p: 0.1}\n", "      - {id: blood_in_sputum, p: 0.1}\n      - {id: onset, p: {sudden: 0.5}}\n")
    edit(tiny_copy, "      - {id: cough, p: 0.8}\n      - {id: fever, p: 0.2}\n      - {id: night_cough, p: 0.5}\n",
         "      - {id: cough, p: 0.8}\n      - {id: fever, p: 0.2}\n      - {id: blood_in_sputum, p: 0.01}\n")
    found = problems(tiny_copy)
    assert any("same set of findings as condition 'cold'" in p.message and p.field == "conditions[pneumonia].findings"
               for p in found), found


def test_unknown_key_is_an_error_not_a_default(tiny_copy):
    edit(tiny_copy, "    disposition: urgent\n", "    disposition: urgent\n    dispositon: routine\n")
    [p] = problems(tiny_copy)
    assert "unknown key 'dispositon'" in p.message and p.line == line_of(tiny_copy, "dispositon")


def test_unknown_disposition_lists_valid_ones(tiny_copy):
    edit(tiny_copy, "disposition: urgent\n", "disposition: soonish\n")
    [p] = problems(tiny_copy)
    assert "emergency_ambulance" in p.message and "self_care" in p.message and "'soonish'" in p.message


def test_yaml_syntax_error_has_a_line(tiny_copy):
    edit(tiny_copy, "- {id: fever, p: 0.2}", "- {id: fever, p: 0.2")
    [p] = problems(tiny_copy)
    assert p.file == LIB and p.line > 0 and "not valid YAML" in p.message


def test_every_problem_is_reported_at_once(tiny_copy):
    edit(tiny_copy, "- {id: fever, p: 0.2}", "- {id: fever, p: 1.7}")
    edit(tiny_copy, "icd10: J18.9", "icd10: J18.7")
    edit(tiny_copy, "- {id: cough, p: 0.3}", "- {id: coughh, p: 0.3}")
    found = problems(tiny_copy)
    assert len(found) >= 3
    kinds = " ".join(p.message for p in found)
    assert "outside [0, 1]" in kinds and "J18.7" in kinds and "coughh" in kinds


def test_complaint_finding_must_be_an_edge(tiny_copy):
    edit(tiny_copy, "      - {id: cough, p: 0.3}\n", "")
    found = problems(tiny_copy)
    assert any("complaint 'cough' opens with finding 'cough'" in p.message for p in found)


def test_child_finding_needs_its_parent_edge(tiny_copy):
    edit(tiny_copy, "      - {id: blood_in_sputum, p: 0.1}\n", "      - {id: blood_in_sputum, p: 0.1}\n      - {id: night_cough, p: 0.3}\n")
    edit(tiny_copy, "      - {id: cough, p: 0.9}\n", "")
    found = problems(tiny_copy)
    assert any("no edge to 'cough'" in p.message for p in found)


def test_categorical_value_must_exist(tiny_copy):
    edit(tiny_copy, "{gradual: 0.9, sudden: 0.1}", "{gradual: 0.9, abrupt: 0.1}")
    [p] = problems(tiny_copy)
    assert "unknown value of 'onset' 'abrupt'" in p.message


def test_pregnancy_required_for_a_male_only_condition(tiny_copy):
    edit(tiny_copy, "    disposition: urgent\n", "    disposition: urgent\n    pregnancy: required\n    sexes: [male]\n")
    [p] = problems(tiny_copy)
    assert "sexes does not include female" in p.message


def test_library_without_model_settings(tiny_copy):
    (tiny_copy / "conditions" / "_model.yaml").unlink()
    found = problems(tiny_copy)
    assert any(p.field == "model" and "no model settings" in p.message for p in found)


def test_not_a_library(tmp_path):
    from scenegen import UsageError

    with pytest.raises(UsageError, match="no conditions/ folder"):
        load_knowledge_base(tmp_path)


def test_conditions_no_question_can_tell_apart(tiny_copy):
    """Different finding lists, same evidence: an edge at the leak rate (0.05 here) is the same as no edge."""
    edit(tiny_copy, "      - {id: cough, p: 0.3}\n      - {id: blood_in_sputum, p: 0.3}\n      - {id: onset, p: {sudden: 0.8, gradual: 0.2}}\n      - {id: uninformative, p: 0.5}\n",
         "      - {id: cough, p: 0.8}\n      - {id: fever, p: 0.2}\n      - {id: night_cough, p: 0.5}\n"
         "      - {id: onset, p: {gradual: 0.9, sudden: 0.1}}\n      - {id: uninformative, p: 0.5}\n      - {id: blood_in_sputum, p: 0.05}\n")
    [p] = problems(tiny_copy)
    assert p.field == "conditions[pe].findings" and "no question can tell them apart" in p.message and "'cold'" in p.message


def test_safety_net_warnings_must_be_red_flags_above_the_conditions_level(tiny_copy):
    (tiny_copy / "conditions" / "nets.yaml").write_text(
        "safety_nets:\n"
        "  - {id: cold, warnings: [fever, blood_in_sputum], source: \"test source\"}\n"
        "  - {id: pe, warnings: [blood_in_sputum], source: \"test source\"}\n"
        "  - {id: flu, warnings: [blood_in_sputum], source: \"test source\"}\n")
    found = {(p.file, p.line, p.field): p.message for p in problems(tiny_copy)}
    assert "not a red flag" in found[("conditions/nets.yaml", 2, "safety_nets[cold].warnings[0]")]
    same = found[("conditions/nets.yaml", 3, "safety_nets[pe].warnings[0]")]
    assert "emergency_ambulance" in same and "sooner" in same
    assert "unknown condition 'flu'" in found[("conditions/nets.yaml", 4, "safety_nets[flu].id")]
    assert len(found) == 3  # cold's second warning (an ambulance red flag for a self-care cold) is valid


def test_an_implication_may_name_several_if_findings_but_one_then(tiny_copy):
    (tiny_copy / "conditions" / "imp.yaml").write_text(
        "implies:\n"
        "  - {id: both, if: {cough: true, fever: true}, then: {night_cough: true}, why: \"x y z\", source: \"test\"}\n"
        "  - {id: two_thens, if: {cough: true}, then: {fever: true, night_cough: true}, why: \"x y z\", source: \"test\"}\n"
        "  - {id: typo, if: {cough: true, fevr: true}, then: {night_cough: true}, why: \"x y z\", source: \"test\"}\n")
    found = {p.field: p.message for p in problems(tiny_copy)}
    assert "exactly one finding" in found["implies[two_thens].then"]
    assert "unknown finding 'fevr'" in found["implies[typo].if.fevr"]
    assert not any(f.startswith("implies[both]") for f in found)


def test_a_deny_wording_with_an_unknown_placeholder_names_file_field_and_the_valid_ones(tiny_copy):
    edit(tiny_copy, 'ask: "a fever", lay: ["a fever"]}', 'ask: "a fever", lay: ["a fever"], deny: ["{I is} not hot"]}')
    [p] = problems(tiny_copy)
    assert p.file == LIB and p.field.startswith("findings[fever]")
    assert "unknown placeholder I is" in p.message and "{I've}" in p.message


def test_a_deny_wording_ending_in_a_stop_is_rejected(tiny_copy):
    edit(tiny_copy, 'ask: "a fever", lay: ["a fever"]}', 'ask: "a fever", lay: ["a fever"], deny: ["not hot."]}')
    [p] = problems(tiny_copy)
    assert p.file == LIB and p.field.startswith("findings[fever]") and "closing mark" in p.message


def test_a_well_formed_deny_wording_loads(tiny_copy):
    edit(tiny_copy, 'ask: "a fever", lay: ["a fever"]}',
         'ask: "a fever", lay: ["a fever"], deny: ["{I\'ve} not been hot", "temperature\'s normal"]}')
    assert load_knowledge_base(tiny_copy).findings["fever"].deny == ["{I've} not been hot", "temperature's normal"]


def test_until_suspected_must_be_lower_and_raised_only_by_signs_that_get_asked(tiny_copy):
    """A dangerous condition's lower level until suspected is checked on load: lower than its own, and each
    sign that raises it an edge that is a rule-out question or a red flag (otherwise nothing asks it)."""
    edit(tiny_copy, "    disposition: emergency_ambulance\n    prior: 0.1\n",
         "    disposition: emergency_ambulance\n    until_suspected:\n      disposition: emergency_ambulance\n"
         "      suspected_by: [cough, fever, blood_in_sputum]\n      source: a guideline\n    prior: 0.1\n")
    found = {p.field: p.message for p in problems(tiny_copy)}
    assert "is not below the condition's own" in found["conditions[pe].until_suspected.disposition"]
    assert "neither in rule_out nor a red flag" in found["conditions[pe].until_suspected.suspected_by[0]"]
    assert "not one of this condition's findings" in found["conditions[pe].until_suspected.suspected_by[1]"]
    assert "conditions[pe].until_suspected.suspected_by[2]" not in found  # a red flag edge: fine


def test_a_modifier_said_by_an_unknown_or_its_own_rule_is_reported(tiny_copy):
    edit(tiny_copy, '    source: "NICE NG143"\n', '    source: "NICE NG143"\n    said_by: [infant_fevr, infant_fever]\n')
    found = problems(tiny_copy)
    assert len(found) == 2, found
    assert all(p.file == LIB and "said_by" in p.field for p in found)
    assert "unknown modifier 'infant_fevr'" in found[0].message
    assert "not itself" in found[1].message
