"""Safety-first disposition, its reasons, and the next best questions.

The gold disposition is the most urgent of (DESIGN.md, 'Escalation labels'):
  (a) every red flag reported present;
  (b) every condition that is still plausible (posterior at or above the threshold), and the most likely one;
  (c) every demographic modifier whose conditions hold.
A red flag is never used as evidence *against* a dangerous condition: a condition counts as plausible (or
as the most likely) if it is so with, or without, any subset of the red flags reported present (beyond six
present, the subsets that keep at most six). This makes a reported red flag unable to lower the
disposition, which plain Bayesian thresholds would not guarantee.
"""

from __future__ import annotations

from dataclasses import dataclass, field
import heapq
from functools import lru_cache
from itertools import combinations
from typing import Iterator, Literal, Sequence

from .content import Condition, CrisisResource, Disposition, FindingKind, Modifier, Screen, Sex
from .inference import (
    GainTables, Posterior, above, contradicted, expected_gain, focus, posterior, posterior_vector, ranked,
    relevant_findings, validate_observations,
)


@lru_cache(maxsize=8)
def gain_tables(kb: KnowledgeBase) -> GainTables:
    return GainTables(kb)
from .knowledge import Demographics, KnowledgeBase, Observations

ReasonKind = Literal["red_flag", "plausible_condition", "most_likely_condition", "modifier"]
#: posteriors are computed keeping at most this many of the red flags reported (every subset when there are
#: no more than this many): a family of subsets that only grows when a red flag is added, so the rule stays
#: monotone at any count, and costs a bounded number of posteriors
_MAX_KEPT_FLAGS = 6
#: more red flags reported at once than this is refused: the subsets to weigh would grow too many
MAX_PRESENT_RED_FLAGS = 12
#: what counts as evidence for a condition (risk factors and history only weigh its prior)
_EVIDENCE_KINDS = frozenset({FindingKind.symptom, FindingKind.sign})


@dataclass(frozen=True)
class Reason:
    kind: ReasonKind
    id: str
    disposition: Disposition
    detail: str

    def as_dict(self) -> dict:
        return {"kind": self.kind, "id": self.id, "disposition": self.disposition.value, "detail": self.detail}


@dataclass(frozen=True)
class Decision:
    disposition: Disposition
    reasons: tuple[Reason, ...]  # those at the final level first, then the rest, most urgent first
    plausible: dict[str, float]  # condition -> highest posterior it reached over the red-flag subsets
    red_flags_present: tuple[str, ...]
    crisis_resource: CrisisResource

    @property
    def decisive(self) -> tuple[Reason, ...]:
        return tuple(r for r in self.reasons if r.disposition is self.disposition)


def present_red_flags(kb: KnowledgeBase, observations: Observations) -> list[str]:
    return sorted(f for f, a in observations.items() if a is True and kb.findings[f].red_flag is not None)


def modifier_applies(m: Modifier, who: Demographics, observations: Observations) -> bool:
    return modifier_fits(m, who) and modifier_findings_present(m, observations)


def modifier_fits(m: Modifier, who: Demographics) -> bool:
    """The demographic half of a modifier's conditions: age, sex, pregnancy."""
    w = m.when
    if w.age_below_months is not None and not who.age_months < w.age_below_months:
        return False
    if w.age_at_least_months is not None and not who.age_months >= w.age_at_least_months:
        return False
    if w.sex is not None and who.sex is not w.sex:
        return False
    return w.pregnant is None or who.pregnant is w.pregnant


def modifier_findings_present(m: Modifier, observations: Observations) -> bool:
    """The findings half of a modifier's conditions: every finding it names reported present, every
    categorical finding it names reported with one of its values, and every finding in ``absent`` reported
    absent (an unknown answer is not an absence)."""
    return all(observations.get(f) is True for f in m.when.present) and values_hold(m.when.values, observations) \
        and all(observations.get(f) is False for f in m.when.absent)


def values_hold(values: dict[str, list[str]], observations: Observations) -> bool:
    """Each categorical finding named was reported, with one of the values named (``when.values``)."""
    return all(observations.get(f) in allowed for f, allowed in values.items())


