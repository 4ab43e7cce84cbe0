"""The loaded knowledge base: validated content plus the numbers derived from its band words.

Built only by :func:`scenegen.load.load_knowledge_base`, which has already checked every cross-reference,
so lookups here can trust their ids.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable, Hashable, Mapping, TypeVar, Union

from .content import (
    Advice, AnswerKind, Complaint, Condition, Disposition, Finding, FindingType, Implication, Medicine, Modifier, ModelSettings,
    Pregnancy, Screen, Sex,
)
from .errors import UsageError

#: What a patient can report about one finding: yes/no, one value, or a set of values.
Answer = Union[bool, str, frozenset]
Observations = Mapping[str, Answer]
T = TypeVar("T")

MAX_AGE_MONTHS = 120 * 12
#: ages (months, [from, to)) at which a pregnancy is accepted as plausible input
PREGNANCY_MONTHS = (10 * 12, 60 * 12)


@dataclass(frozen=True)
class Demographics:
    """Who the case is about. Age is in months so that infants' bands are exact."""

    age_months: int
    sex: Sex
    pregnant: bool = False

    def __post_init__(self) -> None:
        if not 0 <= self.age_months <= MAX_AGE_MONTHS:
            raise UsageError(f"age {self.age_months} months is outside 0-{MAX_AGE_MONTHS} months (0-120 years)")
        if self.pregnant and self.sex is not Sex.female:
            raise UsageError("pregnant applies only to sex 'female'")
        if self.pregnant and not PREGNANCY_MONTHS[0] <= self.age_months < PREGNANCY_MONTHS[1]:
            raise UsageError(f"pregnant at age {format_age(self.age_months)} is not plausible; valid ages are 10-59 years")

    @property
    def age_years(self) -> int:
        return self.age_months // 12


def format_age(months: int) -> str:
    if months < 1:
        return "under 1 month"
    if months == 1:
        return "1 month"
    return f"{months} months" if months < 24 else f"{months // 12} years"


