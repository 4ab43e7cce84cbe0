"""Which split a record and a template wording belong to, and the situations a template must be able to fit:
the held-out axes of ``generate --holdout-by`` (condition, persona, template), apart from making records."""

from __future__ import annotations

import itertools
import math
from functools import cached_property
from typing import TYPE_CHECKING, Callable, Literal, Optional

from .content import AnswerKind, Disposition, Sex
from .errors import UsageError
from .initiative import ANSWER_ACT
from .rng import unit_hash
from .knowledge import Demographics
from .sample import HiddenCase, PersonaDraw, eligible
from .templates import INITIATIVE_TEMPLATE_ACTS

if TYPE_CHECKING:
    from .generate import GenerateConfig, Library


class SplitPlan:
    """Which split record *i* goes to, and, when balancing, the gold level it is drawn for: worked out from the
    seed, the index and the held-out group alone, so any part of a run agrees with the whole."""

    def __init__(self, lib: "Library", config: "GenerateConfig"):
        self.lib, self.config = lib, config
        self.test_variants = (held_out_variants(lib, config.seed, config.test_fraction)
                              if config.holdout_by == "template" else frozenset())

    def split_of(self, index: int, persona: PersonaDraw, case: HiddenCase) -> Literal["train", "test"]:
        c = self.config
        if c.test_fraction == 0:
            return "train"
        if c.holdout_by == "condition":
            key = ("condition", case.condition)
        elif c.holdout_by == "persona":
            key = ("persona", persona_archetype(persona))
        elif c.balance == "disposition":
            return self.balance_slot(index)[1]  # a record-level split: the balanced slot's own
        else:
            key = ("record", index)
        return "test" if unit_hash(c.seed, *key) < c.test_fraction else "train"

    def keep(self, split: str) -> Optional[Callable]:
        """The variant filter of one split: built once, so the realiser can cache choices made under it."""
        if self.config.holdout_by != "template" or self.config.test_fraction == 0:
            return None
        return self._filters[split]

    @cached_property
    def _filters(self) -> dict:
        test = self.test_variants
        return {"test": lambda v: v.id in test, "train": lambda v: v.id not in test}

    def balance_slot(self, index: int) -> tuple[Disposition, str]:
        """The gold level and split record ``index`` is drawn for when balancing.

        The split is fixed first, evenly spaced at the test fraction (record i is in test when floor((i+1)f)
        passes an integer), so a record's rank within its split is known from i alone; the levels then take
        turns within each split. Only cases whose held-out group falls in that split are kept, so each split
        gets each level equally often, whatever the axis.
        """
        f = self.config.test_fraction
        before = math.floor(index * f)  # test records before this one
        split = "test" if math.floor((index + 1) * f) > before else "train"
        rank = before if split == "test" else index - before
        levels = self.dispositions_available
        return levels[rank % len(levels)], split

    @cached_property
    def dispositions_available(self) -> list[Disposition]:
        """The gold levels some condition of the selection has: the ones balancing takes turns over."""
        kb = self.lib.kb
        have = set()
        for group in self.lib.personas.age_groups:
            for sex in Sex:
                have |= {kb.conditions[cid].disposition
                         for cid, _, _ in eligible(kb, Demographics(group.min_months, sex, False), self.config.filters)}
        return [d for d in Disposition if d in have]


def held_out_variants(lib: "Library", seed: int, test_fraction: float) -> frozenset[str]:
    """Template variants held out for test (--holdout-by template): every (act, situation) keeps at least one
    wording in each split, so a test record never needs a wording only training saw."""
    f = test_fraction
    if f == 0:
        return frozenset()
    templates = lib.templates
    test: set[str] = set()
    for act, variants in templates.variants.items():
        rank = {v.id: unit_hash(seed, "template", v.id) for v in variants}
        test |= {v.id for v in variants if rank[v.id] < f}
        # situations that differ only in facts no variant of this act names have the same pool: each distinct
        # pool is kept once, with how many situations share it, in the order of its first situation
        used = sorted({k for v in variants for k in v.when})
        by_key: dict[tuple, tuple[str, ...]] = {}
        shared: dict[tuple[str, ...], list] = {}
        for facts in situations(lib, act):
            key = tuple(facts.get(k) for k in used)
            pool = by_key.get(key)
            if pool is None:
                pool = by_key[key] = tuple(sorted((v.id for v in variants if v.matches(facts)),
                                                  key=lambda i: (rank[i], i)))
            if len(pool) < 2:
                raise UsageError(f"--holdout-by template needs two wordings for act '{act}' in situation "
                                 f"{dict(facts)}; the library has {len(pool)}")
            if pool in shared:
                shared[pool][2] += 1
            else:
                shared[pool] = [facts, pool, 1]
        pools = [tuple(entry) for entry in shared.values()]
        _balance_sides(pools, test, rank)
        for facts, pool, _ in pools:
            if all(i in test for i in pool) or not any(i in test for i in pool):
                raise UsageError(f"cannot hold out wordings of act '{act}' for situation {dict(facts)}: "
                                 "add more template variants")
    return frozenset(test)



