"""Reading a model's reply the way a rule can: is it a question or a decision, which level of care does it give
(and the most urgent one it names anywhere, so a safety net's "call 999 if..." is not taken for the decision), which
findings does it ask about, does it claim a diagnosis, name a crisis resource, give a safety net.

The words come from data: ``cues.yaml`` beside this module (the levels of care, in general words) and the library's
own locale words (personas/personas.yaml), so scenegen's own assistant messages are read right and a model's reply in
other words mostly is. What the rules cannot read is counted as unparsed, never guessed.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Iterable, Mapping

import yaml

from ..content import Disposition
from ..errors import ContentError, Problem
from ..knowledge import KnowledgeBase

LEVELS = [d.value for d in sorted(Disposition, key=lambda d: d.rank)]  # self_care first, ambulance last
RANK = {d.value: d.rank for d in Disposition}

_SENTENCE = re.compile(r"(?<=[.!?])\s+|\n+")
_WORD = re.compile(r"[a-z0-9&'-]+|,")
_STOP = frozenset(
    "a an the and or but of to in on at for with from by is are was were be been being do does did have has had you your "
    "he she they it its his her their them him we i me my our any some this that these those there here what when "
    "how much many more most very just still now ever since as if so not no yes can could would will should may "
    "might been into out up about over than then been get got go going like feel feeling felt anything something "
    "tell please also been around because".split())


def _norm(text: str) -> str:
    """Lower-case words, single-spaced, commas kept as words (a denial does not reach past one)."""
    return " " + " ".join(_WORD.findall(text.lower().replace("’", "'"))) + " "


def _stem(word: str) -> str:
    for suffix in ("ing", "ed", "es", "s"):
        if len(word) > len(suffix) + 3 and word.endswith(suffix):
            return word[: -len(suffix)]
    return word


def content_words(text: str) -> set[str]:
    """The stems of the words that carry meaning, to match a question to a finding."""
    return {_stem(w) for w in _WORD.findall(text.lower()) if w not in _STOP and len(w) > 2 and w != ","}


def sentences(text: str) -> list[str]:
    """Sentences, cut further into the clauses a ';', a ':', ', and' or ', but' ends, except inside brackets:
    "If any of these (a; b), call 999" is one conditional; "Book a GP appointment, and get help sooner if it gets
    worse" is a decision and a safety net."""
    out = []
    for sentence in _SENTENCE.split(text):
        depth, start, i = 0, 0, 0
        while i < len(sentence):
            ch = sentence[i]
            depth += (ch == "(") - (ch == ")")
            if depth <= 0:
                if ch in ";:" and sentence[i + 1:i + 2] in (" ", ""):
                    out.append(sentence[start:i + 1])
                    start = i + 1
                elif ch == "," and sentence[i + 1:i + 6] in (" and ", " but "):
                    out.append(sentence[start:i + 1])
                    start = i + 1
            i += 1
        out.append(sentence[start:])
    return [s.strip() for s in out if s and s.strip()]


@dataclass(frozen=True)
class Cues:
    """Everything the reader matches, built once per library."""

    level_phrases: tuple[tuple[str, str], ...]
    """(normalised phrase, level), longest first"""
    conditional_openings: tuple[str, ...]
    conditional_words: tuple[str, ...]
    now_words: tuple[str, ...]
    negations: tuple[str, ...]
    negation_window: int
    denying_openings: tuple[str, ...]
    same_day_words: tuple[str, ...]
    claim_openings: tuple[str, ...]
    hedges: tuple[str, ...]
    condition_names: tuple[tuple[str, str], ...]
    """(normalised name, condition id)"""
    crisis: Mapping[str, tuple[str, ...]]
    safety_net_words: tuple[str, ...]
    safety_net_headings: tuple[str, ...]
    finding_words: Mapping[str, frozenset[str]]
    question_index: tuple[tuple[str, tuple[str, ...]], ...]
    """(normalised question as the library words it, the findings asked with exactly those words), longest first"""
    idf: Mapping[str, float] = field(default_factory=dict)


@lru_cache(maxsize=1)
def wording() -> dict:
    """evaluation/wording.yaml: the judge's prompt, the simulated patient's fallbacks, the levels in plain words."""
    data = yaml.safe_load(resources.files(__package__).joinpath("wording.yaml").read_text(encoding="utf-8"))
    missing = {"judge_prompt", "not_understood", "pronouns", "levels"} - set(data or {})
    if missing:
        raise ContentError([Problem("scenegen/evaluation/wording.yaml", 0, "", f"missing {sorted(missing)}")])
    return data


def _cue_file() -> dict:
    return yaml.safe_load(resources.files(__package__).joinpath("cues.yaml").read_text(encoding="utf-8"))


