"""Replaying a generated dialogue: what was known before each turn (shared by the must-ask tests)."""

from __future__ import annotations

from scenegen import Demographics
from scenegen.content import Sex
from scenegen.sample import implied_answers
from scenegen.triage import baseline_observations


def known_before_each_turn(kb, r) -> tuple[Demographics, dict[int, dict]]:
    """(the person, turn index -> the observations known before that turn) for a generated record."""
    who = Demographics(r.persona.age_months, Sex(r.persona.sex), r.persona.pregnant)
    obs = dict(baseline_observations(kb, who))
    known_at = {}
    for i, t in enumerate(r.turns):
        known_at[i] = dict(obs)
        if t.finding is not None and t.act in {"opening", "answer_yes"}:
            obs[t.finding] = True
        elif t.finding is not None and t.act == "answer_no":
            obs[t.finding] = False
        elif t.finding is not None and t.act == "answer_value":  # a categorical finding is one value, a multi several
            multi = kb.findings[t.finding].type.value == "multi"
            obs[t.finding] = t.answer_values if multi else (t.answer_values[0] if t.answer_values else None)
        given = t.volunteered_map
        obs.update({v: given[v][0] if v in given else True for v in t.volunteered})
        if t.act == "opening" or t.act.startswith("answer_"):  # what those say in other words, as the planner adds it
            implied = implied_answers(kb, obs, r.case.complaint, kb.unreportable(kb.age_band(who.age_months), who.sex))
            obs.update({f: a for f, a in implied.items()  # the opening leaves a warning sign it implies to be asked
                        if t.act != "opening" or a is False or kb.findings[f].red_flag is None})
    return who, known_at


def red_flags_the_opening_points_to(kb, r) -> list[str]:
    """The ambulance-level red flags the record's opening all but said (scenegen.plan.opening_red_flags), from
    what the opening turn says: the complaint, its volunteered details and the time course in its words."""
    from scenegen.plan import opening_red_flags

    who = Demographics(r.persona.age_months, Sex(r.persona.sex), r.persona.pregnant)
    opening = r.turns[1]
    obs = {**baseline_observations(kb, who), opening.finding: True}
    said = {v: vals[0] for v, vals in opening.volunteered_map.items()}
    obs.update({v: said.get(v, True) for v in opening.volunteered})
    implied = implied_answers(kb, obs, r.case.complaint, kb.unreportable(kb.age_band(who.age_months), who.sex))
    obs.update({f: a for f, a in implied.items() if a is False or kb.findings[f].red_flag is None})
    return opening_red_flags(kb, obs, said, [f for f, a in implied.items() if a is True],
                             list(kb.presenting_with(r.case.complaint)), kb.age_band(who.age_months), who.sex)
