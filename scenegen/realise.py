"""Realise stage: turn a plan into messages through the persona and the templates.

Only words are chosen here: the template variant, the lay phrasing, the persona's name. Nothing here can
change a label, because the plan is final before the first word is written.
"""

from __future__ import annotations

import random
import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Callable, Collection, Mapping, Optional, Sequence

from .content import DENY_PLACEHOLDERS, TIME_COURSE, AnswerKind, Disposition, Finding, FindingKind, phrases_fit
from .knowledge import KnowledgeBase
from .personas import PersonaLibrary
from .plan import Plan, PlannedMessage, may_be_unsure
from .rng import pick
from .sample import HiddenCase, PersonaDraw
from .triage import ancestors, modifier_fits
from .timecourse import When, case_when, fit, fitting
from .templates import ANSWER_TEMPLATE_ACTS, INITIATIVE_TEMPLATE_ACTS, TemplateLibrary, Variant, frozen_context

#: keeps only the template variants of one split (holdout by template); None keeps all
VariantFilter = Optional[Callable[[Variant], bool]]

_PRONOUNS = {
    "female": {"subj": "she", "obj": "her", "poss": "her"},
    "male": {"subj": "he", "obj": "him", "poss": "his"},
}
_SELF = {"subj": "I", "obj": "me", "poss": "my"}
_PROXY_LEADS = [
    (re.compile(r"^Do you\b"), "Does {ref}"), (re.compile(r"^Are you\b"), "Is {ref}"),
    (re.compile(r"^Have you\b"), "Has {ref}"), (re.compile(r"^Did you\b"), "Did {ref}"),
    (re.compile(r"^Can you\b"), "Can {ref}"), (re.compile(r"^Were you\b"), "Was {ref}"),
    (re.compile(r"^Has your\b"), "Has {poss}"), (re.compile(r"^Is your\b"), "Is {poss}"),
    (re.compile(r"^Does your\b"), "Does {poss}"), (re.compile(r"^Did your\b"), "Did {poss}"),
    (re.compile(r"^Have your\b"), "Have {poss}"), (re.compile(r"^Are your\b"), "Are {poss}"),
]
ADULT_MONTHS = 18 * 12  # a teenager speaking for themselves does not drive, and is told to get an adult
_OBSERVER_LEAD = re.compile(r"^Have you (noticed|seen)\b")
#: a question's 'the child' or 'the baby', said to a parent as 'your son' or 'your daughter'
_THE_CHILD = re.compile(r"\bthe (?:child|baby)\b", re.IGNORECASE)
_TO_A_PARENT = re.compile(r"\byour (child|baby|son|daughter)\b", re.IGNORECASE)
_YOU = re.compile(r"\byou(r|rs|rself|'ve|'re|'d)?\b", re.IGNORECASE)


class Localiser:
    """A locale's words for the library's British English: whole words and phrases swapped by the locale's
    ``terms`` (a capitalised first letter is kept), so an American reader is told to call 911 and take
    acetaminophen. Texts repeat, so each is converted once (a bounded cache)."""

    CACHE_SIZE = 30_000

    def __init__(self, terms: Mapping[str, str]):
        swap: dict[str, str] = {}
        for src, dst in terms.items():
            swap[src] = dst
            swap.setdefault(src[:1].upper() + src[1:], dst[:1].upper() + dst[1:])
        self._swap = swap
        keys = sorted(swap, key=lambda k: (-len(k), k))  # longest first: '999 or 911' before '999'
        self._pattern = re.compile(r"(?<!\w)(?:" + "|".join(map(re.escape, keys)) + r")(?!\w)") if keys else None
        self._done: dict[str, str] = {}

    def __call__(self, text: str) -> str:
        if self._pattern is None:
            return text
        out = self._done.get(text)
        if out is None:
            if len(self._done) >= self.CACHE_SIZE:
                self._done.clear()
            out = self._done[text] = self._pattern.sub(self._replace, text)
        return out

    def _replace(self, match: re.Match) -> str:
        return self._swap[match.group(0)]


#: the longest topic a message repeats back ("so no chest pain"); a longer question is not echoed
TOPIC_MAX = 45
#: first words of a question's topic that cannot follow "no" or "any" ("no feeling numb", "any much faster
#: breathing"): such a topic is not said back
_NOT_A_NOUN = frozenset("much more less being feeling feeding having getting going unable not too very passing "
                        "needing finding waking using coming taking drinking eating losing seeing hearing new "
                        "someone anyone something anything".split())
_PARENTHESES = re.compile(r"\s*\([^)]*\)")
_ARTICLE = re.compile(r"^(?:any|a|an)\s+", re.IGNORECASE)


#: a topic that lists things ('painful, tender or tight calf', 'fever or high temperature') is the question's
#: wording: nobody says a list back when denying it, so such a topic is not said back in an answer
_LIST = re.compile(r",| or ")
#: the longest topic a 'no' says back, in words: 'no cough', 'no blood in the poo'; a longer one is the
#: question's wording ('no vomiting since the head injury'), which nobody repeats when saying no
SAID_BACK_WORDS = 4
#: how often a 'no' uses one of the finding's own natural denials (``deny``) when it has some; otherwise a
#: plainer 'No.' or the topic said back
DENIAL_SHARE = 0.8
#: how often a 'no' that says a denial adds a second of the finding's own ('No, no temperature, I haven't felt
#: hot at all'), when one shares no content word with the first (no 'temperature's normal, no temperature')
SECOND_DENIAL_SHARE = 0.35
#: how often a 'yes' says the new finding alongside one already reported in the dialogue ('Yes, a temperature,
#: as well as the cough'): a fact of the case the dialogue already holds, so nothing new is claimed
ALSO_SHARE = 0.3
#: how often, at most once a dialogue, a 'no' adds that the complaint is the main trouble ('it's mainly the
#: cough'): the reason they got in touch, said in their own words from the opening
MAIN_SHARE = 0.25
#: a complaint phrase that does not read after "It's the ...": a clause of its own, an amount, or two things ("the
#: feverish feeling and a temperature is what I wanted to ask about", read D17)
_NOT_A_MAIN_TROUBLE = re.compile(r"\b(?:that|which|who|and)\b|^(?:a|an) (?:lot|bit|bout|touch) of\b", re.I)
#: how many more draws of a template's alternatives may be made to avoid saying a clause again in the same
#: dialogue ('That's partly why I got in touch.' twice, read 11): the wording with the fewest repeats is kept
REDRAWS = 6
#: three 'no's running ('No, no, no welts', 'No, no. No sign of a rash'): a reply's lead said twice before a denial
#: that itself starts with 'no' reads as a stutter (clinician read of next-r, defect 1); scored as awkward, so redrawn
_STUTTER = re.compile(r"\bno\b[,.!]?\s*(?:-\s*)?\bno\b[,.!]?\s*(?:-\s*)?\bno\b", re.IGNORECASE)
#: parts whose wording (a template file) is said at most once a dialogue when another fits: an aside tells why
#: they got in touch or who told them to ask, which nobody says twice in one conversation
ONCE_PARTS = frozenset({"aside"})
#: patient messages whose hedges are counted and kept; emptied when full, so memory stays bounded
HEDGE_CACHE_SIZE = 30_000
#: a clause of at least this many words said twice by the same side of a dialogue reads as a stock phrase
REPEAT_CLAUSE_WORDS = 4
_CLAUSE_END = re.compile(r"[.!?;:,()]+|\s+-\s+")
_DENY_SLOT = re.compile(r"\{([^{}]*)\}")
#: a lay phrase that says something is missing ('no pee for most of the day') does not read after 'as well as'
_NEGATED = re.compile(r"^(?:no|not|none|nothing)\b", re.IGNORECASE)
#: words two denials may share and still be said together (anything else read twice sounds like a stutter)
_FUNCTION_WORDS = frozenset("no not nothing none any at all i my me myself he she his her him been had have has "
                            "haven hasn don doesn didn isn wasn aren can t s ve m d ll re the a an it its is was "
                            "are and or of to in on with that there just really so as far know what from when do "
                            "does".split())


