"""Deterministic randomness: per-record seeds from (master seed, keys), sampling built on ``random()`` only.

Python promises that ``Random.random()`` reproduces across versions for the same seed; ``choice``,
``randrange`` and ``shuffle`` have changed before. So every draw in scenegen goes through the helpers
here, each record gets its own ``Random`` derived with blake2b (never ``hash()``), and nothing touches the
global random state. Weights are totalled with ``math.fsum``, which is correctly rounded, because the
built-in ``sum`` of floats changed in Python 3.12 and would change the draws.
"""

from __future__ import annotations

import hashlib
import math
import random
from bisect import bisect_right
from typing import Generic, Sequence, TypeVar

T = TypeVar("T")


def derive_seed(master: int, *keys: object) -> int:
    """A 64-bit seed that depends only on the master seed and the keys."""
    h = hashlib.blake2b(digest_size=8)
    h.update(str(master).encode())
    for k in keys:
        h.update(b"\x1f" + str(k).encode())
    return int.from_bytes(h.digest(), "big")


def stream(master: int, *keys: object) -> random.Random:
    """An independent random stream for one purpose of one record."""
    return random.Random(derive_seed(master, *keys))


def unit_hash(*keys: object) -> float:
    """A uniform number in [0, 1) from the keys alone: used to assign groups to splits."""
    return derive_seed(0, *keys) / 2.0 ** 64


def uniform_index(rng: random.Random, n: int) -> int:
    if n <= 0:
        raise ValueError("cannot choose from an empty sequence")
    return min(int(rng.random() * n), n - 1)


def pick(rng: random.Random, items: Sequence[T]) -> T:
    return items[uniform_index(rng, len(items))]


def weighted_pick(rng: random.Random, items: Sequence[T], weights: Sequence[float]) -> T:
    """One item, with probability proportional to its weight (one ``random()`` draw)."""
    return WeightedChoice(items, weights).pick(rng)


class WeightedChoice(Generic[T]):
    """A weighted draw over fixed items, with the running sums computed once so that drawing again is cheap.

    A draw takes ``random() * total`` and returns the first item whose running sum of weights exceeds it
    (the last item if rounding leaves none), found by bisection.
    """

    def __init__(self, items: Sequence[T], weights: Sequence[float]):
        self.items = list(items)
        self.total = math.fsum(weights)
        if self.total <= 0:
            raise ValueError("weights must have a positive sum")
        acc = 0.0
        self.cumulative = []
        for w in weights:
            acc += w
            self.cumulative.append(acc)

    def pick(self, rng: random.Random) -> T:
        i = bisect_right(self.cumulative, rng.random() * self.total)
        return self.items[min(i, len(self.items) - 1)]


def randint(rng: random.Random, lo: int, hi: int) -> int:
    """Uniform integer in [lo, hi]."""
    return lo + uniform_index(rng, hi - lo + 1)


def chance(rng: random.Random, p: float) -> bool:
    return rng.random() < p