def screen_fits(sc: Screen, who: Demographics) -> bool:
    """The demographic half of a must-ask's conditions (as for a modifier)."""
    return modifier_fits(sc, who)  # type: ignore[arg-type]  # same 'when' fields


def pending_must_asks(kb: KnowledgeBase, who: Demographics, observations: Observations,
                      fitting: tuple[Screen, ...] | None = None, fitting_ids: frozenset[str] | None = None) -> dict[str, str]:
    """Must-asks whose conditions hold and whose finding is not yet known -> the question that asks it now.

    That question is the finding itself, or its most distant unknown ancestor (a gateway); a must-ask under
    an ancestor reported absent, or that nobody of this age can report, is settled. ``fitting`` is the
    screens whose demographic half already holds, when the caller has them (and ``fitting_ids`` their ids).
    """
    band = kb.age_band(who.age_months)
    if fitting is None:
        fitting = tuple(sc for sc in kb.screens if screen_fits(sc, who))
    fits = fitting_ids if fitting_ids is not None else {sc.id for sc in fitting}
    mute = kb.unreportable(band, who.sex)  # once per call, not once per must-ask
    out: dict[str, str] = {}
    for sc in _screens_in_play(kb, observations):
        if sc.id not in fits:
            continue
        w = sc.when
        if sc.ask in observations or sc.ask in mute:
            continue
        if not all(observations.get(f) is True for f in w.present):
            continue
        if not all(observations.get(f) is False for f in w.absent):
            continue
        if w.any_present and not any(observations.get(f) is True for f in w.any_present):
            continue
        if any(observations.get(f) is True for f in w.none_present):
            continue
        if not values_hold(w.values, observations):
            continue
        chain = ancestors(kb, sc.ask)
        if any(observations.get(a) is False for a in chain):
            continue
        unknown = [a for a in chain if a not in observations]
        question = unknown[-1] if unknown else sc.ask
        if question not in out or (sc.first and out[question] not in first_screens(kb)):
            out[question] = sc.id  # a question two must-asks share is named by one asked first, if any
    return out


def first_screens(kb: KnowledgeBase) -> frozenset[str]:
    """The must-asks marked ``first``: asked before the other must-asks (the airway before the temperature)."""
    return kb.cached("first_screens", None, lambda: frozenset(sc.id for sc in kb.screens if sc.first))


def sources_in_force(kb: KnowledgeBase, age_months: int) -> tuple[int, ...]:
    """Which of the library's age-scoped sources (of red flags and modifiers, in a fixed order) cover this age:
    the part of a decision's wording that two ages in one band can differ in (NICE CG57 is cited for under-12s)."""
    def compute() -> tuple[int, ...]:
        scoped = kb.cached("age_scoped_sources", None, lambda: tuple(
            [s for f in kb.findings.values() if f.red_flag is not None for s in f.red_flag.source_by_age]
            + [s for m in kb.modifiers for s in m.source_by_age]
            + [s for c in kb.conditions.values() if c.until_suspected for s in c.until_suspected.source_by_age]))
        return tuple(i for i, s in enumerate(scoped) if s.covers(age_months))
    return kb.cached("sources_in_force", age_months, compute)


def _screens_in_play(kb: KnowledgeBase, observations: Observations) -> list[Screen]:
    """The must-asks that can hold for these answers, in library order (see :func:`_in_play`)."""
    return _in_play(kb, "screens", kb.screens, observations)


def modifiers_in_play(kb: KnowledgeBase, observations: Observations) -> list[Modifier]:
    """The modifiers whose findings half can hold for these answers, in library order (see :func:`_in_play`)."""
    return _in_play(kb, "modifiers", kb.modifiers, observations)


def _in_play(kb: KnowledgeBase, table: str, items: tuple, observations: Observations) -> list:
    """The items of ``items`` (must-asks or modifiers) that can hold for these answers, in their order. One that
    names findings to be present (``present``, ``any_present``) needs one of them reported present, so only
    those of the findings reported present, and those that name none, are looked at: a handful, not every
    item of the library."""
    def compute() -> tuple[tuple[int, ...], dict[str, tuple[int, ...]]]:
        always: list[int] = []
        by_trigger: dict[str, list[int]] = {}
        for i, item in enumerate(items):
            triggers = set(item.when.present) | set(getattr(item.when, "any_present", ()))
            if not triggers:
                always.append(i)
            for f in triggers:
                by_trigger.setdefault(f, []).append(i)
        return tuple(always), {f: tuple(at) for f, at in by_trigger.items()}

    always, by_trigger = kb.cached("triggers", table, compute)
    at = set(always)
    for fid, answer in observations.items():
        if answer is True and fid in by_trigger:
            at.update(by_trigger[fid])
    return [items[i] for i in sorted(at)]


