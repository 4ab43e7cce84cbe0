"""Typing noise: how a patient's messages look when typed on a phone, never what they say.

The last step of making a record, applied to user messages only, from the record's own random stream
(``stream(seed, index, "noise")``), so that turning it off (``GenerateConfig.noise = "off"``) changes nothing
else. Who slips how often, and the texting forms and misspellings people use, are data
(``personas/noise.yaml``, read with the persona library); this module only draws from them.

A slip never changes a fact. Every lay phrase of a finding, a finding value or a complaint that occurs in a
message (in any locale's words) is left as it is, apart from its case, so the same findings are read from it
(:func:`scenegen.realise.mentions`, and ``scenegen validate``'s answer checks), and so are the words of a
finding's question that an answer says back ('no pain that is worse on moving'); the yes / no / unsure words of
``templates/_lexicon.yaml`` keep their letters (their apostrophes go only where the lexicon lists the form
without one); numbers are never touched; typos and misspellings stay off units, number words, medicine and
service names and capitalised words inside a sentence (names). As a last guard, a message whose slips would
make a lay phrase or a yes / no / unsure word appear or vanish (a typo that happens to spell one) keeps only
its case and final stop, the two slips that cannot.
"""

from __future__ import annotations

import random
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any, Iterable, Literal, Mapping, Optional, get_args

from pydantic import BaseModel, ConfigDict, Field, model_validator

from .errors import Problem
from .yamlfile import read_yaml
from .records import NoiseKind
from .rng import WeightedChoice, chance, pick
from .yamlfile import line_at

#: every kind, in the order a turn lists them
NOISE_KINDS: tuple[str, ...] = get_args(NoiseKind)
NOISE_FILE = "personas/noise.yaml"

Rate = Annotated[float, Field(ge=0, le=1)]
Multiplier = Annotated[float, Field(ge=0)]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class RunOn(_Strict):
    joins: dict[Literal["comma", "and", "lower_after_stop", "no_stop"], Multiplier] = Field(
        default_factory=lambda: {"comma": 1.0}, description="how sentences are run together (relative weights)")
    boundary_rate: Rate = Field(0.5, description="after the first, the chance each further sentence break is run on")
    and_before: list[str] = Field(default_factory=list, description="'and' joins only before a sentence starting so")

    @model_validator(mode="after")
    def _some_join(self) -> "RunOn":
        if not sum(self.joins.values()) > 0:
            raise ValueError("run_on.joins needs a positive weight for at least one of comma, and, lower_after_stop, "
                             "no_stop")
        return self


class Typo(_Strict):
    min_letters: int = Field(5, ge=3, description="only words this long or longer get a typo")
    second_rate: Rate = Field(0.0, description="chance of a second typo in a message that has one")
    operations: dict[Literal["swap", "drop", "double"], Multiplier] = Field(default_factory=lambda: {"swap": 1.0})

    @model_validator(mode="after")
    def _some_operation(self) -> "Typo":
        if not sum(self.operations.values()) > 0:
            raise ValueError("typo.operations needs a positive weight for at least one of swap, drop, double")
        return self


_PLAIN = re.compile(r"^[a-z]+(?:'[a-z]+)*(?: [a-z]+(?:'[a-z]+)*)*$")


def _plain(text: str, what: str) -> str:
    if not _PLAIN.match(text):
        raise ValueError(f"{what} {text!r} must be lower-case words separated by single spaces")
    return text


class Abbreviation(_Strict):
    word: str = Field(description="the word or words as written in full, lower case")
    forms: list[str] = Field(min_length=1, description="how it is typed short")
    literacy: list[str] = Field(default_factory=list, description="the literacy levels that use it (empty: all)")
    locales: list[str] = Field(default_factory=list, description="the locales whose typists use it (empty: all): "
                                                                 "'defo' is British slang, never typed in en_US")

    @model_validator(mode="after")
    def _forms(self) -> "Abbreviation":
        _plain(self.word, "abbreviated word")
        for form in self.forms:
            if not form.strip() or form != form.strip():
                raise ValueError(f"abbreviation of {self.word!r}: empty or padded form {form!r}")
            if form == self.word:
                raise ValueError(f"abbreviation of {self.word!r} is the word itself")
            if any(ch.isdigit() for ch in form):
                raise ValueError(f"abbreviation {form!r} of {self.word!r} holds a digit, which reads as a number "
                                 "(slips never touch numbers)")
        return self


