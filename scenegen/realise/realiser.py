"""The realiser: a plan's messages in words, part by part, through the persona and the templates.

Each part's template variant is chosen (:mod:`.choose`), given its variables (:mod:`.parts`, which take the
words for findings from :mod:`.phrasebook` and for the decision from :mod:`.closing`), rendered in the
locale's words (:mod:`.localise`) and redrawn when it reads badly where it goes (:mod:`.fluency`).
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from typing import Any, Optional

from ..knowledge import KnowledgeBase
from ..personas import PersonaLibrary
from ..plan import Plan, PlannedMessage
from ..sample import HiddenCase, PersonaDraw
from ..templates import TemplateLibrary, frozen_context
from .choose import VariantChooser, VariantFilter
from .closing import ClosingWords
from .fluency import REDRAWS, Fluency
from .localise import Localiser
from .parts import PartWords, Turn
from .person import PRONOUNS, SELF, ADULT_MONTHS, called_by
from .phrasebook import Phrasebook
from .words import clauses, short_sentences

#: parts whose wording (a template file) is said at most once a dialogue when another fits: an aside tells why
#: they got in touch or who told them to ask, which nobody says twice in one conversation
ONCE_PARTS = frozenset({"aside"})


@dataclass(frozen=True)
class Rendered:
    messages: list[tuple[str, str]]  # (role, content)
    templates: list[list[str]]  # per message: the variant ids used


class Realiser:
    """Words a plan for one library (knowledge base, personas, templates); holds the caches of whole wordings."""

    def __init__(self, kb: KnowledgeBase, pl: PersonaLibrary, templates: TemplateLibrary,
                 held_back: frozenset[tuple[str, str]] = frozenset()):
        self.kb = kb
        self.pl = pl
        self.templates = templates
        self._localisers: dict[str, Localiser] = {}
        self._facts_cache: dict[tuple, dict[str, str]] = {}
        self.words = Phrasebook(kb, pl, held_back)  # held_back: (finding, lay phrase) pairs reviewers quarantined
        self.closing = ClosingWords(kb, pl, self.localiser)
        self.parts = PartWords(kb, pl, self.words, self.closing)
        self.chooser = VariantChooser(templates)
        self.fluency = Fluency(pl.hedges)

    def localiser(self, locale: str) -> Localiser:
        """The locale's wording of library text (see :class:`Localiser`)."""
        loc = self._localisers.get(locale)
        if loc is None:
            loc = self._localisers[locale] = Localiser(self.pl.locale(locale).terms)
        return loc

    # --- context ---------------------------------------------------------------------------------------
    def _base(self, persona: PersonaDraw, name: str) -> dict[str, Any]:
        locale = self.pl.locale(persona.locale)
        style = self.pl.style(persona.style)
        if persona.proxy:
            p = dict(PRONOUNS[persona.sex.value])
            relation = persona.relation or "relative"
            if persona.speaker == "carer":
                relation = locale.vocab["mum"] if relation == "mum" else relation
            who = {"ref": f"your {relation}", "do": "Does", "have": "has", "are": "is", "poss": p["poss"], "subj": p["subj"]}
        else:
            p = dict(SELF)
            relation = ""
            who = {"ref": "you", "do": "Do", "have": "have", "are": "are", "poss": "your", "subj": "you"}
        minor = not persona.proxy and persona.age_months < ADULT_MONTHS  # not told 'don't drive yourself'
        # age_months: for wordings that fit some ages only (a parent of a 9-year-old is told how it feels)
        return {"speaker": "proxy" if persona.proxy else "self", "who": who, "p": p, "v": locale.vocab,
                "tone": style.tone, "name": name, "called": called_by(persona, name, relation), "minor": minor,
                "age_months": persona.age_months, "_relation": relation}

    def _facts(self, persona: PersonaDraw) -> dict[str, str]:
        """Who speaks, in which register and tone: what every part's wording is chosen by (a fresh copy)."""
        key = (persona.proxy, persona.literacy, persona.style)
        base = self._facts_cache.get(key)
        if base is None:
            literacy = next(x for x in self.pl.literacy if x.id == persona.literacy)
            base = self._facts_cache[key] = {"speaker": "proxy" if persona.proxy else "self",
                                             "wording": literacy.wording, "tone": self.pl.style(persona.style).tone}
        return dict(base)

    # --- messages --------------------------------------------------------------------------------------
    def system(self, persona: PersonaDraw, rng: random.Random, keep: VariantFilter = None) -> tuple[str, str]:
        """The system message that opens a training conversation: (text, template id)."""
        variant = self.chooser.choose("system", self._facts(persona), rng, keep)
        alt = tuple(rng.randrange(n) for n in variant.groups)
        return self.templates.render(variant, _public(self._base(persona, "")), alt=alt), variant.id

    def render(self, plan: Plan, persona: PersonaDraw, case: HiddenCase, name: str, detail: str,
               rng: random.Random, keep: VariantFilter = None) -> Rendered:
        base = self._base(persona, name)
        public = _public(base)
        frozen = frozen_context(public)
        facts0 = self._facts(persona)
        base["_denied"] = frozenset(f for f, a in plan.observations.items() if a is False)
        base["_present"] = frozenset(f for f, a in case.truth.items() if a is True)  # no denial may deny one
        # nor may a lay phrase name what the case does not have ('chest pain and shortness of breath' for the
        # combination question when the case has sweating, not breathlessness), whether or not it is asked
        base["_absent"] = frozenset(f for f, a in case.truth.items() if a is False)
        pharmacy = self.kb.complaints[case.complaint].pharmacy
        painkiller = self.kb.complaints[case.complaint].painkiller
        base["_age"] = persona.age_months  # phrases held to some ages (phrase_ages) are said only within them
        base["_event"] = self.kb.complaint_is_event(case.complaint)  # a fall or a fit: 'when did it happen?'
        base["_problem"] = self.words.problem_name(case.complaint)  # what a later 'when did it start?' is about
        base["_reported"] = []  # (finding, the words it was said in): what a 'yes' may say it comes with
        base["_said"] = set()  # findings the person has said are present so far: what a question may take for granted
        base["_words"] = {}  # finding -> the words the person said it in (in a message, not a bare 'Yes.')
        base["_when"] = self.words.start_when(plan, persona, case)  # what the time phrases said so far allow
        local = self.localiser(persona.locale)
        out: list[tuple[str, str]] = []
        used: list[list[str]] = []
        last: dict[str, str] = {}
        previous: Optional[PlannedMessage] = None
        answered: set[str] = set()
        clauses_said: dict[str, set[str]] = {"user": set(), "assistant": set()}  # per side: no stock phrase twice
        once_used: set[str] = set()  # the ONCE_PARTS wordings said so far in this dialogue
        for msg in plan.messages:
            texts, ids = [], []
            turn = Turn(msg, plan, persona, case, base, facts0, detail, rng, local)
            if msg.role == "user" and msg.finding is not None and msg.act != "opening":
                base["_again"] = msg.finding in answered  # asked again after 'not sure': a second thought
                answered.add(msg.finding)
            for part in msg.parts:
                extra, facts = self.parts.context(part, turn)
                # whether home-care words may point to a pharmacist, and offer a painkiller
                extra = {"pharmacy": pharmacy, "painkiller": painkiller, **extra}
                if "turn" in facts and facts["turn"] == "later" and previous is not None and previous.act == "answer_unsure" \
                        and (part not in ("clarify", "red_flag_check") or msg.finding == previous.finding):
                    # no 'That's helpful.' after 'not sure'; and 'let me put it another way' only for the same question
                    facts["turn"] = "after_unsure"
                variant = self.chooser.choose(part, facts, rng, keep, last.get(part),
                                               once_used if part in ONCE_PARTS else frozenset())
                alt = tuple(rng.randrange(n) for n in variant.groups)
                # the template's own words are the library's British English too: the locale's terms swap them
                # ('sat here worrying', 'a fortnight' are not said in en-US)
                text = local(self.templates.render(variant, public, extra, frozen, alt))
                spoken = clauses_said.setdefault(msg.role, set())
                repeats = self.fluency.awkwardness(text, spoken, msg.role, texts)
                for _ in range(REDRAWS if repeats else 0):  # reword a stock clause said again, or stacked hedges
                    other_variant = self.chooser.choose(part, facts, rng, keep, last.get(part),
                                                         once_used if part in ONCE_PARTS else frozenset())
                    other_alt = tuple(rng.randrange(n) for n in other_variant.groups)
                    other = local(self.templates.render(other_variant, public, extra, frozen, other_alt))
                    fewer = self.fluency.awkwardness(other, spoken, msg.role, texts)
                    if fewer < repeats:
                        text, repeats, variant = other, fewer, other_variant
                    if not repeats:
                        break
                last[part] = variant.id
                if part in ONCE_PARTS:
                    once_used.add(variant.id)
                spoken.update(clauses(text))
                if msg.role == "assistant":
                    spoken.update(short_sentences(text))
                texts.append(text)
                framing = self.words.young_framing(part, msg, persona)
                if framing and not base.get("_framed"):  # said once, before the first personal question
                    texts[-1] = f"{local(framing)} {texts[-1]}"
                    base["_framed"] = True
                ids.append(variant.id)
                saying = base.pop("_saying", None)
                if saying is not None and saying[1].lower() in texts[-1].lower():  # a bare 'Yes.' said no words to refer back to
                    base["_reported"].append(saying)
                on = base.pop("_heard_on", None)
                if on is not None and on.lower() not in texts[-1].lower() and "_heard" in base:
                    # a bare 'Yes.' to 'pain over the kidney, in the side or back' affirmed no part in words
                    base["_heard"] = {**base["_heard"], "text": ""}
                for fid, phrase in base.pop("_wording", ()):
                    if phrase and phrase.lower() in texts[-1].lower():
                        base["_words"].setdefault(fid, phrase)
            out.append((msg.role, " ".join(t for t in texts if t)))
            used.append(ids)
            previous = msg
            if msg.role == "user" and msg.act != "opening":  # what the person's last answer reported
                base["_last_answer"] = "yes" if msg.act == "answer_yes" or msg.volunteered else "other"
        return Rendered(out, used)


def _public(base: dict[str, Any]) -> dict[str, Any]:
    """The template variables of a base context (keys starting with '_' are for the realiser only)."""
    return {k: v for k, v in base.items() if not k.startswith("_")}