def _say_denial(wording: str, pronouns: Optional[Mapping[str, str]]) -> str:
    """A ``deny`` wording with its placeholders filled: the patient's own words, or (``pronouns`` given) a
    parent's or carer's words about the patient ('{I've} been weeing fine' -> 'he's been weeing fine')."""
    if pronouns is None:
        return _DENY_SLOT.sub(lambda m: m.group(1), wording)
    return _DENY_SLOT.sub(lambda m: DENY_PLACEHOLDERS[m.group(1)].format(**pronouns), wording)


@lru_cache(maxsize=4096)
def topic(ask: str) -> str:
    """What a question is about, short enough to say back: 'any pain, pressure or tightness in the chest
    (angina)' -> 'pain, pressure or tightness in the chest'; '' when it is too long to repeat naturally."""
    text = _ARTICLE.sub("", _PARENTHESES.sub("", ask).strip())
    first = text.split(" ", 1)[0].lower()
    return text if len(text) <= TOPIC_MAX and first not in _NOT_A_NOUN else ""


def said_topic(f: Finding, age_months: Optional[int] = None) -> str:
    """The finding's own ``topic``, else the one derived from its question (``topic``), else ''. With
    ``age_months``, the first of its topics that its phrase_ages let be said of someone that age ('' if none):
    no 'chest tightness' said back to the parent of a baby."""
    own = f.topic or topic(f.ask or f.name.lower())
    if age_months is None or age_months < 0 or not f.phrase_ages:
        return own
    return next(iter(phrases_fit([own, *f.topics], f.phrase_ages, age_months)), "")


@dataclass(frozen=True)
class Rendered:
    messages: list[tuple[str, str]]  # (role, content)
    templates: list[list[str]]  # per message: the variant ids used


_AGREE = {  # second-person verb -> third-person singular, for "you <verb>" turned into "he <verb>"
    "are": "is", "were": "was", "have": "has", "do": "does", "don't": "doesn't", "feel": "feels", "get": "gets",
    "need": "needs", "notice": "notices", "take": "takes", "go": "goes", "think": "thinks", "try": "tries",
    "wake": "wakes", "stand": "stands", "walk": "walks", "breathe": "breathes", "swallow": "swallows",
    "pass": "passes", "eat": "eats", "drink": "drinks", "lie": "lies", "sit": "sits", "move": "moves",
    "bend": "bends", "keep": "keeps", "look": "looks", "press": "presses", "use": "uses", "smoke": "smokes",
    "hear": "hears", "see": "sees", "know": "knows", "remember": "remembers", "find": "finds", "want": "wants",
    "haven't": "hasn't", "aren't": "isn't", "weren't": "wasn't",
}
_UNCHANGED = {"can", "can't", "cannot", "could", "couldn't", "will", "would", "won't", "should", "must", "may", "might",
              "did", "didn't", "had", "hadn't", "felt", "got", "took", "went", "woke", "hit", "fell", "lost", "ate",
              "drank", "saw", "heard", "began", "came", "knew", "thought", "bit", "swallowed", "sat", "stood", "ran"}
_CONTRACTIONS = {"you've": "{s}'s", "you're": "{s}'s", "you'd": "{s}'d", "you'll": "{s}'ll", "yourself": "{r}"}


_AUX_AGREE = {"have": "has", "do": "does", "are": "is", "were": "was", "don't": "doesn't", "haven't": "hasn't",
              "aren't": "isn't", "weren't": "wasn't", "did": "did", "didn't": "didn't", "can": "can", "can't": "can't",
              "could": "could", "will": "will", "would": "would", "had": "had", "should": "should"}
_ADVERBS = {"already", "also", "still", "usually", "ever", "just", "only", "suddenly", "recently", "often", "sometimes",
            "really", "now", "then", "normally", "even"}


def _third_person(text: str, pronouns: Mapping[str, str]) -> str:
    """Second person to third person: 'you feel' -> 'he feels', 'have you had' -> 'has he had', 'your' -> 'his'."""
    subj, obj, poss = pronouns["subj"], pronouns["obj"], pronouns["poss"]
    reflexive = "herself" if subj == "she" else "himself"
    tokens = re.split(r"(\W+)", text)
    words = [i for i, t in enumerate(tokens) if t and not re.fullmatch(r"\W+", t)]
    for n, i in enumerate(words):
        low = tokens[i].lower()
        if low in _CONTRACTIONS:
            tokens[i] = _CONTRACTIONS[low].format(s=subj, r=reflexive)
        elif low == "your":
            tokens[i] = poss
        elif low == "you":
            prev = tokens[words[n - 1]].lower() if n > 0 else ""
            following = [j for j in words[n + 1:] if tokens[j].lower() not in _ADVERBS]
            nxt = following[0] if following else None
            if prev in _AUX_AGREE:  # inverted question: 'have you had' -> 'has he had'
                tokens[i] = subj
                tokens[words[n - 1]] = _match_case(tokens[words[n - 1]], _AUX_AGREE[prev])
            elif prev in _TAKES_OBJECT and not (nxt is not None and _is_verb(tokens[nxt])):  # 'wake you', 'to you'
                tokens[i] = obj
            else:  # the subject of its clause: the verb after it agrees
                tokens[i] = subj
                if nxt is not None:
                    tokens[nxt] = _agree(tokens[nxt])
    return "".join(tokens)


_TAKES_OBJECT = {"to", "with", "for", "at", "about", "of", "from", "by", "on", "in", "into", "onto", "near", "around",
                 "than", "like", "without", "over", "under", "behind", "wake", "wakes", "make", "makes", "let", "lets",
                 "help", "helps", "tell", "tells", "give", "gives", "ask", "asks", "see", "sees", "stop", "stops",
                 "keep", "keeps", "bother", "bothers", "affect", "affects", "worry", "worries", "told", "given", "asked"}


def _is_verb(word: str) -> bool:
    low = word.lower()
    return low in _AGREE or low in _UNCHANGED or low in _AUX_AGREE