def pending_rule_outs(kb: KnowledgeBase, decision: Decision, observations: Observations,
                      age_band: str | None = None, sex: Sex | None = None) -> dict[str, str]:
    """Rule out before escalating: when the disposition rests only on a dangerous condition being plausible
    (no red flag or modifier at that level), that condition's rule-out questions (with the exposure or history
    it cannot exist without: :meth:`KnowledgeBase.rule_out_questions`) not yet answered -> the condition. Each
    is asked as itself or through its most distant unknown ancestor (a gateway)."""
    decisive = decision.decisive
    if any(r.kind in ("red_flag", "modifier") for r in decisive):
        return {}
    mute = kb.unreportable(age_band, sex) if age_band is not None else frozenset()
    out: dict[str, str] = {}
    for r in decisive:
        for fid in kb.rule_out_questions(r.id):
            if fid in observations or fid in mute:
                continue
            chain = ancestors(kb, fid)
            if any(observations.get(a) is False for a in chain):
                continue
            unknown = [a for a in chain if a not in observations]
            out.setdefault(unknown[-1] if unknown else fid, r.id)
    return out


def _flag_subsets(flags: list[str]) -> Iterator[tuple[str, ...]]:
    """The sets of red flags to leave out: every subset whose complement keeps at most _MAX_KEPT_FLAGS.

    Adding a red flag only adds to this family (each kept set of the smaller report is a kept set of the
    larger), which is what makes "a reported red flag never lowers the disposition" hold by construction.
    """
    if len(flags) > MAX_PRESENT_RED_FLAGS:
        from .errors import UsageError

        raise UsageError(f"{len(flags)} red flags are reported present; at most {MAX_PRESENT_RED_FLAGS} can be "
                         f"weighed at once (each is already an emergency sign: report the ones that apply)")
    for r in range(min(len(flags), _MAX_KEPT_FLAGS), -1, -1):
        for kept in combinations(flags, r):
            yield tuple(f for f in flags if f not in kept)


def ruled_out(kb: KnowledgeBase, condition: str, observations: Observations) -> bool:
    """Whether every question that rules ``condition`` in or out (its ``rule_out``) was answered no (itself or
    a question above it): the condition stays in the differential but no longer decides the level. Asking
    them is how a clinician rules a danger out; a denied answer that changed nothing would make asking moot."""
    return condition in ruled_out_conditions(kb, observations)


def ruled_out_conditions(kb: KnowledgeBase, observations: Observations) -> frozenset[str]:
    """Every condition :func:`ruled_out` by the answers so far (only the conditions that a denial reported so
    far can close a question of are looked at: the rest cannot be)."""
    closers, by_denial = _rule_out_index(kb)
    denied = {f for f, a in observations.items() if a is False and f in by_denial}
    if not denied:
        return frozenset()
    reached = {cid for f in denied for cid in by_denial[f]}
    return frozenset(cid for cid in reached if all(not denied.isdisjoint(c) for c in closers[cid]))


def _rule_out_index(kb: KnowledgeBase) -> tuple[dict[str, tuple[frozenset[str], ...]], dict[str, frozenset[str]]]:
    """For each condition with rule-out questions, the set of denials that closes each question (the question
    or any question above it); and for each finding, the conditions a denial of it can help rule out. Only
    those conditions need checking, so the answer costs a few set operations, not a pass over the library."""
    def compute():
        closers = {cid: tuple(frozenset((f,) + ancestors(kb, f)) for f in c.rule_out)
                   for cid, c in kb.conditions.items() if c.rule_out}
        by_denial: dict[str, set[str]] = {}
        for cid, sets in closers.items():
            for f in frozenset().union(*sets):
                by_denial.setdefault(f, set()).add(cid)
        return closers, {f: frozenset(cids) for f, cids in by_denial.items()}
    return kb.cached("rule_out_index", None, compute)


