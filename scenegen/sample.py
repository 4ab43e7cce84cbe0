"""Sample stage: a persona and a hidden case, from the libraries and one random stream.

The persona comes first (age group, sex, pregnancy, speaker, literacy, style, locale); the hidden
condition and the complaint it opens with are then drawn together with weight
prior(condition | persona) x P(complaint's finding | condition), so a complaint brings its conditions in
proportion to how often each presents with it. Findings are drawn from their probabilities, parents
before children; a finding the condition has no edge to is absent (the leak is a property of the
inference, not of the case).
"""

from __future__ import annotations

import heapq
import random
from dataclasses import dataclass, field
from typing import Any, Mapping, Optional

from .content import Disposition, FindingType, Sex
from .errors import UsageError
from .knowledge import Answer, Demographics, KnowledgeBase
from .personas import PersonaLibrary
from .rng import WeightedChoice, chance, derive_seed, pick, randint, weighted_pick


@dataclass(frozen=True)
class PersonaDraw:
    age_group: str
    age_months: int
    sex: Sex
    pregnant: bool
    speaker: str
    relation: Optional[str]
    literacy: str
    style: str
    locale: str

    @property
    def demographics(self) -> Demographics:
        return Demographics(self.age_months, self.sex, self.pregnant)

    @property
    def proxy(self) -> bool:
        return self.speaker != "self"


@dataclass(frozen=True)
class Filters:
    """What a run restricts generation to; empty means everything."""

    conditions: frozenset[str] = frozenset()
    complaints: frozenset[str] = frozenset()


@dataclass(frozen=True)
class HiddenCase:
    condition: str
    complaint: str
    truth: dict[str, Answer] = field(repr=False)
    """the condition's own findings and their ancestors: binary -> bool, categorical -> value, multi -> frozenset"""
    kb: KnowledgeBase = field(repr=False, compare=False)
    seed: int = field(repr=False, compare=False)
    """draws the answer to any other finding on demand, from its own stream, so order of asking never matters"""

    def answer(self, finding: str) -> Answer:
        hit = self.truth.get(finding)
        if hit is not None:
            return hit
        return self._other(finding)

    def _other(self, finding: str) -> Answer:
        """A finding the condition has no edge to: absent if binary; otherwise drawn like the inference assumes."""
        f = self.kb.findings[finding]
        if f.type is FindingType.binary:
            return False
        rng = random.Random(derive_seed(self.seed, "finding", finding))
        dist = self.kb.p_values(self.condition, finding)
        if f.type is FindingType.categorical:
            ids = [v.id for v in f.values]
            return weighted_pick(rng, ids, [dist[i] for i in ids])
        return frozenset(v.id for v in f.values if chance(rng, dist[v.id]))


def sample_persona(pl: PersonaLibrary, rng: random.Random) -> PersonaDraw:
    group = weighted_pick(rng, pl.age_groups, [g.weight for g in pl.age_groups])
    age = randint(rng, group.min_months, group.max_months)
    sex = pick(rng, [Sex.female, Sex.male])
    lo, hi = pl.pregnancy_ages_months
    pregnant = sex is Sex.female and lo <= age <= hi and chance(rng, pl.pregnancy_rate)
    speaker_id = pick(rng, group.speakers)
    speaker = pl.speaker(speaker_id)
    relation = speaker.relations.get(sex) if speaker_id != "self" else None
    literacy = weighted_pick(rng, pl.literacy, [x.weight for x in pl.literacy])
    style = weighted_pick(rng, pl.styles, [x.weight for x in pl.styles])
    locale = weighted_pick(rng, pl.locales, [x.weight for x in pl.locales])
    return PersonaDraw(group.id, age, sex, pregnant, speaker_id, relation, literacy.id, style.id, locale.id)


def eligible(kb: KnowledgeBase, who: Demographics, filters: Filters,
             disposition: Optional[Disposition] = None) -> list[tuple[str, str, float]]:
    """(condition, complaint, weight) for every pairing this person could present with."""
    key = (kb.age_key(who.age_months), who.sex, who.pregnant, filters, disposition)
    return kb.cached("eligible", key, lambda: _eligible(kb, who, filters, disposition))


