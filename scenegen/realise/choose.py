"""Which template variant says a part: the most specific variants written for the situation (its facts),
never the one said last for the same act, none already said in the dialogue while another fits."""

from __future__ import annotations

import random
from typing import Callable, Collection, Mapping, Optional

from ..rng import pick
from ..templates import TemplateLibrary, Variant

#: keeps only the template variants of one split (holdout by template); None keeps all
VariantFilter = Optional[Callable[[Variant], bool]]


class VariantChooser:
    """The variants fitting each situation, worked out once per situation (the facts repeat across records)."""

    def __init__(self, templates: TemplateLibrary):
        self.templates = templates
        self._choices: dict[tuple, tuple[list[Variant], list[Variant]]] = {}

    def choose(self, act: str, facts: Mapping[str, str], rng: random.Random, keep: VariantFilter,
               last: Optional[str] = None, said: Collection[str] = frozenset()) -> Variant:
        """One variant for the situation; none of ``said`` (wordings said already) while another fits."""
        key = (act, tuple(facts.items()), keep, last)  # facts are built in a fixed order
        choice = self._choices.get(key)
        if choice is None:
            choice = self._choices[key] = self._options(act, facts, keep, last)
        specific, options = choice
        if said:
            fresh = [v for v in options if v.id not in said]
            if fresh:
                specific, options = [v for v in specific if v.id not in said], fresh
        pool = specific if specific and rng.random() < 0.7 else options
        if not pool:
            raise LookupError(f"no template for act '{act}' with {dict(facts)}")
        return pick(rng, pool)  # candidates come sorted by id, so the draw never depends on file order

    def _options(self, act: str, facts: Mapping[str, str], keep: VariantFilter,
                 last: Optional[str]) -> tuple[list[Variant], list[Variant]]:
        """(the most specific variants written for this tone, every fitting variant) for one situation."""
        options = self.templates.candidates(act, facts)
        if keep is not None:
            options = [v for v in options if keep(v)]
        if last is not None and len(options) > 1:
            options = [v for v in options if v.id != last]  # no wording twice in a row for the same act
        # most specific first: variants written for this tone or speaker are preferred over generic ones
        best = max((len(v.when) for v in options), default=0)
        specific = [v for v in options if len(v.when) == best and best > 0 and "tone" in v.when]
        return specific, options
