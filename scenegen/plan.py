"""Plan stage: what gets said when, and the gold trace of why. The planner never writes a sentence.

The assistant asks the unasked red flags that bear on a still-plausible condition and could raise the
disposition first (most urgent first), then the finding with the highest expected information gain about
the condition and the disposition. It stops when no such red flag is left and no question is worth
``min_gain`` bits or the question budget is spent, or at once when a reported red flag calls for an
ambulance. The budget bounds information questions only: a red flag that could raise the disposition is
always asked before deciding, so the gold never closes over a danger it did not check. The patient
answers from the hidden case through the persona: a vague persona may be unsure (never of a red flag);
a talkative one may volunteer a true detail. The gold disposition is the safety-first decision on what
the dialogue revealed (scenegen.triage).
"""

from __future__ import annotations

import random
from array import array
from bisect import bisect_right
from collections import OrderedDict
from dataclasses import dataclass, field, replace
from typing import Any, Iterable, Literal, Optional

from .advice import complaint_advice, first_aid_reasons, first_aid_steps, self_care_advice
from .content import (
    TIME_COURSE, AnswerKind, CrisisResource, Disposition, Finding, FindingKind, FindingType, Screen, Sex, satisfies,
)
from .initiative import ANSWER_ACT, PlannedInitiative, plan_initiative
from .inference import FOCUS_FLOOR, above, contradicted, entropy, expected_gain, focus, posterior_vector, ranked
from .knowledge import Answer, Demographics, KnowledgeBase, Observations
from .personas import PersonaLibrary
from .rng import chance, pick
from .sample import HiddenCase, PersonaDraw, implied_answers
from .timecourse import case_when
from .triage import (
    Decision, QuestionScore, ancestors, baseline_observations, decide_vector, modifier_findings_present,
    modifier_fits, modifiers_in_play, pending_must_asks, pending_red_flags, pending_rule_outs, reportable_red_flags,
    score_questions,
    screen_fits, sources_in_force, unasked_red_flags,
)

Ambiguity = Literal["low", "medium", "high"]
NamePolicy = Literal["never", "supported"]
VOLUNTEERED_AT_OPENING = {"high": 0, "medium": 1, "low": 2}
#: chance that the opening says a categorical must-ask's answer (the time course: "since yesterday", "it came on
#: all of a sudden"), as real first messages often do; it is then known and not asked again
TIME_COURSE_AT_OPENING = {"high": 0.7, "medium": 0.8, "low": 0.9}
#: red-flag screens that could raise the disposition are asked even past the question budget, up to this many more
EXTRA_RED_FLAG_QUESTIONS = 8


@dataclass(frozen=True)
class PlanSettings:
    max_questions: int = 8
    min_gain: float = 0.08
    ambiguity: Ambiguity = "high"
    name_conditions: NamePolicy = "supported"


class State:
    """What is known about one state of evidence for one demographic group, computed once and shared by
    every dialogue that reaches it: the posterior and decision at once, the rest on first use.

    The posterior is kept as packed doubles beside the group's shared tuple of conditions (an eighth of a
    dict of floats), so that many states fit in the cache, with the positions of its head: the entries at or
    above ``head_floor``, the lowest floor anything reads it at (plausible, listed, in focus), so that each of
    those is a filter of a few dozen entries rather than a pass over every condition.
    """

    __slots__ = ("conds", "probs", "head", "head_floor", "decision", "plausible", "differential", "questions",
                 "screens", "raising", "exact", "entropy", "nets", "must_ask", "rule_out")

    def __init__(self, conds: tuple[str, ...], probs, decision: Decision, plausible_threshold: float,
                 must_ask: dict[str, str] | None = None, head_floor: float = 0.0):
        import numpy as np

        self.conds = conds
        self.probs = array("d", probs.tobytes())  # from a numpy vector, the same doubles
        self.head_floor = head_floor
        self.head = array("H", np.flatnonzero(probs >= head_floor).tolist())
        self.decision = decision
        #: conditions at or above the plausibility threshold in this posterior (not over red-flag subsets)
        self.plausible = self.above(plausible_threshold)
        self.entropy: float | None = None
        self.differential: list[tuple[str, float]] | None = None
        self.questions: tuple[int, list[QuestionScore]] | None = None  # (limit it was computed for, scores)
        self.screens: tuple[int, list[QuestionScore]] | None = None  # the same, red-flag screens only
        self.raising: list[str] | None = None
        self.exact: dict[str, tuple[QuestionScore, list[str], str]] = {}  # finding -> (score, separates, why)
        self.nets: dict[str, list[tuple[str, Disposition]]] = {}  # complaint -> safety net ending here
        #: must-asks still to ask here: question -> screen id (start-of-call questions, asked before anything)
        self.must_ask = must_ask or {}
        #: rule-out questions still to ask here: question -> the dangerous condition it rules in or out
        self.rule_out: dict[str, str] | None = None

    @property
    def post(self) -> dict[str, float]:
        """The posterior over the group's conditions (the same floats, unpacked)."""
        return dict(zip(self.conds, self.probs))

    def above(self, floor: float) -> dict[str, float]:
        """The posterior's entries at or above ``floor``, in id order (from the head when it holds them all)."""
        if floor < self.head_floor:
            import numpy as np

            return above(self.conds, np.frombuffer(self.probs, dtype=float), floor)
        conds, probs = self.conds, self.probs
        return {conds[i]: probs[i] for i in self.head if probs[i] >= floor}

    def top(self, n: int) -> list[tuple[str, float]]:
        """``ranked(post)[:n]``: most probable first, ties to the lower id (the conditions are in id order,
        and a stable sort keeps that order among equal probabilities)."""
        import numpy as np

        order = np.argsort(-np.frombuffer(self.probs, dtype=float), kind="stable")[:n].tolist()
        return [(self.conds[i], self.probs[i]) for i in order]


@dataclass(frozen=True)
class _Group:
    """What one (age in months, sex, pregnancy) fixes for every state: the age band and its key for the priors,
    the age-scoped sources a decision cites, and the modifiers and must-asks whose demographic half holds (they
    then depend on findings only)."""

    who: Demographics
    band: str
    age_key: tuple
    sources: tuple[int, ...]
    modifier_ids: frozenset[str]
    screens: tuple[Screen, ...]
    screen_ids: tuple[str, ...]
    screen_set: frozenset[str]  # the same ids, for the must-asks of every new state