def _case_draw(kb: KnowledgeBase, who: Demographics, filters: Filters,
               disposition: Optional[Disposition]) -> Optional[WeightedChoice]:
    """The weighted draw over ``eligible`` pairings (None when nothing can be drawn), built once per group."""
    def build() -> Optional[WeightedChoice]:
        options = eligible(kb, who, filters, disposition)
        weights = [w for _, _, w in options]
        return WeightedChoice(options, weights) if options and sum(weights) > 0 else None

    return kb.cached("case_draw", (kb.age_key(who.age_months), who.sex, who.pregnant, filters, disposition), build)


def _eligible(kb: KnowledgeBase, who: Demographics, filters: Filters,
              disposition: Optional[Disposition]) -> list[tuple[str, str, float]]:
    out = []
    for cid, c in kb.conditions.items():
        if filters.conditions and cid not in filters.conditions:
            continue
        if disposition is not None and c.disposition is not disposition:
            continue
        prior = kb.prior(cid, who)
        if prior <= 0:
            continue
        band = kb.age_band(who.age_months)
        for comp in c.complaints:
            if filters.complaints and comp not in filters.complaints:
                continue
            if not kb.reportable(kb.complaints[comp].finding, band, who.sex):
                continue  # nobody opens with a complaint that cannot be reported at this age
            out.append((cid, comp, prior * kb.p_present(cid, kb.complaints[comp].finding)))
    return out


def sample_truth(kb: KnowledgeBase, condition: str, complaint: str, rng: random.Random, *,
                 age_band: Optional[str] = None, forced: Optional[dict[str, bool]] = None,
                 sex: Optional[Sex] = None) -> dict[str, Answer]:
    """Draw the condition's own findings, parents first, in a fixed order so the draws are reproducible.

    ``forced`` findings take their given value (a known pregnancy), and a finding nobody can report at
    ``age_band`` (or of ``sex``: no vaginal discharge in a man with threadworm) is absent; both are settled
    before any child is drawn, so the hierarchy stays consistent.
    """
    truth: dict[str, Answer] = {}
    forced = forced or {}
    for fid, parent, absent, how, arg in _truth_steps(kb, condition, complaint, age_band, tuple(sorted(forced)), sex):
        if parent is not None and truth[parent] is not True:
            truth[fid] = absent  # its parent is not present, so neither is it
        elif how == "forced":
            truth[fid] = forced[fid]
        elif how == "fixed":
            truth[fid] = arg
        elif how == "binary":
            truth[fid] = chance(rng, arg)
        elif how == "categorical":
            ids, weights = arg
            truth[fid] = weighted_pick(rng, ids, weights)
        elif how == "constrained":
            truth[fid] = _constrained_pick(rng, truth, *arg)
        else:
            truth[fid] = frozenset(v for v, p in arg if chance(rng, p))
    return truth


_Step = tuple[str, Optional[str], Answer, str, Any]  # (finding, parent, its 'absent' answer, how, argument)
_Rule = tuple[str, Optional[str], frozenset[str]]  # (source finding, its value or None for 'present', allowed values)


def implications(kb: KnowledgeBase) -> dict[str, tuple[_Rule, ...]]:
    """Categorical finding -> the rules that restrict its values: a binary finding's ``implies`` (when it is
    present) and a categorical value's ``implies`` (when that value is the answer)."""
    def compute() -> dict[str, tuple[_Rule, ...]]:
        out: dict[str, list[_Rule]] = {}
        for fid in sorted(kb.findings):
            f = kb.findings[fid]
            for target, allowed in sorted(f.implies.items()):
                out.setdefault(target, []).append((fid, None, frozenset(allowed)))
            for v in f.values:
                for target, allowed in sorted(v.implies.items()):
                    out.setdefault(target, []).append((fid, v.id, frozenset(allowed)))
        return {k: tuple(v) for k, v in out.items()}

    return kb.cached("implications", None, compute)


def rule_applies(rule: _Rule, answers: dict[str, Answer]) -> bool:
    """Whether a rule's source holds in these answers (the case's, or the dialogue's)."""
    source, value, _ = rule
    answer = answers.get(source)
    return answer is True if value is None else answer == value


