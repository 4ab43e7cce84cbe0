"""Validate any dataset file, record by record: the schema and the consistency of the labels.

Every rule is a small function that returns the problems it finds, so a QA expert can read the rules one
by one and a test can break each one on purpose. The checks read the records and the library only; they
do not re-run the generator.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterable, Iterator, Mapping, Optional

import orjson
from pydantic import ValidationError

from .content import TIME_COURSE, Disposition, FindingType, Sex
from .errors import UsageError
from .initiative import ANSWER_ACT
from .knowledge import Demographics, KnowledgeBase
from .personas import Initiative
from .realise import Localiser
from .records import Record
from .files import read_records
from .plan import condition_supported
from .templates import answer_level
from .sample import implications, implied_answers, rule_applies
from .timecourse import case_when, fit, time_words
from .triage import baseline_observations, decide, modifier_applies, pending_must_asks, pending_rule_outs


@dataclass(frozen=True)
class Violation:
    file: str
    line: int
    record_id: str
    rule: str
    message: str

    def __str__(self) -> str:
        message = self.message if len(self.message) <= _SHOWN else (
            f"{self.message[:_SHOWN]}... ({len(self.message):,} characters in all)")
        record_id = self.record_id if len(self.record_id) <= 80 else self.record_id[:80] + "..."
        return f"{self.file}:{self.line}: {record_id}: [{self.rule}] {message}"


_SHOWN = 600  # a violation quotes at most this much of a message: a hostile record's text is not echoed whole


@dataclass(frozen=True)
class Lexicon:
    affirmative: tuple[str, ...]
    negative: tuple[str, ...]
    unsure: tuple[str, ...]
    localisers: Mapping[str, Localiser] = field(default_factory=dict)
    """each locale's wording of library text, so a record's phrases are looked for as its locale says them"""
    pleasantries: tuple[str, ...] = ()
    """closing pleasantries, which never end the last message after an emergency disposition"""
    vocab: Mapping[str, Mapping[str, str]] = field(default_factory=dict)
    """each locale's words for the services (999, A&E), to find the action in a message"""
    initiative: Initiative = field(default_factory=Initiative)
    """what a patient may raise after which disposition (personas/initiative.yaml)"""

    @classmethod
    def load(cls, root: Path) -> "Lexicon":
        from .personas import load_personas

        from .noise import read_lexicon

        data = read_lexicon(root)
        personas = load_personas(root)
        localisers = {loc.id: Localiser(loc.terms) for loc in personas.locales}
        return cls(data["affirmative"], data["negative"], data["unsure"], localisers, data["pleasantries"],
                   {loc.id: dict(loc.vocab) for loc in personas.locales}, personas.initiative)

    def local(self, locale: str) -> Localiser:
        return self.localisers.get(locale) or _AS_WRITTEN


_AS_WRITTEN = Localiser({})


Rule = Callable[[Record, KnowledgeBase, Lexicon], Iterable[str]]
RULES: dict[str, Rule] = {}


def rule(name: str) -> Callable[[Rule], Rule]:
    def register(fn: Rule) -> Rule:
        RULES[name] = fn
        return fn
    return register


#: sentence ends: a 'no' answer may name the finding in a negated sentence ('No, no shortness of breath.')
_SENTENCES = re.compile(r"(?<=[.!?])\s+")


def _words(text: str) -> str:
    return " " + re.sub(r"[^a-z0-9' ]+", " ", text.lower()) + " "


def _has_any(text: str, markers: Iterable[str]) -> bool:
    w = _words(text)
    return any(f" {m} " in w for m in markers)


# ---------------------------------------------------------------------------------------------------------
# Rules


@rule("known_ids")
def known_ids(r: Record, kb: KnowledgeBase, lx: Lexicon) -> Iterator[str]:
    if r.case.condition not in kb.conditions:
        yield f"hidden condition '{r.case.condition}' is not in the library"
        return
    for f in r.case.present + r.case.absent + list(r.case.value_map):
        if f not in kb.findings:
            yield f"case finding '{f}' is not in the library"
    for t in r.turns:
        if t.finding is not None and t.finding not in kb.findings:
            yield f"turn finding '{t.finding}' is not in the library"


@rule("structure")
def structure(r: Record, kb: KnowledgeBase, lx: Lexicon) -> Iterator[str]:
    if len(r.messages) != len(r.turns):
        yield f"{len(r.messages)} messages but {len(r.turns)} turns"
        return
    body = [m for m in r.messages if m.role != "system"]
    if r.messages[0].role == "system" and any(m.role == "system" for m in r.messages[1:]):
        yield "a system message appears after the first message"
    for i, m in enumerate(body):
        expected = "user" if i % 2 == 0 else "assistant"
        if m.role != expected:
            yield f"message roles do not alternate user/assistant at message {i}"
            break
    d = r.gold.disposition_turn
    if not 0 <= d < len(r.messages) or r.messages[d].role != "assistant" or r.turns[d].act != "disposition":
        yield f"disposition_turn {d} is not the assistant message that gives the disposition"
    for q in r.gold.questions:
        if not 0 <= q.turn < len(r.turns) or r.turns[q.turn].finding != q.finding or \
                r.turns[q.turn].act not in {"clarify", "red_flag_check"}:
            yield f"gold question at turn {q.turn} does not match the assistant's question there"
        elif (r.turns[q.turn].act == "red_flag_check") != q.red_flag:
            yield (f"gold question at turn {q.turn} has red_flag={q.red_flag} but the turn's act is "
                   f"'{r.turns[q.turn].act}'; a red-flag screen is asked as red_flag_check, anything else as clarify")


@rule("hidden_condition_in_final_differential")
def hidden_in_final(r: Record, kb: KnowledgeBase, lx: Lexicon) -> Iterator[str]:
    if r.case.condition not in {d.condition for d in r.gold.differential_final}:
        yield f"hidden condition '{r.case.condition}' is missing from the final differential"


@rule("answers_fit_the_age")
def answers_fit_age(r: Record, kb: KnowledgeBase, lx: Lexicon) -> Iterator[str]:
    """No hidden value the person is too young for: a problem of more than 3 weeks in a baby of days."""
    for fid, answers in r.case.value_map.items():
        f = kb.findings.get(fid)
        for v in f.values if f is not None else ():
            if v.id in answers and v.min_age_months is not None and r.persona.age_months < v.min_age_months:
                yield (f"case value {fid}={v.id} needs an age of at least {v.min_age_months} months "
                       f"(the person is {r.persona.age_months})")


@rule("findings_fit_the_sex")
def findings_fit_the_sex(r: Record, kb: KnowledgeBase, lx: Lexicon) -> Iterator[str]:
    """No finding held to the other sex (a vaginal discharge, a testicular pain; `sexes` in the library) is asked,
    answered or volunteered in the dialogue, nor present in the case: a man is not asked about the vagina."""
    sex = r.persona.sex

    def other_sex(fid: str | None) -> bool:
        f = kb.findings.get(fid) if fid is not None else None
        return f is not None and bool(f.sexes) and sex not in {s.value for s in f.sexes}

    for i, t in enumerate(r.turns):
        for fid in [t.finding, *t.volunteered]:
            if other_sex(fid):
                yield f"message {i} ({t.act}) is about '{fid}', which a {sex} person cannot have"
    for fid in r.case.present:
        if other_sex(fid):
            yield f"the case holds '{fid}' present, which a {sex} person cannot have"