class Reasoner:
    """Inference with a bounded cache of states: the same evidence for the same demographics is reasoned
    about once. Every value is a function of (demographics, observations) alone, so what the cache holds
    never changes a record."""

    #: states kept (least recently used dropped first). A state holds about 4.8 KB (its packed posterior,
    #: decision, differential and the scores asked of it), so this bound is about 80 MiB; 50,000 had let the
    #: reasoner alone grow to about 240 MiB. Most states are met once (23,153 distinct among 28,960 look-ups in
    #: 1,500 balanced records of seed 27182); replaying those look-ups, this size computes 1 % more states than
    #: 50,000 did, and 8,000 would compute 6 % more.
    CACHE_SIZE = 16_384

    def __init__(self, kb: KnowledgeBase, cache_size: int = CACHE_SIZE):
        self.kb = kb
        self.cache_size = cache_size
        self._cache: OrderedDict[tuple, State] = OrderedDict()
        self._groups: dict[tuple, _Group] = {}
        self._codes: dict[tuple[str, Answer], int] = {}
        self._focus_memo: tuple[State, dict[str, float]] | None = None
        settings = kb.settings
        self._head_floor = min(FOCUS_FLOOR, settings.plausible_threshold, settings.differential_threshold)

    def group(self, persona: PersonaDraw) -> _Group:
        """The demographic group of a persona (built once per age in months, sex and pregnancy)."""
        group = self._groups.get((persona.age_months, persona.sex, persona.pregnant))
        if group is None:
            kb = self.kb
            who = persona.demographics
            # two ages in one band can differ in the modifiers and must-asks that fit, so they are part of a key
            modifier_ids, screens = self._fitting(who)
            group = self._groups[(who.age_months, who.sex, who.pregnant)] = _Group(
                who, kb.age_band(who.age_months), kb.age_key(who.age_months), sources_in_force(kb, who.age_months),
                modifier_ids, screens, tuple(sc.id for sc in screens), frozenset(sc.id for sc in screens))
        return group

    def _fitting(self, who: Demographics) -> tuple[frozenset[str], tuple[Screen, ...]]:
        """The modifiers and must-asks whose demographic half holds for ``who``. They read the age only against
        their own limits, so ages between the same two limits share the answer: found once per such span, sex
        and pregnancy rather than once per age in months (most groups are new ages)."""
        kb = self.kb
        limits = kb.cached("demographic_limits", None, lambda: sorted(
            {x for item in (*kb.modifiers, *kb.screens)
             for x in (item.when.age_below_months, item.when.age_at_least_months) if x is not None}))
        key = (bisect_right(limits, who.age_months), who.sex, who.pregnant)
        return kb.cached("fitting_demographics", key, lambda: (
            frozenset(m.id for m in kb.modifiers if modifier_fits(m, who)),
            tuple(sc for sc in kb.screens if screen_fits(sc, who))))

    def must_asks(self, persona: PersonaDraw, obs: Observations) -> dict[str, str]:
        """:func:`pending_must_asks` for this persona, over the must-asks its group fits."""
        g = self.group(persona)
        return pending_must_asks(self.kb, g.who, obs, g.screens, g.screen_set)

    def state(self, persona: PersonaDraw, obs: Observations) -> State:
        """The state for these demographics (age band, sex, pregnancy, the sources cited at this age, modifiers
        and must-asks in force) and observations."""
        g = self.group(persona)
        applying = tuple(m for m in modifiers_in_play(self.kb, obs)
                         if m.id in g.modifier_ids and modifier_findings_present(m, obs))
        codes = self._codes  # each (finding, answer) as a small int: a state's key is its sorted codes
        try:
            ids = sorted([codes[item] for item in obs.items()])
        except KeyError:
            for item in obs.items():
                if item not in codes:
                    codes[item] = len(codes)
            ids = sorted([codes[item] for item in obs.items()])
        key = (g.age_key, g.sources, g.who.sex, g.who.pregnant, tuple(m.id for m in applying), g.screen_ids,
               tuple(ids))
        cache = self._cache
        st = cache.get(key)
        if st is None:
            kb = self.kb
            conds, probs = posterior_vector(kb, g.who, obs)
            st = cache[key] = State(conds, probs, decide_vector(kb, g.who, obs, conds, probs, modifiers=applying),
                                    kb.settings.plausible_threshold, self.must_asks(persona, obs), self._head_floor)
            if len(cache) > self.cache_size:
                cache.popitem(last=False)
        else:
            cache.move_to_end(key)
        return st

    def exact(self, st: State, obs: Observations, score: QuestionScore) -> tuple[QuestionScore, list[str], str]:
        """The chosen question's gain recomputed in plain Python, so numbers written to records are bit-stable;
        the two conditions it best separates; and why it was asked, in words."""
        hit = st.exact.get(score.finding)
        if hit is None:
            g = expected_gain(self.kb, self._focused(st), score.finding, obs)
            exact = QuestionScore(score.finding, g.total, g.condition_gain, g.disposition_gain, score.red_flag,
                                  score.screens, score.must_ask, score.rules_out)
            separates = _separates(self.kb, score.finding, self.differential(st))
            hit = st.exact[score.finding] = (exact, separates, why_asked(self.kb, exact, separates))
        return hit

    def _focused(self, st: State) -> dict[str, float]:
        """``focus(st.post)``, kept for the last state asked about: scoring its questions and recomputing the
        chosen one's gain need it one after the other."""
        memo = self._focus_memo
        if memo is None or memo[0] is not st:
            # focus() of the entries above its floor is focus() of the whole posterior: same entries, same total
            memo = self._focus_memo = (st, focus(st.above(FOCUS_FLOOR)))
        return memo[1]

    def entropy(self, st: State) -> float:
        """Entropy of the posterior, in bits."""
        if st.entropy is None:
            st.entropy = entropy(st.probs)
        return st.entropy

    def unasked_raising_flags(self, st: State, persona: PersonaDraw, obs: Observations) -> list[str]:
        """Red flags still unasked (bearing on a plausible condition) that would raise the disposition."""
        if st.raising is None:
            band = self.kb.age_band(persona.age_months)
            level = st.decision.disposition.rank
            st.raising = [f for f in unasked_red_flags(self.kb, obs, st.decision.plausible, band, persona.sex)
                          if self.kb.findings[f].red_flag.disposition.rank > level]  # type: ignore[union-attr]
        return st.raising

    def differential(self, st: State) -> list[tuple[str, float]]:
        if st.differential is None:
            st.differential = ranked(st.above(self.kb.settings.differential_threshold))
        return st.differential

    def questions(self, st: State, persona: PersonaDraw, obs: Observations, limit: int = 1) -> list[QuestionScore]:
        """The ``limit`` best questions (a prefix of any longer list: the order is total)."""
        if st.questions is None or st.questions[0] < limit:
            st.questions = (limit, self._score(st, persona, obs, limit, screens_only=False))
        return st.questions[1][:limit]

    def screens(self, st: State, persona: PersonaDraw, obs: Observations, limit: int = 1) -> list[QuestionScore]:
        """The ``limit`` best red-flag screens: the head of :meth:`questions`, without scoring the rest."""
        if st.questions is not None and st.questions[0] >= limit:
            # the head of the full list, cut where the information questions begin: the must-asks, red-flag
            # screens and rule-outs come first there, exactly as a screens-only scoring returns them (keeping
            # only the red flags dropped a must-ask, so a state seen before stopped a dialogue a fresh one did not)
            return [q for q in st.questions[1][:limit]
                    if q.red_flag is not None or q.must_ask is not None or q.rules_out is not None]
        if st.screens is None or st.screens[0] < limit:
            st.screens = (limit, self._score(st, persona, obs, limit, screens_only=True))
        return st.screens[1][:limit]

    def _score(self, st: State, persona: PersonaDraw, obs: Observations, limit: int,
               screens_only: bool) -> list[QuestionScore]:
        band = self.kb.age_band(persona.age_months)
        if st.rule_out is None:
            st.rule_out = pending_rule_outs(self.kb, st.decision, obs, band, persona.sex)
        return score_questions(self.kb, None, obs, st.decision.plausible, st.decision.disposition,
                               age_band=band, sex=persona.sex, limit=limit, screens_only=screens_only,
                               focused=self._focused(st),
                               must_ask=st.must_ask, rule_out=st.rule_out)