def _constrained_pick(rng: random.Random, truth: dict[str, Answer], ids: list[str], weights: list[float],
                      rules: tuple[_Rule, ...]) -> str:
    """A categorical draw restricted to the values every applicable rule allows (unrestricted if they conflict)."""
    allowed = set(ids)
    for rule in rules:
        if rule_applies(rule, truth):
            allowed &= rule[2]
    if not allowed:  # present findings ask for values with none in common: keep to what the other values
        allowed = set(ids)  # allow (an onset over hours rules out months), and the findings are dropped after
        for rule in rules:  # (drop_clashing_findings)
            if rule[1] is not None and rule_applies(rule, truth):
                allowed &= rule[2]
    keep = [(i, w) for i, w in zip(ids, weights) if i in allowed and w > 0]
    if not keep and allowed:  # the condition gives every allowed value no weight: any of them, rather than one ruled out
        keep = [(i, 1.0) for i in ids if i in allowed]
    if not keep:
        return weighted_pick(rng, ids, weights)
    return weighted_pick(rng, [i for i, _ in keep], [w for _, w in keep])


def _truth_steps(kb: KnowledgeBase, condition: str, complaint: str, age_band: Optional[str],
                 forced: tuple[str, ...], sex: Optional[Sex] = None) -> list[_Step]:
    """The order in which ``sample_truth`` settles findings (the condition's own, sorted, each after its
    parents; then the complaint's; then the forced ones) and how each is settled. Built once per kind of
    case, so a draw is a flat loop that consumes the random stream in this fixed order."""
    def build() -> list[_Step]:
        entry = kb.complaints[complaint].finding
        edges = kb.likelihoods[condition]
        steps: list[_Step] = []
        seen: set[str] = set()

        def visit(fid: str) -> None:
            if fid in seen:
                return
            f = kb.findings[fid]
            if f.parent is not None:
                visit(f.parent)
            seen.add(fid)
            absent: Answer = False if f.type is FindingType.binary else (
                frozenset() if f.type is FindingType.multi else "")
            if fid in forced:
                how, arg = "forced", None
            elif fid == entry:
                how, arg = "fixed", True
            elif age_band is not None and not kb.reportable(fid, age_band, sex):
                how, arg = "fixed", absent  # nobody can report it at this age (or of this sex)
            elif f.type is FindingType.binary:
                how, arg = ("binary", edges[fid]) if fid in edges else ("fixed", False)
            elif f.type is FindingType.categorical:
                dist = kb.p_values(condition, fid)
                ids = [v.id for v in f.values]
                how, arg = "categorical", (ids, [dist[i] for i in ids])
            else:
                dist = kb.p_values(condition, fid)
                how, arg = "multi", [(v.id, dist[v.id]) for v in f.values]
            steps.append((fid, f.parent, absent, how, arg))

        for fid in sorted(edges):
            if condition in kb.used_by[fid]:  # authored edges; those an implication adds are settled by it
                visit(fid)
        visit(entry)
        for fid in forced:
            visit(fid)
        return _constraints_last(steps, implications(kb))

    return kb.cached("truth_steps", (condition, complaint, age_band, forced, sex), build)


def _constraints_last(steps: list[_Step], rules: dict[str, tuple[_Rule, ...]]) -> list[_Step]:
    """Categorical findings that another answer restricts (a thunderclap headache came on suddenly) are drawn
    last, each after the categorical findings that restrict it, so every restriction sees its source drawn."""
    moved = {s[0]: s for s in steps if s[3] == "categorical" and s[0] in rules}
    out = [s for s in steps if s[0] not in moved]
    placed: set[str] = set()
    while moved:
        ready = sorted(f for f in moved if not any(r[0] in moved and r[0] != f for r in rules[f])) or sorted(moved)
        fid = ready[0]
        step = moved.pop(fid)
        ids, weights = step[4]
        out.append((fid, step[1], step[2], "constrained", (ids, weights, rules[fid])))
        placed.add(fid)
    return out