@rule("phrases_fit_the_age")
def phrases_fit_the_age(r: Record, kb: KnowledgeBase, lx: Lexicon) -> Iterator[str]:
    """No person says a phrase held to other ages (phrase_ages): no 'nothing on the paper' for a baby in
    nappies, no 'over the bladder' from a toddler's parent, no 'several pints most nights' at 15."""
    local = lx.local(r.persona.locale)
    age = r.persona.age_months
    held = [(phrase, lim) for phrase, lim in _age_held_phrases(kb) if not lim.covers(age)]
    if not held:
        return
    for i, m in enumerate(r.messages):
        if m.role != "user":
            continue
        text = _words(m.content)
        for phrase, lim in held:
            if _words(local(phrase)) in text:
                yield (f"message {i} says {phrase!r}, which fits ages {lim.min_age_months or 0}-"
                       f"{lim.max_age_months if lim.max_age_months is not None else ''} months "
                       f"(the person is {age}): {m.content!r}")


def _age_held_phrases(kb: KnowledgeBase) -> list:
    """(phrase, its age limits) for every phrase a finding or complaint holds to some ages, less any phrase that
    another finding or complaint says at every age."""
    def compute() -> list:
        held, free = [], set()
        for item in (*kb.findings.values(), *kb.complaints.values()):
            limited = {p for lim in item.phrase_ages for p in lim.phrases}
            held.extend((p, lim) for lim in item.phrase_ages for p in lim.phrases)
            words = [*item.lay, *getattr(item, "deny", ()), *(w for v in getattr(item, "values", ()) for w in v.wordings)]
            free.update(w for w in words if w not in limited)
        return [(p, lim) for p, lim in held if p not in free]
    return kb.cached("age_held_phrases", None, compute)


@rule("pregnancy_service_fits_gestation")
def pregnancy_service_fits_gestation(r: Record, kb: KnowledgeBase, lx: Lexicon) -> Iterator[str]:
    """Someone who said the pregnancy is early or not yet confirmed is not sent to the maternity unit (labour
    and delivery): read 11 named it at 8 weeks and when the test was only just positive."""
    s = kb.settings
    said = next((t.answer_values if t.finding == s.gestation_finding and t.act == "answer_value"
                 else t.volunteered_map[s.gestation_finding] for t in r.turns if s.gestation_finding and (
                     (t.finding == s.gestation_finding and t.act == "answer_value")
                     or s.gestation_finding in t.volunteered_map)), None)
    values = {said} if isinstance(said, str) else set(said or ())
    unit = lx.vocab.get(r.persona.locale, {}).get("maternity_unit")
    if not values or not unit or not values <= set(s.early_gestation_values):
        return
    for i, m in enumerate(r.messages):
        if m.role == "assistant" and unit.lower() in m.content.lower():
            yield f"message {i} names {unit!r} after the pregnancy was said to be {sorted(values)}"


@rule("disposition_not_below_hidden_condition")
def not_below_hidden(r: Record, kb: KnowledgeBase, lx: Lexicon) -> Iterator[str]:
    own = kb.conditions[r.case.condition].level(_dialogue_observations(r, kb), r.persona.age_months)
    if Disposition(r.gold.disposition).rank < own.rank:
        yield f"disposition {r.gold.disposition} is below the hidden condition's own level {own.value}"


@rule("red_flags_reflected")
def red_flags_reflected(r: Record, kb: KnowledgeBase, lx: Lexicon) -> Iterator[str]:
    revealed = {t.finding for t in r.turns if t.act == "answer_yes"} | {v for t in r.turns for v in t.volunteered}
    revealed |= {t.finding for t in r.turns if t.act == "opening"}
    # a warning sign the answers give in other words ('chest pain' and 'breathless': chest pain with breathlessness)
    revealed |= {f for f, a in implied_answers(kb, _dialogue_observations(r, kb, implied=False), r.case.complaint,
                                                 _mute(r, kb)).items()
                 if a is True}
    level = Disposition(r.gold.disposition)
    for fid in sorted(revealed):
        f = kb.findings.get(fid)  # type: ignore[arg-type]
        if f is None or f.red_flag is None:
            continue
        if fid not in r.gold.red_flags_present:
            yield f"red flag '{fid}' was revealed but is not in gold.red_flags_present"
        if level.rank < f.red_flag.disposition.rank:
            yield f"red flag '{fid}' calls for {f.red_flag.disposition.value} but the disposition is {level.value}"
    for fid in r.gold.red_flags_present:
        if fid not in revealed:
            yield f"gold lists red flag '{fid}' as present but the dialogue never revealed it"


def _step(r: Record, name: str) -> list[str]:
    return next((s.findings for s in r.gold.reasoning if s.step == name), [])


@rule("negatives_were_denied")
def negatives_were_denied(r: Record, kb: KnowledgeBase, lx: Lexicon) -> Iterator[str]:
    """A pertinent negative, and a red flag checked 'absent', is a 'no' the person gave to the question: one a
    consistency rule settled (the Ottawa ankle items when the knee hurts) was never asked and is not_applicable."""
    denied = {t.finding for t in r.turns if t.act == "answer_no"}
    present = set(r.gold.red_flags_present)
    for fid in _step(r, "pertinent_negatives"):
        if fid not in denied:
            yield f"'{fid}' is a pertinent negative but the person was never asked it and said no"
    for fid in _step(r, "red_flags_checked"):
        if fid not in present and fid not in denied:
            yield f"red flag '{fid}' is checked absent but the person was never asked it and said no"


@rule("findings_not_both_present_and_absent")
def findings_not_both(r: Record, kb: KnowledgeBase, lx: Lexicon) -> Iterator[str]:
    """No finding is labelled both present and absent: not in the case, not in the reasoning, and a red flag the
    disposition rests on is one reported present, never one left unasked."""
    for fid in sorted(set(r.case.present) & set(r.case.absent)):
        yield f"the case holds '{fid}' both present and absent"
    negatives = set(_step(r, "pertinent_negatives")) | set(_step(r, "not_applicable"))
    for fid in sorted(set(_step(r, "pertinent_positives")) & negatives):
        yield f"'{fid}' is both a pertinent positive and a negative"
    present = set(r.gold.red_flags_present)
    for fid in sorted(present & set(r.gold.red_flags_unasked)):
        yield f"red flag '{fid}' is both present and unasked"
    for fid in _step(r, "disposition_rationale"):
        if fid not in present:
            yield f"the disposition rationale rests on red flag '{fid}', which is not in red_flags_present"


@rule("collapsed_levels_match")
def collapsed(r: Record, kb: KnowledgeBase, lx: Lexicon) -> Iterator[str]:
    d = Disposition(r.gold.disposition)
    if r.gold.level4 != d.level4:
        yield f"level4 {r.gold.level4} does not match disposition {d.value} (expected {d.level4})"
    if r.gold.level3 != d.level3:
        yield f"level3 {r.gold.level3} does not match disposition {d.value} (expected {d.level3})"
    if r.gold.max_hours_to_care != d.max_hours_to_care:
        yield f"max_hours_to_care {r.gold.max_hours_to_care} does not match {d.value} ({d.max_hours_to_care})"


