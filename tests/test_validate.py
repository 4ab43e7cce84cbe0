"""`scenegen validate` catches records corrupted on purpose: one test per rule."""

from __future__ import annotations

import re

import copy
import json
from functools import lru_cache

import orjson
import pytest
from click.testing import CliRunner

from scenegen.cli import cli
from scenegen.generate import GenerateConfig, Generator, Library
from scenegen.load import bundled_library
from scenegen.validate import RULES, Lexicon, validate_record


@lru_cache(maxsize=1)
def lib() -> Library:
    return Library.load()


WANTS = {
    None: lambda r: True,
    "self_care": lambda r: r.gold.disposition == "self_care",
    "red_flag": lambda r: bool(r.gold.red_flags_present),
    "yes": lambda r: any(t.act == "answer_yes" for t in r.turns),
    "must_ask": lambda r: r.gold.disposition != "emergency_ambulance" and any(q.must_ask for q in r.gold.questions),
    # the last question rules a dangerous condition out, and the level rests on plausible conditions only
    "rule_out": lambda r: r.gold.disposition != "emergency_ambulance" and bool(r.gold.questions) and bool(
        r.gold.questions[-1].rules_out) and not r.gold.questions[-1].red_flag and all(
        x.kind in ("plausible_condition", "most_likely_condition") for x in r.gold.reasons
        if x.disposition == r.gold.disposition),
    "first_aid": lambda r: bool(r.gold.first_aid),
    # an ambulance set by a rule (modifier), after at least one question
    "ambulance_rule": lambda r: r.gold.disposition == "emergency_ambulance" and bool(r.gold.questions) and any(
        x.kind == "modifier" and x.disposition == "emergency_ambulance" for x in r.gold.reasons),
    # the patient pushed back after an ambulance disposition
    "pushback_ambulance": lambda r: r.gold.disposition == "emergency_ambulance" and any(
        a.act == "pushback" for a in r.gold.patient_acts),
    "pushback_below_ambulance": lambda r: r.gold.disposition != "emergency_ambulance" and any(
        a.act == "pushback" for a in r.gold.patient_acts),
    "patient_question": lambda r: any(a.act == "patient_question" for a in r.gold.patient_acts),
}


@lru_cache(maxsize=None)
def _record(seed: int, conditions: tuple[str, ...] = (), want: str | None = None) -> str:
    """The first generated record with the property a test needs (searched, not assumed from a seed)."""
    gen = Generator(lib(), GenerateConfig(seed=seed, conditions=conditions))
    for i in range(400):
        r = gen.record(i)
        if WANTS[want](r):
            return orjson.dumps(r.model_dump(mode="json")).decode()
    raise AssertionError(f"no record with {want!r} in 400 draws")


def record(seed=1, conditions=(), want=None) -> dict:
    return copy.deepcopy(json.loads(_record(seed, tuple(conditions), want)))


def rules_broken(obj: dict) -> set[str]:
    return {v.rule for v in validate_record(obj, lib().kb, Lexicon.load(bundled_library()))}


def put_values(obj: dict, **values: list[str]) -> None:
    """Set finding values in the record's list of {finding, values}, as the generator orders it."""
    have = {fv["finding"]: fv["values"] for fv in obj["case"]["values"]}
    have.update(values)
    obj["case"]["values"] = [{"finding": f, "values": v} for f, v in sorted(have.items())]


def value_of(items: list[dict], fid: str) -> list[str] | None:
    return next((fv["values"] for fv in items if fv["finding"] == fid), None)


def first(obj: dict, act: str) -> int:
    return next(i for i, t in enumerate(obj["turns"]) if t["act"] == act)


def test_a_generated_record_is_clean():
    assert rules_broken(record()) == set()


def _drop_hidden_from_final(obj):
    obj["gold"]["differential_final"] = [d for d in obj["gold"]["differential_final"] if d["condition"] != obj["case"]["condition"]]


def _say_yes_to_a_no(obj):
    i = first(obj, "answer_no")
    obj["turns"][i]["act"] = "answer_yes"
    obj["turns"][i]["answer"] = "yes"


def _ask_again(obj):
    i = first(obj, "answer_yes")
    obj["messages"][i + 1:i + 1] = [dict(obj["messages"][i - 1]), dict(obj["messages"][i])]
    obj["turns"][i + 1:i + 1] = [dict(obj["turns"][i - 1]), dict(obj["turns"][i])]


