"""Defects a clinician reading dialogues blind found in the patient's and the assistant's language (next-r round):

1. a 'No, no' lead before a denial that itself starts with 'no' ('No, no, no welts') reads as a stutter;
2. 'Fine there.' or 'that's fine' straight after the person reported something (a yes, or a detail volunteered);
3. a capital letter after a dash or a colon inside a sentence ('Sadly not: The whole side is weak');
4. a light-hearted aside (who is at home, plans, work, a chat with a friend) in a call that ends in 999 or A&E;
5. the reason for the disposition run on through a list between commas ('From what you've told me, X and Y, this
   needs examining').
"""

from __future__ import annotations

import re
from functools import lru_cache

from scenegen.generate import GenerateConfig, Generator, Library

EMERGENCY = {"emergency_ambulance", "emergency_department"}
#: the asides about family, plans and work: never before an emergency ending
LIGHT_ASIDES = {"aside/around_1", "aside/family_1", "aside/practical_1", "aside/verbose_1", "aside/verbose_3"}
STUTTER = re.compile(r"\bno\b[,.!]?\s*(?:-\s*)?\bno\b[,.!]?\s*(?:-\s*)?\bno\b", re.IGNORECASE)
FINE = re.compile(r"fine there|that's fine|that's all fine|all good there|no problems there|that side of things is fine|"
                  r"that part's fine|fine on that front|been alright there", re.IGNORECASE)
CAP_AFTER_DASH = re.compile(r"(?:\s-|:) (?!I\b|I')[A-Z][a-z]")
N = 160


@lru_cache(maxsize=None)
def _records() -> tuple:
    gen = Generator(Library.load(), GenerateConfig(seed=16180, noise="off", balance="disposition"))
    return tuple(gen.record(i) for i in range(N))


@lru_cache(maxsize=None)
def _library() -> Library:
    return Library.load()


def test_a_denial_never_stutters_three_nos():
    found = [(r.id, m.content) for r in _records() for m in r.messages
             if m.role == "user" and STUTTER.search(m.content)]
    assert not found, found[:5]


def test_no_answer_calls_things_fine_straight_after_reporting_something():
    found = []
    for r in _records():
        last = None
        for m, t in zip(r.messages, r.turns):
            if m.role != "user":
                continue
            if t.act == "answer_no" and last == "yes" and FINE.search(m.content):
                found.append((r.id, m.content))
            if t.act != "opening":
                last = "yes" if t.act == "answer_yes" or t.volunteered else "other"
    assert not found, found[:5]


def test_the_fine_closers_are_still_said_when_nothing_was_just_reported():
    # the gate keeps them for a 'no' after a 'no', so the wording is not simply deleted
    said = [m.content for r in _records() for m in r.messages if m.role == "user" and FINE.search(m.content)]
    assert said


def test_an_answer_goes_on_in_lower_case_after_a_dash_or_a_colon():
    found = [(r.id, t.templates, m.content) for r in _records() for m, t in zip(r.messages, r.turns)
             if m.role == "user" and t.act in ("answer_no", "answer_yes", "answer_unsure")
             and CAP_AFTER_DASH.search(m.content)]
    assert not found, found[:5]


def test_no_answer_template_capitalises_what_follows_a_dash_or_a_colon():
    lib = _library()
    bad, read = [], 0
    for act in ("answer_no", "answer_yes", "answer_unsure"):
        for path in sorted((lib.root / "templates" / act).glob("*.j2")):
            read += 1
            src = path.read_text()
            leads = [a for g in re.findall(r"\(\(([^()]*)\)\)\{\{ *said\|cap", src) for a in g.split("|")]
            if re.search(r"(?:- |: )\{\{ *said\|cap", src) or any(a.endswith(("- ", ": ")) for a in leads):
                bad.append(f"{act}/{path.name}")
    assert read > 30 and not bad, bad


def test_no_light_hearted_aside_before_an_emergency_ending():
    emergencies = [r for r in _records() if r.gold.disposition in EMERGENCY]
    assert len(emergencies) >= N // 4  # balanced: the check has emergencies to look at
    found = [(r.id, x) for r in emergencies for t in r.turns for x in t.templates if x in LIGHT_ASIDES]
    assert not found, found[:5]


def test_light_hearted_asides_still_come_before_other_endings():
    said = [x for r in _records() if r.gold.disposition not in EMERGENCY
            for t in r.turns for x in t.templates if x in LIGHT_ASIDES]
    assert said