def _agree(verb: str) -> str:
    """The third-person singular of a present-tense verb that followed 'you'; other words unchanged."""
    low = verb.lower()
    if low in _AGREE:
        return _AGREE[low]
    if low in _UNCHANGED or not low.isalpha() or low.endswith("ed") or low in {"and", "or", "if", "that", "who", "a", "the"}:
        return verb
    if re.search(r"[^aeiou]y$", low):
        return verb[:-1] + "ies"
    if re.search(r"(s|sh|ch|x|z|o)$", low):
        return verb + "es"
    return verb + "s"


def _match_case(original: str, word: str) -> str:
    return word[:1].upper() + word[1:] if original[:1].isupper() else word


def _called(persona: PersonaDraw, name: str, relation: str) -> str:
    """What the speaker calls the person in passing: a parent says the child's name, a grown-up son or
    daughter says "Mum" or "Dad" (a blind read found "worrying about Nicole" of someone's mother odd)."""
    if persona.speaker == "carer" and relation:
        return relation[:1].upper() + relation[1:]
    return name


def proxy_question(question: str, who_ref: str, pronouns: Mapping[str, str], observed: bool = False) -> Optional[str]:
    """'Do you feel sick?' -> 'Does your son feel sick?'; None when the wording cannot be turned safely.

    ``observed``: the finding is a sign someone else can see, so 'Have you noticed any blood in your stools?'
    stays the carer's question ('Have you noticed any blood in her stools?'), not 'Has your baby noticed'."""
    if observed:
        m = _OBSERVER_LEAD.search(question)
        if m:
            rest = _third_person(question[m.end():], pronouns)
            return None if _YOU.search(rest) else m.group(0) + rest
    for pattern, lead in _PROXY_LEADS:
        m = pattern.search(question)
        if m:
            rest = _third_person(question[m.end():], pronouns)
            return None if _YOU.search(rest) else lead.format(ref=who_ref, poss=pronouns["poss"]) + rest
    if not _YOU.search(question):
        return question  # already neutral ("Does the pain come in waves?")
    out = _third_person(question, pronouns)
    out = out[:1].upper() + out[1:]
    return None if _YOU.search(out) else out


