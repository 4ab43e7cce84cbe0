"""Wording: questions turned to a carer's third person, and the template library's rules."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from scenegen.content import Sex
from scenegen.errors import ContentError
from scenegen.realise import proxy_question
from scenegen.templates import ACT_VARIABLES, load_templates

HE = {"subj": "he", "obj": "him", "poss": "his"}
SHE = {"subj": "she", "obj": "her", "poss": "her"}


@pytest.mark.parametrize("question,expected", [
    ("Do you feel sick (nauseous)?", "Does your son feel sick (nauseous)?"),
    ("Have you coughed up any blood?", "Has your son coughed up any blood?"),
    ("Are you short of breath?", "Is your son short of breath?"),
    ("Is your tongue or throat swelling?", "Is his tongue or throat swelling?"),
    ("Is the cough worse at night, or does it wake you from sleep?", "Is the cough worse at night, or does it wake him from sleep?"),
    ("In the past month, have you wished you were dead?", "In the past month, has he wished he was dead?"),
    ("Does the tummy pain ease after you open your bowels?", "Does the tummy pain ease after he opens his bowels?"),
    ("Before this, did you get cramp in your calves?", "Before this, did he get cramp in his calves?"),
    ("Does the pain come in waves?", "Does the pain come in waves?"),
])
def test_proxy_question(question, expected):
    """(A question whose verbs are listed after 'you' - 'when you move, cough or walk' - would come out 'when he
    moves, cough or walk': the library words such questions without a list of verbs after 'you'.)"""
    assert proxy_question(question, "your son", HE) == expected


@pytest.mark.parametrize("question, expected", [
    ("Have you noticed any red blood in or on your stools, or when wiping?",
     "Have you noticed any red blood in or on his stools, or when wiping?"),
    ("Have you seen blood in your urine?", "Have you seen blood in his urine?"),
    ("Do you have a rash?", "Does your son have a rash?"),
])
def test_a_sign_others_can_see_stays_the_carers_question(question, expected):
    """Found by a blind read: 'Has your daughter noticed any red blood...' of a 4-month-old."""
    assert proxy_question(question, "your son", HE, observed=True) == expected


def test_every_bundled_question_turns_to_third_person_without_a_stray_you(bundled_kb):
    for fid, f in bundled_kb.findings.items():
        for pronouns, ref in ((HE, "your son"), (SHE, "your mum")):
            out = proxy_question(f.question, ref, pronouns)
            assert out is not None, fid
            assert not re.search(r"\byou(r|rs|rself|'ve|'re|'d)?\b", out.replace(ref, ""), re.IGNORECASE), (fid, out)


def _library_with(tmp_path: Path, act: str, body: str) -> Path:
    import shutil

    from scenegen.load import bundled_library

    root = tmp_path / "lib"
    shutil.copytree(bundled_library() / "templates", root / "templates")
    (root / "templates" / act / "zz_test.j2").write_text(body)
    return root


def test_bundled_templates_load_and_use_only_declared_variables():
    from scenegen.load import bundled_library

    lib = load_templates(bundled_library(), sandboxed=False)
    assert set(lib.variants) == set(ACT_VARIABLES)
    assert all(len(v) >= 3 for v in lib.variants.values())


def test_a_template_using_an_undeclared_variable_is_rejected_at_load(tmp_path):
    root = _library_with(tmp_path, "close", "Bye {{ diagnosis }}.")
    with pytest.raises(ContentError, match=r"templates/close/zz_test.j2.*diagnosis"):
        load_templates(root, sandboxed=True)


def test_the_random_filter_does_not_exist(tmp_path):
    root = _library_with(tmp_path, "close", "{{ ['a', 'b'] | random }}")
    with pytest.raises(ContentError, match="random"):
        load_templates(root, sandboxed=True)


def test_a_users_template_reaching_for_python_insides_is_refused_when_it_loads(tmp_path):
    """The sandbox refused it only while rendering, as a SecurityError traceback; now kb check names it."""
    root = _library_with(tmp_path, "close", "{{ speaker.__class__.__mro__ }}")
    with pytest.raises(ContentError, match=r"templates/close/zz_test.j2.*reads '__\w+__'"):
        load_templates(root, sandboxed=True)


def test_a_bare_no_in_a_templates_when_comment_is_refused_not_read_as_false(tmp_path):
    """'certain: [no]' was read by YAML as [False], which no situation matches, so four answer wordings were never
    said (found by the realism work of 2026-12-08); the loader now names the file and key and says to quote it."""
    root = _library_with(tmp_path, "answer_yes", "{# when: {certain: [no]} #}Yes.")
    with pytest.raises(ContentError, match=r"templates/answer_yes/zz_test.j2.*when.certain.*quote the words"):
        load_templates(root, sandboxed=True)


def test_every_bundled_answer_wording_for_a_person_who_may_be_unsure_can_be_chosen(library):
    facts = {"speaker": "self", "wording": "plain", "tone": "vague", "answer_kind": "general", "danger": "none",
             "asked": "first", "certain": "no"}
    assert "answer_yes/vague" in {v.id for v in library.templates.candidates("answer_yes", facts)}


def test_a_users_template_renders_in_the_sandbox(tmp_path):
    root = _library_with(tmp_path, "close", "{{ speaker|cap }}.")
    lib = load_templates(root, sandboxed=True)
    variant = next(v for v in lib.variants["close"] if v.id == "close/zz_test")
    assert lib.render(variant, {"speaker": "self", "who": {}, "p": {}, "v": {}, "tone": "neutral", "name": "A"}) == "Self."


def test_alternatives_split_at_bars_outside_jinja_tags_only():
    from scenegen.templates import split_alternatives

    assert split_alternatives("No|{{ p.subj|cap }} hasn't|") == ["No", "{{ p.subj|cap }} hasn't", ""]


def test_a_template_with_alternations_renders_each_choice_and_keeps_one_id(tmp_path):
    root = _library_with(tmp_path, "close", "((Bye|Take care)), {{ name|upper }}((.|!))")
    lib = load_templates(root, sandboxed=True)
    variant = next(v for v in lib.variants["close"] if v.id == "close/zz_test")
    assert variant.groups == (2, 2)
    ctx = {"speaker": "self", "who": {}, "p": {}, "v": {}, "tone": "neutral", "name": "Ann"}
    said = [lib.render(variant, ctx, alt=(a, b)) for a in range(2) for b in range(2)]
    assert said == ["Bye, ANN.", "Bye, ANN!", "Take care, ANN.", "Take care, ANN!"]


def test_a_template_with_too_many_alternation_groups_is_rejected_at_load(tmp_path):
    root = _library_with(tmp_path, "close", "((a|b)) " * 65)
    with pytest.raises(ContentError, match=r"templates/close/zz_test.j2.*alternation groups"):
        load_templates(root, sandboxed=True)


def _personas_with(tmp_path: Path, old: str, new: str):
    """Load a copy of the bundled persona library with one piece of text replaced."""
    import shutil

    from scenegen.load import bundled_library
    from scenegen.personas import load_personas

    root = tmp_path / "lib"
    shutil.copytree(bundled_library() / "personas", root / "personas")
    path = root / "personas" / "personas.yaml"
    text = path.read_text()
    assert old in text
    path.write_text(text.replace(old, new))
    return load_personas(root)


def test_a_persona_phrase_with_an_unknown_placeholder_is_rejected_at_load(tmp_path):
    with pytest.raises(ContentError, match="age_years"):
        _personas_with(tmp_path, 'age_years: "{subj}\'s {years}."', 'age_years: "{subj}\'s {age} years."')


def test_a_locale_term_with_an_empty_replacement_is_rejected_at_load(tmp_path):
    with pytest.raises(ContentError, match="en_US.*paracetamol"):
        _personas_with(tmp_path, '"paracetamol": "acetaminophen"', '"paracetamol": " "')


def test_warnings_are_said_about_the_person_spoken_for_but_a_parent_keeps_your_baby():
    from scenegen.generate import GenerateConfig, Generator, Library
    from scenegen.sample import PersonaDraw

    gen = Generator(Library.load(), GenerateConfig(seed=1))
    base = dict(age_months=80 * 12, age_group="older_adult", pregnant=False, literacy="medium", style="stoic",
                locale="en_GB")
    carer = PersonaDraw(sex=Sex.male, speaker="carer", relation="dad", **base)
    self_ = PersonaDraw(sex=Sex.male, speaker="self", relation=None, **base)
    warning = "sudden severe pain in your tummy or back with fainting or collapse"
    assert gen.realiser.closing.warning_voice(carer)(warning) == "sudden severe pain in his tummy or back with fainting or collapse"
    assert gen.realiser.closing.warning_voice(self_)(warning) == warning
    parent = "any pauses in breathing, or your baby stops breathing"
    assert gen.realiser.closing.warning_voice(carer)(parent) == parent


def test_a_locale_swaps_whole_words_and_keeps_a_capital_first_letter():
    from scenegen.realise import Localiser

    us = Localiser({"999": "911", "GP": "primary-care doctor", "paracetamol": "acetaminophen", "cot": "crib",
                    "being sick": "throwing up", "999 or 112": "911"})
    assert us("Call 999 or 112 now; see a GP.") == "Call 911 now; see a primary-care doctor."
    assert us("Paracetamol can help, even if you are being sick.") == "Acetaminophen can help, even if you are throwing up."
    assert us("a cotton sheet in the cot; GPs; 9999") == "a cotton sheet in the crib; GPs; 9999"  # whole words only
    assert Localiser({})("Call 999.") == "Call 999."


def _texts_by_locale(n: int) -> dict[str, str]:
    from scenegen.generate import GenerateConfig, Generator, Library

    gen = Generator(Library.load(), GenerateConfig(seed=3))
    out: dict[str, list[str]] = {}
    for i in range(n):
        r = gen.record_data(i)
        out.setdefault(r["persona"]["locale"], []).extend(m["content"] for m in r["messages"])
        out[r["persona"]["locale"]].extend(r["gold"]["safety_net"])
    return {k: "\n".join(v) for k, v in out.items()}


def test_each_locale_gets_its_own_emergency_number_services_and_medicine_names():
    texts = _texts_by_locale(400)
    us, gb = texts["en_US"], texts["en_GB"]
    for british in (r"\b999\b", r"A&E", r"\bGP\b", r"\bNHS\b", r"\bparacetamol\b", r"\bnapp(y|ies)\b", r"\bdiarrhoea\b"):
        assert not re.search(british, us, re.IGNORECASE), british
    for american in (r"\b911\b", r"\bthe ER\b", r"\bacetaminophen\b", r"\bTylenol\b", r"\bdiapers?\b"):
        assert not re.search(american, gb, re.IGNORECASE), american
    assert "the Poison Control" not in us  # a swapped phrase keeps its grammar
    assert re.search(r"\b911\b", us) and re.search(r"\b999\b", gb)  # the check above had something to look at


def test_each_safety_net_warning_comes_with_the_care_its_own_red_flag_calls_for():
    """An ambulance for a sign of anaphylaxis, a same-day appointment for a hot joint: never one action for all."""
    from scenegen.generate import GenerateConfig, Generator, Library
    from scenegen.plan import plan_dialogue, PlanSettings
    from scenegen.rng import stream
    from scenegen.sample import sample_case, sample_persona

    lib = Library.load()
    gen = Generator(lib, GenerateConfig(seed=5))
    mixed = 0
    for i in range(300):
        rng = stream(5, i, "case")
        persona = sample_persona(lib.personas, rng)
        case = sample_case(lib.kb, persona, rng, GenerateConfig().filters, None)
        plan = case and plan_dialogue(lib.kb, lib.personas, gen.reasoner, persona, case, stream(5, i, "plan"), PlanSettings())
        if not plan or not plan.safety_net:
            continue
        groups = gen.realiser.closing.safety_net_groups(plan, persona)
        vocab = lib.personas.locale(persona.locale).vocab
        levels = list(dict.fromkeys(plan.safety_net_levels))
        assert [g["action"] for g in groups] == [vocab[f"act_{level.value}"] for level in levels]
        assert [lv.rank for lv in levels] == sorted((lv.rank for lv in levels), reverse=True)  # most urgent first
        say = gen.realiser.closing.warning_voice(persona)
        assert [w for g in groups for w in g["warnings"]] == [say(t) for t in plan.safety_net]
        for level, group in zip(levels, groups):
            for w, lv in zip(plan.safety_net, plan.safety_net_levels):
                if say(w) in group["warnings"]:
                    assert lv is level
        mixed += len(groups) > 1
    assert mixed > 0  # some safety nets mix levels, so the grouping was exercised


def test_a_volunteered_phrase_never_names_a_finding_denied_in_the_dialogue(bundled_kb):
    """Found by the validate property test (seed 298, record 21841): 'No' to an itchy rash, then 'also, an
    itchy rash in the finger webs'. A lay phrasing that contains a denied finding's phrasing is not chosen."""
    import random

    from scenegen.generate import GenerateConfig, Generator, Library
    from scenegen.realise import mentions

    assert "rash_itchy" in mentions(bundled_kb, "an itchy rash in the finger webs")
    lay = bundled_kb.findings["rash_between_fingers_wrists"].lay
    assert any("rash_itchy" in mentions(bundled_kb, p) for p in lay)
    assert any("rash_itchy" not in mentions(bundled_kb, p) for p in lay)
    realiser = Generator(Library.load(), GenerateConfig(seed=1)).realiser
    for seed in range(50):
        phrase = realiser.words.lay("rash_between_fingers_wrists", random.Random(seed), frozenset({"rash_itchy"}))
        assert "rash_itchy" not in mentions(bundled_kb, phrase), phrase


def test_a_finding_with_other_topic_wordings_is_said_back_in_each_of_them(bundled_kb):
    """'No fever', 'no temperature', 'not hot': the same denial does not read the same in every dialogue."""
    import random

    from scenegen.realise.phrasebook import Phrasebook

    f = bundled_kb.findings["fever"].model_copy(update={"topic": "fever", "topics": ["temperature", "high temperature"]})
    said = {Phrasebook.answer_topic(f, lambda t: t, random.Random(i)) for i in range(40)}
    assert said == {"fever", "temperature", "high temperature"}


def test_no_bundled_question_lists_verbs_after_you(bundled_kb):
    """Only the first verb after 'you' is turned to the third person, so 'when you move, cough or walk' would
    read 'when he moves, cough or walk' to a carer (found reading generated dialogues)."""
    listed = re.compile(r"\byou (?:\w+ ){0,1}\w+(?:, \w+)*,? (?:or|and) (?:cough|walk|go|press|strain|work|use|lie|flick|rest|stand|move|eat|sit|shake)\b")
    assert [f.id for f in bundled_kb.findings.values() if listed.search(f.question)] == []


def test_a_denial_is_said_in_the_speakers_pronouns():
    from scenegen.realise.person import PRONOUNS
    from scenegen.realise.words import say_denial

    assert say_denial("{I've} been weeing fine and {my} tummy's soft", None) == "I've been weeing fine and my tummy's soft"
    he = {**PRONOUNS["male"], "refl": "himself"}
    assert say_denial("{I've} been weeing fine and {my} tummy's soft", he) == "he's been weeing fine and his tummy's soft"
    assert say_denial("{I don't} feel sick", {**PRONOUNS["female"], "refl": "herself"}) == "she doesn't feel sick"


def test_every_bundled_deny_placeholder_has_a_proxy_form(bundled_kb):
    from scenegen.realise.person import PRONOUNS
    from scenegen.realise.words import say_denial

    for f in bundled_kb.findings.values():
        for wording in f.deny:
            for sex in ("male", "female"):
                said = say_denial(wording, {**PRONOUNS[sex], "refl": "x"})
                assert "{" not in said and not re.search(r"\b(I|my|me|I've|I'm)\b", said.replace("I've checked", "")
                                                         .replace("as far as I know", "").replace("that I know", "")), (f.id, said)


def test_a_denial_never_names_a_finding_the_case_holds(library):
    """'No, not a cough or anything' cannot deny a fever to someone whose case holds a cough."""
    import random

    from scenegen.generate import GenerateConfig, Generator

    realiser = Generator(library, GenerateConfig(seed=1)).realiser
    f = realiser.kb.findings["fever"].model_copy(update={"deny": ["not a cough or anything", "temperature's normal"]})

    class Persona:
        proxy, locale, sex = False, "en_GB", Sex.female

    said = {realiser.words.denial(f, Persona, {"_present": frozenset({"cough"})}, lambda t: t, random.Random(i))
            for i in range(60)}
    assert said == {"temperature's normal", ""}
    said = {realiser.words.denial(f, Persona, {"_present": frozenset()}, lambda t: t, random.Random(i)) for i in range(60)}
    assert "not a cough or anything" in said


def test_a_no_does_not_say_the_question_back(library):
    """The reader's complaint: 'Nope, no painful, tender or tight calf that I know of.' A 'no' answer does not
    repeat five words in a row of the question's wording, nor list the question's alternatives back."""
    from scenegen.generate import GenerateConfig, Generator

    gen = Generator(library, GenerateConfig(seed=7, noise="off"))
    kb = library.kb
    token = re.compile(r"[a-z0-9']+")
    echoes, checked = [], 0
    for index in range(300):
        record = gen.record_data(index)
        for m, t in zip(record["messages"], record["turns"]):
            if t["act"] != "answer_no":
                continue
            checked += 1
            f = kb.findings[t["finding"]]
            ask = token.findall((f.ask or "").lower())
            said = " ".join(token.findall(m["content"].lower()))
            runs = {" ".join(ask[i:i + 5]) for i in range(len(ask) - 4)}
            if any(run in said for run in runs):
                echoes.append(m["content"])
    assert checked > 500 and echoes == [], echoes


def test_a_phrase_names_a_finding_only_by_whole_words():
    """'after' must not count as naming 'AF', nor 'scarf' as 'scar': a reported phrase that seemed to name
    another finding would be kept out of answers that deny it, or counted as volunteered."""
    from scenegen.generate import Library
    from scenegen.realise import mentions
    from scenegen.realise.words import _whole_words

    assert _whole_words("af", "it started after lunch") is False
    assert _whole_words("af", "i have af, they said") is True
    kb = Library.load().kb
    assert "rash_itchy" in mentions(kb, "an itchy rash in the finger webs")


def test_a_second_denial_is_the_findings_own_and_shares_no_content_word_with_the_first(library):
    """'No, no temperature, I haven't felt hot at all': two of the finding's denials, never 'temperature's been
    normal, no temperature'; and only after a first one."""
    import random

    from scenegen.generate import GenerateConfig, Generator
    from scenegen.realise.words import content_words

    realiser = Generator(library, GenerateConfig(seed=1)).realiser
    f = realiser.kb.findings["fever"].model_copy(update={"deny": ["no temperature", "temperature's been normal",
                                                                  "{I haven't} felt hot at all"]})

    class Persona:
        proxy, locale, sex = False, "en_GB", Sex.female

    base = {"_present": frozenset()}
    pairs = {(first, realiser.words.second_denial(f, first, Persona, base, lambda t: t, random.Random(i)))
             for i in range(200) for first in ("no temperature", "temperature's been normal")}
    assert ("no temperature", "I haven't felt hot at all") in pairs
    assert ("no temperature", "temperature's been normal") not in pairs
    assert {second for _, second in pairs} <= {"", "I haven't felt hot at all"}
    assert realiser.words.second_denial(f, "", Persona, base, lambda t: t, random.Random(1)) == ""
    assert content_words("{I've} not had a temperature") == {"temperature"}


def test_the_filter_says_a_thing_again_with_the_definite_article():
    from scenegen.templates import definite

    assert definite("a cough") == "the cough"
    assert definite("an itchy rash") == "the itchy rash"
    assert definite("a bit of a cough") == "a bit of a cough"
    assert definite("tummy ache") == "tummy ache"


def _generated_user_turns(library, n, seed=11):
    from scenegen.generate import GenerateConfig, Generator

    gen = Generator(library, GenerateConfig(seed=seed, noise="off"))
    for index in range(n):
        record = gen.record_data(index)
        yield record, [(m["content"], t) for m, t in zip(record["messages"], record["turns"]) if m["role"] == "user"]


def test_a_yes_says_it_comes_with_only_what_the_person_already_said(library):
    """'Yes, a temperature, as well as the cough': the finding it comes with is one the same person reported
    earlier in the dialogue, in the words they used then, so the answer adds no fact the record does not hold."""
    alongside = re.compile(r"(?:as well as|on top of|along with|alongside|That's on top of|With) (?:the |an? )?"
                           r"(.+?)(?:,| as well| of course|\.|$)")
    from scenegen.content import AnswerKind, FindingKind
    from scenegen.triage import ancestors

    kb = library.kb
    checked, strays, misplaced = 0, [], []
    for _, turns in _generated_user_turns(library, 400):
        earlier = ""
        for text, t in turns:
            if t["act"] == "answer_yes":
                f = kb.findings[t["finding"]]
                for said in alongside.findall(text):
                    checked += 1
                    if said.lower() not in earlier:
                        strays.append((said, text))
                    # only beside a symptom or sign, and never the finding this one details ('a rash under a
                    # watch strap, as well as the rash'; 'an insulin pump, and the dizzy feeling as well')
                    if f.kind not in (FindingKind.symptom, FindingKind.sign) or f.answer_kind is not AnswerKind.general:
                        misplaced.append((t["finding"], text))
                    parents = [w for a in ancestors(kb, f.id) for w in kb.findings[a].lay]
                    if any(said.lower() in w.lower() or w.lower() in said.lower() for w in parents):
                        misplaced.append((t["finding"], text))
            earlier += " " + text.lower()
    assert checked > 30 and strays == [] and misplaced == [], (strays[:5], misplaced[:5])


def _own_denial(library, fid: str, phrase: str) -> bool:
    """Whether the words caught after 'It's the' are the finding's own denial ("it's the same size as it was",
    said 'No. It's the same size as it was, no.'), not the main trouble."""
    return any(re.split(r"[,;]", phrase.lower())[0] in d.lower() for d in library.kb.findings[fid].deny)  # and a second one after ';'


def test_a_no_names_the_main_trouble_at_most_once_in_the_persons_own_words(library):
    """'It's the cough that's bothering me most': said at most once a dialogue, and only in the words of the
    opening, which states the complaint."""
    main = re.compile(r"(?:It's (?:mostly |really |only |just |more )?the |The main thing is the |"
                      r"bothering me most is the )(.+?)(?: that| I'm| I wanted|'s the|, really|\.)")
    checked = 0
    for record, turns in _generated_user_turns(library, 400):
        opening = turns[0][0].lower()
        said = [m for text, t in turns if t["act"] == "answer_no" for m in main.findall(text)
                if m != "other things I mentioned"  # a low mood's 'no': 'It's more the other things I mentioned'
                and not _own_denial(library, t["finding"], m)]

        checked += len(said)
        assert len(said) <= 1, said
        for phrase in said:
            assert phrase.lower() in opening, (phrase, opening)
    assert checked > 10


def test_no_article_is_doubled(library):
    """'Thanks for reaching out about the a troublesome cough' came from 'the' written before a lay phrase
    that has its own article; the 'the' filter turns 'a cough' into 'the cough' instead."""
    doubled = re.compile(r"\bthe (?:a|an)\b", re.I)
    from scenegen.generate import GenerateConfig, Generator

    gen = Generator(library, GenerateConfig(seed=11, noise="off"))
    found = [m["content"] for i in range(400) for m in gen.record_data(i)["messages"] if doubled.search(m["content"])]
    assert found == [], found[:3]


def test_a_yes_to_a_fact_the_person_cannot_be_unsure_of_is_never_hedged(library):
    """'Do you have diabetes?' is not answered 'Kind of diabetes, maybe' or 'Diabetes, quite a bit', nor 'an
    insulin pump, but it's bearable': the person's own history, medicines and events are certain (the same
    test as for a 'not sure' answer), so no hedge or degree is said of them."""
    from scenegen.plan import may_be_unsure

    # 'I know I go on a bit' and 'the kind of thing you mean' are asides; 'a bit of dust' is a quantity
    hedge = re.compile(r"\b(?:(?<!the )kind of|sort of|maybe|(?<!go on )a bit(?! of)|a fair bit|quite a bit|a little|"
                       r"bearable|managing|put up with|not that bad)\b", re.I)
    kb = library.kb
    checked, hedged = 0, []
    for record, turns in _generated_user_turns(library, 400):
        for text, t in turns:
            f = kb.findings[t["finding"]] if t["act"] == "answer_yes" else None
            # 'could you be pregnant?' has its own wordings, where 'it's possible' is the answer
            if f is not None and f.answer_kind.value != "pregnancy" and not may_be_unsure(f, record["persona"]["speaker"]):
                checked += 1
                if hedge.search(text):
                    hedged.append((t["finding"], text))
    assert checked > 10 and hedged == [], hedged[:5]  # 20 in 400 records since implied answers are not asked


def _lay_said_back(library, n, seed=11):
    """(lay phrasing the patient used, the assistant's next message) for each 'yes' answer and volunteered
    finding whose words are the patient's own: a lay phrasing of three words or more that is not also one of
    the finding's plain names (its topics) nor words of any question the assistant asks."""
    from scenegen.realise import said_topic

    kb = library.kb
    asked = " ".join(f"{f.question} {f.ask or ''} {f.question_neutral or ''}".lower() for f in kb.findings.values())
    from scenegen.generate import GenerateConfig, Generator

    gen = Generator(library, GenerateConfig(seed=seed, noise="off"))
    for index in range(n):
        record = gen.record_data(index)
        pairs = list(zip(record["messages"], record["turns"]))
        for (m, t), (nxt, nt) in zip(pairs, pairs[1:]):
            if m["role"] != "user" or t["act"] == "opening" or "disposition" in nt["parts"]:
                continue  # a disposition's reason quotes the person's words for a warning of alternatives (D28)
            for fid in ([t["finding"]] if t["act"] == "answer_yes" else []) + list(t.get("volunteered") or []):
                for lay in kb.findings[fid].lay:
                    low = lay.lower()
                    plain = [said_topic(kb.findings[fid]).lower(), *(x.lower() for x in kb.findings[fid].topics)]
                    if (len(low.split()) >= 3 and low in m["content"].lower() and not any(low in x for x in plain)
                            and low not in asked):  # a lay phrase that is also one of its plain names may be said
                        yield lay, nxt["content"]


def test_the_assistant_names_what_it_heard_plainly_and_does_not_parrot_the_patients_words(library):
    """Read 11: 'Thanks for mentioning a sudden, terrible pain out of nowhere', 'Right - a pain in the belly':
    the acknowledgement said the patient's own lay words back to them. It names the finding plainly instead
    (its topic: 'the sudden severe pain'), so the assistant sounds like a clinician, not an echo."""
    pairs = list(_lay_said_back(library, 300))
    parroted = [(lay, reply) for lay, reply in pairs if lay.lower() in reply.lower()]
    assert len(pairs) > 100 and parroted == [], parroted[:5]


def test_the_reasons_for_an_emergency_name_findings_plainly_not_in_words_the_person_never_used(library):
    """Read 11 #18: the carer said 'a pain that hit like a knife' and the A&E advice gave as its reason 'a
    sudden, terrible pain out of nowhere', a lay phrasing from the library that nobody in the call had used.
    Each reason is a finding's plain name (its topic), or words the person said."""
    from scenegen.generate import GenerateConfig, Generator
    from scenegen.realise import said_topic

    kb = library.kb
    # a finding's topics are its plain names too ('the substance swallowed' for a call about a swallow, D13)
    plain = {t.lower() for f in kb.findings.values() for t in [said_topic(f), *f.topics] if t}
    gen = Generator(library, GenerateConfig(seed=5, noise="off", balance="disposition"))
    given: list[list[str]] = []
    real = gen.realiser.closing.reported
    gen.realiser.closing.reported = lambda *a, **k: given.append(real(*a, **k)) or given[-1]  # type: ignore[method-assign]
    checked, quoted = 0, []
    for index in range(200):
        given.clear()
        record = gen.record_data(index)
        said = " ".join(m["content"].lower() for m in record["messages"] if m["role"] == "user")
        local = gen.realiser.localiser(record["persona"]["locale"])
        for reason in (r for rs in given for r in rs):
            checked += 1
            named = reason.lower().removeprefix("the ")  # 'the overdose ... swallowed': the complaint as a reason
            if named not in {local(t) for t in plain} and reason.lower() not in said:
                quoted.append((reason, record["id"]))
    assert checked > 50 and quoted == [], quoted[:5]


#: words of the notes, not of the person on the phone: read 11 found 'Yes: involvement of both eyes', 'a wry
#: neck' and 'an ache in the loin' in lay mouths
_CLINICAL_WORDS = re.compile(
    r"\b(?:involvement|wry|loin|bilateral|unilateral|laterality|onset|exertion|radiat\w*|lesions?|erythema|"
    r"o?edema|pyrexia|syncope|sputum|mucoid|purulent|lethargic|stools?|episodes?|unconsciousness|inconsolable|"
    r"abdominal|abdomen|haematuria|dysuria|micturition|tenderness|distension|paraesthesia|photophobia|"
    r"rigors?|malaise|cyanosis|relapse|exhaustion|hoarseness)\b", re.I)


def test_no_phrase_a_patient_says_uses_the_words_of_the_clinical_notes(bundled_kb):
    """Every lay phrasing (of a finding or of a value) and every topic wording (which a patient says back in
    'No, no blood in the poo' and the assistant in 'Right - blood in the poo') is in the words people use
    on the phone; the clinical name stays in ``name``."""
    said = [(f.id, p) for f in bundled_kb.findings.values()
            for p in [*f.lay, f.topic or "", *f.topics, *(w for v in f.values for w in v.lay)] if p]
    jargon = [(fid, p) for fid, p in said if _CLINICAL_WORDS.search(p)]
    assert len(said) > 1500 and jargon == [], jargon


def test_a_person_does_not_say_the_same_stock_clause_twice_in_one_dialogue(library):
    """Read 11 #1: 'Yes, and it's worrying me: a pain in the belly. That's partly why I got in touch.' and,
    three answers later, 'Yes, and it's worrying me: several pints most nights. That's partly why I got in
    touch.' A wording whose clause (four words or more) the same side already said is drawn again, so
    recycling is rare (it was 51 dialogues in 200 before, 4 after); the rest come from parts with one wording."""
    from collections import Counter
    from itertools import chain

    from scenegen.generate import GenerateConfig, Generator
    from scenegen.realise import clauses

    gen = Generator(library, GenerateConfig(seed=23, noise="off"))
    recycled = []
    for index in range(200):
        record = gen.record_data(index)
        said = Counter(chain.from_iterable(clauses(m["content"]) for m in record["messages"] if m["role"] == "user"))
        recycled += [(record["id"], c) for c, n in said.items() if n > 1]
    assert len({rid for rid, _ in recycled}) <= 10, recycled[:10]


def test_clauses_are_split_at_punctuation_and_dashes_and_short_ones_are_left_out():
    from scenegen.realise import clauses

    assert clauses("Yes, and it's worrying me: a pain in the belly. That's partly why I got in touch.") == {
        "and it's worrying me", "a pain in the belly", "that's partly why i got in touch"}
    assert clauses("No - not that I've noticed, no.") == {"not that i've noticed"}


def test_a_patient_message_says_at_most_one_hedge(library):
    """Read 11 #19: 'Probably not, no - ..., I'm pretty sure, if I'm honest' stacks three softeners. A wording
    that says more than one of the hedges of personas/personas.yaml is drawn again (before: 104 of 1,782
    patient messages said two or more in these 200 records, 21 three or more)."""
    from scenegen.generate import GenerateConfig, Generator

    hedges = library.personas.hedges
    assert "if i'm honest" in hedges and "i'm pretty sure" in hedges
    rx = re.compile(r"(?<![a-z'])(?:" + "|".join(sorted(map(re.escape, hedges), key=len, reverse=True)) + r")(?![a-z'])")
    gen = Generator(library, GenerateConfig(seed=23, noise="off"))
    said = [m["content"] for i in range(200) for m in gen.record_data(i)["messages"] if m["role"] == "user"]
    stacked = [text for text in said if len(rx.findall(text.lower())) > 1]
    assert len(said) > 1000 and len(stacked) <= len(said) // 100, stacked[:5]


def test_yes_there_was_comes_only_before_a_thing_that_happened():
    """Read of seed 5150: 'Yes, there was knocked out for a few seconds' and 'Yes, I'm afraid there was the
    first fit ever': an event's 'there was' is said only before a lay phrase that starts as a noun phrase
    ('a blackout'), and a plain 'Yes:' before any other."""
    from scenegen.generate import Library

    lib = Library.load()
    variant = next(v for v in lib.templates.variants["answer_yes"] if v.id == "answer_yes/event_1")
    public = {"speaker": "self", "p": {"subj": "he", "obj": "him", "poss": "his"}}
    for phrase, there in (("a blackout", True), ("knocked out for a few seconds", False), ("the first fit ever", False)):
        for pick_ in range(3):
            alt = tuple(min(pick_, n - 1) for n in variant.groups)
            text = lib.templates.render(variant, {**public, **{r: "" for r in variant.reads if r not in public}},
                                        {"phrase": phrase}, None, alt)
            assert ("there was" in text) is there, text


@pytest.mark.parametrize("part,text", [
    ("af", "after"), ("af", "my af is back"), ("af", "af"), ("af", "af2"), ("af", "(af)"),
    ("an itchy rash", "an itchy rash in the finger webs"), ("rash", "a rash-like thing"), ("rash", "thrash, rash"),
    ("rash", "thrash"), ("pain", "pain9 pain"), ("ear", "year's ear"),
    ("a", "a"), ("a", "ba ab"), ("x y", "xx y x y"), ("fit", "fits"), ("fit", "ﬁt fit"), ("fit", "Fit"),
])
def test_whole_word_check_agrees_with_the_bounded_pattern_it_replaced(part, text):
    from scenegen.realise.words import _whole_words

    pattern = re.search(rf"(?<![a-z0-9]){re.escape(part)}(?![a-z0-9])", text) is not None
    assert _whole_words(part, text) is pattern


def test_an_answer_about_usual_medicines_never_says_take_them_for_bring_them():
    """'Is it okay to carry on with his tablets?' was answered 'take them, or a list of them, at the appointment',
    where 'take' reads as swallow: the medicines or a list are brought, and below an emergency the answer says
    to carry on with them (or not to stop them) unless a doctor or pharmacist has said otherwise."""
    import re
    from pathlib import Path

    root = Path(__file__).resolve().parent.parent / "templates" / "answer_question"
    carry = re.compile(r"\b[Tt]ake (them|a list|the boxes)\b|\btake them (with you|along)\b")
    for path in sorted(root.glob("*.j2")):
        text = path.read_text(encoding="utf-8")
        assert not carry.search(text), path.name
        if path.stem.startswith(("routine_usual", "urgent_usual", "self_care_usual")):
            said = text.lower()
            assert any(w in said for w in ("carry on", "don't stop", "keep to", "as prescribed")), path.name


_REWORDING = re.compile(r"another way|more simply|What I'm after|put it differently|To put it differently")


def test_a_yes_or_no_question_asked_again_after_not_sure_is_put_another_way(library):
    """'Don't worry about that. Since it happened, has she felt numb, dazed...?' repeated the question word
    for word after 'I'm not sure' (read 17 D1): the second asking says what is meant in other words."""
    from scenegen.generate import GenerateConfig, Generator

    again = 0
    gens = {seed: Generator(library, GenerateConfig(seed=seed, noise="off")) for seed in (3, 4242)}
    for seed, index in ((s, i) for s in gens for i in range(300)):
        r = gens[seed].record_data(index)
        pairs = list(zip(r["messages"], r["turns"]))
        for i, (m, t) in enumerate(pairs):
            if m["role"] != "user" or t["act"] != "answer_unsure" or i + 1 >= len(pairs):
                continue
            nxt_m, nxt_t = pairs[i + 1]
            f = library.kb.findings.get(t["finding"])
            if nxt_t["finding"] != t["finding"]:  # a new question is not introduced as a rewording (read 18 D13)
                assert not _REWORDING.search(nxt_m["content"]), (r["id"], nxt_m["content"])
                continue
            if f is None or f.type.value != "binary":
                continue
            again += 1
            first = pairs[i - 1][0]["content"]
            sentences = [s for s in re.split(r"(?<=[?.!])\s+", first) if s.endswith("?")]
            assert sentences and sentences[-1] not in nxt_m["content"], (r["id"], nxt_m["content"])
    assert again >= 5


def test_a_yes_is_never_said_back_as_the_whole_category_its_question_asked(library):
    """'Yes: swollen eyelids' was said back as 'lips, eyelids or face swelling' (blind read): after a 'yes' the
    acknowledgement names no alternatives the patient may not have affirmed, for every finding and age (seed 33,
    --balance disposition: 141/600 records before)."""
    from scenegen.realise import Realiser

    realiser = Realiser(library.kb, library.personas, library.templates)
    for f in library.kb.findings.values():
        for age in (None, 6, 48, 400):
            said = realiser.words.said_back(f, {"_age": age}, lambda t: t, affirmed=True)
            assert not re.search(r",| or ", said), (f.id, age, said)


def test_no_answer_template_can_say_the_same_relief_word_twice():
    """'No, luckily - she was well before this, luckily' (blind read): an opener and a tail of one wording that
    both offer 'luckily' (or 'thankfully', 'touch wood') can be drawn together."""
    from pathlib import Path

    root = Path(__file__).parent.parent / "templates"
    for p in [*root.glob("answer_no/*.j2"), *root.glob("answer_yes/*.j2")]:
        for branch in p.read_text(encoding="utf-8").split("{% el"):
            for word in ("luckily", "thankfully", "touch wood"):
                groups = [g for g in re.findall(r"\(\((.*?)\)\)", branch) if word in g.lower()]
                assert len(groups) <= 1, (p.name, word)


def test_an_adult_sent_to_a_and_e_after_a_fit_or_blackout_is_told_not_to_drive(library):
    """A first fit minutes ago, still dizzy, was sent to A&E with no word about driving (read 17 D20; DVLA):
    after a fit or a blackout an adult speaking for themselves is told to get a lift, and nobody else is."""
    from scenegen.generate import GenerateConfig, Generator

    kb = library.kb
    assert set(kb.settings.no_driving_after) <= set(kb.findings)
    gen = Generator(library, GenerateConfig(seed=5, complaints=("seizure", "fainting")))
    told = 0
    for index in range(150):
        r = gen.record(index)
        if r.gold.disposition != "emergency_department" or r.persona.speaker != "self" or r.persona.age_months < 216:
            continue
        final = r.messages[r.gold.disposition_turn].content
        fit_or_blackout = any(t.finding in kb.settings.no_driving_after and t.act in ("opening", "answer_yes")
                              for t in r.turns)
        assert ("Don't drive yourself there" in final) == fit_or_blackout, (r.id, final)
        told += fit_or_blackout
    assert told >= 3


def test_a_grown_up_child_calls_their_parent_mum_or_dad_after_the_opening(library):
    """Final read of session 13: a daughter speaking for her mother said 'I'd rather check than sit here worrying
    about Nicole'. After the opening ('my mum, Nicole') a carer says Mum or Dad; a parent still says the child's
    name. Before the change 11 of 28 carer dialogues of seed 777 used the parent's first name again."""
    import re

    from scenegen.generate import GenerateConfig, Generator

    gen = Generator(library, GenerateConfig(seed=777, noise="off"))
    carers = called = 0
    for index in range(300):
        record = gen.record_data(index)
        if record["persona"]["speaker"] != "carer":
            continue
        carers += 1
        # the opening ('my mum, Nicole') names her once, as it should
        later = " ".join([m["content"] for m in record["messages"] if m["role"] == "user"][1:])
        first = record["persona"]["name"].split()[0]
        assert not re.search(rf"\b{re.escape(first)}\b", later), (record["id"], later)
        called += bool(re.search(r"\b(Mum|Dad|Mom)\b", later))
    assert carers >= 10 and called >= 1