@dataclass
class PlannedMessage:
    role: Literal["user", "assistant"]
    act: str
    parts: list[str]
    finding: Optional[str] = None
    answer: Any = None  # bool, str, frozenset, or None for unsure
    volunteered: list[str] = field(default_factory=list)
    #: the values of the categorical findings among ``volunteered`` (the time course said in the opening)
    values: dict[str, str] = field(default_factory=dict)
    #: after the advice: what the patient raised (personas/initiative.yaml), on their message and on the answer
    raised: Optional[str] = None


@dataclass
class QuestionTrace:
    message: int
    score: QuestionScore
    separates: list[str]
    answer: Any
    differential_after: list[tuple[str, float]]
    why: str


@dataclass
class Plan:
    messages: list[PlannedMessage]
    opening_volunteered: list[str]
    differential_initial: list[tuple[str, float]]
    plausible_initial: dict[str, float]
    entropy_initial: float
    questions: list[QuestionTrace]
    observations: dict[str, Answer]
    differential_final: list[tuple[str, float]]
    decision: Decision
    red_flags_unasked: list[str]
    disposition_message: int
    safety_net: list[str]
    safety_net_levels: list[Disposition]  # the level each warning's red flag calls for, aligned with safety_net
    advice: list[str]  # self-care items that fit the person, from the likeliest condition linked to the complaint
    crisis: CrisisResource
    named: list[str] = field(default_factory=list)
    """conditions the closing message may name: supported by what was reported (see :func:`named_conditions`)"""
    first_aid: list[str] = field(default_factory=list)  # steps while help comes, for an emergency disposition
    #: what the patient did after the advice: (their message's index, the answer's index, the act)
    patient_acts: list[tuple[int, int, PlannedInitiative]] = field(default_factory=list)
    #: the questions' exact gains still to compute (:meth:`finish`): the planner's choices never read them, so a
    #: plan the generator discards (a level other than the one it draws for) is never made to pay for them
    pending: list[tuple] = field(default_factory=list, repr=False, compare=False)

    def finish(self, reasoner: "Reasoner") -> "Plan":
        """Each question's trace with its exact gain, the two conditions it best separates and why it was asked
        (a pure function of the state it was asked in, so computing it later gives the same trace)."""
        kb = reasoner.kb
        for trace, asked_in, asked_from, best, also_screens in self.pending:
            exact, separates, why = reasoner.exact(asked_in, asked_from, best)
            if also_screens:
                f = kb.findings[best.finding]
                level = f.red_flag.disposition  # type: ignore[union-attr]
                exact = replace(exact, red_flag=level, screens=best.finding)
                why = f"{why}; it is itself the red flag '{f.name}', which would raise the disposition to {level.value}"
            trace.score, trace.separates, trace.why = exact, separates, why
        self.pending = []
        return self


def may_be_unsure(f: Finding, speaker: str) -> bool:
    """Whether a "not sure" answer is believable: nobody is unsure whether they were told they have epilepsy,
    whether they fainted, or whether they take a medicine; someone speaking for another person may be."""
    if speaker != "self":
        return True
    return f.kind is not FindingKind.history and f.answer_kind is not AnswerKind.event


def causes(kb: KnowledgeBase, complaint: str) -> tuple[str, ...]:
    """The findings (injuries) whose ``cause_of`` names the complaint: said with it in the opening."""
    return kb.cached("causes", complaint, lambda: tuple(sorted(
        fid for fid, f in kb.findings.items() if complaint in f.cause_of)))


def _volunteerable(kb: KnowledgeBase, case: HiddenCase, obs: Observations, age_band: str,
                   sex: Sex | None = None) -> list[str]:
    """True, present, non-red-flag symptoms and signs of the hidden condition not yet known.

    Red flags are left for the assistant to ask; history and risk factors ('diabetes') are not what people
    volunteer as part of what is wrong.
    """
    out = []
    for fid in sorted(kb.likelihoods[case.condition]):
        f = kb.findings[fid]
        if fid in obs or f.type is not FindingType.binary or f.red_flag is not None:
            continue
        if f.kind not in (FindingKind.symptom, FindingKind.sign):
            continue
        if case.answer(fid) is True and (f.parent is None or obs.get(f.parent) is True) \
                and kb.reportable(fid, age_band, sex):
            out.append(fid)
    return out


def _separates(kb: KnowledgeBase, finding: str, differential: list[tuple[str, float]]) -> list[str]:
    """The two conditions, among the plausible ones (or else the top three), whose likelihoods of it differ most."""
    plausible = [c for c, p in differential if p >= kb.settings.plausible_threshold]
    if len(plausible) < 2:
        plausible = [c for c, _ in differential[:3]]
    if len(plausible) < 2:
        return plausible
    f = kb.findings[finding]

    def score(c: str) -> float:
        if f.type is FindingType.binary:
            return kb.p_present(c, finding)
        values = kb.p_values(c, finding)
        return max(values.values())
    ordered = sorted(plausible, key=lambda c: (score(c), c))
    return [ordered[-1], ordered[0]]


def why_asked(kb: KnowledgeBase, score: QuestionScore, separates: list[str]) -> str:
    """The gold reason for asking a question: the red flag it screens, or the gain and what it separates."""
    f = kb.findings[score.finding]
    if score.must_ask is not None:
        sc = next(x for x in kb.screens if x.id == score.must_ask)
        return f"must-ask at the start of the call: {sc.why} ({sc.source})"
    if score.rules_out is not None and score.red_flag is None:
        cond = kb.conditions[score.rules_out]
        return (f"rules {cond.name} in or out: it is plausible and alone would decide the disposition "
                f"({cond.disposition.value}), so the question that tells is asked before escalating on it")
    if score.red_flag is not None and score.screens is not None:
        flag = kb.findings[score.screens]
        via = "" if score.screens == score.finding else f" (asking about {f.name.lower()} first, as the question hierarchy requires)"
        return (f"screens the red flag '{flag.name}'{via}, which would raise the disposition to "
                f"{score.red_flag.value}; rule-out logic asks it before anything else")
    if len(separates) == 2:
        return (f"highest expected information gain ({score.expected_gain:.3f} bits): {f.name} separates "
                f"{separates[0]} from {separates[1]}")
    return f"highest expected information gain ({score.expected_gain:.3f} bits)"


