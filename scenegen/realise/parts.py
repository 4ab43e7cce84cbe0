"""The template variables of each part of a message, and the facts that choose its wording.

One small method per part (``opening``, ``answer_yes``, ``disposition``...), looked up by the part's name.
Each reads the message being worded (:class:`Turn`) and the dialogue so far (``turn.base``: what was said,
denied, heard), and may note what it said there for later parts; the words themselves come from the
:class:`~.phrasebook.Phrasebook` and :class:`~.closing.ClosingWords`.
"""

from __future__ import annotations

import random
import re
from dataclasses import dataclass
from typing import Any, Callable

from ..content import AnswerKind, Disposition, Finding, FindingKind, phrases_fit
from ..knowledge import KnowledgeBase
from ..personas import PersonaLibrary
from ..plan import Plan, PlannedMessage, may_be_unsure
from ..rng import pick
from ..sample import HiddenCase, PersonaDraw
from ..templates import ANSWER_TEMPLATE_ACTS, INITIATIVE_TEMPLATE_ACTS
from ..timecourse import fit
from ..triage import ancestors, modifier_fits
from ..content import TIME_COURSE
from .closing import ClosingWords
from .localise import Localiser
from .phrasebook import Phrasebook
from .words import ALTERNATIVES, as_sentence, distinct_names, mentions, said_topic

#: how often a 'yes' says the new finding alongside one already reported in the dialogue ('Yes, a temperature,
#: as well as the cough'): a fact of the case the dialogue already holds, so nothing new is claimed
ALSO_SHARE = 0.3
#: how often, at most once a dialogue, a 'no' adds that the complaint is the main trouble ('it's mainly the
#: cough'): the reason they got in touch, said in their own words from the opening
MAIN_SHARE = 0.25
#: a complaint phrase that does not read after "It's the ...": a clause of its own, an amount, or two things ("the
#: feverish feeling and a temperature is what I wanted to ask about", read D17)
_NOT_A_MAIN_TROUBLE = re.compile(r"\b(?:that|which|who|and)\b|^(?:a|an) (?:lot|bit|bout|touch) of\b", re.I)
#: a lay phrase that says something is missing ('no pee for most of the day') does not read after 'as well as'
_NEGATED = re.compile(r"^(?:no|not|none|nothing)\b", re.IGNORECASE)
#: what the assistant heard in the message before its question, when that was not an answer
_NOTHING_HEARD = {"kind": "none", "text": "", "volunteered": "", "mentioned": "", "seen": "", "own": ""}
#: the problem as a time-course question's subject ('Did it come on suddenly', 'when did it start')
_IT = re.compile(r"\b[Ii]t\b(?= (?:come|start|begin|came|started))")

Context = tuple[dict[str, Any], dict[str, str]]


@dataclass
class Turn:
    """One message being worded, and the dialogue it is worded in."""

    msg: PlannedMessage
    plan: Plan
    persona: PersonaDraw
    case: HiddenCase
    base: dict[str, Any]  # the dialogue so far: public template variables and the realiser's '_' notes
    facts0: dict[str, str]  # who speaks, how: shared by every part of the record (a part that adds facts copies it)
    detail: str  # the persona's detail for the opening ('' for none)
    rng: random.Random
    local: Localiser  # the locale's words for library text (lay phrases, questions, advice)


