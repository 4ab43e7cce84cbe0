"""The random helpers: the cached weighted draw must be the very draw ``weighted_pick`` makes."""

from __future__ import annotations

import random

from hypothesis import given
from hypothesis import strategies as st

from scenegen.rng import WeightedChoice, weighted_pick

weights = st.lists(st.one_of(st.just(0.0), st.floats(1e-9, 1e6)), min_size=1, max_size=40).filter(
    lambda ws: sum(ws) > 0)


@given(ws=weights, seed=st.integers(0, 2**64 - 1), draws=st.integers(1, 20))
def test_weighted_choice_draws_exactly_what_weighted_pick_draws(ws, seed, draws):
    items = list(range(len(ws)))
    choice = WeightedChoice(items, ws)
    a, b = random.Random(seed), random.Random(seed)
    assert [choice.pick(a) for _ in range(draws)] == [weighted_pick(b, items, ws) for _ in range(draws)]


@given(ws=weights, seed=st.integers(0, 2**64 - 1))
def test_weighted_choice_never_draws_a_zero_weight_item(ws, seed):
    choice = WeightedChoice(list(range(len(ws))), ws)
    rng = random.Random(seed)
    assert all(ws[choice.pick(rng)] > 0 for _ in range(50))