class Realiser:
    def __init__(self, kb: KnowledgeBase, pl: PersonaLibrary, templates: TemplateLibrary,
                 held_back: frozenset[tuple[str, str]] = frozenset()):
        self.kb = kb
        self.pl = pl
        self.templates = templates
        self.held_back = held_back  # (finding, lay phrase) pairs reviewers quarantined (review/quarantine.yaml)
        self._facts_cache: dict[tuple, dict[str, str]] = {}
        self._hedge = re.compile(r"(?<![a-z'])(?:" + "|".join(sorted(map(re.escape, pl.hedges), key=len, reverse=True))
                                 + r")(?![a-z'])") if pl.hedges else None
        self._choices: dict[tuple, tuple[list[Variant], list[Variant]]] = {}
        self._proxy_questions: dict[tuple, str] = {}
        self._localisers: dict[str, Localiser] = {}
        self._warnings_turned: dict[tuple[str, str], str] = {}
        self._denials: dict[tuple, tuple[tuple[str, frozenset[str], frozenset[str]], ...]] = {}
        self._hedge_counts: dict[str, int] = {}

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
            p = dict(_PRONOUNS[persona.sex.value])
            relation = persona.relation or "relative"
            if persona.speaker == "carer":
                relation = locale.vocab["mum"] if relation == "mum" else relation
            who = {"ref": f"your {relation}", "do": "Does", "have": "has", "are": "is", "poss": p["poss"], "subj": p["subj"]}
        else:
            p = dict(_SELF)
            relation = ""
            who = {"ref": "you", "do": "Do", "have": "have", "are": "are", "poss": "your", "subj": "you"}
        minor = not persona.proxy and persona.age_months < ADULT_MONTHS  # not told 'don't drive yourself'
        # age_months: for wordings that fit some ages only (a parent of a 9-year-old is told how it feels)
        return {"speaker": "proxy" if persona.proxy else "self", "who": who, "p": p, "v": locale.vocab,
                "tone": style.tone, "name": name, "called": _called(persona, name, relation), "minor": minor,
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

    def _choose(self, act: str, facts: Mapping[str, str], rng: random.Random, keep: VariantFilter,
                last: Optional[str] = None, said: Collection[str] = frozenset()) -> Variant:
        """One variant for the situation; none of ``said`` (wordings said already) while another fits."""
        key = (act, tuple(facts.items()), keep, last)  # facts are built in a fixed order
        choice = self._choices.get(key)
        if choice is None:
            choice = self._choices[key] = self._options(act, facts, keep, last)
        specific, options = choice
        if said:
            fresh = [v for v in options if v.id not in said]
            if fresh:
                specific, options = [v for v in specific if v.id not in said], fresh
        pool = specific if specific and rng.random() < 0.7 else options
        if not pool:
            raise LookupError(f"no template for act '{act}' with {dict(facts)}")
        return pick(rng, pool)  # candidates come sorted by id, so the draw never depends on file order

    def _options(self, act: str, facts: Mapping[str, str], keep: VariantFilter,
                 last: Optional[str]) -> tuple[list[Variant], list[Variant]]:
        """(the most specific variants written for this tone, every fitting variant) for one situation."""
        options = self.templates.candidates(act, facts)
        if keep is not None:
            options = [v for v in options if keep(v)]
        if last is not None and len(options) > 1:
            options = [v for v in options if v.id != last]  # no wording twice in a row for the same act
        # most specific first: variants written for this tone or speaker are preferred over generic ones
        best = max((len(v.when) for v in options), default=0)
        specific = [v for v in options if len(v.when) == best and best > 0 and "tone" in v.when]
        return specific, options

    def _lay(self, fid: str, rng: random.Random, denied: frozenset[str] = frozenset(),
             base: Optional[dict[str, Any]] = None) -> str:
        """A lay phrasing of the finding that names none of the findings denied in this dialogue (no
        'an itchy rash in the finger webs' after 'no' to an itchy rash), where the finding has one, and whose
        time words agree with the case and with what was said before (``base['_when']``)."""
        f = self.kb.findings[fid]
        lay = [p for p in f.lay if (fid, p) not in self.held_back] if self.held_back else f.lay
        phrases = phrases_fit(lay, f.phrase_ages, None if base is None else base.get("_age")) or lay
        if denied:
            phrases = [p for p in phrases if not mentions(self.kb, p) & denied] or phrases
        return self._timely(fid, phrases, rng, base)

    def _timely(self, fid: str, phrases: Sequence[str], rng: random.Random, base: Optional[dict[str, Any]]) -> str:
        """One of the phrases whose time words fit the dialogue's time course so far, which it then narrows
        ('over a month' leaves no room for 'for several months'). A finding whose time words are its own
        ('a cold a couple of weeks ago') is not held to the problem's."""
        when = None if base is None else base.get("_when")
        if when is None or not (fid in TIME_COURSE or self.kb.findings[fid].times_the_problem):
            return pick(rng, phrases)
        chosen = pick(rng, fitting(self.kb, when, list(phrases)))
        base["_when"] = fit(self.kb, when, chosen) or when  # type: ignore[index]
        return chosen

    def _value_phrases(self, fid: str, answer: Any, rng: random.Random, event: bool = False,
                       base: Optional[dict[str, Any]] = None) -> list[str]:
        """The lay phrasing of each value given; ``event`` when the complaint happened at a moment, so that a
        fall 'happened this morning' rather than 'started this morning'."""
        f = self.kb.findings[fid]
        chosen = [answer] if isinstance(answer, str) else sorted(answer)
        if not chosen:
            return [self.pl.phrases.no_option_applies]
        by_id = {v.id: v for v in f.values}
        age = None if base is None else base.get("_age")
        return [self._timely(fid, phrases_fit((event and by_id[v].lay_event) or by_id[v].lay, f.phrase_ages, age)
                             or by_id[v].lay, rng, base) for v in chosen]

    def _start_when(self, plan: Plan, persona: PersonaDraw, case: HiddenCase) -> When:
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

    # --- messages --------------------------------------------------------------------------------------
    def system(self, persona: PersonaDraw, rng: random.Random, keep: VariantFilter = None) -> tuple[str, str]:
        """The system message that opens a training conversation: (text, template id)."""
        variant = self._choose("system", self._facts(persona), rng, keep)
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
        base["_problem"] = self._problem_name(case.complaint)  # what a later 'when did it start?' is about
        base["_reported"] = []  # (finding, the words it was said in): what a 'yes' may say it comes with
        base["_said"] = set()  # findings the person has said are present so far: what a question may take for granted
        base["_words"] = {}  # finding -> the words the person said it in (in a message, not a bare 'Yes.')
        base["_when"] = self._start_when(plan, persona, case)  # what the time phrases said so far allow
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
            if msg.role == "user" and msg.finding is not None and msg.act != "opening":
                base["_again"] = msg.finding in answered  # asked again after 'not sure': a second thought
                answered.add(msg.finding)
            for part in msg.parts:
                extra, facts = self._context(part, msg, plan, persona, case, base, facts0, detail, rng, local)
                # whether home-care words may point to a pharmacist, and offer a painkiller
                extra = {"pharmacy": pharmacy, "painkiller": painkiller, **extra}
                if "turn" in facts and facts["turn"] == "later" and previous is not None and previous.act == "answer_unsure" \
                        and (part not in ("clarify", "red_flag_check") or msg.finding == previous.finding):
                    # no 'That's helpful.' after 'not sure'; and 'let me put it another way' only for the same question
                    facts["turn"] = "after_unsure"
                variant = self._choose(part, facts, rng, keep, last.get(part),
                                       once_used if part in ONCE_PARTS else frozenset())
                alt = tuple(rng.randrange(n) for n in variant.groups)
                # the template's own words are the library's British English too: the locale's terms swap them
                # ('sat here worrying', 'a fortnight' are not said in en-US)
                text = local(self.templates.render(variant, public, extra, frozen, alt))
                spoken = clauses_said.setdefault(msg.role, set())
                repeats = self.awkwardness(text, spoken, msg.role, texts)
                for _ in range(REDRAWS if repeats else 0):  # reword a stock clause said again, or stacked hedges
                    other_variant = self._choose(part, facts, rng, keep, last.get(part),
                                                 once_used if part in ONCE_PARTS else frozenset())
                    other_alt = tuple(rng.randrange(n) for n in other_variant.groups)
                    other = local(self.templates.render(other_variant, public, extra, frozen, other_alt))
                    fewer = self.awkwardness(other, spoken, msg.role, texts)
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
                framing = self._young_framing(part, msg, persona)
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

    def _problem_name(self, complaint: str) -> str:
        """The complaint as a question names it: its own name in lower case ('back pain'), unless that is a
        list or holds a figure; then its finding's first plain topic; else the library's word for the problem
        ('symptoms'), since a list ('red or painful eye') puts back a part the person may have denied (D14)."""
        c = self.kb.complaints[complaint]
        f = self.kb.findings[c.finding]
        return next((t for t in [c.name.lower(), said_topic(f), *f.topics]
                     if t and not re.search(r"[,\d()]| or ", t)), self.pl.phrases.the_problem)

    def _said_back(self, f: Finding, base: dict[str, Any], local: Localiser, affirmed: bool = False,
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
        if (affirmed and _ALTERNATIVES.search(text)) or (unasked and words is not None and not supported(text, words)):
            options = phrases_fit(f.topics, f.phrase_ages, age) if f.phrase_ages and age is not None else f.topics
            text = next((t for t in options if not _ALTERNATIVES.search(t)
                         and (words is None or supported(t, words))), "")
        when = base.get("_when")
        if text and when is not None and fit(self.kb, when, text) is None:
            return ""
        return local(text)

    def awkwardness(self, text: str, spoken: set[str], role: str, before: Sequence[str] = ()) -> int:
        """How badly a rendering reads where it goes: each clause this side has said already in the dialogue,
        and, in a patient's message (with the parts ``before`` it), each hedge beyond the first ('Probably not,
        no, I'm pretty sure, if I'm honest' scores 2). 0 reads well."""
        score = len(clauses(text) & spoken)
        if role == "assistant":  # 'Thanks, that helps.' twice in one call: short sentences the clauses miss
            score += len(short_sentences(text) & spoken)
        if role == "user" and _STUTTER.search(text):  # 'No, no, no welts': a 'No, no' lead before a denial in 'no'
            score += 2
        if role == "user" and self._hedge is not None:
            score += max(0, self._hedges(" ".join([*before, text])) - 1)
        return score

    def _hedges(self, message: str) -> int:
        """How many hedges a patient's message says, counted once per text (messages repeat across dialogues)."""
        count = self._hedge_counts.get(message)
        if count is None:
            if len(self._hedge_counts) >= HEDGE_CACHE_SIZE:
                self._hedge_counts.clear()
            count = self._hedge_counts[message] = len(self._hedge.findall(message.lower()))  # type: ignore[union-attr]
        return count

    def _young_framing(self, part: str, msg: PlannedMessage, persona: PersonaDraw) -> str:
        """The framing said before a personal question to a young person answering for themselves, or ''."""
        if part not in {"clarify", "red_flag_check"} or msg.finding is None or persona.proxy:
            return ""
        framing = self.kb.findings[msg.finding].young_framing
        return framing.text if framing and persona.age_months <= framing.max_age_months else ""

    def _context(self, part: str, msg: PlannedMessage, plan: Plan, persona: PersonaDraw, case: HiddenCase,
                 base: dict[str, Any], facts0: dict[str, str], detail: str, rng: random.Random,
                 local: Localiser) -> tuple[dict[str, Any], dict[str, str]]:
        """The part's own template variables (beyond the persona's) and the facts that choose its wording.

        ``facts0`` is shared by every part of the record; a part that adds facts gets its own copy. Library
        text (lay phrases, questions, advice) goes through ``local``, the locale's words."""
        ctx: dict[str, Any] = {}
        facts = facts0
        kb = self.kb
        denied = base["_denied"] | base["_absent"]  # answered 'no' or absent from the case: no lay phrase may name one
        if part == "opening":
            complaint = kb.complaints[case.complaint]
            base["_complaint"] = said = local(self._timely(
                complaint.finding, phrases_fit(complaint.said_by(persona.proxy), complaint.phrase_ages,
                                               persona.age_months) or complaint.said_by(persona.proxy), rng, base))
            cause = next((f for f in msg.volunteered if case.complaint in kb.findings[f].cause_of), None)
            if cause is not None:  # the injury that brought it on is said with it (a second one is said after)
                said = self.pl.phrases.complaint_after_cause.format(
                    complaint=said, cause=local(self._lay(cause, rng, denied, base)))
                base["_complaint"] = said
            extras = [(f, local(self._lay(f, rng, denied, base))) for f in msg.volunteered
                      if f not in msg.values and f != cause]
            base["_reported"].extend(x for x in [(complaint.finding, said), *extras] if self._says_with(x[0]))
            base["_wording"] = [(complaint.finding, said), *extras]
            base["_said"].update([complaint.finding, *(f for f in msg.volunteered if f not in msg.values)])
            ctx.update(complaint=said, relation=base["_relation"],
                       age_phrase=self._age_phrase(persona, base) if persona.proxy else self._own_age(persona),
                       detail=detail, volunteered=[phrase for _, phrase in extras],
                       pregnant=persona.pregnant, event=base["_event"],
                       time_course=" ".join(_sentence(local(t)) for fid in sorted(msg.values)
                                            for t in self._value_phrases(fid, msg.values[fid], rng, base["_event"], base)))
            # an opening that says a red flag (a first fit) is not played down ('I don't like to make a fuss')
            # (a red flag said, or a rule of an emergency level that what was said already meets: a fit in pregnancy)
            opened = {complaint.finding, *msg.volunteered}
            if persona.pregnant and kb.settings.pregnancy_finding:
                opened.add(kb.settings.pregnancy_finding)
            flagged = any(kb.findings[f].red_flag is not None for f in opened) or any(
                set(m.when.present) <= opened and modifier_fits(m, persona.demographics)
                for m in _emergency_rules_on_findings(kb))
            facts = {**facts0, "danger": "red_flag" if flagged else "none"}
            # nor given a detail that plays it down, nor one whose time words the case's time course rules out
            # ('I tried ringing earlier' about a pain that started half an hour ago)
            said_when = fit(kb, base["_when"], detail) if detail else None
            worried = self.pl.style(persona.style).tone in self.pl.worried_tones
            if detail and (said_when is None or ((flagged or worried) and detail in self.pl.playing_down_details)):
                ctx["detail"] = ""
            elif detail:
                base["_when"] = said_when
        elif part == "ack":
            ctx["heard"] = base.pop("_heard", _NOTHING_HEARD)
            facts = {**facts0, "turn": "later"}  # 'after_unsure' when the last answer was 'not sure' (see render)
        elif part == "empathy":
            ctx["complaint"] = base.get("_complaint", "")  # the patient's own words for it, from the opening
            ctx["event"] = base["_event"]  # a swallowed substance or a fall is no 'really unpleasant' symptom (read D13)
        elif part in {"clarify", "red_flag_check"}:
            f = kb.findings[msg.finding]  # type: ignore[index]
            question = self._proxy_question(f, base) if persona.proxy else self._question(f, base)
            if f.id in TIME_COURSE and "ack" in msg.parts and not base["_event"]:
                # after an acknowledgement 'it' would be what was just said back ('Okay - pain over the kidney
                # too. Did it come on suddenly?' in a call about back pain): the time course is the complaint's
                question = _IT.sub(lambda m: ("The " if m.group(0)[0] == "I" else "the ") + base["_problem"], question, 1)
            ctx.update(question=local(question), ask=local(f.ask or f.name.lower()), type=f.type.value)
            facts = {**facts0, "type": f.type.value, "turn": "first" if "empathy" in msg.parts else "later"}
        elif part == "answer_yes":
            f = kb.findings[msg.finding]  # type: ignore[index]
            base["_said"].add(f.id)
            ctx["phrase"] = local(self._lay(msg.finding, rng, denied, base))  # type: ignore[arg-type]
            ctx["bare"] = self._topic(f, local, rng, persona.age_months)
            # a question of several parts ('chest pain, feeling faint or very short of breath?') is not answered
            # by a bare 'Yes.': the patient names the part that is true
            ctx["several"] = bool(_ALTERNATIVES.search(said_topic(f)))
            # 'as well as the cough' only beside a symptom or sign, and never naming the finding this one details
            # ('a rash under a watch strap, as well as the rash'; 'an insulin pump, and the dizzy feeling as well')
            # nor one whose time words ('appeared suddenly') the validator would read as the problem's
            above = [w.lower() for a in ancestors(kb, f.id) for w in kb.findings[a].lay]  # its parents' words too
            reported = [said for fid, said in base["_reported"] if fid != f.id and fid not in ancestors(kb, f.id)
                        and not any(said.lower() in w or w in said.lower() for w in above)
                        and not _NEGATED.match(said)
                        and (base.get("_when") is None or fit(kb, base["_when"], said) is not None)] \
                if self._says_with(f.id) else []
            ctx["also"] = pick(rng, reported) if reported and rng.random() < ALSO_SHARE else ""
            facts = {**facts0, "answer_kind": f.answer_kind.value,
                     "danger": "red_flag" if f.red_flag is not None else "none",
                     "asked": "again" if base.get("_again") else "first",
                     "certain": "no" if may_be_unsure(f, persona.speaker) else "yes"}
            # named plainly, not parroted; never a topic of alternatives ('pain, numbness or weakness'), of which
            # the patient affirmed only some
            base["_heard"] = _heard(f, "yes", self._said_back(f, base, local, affirmed=True, words=ctx["phrase"]))
            if _ALTERNATIVES.search(said_topic(f, base.get("_age"))):  # the part said back stands on these words
                base["_heard_on"] = ctx["phrase"]
            if self._says_with(f.id):
                base["_saying"] = (f.id, ctx["phrase"])
            base["_wording"] = [(f.id, ctx["phrase"])]
        elif part in {"answer_no", "answer_unsure"}:
            f = kb.findings[msg.finding]  # type: ignore[index]
            ctx["ask"] = local(f.ask or f.name.lower())
            ctx["bare"] = self._topic(f, local, rng, persona.age_months)
            ctx["denial"] = self._denial(f, persona, base, local, rng) if part == "answer_no" else ""
            ctx["denial2"] = self._second_denial(f, ctx["denial"], persona, base, local, rng)
            ctx["main"] = ""
            # the last thing the person said was a yes: no 'Fine there.' or 'that's fine' straight after reporting it
            ctx["after_yes"] = base.get("_last_answer") == "yes"
            if part == "answer_no" and not base.get("_main_said") and rng.random() < MAIN_SHARE:
                main = base.get("_complaint", "")
                # 'hives or swelling' is no main trouble beside 'no welts'; nor can a phrase with a clause or an
                # amount of its own be put after 'the' ('the cough that is worrying I'm worried about')
                if not mentions(kb, main) & denied and not _NOT_A_MAIN_TROUBLE.search(main):
                    ctx["main"] = base["_main_said"] = main
            facts = {**facts0, "answer_kind": f.answer_kind.value, "asked": "again" if base.get("_again") else "first"}
            base["_heard"] = _heard(f, "no" if part == "answer_no" else "unsure",
                                    local(said_topic(f, base.get("_age"))))
        elif part == "answer_value":
            ctx["phrases"] = [local(t) for t in self._value_phrases(msg.finding, msg.answer, rng, base["_event"], base)]  # type: ignore[arg-type]
            base["_heard"] = {**_NOTHING_HEARD, "kind": "value"}
        elif part == "volunteer":
            base["_said"].update(msg.volunteered)
            ctx["phrase"] = local(self._lay(msg.volunteered[0], rng, denied, base))
            if self._says_with(msg.volunteered[0]):
                base["_saying"] = (msg.volunteered[0], ctx["phrase"])
            base["_wording"] = [(msg.volunteered[0], ctx["phrase"])]
            # 'Thanks for mentioning the shivering fits': the finding named plainly, not the patient's words parroted
            named = _heard(kb.findings[msg.volunteered[0]], "yes",
                           self._said_back(kb.findings[msg.volunteered[0]], base, local, affirmed=True,
                                           words=ctx["phrase"], unasked=True))
            # a detail said back by no topic of its own words is still thanked for, without naming a sign (D9)
            base["_heard"] = {**base.get("_heard", _NOTHING_HEARD),
                              "volunteered": f"the {named['text']}" if named["text"] else "", "mentioned": "yes"}
        elif part == "aside":  # no work or plans mentioned by someone with an emergency (read 17 D7, D20)
            # nor by anyone the call ends up sending to 999 or A&E, whatever the hidden condition: a template's
            # ``disposition`` says which endings it may appear before (clinician read of next-r, defect 4)
            facts = {**facts0, "acuity": "emergency" if kb.conditions[case.condition].emergency else "other",
                     "disposition": plan.decision.disposition.value}
        elif part in INITIATIVE_TEMPLATE_ACTS:
            return initiative_context(self, part, msg, plan, persona, base, facts0, local)
        elif part == "disposition":
            d = plan.decision
            flags = self.decisive_flags(plan, persona, base["_words"])
            concerns = distinct_names([local(kb.conditions[c].lay_name) for c in plan.named])
            modifiers = self.decisive_modifiers(plan, local)
            ctx.update(disposition=d.disposition.value, concerns=concerns, reported=self.reported(plan, local))
            ctx["flags"], ctx["modifiers"] = flags, modifiers
            ctx["pregnant"] = persona.pregnant
            ctx["pregnancy_service"] = self.pregnancy_service(plan, persona)
            ctx["no_drive"] = any(plan.observations.get(f) is True for f in kb.settings.no_driving_after)
            facts = {**facts0, "disposition": d.disposition.value}
        elif part == "safety_net":
            say = self.warning_voice(persona)
            ctx["warnings"] = [say(t) for t in plan.safety_net]
            ctx["nets"] = self.safety_net_groups(plan, persona)
        elif part == "first_aid":
            ctx["steps"] = [local(t) for t in plan.first_aid]
            ctx["disposition"] = plan.decision.disposition.value
            facts = {**facts0, "disposition": plan.decision.disposition.value}
        elif part == "close":  # an emergency never closes on a pleasantry: the wording depends on the level
            facts = {**facts0, "disposition": plan.decision.disposition.value}
        elif part == "self_care":
            ctx["advice"] = [local(t) for t in plan.advice]
        elif part == "crisis":
            ctx["crisis"] = self.pl.locale(persona.locale).crisis[plan.crisis.value]
        return ctx, facts

    def _denial(self, f: Finding, persona: PersonaDraw, base: dict[str, Any], local: Localiser,
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

    def _second_denial(self, f: Finding, first: str, persona: PersonaDraw, base: dict[str, Any], local: Localiser,
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
            pronouns = {**_PRONOUNS[persona.sex.value], "refl": "herself" if persona.sex.value == "female"
                        else "himself"} if persona.proxy else None
            options = self._denials[key] = tuple(
                (local(said), mentions(self.kb, said) - {f.id}, _content_words(w))
                for w, said in ((w, _say_denial(w, pronouns)) for w in allowed))
        present = base["_present"]
        key = (key, present)  # asked again for the second denial of the same answer: filtered once
        last = base.get("_fitting")
        if last is not None and last[0] == key:
            return last[1]
        fitting = [(said, words) for said, named, words in options if not named or not named & present]
        base["_fitting"] = (key, fitting)
        return fitting

    def _says_with(self, fid: str) -> bool:
        """Whether a reported finding may be said again beside a new one ('as well as the cough'): symptoms and
        signs asked plainly, not a low mood or a pregnancy."""
        f = self.kb.findings[fid]
        return f.kind in (FindingKind.symptom, FindingKind.sign) and f.answer_kind is AnswerKind.general

    @staticmethod
    def _topic(f: Finding, local: Localiser, rng: random.Random, age_months: Optional[int] = None) -> str:
        """The finding said back in a patient's answer ('No, I haven't had any headache'): symptoms and signs
        only, since 'I haven't had any blood-thinning medicine' is not how anyone answers; '' otherwise. One of
        the finding's wordings of its topic, so that the same denial reads differently across dialogues, and
        only one said of someone this age (phrase_ages: no 'stinging when passing water' from a toddler's parent)."""
        said_back = (f.answer_kind is AnswerKind.event and not (f.kind is FindingKind.history and f.deny)) or (
            f.kind in (FindingKind.symptom, FindingKind.sign) and f.answer_kind is AnswerKind.general)  # 'No, there's been no fit'
        # a past event with its own denials says them ('there have been fits before', not 'no first-ever fit')
        if not said_back:
            return ""
        said = [t for t in phrases_fit([f.topic, *f.topics] if f.topics else [said_topic(f)], f.phrase_ages, age_months)
                if t and not _LIST.search(t) and len(t.split()) <= SAID_BACK_WORDS]
        return local(pick(rng, said)) if said else ""

    def pregnancy_service(self, plan: Plan, persona: PersonaDraw) -> str:
        """The pregnancy service to name beside A&E or same-day care: the early pregnancy one when the person said
        the pregnancy is early or not yet confirmed (model.early_gestation_values), else the maternity unit."""
        vocab = self.pl.locale(persona.locale).vocab
        s = self.kb.settings
        said = plan.observations.get(s.gestation_finding) if s.gestation_finding else None
        values = {said} if isinstance(said, str) else set(said or ())
        if values and values <= set(s.early_gestation_values) and "early_pregnancy_unit" in vocab:
            return vocab["early_pregnancy_unit"]
        return vocab["maternity_unit"]

    def decisive_flags(self, plan: Plan, persona: PersonaDraw, words: Optional[Mapping[str, str]] = None) -> list[str]:
        """The reported red flags that decided the level, as the speaker should hear them. A warning that
        lists alternatives ('a painful red eye with halos around lights or blurred vision') is said in the
        person's own words for it (``words``: 'halos round the street lamps') when they said some: a 'yes' to
        it affirmed one part, maybe only 'feeling really unwell', and the reason must be true of what was said."""
        say = self.warning_voice(persona)
        out = []
        for r in plan.decision.decisive:
            if r.kind != "red_flag":
                continue
            f = self.kb.findings[r.id]
            flag = f.red_flag
            young = flag.warning_young is not None and f.young_max_age_months is not None \
                and 0 <= persona.age_months <= f.young_max_age_months  # type: ignore[union-attr]
            warning = (flag.warning_young if young else flag.warning) or f.name.lower()  # type: ignore[union-attr]
            # thoughts of self-harm or a pregnancy are not said back in the person's words (as in _heard)
            own = (words or {}).get(f.id, "") \
                if f.answer_kind not in (AnswerKind.pregnancy, AnswerKind.mental_health) else ""
            out.append(own if own and _ALTERNATIVES.search(warning) else say(warning))
        return out

    def reported(self, plan: Plan, local: Localiser, most: int = 3) -> list[str]:
        """What the person reported, in their order, named plainly: the reason an emergency message can give
        when no red flag or rule decided it and no condition may be named ('the tummy pain and the
        vomiting'), so it never sends someone to A&E without saying why. Each is the finding's topic, the
        assistant's own plain name for it, not one of the lay phrasings (which the person may never have used:
        'a sudden, terrible pain out of nowhere' to a carer who said 'a pain that hit like a knife'); the first
        lay phrasing only for a finding with no topic. When no symptom or sign was reported (a call about
        tablets swallowed, with nothing felt yet), the complaint itself is the reason, by its topic."""
        out, complaint = [], ""
        # said in so many words: not what the library infers from it (a fit is a blackout, but 'fainting' was
        # not what the person reported, read 16's fit called a faint)
        said = {m.finding for m in plan.messages if m.role == "user" and m.act in ("opening", "answer_yes")}
        said |= {v for m in plan.messages if m.role == "user" for v in m.volunteered}
        for fid, answer in plan.observations.items():
            f = self.kb.findings[fid]
            if answer is not True or fid not in said or f.red_flag is not None or not f.lay or not said_topic(f):
                continue  # a finding without a topic (a sensitive one) is not given as a reason
            if f.kind in (FindingKind.symptom, FindingKind.sign):
                out.append(local(said_topic(f)))
            elif not complaint:  # 'the substance swallowed needs...', not 'the overdose or harmful substance' (D13)
                topic = next((t for t in [said_topic(f), *f.topics] if not _ALTERNATIVES.search(t)), said_topic(f))
                complaint = local(topic if topic.split()[0] in ("a", "an", "the") else "the " + topic)
        return out[:most] or ([complaint] if complaint else [])

    def decisive_modifiers(self, plan: Plan, local: Localiser) -> list[str]:
        """The rules (modifiers) that decided the level, each as a sentence in the locale's words; a rule whose
        point another decisive rule already makes (its ``said_by``) is not said twice."""
        ids = {r.id for r in plan.decision.decisive if r.kind == "modifier"}
        return [local(_sentence(m.reason)) for m in self.kb.modifiers if m.id in ids and not ids & set(m.said_by)]

    def warning_voice(self, persona: PersonaDraw) -> Callable[[str], str]:
        """A warning sign as the speaker should hear it: in the locale's words and, when speaking for someone
        else, about them ('pain so bad he cannot move'), except the warnings written to a parent ('your baby')."""
        local = self.localiser(persona.locale)
        if not persona.proxy:
            return local
        sex = persona.sex.value
        turned = self._warnings_turned  # the library's warnings are few: each is turned once per pronoun set

        def say(text: str) -> str:
            out = turned.get((text, sex))
            if out is None:
                out = turned[(text, sex)] = text if _TO_A_PARENT.search(text) else _third_person(text, _PRONOUNS[sex])
            return local(out)
        return say

    def safety_net_groups(self, plan: Plan, persona: PersonaDraw) -> list[dict[str, Any]]:
        """The safety net grouped by the level of care each warning calls for, most urgent first, each group
        with the locale's words for what to do: an ambulance for one sign, a same-day appointment for another."""
        vocab = self.pl.locale(persona.locale).vocab
        say = self.warning_voice(persona)
        groups: dict[str, list[str]] = {}
        for text, level in zip(plan.safety_net, plan.safety_net_levels):
            groups.setdefault(level.value, []).append(say(text))
        actions = [vocab[f"act_{level}"] for level in groups]
        return [{"warnings": warnings, "action": action, "Action": action[:1].upper() + action[1:]}
                for warnings, action in zip(groups.values(), actions)]

    @staticmethod
    def _question(f: Finding, base: dict[str, Any]) -> str:
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

    def _proxy_question(self, f: Finding, base: dict[str, Any]) -> str:
        """The question put to a parent or carer about the patient (computed once per wording)."""
        who = base["who"]
        own = self._question(f, base)
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
                question = _THE_CHILD.sub(lambda m: (who["ref"][:1].upper() + who["ref"][1:])
                                          if m.group(0)[0].isupper() else who["ref"], question)
            self._proxy_questions[key] = question
        return question

    def _own_age(self, persona: PersonaDraw) -> str:
        """A teenager writing for themselves says their age in the opening: the disposition's 'tell a parent'
        is said to a minor, and the assistant knows one only from what was written."""
        if persona.age_months >= ADULT_MONTHS:
            return ""
        return self.pl.phrases.age_self_years.format(years=persona.age_months // 12)

    def _age_phrase(self, persona: PersonaDraw, base: dict[str, Any]) -> str:
        subj = base["p"]["subj"].capitalize()
        phrases, months = self.pl.phrases, persona.age_months
        if months == 0:
            return phrases.age_newborn.format(subj=subj)
        if months == 1:
            return phrases.age_one_month.format(subj=subj)
        if months < 24:
            return phrases.age_months.format(subj=subj, months=months)
        return phrases.age_years.format(subj=subj, years=months // 12)


@lru_cache(maxsize=1 << 16)
def clauses(text: str) -> frozenset[str]:
    """The clauses of a text long enough to sound recycled when said twice (:data:`REPEAT_CLAUSE_WORDS`
    words or more), lower case, split at punctuation and dashes. Kept per text: rendered texts repeat (the
    template cache), and every part and every redraw of every dialogue asks (a twentieth of generation time)."""
    return frozenset(c for c in (" ".join(part.lower().split()) for part in _CLAUSE_END.split(text))
                     if len(c.split()) >= REPEAT_CLAUSE_WORDS)


_SENTENCE_END = re.compile(r"(?<=[.!?])\s+")


def short_sentences(text: str) -> frozenset[str]:
    """The whole sentences of three words or more of an assistant's text, marked so as not to meet a clause: an
    acknowledgement such as 'Thanks, that helps.' is too short in each clause to count as recycled, but said twice
    in one call it reads as a script (237 of 1,000 dialogues of seed 16180, balanced, repeated one)."""
    return frozenset("\u00a7" + " ".join(t.lower().split()) for t in _SENTENCE_END.split(text) if len(t.split()) >= 3)


#: what the assistant heard in the message before its question, when that was not an answer
_NOTHING_HEARD = {"kind": "none", "text": "", "volunteered": "", "mentioned": "", "seen": "", "own": ""}


#: the problem as a time-course question's subject ('Did it come on suddenly', 'when did it start')
_IT = re.compile(r"\b[Ii]t\b(?= (?:come|start|begin|came|started))")

#: a topic that names alternatives ('lips, eyelids or face swelling'), of which a 'yes' affirms only some
_ALTERNATIVES = re.compile(r",| or ")


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


def initiative_context(realiser: Realiser, part: str, msg: PlannedMessage, plan: Plan, persona: PersonaDraw,
                       base: dict[str, Any], facts0: dict[str, str],
                       local: Localiser) -> tuple[dict[str, Any], dict[str, str]]:
    """The variables and facts of a message after the advice: what the patient raised and the disposition
    (which the answer re-states), and for the assistant's answer what the advice said."""
    level = plan.decision.disposition.value
    ctx: dict[str, Any] = {"disposition": level, "raised": msg.raised, "age_group": persona.age_group}
    facts = {**facts0, "disposition": level, "raised": msg.raised or "", "age_group": persona.age_group}
    if part in ANSWER_TEMPLATE_ACTS:
        ctx.update(flags=realiser.decisive_flags(plan, persona, base["_words"]), modifiers=realiser.decisive_modifiers(plan, local),
                   # what is being checked for, so 'should I be worried?' is answered within remit (read D7)
                   concerns=distinct_names([local(realiser.kb.conditions[c].lay_name) for c in plan.named]),
                   reported=realiser.reported(plan, local),
                   nets=realiser.safety_net_groups(plan, persona),
                   first_aid=[local(t) for t in plan.first_aid], advice=[local(t) for t in plan.advice],
                   pregnant=persona.pregnant)
    else:
        ctx["relation"] = base["_relation"]
    return ctx, facts


def _emergency_rules_on_findings(kb: KnowledgeBase) -> tuple:
    """The modifiers of an emergency level that name findings present and no values: those an opening can meet
    by what it says alone (found once, not by reading every modifier for every opening)."""
    return kb.cached("emergency_rules_on_findings", None, lambda: tuple(
        m for m in kb.modifiers if m.disposition.rank >= Disposition.emergency_department.rank and m.when.present
        and not m.when.values))


def mentions(kb: KnowledgeBase, phrase: str) -> frozenset[str]:
    """The findings one of whose lay phrasings a phrase contains as whole words ('an itchy rash in the finger
    webs' names 'an itchy rash'; 'after' does not name 'AF'), computed once per phrase."""
    def compute() -> frozenset[str]:
        text = phrase.lower()
        by_word, others = _lay_by_word(kb)
        candidates = [pair for word in set(_ALNUM_RUN.findall(text)) for pair in by_word.get(word, ())]
        return frozenset(fid for fid, lay in (*candidates, *others) if lay in text and _whole_words(lay, text))
    return kb.cached("mentions", phrase, compute)


#: a maximal run of the characters :func:`_alnum` counts as letters or digits
_ALNUM_RUN = re.compile(r"[a-z0-9]+")


def _lay_by_word(kb: KnowledgeBase) -> tuple[dict[str, tuple[tuple[str, str], ...]], tuple[tuple[str, str], ...]]:
    """:func:`_lowered_lay` indexed by one run of letters and digits of each phrasing (its longest, the first of
    equals: 'headache', not 'a'), and the phrasings with none (tried on every text). In a whole-word occurrence
    every run of the phrasing is a whole run of the text (a run inside it is bounded by the phrasing's own
    spaces or punctuation, its first and last by the whole-word rule), so a text can only name phrasings indexed
    under one of its own runs: a new phrase is tested against a few of the library's ~1,900 phrasings rather
    than all of them."""
    def compute():
        by_word: dict[str, list[tuple[str, str]]] = {}
        others = []
        for fid, lay in _lowered_lay(kb):
            runs = _ALNUM_RUN.findall(lay)
            if not runs:
                others.append((fid, lay))
            else:
                by_word.setdefault(max(runs, key=len), []).append((fid, lay))
        return {w: tuple(pairs) for w, pairs in by_word.items()}, tuple(others)
    return kb.cached("lay_by_word", None, compute)


def _whole_words(part: str, text: str) -> bool:
    """Whether ``part`` occurs in ``text`` with no letter or digit touching either end."""
    # the regular expression (?<![a-z0-9])part(?![a-z0-9]) by hand: one pattern per lay phrase overflowed re's
    # cache of compiled patterns, so each search compiled its pattern again
    start = text.find(part)
    while start >= 0:
        end = start + len(part)
        if not (start and _alnum(text[start - 1])) and not (end < len(text) and _alnum(text[end])):
            return True
        start = text.find(part, start + 1)
    return False


def _alnum(ch: str) -> bool:
    """A character the pattern's [a-z0-9] matches."""
    return "a" <= ch <= "z" or "0" <= ch <= "9"


def _lowered_lay(kb: KnowledgeBase) -> tuple[tuple[str, str], ...]:
    """Every (finding, lay phrasing in lower case) of the library, lowered once rather than for every phrase
    :func:`mentions` looks at."""
    return kb.cached("lowered_lay", None, lambda: tuple(
        (fid, p.lower()) for fid, f in kb.findings.items() for p in f.lay))


def _content_words(wording: str) -> frozenset[str]:
    """The words of a denial that say something (placeholders and function words left out), lower case."""
    text = _DENY_SLOT.sub(" ", wording.lower())
    return frozenset(w for w in re.findall(r"[a-z]+", text) if w not in _FUNCTION_WORDS)  # "temperature's" too


def distinct_names(names: Sequence[str]) -> list[str]:
    """Condition names, leaving out one that another already says ('a common cold' beside 'a cold or a viral
    infection of the nose and throat': read D17's 'a cold or ... or a common cold'): a name one of whose
    alternatives has its content words within one of an earlier name's, or the other way round."""
    kept: list[str] = []
    for name in names:
        parts = [_stems(p) for p in re.split(r",| or ", name) if _stems(p)]
        if not any(a <= b or b <= a for k in kept for b in (_stems(q) for q in re.split(r",| or ", k)) if b
                   for a in parts):
            kept.append(name)
    return kept


def _stems(text: str) -> frozenset[str]:
    """The content words of a phrase, crudely stemmed ('aches', 'aching' -> 'ach'), so that a topic can be
    matched against what the person said in their own grammar."""
    return frozenset(re.sub(r"(?:ing|ed|es|s|e|y)$", "", w) or w for w in _content_words(text) if w != "any")


def supported(topic: str, words: str) -> bool:
    """Whether every content word of ``topic`` is in ``words`` (the person's own phrase): what an
    acknowledgement may name back without putting a sign in their mouth that they did not describe."""
    return bool(topic) and _stems(topic) <= _stems(words)


def _public(base: dict[str, Any]) -> dict[str, Any]:
    """The template variables of a base context (keys starting with '_' are for the realiser only)."""
    return {k: v for k, v in base.items() if not k.startswith("_")}


def _sentence(text: str) -> str:
    text = text.strip()
    text = text[:1].upper() + text[1:]
    return text if text.endswith((".", "!", "?")) else text + "."


__all__ = ["Realiser", "Rendered", "proxy_question"]
