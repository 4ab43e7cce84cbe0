"""Words about findings and texts, shared by the realiser and the checks that read its output: what a
question is about (its topic), which findings a phrase names, which clauses a text says, whether a topic
stands on the person's own words. Pure functions of the library and the text, cached where texts repeat."""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Mapping, Optional, Sequence

from ..content import DENY_PLACEHOLDERS, Finding, phrases_fit
from ..knowledge import KnowledgeBase

#: the longest topic a message repeats back ("so no chest pain"); a longer question is not echoed
TOPIC_MAX = 45
#: first words of a question's topic that cannot follow "no" or "any" ("no feeling numb", "any much faster
#: breathing"): such a topic is not said back
_NOT_A_NOUN = frozenset("much more less being feeling feeding having getting going unable inability not too very passing "
                        "needing finding waking using coming taking drinking eating losing seeing hearing new "
                        "someone anyone something anything".split())
_PARENTHESES = re.compile(r"\s*\([^)]*\)")
_ARTICLE = re.compile(r"^(?:any|a|an)\s+", re.IGNORECASE)
#: a topic that names alternatives ('lips, eyelids or face swelling'), of which a 'yes' affirms only some; nor
#: is a list ('fever or high temperature') said back when denying it
ALTERNATIVES = re.compile(r",| or ")
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



def say_denial(wording: str, pronouns: Optional[Mapping[str, str]]) -> str:
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


def content_words(wording: str) -> frozenset[str]:
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
    return frozenset(re.sub(r"(?:ing|ed|es|s|e|y)$", "", w) or w for w in content_words(text) if w != "any")


def supported(topic: str, words: str) -> bool:
    """Whether every content word of ``topic`` is in ``words`` (the person's own phrase): what an
    acknowledgement may name back without putting a sign in their mouth that they did not describe."""
    return bool(topic) and _stems(topic) <= _stems(words)



def as_sentence(text: str) -> str:
    text = text.strip()
    text = text[:1].upper() + text[1:]
    return text if text.endswith((".", "!", "?")) else text + "."

