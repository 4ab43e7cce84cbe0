"""A breath-holding spell (a young child goes blue or pale and limp, perhaps with a few jerks, straight after
crying, pain or a fright) is a non-epileptic event (NICE NG217): it is not read as a first seizure, and what
happened just before is asked of every young child's fit or faint."""

from __future__ import annotations

from functools import lru_cache

from hypothesis import given
from hypothesis import strategies as st

from scenegen.generate import GenerateConfig, Generator, Library
from scenegen.sample import implied_answers
from scenegen.validate import _dialogue_observations


def test_a_spell_after_crying_with_no_epilepsy_and_no_febrile_fit_is_not_a_first_fit(bundled_kb):
    known = {"seizure": True, "known_epilepsy": False, "previous_febrile_seizure": False}
    assert implied_answers(bundled_kb, {**known, "upset_or_hurt_just_before": True}).get("first_ever_seizure") is None
    assert implied_answers(bundled_kb, {**known, "upset_or_hurt_just_before": False})["first_ever_seizure"] is True


@lru_cache(maxsize=None)
def _gen() -> Generator:
    return Generator(Library.load(), GenerateConfig(seed=19, conditions=("breath_holding_spell",)))


@given(index=st.integers(0, 100_000))
def test_a_breath_holding_spell_goes_to_a_and_e_only_on_a_sign_the_parent_reported(index):
    gen = _gen()
    r = gen.record(index)
    obs = _dialogue_observations(r, gen.lib.kb, implied=False)
    assert "upset_or_hurt_just_before" in obs, "what happened just before the spell was not asked"
    if obs["upset_or_hurt_just_before"] is True and r.gold.disposition in ("emergency_department", "emergency_ambulance"):
        # a red flag, or a rule on signs the parent reported (a first fit within the day: the first-fit flag
        # alone is a same-day call once the fit is over a day old)
        modifiers = {m.id: m for m in gen.lib.kb.modifiers}
        flags = [x.id for x in r.gold.reasons if x.kind == "red_flag"]
        flags += [f for x in r.gold.reasons if x.kind == "modifier" for f in modifiers[x.id].when.present]
        assert flags, [(x.kind, x.id) for x in r.gold.reasons]
        assert all(obs.get(f) is True for f in flags), (flags, "a sign the parent did not report")