def is_ambiguous(kb: KnowledgeBase, post: dict[str, float], age_months: int | None = None) -> bool:
    """At least two plausible conditions of different dispositions (DESIGN.md, 'Ambiguity'), each at its own
    level for the person's age (``disposition_by_age``) when the age is given."""
    return _ambiguous(kb, {c for c, p in post.items() if p >= kb.settings.plausible_threshold}, age_months)


def _ambiguous(kb: KnowledgeBase, plausible, age_months: int | None = None) -> bool:
    return len(plausible) >= 2 and len({kb.conditions[c].own_level(age_months) for c in plausible}) >= 2


def plan_dialogue(kb: KnowledgeBase, pl: PersonaLibrary, reasoner: Reasoner, persona: PersonaDraw,
                  case: HiddenCase, rng: random.Random, settings: PlanSettings, finish: bool = True) -> Optional[Plan]:
    """The whole dialogue plan, or None when this case cannot make an honest record (the caller redraws).
    With ``finish`` false the questions' exact gains are left for :meth:`Plan.finish` (for a caller that may
    discard the plan); the rest of the plan, and what ``rng`` gave, are the same.

    A case is refused when no opening leaves two plausible conditions of different dispositions, or when
    the hidden condition is no longer plausible at the end (a presentation its own findings do not
    support), so that every record's gold keeps the hidden condition in the final differential.
    """
    style = pl.style(persona.style)
    band = kb.age_band(persona.age_months)
    entry = kb.complaints[case.complaint].finding
    obs: dict[str, Answer] = {**baseline_observations(kb, persona.demographics), entry: True}

    # opening: the complaint, with the injury that brought it on ('pain in the ankle after going over on it'),
    # plus volunteered details when ambiguity is lower, while it stays ambiguous
    volunteered: list[str] = []
    for fid in causes(kb, case.complaint):
        parent = kb.findings[fid].parent
        if case.answer(fid) is True and (parent is None or obs.get(parent) is True) \
                and kb.reportable(fid, band, persona.sex):
            trial = {**obs, fid: True}
            if not _ambiguous(kb, reasoner.state(persona, trial).plausible, persona.age_months):
                continue  # it would leave nothing to ask (a fall on the hand and wrist pain): asked later instead
            obs = trial
            volunteered.append(fid)
    candidates = _volunteerable(kb, case, obs, band, persona.sex)
    for _ in range(VOLUNTEERED_AT_OPENING[settings.ambiguity]):
        if not candidates:
            break
        fid = pick(rng, candidates)
        trial = {**obs, fid: True}
        if not _ambiguous(kb, reasoner.state(persona, trial).plausible, persona.age_months):
            break
        obs = trial
        volunteered.append(fid)
        candidates = _volunteerable(kb, case, obs, band, persona.sex)
    # the time course, said in the opening: each categorical must-ask that applies, with a chance that grows as
    # ambiguity falls, while the opening stays ambiguous
    said: dict[str, str] = {}
    pending = reasoner.must_asks(persona, obs)
    categorical = {q for q, sc in pending.items() if kb.findings[q].type is FindingType.categorical
                   and next(x for x in kb.screens if x.id == sc).ask == q}
    # when it started goes in the opening whatever the complaint; how it came on only where it is a must-ask
    # (a headache, chest pain, dizziness, weakness): a rash of two months does not 'hit within a minute', and
    # a fall, a fit or a swallowed substance happened at a moment, it did not 'come on slowly'
    categorical |= {q for q in TIME_COURSE if q in kb.findings and kb.findings[q].type is FindingType.categorical
                    and q != "onset"}
    if kb.complaint_is_event(case.complaint):
        categorical.discard("onset")
    for fid in sorted(categorical):
        if not chance(rng, TIME_COURSE_AT_OPENING[settings.ambiguity]):
            continue
        if fid not in case.truth:
            continue  # said only from the case's own findings, so the record's case holds the value it says
        value = case.answer(fid)
        if not isinstance(value, str) or not value:
            continue
        trial = {**obs, fid: value}
        if not _ambiguous(kb, reasoner.state(persona, trial).plausible, persona.age_months):
            continue
        obs = trial
        said[fid] = value
        volunteered.append(fid)
    # what the opening says in other words, less a warning sign it implies: that is still asked, so a fit in
    # pregnancy (a blackout, so a faint in pregnancy) opens a dialogue instead of ending it unasked
    mute = kb.unreportable(band, persona.sex)
    implied = implied_answers(kb, obs, case.complaint, mute)
    obs.update({f: a for f, a in implied.items() if a is False or kb.findings[f].red_flag is None})
    st = opening = reasoner.state(persona, obs)
    if not _ambiguous(kb, opening.plausible, persona.age_months):
        return None
    # an ambulance-level danger the opening all but said is confirmed first, before the start-of-call questions
    # (of any condition this person can have that presents with the complaint: a thunderclap headache is asked
    # about whether or not a bleed is yet among the likeliest causes of a headache)
    prompted = opening_red_flags(kb, obs, said, [f for f, a in implied.items() if a is True],
                                 [c for c in kb.presenting_with(case.complaint) if c in set(opening.conds)], band,
                                 persona.sex)
    messages = [PlannedMessage("user", "opening", ["opening"], entry, True, list(volunteered), dict(said))]

    questions: list[QuestionTrace] = []
    pending: list[tuple] = []
    first_question = True
    unsure_count: dict[str, int] = {}
    given_up: set[str] = set()
    while True:
        decision = st.decision
        if any(kb.findings[f].red_flag.disposition is Disposition.emergency_ambulance  # type: ignore[union-attr]
               for f in decision.red_flags_present) \
                or _held_by_a_sign_or_rule(decision, Disposition.emergency_ambulance):
            # an ambulance-level red flag or rule (a fever with sudden new confusion at 65): escalate now, ask
            # nothing more; no answer can raise the level, so no must-ask is owed. A warning sign the opening
            # implies but was kept to be confirmed (a fit in pregnancy: a faint in pregnancy) is now taken as
            # said, so the gold lists it as present, as the words imply (validate: red_flags_reflected)
            withheld = {f: a for f, a in implied_answers(kb, obs, case.complaint, mute).items() if f not in obs}
            if withheld:
                obs.update(withheld)
                st = reasoner.state(persona, obs)
            break
        # once the budget is spent only a red-flag screen can still be asked, so only screens are scored. Must-asks
        # (start-of-call protocol questions such as 'when did it start?') do not use up the budget
        spent = sum(1 for q in questions if q.score.must_ask is None)
        ask = reasoner.screens if spent >= settings.max_questions and not st.must_ask else reasoner.questions
        confirm = [f for f in prompted if f not in obs]
        if confirm:  # its gains are recomputed exactly by Plan.finish, like every question's
            level = kb.findings[confirm[0]].red_flag.disposition  # type: ignore[union-attr]
            scores = [QuestionScore(confirm[0], 0.0, 0.0, 0.0, level, confirm[0])]
        else:
            scores = [q for q in ask(st, persona, obs, limit=1 + len(given_up)) if q.finding not in given_up]
        if not scores:
            break
        best = scores[0]
        screening = best.red_flag is not None or best.must_ask is not None or best.rules_out is not None
        if not screening and (best.expected_gain < settings.min_gain or spent >= settings.max_questions):
            break  # the budget and the gain threshold bound information questions only
        if not screening and _held_by_a_sign_or_rule(decision, Disposition.emergency_department):
            break  # going to A&E whatever the cause (a feverish newborn): only what could make it a 999 call is asked
        if screening and len(questions) >= settings.max_questions + EXTRA_RED_FLAG_QUESTIONS:
            return None  # cannot close safely within any reasonable length: draw another case
        fid = best.finding
        f = kb.findings[fid]
        asked_from = dict(obs)
        # a question asked for its information value that is itself a danger sign above the current level
        # screens that danger too, and is labelled so (its place in the order does not change)
        also_screens = (best.red_flag is None and f.red_flag is not None
                        and f.red_flag.disposition.rank > decision.disposition.rank)
        act = "red_flag_check" if best.red_flag is not None or also_screens else "clarify"
        parts = (["empathy"] if first_question else ["ack"]) + [act]  # ack: what was heard, said back
        first_question = False
        messages.append(PlannedMessage("assistant", act, parts, fid))
        truth = case.answer(fid)
        # never unsure of a question that screens a danger: it would leave it neither asked nor ruled out
        unsure = (f.red_flag is None and not screening and may_be_unsure(f, persona.speaker)
                  and chance(rng, style.unsure_rate))
        if unsure:
            answer_act, answer = "answer_unsure", None
            unsure_count[fid] = unsure_count.get(fid, 0) + 1
            if unsure_count[fid] >= 2:
                given_up.add(fid)  # asked twice, in two wordings: a clinician moves on rather than press
        elif f.type is FindingType.binary:
            answer_act, answer = ("answer_yes" if truth else "answer_no"), truth
            obs[fid] = truth
        else:
            answer_act, answer = "answer_value", truth
            obs[fid] = truth
        extra: list[str] = []
        if not unsure and chance(rng, style.volunteer_rate):
            options = _volunteerable(kb, case, obs, band, persona.sex)
            if options:
                vol = pick(rng, options)
                obs[vol] = True
                extra.append(vol)
        # an aside ('Sorry, I know I go on a bit') says nothing clinical: it is how some people talk
        aside = ["aside"] if style.aside_rate and chance(rng, style.aside_rate) else []
        user_parts = [answer_act] + aside + (["volunteer"] if extra else [])
        messages.append(PlannedMessage("user", answer_act, user_parts, fid, answer, extra))
        obs.update(implied_answers(kb, obs, case.complaint, mute))
        asked_in, st = st, reasoner.state(persona, obs)
        # the exact gain is filled in by Plan.finish: the loop reads only whether a question was a must-ask
        trace = QuestionTrace(len(messages) - 2, best, [], answer, reasoner.differential(st)[:5], "")
        questions.append(trace)
        pending.append((trace, asked_in, asked_from, best, also_screens))

    decision = st.decision
    if case.condition not in st.plausible or case.condition not in decision.plausible:
        return None  # its own findings do not support the hidden condition (above the threshold, on evidence)
    if reasoner.unasked_raising_flags(st, persona, obs):
        return None  # a danger that would raise the level could not be checked (e.g. its gateway went unanswered)
    if st.must_ask and decision.disposition is not Disposition.emergency_ambulance:
        return None  # a must-ask could not be asked: no decision without it
    if decision.disposition is not Disposition.emergency_ambulance \
            and pending_rule_outs(kb, decision, obs, band, persona.sex):
        return None  # the question that rules a dangerous condition in or out was answered unsure twice and given up
    if decision.disposition.rank < kb.conditions[case.condition].level(obs, persona.age_months).rank:
        return None  # e.g. the hidden condition is plausible only on history, with nothing reported to support it
    final_parts = ["disposition"]
    first_aid: list[str] = []
    final = reasoner.differential(st)
    if decision.disposition in {Disposition.emergency_ambulance, Disposition.emergency_department}:
        present = [f for f, a in obs.items() if a is True]
        reasons = first_aid_reasons(kb, [(r.kind, r.id) for r in decision.decisive], [c for c, _ in final])
        first_aid = [a.text for a in first_aid_steps(
            kb, reasons, persona.demographics, persona.proxy, present, persona.locale,
            ambulance=decision.disposition is Disposition.emergency_ambulance,
            leading=final[0][0] if final else None)]
        if first_aid:
            final_parts.append("first_aid")  # straight after the action, before anything else
    # the differential is the posterior ranked down to a threshold: its head is the posterior's head
    top3 = final[:3] if len(final) >= 3 else st.top(3)
    net = st.nets.get(case.complaint)  # a function of the state and the complaint: computed once
    if net is None:
        net = st.nets[case.complaint] = safety_net(kb, obs, decision, top3, case.complaint, band, st.conds,
                                                    sex=persona.sex,
                                                    current=st.plausible, posterior=st.post)
    lasted = case_when(kb, case.truth, persona.age_months, case.complaint)  # the time course the dialogue will tell
    span = (lasted.lo, lasted.hi) if kb.settings.time_course and case.truth.get(kb.settings.time_course.duration) else None
    net = timed_warnings(kb, net, span, case.complaint) + not_better_warning(kb, decision, final or top3, obs, net, span)
    safety = [text for text, _ in net]
    if safety:
        final_parts.append("safety_net")
    advice: list[str] = []
    if decision.disposition in {Disposition.self_care, Disposition.routine, Disposition.urgent}:
        unsure = frozenset(f for f in unsure_count if f not in obs)
        source = advice_source(kb, decision, final or top3, case.complaint, obs, unsure)
        present = [f for f, a in obs.items() if a is True]
        if source is not None:
            advice = [a.text for a in self_care_advice(kb, source, persona.demographics, persona.proxy,
                                                        persona.locale, present, span)
                      if a.same_day or decision.disposition is not Disposition.urgent]  # the wait for a same-day visit
        if not advice and decision.disposition is Disposition.self_care:
            # sent home with no condition leading clearly: the complaint's own home care (NHS website: Coughs)
            advice = [a.text for a in complaint_advice(kb, case.complaint, persona.demographics, persona.proxy,
                                                       persona.locale, present, span)]
        if advice:
            final_parts.append("self_care")
    if decision.crisis_resource is not CrisisResource.none:
        final_parts.append("crisis")
    final_parts.append("close")
    messages.append(PlannedMessage("assistant", "disposition", final_parts))
    disposition_message = len(messages) - 1
    # after the advice, the patient may push back, ask, or reply; each is answered at the same disposition
    patient_acts = []
    involved = frozenset({case.condition} | {r.id for r in decision.decisive if r.kind != "red_flag" and r.kind != "modifier"})
    for act in plan_initiative(pl.initiative, style, decision.disposition, decision.crisis_resource,
                               persona.age_group, rng, involved):
        messages.append(PlannedMessage("user", act.act, [act.act], raised=act.raised))
        answer = ANSWER_ACT[act.act]
        messages.append(PlannedMessage("assistant", answer, [answer], raised=act.raised))
        patient_acts.append((len(messages) - 2, len(messages) - 1, act))
    plan = Plan(
        messages=messages, opening_volunteered=volunteered,
        differential_initial=reasoner.differential(opening),
        plausible_initial=dict(opening.plausible), entropy_initial=reasoner.entropy(opening),
        questions=questions, observations=dict(obs), differential_final=reasoner.differential(st),
        decision=decision, red_flags_unasked=unasked_red_flags(kb, obs, decision.plausible, band, persona.sex),
        disposition_message=disposition_message, safety_net=safety, safety_net_levels=[level for _, level in net],
        advice=advice, crisis=decision.crisis_resource, first_aid=first_aid,
        named=named_conditions(kb, decision, obs, reasoner.differential(st), settings.name_conditions),
        patient_acts=patient_acts, pending=pending,
    )
    return plan.finish(reasoner) if finish else plan