def _supported(kb: KnowledgeBase, observations: Observations) -> set[str]:
    """Conditions with evidence: an edge to a symptom or sign reported present, or to what the person called
    about (a complaint's finding, such as a head injury or a swallowed substance). A risk factor or history
    alone (a known pregnancy, diabetes) does not make a condition plausible; it only weighs its prior."""
    evidence = kb.cached("evidence_findings", None, lambda: frozenset(
        [f for f, x in kb.findings.items() if x.kind in _EVIDENCE_KINDS]
        + [c.finding for c in kb.complaints.values()]))
    out: set[str] = set()
    for fid, answer in observations.items():
        if answer is False or answer == frozenset() or fid not in evidence:
            continue
        out.update(_supported_by(kb, fid))
    return out


def _supported_by(kb: KnowledgeBase, fid: str) -> tuple[str, ...]:
    """The conditions a finding reported present is evidence for. A non-specific finding (one with a background
    rate: fever, cough, headache) is evidence only for the conditions that present with it as a complaint, so a
    fever in someone calling about a cough does not make orbital cellulitis plausible and put its questions
    to them; a specific finding is evidence for every condition with an edge to it."""
    def compute() -> tuple[str, ...]:
        if kb.findings[fid].background is None:
            return tuple(kb.used_by[fid])
        complaints = {c.id for c in kb.complaints.values() if c.finding == fid}
        return tuple(c for c in kb.used_by[fid] if complaints & set(kb.conditions[c].complaints))
    return kb.cached("supported_by", fid, compute)


def _count_top(conds: tuple[str, ...], probs, into: dict[str, float], excluded: frozenset[str] = frozenset()) -> None:
    """Record the most likely condition of one posterior (the first of equal maxima: the lowest id, as
    ranked() would put first), keeping the highest probability it reached; ``excluded`` (conditions ruled out
    by their own questions) are passed over unless nothing else is left."""
    if excluded and not excluded.issuperset(conds):
        probs = probs.copy()
        for i, c in enumerate(conds):
            if c in excluded:
                probs[i] = -1.0
    best = int(probs.argmax())
    top, p = conds[best], float(probs[best])
    if p > into.get(top, -1.0):
        into[top] = p


def _unsuspected(cond: Condition, observations: Observations, age_months: int) -> str:
    """Why a plausible condition carries another level than its own, for the reason's text: a dangerous one
    not yet suspected, or one whose guideline sets another level at this age (citing only the guidelines that
    cover this age: NICE NG143 never for a 7-year-old)."""
    if cond.level(observations, age_months) is cond.disposition:
        return ""
    by_age = cond.age_level(age_months)
    if by_age is not None and cond.until_suspected is None:
        return f", at this age {by_age.disposition.value} ({by_age.source})"
    u = cond.until_suspected
    assert u is not None
    return f", with no sign that makes it suspected reported, so {u.disposition.value} ({u.cite(age_months)})"


def _defined(kb: KnowledgeBase, condition: str, observations: Observations) -> bool:
    """Whether what defines ``condition`` was reported: every obligatory finding, or (with none) one of the
    questions that rule it in. Carbon monoxide kept plausible at 5 % in a confused woman never asked about
    fumes gave the poisons line (issue #9, D15)."""
    obligatory = kb.obligatory(condition)
    if obligatory:
        return all(observations.get(f) is True for f in obligatory)
    rule_in = kb.conditions[condition].rule_out
    return not rule_in or any(observations.get(f) is True for f in rule_in)


def decide(kb: KnowledgeBase, who: Demographics, observations: Observations,
           post: Posterior | None = None) -> Decision:
    """The safety-first disposition for what is known now, with every reason that contributes."""
    if post is None:
        conds, probs = posterior_vector(kb, who, observations)
    else:
        import numpy as np

        conds = tuple(sorted(post))
        probs = np.fromiter(map(post.__getitem__, conds), dtype=float, count=len(conds))
    return decide_vector(kb, who, observations, conds, probs)