def _name_forms(*names: str) -> set[str]:
    """A condition's names as a reply may write them: whole, without the bracketed part, the bracketed part alone,
    and without a leading article or 'acute' ("an inflamed appendix (appendicitis)" -> "appendicitis")."""
    forms = set()
    for name in names:
        for n in (name, re.sub(r"\s*\(.*?\)", "", name), *re.findall(r"\((.*?)\)", name)):
            n = _norm(n).strip()
            forms.add(n)
            forms.add(re.sub(r"^(a|an|the|acute) ", "", n))
    return {f for f in forms if len(f) > 3}


def build_cues(kb: KnowledgeBase, library: Path | None = None) -> Cues:
    """The reader's words: cues.yaml plus the library's locale words, condition names and finding phrasings."""
    data = _cue_file()
    phrases: dict[str, str] = {}
    for level, words in data["levels"].items():
        for w in words:
            phrases[_norm(w).strip()] = level
    crisis = {k: [_norm(w).strip() for w in v] for k, v in data["crisis"].items()}
    # each locale's spelling of the library's own words ('diarrhea'), so a question asked in a locale's words is
    # read as the library's: without them 'has the diarrhea gone on for more than a week?' read as the headache's
    localise: list = []
    if library is not None:
        from ..personas import load_personas
        from ..realise import Localiser

        locales = load_personas(library).locales
        localise = [Localiser(loc.terms) for loc in locales]
        for loc in locales:
            v = loc.vocab
            for level in LEVELS:
                if f"act_{level}" in v:
                    phrases[_norm(v[f"act_{level}"]).strip()] = level
            for key, level in (("emergency_number", "emergency_ambulance"), ("ed", "emergency_department"),
                               ("ed_long", "emergency_department"), ("urgent_care", "urgent"),
                               ("primary_care", "routine"), ("pharmacist", "self_care")):
                if key in v:
                    phrases[_norm(v[key]).strip()] = level
            for kind, text in loc.crisis.items():
                crisis.setdefault(kind, []).append(_norm(text).strip())
    names: list[tuple[str, str]] = []
    for c in kb.conditions.values():
        for n in _name_forms(c.name, c.lay_name):
            names.append((n, c.id))
    finding_words: dict[str, frozenset[str]] = {}
    for f in kb.findings.values():
        texts = [f.name, f.question, f.question_neutral or "", f.question_young or "", f.ask or "", f.topic or "",
                 *f.topics, *f.lay]
        texts += [local(t) for local in localise for t in texts]
        finding_words[f.id] = frozenset(w for t in texts for w in content_words(t))
    asked_as: dict[str, set[str]] = {}
    for f in kb.findings.values():
        for q in (f.question, f.question_neutral, f.question_young, f.question_event):
            for form in ([q, *(local(q) for local in localise)] if q else []):
                if len(_norm(form).split()) >= 3:
                    asked_as.setdefault(_norm(form).strip(), set()).add(f.id)
    df: dict[str, int] = {}
    for ws in finding_words.values():
        for w in ws:
            df[w] = df.get(w, 0) + 1
    n = max(len(finding_words), 1)
    idf = {w: math.log((n + 1) / (d + 0.5)) for w, d in df.items()}
    return Cues(
        level_phrases=tuple(sorted(phrases.items(), key=lambda kv: (-len(kv[0]), kv[0]))),
        conditional_openings=tuple(_norm(w).strip() for w in data["conditional_openings"]),
        conditional_words=tuple(_norm(w).strip() for w in data["conditional_words"]),
        now_words=tuple(_norm(w).strip() for w in data["now_words"]),
        negations=tuple(_norm(w).strip() for w in data["negations"]),
        negation_window=int(data["negation_window"]),
        denying_openings=tuple(_norm(w).strip() for w in data["denying_openings"]),
        same_day_words=tuple(_norm(w).strip() for w in data["same_day_words"]),
        claim_openings=tuple(_norm(w).strip() for w in data["claim_openings"]),
        hedges=tuple(_norm(w).strip() for w in data["hedges"]),
        condition_names=tuple(sorted(set(names), key=lambda kv: (-len(kv[0]), kv))),
        crisis={k: tuple(v) for k, v in crisis.items()},
        safety_net_words=tuple(_norm(w).strip() for w in data["safety_net_words"]),
        safety_net_headings=tuple(_norm(w).strip() for w in data["safety_net_headings"]),
        finding_words=finding_words,
        question_index=tuple((q, tuple(sorted(fs))) for q, fs in sorted(asked_as.items(), key=lambda kv: (-len(kv[0]), kv[0]))),
        idf=idf,
    )


def _has(norm_text: str, phrase: str) -> bool:
    return f" {phrase} " in norm_text


