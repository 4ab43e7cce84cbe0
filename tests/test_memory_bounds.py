"""Generation's caches have bounds that keep a long run's memory flat (issue #13 item 5).

A cache's bound is a number of entries; what it costs is that number times an entry's size. The reasoner's
states are the largest entries, so their bound is checked against the size of the states a run really makes.
"""

from __future__ import annotations

import enum
import gc
import sys

from scenegen.generate import GenerateConfig, Generator
from scenegen.plan import Reasoner

#: what the reasoner's full cache may hold (the rest of a run's caches fill to well under this)
STATE_BUDGET_MIB = 100


def _own_bytes(root, shared: set[int]) -> int:
    """Bytes reachable from ``root`` through plain data (containers, strings, numbers, dataclass objects), not
    counting ``shared`` objects or anything reached through a class, enum member or module."""
    total, stack = 0, [root]
    while stack:
        x = stack.pop()
        if id(x) in shared or isinstance(x, (type, enum.Enum)) or type(x).__name__ in ("module", "function"):
            continue
        shared.add(id(x))
        total += sys.getsizeof(x)
        stack.extend(gc.get_referents(x))
    return total


def test_the_reasoners_full_state_cache_fits_its_memory_budget(library):
    """50,000 states of about 4.8 KB each had let the reasoner alone grow to about 240 MiB on a long run."""
    gen = Generator(library, GenerateConfig(seed=27182, balance="disposition"))
    for i in range(40):
        gen.record_data(i)
    states = list(gen.reasoner._cache.values())
    assert len(states) > 200
    shared: set[int] = set()
    for st in states:  # the group's tuple of conditions and their ids belong to the library, not to a state
        shared.add(id(st.conds))
        shared.update(id(c) for c in st.conds)
    per_state = sum(_own_bytes(st, shared) for st in states) / len(states)
    assert per_state * Reasoner.CACHE_SIZE <= STATE_BUDGET_MIB * 2**20, (
        f"{Reasoner.CACHE_SIZE} states of {per_state:.0f} bytes exceed {STATE_BUDGET_MIB} MiB")


def test_the_reasoner_keeps_no_more_states_than_its_bound(library):
    gen = Generator(library, GenerateConfig(seed=5))
    gen.reasoner.cache_size = 50
    for i in range(10):
        gen.record_data(i)
    assert len(gen.reasoner._cache) == 50
