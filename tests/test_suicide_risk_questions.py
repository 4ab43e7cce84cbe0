"""Means at hand with a wish to be dead: intent, a plan and anything already done are asked before the level is
decided, and the ambulance comes from one of them (issue #9, D6: a passive wish with tablets in the cupboard was
sent to 999 with intent, plan and 'taken anything already' never asked). NICE NG225 Self-harm; NICE CKS Suicide
risk - assessment and management (ask about intent, plans and access to means)."""

from __future__ import annotations

from scenegen.generate import GenerateConfig, Generator, Library

IMMINENT = {"suicidal_intent", "suicidal_plan", "suicidal_behaviour_recent", "swallowed_harmful_substance"}


def test_means_at_hand_is_followed_by_intent_plan_and_what_was_done_before_the_level():
    gen = Generator(Library.load(), GenerateConfig(
        seed=5, conditions=("suicidal_thoughts_without_plan", "suicidal_ideation_with_plan", "depression"),
        complaints=("low_mood",)))
    seen = 0
    for i in range(80):
        r = gen.record(i)
        turns = [t for t in r.turns if t.finding]
        if not any(t.finding == "suicidal_means_at_hand" and t.act == "answer_yes" for t in turns):
            continue
        seen += 1
        asked = {t.finding for t in turns if t.act in {"red_flag_check", "clarify"}}
        said = set(r.gold.red_flags_present)
        # intent (or the active thoughts above it) asked, unless something imminent was already said
        assert {"suicidal_thoughts_active", "suicidal_intent"} & asked or IMMINENT & said, r.id
        if r.gold.disposition == "emergency_ambulance":  # the 999 call rests on more than the means
            assert IMMINENT & said, (r.id, said)
        else:
            assert "suicidal_behaviour_recent" in asked, r.id
    assert seen, "no generated call reported means at hand"
