"""Hypothesis strategies for your own property tests: scenegen cases, dialogues and evaluation tasks.

    from hypothesis import given
    from scenegen.strategies import dialogues

    @given(dialogues(disposition="emergency_ambulance"))
    def test_my_triage_wrapper_never_answers_below_the_gold(record):
        ...

Examples come from the seeded generator (record i of a master seed, as ``scenegen generate`` makes it), kept in
a pool per filter and ordered from the simplest (fewest messages, then fewest findings), so Hypothesis shrinks a
failure toward the shortest dialogue that still fails. Installing scenegen registers :func:`dialogues` for
``st.from_type(Record)`` through Hypothesis's plugin entry point.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Optional

from hypothesis import strategies as st

from .records import Case, Record

#: records generated at most, per pool, while looking for ones that pass the filters
_MAX_DRAWS_PER_EXAMPLE = 40


@lru_cache(maxsize=1)
def _library():
    from .generate import Library

    return Library.load()


def _complexity(r: Record) -> tuple:
    return (len(r.messages), len(r.case.present) + len(r.case.absent) + len(r.case.values), r.index)


@lru_cache(maxsize=64)
def _pool(seed: int, size: int, condition: Optional[str], complaint: Optional[str], disposition: Optional[str],
          age_group: Optional[str], sex: Optional[str], speaker: Optional[str], locale: Optional[str]) -> tuple[Record, ...]:
    from .errors import UsageError
    from .generate import GenerateConfig, Generator

    lib = _library()
    config = GenerateConfig(seed=seed, conditions=(condition,) if condition else (),
                            complaints=(complaint,) if complaint else (),
                            balance="disposition" if disposition else None)
    gen = Generator(lib, config)
    wanted = {"age_group": age_group, "sex": sex, "speaker": speaker, "locale": locale}
    found: list[Record] = []
    for i in range(size * _MAX_DRAWS_PER_EXAMPLE):
        r = gen.record(i)
        if disposition and r.gold.disposition != disposition:
            continue
        if any(v is not None and getattr(r.persona, k) != v for k, v in wanted.items()):
            continue
        found.append(r)
        if len(found) == size:
            break
    if not found:
        asked = {"condition": condition, "complaint": complaint, "disposition": disposition, **wanted}
        asked = {k: v for k, v in asked.items() if v is not None}
        raise UsageError(f"no scenegen record matches {asked} in {size * _MAX_DRAWS_PER_EXAMPLE} draws")
    return tuple(sorted(found, key=_complexity))


def dialogues(*, condition: Optional[str] = None, complaint: Optional[str] = None, disposition: Optional[str] = None,
              age_group: Optional[str] = None, sex: Optional[str] = None, speaker: Optional[str] = None,
              locale: Optional[str] = None, seed: int = 0, pool: int = 50) -> st.SearchStrategy[Record]:
    """Whole records (``Record``) matching every filter given; shrinks toward the shortest."""
    return st.deferred(lambda: st.sampled_from(
        _pool(seed, pool, condition, complaint, disposition, age_group, sex, speaker, locale)))


def cases(**filters) -> st.SearchStrategy[Case]:
    """The hidden cases of those records (condition, complaint, findings present, absent and valued)."""
    return dialogues(**filters).map(lambda r: r.case)


def tasks(*, at: str = "every", **filters) -> st.SearchStrategy[dict]:
    """Evaluation tasks (``scenegen tasks``) of those records: one assistant turn each, earliest turns first."""
    from .evaluation.tasks import record_tasks

    def of(r: Record) -> st.SearchStrategy[dict]:
        return st.sampled_from(list(record_tasks(r, at)))

    return dialogues(**filters).flatmap(of)


def _hypothesis_setup_hook() -> None:
    """Called by Hypothesis through the 'hypothesis' entry point: ``st.from_type(Record)`` draws scenegen dialogues.
    Nothing is loaded until a strategy is drawn from."""
    st.register_type_strategy(Record, st.deferred(dialogues))