def sample_case(kb: KnowledgeBase, persona: PersonaDraw, rng: random.Random, filters: Filters,
                disposition: Optional[Disposition] = None) -> Optional[HiddenCase]:
    """A hidden case for this persona, or None when no condition fits (the caller draws a new persona)."""
    draw = _case_draw(kb, persona.demographics, filters, disposition)
    if draw is None:
        return None
    cid, comp, _ = draw.pick(rng)
    seed = int(rng.random() * 2 ** 53)
    # a known pregnancy is a fact of the case, whatever would have been drawn; and nobody can report at this
    # age what cannot be reported (a baby cannot say it feels it might die)
    forced = {kb.settings.pregnancy_finding: True} if persona.pregnant and kb.settings.pregnancy_finding else {}
    band = kb.age_band(persona.age_months)
    truth = sample_truth(kb, cid, comp, rng, age_band=band, forced=forced, sex=persona.sex)
    beyond_age = values_beyond_age(kb, persona.age_months)
    fit_values_to_age(kb, cid, truth, rng, beyond_age)
    dropped_durations: set[str] = set()
    for _ in range(3):  # a finding dropped for a clash may leave an implication to apply again
        apply_implications(kb, cid, truth, rng, HiddenCase(cid, comp, {}, kb, seed)._other, band, frozenset(forced),
                           beyond_age, persona.sex, complaint=comp)
        keep = frozenset(forced) | {kb.complaints[comp].finding}
        clashed = drop_clashing_findings(kb, truth, keep)
        # one an implication made present again (a daily headache is one of over a week) is left as it is
        restored = frozenset(f for f in dropped_durations if truth.get(f) is True)
        newly = drop_durations_beyond_the_problem(kb, cid, truth, keep | restored)
        dropped_durations.update(newly)
        if not newly and not clashed:
            break
    if dropped_durations:  # a drop in the last round still leaves every implication holding
        apply_implications(kb, cid, truth, rng, HiddenCase(cid, comp, {}, kb, seed)._other, band, frozenset(forced),
                           beyond_age, persona.sex, complaint=comp)
    return HiddenCase(cid, comp, truth, kb, seed)


def drop_durations_beyond_the_problem(kb: KnowledgeBase, condition: str, truth: dict[str, Answer],
                                      keep: frozenset[str]) -> list[str]:
    """A finding that says how long its symptom has lasted (``own_days``: 'a temperature for 5 days or more')
    that the condition has only through an implication, not as an edge written on it, is made absent (with its
    children) when the case's problem cannot have lasted that long: its duration band ends at or before the
    finding's first day. Blind read 2026-12-08 #20: an allergic reaction of hours, and 'a high temperature that
    won't go away after days', drawn at the rate the fever implication gives every condition with a fever. A
    condition whose own edges hold such a finding (a fever of 5 days before the rash of Kawasaki disease) keeps
    it, and so does a case where a consistency rule makes it present (``keep``: a daily headache has gone on
    for over a week, whatever the call is about). No randomness: the case is only corrected. Returns the
    findings dropped."""
    table = kb.settings.time_course
    duration = truth.get(table.duration) if table is not None else None
    if table is None or not isinstance(duration, str) or duration not in table.duration_days:
        return []
    ends = table.duration_days[duration][1]
    if ends is None:
        return []
    own = kb.cached("authored_edges", condition, lambda: frozenset(e.id for e in kb.conditions[condition].findings))
    dropped = []
    for fid in _own_duration_findings(kb):
        if truth.get(fid) is True and fid not in own and fid not in keep and ends <= kb.findings[fid].own_days[0]:
            truth[fid] = False
            _clear_children(kb, fid, truth)
            dropped.append(fid)
    return dropped


def _own_duration_findings(kb: KnowledgeBase) -> tuple[str, ...]:
    """Every finding with ``own_days``, in id order."""
    return kb.cached("own_duration_findings_all", None, lambda: tuple(
        sorted(fid for fid, f in kb.findings.items() if f.own_days is not None)))


def drop_clashing_findings(kb: KnowledgeBase, truth: dict[str, Answer], keep: frozenset[str]) -> bool:
    """A present finding whose ``implies`` the settled case breaks is made absent (with its children): two
    findings asking for onsets with nothing in common (a stroke's sudden weakness, and sight clouding slowly
    over months drawn at the leak rate) cannot both be true, and the consistency rules, applied last, win.
    No randomness: the case is only corrected. Returns whether any was dropped."""
    dropped = False
    for target, rules in sorted(implications(kb).items()):
        value = truth.get(target)
        if not isinstance(value, str) or not value:
            continue
        for source, source_value, allowed in rules:
            if source_value is None and truth.get(source) is True and value not in allowed and source not in keep:
                truth[source] = False
                _clear_children(kb, source, truth)
                dropped = True
    return dropped


