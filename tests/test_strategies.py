"""scenegen.strategies: property tests written against scenegen's dialogues draw matching records and shrink a
failure toward the shortest dialogue."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, find, given, settings, strategies as st

from scenegen.errors import UsageError
from scenegen.records import Record
from scenegen.strategies import cases, dialogues, tasks


@settings(max_examples=15, suppress_health_check=[HealthCheck.too_slow])
@given(dialogues(disposition="emergency_ambulance", pool=8))
def test_a_filtered_strategy_draws_only_matching_dialogues(record):
    assert isinstance(record, Record) and record.gold.disposition == "emergency_ambulance"


@settings(max_examples=10, suppress_health_check=[HealthCheck.too_slow])
@given(cases(complaint="headache", pool=6), tasks(complaint="headache", at="decision", pool=6))
def test_cases_and_tasks_come_from_the_same_filtered_records(case, task):
    assert case.complaint == "headache"
    assert task["expected"]["act"] == "decide" and task["segment"]["complaint"] == "headache"


def test_a_failure_shrinks_to_the_shortest_dialogue_that_fails():
    from scenegen.strategies import _pool

    every = _pool(0, 20, None, None, None, None, None, None, None)
    failing = sorted(len(r.messages) for r in every if len(r.messages) >= 8)
    shortest = find(dialogues(pool=20), lambda r: len(r.messages) >= 8, settings=settings(database=None))
    assert len(shortest.messages) == failing[0]


def test_records_are_registered_for_from_type():
    found = find(st.from_type(Record), lambda r: True, settings=settings(database=None))
    assert found.id.startswith("scn-0-")


def test_a_filter_nothing_matches_says_so():
    with pytest.raises(UsageError, match="no scenegen record matches"):
        find(dialogues(condition="acute_appendicitis", age_group="infant", pool=1), lambda r: True)