class Abbreviations(_Strict):
    word_rate: Rate = Field(0.5, description="with the habit, the chance each word of the table is typed short")
    forms: list[Abbreviation] = Field(default_factory=list)

    @model_validator(mode="after")
    def _unique(self) -> "Abbreviations":
        seen = [a.word for a in self.forms]
        twice = sorted({w for w in seen if seen.count(w) > 1})
        if twice:
            raise ValueError(f"abbreviations list {twice} more than once")
        return self


class Noise(_Strict):
    """personas/noise.yaml: who makes which slips how often, and the wordings of the slips."""

    habits: list[NoiseKind] = Field(default_factory=list, description="kinds drawn once per dialogue")
    habit_consistency: Rate = Field(1.0, description="share of a person's messages that show a habit they have")
    literacy: dict[str, dict[NoiseKind, Rate]] = Field(default_factory=dict, description=(
        "per literacy level: a habit's chance per dialogue, a slip's chance per message"))
    styles: dict[str, dict[NoiseKind, Multiplier]] = Field(default_factory=dict, description=(
        "per style: multiplies the literacy rate (capped at 1)"))
    run_on: RunOn = Field(default_factory=RunOn)
    typo: Typo = Field(default_factory=Typo)
    abbreviations: Abbreviations = Field(default_factory=Abbreviations)
    misspellings: dict[str, list[str]] = Field(default_factory=dict)
    protected: list[str] = Field(default_factory=list, description="words never given a typo or a misspelling")

    @model_validator(mode="after")
    def _tables(self) -> "Noise":
        for word, forms in self.misspellings.items():
            _plain(word, "misspelt word")
            if not forms:
                raise ValueError(f"misspelling of {word!r} has no forms")
            for form in forms:
                if not form.strip() or form == word or any(ch.isdigit() for ch in form):
                    raise ValueError(f"misspelling of {word!r}: {form!r} is empty, the word itself or holds a digit")
        return self

    def rate(self, literacy: str, style: str, kind: str) -> float:
        """The chance of ``kind`` for this person: the literacy rate times the style's multiplier, at most 1."""
        return min(1.0, self.literacy.get(literacy, {}).get(kind, 0.0) * self.styles.get(style, {}).get(kind, 1.0))


def noise_id_problems(data: Any, noise: Noise, literacy_ids: Iterable[str], style_ids: Iterable[str]) -> list[Problem]:
    """Literacy levels and styles that personas/noise.yaml names and personas.yaml does not (or the reverse,
    for literacy: every level needs its rates), each with what would be valid."""
    literacy_ids, style_ids = sorted(literacy_ids), sorted(style_ids)
    out = []

    from .load import _field_path

    def problem(loc: tuple, message: str) -> None:
        out.append(Problem(NOISE_FILE, line_at(data, loc), _field_path(data, loc), message))

    for level in noise.literacy:
        if level not in literacy_ids:
            problem(("literacy", level), f"unknown literacy level '{level}'; valid: {', '.join(literacy_ids)} "
                                         "(the literacy ids of personas/personas.yaml)")
    if noise.literacy:
        for level in literacy_ids:
            if level not in noise.literacy:
                problem(("literacy",), f"literacy level '{level}' of personas/personas.yaml has no rates; give it a "
                                       "row (an empty {} for no noise)")
    for style in noise.styles:
        if style not in style_ids:
            problem(("styles", style), f"unknown style '{style}'; valid: {', '.join(style_ids)} "
                                       "(the style ids of personas/personas.yaml)")
    for i, entry in enumerate(noise.abbreviations.forms):
        for level in entry.literacy:
            if level not in literacy_ids:
                problem(("abbreviations", "forms", i, "literacy"),
                        f"abbreviation of '{entry.word}' names unknown literacy level '{level}'; valid: "
                        f"{', '.join(literacy_ids)}")
    return out