def _balance_sides(pools: list, test: set[str], rank: dict[str, float], max_steps: int = 2000) -> None:
    """Move wordings between sides until every situation's pool has one on each side (in place).

    ``pools`` holds (facts, pool, how many situations share that pool). A two-colouring of a small hypergraph:
    while a pool is one-sided, flip the variant of that pool whose move leaves the fewest one-sided situations
    (ties to the lower hash rank, then the id), so it is deterministic.
    """
    def one_sided() -> int:
        return sum(n for _, pool, n in pools if all(i in test for i in pool) or not any(i in test for i in pool))

    for _ in range(max_steps):
        bad = next((pool for _, pool, _ in pools if all(i in test for i in pool) or not any(i in test for i in pool)),
                   None)
        if bad is None:
            return
        best = None
        for i in bad:
            test.symmetric_difference_update({i})
            score = (one_sided(), rank[i], i)
            test.symmetric_difference_update({i})
            if best is None or score < best:
                best = score
        test.symmetric_difference_update({best[2]})


def persona_archetype(p: PersonaDraw) -> str:
    """The persona group that --holdout-by persona keeps on one side: who speaks, how, and in which locale."""
    return f"{p.age_group}|{p.speaker}|{p.literacy}|{p.style}|{p.locale}"


def situations(lib: Library, act: str) -> list[dict[str, str]]:
    """Every combination of facts a template of ``act`` can be asked to fit."""
    tones = sorted({s.tone for s in lib.personas.styles})
    wordings = sorted({x.wording for x in lib.personas.literacy})
    axes: dict[str, list[str]] = {"speaker": ["self", "proxy"], "wording": wordings, "tone": tones}
    if act in {"disposition", "close"}:
        axes["disposition"] = [d.value for d in Disposition]
    if act in {"answer_yes", "answer_no", "answer_unsure"}:
        axes["answer_kind"] = [k.value for k in AnswerKind]
        axes["asked"] = ["first", "again"]
    if act == "answer_yes":
        axes["danger"] = ["red_flag", "none"]
    if act == "first_aid":  # given with an emergency disposition only
        axes["disposition"] = [Disposition.emergency_ambulance.value, Disposition.emergency_department.value]
    if act in {"clarify", "red_flag_check"}:
        axes["type"] = ["binary", "categorical", "multi"]
        axes["turn"] = ["first", "later", "after_unsure"]
    if act == "ack":  # said before every question but the first
        axes["turn"] = ["later", "after_unsure"]
    if act in INITIATIVE_TEMPLATE_ACTS:
        return _initiative_situations(lib, act, axes)
    keys = list(axes)
    return [dict(zip(keys, combo)) for combo in itertools.product(*(axes[k] for k in keys))]


def initiative_template_gaps(lib: Library) -> list[tuple[str, dict[str, str]]]:
    """(act, situation) pairs after the advice that personas/initiative.yaml allows and no template words."""
    out = []
    for act in sorted(INITIATIVE_TEMPLATE_ACTS):
        variants = lib.templates.variants.get(act, [])
        used = sorted({k for v in variants for k in v.when})
        seen: set[tuple] = set()
        for facts in situations(lib, act):
            key = tuple(facts.get(k) for k in used)
            if key in seen:
                continue
            seen.add(key)
            if "age_group" not in facts:
                facts = {**facts, "age_group": ""}  # matches only the variants written for every age
            if not any(v.matches(facts) for v in variants):
                out.append((act, facts))
    return out


def _initiative_situations(lib: Library, act: str, axes: dict[str, list[str]]) -> list[dict[str, str]]:
    """The situations of an act after the advice: each (kind, disposition) the initiative library allows for
    it, by wording and tone, and by who speaks at which age where a wording of the act is written for an age."""
    initiative = lib.personas.initiative
    patient_act = next(a for a, answer in ANSWER_ACT.items() if act in (a, answer))
    pairs = [(raised, level.value) for raised, kind in initiative.kinds.items() if kind.act == patient_act
             for level in kind.dispositions]
    by_age = any("age_group" in v.when for v in lib.templates.variants.get(act, []))
    people = ([(g.id, "self" if s == "self" else "proxy") for g in lib.personas.age_groups for s in g.speakers]
              if by_age else [(None, s) for s in axes["speaker"]])
    out = []
    for (age, speaker), wording, tone, (raised, level) in itertools.product(
            dict.fromkeys(people), axes["wording"], axes["tone"], pairs):
        facts = {"speaker": speaker, "wording": wording, "tone": tone, "disposition": level, "raised": raised}
        if age is not None:
            facts["age_group"] = age
        out.append(facts)
    return out