def decide_vector(kb: KnowledgeBase, who: Demographics, observations: Observations, conds: tuple[str, ...],
                  probs, modifiers: Sequence[Modifier] | None = None) -> Decision:
    """:func:`decide` on a posterior vector (``conds`` in id order, as from ``posterior_vector``).

    Conditions are counted from the posterior with, and without, the subsets of the red flags reported
    (:func:`_flag_subsets`): those above the threshold in any of them, and the most likely one of each.
    Counting only the most likely of the full posterior would let a red flag change which condition that
    is, and so lower the level (a 98-year-old reporting difficulty swallowing went from urgent to routine).
    ``modifiers`` are those that apply (in library order), when the caller already knows them.
    """
    threshold = kb.settings.plausible_threshold
    flags = present_red_flags(kb, observations)
    excluded = ruled_out_conditions(kb, observations)
    plausible: dict[str, float] = {}
    likeliest: dict[str, float] = {}
    for removed in _flag_subsets(flags):
        if removed:
            reduced = {f: a for f, a in observations.items() if f not in removed}
            r_conds, r_probs = posterior_vector(kb, who, reduced)
        else:
            r_conds, r_probs = conds, probs
        for c, p in above(r_conds, r_probs, threshold).items():
            if p > plausible.get(c, 0.0):
                plausible[c] = p
        _count_top(r_conds, r_probs, likeliest, excluded)
    supported = _supported(kb, observations)
    plausible = {c: p for c, p in plausible.items() if c in supported and c not in excluded}
    reasons: list[Reason] = []
    crisis = CrisisResource.none
    for fid in flags:
        rf = kb.findings[fid].red_flag
        assert rf is not None
        reasons.append(Reason("red_flag", fid, rf.disposition, f"{kb.findings[fid].name} ({rf.cite(who.age_months)})"))
        if rf.crisis_resource is not CrisisResource.none and crisis is CrisisResource.none:
            crisis = rf.crisis_resource
    for c, p in sorted(plausible.items(), key=lambda kv: (-kv[1], kv[0])):
        cond = kb.conditions[c]
        reasons.append(Reason("plausible_condition", c, cond.level(observations, who.age_months),
                              f"{cond.name} is still plausible (p={p:.3f} >= {threshold}){_unsuspected(cond, observations, who.age_months)}"))
    for top, top_p in sorted(likeliest.items()):
        if top not in plausible:
            cond = kb.conditions[top]
            reasons.append(Reason("most_likely_condition", top, cond.level(observations, who.age_months),
                                  f"{cond.name} is the most likely (p={top_p:.3f}){_unsuspected(cond, observations, who.age_months)}"))
    if modifiers is None:
        modifiers = [m for m in kb.modifiers if modifier_applies(m, who, observations)]
    for m in modifiers:
        reasons.append(Reason("modifier", m.id, m.disposition, f"{m.reason} ({m.cite(who.age_months)})"))
    disposition = max((r.disposition for r in reasons), key=lambda d: d.rank)
    if crisis is CrisisResource.none:
        for r in reasons:
            if r.kind in {"plausible_condition", "most_likely_condition"}:
                cond = kb.conditions[r.id]
                resource = cond.crisis_resource
                # a poisons line only once what defines the poisoning was said: a dizzy child whose likeliest
                # cause is a swallowed extra dose, never asked about, is not told to ring about a poisoning
                defined = _defined(kb, r.id, observations)
                if resource is not CrisisResource.none and defined:
                    crisis = resource
                    break
    order = sorted(reasons, key=lambda r: (r.disposition is not disposition, -r.disposition.rank))
    return Decision(disposition, tuple(order), plausible, tuple(flags), crisis)


# ---------------------------------------------------------------------------------------------------------
# Questions


@dataclass(frozen=True)
class QuestionScore:
    finding: str
    expected_gain: float
    condition_gain: float
    disposition_gain: float
    red_flag: Disposition | None
    """the level of the most urgent red flag this question screens, when that is above the current level"""
    screens: str | None = None
    """that red flag: the finding itself, or a red flag below it in the question hierarchy"""
    must_ask: str | None = None
    """the must-ask (screen id) this question answers: asked before anything else, whatever its gain"""
    rules_out: str | None = None
    """the dangerous condition this question rules in or out before it alone decides the disposition"""

    def as_dict(self) -> dict:
        return {"finding": self.finding, "expected_gain": round(self.expected_gain, 6),
                "condition_gain": round(self.condition_gain, 6),
                "disposition_gain": round(self.disposition_gain, 6),
                "red_flag": self.red_flag.value if self.red_flag else None, "screens": self.screens,
                "must_ask": self.must_ask, "rules_out": self.rules_out}


