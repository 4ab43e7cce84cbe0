"""A child who reacts soon after fish may have a first fish allergy, not scombroid poisoning: whether anyone else
who ate it reacted is asked before the level is set, and if nobody did, a GP assesses (NICE CG116)."""

from __future__ import annotations

from functools import lru_cache

from hypothesis import given
from hypothesis import strategies as st

from scenegen.content import Disposition
from scenegen.generate import GenerateConfig, Generator, Library
from scenegen.validate import _dialogue_observations


@lru_cache(maxsize=None)
def _gen() -> Generator:
    return Generator(Library.load(), GenerateConfig(seed=13, conditions=("scombroid_poisoning",)))


@given(index=st.integers(0, 100_000))
def test_a_child_reacting_after_fish_alone_is_not_sent_home_as_scombroid(index):
    gen = _gen()
    r = gen.record(index)
    kb = gen.lib.kb
    obs = _dialogue_observations(r, kb)
    if r.persona.age_months >= 216 or obs.get("ate_fish_shortly_before") is not True:
        return
    if obs.get("allergic_reaction") is not True and obs.get("flushing_face_neck") is not True:
        return
    assert "others_ate_same_fish_affected" in obs, "the question that tells scombroid from an allergy was not asked"
    if obs["others_ate_same_fish_affected"] is False:
        assert Disposition(r.gold.disposition).rank >= Disposition.routine.rank, r.gold.disposition