@rule("answers_true_to_case")
def answers_true(r: Record, kb: KnowledgeBase, lx: Lexicon) -> Iterator[str]:
    present = set(r.case.present)
    for i, t in enumerate(r.turns):
        if t.finding is None or t.act not in {"answer_yes", "answer_no", "answer_value"}:
            continue
        f = kb.findings.get(t.finding)
        if f is None:
            continue
        if t.act == "answer_yes" and t.finding not in present:
            yield f"message {i} answers yes to '{t.finding}', which the case does not have"
        if t.act == "answer_no" and t.finding in present:
            yield f"message {i} answers no to '{t.finding}', which the case has"
        if t.act == "answer_value" and t.finding in r.case.value_map and sorted(t.answer_values) != r.case.value_map[t.finding]:
            yield f"message {i} gives {t.answer_values} for '{t.finding}' but the case has {r.case.value_map[t.finding]}"
    for t in r.turns:
        for v in t.volunteered:
            if v in t.volunteered_map:
                if t.volunteered_map[v] != r.case.value_map.get(v):
                    yield f"'{v}' is volunteered as {t.volunteered_map[v]} but the case has {r.case.value_map.get(v)}"
            elif v not in present:
                yield f"'{v}' is volunteered but the case does not have it"
        for v in t.volunteered_map:
            if v not in t.volunteered:
                yield f"'{v}' has a volunteered value but is not in the turn's volunteered findings"
    for q in r.gold.questions:
        if q.answer == "yes" and q.finding not in present or q.answer == "no" and q.finding in present:
            yield f"gold question '{q.finding}' records answer {q.answer} against the case"


@rule("answers_consistent")
def answers_consistent(r: Record, kb: KnowledgeBase, lx: Lexicon) -> Iterator[str]:
    """No two answers, and no two facts of the hidden case, break an implication (conditions/consistency.yaml):
    'the bottom left of the belly' then 'no' to pain on one side; a fit, then 'no' to blacking out."""
    from .content import satisfies

    case: dict = {f: True for f in r.case.present}
    case.update({f: False for f in r.case.absent})
    case.update({f: v[0] for f, v in r.case.value_map.items() if len(v) == 1})
    said = {f: (a[0] if isinstance(a, list) and len(a) == 1 else a) for f, a in _dialogue_observations(r, kb).items()}
    band = kb.age_band(r.persona.age_months) if r.persona.age_months >= 0 else None
    sex = Sex(r.persona.sex) if r.persona.sex in Sex.__members__ else None
    for where, facts in (("the dialogue", said), ("the case", case)):
        for imp in kb.implies:
            b = imp.then_finding
            if not imp.holds_for(r.case.complaint):
                continue  # about another complaint's duration (a fever that came after a rash of two weeks)
            if band is not None and not kb.reportable(b, band, sex):
                continue  # nobody can say it at this age (a baby's nausea) or sex: the sampler leaves it alone
            if b in facts and all(a in facts and satisfies(facts[a], w) for a, w in imp.if_items) \
                    and not satisfies(facts[b], imp.then_value):
                given = ", ".join(f"{a} = {facts[a]}" for a, _ in imp.if_items)
                yield f"{where} has {given} but {b} = {facts[b]}, against '{imp.id}' ({b} should be {imp.then_value})"


@rule("condition_fits_age")
def condition_fits_age(r: Record, kb: KnowledgeBase, lx: Lexicon) -> Iterator[str]:
    """The hidden condition occurs at the persona's age: its age bands and its month limits (no simple febrile
    seizure at 11)."""
    c = kb.conditions.get(r.case.condition)
    if c is None:
        return
    age = r.persona.age_months
    if kb.age_band(age) not in c.ages or not c.fits_age(age):
        yield (f"'{r.case.condition}' does not occur at {age} months (bands {c.ages}, months "
               f"{c.min_age_months}-{c.max_age_months})")


@rule("sources_fit_age")
def sources_fit_age(r: Record, kb: KnowledgeBase, lx: Lexicon) -> Iterator[str]:
    """No guideline is cited for an age it does not cover: NICE NG143 (Fever in under 5s) never for a 7-year-old."""
    age = r.persona.age_months
    texts = [x.detail for x in r.gold.reasons] + [q.why for q in r.gold.questions] + [s.text for s in r.gold.reasoning]
    for scoped in _age_scoped_sources(kb):
        if not scoped.covers(age):
            for text in texts:
                if scoped.source in text:
                    yield f"'{scoped.source}' is cited at {age} months, outside its ages: {text[:120]!r}"
                    break


def _age_scoped_sources(kb: KnowledgeBase) -> list:
    def compute() -> list:
        out = []
        for f in kb.findings.values():
            if f.red_flag is not None:
                out.extend(f.red_flag.source_by_age)
        for m in kb.modifiers:
            out.extend(m.source_by_age)
        for c in kb.conditions.values():
            if c.until_suspected is not None:
                out.extend(c.until_suspected.source_by_age)
        return out
    return kb.cached("age_scoped_sources", None, compute)


@rule("answer_text_agrees")
def answer_text(r: Record, kb: KnowledgeBase, lx: Lexicon) -> Iterator[str]:
    for i, (m, t) in enumerate(zip(r.messages, r.turns)):
        if t.finding is None or t.finding not in kb.findings:
            continue
        f = kb.findings[t.finding]
        text = m.content
        first = text.split(".")[0]
        local = lx.local(r.persona.locale)
        phrases = [local(p).lower() for p in f.lay]
        if t.act == "answer_yes":
            if not (_has_any(first, lx.affirmative) or any(p in text.lower() for p in phrases)):
                yield f"message {i} should say yes to '{t.finding}' but reads: {text!r}"
            elif _words(first).startswith((" no ", " not ", " nothing ")):
                yield f"message {i} is a yes to '{t.finding}' but opens with a negative: {text!r}"
        elif t.act == "answer_no":
            if not _has_any(first, lx.negative):
                yield f"message {i} should say no to '{t.finding}' but reads: {text!r}"
            elif any(p in sentence.lower() and not _has_any(sentence, lx.negative)
                     for sentence in _SENTENCES.split(text) for p in phrases):
                yield f"message {i} says no to '{t.finding}' but describes it: {text!r}"
        elif t.act == "answer_unsure":
            if not _has_any(text, lx.unsure):
                yield f"message {i} should be unsure about '{t.finding}' but reads: {text!r}"
        elif t.act == "answer_value" and f.type is not FindingType.binary:
            by_id = {v.id: v for v in f.values}
            for value in t.answer_values:
                if value in by_id and not any(local(p).lower() in text.lower() for p in by_id[value].wordings):
                    yield f"message {i} gives '{value}' for '{t.finding}' but its text does not say so: {text!r}"
        elif t.act == "opening" and f.type is FindingType.binary:
            complaint = kb.complaints.get(r.case.complaint)
            if complaint is not None and not any(local(p).lower() in text.lower() for p in complaint.openings):
                yield f"the opening does not state the complaint '{r.case.complaint}': {text!r}"
        for fid, given in t.volunteered_map.items():
            said = kb.findings.get(fid)
            if said is None:
                continue
            by_id = {v.id: v for v in said.values}
            for value in given:
                if value in by_id and not any(local(p).lower() in text.lower() for p in by_id[value].wordings):
                    yield f"message {i} volunteers '{value}' for '{fid}' but its text does not say so: {text!r}"