def pending_red_flags(kb: KnowledgeBase, observations: Observations, plausible: dict[str, float],
                      age_band: str | None = None, sex: Sex | None = None) -> dict[str, str]:
    """Red flags bearing on a plausible condition and not yet ruled out -> the question that screens them.

    That question is the flag itself when it can be asked now, or the first unasked ancestor in its
    question hierarchy (a gateway: 'is the redness spreading?' before 'is it spreading fast?'). A flag
    under an ancestor reported absent is ruled out.
    """
    linked: set[str] = set()
    for c in plausible:
        linked.update(reportable_red_flags(kb, c, age_band, sex))
    out: dict[str, str] = {}
    for fid in sorted(linked):
        if fid in observations:
            continue
        chain = ancestors(kb, fid)
        if any(observations.get(a) is False for a in chain) or contradicted(kb, fid, observations):
            continue
        unknown = [a for a in chain if a not in observations]
        out[fid] = unknown[-1] if unknown else fid  # the most distant unknown ancestor is askable now
    return out


def linked_red_flags(kb: KnowledgeBase, condition: str) -> tuple[str, ...]:
    """The red flags a condition has an edge to: screened before a lower disposition is given."""
    return kb.cached("linked_red_flags", condition, lambda: tuple(
        f for f in kb.likelihoods[condition] if kb.findings[f].red_flag is not None))


def reportable_red_flags(kb: KnowledgeBase, condition: str, age_band: str | None,
                         sex: Sex | None = None) -> tuple[str, ...]:
    """The red flags a condition has an edge to that someone in this age band (and of this sex) can report (all
    of them when no band is given): fixed per library, so the check is not repeated for every state."""
    return kb.cached("reportable_red_flags", (condition, age_band, sex), lambda: tuple(
        f for f in linked_red_flags(kb, condition) if age_band is None or kb.reportable(f, age_band, sex)))


def ancestors(kb: KnowledgeBase, finding: str) -> tuple[str, ...]:
    """A finding's parent, its parent's parent, and so on up the question hierarchy (from a table of every
    finding's chain, built once per library: asked about 200 times a record)."""
    try:
        return kb.cache["ancestor_chains"][None][finding]
    except KeyError:
        return kb.cached("ancestor_chains", None, lambda: _ancestor_chains(kb))[finding]


def _ancestor_chains(kb: KnowledgeBase) -> dict[str, tuple[str, ...]]:
    """Every finding -> its parent, its parent's parent, and so on."""
    out = {}
    for fid, f in kb.findings.items():
        chain = []
        parent = f.parent
        while parent is not None:
            chain.append(parent)
            parent = kb.findings[parent].parent
        out[fid] = tuple(chain)
    return out


def unasked_red_flags(kb: KnowledgeBase, observations: Observations, plausible: dict[str, float],
                      age_band: str | None = None, sex: Sex | None = None) -> list[str]:
    """Red flags that bear on a plausible condition and are not yet ruled out, most urgent first."""
    flags = pending_red_flags(kb, observations, plausible, age_band, sex)
    return sorted(flags, key=lambda f: (-kb.findings[f].red_flag.disposition.rank, f))  # type: ignore[union-attr]