def values_beyond_age(kb: KnowledgeBase, age_months: int) -> dict[str, frozenset[str]]:
    """Categorical finding -> its values that cannot be true yet at this age (a problem of more than 3 weeks
    in a baby not yet a month old), from the values' ``min_age_months``."""
    def limits() -> tuple:  # (finding, ((value, its minimum age), ...)) for the findings with any, in id order
        return tuple((fid, lim) for fid in sorted(kb.findings)
                     if (lim := tuple((v.id, v.min_age_months) for v in kb.findings[fid].values
                                      if v.min_age_months is not None)))

    def compute() -> dict[str, frozenset[str]]:
        out = {}
        for fid, lim in kb.cached("value_age_limits", None, limits):
            bad = frozenset(v for v, least in lim if age_months < least)
            if bad:
                out[fid] = bad
        return out
    return kb.cached("values_beyond_age", age_months, compute)


def fit_values_to_age(kb: KnowledgeBase, condition: str, truth: dict[str, Answer], rng: random.Random,
                      beyond_age: dict[str, frozenset[str]]) -> None:
    """Draw again, among the values that fit the age and in proportion to their probabilities, a categorical
    answer the person is too young for; ``rng`` is consumed only when one needs changing, so every other
    case draws exactly as before. The new value also keeps to what the case's other answers allow (a fever of
    5 days or more, or a gradual onset, rules out 'a few hours'), when any age-fitting value does."""
    rules = implications(kb).get
    for fid in sorted(beyond_age):
        if truth.get(fid) not in beyond_age[fid]:
            continue
        ok = [v.id for v in kb.findings[fid].values if v.id not in beyond_age[fid]]
        allowed = [v for v in ok if all(v in r[2] for r in rules(fid, ()) if rule_applies(r, truth))]
        truth[fid] = _draw_among(rng, kb.p_values(condition, fid), allowed or ok)


def apply_implications(kb: KnowledgeBase, condition: str, truth: dict[str, Answer], rng: random.Random,
                       other: Any, age_band: Optional[str] = None, fixed: frozenset[str] = frozenset(),
                       beyond_age: Optional[dict[str, frozenset[str]]] = None, sex: Optional[Sex] = None,
                       complaint: Optional[str] = None) -> None:
    """Make a drawn case satisfy every implication of ``kb.implies`` (a fit means a blackout; pain low on the
    left is pain low on one side), in the library's order, repeated until nothing changes.

    An 'if' finding the case has no value for yet takes the value it would be answered with (``other``, the
    case's on-demand draw). A binary 'then' is set; a categorical 'then' is redrawn among the allowed values
    in proportion to their probabilities, from ``rng`` (consumed only when a case needs correcting, so
    consistent cases draw exactly as before). A finding made absent takes its children with it. A 'then'
    nobody can report at this age, or a forced one (a known pregnancy), is left as it is; one scoped to other
    complaints than ``complaint`` is not applied.
    """
    chain = ancestors(kb)
    rules = _implication_table(kb, age_band, fixed, sex, complaint)
    binary = FindingType.binary
    findings = kb.findings

    def value(fid: str) -> Answer:  # present(fid) is checked by the caller, or the value is a plain default
        if fid in truth:
            return truth[fid]
        answer = other(fid)
        truth[fid] = answer
        return answer

    for _ in range(len(kb.implies) + 1):
        changed = False
        for fid, then_value, then_bool, if_items in rules:
            ok = True
            for f, wanted, wanted_bool in if_items:
                # present(f): every ancestor answered yes; then its value meets the wanted answer
                for a in chain[f]:
                    if truth.get(a) is not True:
                        ok = False
                        break
                if not ok:
                    break
                v = value(f)
                if not (v is wanted if wanted_bool else (isinstance(v, str) and v in wanted)):
                    ok = False
                    break
            if not ok:
                continue
            if fid in truth:
                v = truth[fid]
            else:
                for a in chain[fid]:
                    if truth.get(a) is not True:
                        v = False if findings[fid].type is binary else ""
                        break
                else:
                    v = value(fid)
            if v is then_value if then_bool else (isinstance(v, str) and v in then_value):
                continue
            wanted = then_value
            if then_bool:
                truth[fid] = wanted
                if not wanted:
                    _clear_children(kb, fid, truth)
                else:
                    _fill_children(kb, condition, fid, truth, rng, age_band, sex, beyond_age)
            else:
                wanted = [v for v in wanted if v not in (beyond_age or {}).get(fid, ())] or list(wanted)
                # and within what every other rule on it already holding allows (a duration both a gradual
                # onset and a 'daily for weeks' pattern limit), when some value satisfies them all
                limits = _limits(rules, fid, truth, chain)
                # and what the case's findings' own 'implies' allow (an onset over hours is not a problem of months,
                # when a headache of more than a week redraws the duration: seed 31, pre-eclampsia)
                limits += [r[2] for r in implications(kb).get(fid, ()) if rule_applies(r, truth)]
                wanted = [v for v in wanted if all(v in lim for lim in limits)] or wanted
                truth[fid] = _draw_among(rng, kb.p_values(condition, fid), wanted)
            changed = True
        if not changed:
            return