def _skip_the_must_ask(obj):
    """Remove the first must-ask's questions and their answers from the dialogue, as if it had never been asked:
    its gateway too ('less pee?' before 'no wet nappy for 12 hours?'), or the child's 'no' would settle it."""
    screen = next(q["must_ask"] for q in obj["gold"]["questions"] if q["must_ask"])
    for q in sorted((q for q in obj["gold"]["questions"] if q["must_ask"] == screen), key=lambda q: -q["turn"]):
        i = q["turn"]
        del obj["messages"][i:i + 2], obj["turns"][i:i + 2]


def _skip_the_rule_out(obj):
    """Remove the last rule-out question and its answer, as if the assistant had escalated without it."""
    q = [q for q in obj["gold"]["questions"] if q["rules_out"] and not q["red_flag"] and not q["must_ask"]][-1]
    i = q["turn"]
    del obj["messages"][i:i + 2], obj["turns"][i:i + 2]


def _fit_without_a_blackout(obj):
    obj["case"]["present"] = [f for f in obj["case"]["present"] if f != "fainting"] + ["seizure"]
    obj["case"]["absent"] = [f for f in obj["case"]["absent"] if f != "seizure"] + ["fainting"]


def _cite_the_under_5s_guideline_for_a_7_year_old(obj):
    scoped = lib().kb.findings["grunting"].red_flag.source_by_age
    under_5 = next(s.source for s in scoped if s.max_age_months == 59)
    obj["persona"]["age_months"] = 7 * 12
    obj["gold"]["reasons"][0]["detail"] += f" ({under_5})"


def _leave_the_pushback_unanswered(obj):
    """Drop the assistant's answer to the patient's pushback, and all that followed."""
    i = first(obj, "pushback")
    del obj["messages"][i + 1:], obj["turns"][i + 1:]
    obj["gold"]["patient_acts"] = [a for a in obj["gold"]["patient_acts"] if a["turn"] <= i]


def _answer_with_another_levels_wording(obj):
    """The answer to an ambulance pushback worded from the urgent family, as if the level had been lowered."""
    i = first(obj, "answer_pushback")
    obj["turns"][i]["templates"] = ["answer_pushback/urgent_wait_1"]


def _give_a_dose(obj):
    i = first(obj, "answer_question")
    obj["messages"][i]["content"] += " Take two tablets every 4 hours."


def _claim_diagnosis(obj):
    d = obj["gold"]["disposition_turn"]
    name = lib().kb.conditions[obj["case"]["condition"]].lay_name
    obj["messages"][d]["content"] = f"You have {name}. " + obj["messages"][d]["content"]


def _say_two_times(obj):
    """The opening says it started yesterday; a later value answer says it has gone on for several months."""
    i = first(obj, "opening")
    obj["messages"][i]["content"] += " It started yesterday."
    put_values(obj, duration=["days_1_to_4"], onset=["sudden"])
    j = next(k for k, t in enumerate(obj["turns"]) if k > i and obj["messages"][k]["role"] == "user")
    obj["turns"][j].update(act="answer_value", finding="duration", answer=None, answer_values=["days_1_to_4"])
    obj["messages"][j]["content"] = "It's been going on for several months."


def _name_the_maternity_unit_at_8_weeks(obj):
    i = next(i for i, t in enumerate(obj["turns"]) if t["act"] in ("answer_value", "answer_yes", "answer_no"))
    obj["turns"][i].update(act="answer_value", finding="weeks_pregnant", answer=None, answer_values=["under_20_weeks"])
    obj["messages"][i]["content"] = "About 8 weeks."
    unit = Lexicon.load(bundled_library()).vocab[obj["persona"]["locale"]]["maternity_unit"]
    obj["messages"][obj["gold"]["disposition_turn"]]["content"] += f" You can also ring {unit}."


def _say_nothing_on_the_paper_of_a_baby(obj):
    obj["persona"]["age_months"] = 7
    i = first(obj, "answer_no") if any(t["act"] == "answer_no" for t in obj["turns"]) else first(obj, "opening")
    obj["messages"][i]["content"] += " Nothing on the paper."


def _step(o: dict, name: str) -> dict:
    return next(s for s in o["gold"]["reasoning"] if s["step"] == name)