@rule("no_pressing_the_same_question")
def no_pressing(r: Record, kb: KnowledgeBase, lx: Lexicon) -> Iterator[str]:
    """A question may be asked again only after 'not sure', and at most twice in all."""
    asked: dict[str, int] = {}
    for i, t in enumerate(r.turns):
        if t.act in {"clarify", "red_flag_check"} and t.finding is not None:
            asked[t.finding] = asked.get(t.finding, 0) + 1
            if asked[t.finding] > 2:
                yield f"message {i} asks about '{t.finding}' a third time"
            elif asked[t.finding] == 2:
                before = [u for u in r.turns[:i] if u.finding == t.finding and u.act.startswith("answer")]
                if not before or before[-1].act != "answer_unsure":
                    yield f"message {i} asks about '{t.finding}' again although it was already answered"


@rule("no_question_after_an_ambulance_red_flag")
def no_question_after_an_ambulance_red_flag(r: Record, kb: KnowledgeBase, lx: Lexicon) -> Iterator[str]:
    """Once a red flag that calls for an ambulance is reported (in the opening, an answer or a volunteered
    detail), the next assistant message gives the disposition: a thunderclap headache told early was followed
    by a dozen questions before 999 (blind read)."""
    reported = None
    for i, t in enumerate(r.turns):
        if i > r.gold.disposition_turn:
            return
        if r.messages[i].role == "assistant" and reported is not None:
            if i != r.gold.disposition_turn:
                yield f"message {i} asks another question after '{reported}', which calls for an ambulance"
            return
        said = ([t.finding] if t.act in ("opening", "answer_yes") and t.finding else []) + list(t.volunteered)
        for fid in said:
            f = kb.findings.get(fid)
            if f is not None and f.red_flag is not None and f.red_flag.disposition is Disposition.emergency_ambulance:
                reported = fid


@rule("no_question_after_an_ambulance_rule")
def no_question_after_an_ambulance_rule(r: Record, kb: KnowledgeBase, lx: Lexicon) -> Iterator[str]:
    """Once a rule (modifier) that calls for an ambulance holds, the next assistant message gives the
    disposition, as after an ambulance red flag: nothing can raise the level, so a must-ask is not owed (an
    older adult with a fever and sudden new confusion was asked four more questions before 999, blind read)."""
    if r.gold.disposition != Disposition.emergency_ambulance.value:
        return
    rules = [m for m in kb.modifiers if m.disposition is Disposition.emergency_ambulance
             and any(x.kind == "modifier" and x.id == m.id for x in r.gold.reasons)]
    if not rules:
        return
    who = Demographics(r.persona.age_months, Sex(r.persona.sex), r.persona.pregnant)
    for i in range(1, r.gold.disposition_turn):
        if r.messages[i].role != "assistant":
            continue
        obs = _dialogue_observations(r, kb, upto=i)
        held = [m.id for m in rules if modifier_applies(m, who, obs)]
        if held:
            yield f"message {i} asks another question after the rule '{held[0]}', which calls for an ambulance"
            return


@rule("no_decision_over_an_unasked_red_flag")
def no_decision_over_unasked(r: Record, kb: KnowledgeBase, lx: Lexicon) -> Iterator[str]:
    """The disposition is given only once every red flag that would raise it has been asked or ruled out."""
    level = Disposition(r.gold.disposition)
    for fid in r.gold.red_flags_unasked:
        f = kb.findings.get(fid)
        if f is not None and f.red_flag is not None and f.red_flag.disposition.rank > level.rank:
            yield (f"red flag '{fid}' ({f.red_flag.disposition.value}) was still unasked when "
                   f"{level.value} was given")


@rule("no_decision_over_an_unasked_must_ask")
def no_decision_over_unasked_must_ask(r: Record, kb: KnowledgeBase, lx: Lexicon) -> Iterator[str]:
    """A disposition below an ambulance is given only once every must-ask that applied has been asked."""
    if r.gold.disposition == Disposition.emergency_ambulance.value:
        return
    p = r.persona
    try:
        who = Demographics(p.age_months, Sex(p.sex), p.pregnant)
    except (UsageError, ValueError):
        return  # the persona itself is reported by the structure rule
    for question, screen in sorted(pending_must_asks(kb, who, _dialogue_observations(r, kb)).items()):
        yield f"must-ask '{screen}' ('{question}') was never asked before {r.gold.disposition} was given"


@rule("no_decision_over_a_pending_rule_out")
def no_decision_over_pending_rule_out(r: Record, kb: KnowledgeBase, lx: Lexicon) -> Iterator[str]:
    """A disposition that rests only on a dangerous condition being plausible is given once the questions
    that rule that condition in or out have been asked."""
    p = r.persona
    try:
        who = Demographics(p.age_months, Sex(p.sex), p.pregnant)
        obs = _dialogue_observations(r, kb)
        decision = decide(kb, who, obs)
    except (UsageError, ValueError, KeyError):
        return  # unknown ids and impossible personas are reported by their own rules
    if r.gold.disposition == Disposition.emergency_ambulance.value:
        return
    for question, cond in sorted(pending_rule_outs(kb, decision, obs, kb.age_band(p.age_months), who.sex).items()):
        yield f"'{question}' would rule {cond} in or out, and was never asked before {r.gold.disposition} was given"


@rule("named_only_when_supported")
def named_only_when_supported(r: Record, kb: KnowledgeBase, lx: Lexicon) -> Iterator[str]:
    """A condition is named to the person only when what they reported supports it (plan.named_conditions)."""
    obs = _dialogue_observations(r, kb)
    top = r.gold.differential_final[0].condition if r.gold.differential_final else None
    # the record keeps posteriors rounded to 6 places: a condition may sit a rounding step below the floor
    rounded = {d.condition: d.p + 1e-6 for d in r.gold.differential_final}
    who = Demographics(r.persona.age_months, Sex(r.persona.sex), r.persona.pregnant)
    held_back = {c: m.id for m in kb.modifiers if m.not_named and modifier_applies(m, who, obs) for c in m.not_named}
    for cid in r.gold.named_conditions:
        if cid not in kb.conditions:
            continue  # unknown ids are the known_ids rule's
        if cid in held_back:
            yield f"'{cid}' is named although the rule '{held_back[cid]}' holds, which keeps it unnamed"
            continue
        if not condition_supported(kb, cid, obs, top, rounded.get(cid, 0.0)):
            yield (f"'{cid}' is named although the reports do not support it (two of its symptoms or signs or a rule-out "
                   f"finding, none of its defining findings denied, not an emergency long shot, and the likeliest or at "
                   f"least model.naming_floor likely)")


