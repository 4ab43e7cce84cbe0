"""The words a dialogue says about findings: lay phrasings that fit the case and its time course, questions
in the speaker's person, natural denials, topics said back. One responsibility: given a finding and what the
dialogue has said so far (``base``), its wording; the realiser decides which part says it."""

from __future__ import annotations

import random
import re
from typing import Any, Optional, Sequence

from ..content import TIME_COURSE, AnswerKind, Finding, FindingKind, phrases_fit
from ..knowledge import KnowledgeBase
from ..personas import PersonaLibrary
from ..plan import Plan, PlannedMessage
from ..rng import pick
from ..sample import HiddenCase, PersonaDraw
from ..timecourse import When, case_when, fit, fitting
from ..triage import ancestors
from .localise import Localiser
from .person import PRONOUNS, THE_CHILD, ADULT_MONTHS, proxy_question
from .words import ALTERNATIVES, content_words, say_denial, mentions, said_topic, supported

#: the longest topic a 'no' says back, in words: 'no cough', 'no blood in the poo'; a longer one is the
#: question's wording ('no vomiting since the head injury'), which nobody repeats when saying no
SAID_BACK_WORDS = 4
#: how often a 'no' uses one of the finding's own natural denials (``deny``) when it has some; otherwise a
#: plainer 'No.' or the topic said back
DENIAL_SHARE = 0.8
#: how often a 'no' that says a denial adds a second of the finding's own ('No, no temperature, I haven't felt
#: hot at all'), when one shares no content word with the first (no 'temperature's normal, no temperature')
SECOND_DENIAL_SHARE = 0.35