def _list_an_unasked_negative(o: dict) -> None:
    """A finding nobody asked about (the Ottawa ankle item when the knee hurts) listed as a pertinent negative."""
    asked = {t["finding"] for t in o["turns"]}
    fid = next(f for f in sorted(lib().kb.findings) if f not in asked and f not in o["case"]["present"])
    _step(o, "pertinent_negatives")["findings"].append(fid)


def _label_a_positive_absent_too(o: dict) -> None:
    """A pertinent positive (dysuria, say) listed among the pertinent negatives as well."""
    _step(o, "pertinent_negatives")["findings"].append(_step(o, "pertinent_positives")["findings"][0])


#: rule -> (the record it starts from, a corruption that breaks that rule)
def _ask_since_the_injury_before_any_injury(o: dict) -> None:
    """The first question becomes 'Since the injury, does the arm ... look bent?' with no fall or twist said."""
    i = next(i for i, t in enumerate(o["turns"]) if t["act"] == "clarify")
    o["turns"][i]["finding"] = "limb_deformed_after_injury"
    o["messages"][i]["content"] = lib().kb.findings["limb_deformed_after_injury"].question


def _ask_on_after_a_thunderclap(o: dict) -> None:
    """The first answer becomes a yes to a thunderclap headache, and the questions go on after it."""
    i = next(i for i, t in enumerate(o["turns"]) if t["act"] in ("answer_yes", "answer_no", "answer_value"))
    o["turns"][i].update(act="answer_yes", finding="headache_thunderclap", answer="yes", answer_values=[])


def _ask_on_after_an_ambulance_rule(o: dict) -> None:
    """The last question and its answer (after which the ambulance rule held) are asked once more before 999."""
    i = o["gold"]["disposition_turn"]
    o["messages"][i:i] = [dict(o["messages"][i - 2]), dict(o["messages"][i - 1])]
    o["turns"][i:i] = [dict(o["turns"][i - 2]), dict(o["turns"][i - 1])]
    o["gold"]["disposition_turn"] = i + 2