def opening_red_flags(kb: KnowledgeBase, obs: Observations, said: dict[str, str], implied: list[str],
                      conditions: list[str], age_band: str, sex: Sex | None = None) -> list[str]:
    """The ambulance-level red flags the opening all but said, to confirm before anything else: one its words
    imply (a warning sign is asked, not assumed), or one whose defining time course it gave (a headache that
    'came on in seconds' is the thunderclap question half answered; weakness that came on suddenly, the
    sudden-weakness one). A triager who hears that asks it at once and calls 999 on a yes, rather than
    working through a dozen start-of-call questions first (NHS Pathways: life-threatening problems are
    assessed first). What a flag's time course is comes from the library: its ``implies``, and the
    consistency rules that give it one."""
    out = []
    for flag, question in pending_red_flags(kb, obs, dict.fromkeys(conditions, 1.0), age_band, sex).items():
        f = kb.findings[flag]
        if question != flag or f.red_flag.disposition is not Disposition.emergency_ambulance:  # type: ignore[union-attr]
            continue
        if flag in implied or any(said.get(other) in allowed and len(allowed) < len(kb.findings[other].values)
                                  for other, allowed in _time_course_of(kb, flag, obs).items()):
            out.append(flag)
    return out


def _time_course_of(kb: KnowledgeBase, flag: str, obs: Observations) -> dict[str, tuple[str, ...]]:
    """The values of categorical findings that a yes to ``flag`` leaves (its own ``implies``, and the 'then' of
    each consistency rule whose other conditions ``obs`` already meets)."""
    out = {k: tuple(v) for k, v in kb.findings[flag].implies.items()}
    for rule in _rules_if_present(kb, flag):
        if all(obs.get(k) == v if isinstance(v, bool) else obs.get(k) in v for k, v in rule.if_.items() if k != flag):
            out.update({k: tuple(v) for k, v in rule.then.items() if isinstance(v, list)})
    return out


