"""The random helpers: weighted draws are exactly the draw their definition describes."""

from __future__ import annotations

import math
import random

from hypothesis import given
from hypothesis import strategies as st

from scenegen.rng import WeightedChoice, weighted_pick

weights = st.lists(st.one_of(st.just(0.0), st.floats(1e-9, 1e6)), min_size=1, max_size=40).filter(
    lambda ws: sum(ws) > 0)


def _linear_scan(rng: random.Random, items: list, ws: list[float]):
    """The definition, written out: the first item whose running sum exceeds random() * total."""
    x = rng.random() * math.fsum(ws)
    acc = 0.0
    for item, w in zip(items, ws):
        acc += w
        if x < acc:
            return item
    return items[-1]


@given(ws=weights, seed=st.integers(0, 2**64 - 1), draws=st.integers(1, 20))
def test_weighted_draws_are_exactly_the_linear_scan_of_running_sums(ws, seed, draws):
    items = list(range(len(ws)))
    choice = WeightedChoice(items, ws)
    a, b, c = random.Random(seed), random.Random(seed), random.Random(seed)
    expected = [_linear_scan(c, items, ws) for _ in range(draws)]
    assert [choice.pick(a) for _ in range(draws)] == expected
    assert [weighted_pick(b, items, ws) for _ in range(draws)] == expected


@given(ws=weights, seed=st.integers(0, 2**64 - 1))
def test_weighted_choice_never_draws_a_zero_weight_item(ws, seed):
    choice = WeightedChoice(list(range(len(ws))), ws)
    rng = random.Random(seed)
    assert all(ws[choice.pick(rng)] > 0 for _ in range(50))
