"""Patients' messages vary like real people's: fewer stock messages said word for word across dialogues, more
messages that answer and then add something of their own (why they are writing now, who told them to ask, what
worries them), and no such aside said twice in one dialogue."""

from __future__ import annotations

from functools import lru_cache

from hypothesis import given
from hypothesis import strategies as st

from scenegen.generate import GenerateConfig, Generator, Library
from scenegen.stats import compute

#: measured on 400 records of seed 17 without typing noise: 6+-word user messages said verbatim elsewhere
#: 0.031 and messages over 25 words 0.130 before the asides and the wider answer wordings; 0.018 and 0.204 after
MAX_VERBATIM_6PLUS = 0.025
MIN_OVER_25_WORDS = 0.18


@lru_cache(maxsize=None)
def _gen(seed: int, noise: str = "on") -> Generator:
    return Generator(Library.load(), GenerateConfig(seed=seed, noise=noise))  # type: ignore[arg-type]


def _as_dict(r) -> dict:
    return {"messages": [{"role": m.role, "content": m.content} for m in r.messages],
            "turns": [{"act": t.act, "finding": t.finding, "volunteered": list(t.volunteered)} for t in r.turns]}


def test_patient_messages_are_seldom_said_word_for_word_and_often_say_more():
    gen = _gen(17, "off")
    stats = compute(_as_dict(gen.record(i)) for i in range(400))
    assert stats.user_verbatim_share_6plus <= MAX_VERBATIM_6PLUS, stats.user_verbatim_share_6plus
    assert stats.user_over_25_words_share >= MIN_OVER_25_WORDS, stats.user_over_25_words_share


@given(seed=st.integers(0, 3), index=st.integers(0, 100_000))
def test_no_aside_wording_is_said_twice_in_a_dialogue_while_another_fits(seed, index):
    """'My partner told me to get in touch' once a conversation: an aside's template is used again only once
    every aside written for this speaker and tone has been said."""
    gen = _gen(seed)
    r = gen.record(index)
    personas = gen.lib.personas
    facts = {"speaker": "self" if r.persona.speaker == "self" else "proxy",
             "wording": next(x.wording for x in personas.literacy if x.id == r.persona.literacy),
             "tone": personas.style(r.persona.style).tone}
    fitting = {v.id for v in gen.lib.templates.candidates("aside", facts)}
    asides = [v for t in r.turns for v in t.templates if v.startswith("aside/")]
    for i, aside in enumerate(asides):
        if aside in asides[:i]:
            assert fitting <= set(asides[:i]), (r.id, asides, sorted(fitting))


#: words of the practical asides (templates/aside/practical_1.j2) a person with an emergency never says
_PLANS = ("take time off work", "meant to be at work", "work to think about", "plans I'd rather not cancel",
          "helping a friend move", "exams coming up")


@given(seed=st.integers(0, 3), index=st.integers(0, 100_000))
def test_nobody_with_an_emergency_talks_of_work_or_plans(seed, index):
    """'I'm writing this on my lunch break' from a man with a plan to end his life, and 'I'm meant to be at
    work' beside a drooling child (read 17): such details and asides are kept for problems that can wait."""
    from scenegen.content import Disposition

    gen = _gen(seed, "off")  # typing slips could hide a phrase
    r = gen.record(index)
    kb, personas = gen.lib.kb, gen.lib.personas
    if kb.conditions[r.case.condition].disposition.rank < Disposition.emergency_department.rank:
        return
    said = " ".join(m.content for m in r.messages if m.role == "user")
    assert not [d for d in personas.not_in_emergencies if d in said], r.id
    assert not [w for w in _PLANS if w in said], r.id