def _rules_if_present(kb: KnowledgeBase, flag: str) -> tuple:
    """The consistency rules whose 'if' needs ``flag`` present, in library order: found once per flag rather
    than by reading every rule for every flag of every opening."""
    return kb.cached("rules_if_present", flag, lambda: tuple(r for r in kb.implies if r.if_.get(flag) is True))


def _held_by_a_sign_or_rule(decision: Decision, at_least: Disposition) -> bool:
    """Whether the level is ``at_least`` or above and a red flag or a rule (modifier) holds it there, so no
    answer about the cause can lower it and questions asked only to tell causes apart serve nobody."""
    level = decision.disposition
    return level.rank >= at_least.rank and any(r.kind in ("red_flag", "modifier") and r.disposition is level
                                               for r in decision.decisive)


def named_conditions(kb: KnowledgeBase, decision: Decision, obs: Observations,
                     differential: list[tuple[str, float]], policy: NamePolicy = "supported") -> list[str]:
    """The conditions the closing message may name, at most three, from those that decide the level.

    Under ``supported`` a condition is named only when (1) what was reported supports it: two of its own
    symptoms or signs (the complaint counts), or one of its rule-out findings reported present; (2) every
    obligatory finding, and everything its lay name says (``lay_name_says``), was reported present and no
    rule-out finding was denied; and (3) it is not
    a frightening long shot: a condition whose own level is an emergency is named only when it is the most
    likely; (4) the library does not mark it ``named: false``; and (5) unless it is the likeliest, its
    posterior reaches ``model.naming_floor``. ``never`` names none, for trainers whose policy forbids naming.
    """
    if policy == "never":
        return []
    top = differential[0][0] if differential else None
    posterior = dict(differential)
    held_back = not_named_by_rules(kb, decision)
    out = []
    for r in decision.decisive:
        if r.kind in ("plausible_condition", "most_likely_condition") and r.id not in held_back \
                and condition_supported(kb, r.id, obs, top, posterior.get(r.id, 0.0)):
            out.append(r.id)
    return out[:3]


def not_named_by_rules(kb: KnowledgeBase, decision: Decision) -> frozenset[str]:
    """The conditions a rule that holds keeps unnamed, with their own advice (a modifier's ``not_named``: no
    IBS for a new change in bowel habit at 60 or over)."""
    held = {r.id for r in decision.reasons if r.kind == "modifier"}
    return frozenset(c for m in kb.modifiers if m.id in held for c in m.not_named)


def condition_supported(kb: KnowledgeBase, cid: str, obs: Observations, top: str | None,
                        p: float | None = None) -> bool:
    """Whether the reports support naming ``cid`` (the rules of :func:`named_conditions`); with its posterior
    ``p``, one that is not the likeliest must also reach ``model.naming_floor``."""
    cond = kb.conditions[cid]
    if not cond.named:
        return False
    if p is not None and cid != top and p < kb.settings.naming_floor:
        return False
    if not condition_defined(kb, cid, obs):
        return False
    if cond.emergency and cid != top:
        return False
    entries = {c.finding for c in kb.complaints.values()}
    own = [f for f in kb.likelihoods[cid] if obs.get(f) is True
           and (kb.findings[f].kind in (FindingKind.symptom, FindingKind.sign) or f in entries)]
    return len(own) >= 2 or any(obs.get(f) is True for f in cond.rule_out)


def condition_defined(kb: KnowledgeBase, cid: str, obs: Observations) -> bool:
    """Whether what defines ``cid`` was reported: every obligatory finding present, none of them or of its
    rule-out findings denied, and what its lay name says true. Both naming a condition and giving its own
    advice need this."""
    cond = kb.conditions[cid]
    obligatory = kb.obligatory(cid)
    if any(obs.get(f) is False for f in set(cond.rule_out) | obligatory):
        return False
    if any(obs.get(f) is not True for f in obligatory):
        return False   # "an anxiety problem" is not suggested to someone never asked whether they worry
    # no "chest pain that comes on with exertion" to someone who said exertion does not bring it on
    return all(satisfies(obs.get(f), wanted) for f, wanted in cond.lay_name_says.items())