def _dialogue_observations(r: Record, kb: KnowledgeBase, implied: bool = True, upto: int | None = None) -> dict:
    """What the dialogue revealed: the opening's finding, answers, volunteered findings, a known pregnancy, and
    (unless ``implied`` is false) what those say in other words, as the planner knew it; with ``upto``, what
    the turns before that one revealed."""
    obs: dict = baseline_observations(kb, Demographics(r.persona.age_months, Sex(r.persona.sex), r.persona.pregnant))
    turns = r.turns if upto is None else r.turns[:upto]
    for t in turns:
        if t.finding is None or t.finding not in kb.findings:
            continue
        if t.act == "opening" or t.act == "answer_yes":
            obs[t.finding] = True
        elif t.act == "answer_no":
            obs[t.finding] = False
        elif t.act == "answer_value":
            multi = kb.findings[t.finding].type is FindingType.multi
            obs[t.finding] = frozenset(t.answer_values) if multi else (t.answer_values[0] if t.answer_values else None)
    for t in turns:  # volunteered findings are on turns without a finding too (the opening's extras)
        for v in t.volunteered:
            if v in kb.findings:
                given = t.volunteered_map.get(v)
                obs[v] = True if given is None else (given[0] if len(given) == 1 else given)
    if implied:
        obs.update(implied_answers(kb, obs, r.case.complaint, _mute(r, kb)))
    return obs


def _mute(r: Record, kb: KnowledgeBase) -> frozenset[str]:
    """What this person cannot report (their age band and sex): the planner does not take it as implied."""
    if r.persona.age_months < 0 or r.persona.sex not in Sex.__members__:
        return frozenset()
    return kb.unreportable(kb.age_band(r.persona.age_months), Sex(r.persona.sex))


@rule("questions_presuppose_only_what_was_said")
def questions_presuppose_only_what_was_said(r: Record, kb: KnowledgeBase, lx: Lexicon) -> Iterator[str]:
    """A question takes for granted only what the person has said by then: 'Since the injury, ...' comes after
    a fall or a twist was reported, never before (a finding's presupposes / presupposes_words)."""
    said: set[str] = set()
    for i, (t, m) in enumerate(zip(r.turns, r.messages)):
        if m.role == "user":
            if t.finding is not None and (t.act == "opening" or t.act == "answer_yes"):
                said.add(t.finding)
            said.update(t.volunteered)
            continue
        f = kb.findings.get(t.finding) if m.role == "assistant" and t.finding is not None else None
        if f is None or not f.presupposes or said & set(f.presupposes):
            continue
        if f.presupposes_words.lower() in m.content.lower():  # type: ignore[union-attr]
            yield (f"message {i} asks about '{f.id}' with {f.presupposes_words!r} before any of "
                   f"{', '.join(f.presupposes)} was said")


@rule("time_course_agrees")
def time_course_agrees(r: Record, kb: KnowledgeBase, lx: Lexicon) -> Iterator[str]:
    """gold.time_course holds what the dialogue revealed of the onset and duration, which is the case's."""
    revealed = _dialogue_observations(r, kb)
    for fid in TIME_COURSE:
        gold = getattr(r.gold.time_course, fid)
        said = revealed.get(fid)
        said = said if isinstance(said, str) else None
        if gold != said:
            yield f"gold.time_course.{fid} is {gold!r} but the dialogue revealed {said!r}"
        if gold is not None and r.case.value_map.get(fid) != [gold]:
            yield f"gold.time_course.{fid} is {gold!r} but the case has {r.case.value_map.get(fid)}"


#: user turns whose whole text asserts what it says (a 'no' answer's words deny, so only its volunteered
#: findings' phrases are read)
_ASSERTING_ACTS = frozenset({"opening", "answer_yes", "answer_value"})


def asserted_time_phrases(r: Record, kb: KnowledgeBase, local: Optional[Localiser] = None) -> list[tuple[int, str]]:
    """(turn, text) of everything the person asserted that may carry a time about the problem: the opening,
    'yes' answers and value answers as said, the question a 'yes' answered (the library's wording), and the
    lay phrases of findings volunteered beside a 'no' or 'not sure'. The lay phrases of findings whose time
    words are their own ('a cold a couple of weeks ago') are left out, as the record's locale words them
    ('no pee since last night' in en_US for the library's 'no wee since last night')."""
    out: list[tuple[int, str]] = []
    as_said = local or (lambda text: text)
    said = {x for t in r.turns for x in [*t.volunteered, *([t.finding] if t.finding else [])] if x in kb.findings}
    own = sorted({w.lower() for x in said if x not in TIME_COURSE and not kb.findings[x].times_the_problem
                  for p in [*kb.findings[x].lay, *([kb.findings[x].topic] if kb.findings[x].topic else []),
                            *kb.findings[x].topics]
                  for w in (p, as_said(p))}, key=len, reverse=True)  # also when said again later
    for i, (m, t) in enumerate(zip(r.messages, r.turns)):
        if m.role != "user":
            continue
        mine = [kb.findings[x] for x in [*t.volunteered, *([t.finding] if t.finding else [])] if x in kb.findings]
        if t.act in _ASSERTING_ACTS:
            if t.act == "answer_value" and t.finding not in TIME_COURSE and t.finding in kb.findings \
                    and not kb.findings[t.finding].times_the_problem:
                continue
            text = m.content.lower()
            for p in own:
                text = text.replace(p, " ")
            out.append((i, text))
        else:
            text = m.content.lower()
            for f in mine:
                if f.id in t.volunteered and f.times_the_problem:
                    out.extend((i, p) for p in f.lay if p.lower() in text)
        if t.act == "answer_yes" and t.finding in kb.findings and kb.findings[t.finding].times_the_problem:
            out.append((i, kb.findings[t.finding].question))
    return out


@rule("time_phrases_agree")
def time_phrases_agree(r: Record, kb: KnowledgeBase, lx: Lexicon) -> Iterator[str]:
    """Every time phrase the person asserts agrees with the case's onset and duration, with the person's age,
    and with the time phrases said before it (the table of ``model.time_course`` in _model.yaml): no 'late last
    night' then 'not sure when', no 'over a month' then 'for several months', no 'appeared overnight' in an
    illness that came on slowly, no 'a couple of months' for a baby three weeks old."""
    values: dict = {f: v[0] for f, v in r.case.value_map.items() if len(v) == 1}
    values.update({f: True for f in r.case.present})  # how long the complaint itself has lasted (own_days)
    values.update({f: False for f in r.case.absent})
    complaint = r.case.complaint
    when = case_when(kb, values, r.persona.age_months, complaint)
    said: list[str] = []
    for i, text in asserted_time_phrases(r, kb, lx.local(r.persona.locale) if lx is not None else None):
        words = time_words(kb, text)
        if not words:
            continue
        alone = fit(kb, case_when(kb, values, r.persona.age_months, complaint), text)
        if alone is None:
            yield (f"turn {i}: {', '.join(repr(w) for w in words)} disagrees with the case "
                   f"(onset {values.get('onset')!r}, duration {values.get('duration')!r}, age {r.persona.age_months} months)")
            continue
        got = fit(kb, when, text)
        if got is None:
            yield f"turn {i}: {', '.join(repr(w) for w in words)} disagrees with {', '.join(repr(w) for w in said)} said before"
            continue
        when = got
        said.extend(words)