@dataclass(frozen=True, eq=False)
class KnowledgeBase:
    """Compared and hashed by identity: one load, one knowledge base (caches key on it)."""

    settings: ModelSettings
    findings: dict[str, Finding]
    conditions: dict[str, Condition]
    complaints: dict[str, Complaint]
    modifiers: tuple[Modifier, ...]
    #: must-asks: start-of-call questions, and a question for each finding of a modifier marked 'screen'
    screens: tuple[Screen, ...]
    #: consistency constraints between answers (conditions/consistency.yaml), in a fixed order
    implies: tuple[Implication, ...]
    #: condition -> the warning signs its guideline names for the safety net (conditions/safety_nets.yaml)
    safety_nets: dict[str, tuple[str, ...]]
    #: medicines that advice recommends, with their youngest age by locale (conditions/medicines.yaml)
    medicines: dict[str, Medicine]
    #: where each item was defined: (kind, id) -> (file, line)
    locations: dict[tuple[str, str], tuple[str, int]]
    content_hash: str
    #: condition -> finding -> P(present | condition, parent present), or value -> P for non-binary findings
    likelihoods: dict[str, dict[str, Union[float, dict[str, float]]]] = field(repr=False)
    #: condition -> age band -> relative prior weight (0 where the condition cannot occur)
    prior_weights: dict[str, dict[str, float]] = field(repr=False)
    #: finding -> conditions with an edge to it
    used_by: dict[str, tuple[str, ...]] = field(repr=False)
    #: binary finding -> P(present | a condition with no edge to it): its background rate, or the leak
    background: dict[str, float] = field(default_factory=dict, repr=False)
    #: condition -> what brings the person back at its own level ('no better 48 hours after starting
    #: antibiotics'), said in every safety net given at that level (conditions/safety_nets.yaml not_better)
    not_better: dict[str, str] = field(default_factory=dict, repr=False)
    #: condition -> (the days its not_better line counts, or None; the level it sends to, or None: the level given)
    not_better_when: dict[str, tuple[float | None, Disposition | None]] = field(default_factory=dict, repr=False)
    #: complaint -> home-care advice whatever the cause, for a self-care disposition when no condition's own
    #: advice applies (conditions/complaint_advice.yaml)
    complaint_advice: dict[str, tuple[Advice, ...]] = field(default_factory=dict, repr=False)
    #: derived tables computed on first use (inference caches); lives and dies with this knowledge base
    cache: dict = field(default_factory=dict, repr=False, compare=False)

    # --- demographics -------------------------------------------------------------------------------
    def age_band(self, age_months: int) -> str:
        for band in self.settings.age_bands:
            if band.below_months is None or age_months < band.below_months:
                return band.id
        raise AssertionError("the last age band is unbounded")

    def age_key(self, age_months: int) -> tuple[str, frozenset[str]]:
        """What the priors depend on at an age: its band, and the conditions whose month limits (finer than
        the band) exclude it. Caches of per-person tables key on this, not on the band alone."""
        def compute() -> tuple[str, frozenset[str]]:
            return (self.age_band(age_months),
                    frozenset(cid for cid, c in self.conditions.items() if not c.fits_age(age_months)))
        return self.cached("age_key", age_months, compute)

    def presenting_with(self, complaint: str) -> tuple[str, ...]:
        """The conditions that present with a complaint, in id order (computed once per complaint)."""
        return self.cached("presenting_with", complaint, lambda: tuple(
            c for c, cond in sorted(self.conditions.items()) if complaint in cond.complaints))

    def authored_edges(self, condition: str) -> frozenset[str]:
        """The findings a condition's own file links it to, not those the loader derived from an implication
        (every condition with a fever edge gets 'a temperature lasting 5 days')."""
        return self.cached("authored_edges", condition, lambda: frozenset(
            e.id for e in self.conditions[condition].findings))

    def obligatory(self, condition: str) -> frozenset[str]:
        """The findings a condition cannot be without (its edges at the model's obligatory band): what must
        be reported before it is named, gives its first aid or its crisis line."""
        band = self.settings.obligatory_band
        return self.cached("obligatory", condition, lambda: frozenset(
            e.id for e in self.conditions[condition].findings if band is not None and e.p == band))

    def defining(self, condition: str) -> frozenset[str]:
        """The findings that define a condition for its own advice (its edges in ``defining_bands``): a denial
        or an unsure answer to one withholds its self-care (no impetigo exclusion after 'no sores')."""
        bands = set(self.settings.defining_bands)
        return self.cached("defining", condition, lambda: frozenset(
            e.id for e in self.conditions[condition].findings if isinstance(e.p, str) and e.p in bands) | self.obligatory(condition))

    def rule_out_questions(self, condition: str) -> tuple[str, ...]:
        """The questions asked before ``condition`` alone decides the level: its ``rule_out``, then each exposure
        or history it cannot exist without (an obligatory risk factor or history that no complaint opens with,
        other than the pregnancy question): no self-care for "an acute stress reaction" to someone never asked
        about a shock or a loss, no heat advice to someone never asked about heat."""
        def compute() -> tuple[str, ...]:
            c = self.conditions[condition]
            entries = {k.finding for k in self.complaints.values()}
            defining = sorted(f for f in self.obligatory(condition)
                              if self.findings[f].kind.value in ("risk_factor", "history") and f not in entries
                              and f != self.settings.pregnancy_finding and f not in c.rule_out)
            return (*c.rule_out, *defining)
        return self.cached("rule_out_questions", condition, compute)

    def complaint_is_event(self, complaint: str) -> bool:
        """Whether the complaint is something that happened at a moment (a fall onto the head, a fit, a faint,
        a swallowed substance) rather than a symptom that came on: it has a time ('when did it happen?'),
        not an onset."""
        return self.findings[self.complaints[complaint].finding].answer_kind is AnswerKind.event

    def reportable(self, finding: str, age_band: str, sex: Sex | None = None) -> bool:
        """Whether someone in this age band (or their carer), and of this sex when given, can report the finding
        at all. Asked about 200 times a record: a hit is two dictionary lookups, with no closure made."""
        try:
            return finding not in self.cache["unreportable"][(age_band, sex)]
        except KeyError:
            return finding not in self.unreportable(age_band, sex)

    def cached(self, table: str, key: Hashable, compute: Callable[[], T]) -> T:
        """``compute()`` once per (table, key) for the life of this knowledge base (a hit is one lookup:
        these tables are read hundreds of thousands of times a run)."""
        try:
            return self.cache[table][key]
        except KeyError:
            entries = self.cache.setdefault(table, {})
            if key not in entries:
                entries[key] = compute()
            return entries[key]

    def unreportable(self, age_band: str, sex: Sex | None = None) -> frozenset[str]:
        """The findings nobody in this age band (and of this sex, when given) can report (computed once per band
        and sex): those whose ages leave the band out or whose sexes leave the sex out (no vaginal discharge
        asked of a man), and every finding below one of them in the question hierarchy (it is only asked once its
        parent is reported, so 'chest pain with sweating?' cannot lead to asking a baby's parent about chest
        pain)."""
        hit = self.cache.get("unreportable", {}).get((age_band, sex))
        if hit is not None:  # the common case, without making the closure below
            return hit

        def compute() -> frozenset[str]:
            out = {f for f, x in self.findings.items()
                   if (x.ages and age_band not in x.ages) or (sex is not None and x.sexes and sex not in x.sexes)}
            for fid in sorted(self.findings):
                node = self.findings[fid].parent
                while node is not None:
                    if node in out:
                        out.add(fid)
                        break
                    node = self.findings[node].parent
            return frozenset(out)
        return self.cached("unreportable", (age_band, sex), compute)

    def prior(self, condition: str, who: Demographics) -> float:
        """Relative prior weight of a condition for this person; 0 where it cannot occur."""
        c = self.conditions[condition]
        if who.sex not in c.sexes:
            return 0.0
        if c.pregnancy is Pregnancy.required and not who.pregnant:
            return 0.0
        if c.pregnancy is Pregnancy.excluded and who.pregnant:
            return 0.0
        band = self.age_band(who.age_months)
        if band not in c.ages or not c.fits_age(who.age_months):
            return 0.0
        if band not in c.prior_by_age and who.sex in c.prior_by_sex:
            p = c.prior_by_sex[who.sex]
            return self.settings.prior_bands[p] if isinstance(p, str) else float(p)
        return self.prior_weights[condition].get(band, 0.0)

    # --- likelihoods --------------------------------------------------------------------------------
    def p_present(self, condition: str, finding: str) -> float:
        """P(binary finding present | condition, its parent present); with no edge, the finding's background
        rate (how often people report it whatever the cause), or the model's leak."""
        p = self.likelihoods[condition].get(finding)
        if p is None:
            return self.background.get(finding, self.settings.leak)
        return p  # type: ignore[return-value]

    def p_values(self, condition: str, finding: str) -> dict[str, float]:
        """Per-value probabilities of a categorical (sums to 1) or multi (independent) finding."""
        p = self.likelihoods[condition].get(finding)
        if p is None:
            return self._leak_values(finding)
        return p  # type: ignore[return-value]

    def _leak_values(self, finding: str) -> dict[str, float]:
        f = self.findings[finding]
        if f.type is FindingType.categorical:
            n = len(f.values)
            return {v.id: 1.0 / n for v in f.values}
        return {v.id: self.settings.leak for v in f.values}

    def p_parent_chain(self, condition: str, finding: str) -> float:
        """P(every ancestor of a finding is present | condition): the chance the finding can be asked at all."""
        p = 1.0
        parent = self.findings[finding].parent
        while parent is not None:
            p *= self.p_present(condition, parent)
            parent = self.findings[parent].parent
        return p

    # --- lookups with helpful errors -----------------------------------------------------------------
    def finding(self, finding_id: str) -> Finding:
        try:
            return self.findings[finding_id]
        except KeyError:
            raise UsageError(unknown_id("finding", finding_id, self.findings)) from None

    def condition(self, condition_id: str) -> Condition:
        try:
            return self.conditions[condition_id]
        except KeyError:
            raise UsageError(unknown_id("condition", condition_id, self.conditions)) from None

    def red_flags(self) -> dict[str, Finding]:
        return {fid: f for fid, f in self.findings.items() if f.red_flag is not None}

    def disposition(self, condition: str) -> Disposition:
        return self.conditions[condition].disposition


def unknown_id(kind: str, given: str, valid: Mapping[str, object]) -> str:
    """An error message naming the valid ids closest to what was typed."""
    import difflib

    close = difflib.get_close_matches(given, list(valid), n=5, cutoff=0.5)
    if not close:
        close = sorted(v for v in valid if given.split("_")[0] in v)[:5]
    hint = f"; did you mean: {', '.join(close)}?" if close else f"; {len(valid)} {kind}s are defined (scenegen kb export lists them)"
    return f"unknown {kind} '{given}'{hint}"
