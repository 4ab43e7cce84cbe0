"""Who is spoken of: second person turned into third for a parent or carer ('Do you feel sick?' -> 'Does
your son feel sick?'), pronouns and what the speaker calls the patient."""

from __future__ import annotations

import re
from typing import Mapping, Optional

from ..sample import PersonaDraw

PRONOUNS = {
    "female": {"subj": "she", "obj": "her", "poss": "her"},
    "male": {"subj": "he", "obj": "him", "poss": "his"},
}
SELF = {"subj": "I", "obj": "me", "poss": "my"}
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
THE_CHILD = re.compile(r"\bthe (?:child|baby)\b", re.IGNORECASE)
TO_A_PARENT = re.compile(r"\byour (child|baby|son|daughter)\b", re.IGNORECASE)
_YOU = re.compile(r"\byou(r|rs|rself|'ve|'re|'d)?\b", re.IGNORECASE)


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


def third_person(text: str, pronouns: Mapping[str, str]) -> str:
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


def called_by(persona: PersonaDraw, name: str, relation: str) -> str:
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
            rest = third_person(question[m.end():], pronouns)
            return None if _YOU.search(rest) else m.group(0) + rest
    for pattern, lead in _PROXY_LEADS:
        m = pattern.search(question)
        if m:
            rest = third_person(question[m.end():], pronouns)
            return None if _YOU.search(rest) else lead.format(ref=who_ref, poss=pronouns["poss"]) + rest
    if not _YOU.search(question):
        return question  # already neutral ("Does the pain come in waves?")
    out = third_person(question, pronouns)
    out = out[:1].upper() + out[1:]
    return None if _YOU.search(out) else out