# ---------------------------------------------------------------------------------------------------------
# The lexicon's yes / no / unsure words


@dataclass(frozen=True)
class Markers:
    """The words of templates/_lexicon.yaml that tell a yes, a no or a not-sure (validate reads answers by them)."""

    affirmative: tuple[str, ...] = ()
    negative: tuple[str, ...] = ()
    unsure: tuple[str, ...] = ()

    @property
    def lists(self) -> tuple[tuple[str, ...], ...]:
        return self.affirmative, self.negative, self.unsure


LEXICON_FILE = "templates/_lexicon.yaml"
_LEXICON_LISTS = ("affirmative", "negative", "unsure", "pleasantries")


def read_lexicon(root: Path) -> dict[str, tuple[str, ...]]:
    """templates/_lexicon.yaml as lists of words (empty when the library has none); ContentError naming the
    file and key when it is not a mapping of lists of words."""
    path = root / LEXICON_FILE
    if not (path.exists() or path.is_symlink()):
        return {k: () for k in _LEXICON_LISTS}
    problems: list[Problem] = []
    data = read_yaml(path, LEXICON_FILE, problems, root=root)
    if not problems and data is not None and not isinstance(data, dict):
        problems.append(Problem(LEXICON_FILE, 1, "", f"must be a mapping with the lists {', '.join(_LEXICON_LISTS)}"))
    out: dict[str, tuple[str, ...]] = {}
    for key in _LEXICON_LISTS:
        words = (data or {}).get(key, ()) if isinstance(data, dict) else ()
        if not isinstance(words, list) or not all(isinstance(w, str) and w.strip() for w in words):
            problems.append(Problem(LEXICON_FILE, line_at(data, (key,)), key, "must be a list of words or phrases, "
                                                                             "e.g. [yes, yeah]"))
            continue
        out[key] = tuple(words)
    if problems:
        from .errors import ContentError

        raise ContentError(problems)
    return out


def read_markers(root: Path) -> Markers:
    words = read_lexicon(root)
    return Markers(*(tuple(m.lower() for m in words[k]) for k in ("affirmative", "negative", "unsure")))


def marker_problems(noise: Noise, markers: Markers) -> list[Problem]:
    """A texting form or misspelling that is itself a yes / no / unsure word would change how an answer reads."""
    words = {m for lst in markers.lists for m in lst}
    out = []
    for i, entry in enumerate(noise.abbreviations.forms):
        for form in entry.forms:
            if form.lower() in words:
                out.append(Problem(NOISE_FILE, 0, f"abbreviations.forms[{i}]",
                                   f"'{form}' (for '{entry.word}') is a yes/no/unsure word of templates/_lexicon.yaml; "
                                   "a slip must not make one"))
    for word, forms in noise.misspellings.items():
        for form in forms:
            if form.lower() in words:
                out.append(Problem(NOISE_FILE, 0, f"misspellings.{word}",
                                   f"'{form}' is a yes/no/unsure word of templates/_lexicon.yaml; a slip must not "
                                   "make one"))
    return out


# ---------------------------------------------------------------------------------------------------------
# Applying it

#: how much a character is protected: what may still change in a word that touches it
FREE, GUARDED, SOFT_MARKER, HARD_MARKER, FROZEN = range(5)
# typo, misspelling: FREE only; abbreviation: up to GUARDED; dropping an apostrophe: up to SOFT_MARKER