@rule("case_implications_hold")
def case_implications_hold(r: Record, kb: KnowledgeBase, lx: Lexicon) -> Iterator[str]:
    """The hidden case keeps the library's implications: a thunderclap headache came on suddenly; an illness
    that came on gradually over days has lasted at least a day."""
    answers: dict = {f: True for f in r.case.present}
    answers.update({f: v[0] for f, v in r.case.value_map.items() if len(v) == 1})
    for target, rules in implications(kb).items():
        value = answers.get(target)
        if not isinstance(value, str):
            continue
        for rule_ in rules:
            if rule_applies(rule_, answers) and value not in rule_[2]:
                source = rule_[0] if rule_[1] is None else f"{rule_[0]}={rule_[1]}"
                yield f"the case has {source} but {target}={value}, which it rules out (allowed: {sorted(rule_[2])})"


@rule("safety_net_where_required")
def safety_net_rule(r: Record, kb: KnowledgeBase, lx: Lexicon) -> Iterator[str]:
    if r.gold.disposition in {"routine", "self_care"} and not r.gold.safety_net:
        yield f"a {r.gold.disposition} disposition needs safety-net advice, and gold.safety_net is empty"


@rule("first_aid_given")
def first_aid_given(r: Record, kb: KnowledgeBase, lx: Lexicon) -> Iterator[str]:
    """An emergency disposition carries the first-aid steps of its reasons and of the likeliest condition
    that fit the person, in the gold and in the final message; no step is given that does not fit
    (scenegen.advice decides both)."""
    from .advice import first_aid_reasons, first_aid_steps

    if r.gold.disposition not in {Disposition.emergency_ambulance.value, Disposition.emergency_department.value}:
        if r.gold.first_aid:
            yield f"gold.first_aid is given with a {r.gold.disposition} disposition"
        return
    p = r.persona
    try:
        who = Demographics(p.age_months, Sex(p.sex), p.pregnant)
    except (UsageError, ValueError):
        return
    present = [f for f, a in _dialogue_observations(r, kb).items() if a is True]
    local = lx.local(p.locale)
    final_differential = [e.condition for e in r.gold.differential_final if e.condition in kb.conditions]
    reasons = first_aid_reasons(kb, [(x.kind, x.id) for x in r.gold.reasons], final_differential)
    expected = [local(a.text) for a in first_aid_steps(kb, reasons, who, p.speaker != "self", present, p.locale,
                                                       ambulance=r.gold.disposition == "emergency_ambulance",
                                                       leading=next(iter(final_differential), None))]
    for text in expected:
        if text not in r.gold.first_aid:
            yield f"first-aid step missing from gold.first_aid: {text!r}"
    for text in r.gold.first_aid:
        if text not in expected:
            yield f"gold.first_aid gives a step that the reasons do not name for this person: {text!r}"
    d = r.gold.disposition_turn
    final = r.messages[d].content if 0 <= d < len(r.messages) else ""
    for text in r.gold.first_aid:
        if text not in final:
            yield f"first-aid step {text!r} is in the gold but not in the final message"


@rule("differential_is_a_distribution")
def differential(r: Record, kb: KnowledgeBase, lx: Lexicon) -> Iterator[str]:
    for name in ("differential_initial", "differential_final"):
        entries = getattr(r.gold, name)
        ps = [e.p for e in entries]
        if any(not 0 <= p <= 1 for p in ps) or sum(ps) > 1 + 1e-6:
            yield f"{name} probabilities are not a (partial) distribution: {ps}"
        if ps != sorted(ps, reverse=True):
            yield f"{name} is not sorted by probability"


@rule("disposition_reasons_support_level")
def reasons_support(r: Record, kb: KnowledgeBase, lx: Lexicon) -> Iterator[str]:
    if not r.gold.reasons:
        yield "gold.reasons is empty"
    for reason in r.gold.reasons:
        if reason.disposition != r.gold.disposition:
            yield f"reason {reason.kind} '{reason.id}' is at {reason.disposition}, not the final {r.gold.disposition}"


@rule("crisis_resource_given")
def crisis(r: Record, kb: KnowledgeBase, lx: Lexicon) -> Iterator[str]:
    if r.gold.crisis_resource != "none":
        final = r.turns[r.gold.disposition_turn] if 0 <= r.gold.disposition_turn < len(r.turns) else None
        if final is None or "crisis" not in final.parts:
            yield f"crisis resource {r.gold.crisis_resource} is in the gold but the final message does not give it"


@rule("no_diagnosis_claim")
def no_diagnosis_claim(r: Record, kb: KnowledgeBase, lx: Lexicon) -> Iterator[str]:
    """The assistant may say what symptoms could mean, never that the person has a condition."""
    pattern = _diagnosis_pattern(kb)
    for i, m in enumerate(r.messages):
        if m.role == "assistant":
            hit = pattern.search(m.content)
            if hit:
                yield f"message {i} claims a diagnosis: {hit.group(0)!r}"


def _diagnosis_pattern(kb: KnowledgeBase) -> re.Pattern:
    def compute() -> re.Pattern:
        names = sorted({n.lower() for c in kb.conditions.values() for n in (c.name, c.lay_name)}, key=len, reverse=True)
        alternatives = "|".join(re.escape(n) for n in names)
        subject = r"(?:you have|you've got|you are having|(?:he|she) has|(?:he|she)'s got|this is|it is|it's|you've had)"
        # 'whether this is X' and 'if it is X' are hedges, not claims
        return re.compile(rf"(?<!whether )(?<!if )\b{subject} (?:definitely |probably )?(?:{alternatives})(?!\w)",
                          re.IGNORECASE)

    return kb.cached("diagnosis_pattern", None, compute)


@rule("patient_acts_answered")
def patient_acts_answered(r: Record, kb: KnowledgeBase, lx: Lexicon) -> Iterator[str]:
    """Every question, pushback or reply of the patient comes after the advice, has its entry in
    gold.patient_acts, and is answered by the next message with the assistant act for it; the dialogue ends
    on the assistant's word."""
    d = r.gold.disposition_turn
    gold = {a.turn: a for a in r.gold.patient_acts}
    answers = set(ANSWER_ACT.values())
    for i, t in enumerate(r.turns):
        if t.act in ANSWER_ACT:
            if i not in gold:
                yield f"message {i} is a {t.act} with no entry in gold.patient_acts"
            if i <= d:
                yield f"message {i} is a {t.act} before the advice (message {d}); they come after it"
            if i + 1 >= len(r.turns) or r.messages[i + 1].role != "assistant" or r.turns[i + 1].act != ANSWER_ACT[t.act]:
                yield f"message {i} ({t.act}) is not answered: the next message is not the assistant's {ANSWER_ACT[t.act]}"
        elif t.act in answers and (i == 0 or ANSWER_ACT.get(r.turns[i - 1].act) != t.act):
            yield f"message {i} is a {t.act} that answers nothing the patient raised"
    for a in r.gold.patient_acts:
        if not 0 <= a.turn < len(r.turns) or r.turns[a.turn].act != a.act or r.messages[a.turn].role != "user":
            yield f"gold.patient_acts says message {a.turn} is the patient's {a.act}, and it is not"
        if a.answer_turn != a.turn + 1:
            yield f"gold.patient_acts answers message {a.turn} at {a.answer_turn}, not at the next message"
    if r.messages and r.messages[-1].role != "assistant":
        yield "the dialogue ends on the patient's message, which nobody answers"