BREAKERS = {
    "known_ids": ({}, lambda o: o["case"].update(condition="dragon_pox")),
    "structure": ({}, lambda o: o["messages"][first(o, "opening")].update(role="assistant")),
    "hidden_condition_in_final_differential": ({}, _drop_hidden_from_final),
    # a problem of more than 3 weeks in a baby not yet a month old
    "answers_fit_the_age": ({}, lambda o: (o["persona"].update(age_months=0),
                                           put_values(o, duration=["over_3_weeks"]))),
    "disposition_not_below_hidden_condition": (
        {"conditions": ("acute_coronary_syndrome",)},
        lambda o: o["gold"].update(disposition="self_care", level4="self_care", level3="self_care", max_hours_to_care=None)),
    "red_flags_reflected": ({"want": "red_flag"}, lambda o: o["gold"].update(red_flags_present=[])),
    "collapsed_levels_match": (
        {}, lambda o: o["gold"].update(level3="emergent" if o["gold"]["level3"] != "emergent" else "self_care")),
    "answers_true_to_case": ({}, _say_yes_to_a_no),
    "answer_text_agrees": (
        {"want": "yes"}, lambda o: o["messages"][first(o, "answer_yes")].update(content="No, nothing like that.")),
    "safety_net_where_required": ({"want": "self_care"}, lambda o: o["gold"].update(safety_net=[])),
    "differential_is_a_distribution": ({}, lambda o: o["gold"]["differential_final"][0].update(p=1.5)),
    "disposition_reasons_support_level": ({}, lambda o: o["gold"].update(reasons=[])),
    "crisis_resource_given": ({"want": "self_care"}, lambda o: o["gold"].update(crisis_resource="suicide_crisis_line")),
    "no_diagnosis_claim": ({}, _claim_diagnosis),
    "no_pressing_the_same_question": ({"want": "yes"}, _ask_again),
    "no_decision_over_an_unasked_red_flag": (
        {"want": "self_care"},
        lambda o: o["gold"].update(red_flags_unasked=o["gold"]["red_flags_unasked"] + ["chest_pain_over_15_min"])),
    "no_decision_over_an_unasked_must_ask": ({"want": "must_ask"}, _skip_the_must_ask),
    "no_question_after_an_ambulance_red_flag": ({"want": "must_ask"}, _ask_on_after_a_thunderclap),
    "no_question_after_an_ambulance_rule": ({"conditions": ("sepsis",), "want": "ambulance_rule"},
                                            _ask_on_after_an_ambulance_rule),
    "no_decision_over_a_pending_rule_out": ({"want": "rule_out"}, _skip_the_rule_out),
    # a condition named with nothing reported for it: anaphylaxis in a dialogue that never touched an allergy
    "named_only_when_supported": ({"want": "self_care"}, lambda o: o["gold"]["named_conditions"].append("anaphylaxis")),
    "answers_consistent": ({}, _fit_without_a_blackout),
    "condition_fits_age": ({}, lambda o: (o["case"].update(condition="simple_febrile_seizure"),
                                          o["persona"].update(age_months=11 * 12))),
    "sources_fit_age": ({}, _cite_the_under_5s_guideline_for_a_7_year_old),
    "first_aid_given": ({"conditions": ("anaphylaxis",), "want": "first_aid"}, lambda o: o["gold"].update(first_aid=[])),
    "time_course_agrees": ({}, lambda o: o["gold"]["time_course"].update(duration=None)),
    "questions_presuppose_only_what_was_said": ({}, _ask_since_the_injury_before_any_injury),
    "case_implications_hold": ({}, lambda o: (o["case"]["present"].append("headache_thunderclap"),
                                              put_values(o, onset=["gradual"]))),
    # 'late last night' in the opening, then a value answer that says months
    "time_phrases_agree": ({}, _say_two_times),
    "patient_acts_answered": ({"want": "pushback_ambulance"}, _leave_the_pushback_unanswered),
    # "I'd rather drive him in myself" after a routine or same-day disposition: it fits an ambulance call only
    "patient_act_fits_the_level": (
        {"want": "pushback_below_ambulance"},
        lambda o: next(a for a in o["gold"]["patient_acts"] if a["act"] == "pushback").update(raised="drive_myself")),
    "answers_keep_the_disposition": ({"want": "pushback_ambulance"}, _answer_with_another_levels_wording),
    "no_dose_in_answers": ({"want": "patient_question"}, _give_a_dose),
    # the hostile-input review's user template: 'Take care, it is probably nothing.' on an ambulance record
    "disposition_says_the_action": (
        {"want": "pushback_ambulance"},
        lambda o: o["messages"][o["gold"]["disposition_turn"]].update(content="Take care, it is probably nothing.")),
    "no_empty_message": ({}, lambda o: o["messages"][first(o, "clarify")].update(content="  ")),
    # a parent of a 7-month-old answering 'nothing on the paper' (a child who uses the toilet's words)
    "phrases_fit_the_age": ({}, _say_nothing_on_the_paper_of_a_baby),
    # a man asked about the vagina (threadworm's vaginal itch reached a man through its red-flag screen)
    "findings_fit_the_sex": ({}, lambda o: (o["persona"].update(sex="male", pregnant=False),
                                            o["turns"][first(o, "clarify")].update(finding="vaginal_itch_or_discharge"))),
    # 'about 8 weeks', then the maternity unit (labour and delivery) named beside A&E
    "pregnancy_service_fits_gestation": ({}, _name_the_maternity_unit_at_8_weeks),
    # a limb-site rule's 'no' (heel pain on first steps, with a knee that hurts) listed as denied
    "negatives_were_denied": ({}, _list_an_unasked_negative),
    # dysuria both a pertinent positive and a pertinent negative in one record
    "findings_not_both_present_and_absent": ({}, _label_a_positive_absent_too),
}


def test_every_rule_has_a_test_here():
    """Every rule has a corruption here, and the rule's own function (not just some rule) fires on it and is
    silent on the record the corruption started from; a rule that never fires, or a new rule without a
    corruption, fails this test."""
    from scenegen.records import Record

    assert set(BREAKERS) == set(RULES)
    kb, lexicon = lib().kb, _lexicon()
    for name, check in RULES.items():
        start, corrupt = BREAKERS[name]
        obj = record(**start)
        assert list(check(Record.model_validate(obj), kb, lexicon)) == [], name
        corrupt(obj)
        assert list(check(Record.model_validate(obj), kb, lexicon)), name


@lru_cache(maxsize=1)
def _lexicon() -> Lexicon:
    return Lexicon.load(bundled_library())


def test_schema():
    obj = record()
    del obj["gold"]
    assert rules_broken(obj) == {"schema"}