_WORD = re.compile(r"[A-Za-z]+(?:'[A-Za-z]+)*")
_NUMBER = re.compile(r"\d+(?:[.,:/]\d+)*")
#: a full stop between two sentences, and the first word of the next
_BOUNDARY = re.compile(r"(?<=[A-Za-z0-9)'\"])\. +([A-Za-z]+(?:'[A-Za-z]+)*)")
_I_WORDS = frozenset({"i", "i'm", "i've", "i'd", "i'll"})
_KIND_INDEX = {k: i for i, k in enumerate(NOISE_KINDS)}
#: the slips that cannot make a new lay phrase appear: lower case (phrases are found whatever the case) and
#: dropping the final character
_SAFE = frozenset({"lower_case", "no_final_stop"})


def _trie_pattern(phrases: Iterable[str]) -> str:
    """One regular expression for many phrases, shaped as a prefix tree so that it is tried in a single pass;
    at each position it matches the longest phrase that starts there. Runs of letters with one way on are
    written as one literal (far fewer nodes for the parser)."""
    root: dict = {}
    for p in phrases:
        node = root
        for ch in p:
            node = node.setdefault(ch, {})
        node[""] = {}

    def build(node: dict) -> str:
        branches = []
        for ch, child in sorted(node.items()):
            if not ch:
                continue
            run = [ch]
            while len(child) == 1 and "" not in child:  # one way on: extend the literal
                (nxt, child), = child.items()
                run.append(nxt)
            branches.append(re.escape("".join(run)) + build(child))
        if not branches:
            return ""
        body = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
        return f"(?:{body})?" if "" in node else body

    return build(root)


@dataclass(frozen=True)
class Typist:
    """One person's chances of each kind for every message of the dialogue (a habit: 0 or its consistency)."""

    literacy: str
    rates: tuple[float, ...]
    locale: str = ""