def advice_source(kb: KnowledgeBase, decision: Decision, ranked_conditions: list[tuple[str, float]],
                  complaint: str, obs: Observations | None = None,
                  unsure: frozenset[str] = frozenset()) -> Optional[str]:
    """The condition whose self-care advice is given: the likeliest one that is still plausible and presents
    with this complaint (no colic advice to a parent who called about a swallowed chemical), and whose
    defining questions (rule-out and obligatory findings) were not answered no: no heel-pain advice to an
    89-year-old who said the pain is not in the heel (read 10 #38); None if none is. With ``obs`` it must
    also be what the reports support (:func:`advice_supported`): its own care is not given on a guess."""
    held_back = not_named_by_rules(kb, decision)
    for c, p in ranked_conditions:
        if c in decision.plausible and complaint in kb.conditions[c].complaints and c not in held_back:
            if obs is not None and any(obs.get(f) is False
                                       for f in (*kb.conditions[c].rule_out, *kb.obligatory(c))):
                continue
            if obs is not None and not advice_supported(kb, c, p, obs, unsure):
                continue
            return c
    return None


def advice_supported(kb: KnowledgeBase, cid: str, p: float, obs: Observations, unsure: Iterable[str]) -> bool:
    """Whether ``cid``'s own self-care may be given: it leads clearly (posterior ``p`` at least the model's
    ``self_care_floor``), what defines it was reported (:func:`condition_defined`, the test naming it passes
    too), and none of its defining findings (``kb.defining``) was denied or answered ``unsure``. Naming asks
    more (two of its own symptoms): an extra dose of a medicine at 96 % has its advice with no symptom at all.
    Read 16: impetigo treatment and school exclusion at 23 % after 'no sores'; tranexamic acid for bleeding
    between periods."""
    if p < kb.settings.self_care_floor or not condition_defined(kb, cid, obs):
        return False
    doubtful = set(unsure) - set(obs)
    return not any(obs.get(f) is False or f in doubtful for f in kb.defining(cid))


def timed_warnings(kb: KnowledgeBase, net: list[tuple[str, Disposition]],
                   span: tuple[float, float | None] | None, complaint: str) -> list[tuple[str, Disposition]]:
    """The net with each warning whose time the problem has already passed said in its later words
    (``warning_beyond``): 'chest pain that lasts more than 15 minutes' is met already by chest pain of days,
    so that person hears of a pain that becomes severe or different instead. ``span``: the days the time
    course allows (lowest, highest); None (not known) keeps the first words. The time course is the
    complaint's, so only a warning below the complaint's finding is timed by it: a tummy ache of days leaves
    the 15 minutes of a chest pain that has not started as they are."""
    if span is None:
        return net
    later = kb.cached("warning_beyond", None, lambda: {
        warning_text(f): (fid, f.red_flag.warning_beyond) for fid, f in kb.findings.items()  # type: ignore[union-attr]
        if f.red_flag is not None and f.red_flag.warning_beyond is not None})
    entry = kb.complaints[complaint].finding
    out: list[tuple[str, Disposition]] = []
    for text, level in net:
        fid, beyond = later.get(text, (None, None))
        if beyond is not None and span[0] >= beyond.days and entry in ancestors(kb, fid):
            text = beyond.text
        if all(text != t for t, _ in out):
            out.append((text, level))
    return out


def not_better_warning(kb: KnowledgeBase, decision: Decision, ranked: list[tuple[str, float]], obs: Observations,
                       net: list[tuple[str, Disposition]],
                       span: tuple[float, float | None] | None = None) -> list[tuple[str, Disposition]]:
    """What brings the person back at the level given, when the condition that leads clearly (as for its own
    advice: ``self_care_floor``, :func:`condition_defined`) has such a line and the level is its own: a net
    of signs above the level alone never says 'see your GP again if it is no better 48 hours after starting
    antibiotics' (cystitis, read 16; NICE CKS Urinary tract infection (lower) - women, NICE NG109)."""
    if not ranked:
        return []
    lead, p = ranked[0]
    back = kb.not_better.get(lead)
    if back is None or p < kb.settings.self_care_floor or decision.disposition is not kb.conditions[lead].disposition \
            or not condition_defined(kb, lead, obs) or any(t == back for t, _ in net):
        return []
    days, level = kb.not_better_when.get(lead, (None, None))
    # 'no better after a week' only while the problem cannot yet have lasted a week (as advice's before_days)
    if days is not None and (span is None or span[1] is None or span[1] > days):
        return []
    return [(back, level or decision.disposition)]


