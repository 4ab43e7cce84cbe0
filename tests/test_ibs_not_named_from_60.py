"""A change in bowel habit at 60 or over is not called IBS: NICE CG61 lists it among the red flags that call
for referral rather than an IBS diagnosis, and NICE NG12 offers a bowel test (FIT) through the GP, so such a
call goes to a routine GP appointment (change_in_bowel_habit_60_and_over) and its closing neither names IBS
nor gives IBS's own care (the rule's not_named). Issue #9: at seed 77, 197 of 199 such IBS calls were told it
could be IBS."""

from __future__ import annotations

import json

from functools import lru_cache

from scenegen.content import Disposition
from scenegen.generate import GenerateConfig, Generator, Library
from scenegen.load import bundled_library
from scenegen.validate import Lexicon, validate_record


from .replay import known_before_each_turn

RANK = {d.value: d.rank for d in Disposition}


@lru_cache(maxsize=None)
def _records():
    gen = Generator(Library.load(), GenerateConfig(seed=77, conditions=("irritable_bowel_syndrome",)))
    return gen, [gen.record(i) for i in range(150)]


def test_ibs_is_not_named_nor_advised_for_a_change_in_bowel_habit_at_60_or_over_and_goes_to_the_gp():
    gen, records = _records()
    kb = gen.lib.kb
    older = younger = 0
    for r in records:
        _, known_at = known_before_each_turn(kb, r)
        told = known_at[r.gold.disposition_turn].get("change_in_bowel_habit") is True
        if not told:
            continue
        if r.persona.age_months >= 60 * 12:
            older += 1
            assert "irritable_bowel_syndrome" not in r.gold.named_conditions, r.id
            said = " ".join(m.content for m in r.messages if m.role == "assistant")
            assert "IBS" not in said and "irritable bowel" not in said.lower(), r.id
            assert RANK[r.gold.disposition] >= Disposition.routine.rank, (r.id, r.gold.disposition)
        elif "irritable_bowel_syndrome" in r.gold.named_conditions:
            younger += 1
    assert older >= 10, older
    assert younger >= 10, younger  # the pair is live: under 60 it is still named


def test_validate_rejects_ibs_named_for_a_change_in_bowel_habit_at_60_or_over():
    lexicon = Lexicon.load(bundled_library())
    gen, records = _records()
    kb = gen.lib.kb
    r = next(r for r in records if r.persona.age_months >= 60 * 12 and r.gold.disposition == "routine"
             and known_before_each_turn(kb, r)[1][r.gold.disposition_turn].get("change_in_bowel_habit") is True)
    obj = json.loads(json.dumps(r.model_dump(mode="json")))
    assert not [v for v in validate_record(obj, kb, lexicon) if v.rule == "named_only_when_supported"]
    obj["gold"]["named_conditions"] = ["irritable_bowel_syndrome"]
    found = [v for v in validate_record(obj, kb, lexicon) if v.rule == "named_only_when_supported"]
    assert found and "change_in_bowel_habit_60_and_over" in found[0].message, found