def test_every_light_hearted_aside_names_the_endings_it_may_come_before():
    lib = _library()
    for v in lib.templates.variants["aside"]:
        if v.id in LIGHT_ASIDES:
            assert "disposition" in v.when and not v.when["disposition"] & EMERGENCY, v.id


def test_the_reason_for_the_disposition_is_not_a_list_wedged_between_commas():
    wedged = re.compile(r"(?:From what you've told me|What you've told me|What you've described), [^.]*\band\b[^.]*, "
                        r"(?:this|needs)")
    run_on = re.compile(r"\([^)]*\)[^.]*, (?:which|and) (?:usually settles|that can't|they can|a doctor can|a clinician will|needs checking in hospital|can't be ruled out)")
    found = []
    for r in _records():
        for m, t in zip(r.messages, r.turns):
            if t.act == "disposition":
                for sentence in re.split(r"(?<=[.!?])\s+", m.content):
                    if wedged.search(sentence) or run_on.search(sentence):
                        found.append((r.id, sentence))
    assert not found, found[:5]


#: the most frequent patient-language defects of a read of seed 16180 (1,000 balanced records) after the five above
LANGUAGE = {
    # 'I know you must be busy, so I'd rather be sure': a reason not to ask, joined by 'so'
    "non-sequitur aside": re.compile(r"(?:must be busy|get a lot of these|overdoing it|waste your time), so\b", re.I),
    # 'No. Not black, as usual.': a red flag denied is not 'as usual'
    "as usual after a denial": re.compile(r"^No\. [^.]*, as usual\.", re.I),
    # 'No, thankfully - I've kept everything down, I'm glad to say.'
    "relief said twice": re.compile(r"\b(?:thankfully|luckily)\b[^.]*\bI'm glad to say\b", re.I),
    # 'No, not at all, no blood or slime, not at all.'
    "'not at all' twice": re.compile(r"not at all\b.*\bnot at all", re.I),
}


def test_answers_have_none_of_the_frequent_language_defects_of_the_read():
    found = [(name, r.id, m.content) for r in _records() for m in r.messages if m.role == "user"
             for name, pattern in LANGUAGE.items() if pattern.search(m.content)]
    assert not found, found[:5]


def test_the_assistant_does_not_say_the_same_short_sentence_twice_in_a_call():
    # 'Thanks, that helps.' is too short in each clause to count as a recycled clause; 228 of 1,000 records of
    # seed 16180 (balanced) repeated such a sentence before; a few may remain where no other wording fits
    repeated = 0
    for r in _records():
        seen: set[str] = set()
        again = False
        for m, t in zip(r.messages, r.turns):
            if m.role != "assistant" or t.act not in ("clarify", "red_flag_check"):
                continue
            for s in re.split(r"(?<=[.!?])\s+", m.content):
                if len(s.split()) >= 3:
                    again |= s in seen
                    seen.add(s)
        repeated += again
    assert repeated <= N // 40, repeated


# -- the read of 2026-12-08 (seed 16180): reasons in brackets, warnings nested in brackets, a proxy told not to
# -- 'make a fuss', an adult praised for 'doing really well', 'no inability to ...' said back

NESTED_BRACKETS = re.compile(r"\([^()]*\(")


def test_no_reason_is_given_in_brackets_and_no_warning_is_nested_in_brackets():
    """'What you've told me about (back pain) should be looked at' (40 of 1,500 records) and 'If you notice any of
    these (green (bile-coloured) vomit; ...)' (11): the reported findings and the warnings are said as a sentence."""
    found = [(r.id, m.content) for r in _records() for m in r.messages if m.role == "assistant"
             and (NESTED_BRACKETS.search(m.content) or re.search(r"(?:told me about|described) \(", m.content))]
    assert not found, found[:3]
    said = [m.content for r in _records() for m in r.messages if m.role == "assistant"]
    # the warnings are still given, as a list after a colon
    assert any(re.search(r"(?:any of (?:these|them)|Watch for these|Look out for these|signs to watch for)"
                         r"[^:.]*: [^.;]+;", s, re.IGNORECASE) for s in said)


def test_only_the_person_themselves_is_told_they_may_not_want_to_make_a_fuss():
    found = [(r.id, m.content) for r in _records() if r.persona.speaker != "self" for m in r.messages
             if m.role == "assistant" and "rather not make a fuss" in m.content]
    assert not found, found[:3]


def test_no_acknowledgement_praises_the_caller_or_says_no_inability():
    found = [(r.id, m.content) for r in _records() for m in r.messages if m.role == "assistant"
             and re.search(r"doing really well|you're doing fine|\bno inability\b", m.content, re.IGNORECASE)]
    assert not found, found[:3]
