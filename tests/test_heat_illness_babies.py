"""A baby is fed, not given water (NHS website: Heatwave - how to cope in hot weather): the heatstroke red flag
is asked of a baby's carer with a feed in place of a drink of water, and the carer does not say 'with water'."""

from __future__ import annotations

from scenegen.generate import GenerateConfig, Generator, Library


def test_a_baby_s_carer_is_asked_about_a_feed_not_a_drink_of_water():
    gen = Generator(Library.load(), GenerateConfig(seed=23, conditions=("heatstroke",)))
    babies = asked = 0
    for index in range(400):
        r = gen.record(index)
        if r.persona.age_months > 11:
            continue
        babies += 1
        said = [(m.role, m.content) for m in r.messages if m.role in ("user", "assistant")]
        for role, text in said[:-1]:  # the questions and answers, before the disposition's advice
            assert "drinking water" not in text and "with water" not in text, (r.id, role, text)
        asked += any("a feed" in text for role, text in said if role == "assistant")
        if babies >= 12:
            break
    assert babies >= 5, "too few babies among the heatstroke records to test"
    assert asked, "no baby's carer was asked the heat-illness question"