def _limits(rules: tuple, fid: str, truth: dict[str, Answer], chain: dict[str, tuple[str, ...]]) -> list:
    """The categorical 'then' lists of the rules on ``fid`` whose 'if' already holds in ``truth`` (only findings
    already drawn are read, so checking draws nothing)."""
    out = []
    for target, then_value, then_bool, if_items in rules:
        if target != fid or then_bool:
            continue
        if all(f in truth and all(truth.get(a) is True for a in chain[f])
               and (truth[f] is w if wb else (isinstance(truth[f], str) and truth[f] in w)) for f, w, wb in if_items):
            out.append(then_value)
    return out


def ancestors(kb: KnowledgeBase) -> dict[str, tuple[str, ...]]:
    """Finding -> its parents up the question hierarchy, nearest first (computed once per library): a finding
    is present in a set of answers when every one of them is answered yes."""
    def compute() -> dict[str, tuple[str, ...]]:
        out = {}
        for fid, f in kb.findings.items():
            chain = []
            node = f.parent
            while node is not None:
                chain.append(node)
                node = kb.findings[node].parent
            out[fid] = tuple(chain)
        return out
    return kb.cached("ancestors", None, compute)


def _implication_table(kb: KnowledgeBase, age_band: Optional[str], fixed: frozenset[str],
                       sex: Optional[Sex] = None, complaint: Optional[str] = None) -> tuple:
    """``kb.implies`` in the library's order as plain tuples (then finding, then answer, whether it is binary,
    ((if finding, wanted answer, whether binary), ...)), without those whose 'then' is fixed or cannot be
    reported in this age band, or that are scoped to other complaints: built once per (band, fixed findings,
    complaint) rather than per case."""
    def compute() -> tuple:
        mute = kb.unreportable(age_band, sex) if age_band is not None else frozenset()
        out = []
        for imp in kb.implies:
            fid = imp.then_finding
            if fid in fixed or fid in mute \
                    or not imp.holds_for(complaint):
                continue
            out.append((fid, imp.then_value, isinstance(imp.then_value, bool),
                        tuple((f, w, isinstance(w, bool)) for f, w in imp.if_items)))
        return tuple(out)
    return kb.cached("implication_table", (age_band, fixed, sex, complaint), compute)


def _draw_among(rng: random.Random, dist: Mapping[str, float], ids: list[str]) -> str:
    """One of ``ids`` in proportion to the condition's probabilities for them, or uniformly when all are 0."""
    return weighted_pick(rng, ids, [dist[v] for v in ids]) if sum(dist[v] for v in ids) > 0 else pick(rng, ids)


def _fill_children(kb: KnowledgeBase, condition: str, parent: str, truth: dict[str, Answer], rng: random.Random,
                   age_band: Optional[str], sex: Optional[Sex], beyond_age: Optional[dict[str, frozenset[str]]]) -> None:
    """A parent an implication makes present gives its categorical children a value: one settled as "" while the
    parent was absent would be asked and answered with no value (iron-deficiency anaemia, dizzy on standing,
    so dizzy: its dizziness_timing stayed "" and the draw failed, seed 22 with --balance disposition)."""
    for fid in list(truth):
        f = kb.findings[fid]
        if f.parent != parent or f.type is not FindingType.categorical or truth[fid] != "":
            continue
        if age_band is not None and not kb.reportable(fid, age_band, sex):
            continue
        ids = [v.id for v in f.values]
        ids = [v for v in ids if v not in (beyond_age or {}).get(fid, ())] or ids
        truth[fid] = _draw_among(rng, kb.p_values(condition, fid), ids)


