"""Patients' messages vary like real people's: fewer stock messages said word for word across dialogues, more
messages that answer and then add something of their own (why they are writing now, who told them to ask, what
worries them), and no such aside said twice in one dialogue."""

from __future__ import annotations

from functools import lru_cache

from hypothesis import given
from hypothesis import strategies as st

from scenegen.generate import GenerateConfig, Generator, Library

@lru_cache(maxsize=None)
def _gen(seed: int, noise: str = "on") -> Generator:
    return Generator(Library.load(), GenerateConfig(seed=seed, noise=noise))  # type: ignore[arg-type]


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
