"""Counterfactual twins: records identical to record i but for one thing about the person, for measuring whether a
model treats everyone alike (FairMedQA- and MedEqualQA-style pairs, made deterministically with the gold known).

The twin keeps the hidden case and the record's own word stream; only the planner is run again for the changed
person, from the state the original's plan began with, so a twin differs from its original only where the change itself makes
a difference. A name or a locale must never change the gold (``invariant``); sex, age group and who is speaking can,
through the library's priors, rules and what a carer can report, and the record says so.
"""

from __future__ import annotations

import random
from dataclasses import replace
from typing import Iterator

from .content import Sex
from .generate import Generator
from .plan import plan_dialogue
from .rng import derive_seed
from .sample import HiddenCase, PersonaDraw, eligible

AXES = ("name", "locale", "sex", "age_group", "speaker")

_WHY = {
    "name": "a name says nothing clinical: the gold must not change",
    "locale": "the country changes the service words only: the gold must not change",
    "sex": "the library's priors and rules differ by sex for some conditions, so the gold may change",
    "age_group": "the library's priors, rules and advice differ by age, so the gold may change",
    "speaker": "a carer cannot report what the person feels, so the questions and the gold may change",
}


def parse_axes(text: str) -> tuple[str, ...]:
    from .errors import UsageError

    axes = tuple(a.strip() for a in text.split(",") if a.strip())
    bad = [a for a in axes if a not in AXES]
    if bad or not axes:
        raise UsageError(f"--twins takes a comma-separated list of {', '.join(AXES)} (got {text!r})")
    return tuple(dict.fromkeys(axes))


def _flipped(gen: Generator, p: PersonaDraw, case: HiddenCase, axis: str) -> PersonaDraw | None:
    """The person with one thing changed, or None where the case cannot belong to the changed person."""
    pl = gen.lib.personas
    kb = gen.lib.kb
    if axis == "locale":
        others = [loc.id for loc in pl.locales if loc.id != p.locale]
        return replace(p, locale=others[0]) if others else None
    if axis == "sex":
        if p.pregnant:
            return None
        sex = Sex.male if p.sex is Sex.female else Sex.female
        relation = pl.speaker(p.speaker).relations.get(sex) if p.speaker != "self" else None
        q = replace(p, sex=sex, relation=relation)
    elif axis == "age_group":
        groups = pl.age_groups
        at = next(i for i, g in enumerate(groups) if g.id == p.age_group)
        q = None
        for j in (at + 1, at - 1):  # the next group up, else the one below
            if 0 <= j < len(groups) and p.speaker in groups[j].speakers:
                g = groups[j]
                age = g.min_months + min(p.age_months - groups[at].min_months, g.max_months - g.min_months)
                lo, hi = pl.pregnancy_ages_months
                if p.pregnant and not lo <= age <= hi:
                    continue
                q = replace(p, age_group=g.id, age_months=age)
                break
        if q is None:
            return None
    elif axis == "speaker":
        group = next(g for g in pl.age_groups if g.id == p.age_group)
        others = [s for s in group.speakers if s != p.speaker]
        if not others:
            return None
        s = others[0]
        q = replace(p, speaker=s, relation=pl.speaker(s).relations.get(p.sex) if s != "self" else None)
    else:  # pragma: no cover - parse_axes admits only AXES
        raise ValueError(axis)
    pairs = {(c, comp) for c, comp, w in eligible(kb, q.demographics, gen.config.filters) if w > 0}
    if (case.condition, case.complaint) not in pairs:
        return None
    # the case was drawn for the original person: what they could not report is settled absent in it, so a twin
    # who can report it would be asked a question the case has no answer to (a 6-month-old's tummy-pain site,
    # asked of a 15-month-old twin). Such a case has no twin on this axis.
    # Nor has one whose case holds a finding the twin cannot have or report (a threadworm case with vulval itch
    # has no male twin).
    mute_before = kb.unreportable(kb.age_band(p.age_months), p.sex)
    mute_after = kb.unreportable(kb.age_band(q.age_months), q.sex)
    if (mute_before - mute_after) & case.truth.keys():
        return None
    if any(case.truth[f] not in (False, "", frozenset()) for f in mute_after & case.truth.keys()):
        return None
    return q


def _other_name(gen: Generator, p: PersonaDraw, index: int, name: str) -> str:
    from faker import Faker

    fake = Faker(gen.lib.personas.locale(p.locale).faker)
    for k in range(20):
        fake.seed_instance(derive_seed(gen.config.seed, index, f"twin-name-{k}"))  # type: ignore[attr-defined]
        other = fake.first_name_female() if p.sex is Sex.female else fake.first_name_male()  # type: ignore[attr-defined]
        if other != name:
            return other
    return name + "a"  # pragma: no cover - twenty draws of one name


def record_group(gen: Generator, index: int, axes: tuple[str, ...]) -> Iterator[dict]:
    """Record ``index`` and its twins on each axis the case allows, in the order of ``axes``, all in its split."""
    persona, case, plan, plan_state = gen.draw(index)
    split = gen.split_of(index, persona, case)
    group = f"scn-{gen.config.seed}-{index:08d}"
    base = gen._build(index, split, persona, case, plan,
                      twin={"group": group, "axis": None, "invariant": True, "why": "the original"})
    yield base
    for axis in axes:
        name = base["persona"]["name"] if axis != "sex" else None  # a sex twin gets a name of its sex
        if axis == "name":
            q, twin_plan = persona, plan
            name = _other_name(gen, persona, index, base["persona"]["name"])
        else:
            q = _flipped(gen, persona, case, axis)
            if q is None:
                continue
            rng = random.Random()
            rng.setstate(plan_state)
            twin_plan = plan_dialogue(gen.lib.kb, gen.lib.personas, gen.reasoner, q, case, rng, gen.settings(),
                                      finish=False)
            if twin_plan is None:
                continue
            twin_plan.finish(gen.reasoner)
        rec = gen._build(index, split, q, case, twin_plan, name=name,
                         twin={"group": group, "axis": axis, "invariant": axis in ("name", "locale"),
                               "why": _WHY[axis]})
        rec["id"] = f"{group}-{axis}"
        yield rec