class Phrasebook:
    """A finding's words for one library and persona library (caches of whole wordings, bounded by the library)."""

    def __init__(self, kb: KnowledgeBase, pl: PersonaLibrary, held_back: frozenset[tuple[str, str]] = frozenset()):
        self.kb = kb
        self.pl = pl
        self.held_back = held_back  # (finding, lay phrase) pairs reviewers quarantined (review/quarantine.yaml)
        self._proxy_questions: dict[tuple, str] = {}
        self._denials: dict[tuple, tuple[tuple[str, frozenset[str], frozenset[str]], ...]] = {}

    def start_when(self, plan: Plan, persona: PersonaDraw, case: HiddenCase) -> When:
        """What the case's onset, duration and the person's age allow, narrowed by every question the person
        will answer 'yes' whose wording carries a time ('for several months'), so that the opening's words
        already fit them."""
        when = case_when(self.kb, case.truth, persona.age_months, case.complaint)
        for m in plan.messages:
            if m.role == "user" and m.act == "answer_yes" and m.finding in self.kb.findings:
                f = self.kb.findings[m.finding]
                if f.times_the_problem:
                    when = fit(self.kb, when, f.question) or when
        return when

    def lay(self, fid: str, rng: random.Random, denied: frozenset[str] = frozenset(),
            base: Optional[dict[str, Any]] = None) -> str:
        """A lay phrasing of the finding that names none of the findings denied in this dialogue (no
        'an itchy rash in the finger webs' after 'no' to an itchy rash), where the finding has one, and whose
        time words agree with the case and with what was said before (``base['_when']``)."""
        f = self.kb.findings[fid]
        lay = [p for p in f.lay if (fid, p) not in self.held_back] if self.held_back else f.lay
        phrases = phrases_fit(lay, f.phrase_ages, None if base is None else base.get("_age")) or lay
        if denied:
            phrases = [p for p in phrases if not mentions(self.kb, p) & denied] or phrases
        return self.timely(fid, phrases, rng, base)

    def timely(self, fid: str, phrases: Sequence[str], rng: random.Random, base: Optional[dict[str, Any]]) -> str:
        """One of the phrases whose time words fit the dialogue's time course so far, which it then narrows
        ('over a month' leaves no room for 'for several months'). A finding whose time words are its own
        ('a cold a couple of weeks ago') is not held to the problem's."""
        when = None if base is None else base.get("_when")
        if when is None or not (fid in TIME_COURSE or self.kb.findings[fid].times_the_problem):
            return pick(rng, phrases)
        chosen = pick(rng, fitting(self.kb, when, list(phrases)))
        base["_when"] = fit(self.kb, when, chosen) or when  # type: ignore[index]
        return chosen

    def value_phrases(self, fid: str, answer: Any, rng: random.Random, event: bool = False,
                      base: Optional[dict[str, Any]] = None) -> list[str]:
        """The lay phrasing of each value given; ``event`` when the complaint happened at a moment, so that a
        fall 'happened this morning' rather than 'started this morning'."""
        f = self.kb.findings[fid]
        chosen = [answer] if isinstance(answer, str) else sorted(answer)
        if not chosen:
            return [self.pl.phrases.no_option_applies]
        by_id = {v.id: v for v in f.values}
        age = None if base is None else base.get("_age")
        return [self.timely(fid, phrases_fit((event and by_id[v].lay_event) or by_id[v].lay, f.phrase_ages, age)
                             or by_id[v].lay, rng, base) for v in chosen]

    def problem_name(self, complaint: str) -> str:
        """The complaint as a question names it: its own name in lower case ('back pain'), unless that is a
        list or holds a figure; then its finding's first plain topic; else the library's word for the problem
        ('symptoms'), since a list ('red or painful eye') puts back a part the person may have denied (D14)."""
        c = self.kb.complaints[complaint]
        f = self.kb.findings[c.finding]
        return next((t for t in [c.name.lower(), said_topic(f), *f.topics]
                     if t and not re.search(r"[,\d()]| or ", t)), self.pl.phrases.the_problem)

    def said_back(self, f: Finding, base: dict[str, Any], local: Localiser, affirmed: bool = False,
                  words: Optional[str] = None, unasked: bool = False) -> str:
        """The finding's topic as the assistant says a 'yes' back, or '' when its time words ('limb going
        suddenly cold') disagree with the time course of the case, which validate checks. With ``affirmed``
        (said back after a 'yes'), the first of its topics that names no alternatives and that the person's
        ``words`` support: 'yes' to 'lips, eyelids or face swelling' affirmed some of them only, so it is said
        back as 'swelling', or not at all. ``unasked`` (volunteered) words are all there is to go on, so any
        topic said back needs their support: 'agony when lying on the ear' is not thanked for as 'ear pain
        worse on touching the outer ear', nor 'waking up with an agonising joint' noted as 'joint pain peaking
        within a day' (read D9, D7)."""
        age = base.get("_age")
        text = said_topic(f, age)
        if (affirmed and ALTERNATIVES.search(text)) or (unasked and words is not None and not supported(text, words)):
            options = phrases_fit(f.topics, f.phrase_ages, age) if f.phrase_ages and age is not None else f.topics
            text = next((t for t in options if not ALTERNATIVES.search(t)
                         and (words is None or supported(t, words))), "")
        when = base.get("_when")
        if text and when is not None and fit(self.kb, when, text) is None:
            return ""
        return local(text)

    def young_framing(self, part: str, msg: PlannedMessage, persona: PersonaDraw) -> str:
        """The framing said before a personal question to a young person answering for themselves, or ''."""
        if part not in {"clarify", "red_flag_check"} or msg.finding is None or persona.proxy:
            return ""
        framing = self.kb.findings[msg.finding].young_framing
        return framing.text if framing and persona.age_months <= framing.max_age_months else ""

    @staticmethod
    def question(f: Finding, base: dict[str, Any]) -> str:
        """The finding's question, in its wording for a complaint that happened at a moment where it has one;
        its neutral wording while nothing it presupposes has been said ('Since the injury, ...' only once a
        fall or a twist was reported); for the carer of a child too young to say how it feels, its young
        wording ('question_young')."""
        if f.presupposes and not base["_said"] & set(f.presupposes):
            return f.question_neutral  # type: ignore[return-value]
        if f.question_young is not None and base.get("_age", -1) >= 0 \
                and base["_age"] <= f.young_max_age_months:  # type: ignore[operator]
            return f.question_young  # a toddler's parent is asked what can be seen, not how it feels
        return (base["_event"] and f.question_event) or f.question

    def carer_question(self, f: Finding, base: dict[str, Any]) -> str:
        """The question put to a parent or carer about the patient (computed once per wording)."""
        who = base["who"]
        own = self.question(f, base)
        key = (f.id, own, who["ref"], who["do"], base["p"]["subj"])
        question = self._proxy_questions.get(key)
        if question is None:
            phrases = self.pl.phrases
            observed = f.kind is FindingKind.sign
            question = proxy_question(own, who["ref"], base["p"], observed) or (
                phrases.carer_yes_no_question.format(do=who["do"], ref=who["ref"], ask=f.ask) if f.ask
                else phrases.carer_other_question.format(ref=who["ref"], question=own))
            if self.kb.settings.pregnancy_finding not in ancestors(self.kb, f.id):  # there 'the baby' is unborn
                # 'Is the child floppy?' to the parent of a son is 'Is your son floppy?'
                question = THE_CHILD.sub(lambda m: (who["ref"][:1].upper() + who["ref"][1:])
                                          if m.group(0)[0].isupper() else who["ref"], question)
            self._proxy_questions[key] = question
        return question

    def own_age(self, persona: PersonaDraw) -> str:
        """A teenager writing for themselves says their age in the opening: the disposition's 'tell a parent'
        is said to a minor, and the assistant knows one only from what was written."""
        if persona.age_months >= ADULT_MONTHS:
            return ""
        return self.pl.phrases.age_self_years.format(years=persona.age_months // 12)

    def age_phrase(self, persona: PersonaDraw, base: dict[str, Any]) -> str:
        subj = base["p"]["subj"].capitalize()
        phrases, months = self.pl.phrases, persona.age_months
        if months == 0:
            return phrases.age_newborn.format(subj=subj)
        if months == 1:
            return phrases.age_one_month.format(subj=subj)
        if months < 24:
            return phrases.age_months.format(subj=subj, months=months)
        return phrases.age_years.format(subj=subj, years=months // 12)

    def denial(self, f: Finding, persona: PersonaDraw, base: dict[str, Any], local: Localiser,
               rng: random.Random) -> str:
        """One of the finding's own natural denials ('No, I've been weeing fine'), in the speaker's pronouns and
        the locale's words, naming no finding the case holds; '' when it has none or, now and then, to leave
        room for a plainer 'No.' (:data:`DENIAL_SHARE`)."""
        # a past event's 'no' is always its own denial: 'No first-ever fit' does not say there were fits before
        if not f.deny or (f.answer_kind is not AnswerKind.function and f.kind is not FindingKind.history
                          and rng.random() >= DENIAL_SHARE):
            return ""
        fitting = self._fitting_denials(f, persona, base, local)
        return pick(rng, fitting)[0] if fitting else ""

    def second_denial(self, f: Finding, first: str, persona: PersonaDraw, base: dict[str, Any], local: Localiser,
                      rng: random.Random) -> str:
        """Now and then (:data:`SECOND_DENIAL_SHARE`) another of the finding's denials to say after ``first``,
        one that shares no content word with it ('no temperature' + 'I haven't felt hot at all'); '' otherwise."""
        if not first or rng.random() >= SECOND_DENIAL_SHARE:
            return ""
        fitting = self._fitting_denials(f, persona, base, local)
        words = next((w for said, w in fitting if said == first), None)
        if words is None:
            return ""
        others = [said for said, w in fitting if said != first and not w & words]
        return pick(rng, others) if others else ""

    def _fitting_denials(self, f: Finding, persona: PersonaDraw, base: dict[str, Any],
                         local: Localiser) -> list[tuple[str, frozenset[str]]]:
        """The finding's denials as this speaker says them, with their content words, less any that names a
        finding the case holds."""
        allowed = phrases_fit(f.deny, f.phrase_ages, getattr(persona, "age_months", None))
        key = (f.id, persona.proxy and persona.sex.value, persona.locale, tuple(allowed))
        options = self._denials.get(key)
        if options is None:
            pronouns = {**PRONOUNS[persona.sex.value], "refl": "herself" if persona.sex.value == "female"
                        else "himself"} if persona.proxy else None
            options = self._denials[key] = tuple(
                (local(said), mentions(self.kb, said) - {f.id}, content_words(w))
                for w, said in ((w, say_denial(w, pronouns)) for w in allowed))
        present = base["_present"]
        key = (key, present)  # asked again for the second denial of the same answer: filtered once
        last = base.get("_fitting")
        if last is not None and last[0] == key:
            return last[1]
        fitting = [(said, words) for said, named, words in options if not named or not named & present]
        base["_fitting"] = (key, fitting)
        return fitting

    def says_with(self, fid: str) -> bool:
        """Whether a reported finding may be said again beside a new one ('as well as the cough'): symptoms and
        signs asked plainly, not a low mood or a pregnancy."""
        f = self.kb.findings[fid]
        return f.kind in (FindingKind.symptom, FindingKind.sign) and f.answer_kind is AnswerKind.general

    @staticmethod
    def answer_topic(f: Finding, local: Localiser, rng: random.Random, age_months: Optional[int] = None) -> str:
        """The finding said back in a patient's answer ('No, I haven't had any headache'): symptoms and signs
        only, since 'I haven't had any blood-thinning medicine' is not how anyone answers; '' otherwise. One of
        the finding's wordings of its topic, so that the same denial reads differently across dialogues, and
        only one said of someone this age (phrase_ages: no 'stinging when passing water' from a toddler's parent)."""
        said_back = (f.answer_kind is AnswerKind.event and not (f.kind is FindingKind.history and f.deny)) or (
            f.kind in (FindingKind.symptom, FindingKind.sign) and f.answer_kind is AnswerKind.general)  # 'No, there's been no fit'
        # a past event with its own denials says them ('there have been fits before', not 'no first-ever fit')
        if not said_back:
            return ""
        # nor one that after 'any' is the question's own wording ('I haven't had any pain in the tummy' to 'any
        # pain in the tummy (abdomen)?'): five words of the question said back read as parroting
        asked = (f.ask or "").lower()
        said = [t for t in phrases_fit([f.topic, *f.topics] if f.topics else [said_topic(f)], f.phrase_ages, age_months)
                if t and not ALTERNATIVES.search(t) and len(t.split()) <= SAID_BACK_WORDS
                and not (len(t.split()) == SAID_BACK_WORDS and f"any {t.lower()}" in asked)]
        return local(pick(rng, said)) if said else ""