@rule("patient_act_fits_the_level")
def patient_act_fits_the_level(r: Record, kb: KnowledgeBase, lx: Lexicon) -> Iterator[str]:
    """What the patient raised is a kind the initiative library allows after this disposition (nobody asks
    whether self-care can wait till the morning), raised as its act, with the library's duty for the answer."""
    kinds = lx.initiative.kinds
    level = Disposition(r.gold.disposition)
    if r.gold.patient_acts:
        if lx.initiative.skip_with_crisis_resource and r.gold.crisis_resource != "none":
            yield f"the patient takes the initiative in a dialogue that ends with a crisis line ({r.gold.crisis_resource})"
        involved = {r.case.condition} | {x.id for x in r.gold.reasons}
        if involved & set(lx.initiative.skip_conditions):
            yield f"the patient takes the initiative about {sorted(involved & set(lx.initiative.skip_conditions))}"
    for a in r.gold.patient_acts:
        kind = kinds.get(a.raised)  # type: ignore[call-overload]
        if kind is None:
            yield f"message {a.turn} raises '{a.raised}', which personas/initiative.yaml does not define"
            continue
        if kind.act != a.act:
            yield f"message {a.turn} raises '{a.raised}' as a {a.act}; it is a {kind.act}"
        banned = ({r.case.condition} | {x.id for x in r.gold.reasons}) & set(kind.not_with_conditions)
        if banned:
            yield f"message {a.turn} raises '{a.raised}' in a dialogue about {sorted(banned)}, which the library rules out"
        if level not in kind.dispositions:
            yield (f"message {a.turn} raises '{a.raised}' after {level.value}; it fits only "
                   f"{', '.join(x.value for x in kind.dispositions)}")
        if kind.age_groups and r.persona.age_group not in kind.age_groups:
            yield f"message {a.turn} raises '{a.raised}' for a {r.persona.age_group}; it fits only {', '.join(kind.age_groups)}"
        if kind.assistant_must != a.assistant_must:
            yield f"message {a.turn}: after '{a.raised}' the assistant must {kind.assistant_must}, not {a.assistant_must}"


_EMERGENCY = {Disposition.emergency_ambulance.value, Disposition.emergency_department.value}


@rule("answers_keep_the_disposition")
def answers_keep_the_disposition(r: Record, kb: KnowledgeBase, lx: Lexicon) -> Iterator[str]:
    """Every answer after the advice re-states the gold disposition: its wording is one written for that level
    (the template's prefix). After an emergency disposition the last message says the action again (the
    emergency number; A&E) and does not end on a pleasantry."""
    answers = set(ANSWER_ACT.values())
    for i, t in enumerate(r.turns):
        if t.act in answers:
            for tpl in t.templates:
                level = answer_level(tpl)
                if level != r.gold.disposition:
                    yield f"message {i} answers with '{tpl}', written for {level}, but the disposition is {r.gold.disposition}"
    if not r.gold.patient_acts or r.gold.disposition not in _EMERGENCY or not r.messages:
        return
    vocab = lx.vocab.get(r.persona.locale, {})
    last = r.messages[-1].content
    if r.gold.disposition == Disposition.emergency_ambulance.value:
        words = [vocab.get("emergency_number", "999")]
    else:
        words = [vocab.get("ed", "A&E"), vocab.get("ed_long", "A&E")]
    if not any(w.lower() in last.lower() for w in words) or not _has_any(last, ("now",)):
        yield (f"the last message after {r.gold.disposition} does not say the action again ({' or '.join(words)}, "
               f"now): {last!r}")
    sentences = [x for x in re.split(r"(?<=[.!?])\s+", last.strip()) if x]
    if sentences and _has_any(sentences[-1], lx.pleasantries):
        yield f"the last message after {r.gold.disposition} ends on a pleasantry: {sentences[-1]!r}"


@rule("disposition_says_the_action")
def disposition_says_the_action(r: Record, kb: KnowledgeBase, lx: Lexicon) -> Iterator[str]:
    """The message that gives the disposition names its action in the record's locale words: the emergency
    number for an ambulance, the emergency department for A&E, the same-day services for urgent, the
    person's own doctor for routine ('Take care, it is probably nothing' on an ambulance record is the most
    harmful label a dataset could hold). Self-care has no one service to name."""
    level = r.gold.disposition
    if level == Disposition.self_care.value or not 0 <= r.gold.disposition_turn < len(r.messages):
        return
    vocab = lx.vocab.get(r.persona.locale, {})
    text = r.messages[r.gold.disposition_turn].content.lower()
    if level == Disposition.emergency_ambulance.value:
        words = [vocab.get("emergency_number", "999")]
    elif level == Disposition.emergency_department.value:
        words = [w for w in (vocab.get("ed", "A&E"), vocab.get("ed_long", "A&E")) if w]
        words += [re.sub(r"^(the|an?) ", "", w) for w in words]
    else:
        words = [vocab.get("urgent_care" if level == Disposition.urgent.value else "primary_care", "")]
    words = [w for w in words if w]
    if words and not any(w.lower() in text for w in words):
        yield f"the disposition message for {level} never names the action ({' or '.join(dict.fromkeys(words))})"


@rule("no_empty_message")
def no_empty_message(r: Record, kb: KnowledgeBase, lx: Lexicon) -> Iterator[str]:
    """Every message says something: an empty turn teaches a model to say nothing."""
    for i, m in enumerate(r.messages):
        if not m.content.strip():
            yield f"message {i} ({m.role}) is empty"


#: a dose: an amount with a unit, an interval or a number of times a day ('500 mg', 'every 4 hours', 'twice a day')
_DOSE = re.compile(
    r"\b\d+(?:\.\d+)?\s*(?:mg|milligrams?|mcg|micrograms?|ml|millilitres?|milliliters?|g|grams?)\b"
    r"|\b(?:\d+|one|two|three|four|half an?)\s+(?:tablets?|capsules?|caplets?|spoonfuls?|teaspoons?|sachets?|puffs?|drops?)\b"
    r"|\bevery\s+(?:\d+|two|three|four|five|six|eight)(?:\s*(?:to|-)\s*\w+)?\s+hours?\b"
    r"|\b(?:once|twice|three times|four times|\d+ times)\s+(?:a|per|each)\s+day\b", re.IGNORECASE)


@rule("no_dose_in_answers")
def no_dose_in_answers(r: Record, kb: KnowledgeBase, lx: Lexicon) -> Iterator[str]:
    """No answer after the advice gives a dose: how much and how often is 'as the leaflet or pack says for the
    age', or the pharmacist's to say."""
    answers = set(ANSWER_ACT.values())
    d = r.gold.disposition_turn
    advice = r.messages[d].content if 0 <= d < len(r.messages) else ""
    # what the advice already said (a red flag such as 'no better after 10 puffs', quoted back) is not a new dose
    quoted = sorted((c.strip() for c in re.split(r"[.;:()]|, ", advice) if len(c.strip()) > 12), key=len, reverse=True)
    for i, (m, t) in enumerate(zip(r.messages, r.turns)):
        if t.act in answers:
            text = m.content
            for chunk in quoted:
                text = text.replace(chunk, " ")
            hit = _DOSE.search(text)
            if hit:
                yield f"message {i} gives a dose: {hit.group(0)!r}"


# ---------------------------------------------------------------------------------------------------------