def test_known_ids():
    obj = record()
    obj["case"]["condition"] = "dragon_pox"
    assert "known_ids" in rules_broken(obj)


def test_structure_roles_must_alternate():
    obj = record()
    i = first(obj, "opening")
    obj["messages"][i]["role"] = "assistant"
    assert "structure" in rules_broken(obj)


def test_structure_disposition_turn_must_point_at_the_disposition():
    obj = record()
    obj["gold"]["disposition_turn"] = first(obj, "opening")
    assert "structure" in rules_broken(obj)


def test_structure_a_red_flag_screen_must_be_asked_as_a_red_flag_check():
    obj = record()
    q = obj["gold"]["questions"][0]
    q["red_flag"] = not q["red_flag"]  # the label no longer matches the act of the turn it points at
    assert "structure" in rules_broken(obj)


def test_hidden_condition_in_final_differential():
    obj = record()
    obj["gold"]["differential_final"] = [d for d in obj["gold"]["differential_final"] if d["condition"] != obj["case"]["condition"]]
    assert "hidden_condition_in_final_differential" in rules_broken(obj)


def test_disposition_not_below_hidden_condition():
    obj = record(conditions=("acute_coronary_syndrome",))
    obj["gold"].update(disposition="self_care", level4="self_care", level3="self_care", max_hours_to_care=None)
    assert "disposition_not_below_hidden_condition" in rules_broken(obj)


def test_red_flags_reflected_in_disposition():
    obj = record(want="red_flag")
    obj["gold"].update(disposition="routine", level4="non_urgent", level3="non_emergent", max_hours_to_care=336)
    assert "red_flags_reflected" in rules_broken(obj)


def test_red_flag_revealed_but_not_listed():
    obj = record(want="red_flag")
    obj["gold"]["red_flags_present"] = []
    assert "red_flags_reflected" in rules_broken(obj)


def test_collapsed_levels_match():
    obj = record()
    obj["gold"]["level3"] = "emergent" if obj["gold"]["level3"] != "emergent" else "self_care"
    assert "collapsed_levels_match" in rules_broken(obj)


def test_answers_true_to_case():
    obj = record()
    i = first(obj, "answer_no")
    obj["turns"][i]["act"] = "answer_yes"
    obj["turns"][i]["answer"] = "yes"
    assert "answers_true_to_case" in rules_broken(obj)


def test_answer_text_agrees_with_yes():
    obj = record(want="yes")
    i = first(obj, "answer_yes")
    obj["messages"][i]["content"] = "No, nothing like that."
    assert "answer_text_agrees" in rules_broken(obj)


def test_answer_text_agrees_with_no():
    obj = record()
    i = first(obj, "answer_no")
    obj["messages"][i]["content"] = "Yes, definitely."
    assert "answer_text_agrees" in rules_broken(obj)


def test_a_no_may_name_its_finding_in_a_negated_sentence_but_not_describe_it():
    from scenegen.load import load_knowledge_base

    kb = load_knowledge_base()
    obj = record()
    negative = re.compile(r"\b(no|not|nothing|none|never)\b|n't", re.IGNORECASE)
    i, lay = next((j, p) for j, t in enumerate(obj["turns"]) if t["act"] == "answer_no"
                  for p in kb.findings[t["finding"]].lay if not negative.search(p))
    obj["messages"][i]["content"] = f"No, I haven't had {lay}."
    assert "answer_text_agrees" not in rules_broken(obj)
    obj["messages"][i]["content"] = f"No. But there is {lay}."
    assert "answer_text_agrees" in rules_broken(obj)


def test_safety_net_where_required():
    obj = record(want="self_care")
    obj["gold"]["safety_net"] = []
    assert "safety_net_where_required" in rules_broken(obj)


def test_differential_is_a_distribution():
    obj = record()
    obj["gold"]["differential_final"][0]["p"] = 1.5
    assert "differential_is_a_distribution" in rules_broken(obj)


def test_disposition_reasons_support_level():
    obj = record()
    obj["gold"]["reasons"] = []
    assert "disposition_reasons_support_level" in rules_broken(obj)


def test_crisis_resource_given():
    obj = record(want="self_care")
    obj["gold"]["crisis_resource"] = "suicide_crisis_line"
    assert "crisis_resource_given" in rules_broken(obj)