def score_questions(kb: KnowledgeBase, post: Posterior | None, observations: Observations, plausible: dict[str, float],
                    current: Disposition, *, age_band: str | None = None, sex: Sex | None = None, tables: bool = True,
                    limit: int | None = None, screens_only: bool = False,
                    focused: Posterior | None = None, must_ask: dict[str, str] | None = None,
                    rule_out: dict[str, str] | None = None) -> list[QuestionScore]:
    """Relevant unasked questions: those screening a red flag that would raise the disposition first, then by gain.

    Rule-out logic asks first about the dangers that would change the decision (NHS Pathways: "life-threatening
    problems are assessed first"; Schmitt-Thompson: most serious first): a red flag bearing on a plausible
    condition whose level is above ``current``, or the gateway question above it in the hierarchy, most
    urgent first. A red flag that could not raise the level gets no priority; its value is in its expected
    gain like any other question. Gains are compared at 9 decimals, so floating-point noise cannot reorder
    questions, and ties go to the finding id. ``screens_only`` returns just the red-flag screens (the head
    of the full list), for when no information question could be asked any more. ``focused`` is
    ``focus(post)`` when the caller already has it (``post`` may then be None). ``must_ask`` (question ->
    screen id, from :func:`pending_must_asks`) come before everything: they are start-of-call questions, those
    of a screen marked ``first`` (a child's airway) before the rest.
    ``rule_out`` (question -> condition, from :func:`pending_rule_outs`) come after the red-flag screens and
    before the information questions.
    """
    if focused is None:
        assert post is not None, "score_questions needs the posterior or its focus"
        focused = focus(post)
    screens: dict[str, tuple[Disposition, str]] = {}  # question -> (level, flag) of the most urgent flag it screens
    for flag, question in pending_red_flags(kb, observations, plausible, age_band, sex).items():
        level = kb.findings[flag].red_flag.disposition  # type: ignore[union-attr]
        if level.rank <= current.rank:
            continue
        if question not in screens or level.rank > screens[question][0].rank:
            screens[question] = (level, flag)
    # most urgent screens first, then everything else; within a group by gain. Gains are computed one group
    # at a time, so a turn settled by a red-flag screen does not pay for scoring every other question.
    levels = sorted({level.rank for level, _ in screens.values()}, reverse=True)
    must, ruling = must_ask or {}, rule_out or {}
    # questions with a follow-up already reported below them (hand-made input only: dialogues ask parents first)
    above_reported = {a for f in observations for a in ancestors(kb, f)} - set(observations)

    def groups() -> Iterator[list[str]]:
        """The groups in the order they are asked; the information questions are found only if reached
        (a turn settled by a must-ask or a screen does not pay for listing every relevant finding)."""
        first = first_screens(kb)
        yield sorted(f for f in must if must[f] in first)
        yield sorted(f for f in must if must[f] not in first)
        for rank in levels:
            yield sorted(f for f in screens if screens[f][0].rank == rank and f not in must)
        yield sorted(f for f in ruling if f not in must and f not in screens)
        if not screens_only:
            yield [f for f in relevant_findings(kb, focused, observations, age_band, sex)
                   if f not in screens and f not in must and f not in ruling]

    out: list[QuestionScore] = []
    for group in groups():
        if limit is not None and len(out) >= limit:
            break
        if not group:
            continue
        if tables:
            gc, gd, total = gain_tables(kb).totals(focused, group)
            for i, fid in enumerate(group):  # the tables assume nothing was reported below the question
                if fid in above_reported:
                    g = expected_gain(kb, focused, fid, observations)
                    gc[i], gd[i], total[i] = g.condition_gain, g.disposition_gain, g.total
        else:
            ref = [expected_gain(kb, focused, fid, observations) for fid in group]
            gc, gd, total = [g.condition_gain for g in ref], [g.disposition_gain for g in ref], [g.total for g in ref]
        want = None if limit is None else limit - len(out)
        if want == 1 and total:
            # only the best is wanted: just the gains within rounding distance of the top can tie at 9 decimals
            floor = max(total) - 1e-8
            keys = [(-round(t, 9), group[i], i) for i, t in enumerate(total) if t >= floor]
        else:
            keys = [(-round(t, 9), fid, i) for i, (t, fid) in enumerate(zip(total, group))]
        take = sorted(keys) if want is None else heapq.nsmallest(want, keys)
        for _, fid, i in take:
            level, flag = screens.get(fid, (None, None))
            out.append(QuestionScore(fid, total[i], gc[i], gd[i], level, flag, must.get(fid), ruling.get(fid)))
    return out


# ---------------------------------------------------------------------------------------------------------
# One call for the triage command and for users of the library