class PartWords:
    """The variables and facts of each template part (see the module's docstring)."""

    def __init__(self, kb: KnowledgeBase, pl: PersonaLibrary, words: Phrasebook, closing: ClosingWords):
        self.kb = kb
        self.pl = pl
        self.words = words
        self.closing = closing
        self._parts: dict[str, Callable[[Turn], Context]] = {
            "opening": self.opening, "ack": self.ack, "empathy": self.empathy, "clarify": self.question,
            "red_flag_check": self.question, "answer_yes": self.answer_yes, "answer_no": self.answer_no,
            "answer_unsure": self.answer_unsure, "answer_value": self.answer_value, "volunteer": self.volunteer,
            "aside": self.aside, "disposition": self.disposition, "safety_net": self.safety_net,
            "first_aid": self.first_aid, "close": self.close, "self_care": self.self_care, "crisis": self.crisis,
            **{act: self.answer_after_advice if act in ANSWER_TEMPLATE_ACTS else self.after_advice
               for act in INITIATIVE_TEMPLATE_ACTS}}

    def context(self, part: str, turn: Turn) -> Context:
        """The part's own template variables (beyond the persona's) and the facts that choose its wording."""
        method = self._parts.get(part)
        return method(turn) if method is not None else ({}, turn.facts0)

    @staticmethod
    def _denied(t: Turn) -> frozenset[str]:
        """Answered 'no' or absent from the case: no lay phrase may name one."""
        return t.base["_denied"] | t.base["_absent"]

    def opening(self, t: Turn) -> Context:
        kb, base, persona, msg, rng, local = self.kb, t.base, t.persona, t.msg, t.rng, t.local
        words = self.words
        denied = self._denied(t)
        complaint = kb.complaints[t.case.complaint]
        base["_complaint"] = said = local(words.timely(
            complaint.finding, phrases_fit(complaint.said_by(persona.proxy), complaint.phrase_ages,
                                           persona.age_months) or complaint.said_by(persona.proxy), rng, base))
        cause = next((f for f in msg.volunteered if t.case.complaint in kb.findings[f].cause_of), None)
        if cause is not None:  # the injury that brought it on is said with it (a second one is said after)
            said = self.pl.phrases.complaint_after_cause.format(
                complaint=said, cause=local(words.lay(cause, rng, denied, base)))
            base["_complaint"] = said
        extras = [(f, local(words.lay(f, rng, denied, base))) for f in msg.volunteered
                  if f not in msg.values and f != cause]
        base["_reported"].extend(x for x in [(complaint.finding, said), *extras] if words.says_with(x[0]))
        base["_wording"] = [(complaint.finding, said), *extras]
        base["_said"].update([complaint.finding, *(f for f in msg.volunteered if f not in msg.values)])
        ctx: dict[str, Any] = dict(
            complaint=said, relation=base["_relation"],
            age_phrase=words.age_phrase(persona, base) if persona.proxy else words.own_age(persona),
            detail=t.detail, volunteered=[phrase for _, phrase in extras], pregnant=persona.pregnant,
            event=base["_event"],
            time_course=" ".join(as_sentence(local(x)) for fid in sorted(msg.values)
                                 for x in words.value_phrases(fid, msg.values[fid], rng, base["_event"], base)))
        # an opening that says a red flag (a first fit) is not played down ('I don't like to make a fuss')
        # (a red flag said, or a rule of an emergency level that what was said already meets: a fit in pregnancy)
        opened = {complaint.finding, *msg.volunteered}
        if persona.pregnant and kb.settings.pregnancy_finding:
            opened.add(kb.settings.pregnancy_finding)
        flagged = any(kb.findings[f].red_flag is not None for f in opened) or any(
            set(m.when.present) <= opened and modifier_fits(m, persona.demographics)
            for m in _emergency_rules_on_findings(kb))
        facts = {**t.facts0, "danger": "red_flag" if flagged else "none"}
        # nor given a detail that plays it down, nor one whose time words the case's time course rules out
        # ('I tried ringing earlier' about a pain that started half an hour ago)
        detail = t.detail
        said_when = fit(kb, base["_when"], detail) if detail else None
        worried = self.pl.style(persona.style).tone in self.pl.worried_tones
        if detail and (said_when is None or ((flagged or worried) and detail in self.pl.playing_down_details)):
            ctx["detail"] = ""
        elif detail:
            base["_when"] = said_when
        return ctx, facts

    def ack(self, t: Turn) -> Context:
        # 'after_unsure' when the last answer was 'not sure' (see Realiser.render)
        return {"heard": t.base.pop("_heard", _NOTHING_HEARD)}, {**t.facts0, "turn": "later"}

    def empathy(self, t: Turn) -> Context:
        # the patient's own words for it, from the opening; a swallowed substance or a fall is no 'really
        # unpleasant' symptom (read D13)
        return {"complaint": t.base.get("_complaint", ""), "event": t.base["_event"]}, t.facts0

    def question(self, t: Turn) -> Context:
        """A clarifying or red-flag question, in the speaker's person."""
        base, msg = t.base, t.msg
        f = self.kb.findings[msg.finding]  # type: ignore[index]
        question = self.words.carer_question(f, base) if t.persona.proxy else self.words.question(f, base)
        if f.id in TIME_COURSE and "ack" in msg.parts and not base["_event"]:
            # after an acknowledgement 'it' would be what was just said back ('Okay - pain over the kidney
            # too. Did it come on suddenly?' in a call about back pain): the time course is the complaint's
            question = _IT.sub(lambda m: ("The " if m.group(0)[0] == "I" else "the ") + base["_problem"], question, 1)
        ctx = {"question": t.local(question), "ask": t.local(f.ask or f.name.lower()), "type": f.type.value}
        return ctx, {**t.facts0, "type": f.type.value, "turn": "first" if "empathy" in msg.parts else "later"}

    def answer_yes(self, t: Turn) -> Context:
        kb, base, rng, local, words = self.kb, t.base, t.rng, t.local, self.words
        f = kb.findings[t.msg.finding]  # type: ignore[index]
        base["_said"].add(f.id)
        ctx: dict[str, Any] = {"phrase": local(words.lay(f.id, rng, self._denied(t), base))}
        ctx["bare"] = words.answer_topic(f, local, rng, t.persona.age_months)
        # a question of several parts ('chest pain, feeling faint or very short of breath?') is not answered
        # by a bare 'Yes.': the patient names the part that is true
        ctx["several"] = bool(ALTERNATIVES.search(said_topic(f)))
        # 'as well as the cough' only beside a symptom or sign, and never naming the finding this one details
        # ('a rash under a watch strap, as well as the rash'; 'an insulin pump, and the dizzy feeling as well')
        # nor one whose time words ('appeared suddenly') the validator would read as the problem's
        above = [w.lower() for a in ancestors(kb, f.id) for w in kb.findings[a].lay]  # its parents' words too
        reported = [said for fid, said in base["_reported"] if fid != f.id and fid not in ancestors(kb, f.id)
                    and not any(said.lower() in w or w in said.lower() for w in above)
                    and not _NEGATED.match(said)
                    and (base.get("_when") is None or fit(kb, base["_when"], said) is not None)] \
            if words.says_with(f.id) else []
        ctx["also"] = pick(rng, reported) if reported and rng.random() < ALSO_SHARE else ""
        facts = {**t.facts0, "answer_kind": f.answer_kind.value,
                 "danger": "red_flag" if f.red_flag is not None else "none",
                 "asked": "again" if base.get("_again") else "first",
                 "certain": "no" if may_be_unsure(f, t.persona.speaker) else "yes"}
        # named plainly, not parroted; never a topic of alternatives ('pain, numbness or weakness'), of which
        # the patient affirmed only some
        base["_heard"] = _heard(f, "yes", words.said_back(f, base, local, affirmed=True, words=ctx["phrase"]))
        if ALTERNATIVES.search(said_topic(f, base.get("_age"))):  # the part said back stands on these words
            base["_heard_on"] = ctx["phrase"]
        if words.says_with(f.id):
            base["_saying"] = (f.id, ctx["phrase"])
        base["_wording"] = [(f.id, ctx["phrase"])]
        return ctx, facts

    def answer_no(self, t: Turn) -> Context:
        return self._negative(t, unsure=False)

    def answer_unsure(self, t: Turn) -> Context:
        return self._negative(t, unsure=True)

    def _negative(self, t: Turn, unsure: bool) -> Context:
        """A 'no' or a 'not sure'."""
        kb, base, rng, local, words = self.kb, t.base, t.rng, t.local, self.words
        f = kb.findings[t.msg.finding]  # type: ignore[index]
        ctx: dict[str, Any] = {"ask": local(f.ask or f.name.lower()),
                               "bare": words.answer_topic(f, local, rng, t.persona.age_months)}
        ctx["denial"] = "" if unsure else words.denial(f, t.persona, base, local, rng)
        ctx["denial2"] = words.second_denial(f, ctx["denial"], t.persona, base, local, rng)
        ctx["main"] = ""
        # the last thing the person said was a yes: no 'Fine there.' or 'that's fine' straight after reporting it
        ctx["after_yes"] = base.get("_last_answer") == "yes"
        if not unsure and not base.get("_main_said") and rng.random() < MAIN_SHARE:
            main = base.get("_complaint", "")
            # 'hives or swelling' is no main trouble beside 'no welts'; nor can a phrase with a clause or an
            # amount of its own be put after 'the' ('the cough that is worrying I'm worried about')
            if not mentions(kb, main) & self._denied(t) and not _NOT_A_MAIN_TROUBLE.search(main):
                ctx["main"] = base["_main_said"] = main
        facts = {**t.facts0, "answer_kind": f.answer_kind.value, "asked": "again" if base.get("_again") else "first"}
        base["_heard"] = _heard(f, "unsure" if unsure else "no", local(said_topic(f, base.get("_age"))))
        return ctx, facts

    def answer_value(self, t: Turn) -> Context:
        base = t.base
        phrases = [t.local(x) for x in self.words.value_phrases(t.msg.finding, t.msg.answer, t.rng,  # type: ignore[arg-type]
                                                                  base["_event"], base)]
        base["_heard"] = {**_NOTHING_HEARD, "kind": "value"}
        return {"phrases": phrases}, t.facts0

    def volunteer(self, t: Turn) -> Context:
        base, words, local = t.base, self.words, t.local
        fid = t.msg.volunteered[0]
        base["_said"].update(t.msg.volunteered)
        phrase = local(words.lay(fid, t.rng, self._denied(t), base))
        if words.says_with(fid):
            base["_saying"] = (fid, phrase)
        base["_wording"] = [(fid, phrase)]
        # 'Thanks for mentioning the shivering fits': the finding named plainly, not the patient's words parroted
        f = self.kb.findings[fid]
        named = _heard(f, "yes", words.said_back(f, base, local, affirmed=True, words=phrase, unasked=True))
        # a detail said back by no topic of its own words is still thanked for, without naming a sign (D9)
        base["_heard"] = {**base.get("_heard", _NOTHING_HEARD),
                          "volunteered": f"the {named['text']}" if named["text"] else "", "mentioned": "yes"}
        return {"phrase": phrase}, t.facts0

    def aside(self, t: Turn) -> Context:
        # no work or plans mentioned by someone with an emergency (read 17 D7, D20), nor by anyone the call ends
        # up sending to 999 or A&E, whatever the hidden condition: a template's ``disposition`` says which
        # endings it may appear before (clinician read of next-r, defect 4)
        return {}, {**t.facts0, "acuity": "emergency" if self.kb.conditions[t.case.condition].emergency else "other",
                    "disposition": t.plan.decision.disposition.value}

    def disposition(self, t: Turn) -> Context:
        plan, persona, local, closing = t.plan, t.persona, t.local, self.closing
        d = plan.decision
        ctx = dict(disposition=d.disposition.value,
                   concerns=distinct_names([local(self.kb.conditions[c].lay_name) for c in plan.named]),
                   reported=closing.reported(plan, local),
                   flags=closing.decisive_flags(plan, persona, t.base["_words"]),
                   modifiers=closing.decisive_modifiers(plan, local),
                   pregnant=persona.pregnant, pregnancy_service=closing.pregnancy_service(plan, persona),
                   no_drive=any(plan.observations.get(f) is True for f in self.kb.settings.no_driving_after))
        return ctx, {**t.facts0, "disposition": d.disposition.value}

    def safety_net(self, t: Turn) -> Context:
        say = self.closing.warning_voice(t.persona)
        return {"warnings": [say(x) for x in t.plan.safety_net],
                "nets": self.closing.safety_net_groups(t.plan, t.persona)}, t.facts0

    def first_aid(self, t: Turn) -> Context:
        level = t.plan.decision.disposition.value
        return {"steps": [t.local(x) for x in t.plan.first_aid], "disposition": level}, \
            {**t.facts0, "disposition": level}

    def close(self, t: Turn) -> Context:
        # an emergency never closes on a pleasantry: the wording depends on the level
        return {}, {**t.facts0, "disposition": t.plan.decision.disposition.value}

    def self_care(self, t: Turn) -> Context:
        return {"advice": [t.local(x) for x in t.plan.advice]}, t.facts0

    def crisis(self, t: Turn) -> Context:
        return {"crisis": self.pl.locale(t.persona.locale).crisis[t.plan.crisis.value]}, t.facts0

    @staticmethod
    def _about_advice(t: Turn) -> Context:
        """What every message after the advice is chosen by: what the patient raised and the disposition."""
        level, raised, group = t.plan.decision.disposition.value, t.msg.raised, t.persona.age_group
        return ({"disposition": level, "raised": raised, "age_group": group},
                {**t.facts0, "disposition": level, "raised": raised or "", "age_group": group})

    def after_advice(self, t: Turn) -> Context:
        """The patient's message after the advice: a question, pushback or a reply."""
        ctx, facts = self._about_advice(t)
        ctx["relation"] = t.base["_relation"]
        return ctx, facts

    def answer_after_advice(self, t: Turn) -> Context:
        """The assistant's answer to it, which re-states the disposition with what the advice said."""
        ctx, facts = self._about_advice(t)
        plan, persona, local, closing = t.plan, t.persona, t.local, self.closing
        ctx.update(flags=closing.decisive_flags(plan, persona, t.base["_words"]),
                   modifiers=closing.decisive_modifiers(plan, local),
                   # what is being checked for, so 'should I be worried?' is answered within remit (read D7)
                   concerns=distinct_names([local(self.kb.conditions[c].lay_name) for c in plan.named]),
                   reported=closing.reported(plan, local), nets=closing.safety_net_groups(plan, persona),
                   first_aid=[local(x) for x in plan.first_aid], advice=[local(x) for x in plan.advice],
                   pregnant=persona.pregnant)
        return ctx, facts


