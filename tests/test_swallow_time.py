"""In a call about a swallow the problem began at the swallow, so the time the opening says ('about an hour
ago') and the answer to 'how long ago was it taken?' are both drawn from the hidden case's time since
ingestion (model.time_course.value_days), and two clock times said 'ago' cannot be far apart. Issue #9: at
seed 77, 50 of 400 poisoning calls said a time that disagreed with the case or with an earlier time ('a couple
of hours ago', then 'about 8 hours ago'; 'last night', then 'a few hours ago')."""

from __future__ import annotations

from functools import lru_cache

import pytest

from scenegen.generate import GenerateConfig, Generator, Library
from scenegen.timecourse import case_when, fit, time_words


@lru_cache(maxsize=None)
def _gen() -> Generator:
    return Generator(Library.load(), GenerateConfig(seed=77, complaints=("poisoning",)))


@pytest.mark.parametrize("first,then", [
    ("only a few minutes ago", "about an hour ago"), ("a couple of hours ago", "about 8 hours ago"),
    ("about an hour ago", "a couple of hours ago"), ("earlier today", "last night"),
    ("a few hours ago", "last night"), ("was this morning", "last night")])
def test_two_clock_times_far_apart_cannot_both_be_said(bundled_kb, first, then):
    when = case_when(bundled_kb, {}, 40 * 12, "poisoning")
    said = fit(bundled_kb, when, first)
    assert said is not None, first
    assert fit(bundled_kb, said, then) is None, (first, then)


@pytest.mark.parametrize("value,never", [
    ("from_4_to_24_hours", ["a couple of hours ago", "about an hour ago", "only a few minutes ago"]),
    ("under_4_hours", ["about 8 hours ago", "last night"])])
def test_the_time_since_the_swallow_bounds_the_calls_time_course(bundled_kb, value, never):
    when = case_when(bundled_kb, {"duration": "hours", "time_since_ingestion": value}, 40 * 12, "poisoning")
    for phrase in never:
        assert fit(bundled_kb, when, phrase) is None, (value, phrase)
    # not in a call about something else: the call's own time course is then not the swallow's
    other = case_when(bundled_kb, {"duration": "hours", "time_since_ingestion": value}, 40 * 12, "vomiting")
    assert any(fit(bundled_kb, other, p) is not None for p in never)


def test_every_time_said_in_a_poisoning_call_fits_the_hidden_time_since_the_swallow():
    gen = _gen()
    kb = gen.lib.kb
    checked = 0
    for i in range(120):
        r = gen.record(i)
        values = {f: v[0] for f, v in r.case.value_map.items() if len(v) == 1}
        when = case_when(kb, values, r.persona.age_months, r.case.complaint)
        for m, t in zip(r.messages, r.turns):
            if m.role != "user" or not (t.act == "opening" or t.finding == "time_since_ingestion"):
                continue
            if time_words(kb, m.content):
                checked += 1
                got = fit(kb, when, m.content)
                assert got is not None, (r.id, values.get("time_since_ingestion"), m.content)
                when = got
    assert checked >= 40, checked
