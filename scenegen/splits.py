"""Which split a record and a template wording belong to, and the situations a template must be able to fit:
the held-out axes of ``generate --holdout-by`` (condition, persona, template), apart from making records."""

from __future__ import annotations

import itertools
from typing import TYPE_CHECKING

from .content import AnswerKind, Disposition
from .errors import UsageError
from .initiative import ANSWER_ACT
from .rng import unit_hash
from .sample import PersonaDraw
from .templates import INITIATIVE_TEMPLATE_ACTS

if TYPE_CHECKING:
    from .generate import Library


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