def test_no_pressing_the_same_question():
    obj = record(want="yes")
    i = first(obj, "answer_yes")
    # the assistant asks the just-answered question again
    obj["messages"][i + 1:i + 1] = [dict(obj["messages"][i - 1]), dict(obj["messages"][i])]
    obj["turns"][i + 1:i + 1] = [dict(obj["turns"][i - 1]), dict(obj["turns"][i])]
    assert "no_pressing_the_same_question" in rules_broken(obj)


def test_no_decision_over_an_unasked_red_flag():
    obj = record(want="self_care")
    obj["gold"]["red_flags_unasked"] = obj["gold"]["red_flags_unasked"] + ["chest_pain_over_15_min"]
    assert "no_decision_over_an_unasked_red_flag" in rules_broken(obj)


def test_first_aid_given_in_gold_and_in_the_final_message():
    obj = record(conditions=("anaphylaxis",), want="first_aid")
    assert rules_broken(obj) == set()
    assert any("auto-injector" in step for step in obj["gold"]["first_aid"])
    dropped = copy.deepcopy(obj)
    dropped["gold"]["first_aid"] = []
    assert "first_aid_given" in rules_broken(dropped)
    unsaid = copy.deepcopy(obj)
    d = unsaid["gold"]["disposition_turn"]
    for step in unsaid["gold"]["first_aid"]:
        unsaid["messages"][d]["content"] = unsaid["messages"][d]["content"].replace(step, "")
    assert "first_aid_given" in rules_broken(unsaid)
    extra = copy.deepcopy(obj)
    extra["gold"]["first_aid"].append("Chew one 300 mg aspirin tablet now.")
    assert "first_aid_given" in rules_broken(extra)


def _duration_question(obj: dict) -> int:
    """The index of the assistant's 'when did it start?' question (asked when the opening did not say it)."""
    return next(i for i, t in enumerate(obj["turns"]) if t["finding"] == "duration" and t["act"] in {"clarify", "red_flag_check"})


def test_no_decision_over_an_unasked_time_course_must_ask():
    obj = record(want="self_care")
    obj["turns"][first(obj, "opening")]["volunteered"] = [v for v in obj["turns"][first(obj, "opening")]["volunteered"] if v != "duration"]
    obj["turns"][first(obj, "opening")]["volunteered_values"] = []
    for i, t in enumerate(obj["turns"]):
        if t["finding"] == "duration" and t["act"] == "answer_value":
            obj["turns"][i]["finding"] = None  # as if the answer were never given
    assert "no_decision_over_an_unasked_must_ask" in rules_broken(obj)


def test_time_course_agrees_with_the_dialogue_and_the_case():
    obj = record()
    told = obj["gold"]["time_course"]["duration"]
    assert told is not None and value_of(obj["case"]["values"], "duration") == [told]
    other = next(v.id for v in lib().kb.findings["duration"].values if v.id != told)
    obj["gold"]["time_course"]["duration"] = other
    assert "time_course_agrees" in rules_broken(obj)
    obj = record()
    obj["gold"]["time_course"]["duration"] = None  # known in the dialogue, missing from the gold
    assert "time_course_agrees" in rules_broken(obj)


def test_case_implications_hold():
    obj = record()
    obj["case"]["present"] = obj["case"]["present"] + ["headache_thunderclap"]
    put_values(obj, onset=["gradual"])  # a thunderclap headache comes on suddenly
    assert "case_implications_hold" in rules_broken(obj)


def test_a_volunteered_time_course_must_be_true_and_said():
    gen = Generator(lib(), GenerateConfig(seed=3, ambiguity="low"))
    obj = next(r for r in (gen.record(i).model_dump(mode="json") for i in range(60))
               if r["turns"][first(r, "opening")]["volunteered_values"])
    assert rules_broken(copy.deepcopy(obj)) == set()
    opening = obj["turns"][first(obj, "opening")]
    fid, [value] = opening["volunteered_values"][0]["finding"], opening["volunteered_values"][0]["values"]
    other = next(v.id for v in lib().kb.findings[fid].values if v.id != value)
    opening["volunteered_values"][0]["values"] = [other]
    assert {"answers_true_to_case", "answer_text_agrees"} <= rules_broken(obj)