class Noiser:
    """Applies personas/noise.yaml to user messages. Built once per library (Library.noiser); every table is
    compiled here."""

    CACHE_SIZE = 30_000

    def __init__(self, kb, personas, markers: Markers):
        from .realise import Localiser, said_topic

        self.cfg: Noise = personas.noise
        cfg = self.cfg
        localisers = [Localiser({})] + [Localiser(loc.terms) for loc in personas.locales]
        phrases: set[str] = set()
        raw = [p for f in kb.findings.values() for p in f.lay]
        raw += [p for f in kb.findings.values() for v in f.values for p in v.wordings]
        raw += [p for c in kb.complaints.values() for p in c.lay]
        # and what answers say back of a question ('No, no pain that is worse on moving'): a finding's words
        raw += [said_topic(f) for f in kb.findings.values()] + [f.ask or f.name.lower() for f in kb.findings.values()]
        raw += [t for f in kb.findings.values() for t in f.topics]
        for local in localisers:
            phrases |= {local(p).lower() for p in raw if p.strip()}
        # run on lower-cased text (four times faster than ignoring case); found at every position, overlaps too
        self._lay = re.compile("(?=(" + _trie_pattern(sorted(phrases)) + "))") if phrases else None
        self._lay_ends_with_stop = any(p.endswith(".") for p in phrases)

        # markers: a marker whose apostrophe may go is one whose every marker inside has its form without one
        # in the same lists
        everything = sorted({m for lst in markers.lists for m in lst}, key=lambda m: (-len(m), m))
        self._markers = re.compile(r"(?<![a-z0-9'])(?:" + "|".join(map(re.escape, everything)) + r")(?![a-z0-9'])"
                                   ) if everything else None  # run on lower-cased text

        def dropped_ok(m: str) -> bool:
            return all(m.replace("'", "") in lst for lst in markers.lists if m in lst)

        bounded = {x: re.compile(r"(?<![a-z0-9'])" + re.escape(x) + r"(?![a-z0-9'])") for x in everything}
        self._soft = {m: all(dropped_ok(x) for x in everything if "'" in x and bounded[x].search(m)) for m in everything}

        guarded = {w.lower() for w in cfg.protected}
        proper: set[str] = set()  # written with a capital (Calpol, GP, NHS): keeps it when sentences run on
        for loc in personas.locales:
            for term in list(loc.terms) + list(loc.terms.values()) + [loc.vocab.get("painkiller", ""),
                                                                        loc.vocab.get("child_painkiller", "")]:
                guarded |= {w.lower() for w in _WORD.findall(term)}
                proper |= {w.lower() for w in _WORD.findall(term) if w[0].isupper()}
        self._guarded = frozenset(guarded)
        self._proper = frozenset(proper)

        self._abbr = {a.word: a for a in cfg.abbreviations.forms}
        self._abbr_re = self._table_pattern(self._abbr)
        self._missp = dict(cfg.misspellings)
        self._missp_re = self._table_pattern(self._missp)
        self._joins = WeightedChoice(list(cfg.run_on.joins), list(cfg.run_on.joins.values()))
        self._and_before = frozenset(w.lower() for w in cfg.run_on.and_before)
        self._typo_ops = WeightedChoice(list(cfg.typo.operations), list(cfg.typo.operations.values()))
        self._typists: dict[tuple[str, str], tuple[tuple[float, ...], tuple[bool, ...]]] = {}
        self._scans: dict[str, tuple[bytes, frozenset[str]]] = {}

    @staticmethod
    def _table_pattern(table: Mapping[str, Any]) -> Optional[re.Pattern]:
        if not table:
            return None
        keys = sorted(table, key=lambda k: (-len(k), k))
        return re.compile(r"(?<![A-Za-z0-9'])(?:" + "|".join(re.escape(k).replace(r"\ ", " ") for k in keys)
                          + r")(?![A-Za-z0-9'])", re.IGNORECASE)

    # --- per dialogue ----------------------------------------------------------------------------------
    def typist(self, literacy: str, style: str, rng: random.Random, locale: str = "") -> Typist:
        """Draw the person's habits (one draw per habit kind, always, so the stream advances the same way)."""
        key = (literacy, style)
        base = self._typists.get(key)
        if base is None:
            rates = tuple(self.cfg.rate(literacy, style, k) for k in NOISE_KINDS)
            habit = tuple(k in self.cfg.habits for k in NOISE_KINDS)
            base = self._typists[key] = (rates, habit)
        rates, habit = base
        consistency = self.cfg.habit_consistency
        out = []
        for rate, is_habit in zip(rates, habit):
            if is_habit:
                out.append(consistency if chance(rng, rate) else 0.0)
            else:
                out.append(rate)
        return Typist(literacy, tuple(out), locale)

    # --- per message -----------------------------------------------------------------------------------
    def apply(self, text: str, typist: Typist, rng: random.Random, name: str = "") -> tuple[str, list[str]]:
        """The message as this person types it, and the kinds applied (in NOISE_KINDS order; only those that
        changed the text). One draw per kind, always, then the draws of the slips that are shown."""
        shown = [chance(rng, r) for r in typist.rates]
        if not any(shown) or not text:
            return text, []
        on = dict(zip(NOISE_KINDS, shown))
        done: set[str] = set()
        out = text
        if on["abbreviation"] or on["misspelling"] or on["typo"] or on["no_apostrophes"] or on["run_on"]:
            levels, lay = self._scan(text)
            out = self._word_slips(text, levels, typist.literacy, name, on, rng, done, typist.locale)
            if on["run_on"]:
                joined = self._run_on(out, rng, name)
                if joined != out:
                    done.add("run_on")
                    out = joined
            if done and (self._lay_set(out) != lay or self.marker_set(out) != self.marker_set(text)):
                out, done = text, set()  # a slip spelt a lay phrase or a yes/no word: keep only the safe ones
        if on["no_final_stop"] and out.endswith(".") and not out.endswith("..") and not self._ends_in_phrase(text):
            out = out[:-1]
            done.add("no_final_stop")
        if on["lower_case"]:
            low = out.lower()
            if low != out:
                done.add("lower_case")
                out = low
        return out, [k for k in NOISE_KINDS if k in done]

    def _lay_set(self, text: str) -> frozenset[str]:
        if self._lay is None:
            return frozenset()
        return frozenset(m.group(1) for m in self._lay.finditer(text.lower()))

    def marker_set(self, text: str) -> frozenset[str]:
        """The yes / no / unsure words of the text, apostrophes left out (so 'dont' and 'don't' are one)."""
        if self._markers is None:
            return frozenset()
        return frozenset(m.group(0).replace("'", "") for m in self._markers.finditer(text.lower()))

    def _ends_in_phrase(self, text: str) -> bool:
        return self._lay_ends_with_stop and any(text.lower().endswith(p) for p in self._lay_set(text))

    def _scan(self, text: str) -> tuple[bytes, frozenset[str]]:
        """How protected each character is (markers, numbers, lay phrases; a name or a unit is found per word
        when a typo looks for one) and the lay phrases found. Cached: messages repeat."""
        hit = self._scans.get(text)
        if hit is not None:
            return hit
        low = text.lower()
        if len(low) != len(text):  # a character whose lower case is longer: positions would not line up
            out = (bytes([FROZEN]) * len(text), self._lay_set(text))
        else:
            levels = bytearray(len(text))
            if self._markers is not None:
                found = [(m.start(), m.end(), self._soft.get(m.group(0), False)) for m in self._markers.finditer(low)]
                for soft_pass in (True, False):  # fill in rising order of protection
                    for s, e, soft in found:
                        if soft == soft_pass:
                            levels[s:e] = bytes([SOFT_MARKER if soft else HARD_MARKER]) * (e - s)
            for m in _NUMBER.finditer(text):
                levels[m.start():m.end()] = bytes([FROZEN]) * (m.end() - m.start())
            lay = []
            if self._lay is not None:
                for m in self._lay.finditer(low):
                    s, e = m.start(), m.start() + len(m.group(1))
                    levels[s:e] = bytes([FROZEN]) * (e - s)
                    lay.append(m.group(1))
            out = (bytes(levels), frozenset(lay))
        if len(self._scans) >= self.CACHE_SIZE:
            self._scans.clear()
        self._scans[text] = out
        return out

    def _guarded_word(self, text: str, s: int, word: str, name: str) -> bool:
        """Kept from typos and misspellings: a protected word, the number's unit, a name or capitalised word
        inside a sentence."""
        low = word.lower()
        return low in self._guarded or (bool(name) and low == name.lower()) or _after_number(text, s) \
            or (word[0].isupper() and low not in _I_WORDS and not _sentence_start(text, s))

    def _word_slips(self, text: str, levels: bytes, literacy: str, name: str, on: Mapping[str, bool],
                    rng: random.Random, done: set[str], locale: str = "") -> str:
        """Abbreviations, a misspelling, typos and dropped apostrophes, each on words its protection allows."""
        edits: dict[int, tuple[int, str]] = {}  # start -> (end, replacement)

        def open_(s: int, e: int, most: int) -> bool:
            return max(levels[s:e], default=FREE) <= most and not any(s < end and start < e for start, (end, _) in edits.items())

        if on["abbreviation"] and self._abbr_re is not None:
            rate = self.cfg.abbreviations.word_rate
            for m in self._abbr_re.finditer(text):
                entry = self._abbr[m.group(0).lower()]
                if entry.literacy and literacy not in entry.literacy or entry.locales and locale not in entry.locales:
                    continue
                if open_(m.start(), m.end(), GUARDED) and chance(rng, rate):
                    edits[m.start()] = (m.end(), _same_case(m.group(0), pick(rng, entry.forms)))
                    done.add("abbreviation")
        if on["misspelling"] and self._missp_re is not None:
            options = [m for m in self._missp_re.finditer(text) if open_(m.start(), m.end(), FREE)
                       and not any(self._guarded_word(text, w.start(), w.group(0), name)
                                   for w in _WORD.finditer(text, m.start(), m.end()))]
            if options:
                m = pick(rng, options)
                edits[m.start()] = (m.end(), _same_case(m.group(0), pick(rng, self._missp[m.group(0).lower()])))
                done.add("misspelling")
        words = [(m.start(), m.end(), m.group(0)) for m in _WORD.finditer(text)] if on["typo"] or on["no_apostrophes"] else []
        if on["typo"]:
            n = self.cfg.typo.min_letters
            options = [(s, e, w) for s, e, w in words if len(w) >= n and w.isalpha() and open_(s, e, FREE)
                       and not self._guarded_word(text, s, w, name)]
            for attempt in range(2):
                if not options or (attempt == 1 and not chance(rng, self.cfg.typo.second_rate)):
                    break
                s, e, w = options.pop(min(int(rng.random() * len(options)), len(options) - 1))
                edits[s] = (e, self._typo(w, rng))
                done.add("typo")
        if on["no_apostrophes"]:
            for s, e, w in words:
                if "'" in w and open_(s, e, SOFT_MARKER):
                    edits[s] = (e, w.replace("'", ""))
                    done.add("no_apostrophes")
        if not edits:
            return text
        parts, at = [], 0
        for s in sorted(edits):
            e, new = edits[s]
            parts += [text[at:s], new]
            at = e
        parts.append(text[at:])
        return "".join(parts)

    def _typo(self, word: str, rng: random.Random) -> str:
        """A slip of the thumb, never on the first letter: two neighbouring letters swapped, one dropped, one doubled."""
        op = self._typo_ops.pick(rng)
        n = len(word)
        if op == "swap":
            spots = [i for i in range(1, n - 1) if word[i].lower() != word[i + 1].lower()]
            if spots:
                i = pick(rng, spots)
                return word[:i] + word[i + 1] + word[i] + word[i + 2:]
            op = "drop"
        i = 1 + min(int(rng.random() * (n - 1)), n - 2)
        if op == "drop":
            return word[:i] + word[i + 1:]
        return word[:i + 1] + word[i] + word[i + 1:]

    def _run_on(self, text: str, rng: random.Random, name: str) -> str:
        """Sentences run together: one way for the message, at one break and then at each other by chance."""
        breaks = list(_BOUNDARY.finditer(text))
        if not breaks:
            return text
        join = self._joins.pick(rng)
        first = min(int(rng.random() * len(breaks)), len(breaks) - 1)
        chosen = [i == first or chance(rng, self.cfg.run_on.boundary_rate) for i in range(len(breaks))]
        parts, at = [], 0
        for m, take in zip(breaks, chosen):
            if not take:
                continue
            word = m.group(1)
            low = word.lower()
            keep = low in _I_WORDS or low in self._proper or (name and low == name.lower())
            nxt = word if keep else word[:1].lower() + word[1:]
            if join == "comma" or (join == "and" and low not in self._and_before):
                sep = ", "
            elif join == "and":
                sep = " and "
            elif join == "lower_after_stop":
                sep = ". "
            else:
                sep = " "
            parts += [text[at:m.start()], sep, nxt]
            at = m.end()
        parts.append(text[at:])
        return "".join(parts)


def _after_number(text: str, s: int) -> bool:
    """The word at ``s`` follows a number ('3 days', '2am'): it is the number's unit."""
    return s > 0 and (text[s - 1].isdigit() or (s > 1 and text[s - 1] == " " and text[s - 2].isdigit()))


def _sentence_start(text: str, s: int) -> bool:
    before = text[:s].rstrip()
    return not before or before[-1] in ".!?"


def _same_case(original: str, form: str) -> str:
    """The form with the original's capital first letter, if it had one."""
    return form[:1].upper() + form[1:] if original[:1].isupper() else form


__all__ = ["NOISE_KINDS", "Noise", "Noiser", "Markers", "Typist", "read_markers", "noise_id_problems", "marker_problems"]