def _heard(f: Finding, kind: str, text: str) -> dict[str, str]:
    """What the next question may say back: the answer and its topic. Sensitive questions (pregnancy, mental
    health) are acknowledged without repeating them, so their topic is left out; so are questions about
    something still working (answer_kind function), whose 'no' is the worrying answer."""
    if f.answer_kind in (AnswerKind.pregnancy, AnswerKind.mental_health):
        return {**_NOTHING_HEARD, "kind": "sensitive"}
    if f.answer_kind is AnswerKind.function:  # 'Good, no normal forehead movement' would cheer a bad answer
        return {**_NOTHING_HEARD, "kind": "value"}  # acknowledged plainly, as a value is
    # a carer has seen a symptom or sign, not a history or an exposure ('no diabetes that you've seen')
    seen = "yes" if f.kind in (FindingKind.symptom, FindingKind.sign) else ""
    # a 'no' to how long a reported symptom has lasted is not good news about the symptom ('It's good that
    # there's no tummy pain for more than 3 weeks', a blind read of seed 31415, record 151)
    own = "yes" if f.own_days is not None else ""
    return {**_NOTHING_HEARD, "kind": kind, "text": text, "seen": seen, "own": own}


def _emergency_rules_on_findings(kb: KnowledgeBase) -> tuple:
    """The modifiers of an emergency level that name findings present and no values: those an opening can meet
    by what it says alone (found once, not by reading every modifier for every opening)."""
    return kb.cached("emergency_rules_on_findings", None, lambda: tuple(
        m for m in kb.modifiers if m.disposition.rank >= Disposition.emergency_department.rank and m.when.present
        and not m.when.values))