def safety_net(kb: KnowledgeBase, obs: Observations, decision: Decision, top: list[tuple[str, float]],
               complaint: str, age_band: str, possible: tuple[str, ...], limit: int = 4,
               current: Optional[dict[str, float]] = None,
               posterior: Optional[dict[str, float]] = None,
               sex: Optional[Sex] = None) -> list[tuple[str, Disposition]]:
    """The warning signs that should bring the person back sooner, most urgent first, each with the level of
    care its red flag calls for (so the advice can say where to go for each).

    A warning is a red flag of a condition still in view (those plausible on what was reported, ``current``,
    and the likeliest of ``top``; only those that present with this ``complaint``) that was not reported, that calls for more urgent care than the disposition given, and that this
    person can have: not one whose question was ruled out (a pregnancy sign after 'not pregnant'), nor a past
    event or state that was denied (a first-ever fit to someone with known epilepsy). Where
    those conditions have none and the person is sent home or to a routine appointment, it comes from the likeliest (by ``posterior``; all of them without one) of the
    conditions this person can have (``possible``) that present with the same complaint and have a warning
    (the dangerous look-alike), so that every piece of advice says what should make the person seek help.
    """
    # plausible on what was actually reported (``current``; else the decision's, over red-flag subsets), and
    # the likeliest condition: a knee pain at 99 % osteoarthritis does not keep a sciatica in view, with its
    # saddle-numbness warning, because it was plausible before the answers or without a red flag
    in_view = sorted(current if current is not None else decision.plausible)
    floor = kb.settings.plausible_threshold
    in_view += [c for i, (c, p) in enumerate(top) if (i == 0 or p >= floor) and c not in in_view]
    # only conditions that present with this complaint: a swallowed chemical is not in view for colic
    in_view = [c for c in in_view if complaint in kb.conditions[c].complaints]
    # only conditions whose defining findings were reported: an untested sunburn (never asked about the sun)
    # put heatstroke's 999 criteria in a toddler's rash net (issue #9, D16)
    in_view = [c for c in in_view if all(obs.get(f) is True for f in kb.obligatory(c))]
    level = decision.disposition.rank

    def flags_of(conditions, denied_too: bool = True, own_of: Optional[str] = None, extra=()) -> set[str]:
        found: set[str] = set(complaint_warnings(kb, own_of, age_band, sex)) if own_of else set()
        found.update(extra)
        for c in conditions:
            found.update(_warnings_of(kb, c, age_band, sex))
        return {f for f in found
                if obs.get(f) is not True and kb.findings[f].red_flag.net_disposition.rank > level  # type: ignore[union-attr]
                and (denied_too or f not in obs)
                and not (obs.get(f) is False and _settled(kb, f))  # no "if this is a first-ever fit" after "not the first"
                and not any(obs.get(a) is False and _settled(kb, a) for a in ancestors(kb, f))
                # a warning the person's state rules out (a pre-eclampsia sign under 20 weeks); this episode's time
                # course does not rule out a later one's ('a headache that comes on suddenly' after 'gradually')
                and not contradicted(kb, f, obs, ignoring=TIME_COURSE)
                # nor a warning of what the person already reported ('if blisters appear' after the blisters)
                and not any(obs.get(m) is True for m in kb.findings[f].red_flag.warning_moot_with)}  # type: ignore[union-attr]

    # with the warnings a reported red flag names whatever leads (new flashes: a curtain over the sight), kept
    # by the same tests as the rest
    also = sorted({w for f, a in obs.items() if a is True and f in kb.findings and kb.findings[f].red_flag is not None
                   for w in kb.findings[f].red_flag.warn_also if kb.reportable(w, age_band, sex)})  # type: ignore[union-attr]
    flags = flags_of(in_view, extra=also)
    if not flags and decision.disposition in {Disposition.routine, Disposition.self_care}:
        # only advice that sends someone home needs a net at any cost; an urgent or emergency disposition
        # does not borrow an unrelated look-alike's warning (no diabetes warning for a blocked bladder)
        can_have = set(possible)
        look_alikes = [c for c in kb.presenting_with(complaint) if c in can_have]
        if posterior is None:
            flags = flags_of(look_alikes)
        else:  # the likeliest look-alike that has a warning: a cold, pale leg for knee pain, not saddle numbness
            # (a look-alike's signs that were asked and denied do not make it the one to warn about)
            ranked_alikes = sorted(look_alikes, key=lambda c: (-posterior.get(c, 0.0), c))
            for denied_too in (False, True):  # if every look-alike's signs were denied, they still say when to call
                for c in ranked_alikes:
                    flags = flags_of([c], denied_too=denied_too)
                    if flags:
                        break
                if flags:
                    break
    # the complaint's own highest warnings come first, whatever else is in view: a 70-year-old with chest
    # pain sent to a routine slot hears when to call 999 for the chest pain, not only about shingles (read 16)
    eligible = flags_of([], own_of=complaint)
    own = [f for f in complaint_warnings(kb, complaint, age_band, sex) if f in eligible][:OWN_WARNINGS]
    rest = sorted(flags - set(own), key=lambda f: (-kb.findings[f].red_flag.net_disposition.rank, f))  # type: ignore[union-attr]
    chosen: list[str] = []
    for fid in own + rest:
        if all(warning_text(kb.findings[fid]) != warning_text(kb.findings[g]) for g in chosen):
            chosen.append(fid)
    chosen = chosen[:limit]
    ordered = sorted(chosen, key=lambda f: (-kb.findings[f].red_flag.net_disposition.rank, f not in own, f))  # type: ignore[union-attr]
    out: list[tuple[str, Disposition]] = []
    for fid in ordered:
        f = kb.findings[fid]
        text = warning_text(f)
        if all(text != t for t, _ in out):
            out.append((text, f.red_flag.net_disposition))  # type: ignore[union-attr]
        if len(out) >= limit:
            break
    return out


#: how many of the complaint's own warnings every safety net keeps, and how many of the complaint's causes
#: must warn of a sign for it to be the complaint's own rather than one cause's (a bone through the skin is an
#: open fracture's, not every painful joint's)
OWN_WARNINGS = 2
SHARED_BY = 3


def complaint_warnings(kb: KnowledgeBase, complaint: str, age_band: str, sex: Optional[Sex] = None) -> tuple[str, ...]:
    """The complaint's own warning signs: red-flag symptoms and signs below its finding in the question
    hierarchy (chest pain with sweating or breathlessness, under chest pain) that call for urgent care or
    more, that at least ``SHARED_BY`` of its causes this person can have warn of, and that someone of this age band and sex can
    report; those more of its causes warn of first, then the more urgent. A history (a cancer, a first fit)
    is asked, not watched for, so it is not one."""
    def compute() -> tuple[str, ...]:
        entry = kb.complaints[complaint].finding
        # only the causes someone of this age band and sex can have: no board-hard tummy for a baby's colic
        # (appendicitis, obstruction and a perforated ulcer, which share it, are not a young infant's)
        causes = [c for c in kb.presenting_with(complaint) if age_band in kb.conditions[c].ages
                  and (sex is None or sex in kb.conditions[c].sexes)]
        shared = {f: sum(f in kb.authored_edges(c) for c in causes) for f, x in kb.findings.items()
                  if x.red_flag is not None and entry in ancestors(kb, f)}
        own = [f for f, n in shared.items() if n >= SHARED_BY and kb.reportable(f, age_band, sex)
               and kb.findings[f].kind in (FindingKind.symptom, FindingKind.sign)
               and kb.findings[f].red_flag.net_disposition.rank >= Disposition.urgent.rank]  # type: ignore[union-attr]
        return tuple(sorted(own, key=lambda f: (-shared[f], -kb.findings[f].red_flag.net_disposition.rank, f)))  # type: ignore[union-attr]
    return kb.cached("complaint_warnings", (complaint, age_band, sex), compute)


def _warnings_of(kb: KnowledgeBase, condition: str, age_band: str, sex: Optional[Sex] = None) -> tuple[str, ...]:
    """The red flags a condition warns of that someone in this age band (and of this sex) can report: those it
    has an edge to in its own file (not an edge the loader derived from an implication: 'a temperature lasting 5 days' follows
    from any fever lasting 5 days, so every condition with a fever edge had one, and hives, a sprain and
    threadworm were netted with it), then the warning signs its guideline names for the safety net
    (conditions/safety_nets.yaml). The net's
    signs are said, not screened: what to ask first is the must-asks' job (conditions/screens.yaml)."""
    authored = kb.authored_edges(condition)
    return kb.cached("warnings_of", (condition, age_band, sex), lambda: tuple(dict.fromkeys(
        tuple(f for f in reportable_red_flags(kb, condition, age_band, sex) if f in authored)
        + tuple(f for f in kb.safety_nets.get(condition, ()) if kb.reportable(f, age_band, sex)))))


def _settled(kb: KnowledgeBase, finding: str) -> bool:
    """Whether a 'no' to this finding settles it for good: a state or past event (not pregnant, no head
    injury, no diabetes), not a symptom that may still start. A warning below a settled 'no' is left out of
    the safety net; one below a denied symptom stays (no chest pain now, but chest pain may come)."""
    f = kb.findings[finding]
    return f.kind in {FindingKind.history, FindingKind.risk_factor}


def warning_text(f: Finding) -> str:
    """A red flag's warning sign in plain words: its own wording, or else its name."""
    return f.red_flag.warning or f.name[:1].lower() + f.name[1:]  # type: ignore[union-attr]


def warning_texts(f: Finding) -> tuple[str, ...]:
    """Every wording a safety net may give the red flag in: :func:`warning_text`, and its words for someone whose
    problem has lasted past the time they name (``warning_beyond``, :func:`timed_warnings`)."""
    beyond = f.red_flag.warning_beyond  # type: ignore[union-attr]
    return (warning_text(f),) + ((beyond.text,) if beyond is not None else ())
