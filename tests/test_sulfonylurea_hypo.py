"""A hypo on a sulfonylurea (gliclazide and the like) can recur for many hours after it is treated, so it is
never left to home care (JBDS-IP 01; NICE CKS Diabetes - type 2): the medicine is asked, and the level is at
least same-day."""

from __future__ import annotations

from functools import lru_cache

from hypothesis import given
from hypothesis import strategies as st

from scenegen.content import Disposition
from scenegen.generate import GenerateConfig, Generator, Library
from scenegen.validate import _dialogue_observations


@lru_cache(maxsize=None)
def _gen() -> Generator:
    return Generator(Library.load(), GenerateConfig(seed=17, conditions=("hypoglycaemia_treated_diabetes",)))


@given(index=st.integers(0, 100_000))
def test_a_hypo_on_a_sulfonylurea_is_never_left_to_home_care(index):
    gen = _gen()
    r = gen.record(index)
    obs = _dialogue_observations(r, gen.lib.kb)
    if obs.get("insulin_or_sulfonylurea_use") is True and r.persona.age_months >= 156:
        assert "sulfonylurea_use" in obs, "which diabetes medicine was not asked"
    hypo = obs.get("shaky_sweaty_hungry") is True or obs.get("blood_glucose_reading") == "low"
    if obs.get("sulfonylurea_use") is True and hypo:
        assert Disposition(r.gold.disposition).rank >= Disposition.urgent.rank, r.gold.disposition