def _clear_children(kb: KnowledgeBase, parent: str, truth: dict[str, Answer]) -> None:
    for fid in list(truth):
        f = kb.findings[fid]
        if f.parent == parent:
            truth[fid] = False if f.type is FindingType.binary else (frozenset() if f.type is FindingType.multi else "")
            _clear_children(kb, fid, truth)


def check_filters(kb: KnowledgeBase, filters: Filters) -> None:
    """Unknown ids in --condition / --complaint, or a combination that no condition satisfies, fail early."""
    from .knowledge import unknown_id

    for cid in sorted(filters.conditions):
        if cid not in kb.conditions:
            raise UsageError(unknown_id("condition", cid, kb.conditions))
    for comp in sorted(filters.complaints):
        if comp not in kb.complaints:
            raise UsageError(unknown_id("complaint", comp, kb.complaints))
    if filters.conditions and filters.complaints:
        if not any(set(kb.conditions[c].complaints) & filters.complaints for c in filters.conditions):
            raise UsageError("none of the chosen conditions presents with the chosen complaints")


def implied_answers(kb: KnowledgeBase, known: Mapping[str, Answer],
                    complaint: Optional[str] = None,
                    unreportable: frozenset[str] = frozenset()) -> dict[str, Answer]:
    """The answers ``known`` already settles through ``kb.implies``: a 'then' whose 'if' holds in what is known
    and which leaves one answer (a swallow under an hour ago was under 4 hours ago; a fit was a blackout). Only
    findings not yet known are returned, to a fixed point. A clinician does not ask what was just said in
    other words; the planner and validate both add these to what the dialogue revealed. An implication scoped
    to complaints applies only in a call about one of them (``complaint``). A finding the person cannot report
    (``kb.unreportable`` for their age and sex) is not settled: a newborn who vomits has not told anyone of
    nausea."""
    out: dict[str, Answer] = {}
    seen = dict(known)
    rules, always, by_first = _settling_index(kb, complaint)
    for _ in range(len(rules) + 1):
        changed = False
        # a pass over the rules in library order, visiting only those whose first 'if' finding is known (any
        # other fails on it): the same rules fire in the same order as a pass over all of them, a rule made
        # visitable by an answer settled earlier in the pass included
        heap = [*always, *(i for f in seen for i in by_first.get(f, ()))]
        heapq.heapify(heap)
        while heap:
            at = heapq.heappop(heap)
            fid, answer, if_items = rules[at]
            if fid in seen or fid in unreportable:
                continue
            for f, wanted, is_bool in if_items:
                v = seen.get(f)
                if not (v is wanted if is_bool else (isinstance(v, str) and v in wanted)):
                    break
            else:
                seen[fid] = out[fid] = answer
                changed = True
                for later in by_first.get(fid, ()):
                    if later > at:
                        heapq.heappush(heap, later)
        if not changed:
            return out
    return out


def _settling_index(kb: KnowledgeBase, complaint: Optional[str] = None) -> tuple:
    """(:func:`_settling_rules`, the positions of those with no 'if', each first 'if' finding -> the positions
    of the rules it opens, ascending): :func:`implied_answers` runs after every answer of every dialogue, and
    most rules' first finding is unknown then."""
    def compute() -> tuple:
        rules = _settling_rules(kb, complaint)
        always = tuple(i for i, (_, _, if_items) in enumerate(rules) if not if_items)
        by_first: dict[str, list[int]] = {}
        for i, (_, _, if_items) in enumerate(rules):
            if if_items:
                by_first.setdefault(if_items[0][0], []).append(i)
        return rules, always, {f: tuple(at) for f, at in by_first.items()}
    return kb.cached("settling_index", complaint, compute)


def _settling_rules(kb: KnowledgeBase, complaint: Optional[str] = None) -> tuple:
    """The rows of :func:`_implication_table` that leave one answer (a binary 'then', or a categorical 'then' of
    one value), as (then finding, its answer, if items), built once per library: :func:`implied_answers` runs
    after every answer of every dialogue."""
    def compute() -> tuple:
        return tuple((fid, then if is_bool else then[0], if_items)
                     for fid, then, is_bool, if_items in _implication_table(kb, None, frozenset(), complaint=complaint)
                     if is_bool or (len(then) == 1 and kb.findings[fid].type is FindingType.categorical))
    return kb.cached("settling_rules", complaint, compute)