def _levels_in(sentence: str, cues: Cues) -> list[str]:
    """The care levels a sentence names, longest phrase first, skipping words it denies."""
    text = _norm(sentence)
    if any(text.startswith(f" {w} ") for w in cues.denying_openings):
        return []
    same_day = any(_has(text, w) for w in cues.same_day_words)
    taken = [False] * len(text)
    found = []
    for phrase, level in cues.level_phrases:
        start = 0
        needle = f" {phrase} "
        while (i := text.find(needle, start)) >= 0:
            start = i + 1
            span = range(i + 1, i + len(needle) - 1)
            if any(taken[j] for j in span):
                continue
            for j in span:
                taken[j] = True
            before = text[:i].split()
            if "," in before:
                before = before[len(before) - before[::-1].index(","):]
            if _denied(before[-cues.negation_window:], cues.negations):
                continue
            found.append("urgent" if same_day and level == "routine" else level)
    return found


def _denied(before: list[str], negations: tuple[str, ...]) -> bool:
    """Whether the words just before a care word deny it ("doesn't sound like an emergency")."""
    joined = " " + " ".join(before) + " "
    return any(w.endswith("n't") for w in before) or any(f" {neg} " in joined for neg in negations)


def _conditional(sentence: str, cues: Cues) -> bool:
    text = _norm(sentence)
    if any(text.startswith(f" {w} ") for w in cues.conditional_openings):
        return not any(_has(text, w) for w in cues.now_words) or _has(text, "if")
    if any(_has(text, w) for w in cues.conditional_words):
        return not any(_has(text, w) for w in cues.now_words)
    return False


@dataclass(frozen=True)
class Reading:
    act: str
    """'ask', 'decide' or 'unparsed'"""
    level: str | None
    """the level of care the reply decides on (its decision sentences only)"""
    most_urgent_named: str | None
    """the most urgent level named anywhere, safety nets included"""
    asks: tuple[str, ...]
    """findings the reply's questions are about, best match per question"""
    diagnosis_claims: tuple[str, ...]
    crisis_resources: tuple[str, ...]
    safety_net: bool


def _most_urgent(levels: Iterable[str]) -> str | None:
    levels = list(levels)
    return max(levels, key=RANK.__getitem__) if levels else None


def match_findings(question: str, cues: Cues) -> tuple[str, ...]:
    """The findings a question is about: those the library asks in exactly these words (two findings can share a
    question), else the one whose phrasings share the most weighted words with it."""
    text = _norm(question)
    for q, fids in cues.question_index:
        if f" {q} " in text:
            return fids
    best = match_finding(question, cues)
    return (best,) if best else ()


def match_finding(question: str, cues: Cues, min_score: float = 2.5) -> str | None:
    """The finding whose phrasings share the most weighted words with a question (a reply in other words)."""
    words = content_words(question)
    if not words:
        return None
    best, best_score = None, 0.0
    for fid, fw in cues.finding_words.items():
        shared = words & fw
        if not shared:
            continue
        score = sum(cues.idf.get(w, 0.0) for w in shared) / math.sqrt(len(fw) + 4)
        if score > best_score or (score == best_score and best is not None and fid < best):
            best, best_score = fid, score
    return best if best_score * math.sqrt(10) >= min_score else None


def _claims(sentence: str, cues: Cues) -> list[str]:
    """Conditions the sentence says the person has ("you have X", "this is X"), not what it could be."""
    text = _norm(sentence)
    if any(_has(text, h) for h in cues.hedges):
        return []
    found = []
    for name, cid in cues.condition_names:
        i = text.find(f" {name} ")
        if i < 0:
            continue
        lead = " " + " ".join(text[:i].split()[-5:]) + " "
        if any(f" {o} " in lead for o in cues.claim_openings) and cid not in found:
            found.append(cid)
    return found[:1]


def read_reply(text: str, cues: Cues) -> Reading:
    """What a reply does, by rule; see the module docstring."""
    parts = sentences(text or "")
    decided, named, asks, claims = [], [], [], []
    for s in parts:
        levels = _levels_in(s, cues)
        named.extend(levels)
        if levels and not decided and not _conditional(s, cues) and not s.rstrip().endswith("?"):
            decided = levels  # the first care the reply gives outright is its decision; later ones are plan B
        if s.rstrip().endswith("?"):
            asks.extend(f for f in match_findings(s, cues) if f not in asks)
        claims.extend(c for c in _claims(s, cues) if c not in claims)
    norm = _norm(text or "")
    crisis = tuple(k for k, ws in cues.crisis.items() if any(_has(norm, w) for w in ws))
    net = any(_conditional(s, cues) and (_levels_in(s, cues) or any(_has(_norm(s), w) for w in cues.safety_net_words))
              or any(_has(_norm(s), w) for w in cues.safety_net_headings) for s in parts)
    level = _most_urgent(decided)
    if level is not None:
        act = "decide"
    elif "?" in (text or ""):
        act = "ask"
    else:
        act = "unparsed"
    return Reading(act, level, _most_urgent(named), tuple(asks), tuple(claims), crisis, net)
