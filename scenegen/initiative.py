"""What the patient does after the advice besides listening: a question of their own, pushback, a reply.

Planned after the disposition is decided, from the record's own random stream, and never able to change
it: each act is a user message followed by the assistant's answer, which keeps the same disposition. Which
kinds fit which disposition, what the assistant must do about each, and how often each persona style takes
the initiative are data (``personas/initiative.yaml`` and the styles in ``personas/personas.yaml``); this
module only draws from them.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

from .content import CrisisResource, Disposition
from .personas import Initiative, Style
from .rng import chance, weighted_pick

#: the patient's act -> the assistant act that answers it
ANSWER_ACT = {"pushback": "answer_pushback", "patient_question": "answer_question",
              "reply_after_advice": "acknowledge_reply"}
PATIENT_ACTS = tuple(ANSWER_ACT)


@dataclass(frozen=True)
class PlannedInitiative:
    act: str  # pushback | patient_question | reply_after_advice
    raised: str  # the kind (personas/initiative.yaml)
    assistant_must: str


def plan_initiative(lib: Initiative, style: Style, level: Disposition, crisis: CrisisResource, age_group: str,
                    rng: random.Random, conditions: frozenset[str] = frozenset()) -> list[PlannedInitiative]:
    """The patient's acts after the advice, in order: none, one, or one answered and then a reply.

    ``conditions`` are the hidden condition and those the disposition rests on: none of them may be one the
    library keeps free of initiative. The first draw is always taken (so the stream advances the same way
    whatever the outcome): whether this person takes the initiative at all, at their style's rate.
    """
    if not chance(rng, style.initiative_rate) or not lib.kinds:
        return []
    if lib.skip_with_crisis_resource and crisis is not CrisisResource.none:
        return []
    if conditions & set(lib.skip_conditions):
        return []
    acts = [a for a in PATIENT_ACTS if lib.allowed(a, level, age_group, conditions)
            and style.initiative_weights.get(a, 1.0) > 0]
    if not acts:
        return []
    act = weighted_pick(rng, acts, [style.initiative_weights.get(a, 1.0) for a in acts])
    first = _kind(lib, style, act, level, age_group, rng, conditions)
    if first is None:
        return []
    out = [first]
    if act != "reply_after_advice" and lib.follow_up and chance(rng, lib.follow_up_rate):
        options = [r for r in lib.follow_up if r in lib.allowed(lib.kinds[r].act, level, age_group, conditions)]
        if options:
            raised = weighted_pick(rng, options, [lib.kinds[r].weight for r in options])
            out.append(PlannedInitiative(lib.kinds[raised].act, raised, lib.kinds[raised].assistant_must))
    return out


def _kind(lib: Initiative, style: Style, act: str, level: Disposition, age_group: str,
          rng: random.Random, conditions: frozenset[str] = frozenset()) -> PlannedInitiative | None:
    """One kind of ``act`` that fits ``level``, the person and the conditions in play, by the library's weight
    times the style's multiplier."""
    kinds = lib.allowed(act, level, age_group, conditions)
    weights = [lib.kinds[r].weight * style.raised_weights.get(r, 1.0) for r in kinds]
    if not kinds or sum(weights) <= 0:
        return None
    raised = weighted_pick(rng, kinds, weights)
    return PlannedInitiative(act, raised, lib.kinds[raised].assistant_must)


__all__ = ["ANSWER_ACT", "PATIENT_ACTS", "PlannedInitiative", "plan_initiative"]
