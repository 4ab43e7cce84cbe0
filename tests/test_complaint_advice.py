"""Everyone sent home hears how to look after themselves: when no condition leads clearly enough for its own
advice, the complaint's home care (conditions/complaint_advice.yaml, from the NHS website topic on the symptom)
is given, within its age and pregnancy limits. About 40 in 1,000 self-care records of seeds 3 and 7 ended
with no self-care advice at all before."""

from __future__ import annotations

from functools import lru_cache

from hypothesis import given, settings
from hypothesis import strategies as st

from scenegen.advice import complaint_advice, fits
from scenegen.content import Disposition, Sex
from scenegen.generate import GenerateConfig, Generator, Library
from scenegen.knowledge import Demographics
from scenegen.records import Record
from scenegen.strategies import dialogues


@lru_cache(maxsize=1)
def lib() -> Library:
    return Library.load()


@lru_cache(maxsize=1)
def localiser_of():
    return Generator(lib(), GenerateConfig(seed=0)).realiser.localiser


def given_items(r: Record) -> list:
    """Every advice item (a condition's or a complaint's) whose words the record's final message says."""
    kb = lib().kb
    local = localiser_of()(r.persona.locale)
    final = r.messages[r.gold.disposition_turn].content
    items = [a for c in kb.conditions.values() for a in c.advice]
    items += [a for advice in kb.complaint_advice.values() for a in advice]
    return [a for a in items if local(a.text) in final]


@settings(max_examples=60, deadline=None)
@given(st.integers(0, 2).flatmap(lambda seed: dialogues(disposition="self_care", seed=seed, pool=80)))
def test_every_self_care_record_carries_advice_within_its_range(r):
    kb = lib().kb
    who = Demographics(r.persona.age_months, Sex(r.persona.sex), r.persona.pregnant)
    items = given_items(r)
    assert items, (r.id, r.case.complaint, r.persona.age_months)
    proxy = r.persona.speaker != "self"
    # an item is within range if any item with its words fits (one text may be written for two age bands)
    outside = [a.text for a in items if not any(fits(kb, b, who, proxy, r.persona.locale)
                                                for b in items if b.text == a.text)]
    assert outside == [], r.id


def test_every_complaint_a_self_care_condition_presents_with_has_home_care_for_every_age_and_speaker():
    """So the property above holds for every complaint, not only those the drawn records reach."""
    kb = lib().kb
    home = {comp for c in kb.conditions.values() if c.disposition is Disposition.self_care for comp in c.complaints}
    missing = []
    for comp in sorted(home):
        ages = {b for c in kb.conditions.values() if c.disposition is Disposition.self_care and comp in c.complaints
                for b in c.ages}
        for band in kb.settings.age_bands:
            if band.id not in ages:
                continue
            months = (band.below_months or 1200) - 1
            for proxy in (False, True):
                if not proxy and months < 144:
                    continue  # a young child does not call for themselves
                if not complaint_advice(kb, comp, Demographics(months, Sex.female), proxy, "en_GB"):
                    missing.append((comp, band.id, proxy))
    assert missing == []


def test_a_complaint_advice_entry_for_an_unknown_complaint_is_refused(tmp_path):
    import shutil

    import pytest

    from scenegen.errors import ContentError
    from scenegen.load import _build_knowledge_base, bundled_library

    root = tmp_path / "lib"
    shutil.copytree(bundled_library() / "conditions", root / "conditions")
    path = root / "conditions" / "complaint_advice.yaml"
    path.write_text(path.read_text().replace("  - id: cough\n", "  - id: coughing\n", 1))
    with pytest.raises(ContentError, match="coughing"):
        _build_knowledge_base(root)