def test_no_diagnosis_claim():
    obj = record()
    d = obj["gold"]["disposition_turn"]
    name = lib().kb.conditions[obj["case"]["condition"]].lay_name
    obj["messages"][d]["content"] = f"You have {name}. " + obj["messages"][d]["content"]
    assert "no_diagnosis_claim" in rules_broken(obj)


def test_validate_command_reports_record_id_and_exits_nonzero(tmp_path):
    good, bad = record(), record()
    bad["gold"]["level4"] = "urgent" if bad["gold"]["level4"] != "urgent" else "emergency"
    path = tmp_path / "data.jsonl"
    path.write_bytes(orjson.dumps(good) + b"\n" + orjson.dumps(bad) + b"\nnot json\n")
    r = CliRunner().invoke(cli, ["validate", str(path)])
    assert r.exit_code == 1
    assert f"{bad['id']}: [collapsed_levels_match]" in r.stderr and ":3: ?: [json]" in r.stderr


def test_generate_then_validate_and_show_through_the_cli(tmp_path):
    out = tmp_path / "out"
    r = CliRunner().invoke(cli, ["generate", "--n", "40", "--seed", "3", "--out", str(out), "--quiet"])
    assert r.exit_code == 0, r.output
    assert {p.name for p in out.iterdir()} == {"train.jsonl", "test.jsonl", "README.md", "manifest.json"}
    r = CliRunner().invoke(cli, ["validate", str(out / "train.jsonl"), str(out / "test.jsonl"), "--holdout-by", "condition"])
    assert r.exit_code == 0, r.output
    assert "ok: 40 record(s)" in r.stdout
    first_id = json.loads((out / "train.jsonl").read_text().splitlines()[0])["id"]
    r = CliRunner().invoke(cli, ["show", str(out / "train.jsonl"), "--id", first_id])
    assert r.exit_code == 0 and first_id in r.stdout and "GOLD" in r.stdout and "disposition:" in r.stdout


def test_generate_rejects_unknown_condition(tmp_path):
    r = CliRunner().invoke(cli, ["generate", "--n", "2", "--out", str(tmp_path / "o"), "--condition", "migrane"])
    assert r.exit_code == 2 and "unknown condition 'migrane'" in r.stderr and "migraine" in r.stderr
    assert not (tmp_path / "o").exists() or not any((tmp_path / "o").iterdir())


def test_answers_consistent_a_fit_without_a_blackout():
    obj = record()
    obj["case"]["present"] = [f for f in obj["case"]["present"] if f != "fainting"] + ["seizure"]
    obj["case"]["absent"] = [f for f in obj["case"]["absent"] if f != "seizure"] + ["fainting"]
    assert "answers_consistent" in rules_broken(obj)


def test_answers_consistent_in_the_dialogue():
    obj = record(want="yes")
    i = first(obj, "answer_yes")
    obj["turns"][i]["finding"] = "first_ever_seizure"
    j = next(k for k, t in enumerate(obj["turns"]) if t["act"] == "answer_no")
    obj["turns"][j]["finding"], obj["turns"][j]["act"] = "previous_febrile_seizure", "answer_yes"
    assert "answers_consistent" in rules_broken(obj)


def test_condition_fits_age_no_febrile_seizure_at_11():
    obj = record()
    obj["case"]["condition"] = "simple_febrile_seizure"
    obj["persona"]["age_months"] = 11 * 12
    assert "condition_fits_age" in rules_broken(obj)


def test_sources_fit_age_no_under_5s_guideline_for_a_7_year_old():
    obj = record()
    scoped = lib().kb.findings["grunting"].red_flag.source_by_age
    under_5 = next(s.source for s in scoped if s.max_age_months == 59)
    obj["persona"]["age_months"] = 7 * 12
    obj["gold"]["reasons"][0]["detail"] += f" ({under_5})"
    assert "sources_fit_age" in rules_broken(obj)


def test_no_decision_over_an_unasked_must_ask():
    gen = Generator(lib(), GenerateConfig(seed=2))
    for i in range(400):
        r = gen.record(i)
        asked = [q for q in r.gold.questions if q.must_ask]
        if asked and r.gold.disposition != "emergency_ambulance":
            break
    else:
        raise AssertionError("no record with a must-ask below an ambulance in 400 draws")
    obj = json.loads(orjson.dumps(r.model_dump(mode="json")))
    for t in obj["turns"]:
        if t["finding"] == asked[0].finding:
            t["finding"] = None
    assert "no_decision_over_an_unasked_must_ask" in rules_broken(obj)