def validate_record(obj: dict, kb: KnowledgeBase, lexicon: Lexicon, *, file: str = "-", line: int = 0) -> list[Violation]:
    rid = str(obj.get("id", "?")) if isinstance(obj, dict) else "?"
    try:
        record = Record.model_validate(obj)
    except ValidationError as exc:
        return [Violation(file, line, rid, "schema", f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}")
                for e in exc.errors(include_url=False)]
    out = []
    for name, fn in RULES.items():
        try:
            for message in fn(record, kb, lexicon):
                out.append(Violation(file, line, rid, name, message))
        except (KeyError, IndexError) as exc:  # a record bad enough to break a rule is itself a violation
            out.append(Violation(file, line, rid, name, f"could not be checked: missing {exc}"))
        if name == "known_ids" and out:
            break
    return out


def validate_file(path: Path, kb: KnowledgeBase, lexicon: Lexicon) -> Iterator[Violation]:

    for lineno, obj, error in read_records(path):
        if error is not None:
            yield Violation(str(path), lineno, "?", "json", error)
            continue
        yield from validate_record(obj, kb, lexicon, file=str(path), line=lineno)  # type: ignore[arg-type]


def holdout_groups(obj: dict, axis: str) -> set[str]:
    """The held-out keys a record carries on one axis."""
    if axis == "condition":
        return {obj["case"]["condition"]}
    if axis == "persona":
        p = obj["persona"]
        return {f"{p['age_group']}|{p['speaker']}|{p['literacy']}|{p['style']}|{p['locale']}"}
    return {tpl for t in obj["turns"] for tpl in t["templates"]}


def check_holdout(train: Path, test: Path, axis: str) -> list[str]:
    """Keys that appear on both sides of a held-out axis (empty when the split is disjoint)."""

    seen = {name: set() for name in ("train", "test")}
    for name, path in (("train", train), ("test", test)):
        for _, obj, error in read_records(path):
            if obj is not None:
                seen[name] |= holdout_groups(obj, axis)
    return sorted(seen["train"] & seen["test"])


# ---------------------------------------------------------------------------------------------------------
# What no single record shows: checked over every file given (`validate_files`)

_ID = re.compile(r"^scn-(\d+)-(\d{8})(?:-([a-z_]+))?$")  # a twin's id ends in its axis: scn-3-00000019-sex
_SPLIT_FILES = {"train.jsonl": "train", "test.jsonl": "test"}
MANIFEST = "manifest.json"


class DatasetChecks:
    """Ids unique across every file given; an id that follows from the record's seed and index; the split a file
    named train.jsonl or test.jsonl holds; one seed per dataset; and, with a manifest.json beside a file, the
    file's record count and sha256 as the manifest records them (a file cut short or swapped fails)."""

    def __init__(self) -> None:
        self.first_seen: dict[str, tuple[str, int]] = {}
        self.seeds: dict[Path, tuple[int, str]] = {}
        self._folders: dict[Path, Path] = {}  # each file's resolved folder, looked up once rather than per record

    def _folder(self, path: Path) -> Path:
        folder = self._folders.get(path)
        if folder is None:
            folder = self._folders[path] = path.resolve().parent
        return folder

    def record(self, path: Path, line: int, obj: dict) -> Iterator[Violation]:
        file = str(path)
        rid = obj.get("id")
        if not isinstance(rid, str):
            return
        if rid in self.first_seen:  # the same file given twice counts too: its records would be trained on twice
            where = self.first_seen[rid]
            yield Violation(file, line, rid, "unique_ids", f"id '{rid}' also at {where[0]}:{where[1]}")
        else:
            self.first_seen[rid] = (file, line)
        m = _ID.match(rid)
        seed, index = obj.get("seed"), obj.get("index")
        twin = obj.get("twin") if isinstance(obj.get("twin"), dict) else {}
        if m is None or (int(m.group(1)), int(m.group(2))) != (seed, index) or m.group(3) != twin.get("axis"):
            yield Violation(file, line, rid, "id_from_seed_and_index",
                            f"id '{rid}' does not follow from seed {seed!r} and index {index!r} "
                            f"(expected 'scn-{seed}-{index:08d}', with '-AXIS' for a twin)"
                            if isinstance(seed, int) and isinstance(index, int)
                            else f"id '{rid}' does not follow from seed {seed!r} and index {index!r}")
        expected = _SPLIT_FILES.get(path.name)
        if expected is not None and obj.get("split") != expected:
            yield Violation(file, line, rid, "split_matches_file",
                            f"split '{obj.get('split')}' in a file named {path.name} (expected '{expected}')")
        folder = self._folder(path)
        if isinstance(seed, int):
            before = self.seeds.setdefault(folder, (seed, rid))
            if before[0] != seed:
                yield Violation(file, line, rid, "one_seed_per_dataset",
                                f"seed {seed} in a dataset whose record {before[1]} has seed {before[0]}")

    def file_end(self, path: Path, records: int) -> Iterator[Violation]:
        file = str(path)
        manifest_path = path.parent / MANIFEST
        if path.name not in _SPLIT_FILES or not manifest_path.is_file():
            if records == 0:
                yield Violation(file, 0, "-", "not_empty", "the file holds no records")
            return
        try:
            manifest = orjson.loads(manifest_path.read_bytes())
            entry = manifest["files"][path.name]
            want_records, want_sha = int(entry["records"]), str(entry["sha256"])
        except (OSError, orjson.JSONDecodeError, KeyError, TypeError, ValueError) as exc:
            yield Violation(str(manifest_path), 0, "-", "manifest", f"cannot be read as a scenegen manifest "
                                                                     f"({type(exc).__name__}: {exc})"[:300])
            return
        if records != want_records:
            yield Violation(file, 0, "-", "manifest", f"{records} records but {MANIFEST} records {want_records} "
                                                      "(a file cut short, added to or swapped)")
        if _sha256(path) != want_sha:
            yield Violation(file, 0, "-", "manifest", f"its sha256 is not the one in {MANIFEST}: the file was changed "
                                                      "after it was written")
        seed = manifest.get("config", {}).get("seed") if isinstance(manifest.get("config"), dict) else None
        made = self.seeds.get(self._folder(path))
        if isinstance(seed, int) and made is not None and made[0] != seed:
            yield Violation(file, 0, made[1], "manifest", f"records of seed {made[0]} beside a manifest of seed {seed}")


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        while block := fh.read(1 << 20):
            digest.update(block)
    return digest.hexdigest()


def validate_files(paths: Iterable[Path], kb: KnowledgeBase, lexicon: Lexicon,
                   counts: Optional[list[int]] = None,
                   progress: Optional[Callable[[int], None]] = None) -> Iterator[Violation]:
    """Every record of every file (`validate_record`) and what holds across them (`DatasetChecks`);
    ``counts`` receives each file's number of records, in order; ``progress(1)`` is called per record."""
    checks = DatasetChecks()
    for path in paths:
        path = Path(path)
        n = 0
        for lineno, obj, error in read_records(path):
            n += 1
            if progress is not None:
                progress(1)
            if error is not None:
                yield Violation(str(path), lineno, "?", "json", error)
                continue
            yield from validate_record(obj, kb, lexicon, file=str(path), line=lineno)  # type: ignore[arg-type]
            if isinstance(obj, dict):
                yield from checks.record(path, lineno, obj)
        if counts is not None:
            counts.append(n)
        yield from checks.file_end(path, n)
