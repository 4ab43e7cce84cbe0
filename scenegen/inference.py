"""Naive-Bayes inference over mutually exclusive conditions, with a background rate.

A modelling choice, kept in one module so it can be replaced: findings are independent given the
condition; a finding with no edge to a condition appears at its background rate (how often people report
it whatever the cause), or at the model's leak; a child finding's probability is conditional on its parent
being present. Findings reported below a parent that was not reported are scored together with that
parent's other follow-ups, summing over whether the parent is present (two follow-ups denied below an
unknown parent are one piece of evidence about it, not two); one reported below a parent reported absent
carries no information.

Every number that reaches a record is computed with plain Python floats (or numpy's elementwise
arithmetic, which rounds exactly as Python does) in a fixed order, and every sum of floats with
``math.fsum``, which is correctly rounded (the built-in ``sum`` changed in Python 3.12), so results are the
same on every machine and Python version. Only the ranking of candidate questions uses numpy reductions.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import reduce
from itertools import combinations
from operator import or_
from typing import Iterable

from .content import FindingType, Sex
from .errors import UsageError
from .knowledge import Answer, Demographics, KnowledgeBase, Observations

Posterior = dict[str, float]


def candidates(kb: KnowledgeBase, who: Demographics) -> dict[str, float]:
    """Prior weights of the conditions this person can have, normalised; raises if none can."""
    weights = {c: kb.prior(c, who) for c in kb.conditions}
    weights = {c: w for c, w in weights.items() if w > 0}
    total = math.fsum(weights.values())
    if total == 0:
        raise UsageError(f"no condition in the library applies to {who.sex.value}, age band "
                         f"'{kb.age_band(who.age_months)}'{', pregnant' if who.pregnant else ''}")
    return {c: w / total for c, w in weights.items()}


def answer_likelihood(kb: KnowledgeBase, condition: str, finding: str, answer: Answer,
                      observations: Observations) -> float:
    """P(answer | condition), taking the parent chain into account as the module docstring says."""
    f = kb.findings[finding]
    chain = 1.0
    parent = f.parent
    while parent is not None:
        seen = observations.get(parent)
        if seen is False:
            return 1.0  # the question cannot arise: no information
        if seen is not True:
            chain *= kb.p_present(condition, parent)
        parent = kb.findings[parent].parent
    if f.type is FindingType.binary:
        p = chain * kb.p_present(condition, finding)
        return p if answer is True else 1.0 - p
    values = kb.p_values(condition, finding)
    if f.type is FindingType.categorical:
        return chain * values[answer]  # type: ignore[index]
    chosen = answer  # multi: a frozenset of the values present
    p = 1.0
    for value, pv in values.items():
        p *= pv if value in chosen else 1.0 - pv  # type: ignore[operator]
    return chain * p


def validate_observations(kb: KnowledgeBase, observations: Observations) -> None:
    """Raise a clear error for an unknown id or an answer of the wrong shape."""
    for fid, answer in observations.items():
        f = kb.finding(fid)
        if f.type is FindingType.binary:
            if not isinstance(answer, bool):
                raise UsageError(f"'{fid}' is a yes/no finding; report it as present or absent, not '{answer}'")
            continue
        valid = [v.id for v in f.values]
        if f.type is FindingType.categorical:
            if not isinstance(answer, str) or answer not in valid:
                raise UsageError(f"'{fid}' takes one value: {fid}={'|'.join(valid)} (got {answer!r})")
        else:
            if not isinstance(answer, frozenset) or not answer <= set(valid):
                raise UsageError(f"'{fid}' takes a set of values from: {', '.join(valid)} (got {answer!r})")


def posterior(kb: KnowledgeBase, who: Demographics, observations: Observations) -> Posterior:
    """P(condition | demographics, observations), over the conditions this person can have.

    Log-likelihood rows are added to the prior in finding-id order, so the result is a function of the
    observations alone, whatever order they were learnt in.
    """
    conds, probs = posterior_vector(kb, who, observations)
    return dict(zip(conds, probs.tolist()))


def posterior_vector(kb: KnowledgeBase, who: Demographics, observations: Observations):
    """:func:`posterior` as (the group's conditions in id order, a numpy vector of their probabilities),
    for callers that filter or rank it without building a dict of every condition.

    A finding whose parents are all reported present adds its own row. Findings below a parent that is not
    known share that unknown ancestor, so they are scored together as one group (:func:`_subtree_likelihood`):
    two follow-ups denied while their parent is unknown are not two independent pieces of evidence.
    """
    frame = _frame(kb, who)
    totals = frame.prior_logs
    groups: dict[str, None] = {}
    for fid, answer in sorted(observations.items(), key=_by_id):
        top = _top_unknown_ancestor(kb, fid, observations)
        if top is None:
            totals = totals + frame.row(kb, fid, answer, observations)  # elementwise IEEE adds, as in plain Python
        elif top != "":
            groups[top] = None
    for top in groups:  # in order of their first observation's id
        totals = totals + frame.subtree_row(kb, top, observations)
    return frame.conds, _normalise_logs(totals)


def _top_unknown_ancestor(kb: KnowledgeBase, finding: str, observations: Observations) -> str | None:
    """None when every ancestor is reported present; "" when one is reported absent (the finding carries no
    information: its question cannot arise); else the most distant ancestor not reported at all."""
    top = None
    parent = kb.findings[finding].parent
    while parent is not None:
        seen = observations.get(parent)
        if seen is False:
            return ""
        if seen is None:
            top = parent
        parent = kb.findings[parent].parent
    return top


def _subtree_likelihood(kb: KnowledgeBase, condition: str, node: str, observations: Observations) -> float:
    """P(what was reported at and below ``node`` | condition, the parent of ``node`` present).

    Reported: the answer's own likelihood times its follow-ups'. Not reported: present (its likelihood times
    its follow-ups') or absent (possible only if nothing below it was reported present or given a value).
    Below a finding reported absent nothing was asked.
    """
    f = kb.findings[node]
    below = [ch for ch in _children(kb, node) if _reported_at_or_below(kb, ch, observations)]

    def follow_ups() -> float:
        out = 1.0
        for ch in below:
            out *= _subtree_likelihood(kb, condition, ch, observations)
        return out

    answer = observations.get(node)
    if answer is not None:
        if answer is False:
            return 1.0 - kb.p_present(condition, node)
        if f.type is FindingType.binary:
            return kb.p_present(condition, node) * follow_ups()
        return _value_likelihood(kb, condition, node, answer) * follow_ups()
    present = kb.p_present(condition, node) if f.type is FindingType.binary else 1.0
    absent_possible = not any(_positive_at_or_below(kb, ch, observations) for ch in below)
    return present * follow_ups() + ((1.0 - present) if absent_possible else 0.0)


def _subtree_program(kb: KnowledgeBase, node: str, observations: Observations):
    """:func:`_subtree_likelihood` of ``node`` as a function of the condition alone: which follow-ups were
    reported, and whether the node can be absent, depend on the answers only, so they are worked out once
    for every condition of a row rather than once per condition. Each condition's value is the same product
    and sum of the same floats, in the same order."""
    f = kb.findings[node]
    below = [ch for ch in _children(kb, node) if _reported_at_or_below(kb, ch, observations)]
    answer = observations.get(node)
    p_present = kb.p_present
    if answer is False:
        return lambda condition: 1.0 - p_present(condition, node)
    parts = [_subtree_program(kb, ch, observations) for ch in below]

    def follow_ups(condition: str) -> float:
        out = 1.0
        for part in parts:
            out *= part(condition)
        return out

    if answer is not None:
        if f.type is FindingType.binary:
            return lambda condition: p_present(condition, node) * follow_ups(condition)
        return lambda condition: _value_likelihood(kb, condition, node, answer) * follow_ups(condition)
    absent_possible = not any(_positive_at_or_below(kb, ch, observations) for ch in below)
    if f.type is FindingType.binary:
        def unknown(condition: str) -> float:
            present = p_present(condition, node)
            return present * follow_ups(condition) + ((1.0 - present) if absent_possible else 0.0)
        return unknown
    present = 1.0
    return lambda condition: present * follow_ups(condition) + ((1.0 - present) if absent_possible else 0.0)


def _value_likelihood(kb: KnowledgeBase, condition: str, finding: str, answer: Answer) -> float:
    values = kb.p_values(condition, finding)
    if kb.findings[finding].type is FindingType.categorical:
        return values[answer]  # type: ignore[index]
    p = 1.0
    for value, pv in values.items():
        p *= pv if value in answer else 1.0 - pv  # type: ignore[operator]
    return p


def _children(kb: KnowledgeBase, finding: str) -> list[str]:
    return _hierarchy(kb)[1].get(finding, [])


def _descendants(kb: KnowledgeBase, finding: str) -> frozenset[str]:
    """Every follow-up below a finding in the question hierarchy (its children, theirs, and so on)."""
    def compute() -> frozenset[str]:
        out: set[str] = set()
        for ch in _children(kb, finding):
            out |= {ch} | _descendants(kb, ch)
        return frozenset(out)

    return kb.cached("descendants", finding, compute)


def reported_below(kb: KnowledgeBase, finding: str, observations: Observations) -> bool:
    """Whether a follow-up below ``finding`` was reported (only in hand-made input: dialogues ask parents first)."""
    return any(_reported_at_or_below(kb, ch, observations) for ch in _children(kb, finding))


def _reported_at_or_below(kb: KnowledgeBase, node: str, observations: Observations) -> bool:
    return node in observations or any(_reported_at_or_below(kb, ch, observations) for ch in _children(kb, node))


def _positive_at_or_below(kb: KnowledgeBase, node: str, observations: Observations) -> bool:
    """Something at or below ``node`` reported present or given a value (which needs ``node`` present)."""
    answer = observations.get(node)
    if answer is False or answer == frozenset():
        return False
    if answer is not None:
        return True
    return any(_positive_at_or_below(kb, ch, observations) for ch in _children(kb, node))


def above(conds: tuple[str, ...], probs, floor: float) -> Posterior:
    """The entries of a posterior vector at or above ``floor``, in id order."""
    import numpy as np

    at = np.flatnonzero(probs >= floor).tolist()
    values = probs[at].tolist()
    return {conds[i]: p for i, p in zip(at, values)}


def _by_id(item: tuple[str, Answer]) -> str:
    return item[0]


class _Frame:
    """The conditions one demographic group can have, their prior log-weights, and log-likelihood rows
    aligned with them (computed once per group, finding and answer).

    Rows are numpy vectors only so that adding them is one call: an elementwise float64 addition is the
    same correctly rounded operation as Python's, so the sums are bit-identical to a plain-Python loop.
    Every log is taken with ``math.log``.
    """

    __slots__ = ("conds", "prior_logs", "rows", "subtrees")

    #: subtree rows kept per group (under 200 over all groups in 3,000 records); emptied when full, so memory
    #: stays bounded on any run length (at most about 1.5 MB a group)
    SUBTREE_ROWS = 1_000

    def __init__(self, conds: tuple[str, ...], prior_logs: list[float]):
        import numpy as np

        self.conds = conds
        self.prior_logs = np.array(prior_logs)
        self.rows: dict[tuple[str, Answer], "np.ndarray"] = {}
        self.subtrees: dict[tuple, "np.ndarray"] = {}

    def subtree_row(self, kb: KnowledgeBase, top: str, observations: Observations):
        """log P(what was reported below ``top`` | condition) for each condition, ``top`` not reported
        (:func:`_subtree_likelihood`). It reads only the answers below ``top``, so it is kept by them: the same
        follow-ups under the same unknown question recur in many dialogues."""
        import numpy as np

        below = _descendants(kb, top)
        key = (top, tuple(sorted(item for item in observations.items() if item[0] in below)))
        row = self.subtrees.get(key)
        if row is None:
            if len(self.subtrees) >= self.SUBTREE_ROWS:
                self.subtrees.clear()
            likelihood = _subtree_program(kb, top, observations)
            row = self.subtrees[key] = np.array([math.log(max(likelihood(c), 1e-300)) for c in self.conds])
        return row

    def row(self, kb: KnowledgeBase, finding: str, answer: Answer, observations: Observations):
        """log P(answer | condition) for each condition, in the order of ``conds``."""
        import numpy as np

        if not parents_present(kb, finding, observations):
            return np.array([math.log(max(answer_likelihood(kb, c, finding, answer, observations), 1e-300))
                             for c in self.conds])
        row = self.rows.get((finding, answer))
        if row is None:
            table = _log_table(kb, finding, answer)
            row = self.rows[(finding, answer)] = np.array([table[c] for c in self.conds])
        return row


def _frame(kb: KnowledgeBase, who: Demographics) -> _Frame:
    def compute() -> _Frame:
        prior = candidates(kb, who)
        conds = tuple(sorted(prior))
        return _Frame(conds, [math.log(prior[c]) for c in conds])

    return kb.cached("frames", (kb.age_key(who.age_months), who.sex, who.pregnant), compute)


def parents_present(kb: KnowledgeBase, finding: str, observations: Observations) -> bool:
    parent = kb.findings[finding].parent
    while parent is not None:
        if observations.get(parent) is not True:
            return False
        parent = kb.findings[parent].parent
    return True


def _prob_table(kb: KnowledgeBase, finding: str, answer: Answer) -> dict[str, float]:
    return kb.cached("prob_tables", (finding, answer),
                     lambda: {c: _base_likelihood(kb, c, finding, answer) for c in kb.conditions})


def _log_table(kb: KnowledgeBase, finding: str, answer: Answer) -> dict[str, float]:
    return kb.cached("log_tables", (finding, answer), lambda: {
        c: math.log(max(p, 1e-300)) for c, p in _prob_table(kb, finding, answer).items()})


def _normalise_logs(logs):
    """exp(log - max) / total: the subtraction and division are numpy's elementwise IEEE operations (as in
    plain Python), the exponentials ``math.exp`` and the total ``math.fsum``, so the result is bit-stable."""
    import numpy as np

    unnorm = list(map(math.exp, (logs - logs.max()).tolist()))
    return np.array(unnorm) / math.fsum(unnorm)


def ranked(post: Posterior) -> list[tuple[str, float]]:
    """Most probable first; ties broken by id so the order never depends on dict history."""
    return sorted(post.items(), key=lambda kv: (-kv[1], kv[0]))


# ---------------------------------------------------------------------------------------------------------
# Expected information gain


def entropy(dist: Iterable[float]) -> float:
    log2 = math.log2
    return -math.fsum([p * log2(p) for p in dist if p > 0])


def askable(kb: KnowledgeBase, observations: Observations) -> list[str]:
    """Unasked findings whose parent (if any) is known present: the questions that make sense now."""
    roots, children = _hierarchy(kb)
    out = [f for f in roots if f not in observations]
    for parent, answer in observations.items():
        if answer is True:
            out += [f for f in children.get(parent, ()) if f not in observations]
    return sorted(out)


def _hierarchy(kb: KnowledgeBase) -> tuple[list[str], dict[str, list[str]]]:
    def compute() -> tuple[list[str], dict[str, list[str]]]:
        roots = sorted(f for f, x in kb.findings.items() if x.parent is None)
        children: dict[str, list[str]] = {}
        for f, x in sorted(kb.findings.items()):
            if x.parent is not None:
                children.setdefault(x.parent, []).append(f)
        return roots, children

    return kb.cached("hierarchy", None, compute)


def outcomes(kb: KnowledgeBase, finding: str) -> list[Answer]:
    """Every answer a finding's question can get."""
    f = kb.findings[finding]
    if f.type is FindingType.binary:
        return [True, False]
    ids = [v.id for v in f.values]
    if f.type is FindingType.categorical:
        return list(ids)
    return [frozenset(s) for r in range(len(ids) + 1) for s in combinations(ids, r)]


@dataclass(frozen=True)
class Gain:
    """What asking one finding is expected to be worth, in bits."""

    finding: str
    condition_gain: float
    disposition_gain: float
    total: float


def expected_gain(kb: KnowledgeBase, post: Posterior, finding: str, observations: Observations) -> Gain:
    """Expected reduction in entropy of the condition and of the disposition from asking ``finding``.

    Plain Python floats, summed in the posterior's order, so the result is the same on every machine.
    """
    conds = list(post)
    probs = list(post.values())
    groups = _disposition_groups(kb, conds)
    h_c = entropy(probs)
    h_d = entropy(_group_sums(probs, groups))
    # the tables hold P(answer | condition) for a question whose parents are present and below which nothing
    # was reported (always so while generating); otherwise the answer's chance given what was reported is a
    # ratio of likelihoods of the group it joins
    if parents_present(kb, finding, observations) and not reported_below(kb, finding, observations):
        exp_c, exp_d = _expected_entropies(kb, conds, probs, finding, groups)
    else:
        exp_c, exp_d = _expected_entropies_joined(kb, conds, probs, finding, groups, observations)
    gc = max(h_c - exp_c, 0.0)
    gd = max(h_d - exp_d, 0.0)
    w = kb.settings.disposition_gain_weight
    return Gain(finding, gc, gd, gc + w * gd)


def _expected_entropies(kb: KnowledgeBase, conds: list[str], probs: list[float], finding: str,
                        groups: tuple[list[int], int]) -> tuple[float, float]:
    """sum_a P(a) H(condition | a) and sum_a P(a) H(disposition | a) for a question whose answer tables are
    fixed (its parents present, nothing reported below it), answer by answer in plain Python floats.

    Plain lists rather than numpy: the focus holds a few dozen conditions and a question two to eight answers,
    sizes at which numpy's cost per call is larger than the arithmetic (this was a matrix version, a fifth
    slower, with the same bits). An answer no condition in view can give adds nothing.
    """
    index = _condition_index(kb)
    cols = [index[c] for c in conds]
    exp_c = exp_d = 0.0
    for table in _outcome_rows(kb, finding):
        c, d = _weighted_entropies([table[j] * p for j, p in zip(cols, probs)], groups)
        exp_c += c
        exp_d += d
    return exp_c, exp_d


def _weighted_entropies(joint: list[float], groups: tuple[list[int], int]) -> tuple[float, float]:
    """One answer's share of the expected entropies: its chance times the entropy of the conditions, and of
    their disposition groups, given that answer (nothing when no condition in view can give it)."""
    pa = math.fsum(joint)
    if pa <= 0:
        return 0.0, 0.0
    cond = [v / pa for v in joint]
    return pa * entropy(cond), pa * entropy(_group_sums(cond, groups))


def _expected_entropies_joined(kb: KnowledgeBase, conds: list[str], probs: list[float], finding: str,
                               groups: tuple[list[int], int], observations: Observations) -> tuple[float, float]:
    """:func:`_expected_entropies` for a question below an unknown parent or above a reported follow-up (hand-made
    input only): each answer's chance is a ratio of likelihoods of the group of findings it joins."""
    top = _top_unknown_ancestor(kb, finding, observations) or finding
    before = [_subtree_likelihood(kb, c, top, observations) for c in conds]
    exp_c = exp_d = 0.0
    for answer in outcomes(kb, finding):
        after = {**observations, finding: answer}
        c, d = _weighted_entropies([p * (_subtree_likelihood(kb, c, top, after) / b if b > 0 else 0.0)
                                    for c, p, b in zip(conds, probs, before)], groups)
        exp_c += c
        exp_d += d
    return exp_c, exp_d


def _outcome_matrix(kb: KnowledgeBase, finding: str):
    """P(answer | condition) with the parent present: one row per answer of :func:`outcomes`, one column per
    condition in id order (the values of :func:`_prob_table`)."""
    import numpy as np

    def compute():
        conditions = sorted(kb.conditions)
        return np.array([[table[c] for c in conditions]
                         for table in (_prob_table(kb, finding, answer) for answer in outcomes(kb, finding))])

    return kb.cached("outcome_matrix", finding, compute)


def _outcome_rows(kb: KnowledgeBase, finding: str) -> list[list[float]]:
    """:func:`_outcome_matrix` as lists of floats (the same values), for the plain-Python loops. Kept for the
    life of the knowledge base: at most one list per answer of each finding, about 8 MB for the whole library."""
    return kb.cached("outcome_rows", finding, lambda: _outcome_matrix(kb, finding).tolist())


def _condition_index(kb: KnowledgeBase) -> dict[str, int]:
    """Each condition's column in a matrix whose columns are every condition in id order."""
    return kb.cached("condition_index", None, lambda: {c: i for i, c in enumerate(sorted(kb.conditions))})


def _disposition_groups(kb: KnowledgeBase, conds: list[str]) -> tuple[list[int], int]:
    """Each condition's disposition as a group number, numbered in order of first appearance."""
    disposition_of = kb.cached("disposition_of", None, lambda: {c: x.disposition for c, x in kb.conditions.items()})
    dispositions = [disposition_of[c] for c in conds]
    number = {d: i for i, d in enumerate(dict.fromkeys(dispositions))}
    return [number[d] for d in dispositions], len(number)


def _group_sums(probs: list[float], groups: tuple[list[int], int]) -> list[float]:
    """Probability per disposition, added up in the order given (groups in order of first appearance)."""
    of, n = groups
    out = [0.0] * n
    for g, p in zip(of, probs):
        out[g] += p
    return out


#: conditions below this posterior are left out of expected-gain computations (see ``focus``)
FOCUS_FLOOR = 1e-4


def focus(post: Posterior, floor: float = FOCUS_FLOOR) -> Posterior:
    """The posterior restricted to conditions above ``floor`` and renormalised.

    Expected gain is computed on this, so that conditions that are already all but excluded do not cost
    time; with the default floor the mass left out is below 1e-4 per condition.
    """
    kept = {c: p for c, p in post.items() if p >= floor}
    total = math.fsum(kept.values())
    return {c: p / total for c, p in kept.items()}


def relevant_findings(kb: KnowledgeBase, post: Posterior, observations: Observations,
                      age_band: str | None = None, sex: Sex | None = None) -> list[str]:
    """Askable findings with an edge to at least one condition still in ``post``, reportable at this age (and
    by this sex), and
    reasonable for the complaint, in id order.

    Reasonable for the complaint: linked to a condition that presents with a complaint the person has reported
    (conditions list the complaints they present with, in the library). Without it a question is chosen for
    its information gain alone, and a poisoning call is asked about joint pain because a condition far from
    the complaint is still in the posterior. Where nobody has reported a complaint (a hand-made case), every
    linked finding is reasonable. Must-asks, red-flag screens and rule-outs are not information questions
    and are not limited by this."""
    m = _finding_masks(kb)
    bit = m.bit
    linked = reduce(or_, map(m.linked.__getitem__, post), 0)  # linked to a condition in view
    askable = m.roots
    asked = 0
    reasonable = 0
    for fid, answer in observations.items():
        asked |= bit[fid]
        if answer is True:
            askable |= m.children.get(fid, 0)
            reasonable |= m.complaint.get(fid, 0)
    mask = linked & askable & ~asked
    if reasonable:
        mask &= reasonable
    if age_band is not None:
        mask &= m.reportable(kb, age_band, sex)
    return [f for f in m.members(mask) if f not in m.implying or not contradicted(kb, f, observations)]


def contradicted(kb: KnowledgeBase, finding: str, observations: Observations,
                 ignoring: tuple[str, ...] = ()) -> bool:
    """A finding ruled out by a value already reported: it implies values of a categorical finding
    ('implies' in the library), and that finding was answered otherwise (no thunderclap after 'it came on
    gradually'; no pre-eclampsia sign after 'under 20 weeks' pregnant). Its yes could not be true, so it is
    neither screened nor asked for its information. Findings in ``ignoring`` are not read."""
    for other, allowed in kb.findings[finding].implies.items():
        seen = observations.get(other)
        if isinstance(seen, str) and seen not in allowed and other not in ignoring:
            return True
    return False


class _FindingMasks:
    """Sets of findings as the bits of a Python int (bit i is the i-th finding in id order): what each
    condition links to, the roots, each parent's children, and who can report them; so relevant findings
    are a few bitwise operations."""

    def __init__(self, kb: KnowledgeBase):
        self.ids = sorted(kb.findings)
        self.bit = {f: 1 << i for i, f in enumerate(self.ids)}
        self.linked = {c: self._set(kb.likelihoods[c]) for c in kb.conditions}
        roots, children = _hierarchy(kb)
        self.roots = self._set(roots)
        self.children = {parent: self._set(kids) for parent, kids in children.items()}
        # a complaint's finding -> the findings linked to the conditions that present with that complaint
        self.complaint: dict[str, int] = {}
        for cid, comp in sorted(kb.complaints.items()):
            found = reduce(or_, (self.linked[c] for c in kb.presenting_with(cid)), 0)
            self.complaint[comp.finding] = self.complaint.get(comp.finding, 0) | found
        #: the findings with ``implies``: the only ones an earlier answer can contradict
        self.implying = frozenset(f for f in self.ids if kb.findings[f].implies)
        self._reportable: dict[tuple[str, Sex | None], int] = {}
        self._nbytes = (len(self.ids) + 7) // 8

    def _set(self, findings: Iterable[str]) -> int:
        return reduce(or_, (self.bit[f] for f in findings), 0)

    def members(self, mask: int) -> list[str]:
        """The findings in a set, in id order."""
        import numpy as np

        bits = np.unpackbits(np.frombuffer(mask.to_bytes(self._nbytes, "little"), dtype=np.uint8), bitorder="little")
        ids = self.ids
        return [ids[i] for i in np.flatnonzero(bits).tolist()]

    def reportable(self, kb: KnowledgeBase, age_band: str, sex: Sex | None = None) -> int:
        mask = self._reportable.get((age_band, sex))
        if mask is None:
            mask = self._reportable[(age_band, sex)] = self._set(self.ids) & ~self._set(kb.unreportable(age_band, sex))
        return mask


def _finding_masks(kb: KnowledgeBase) -> _FindingMasks:
    return kb.cached("finding_masks", None, lambda: _FindingMasks(kb))


# ---------------------------------------------------------------------------------------------------------
# Vectorised expected gain, for generating many dialogues. Same quantity as `expected_gain` (the reference
# implementation, which the tests compare it against), for every finding at once. It relies on the fact
# that a finding is only asked once its parent is known present, so P(answer | condition) is a fixed table.
#
# With j(a, c) = P(a | c) q(c) and P(a) = sum_c j(a, c), the expected entropy after asking is
#     sum_a P(a) H(c | a) = sum_a [ P(a) log P(a) - sum_c j(a, c) log j(a, c) ]
# and sum_c j log j = (P log P) @ q + P @ (q log q): matrix products over fixed tables, no per-answer
# normalisation. The disposition term is the same with j summed within each disposition.


class GainTables:
    """Per-knowledge-base matrices: one row per (finding, answer), one column per condition."""

    def __init__(self, kb: KnowledgeBase):
        import numpy as np

        self.kb = kb
        self.conditions = sorted(kb.conditions)
        self.index = {c: i for i, c in enumerate(self.conditions)}
        dispositions = sorted({kb.conditions[c].disposition for c in self.conditions}, key=lambda d: d.rank)
        self.disp_onehot = np.zeros((len(self.conditions), len(dispositions)))
        for i, c in enumerate(self.conditions):
            self.disp_onehot[i, dispositions.index(kb.conditions[c].disposition)] = 1.0
        blocks = []
        self.rows_of: dict[str, list[int]] = {}  # finding -> its rows, one per possible answer
        first = 0
        for fid in sorted(kb.findings):
            blocks.append(_outcome_matrix(kb, fid))  # the tables expected_gain reads: computed once for both
            self.rows_of[fid] = list(range(first, first + len(blocks[-1])))
            first += len(blocks[-1])
        self.p = np.vstack(blocks)  # (finding, answer) x condition
        self.p_log_p = _xlogx(self.p)

    def totals(self, post: Posterior, findings: list[str]) -> tuple[list[float], list[float], list[float]]:
        """(condition gains, disposition gains, totals), aligned with ``findings``.

        Each finding's rows are reduced on their own, so its score does not depend on which others were
        asked for alongside it.
        """
        import numpy as np

        if not findings:
            return [], [], []
        q = np.zeros(len(self.conditions))
        index = self.index
        q[np.fromiter([index[c] for c in post], dtype=np.intp, count=len(post))] = list(post.values())
        onehot = self.disp_onehot
        weights = np.empty((len(q), 2 + onehot.shape[1]))
        weights[:, 0] = q
        weights[:, 1] = _xlogx(q)
        np.multiply(q[:, None], onehot, out=weights[:, 2:])
        rows: list[int] = []
        starts: list[int] = []
        rows_of = self.rows_of
        for f in findings:
            starts.append(len(rows))
            rows += rows_of[f]
        at = np.array(rows)
        joint = self.p[at] @ weights  # per row: P(a), sum_c P(a|c) q log q, P(a, disposition) per disposition
        logs = _xlogx(joint)  # of every column at once (the second is not read): elementwise, so the same values
        p_a_log = logs[:, 0]
        row_c = p_a_log - self.p_log_p[at] @ q - joint[:, 1]
        row_d = p_a_log - logs[:, 2:].sum(axis=1)
        exp_c = np.add.reduceat(row_c, starts)
        exp_d = np.add.reduceat(row_d, starts)
        h_c = -float(weights[:, 1].sum())
        h_d = -float(_xlogx(q @ onehot).sum())
        gc = np.maximum(h_c - exp_c, 0.0)
        gd = np.maximum(h_d - exp_d, 0.0)
        total = gc + self.kb.settings.disposition_gain_weight * gd
        return gc.tolist(), gd.tolist(), total.tolist()


def _xlogx(m):
    """x log2 x elementwise, with 0 log 0 = 0."""
    import numpy as np

    out = np.zeros_like(m)
    np.log2(m, out=out, where=m > 0)
    out *= m
    return out


def _base_likelihood(kb: KnowledgeBase, condition: str, finding: str, answer: Answer) -> float:
    """P(answer | condition) with the parent known present (the only state in which it is asked)."""
    f = kb.findings[finding]
    if f.type is FindingType.binary:
        p = kb.p_present(condition, finding)
        return p if answer is True else 1.0 - p
    values = kb.p_values(condition, finding)
    if f.type is FindingType.categorical:
        return values[answer]  # type: ignore[index]
    prob = 1.0
    for value, pv in values.items():
        prob *= pv if value in answer else 1.0 - pv  # type: ignore[operator]
    return prob