def test_an_ambulance_exchange_must_end_on_the_action_not_a_pleasantry():
    obj = record(want="pushback_ambulance")
    number = "911" if obj["persona"]["locale"] == "en_US" else "999"
    obj["messages"][-1]["content"] = f"Please call {number} now."
    assert "answers_keep_the_disposition" not in rules_broken(obj)
    obj["messages"][-1]["content"] = f"Please call {number} now. Take care."
    assert "answers_keep_the_disposition" in rules_broken(obj)
    obj["messages"][-1]["content"] = "I understand. Please think it over."
    assert "answers_keep_the_disposition" in rules_broken(obj)


def test_a_red_flag_in_the_rationale_must_be_present():
    obj = record(want="red_flag")
    flag = obj["gold"]["red_flags_present"].pop(0)
    _step(obj, "disposition_rationale")["findings"] = [flag]
    assert "findings_not_both_present_and_absent" in rules_broken(obj)


def test_a_red_flag_present_and_unasked_is_caught():
    obj = record(want="red_flag")
    obj["gold"]["red_flags_unasked"].append(obj["gold"]["red_flags_present"][0])
    assert "findings_not_both_present_and_absent" in rules_broken(obj)


def _dataset(tmp_path, n: int = 12, seed: int = 5, twins: tuple[str, ...] = ()):
    from scenegen.generate import GenerateConfig, Generator
    from scenegen.write import write_dataset

    out = tmp_path / "d"
    write_dataset(Generator(lib(), GenerateConfig(seed=seed, test_fraction=0.25, twins=twins)), n, out)
    return out


def _file_rules(*paths) -> list[tuple[str, str]]:
    from scenegen.validate import validate_files

    return [(v.rule, v.message) for v in validate_files(paths, lib().kb, _lexicon())]


@pytest.mark.parametrize("twins", [(), ("name", "sex")])
def test_a_dataset_as_written_passes_the_whole_dataset_checks(tmp_path, twins):
    out = _dataset(tmp_path, twins=twins)
    assert _file_rules(out / "train.jsonl", out / "test.jsonl") == []


def test_a_file_cut_short_at_a_line_or_changed_fails_against_its_manifest(tmp_path):
    out = _dataset(tmp_path)
    lines = (out / "train.jsonl").read_bytes().splitlines(keepends=True)
    (out / "train.jsonl").write_bytes(b"".join(lines[:-1]))
    found = _file_rules(out / "train.jsonl")
    assert any(rule == "manifest" and "records but manifest.json records" in m for rule, m in found), found
    assert any(rule == "manifest" and "sha256" in m for rule, m in found), found


def test_ids_must_be_unique_across_every_file_given(tmp_path):
    out = _dataset(tmp_path)
    found = _file_rules(out / "train.jsonl", out / "train.jsonl")
    assert [r for r, _ in found].count("unique_ids") == len((out / "train.jsonl").read_text().splitlines())


def test_a_split_that_disagrees_with_its_file_or_another_seed_is_caught(tmp_path):
    out = _dataset(tmp_path)
    text = (out / "train.jsonl").read_text()
    (out / "train.jsonl").write_text(text.replace('"split":"train"', '"split":"test"', 1))
    found = {r for r, _ in _file_rules(out / "train.jsonl")}
    assert {"split_matches_file", "manifest"} <= found
    other = _dataset(tmp_path / "other", seed=6)
    mixed = tmp_path / "mixed" / "train.jsonl"
    mixed.parent.mkdir()
    mixed.write_text((out / "test.jsonl").read_text().replace('"split":"test"', '"split":"train"')
                     + (other / "train.jsonl").read_text())
    found = {r for r, _ in _file_rules(mixed)}
    assert "one_seed_per_dataset" in found


def test_an_empty_file_is_an_error_not_a_clean_pass(tmp_path):
    empty = tmp_path / "train.jsonl"
    empty.write_text("")
    assert [r for r, _ in _file_rules(empty)] == ["not_empty"]


def test_a_huge_message_is_quoted_by_position_not_echoed_whole():
    from scenegen.validate import Violation

    shown = str(Violation("f.jsonl", 3, "scn-1-00000000", "rule", "x" * 1_000_000))
    assert len(shown) < 1000 and "1,000,000 characters" in shown