@dataclass(frozen=True)
class Assessment:
    differential: list[tuple[str, float]]
    decision: Decision
    red_flags_unasked: list[str]
    next_questions: list[QuestionScore] = field(default_factory=list)
    _info_state: str | None = None
    notes: tuple[str, ...] = ()
    """how the report was read where it contradicted itself (a finding reported below a denied one)"""

    @property
    def info_state(self) -> str:
        """'needs_more_info' while a must-ask, a rule-out question or a red flag that could raise the level is unasked."""
        if self._info_state is not None:
            return self._info_state
        first = self.next_questions[:1]
        screening = any(q.red_flag is not None or q.must_ask or q.rules_out for q in first)
        return "needs_more_info" if screening else "sufficient"

    def as_dict(self) -> dict:
        return {
            "differential": [{"condition": c, "p": round(p, 6)} for c, p in self.differential],
            "disposition": self.decision.disposition.value,
            "level4": self.decision.disposition.level4,
            "level3": self.decision.disposition.level3,
            "reasons": [r.as_dict() for r in self.decision.reasons],
            "red_flags_present": list(self.decision.red_flags_present),
            "red_flags_unasked": self.red_flags_unasked,
            "info_state": self.info_state,
            "crisis_resource": self.decision.crisis_resource.value,
            "next_questions": [q.as_dict() for q in self.next_questions],
            "notes": list(self.notes),
        }


def assess(kb: KnowledgeBase, who: Demographics, observations: Observations, *, n_questions: int = 5) -> Assessment:
    """Differential, safety-first disposition with reasons, unasked red flags and next best questions."""
    validate_observations(kb, observations)
    given = {**baseline_observations(kb, who), **observations}
    observations, overridden = _resolve_parents(kb, given)
    notes = tuple(f"'{child}' is reported present although '{parent}' was denied: the more specific report is "
                  f"acted on, so '{parent}' counts as present" for parent, child in overridden)
    post = posterior(kb, who, observations)
    decision = decide(kb, who, observations, post)
    threshold = kb.settings.differential_threshold
    differential = [(c, p) for c, p in ranked(post) if p >= threshold]
    band = kb.age_band(who.age_months)
    questions = score_questions(kb, post, observations, decision.plausible, decision.disposition, age_band=band,
                                sex=who.sex, limit=max(n_questions, 1),
                                must_ask=pending_must_asks(kb, who, observations),
                                rule_out=pending_rule_outs(kb, decision, observations, band, who.sex))
    unasked = unasked_red_flags(kb, observations, decision.plausible, band, who.sex)
    result = Assessment(differential, decision, unasked, questions, notes=notes)
    return result if n_questions >= 1 else Assessment(differential, decision, unasked, [], result.info_state, notes)


def baseline_observations(kb: KnowledgeBase, who: Demographics) -> dict:
    """What the demographics already tell: a known pregnancy makes the library's pregnancy finding present."""
    fid = kb.settings.pregnancy_finding
    return {fid: True} if who.pregnant and fid is not None else {}


def imply_parents(kb: KnowledgeBase, observations: Observations) -> dict:
    """A finding reported present implies its parents are present (radiating chest pain is chest pain).

    People do report a specific finding while denying the general one above it ("thoughts of suicide", but
    "not wanting to be dead"). The specific report is the one acted on, safety first: the parent counts as
    present, and :func:`overridden_parents` says which denials were set aside, so the caller can show it.
    """
    return _resolve_parents(kb, observations)[0]


def overridden_parents(kb: KnowledgeBase, observations: Observations) -> list[tuple[str, str]]:
    """(parent denied, the finding below it reported present) for each denial :func:`imply_parents` set aside."""
    return _resolve_parents(kb, observations)[1]


def _resolve_parents(kb: KnowledgeBase, observations: Observations) -> tuple[dict, list[tuple[str, str]]]:
    out = dict(observations)
    overridden: list[tuple[str, str]] = []
    for fid, answer in sorted(observations.items(), key=lambda kv: kv[0]):
        if answer is False or answer == frozenset():
            continue
        parent = kb.findings[fid].parent
        while parent is not None:
            if observations.get(parent) is False:
                overridden.append((parent, fid))
            out[parent] = True
            parent = kb.findings[parent].parent
    return out, overridden


__all__ = ["Assessment", "Decision", "QuestionScore", "Reason", "assess", "decide", "imply_parents", "overridden_parents",
           "modifier_applies", "modifier_findings_present", "values_hold", "modifier_fits", "pending_must_asks",
           "pending_rule_outs", "screen_fits", "present_red_flags", "score_questions",
           "unasked_red_flags"]
