"""What the assistant says when it gives its decision: the red flags and rules that decided the level in the
person's words, what they reported, the warning signs turned to the speaker and grouped by what to do, the
pregnancy service to name. Shared by the disposition message and the answers after the advice."""

from __future__ import annotations

from typing import Any, Callable, Mapping, Optional

from ..content import AnswerKind, FindingKind
from ..knowledge import KnowledgeBase
from ..personas import PersonaLibrary
from ..plan import Plan
from ..sample import PersonaDraw
from .localise import Localiser
from .person import PRONOUNS, TO_A_PARENT, third_person
from .words import ALTERNATIVES, as_sentence, said_topic


class ClosingWords:
    """The decision's reasons and warnings as one speaker should hear them."""

    def __init__(self, kb: KnowledgeBase, pl: PersonaLibrary, localiser: Callable[[str], Localiser]):
        self.kb = kb
        self.pl = pl
        self.localiser = localiser  # locale -> its Localiser (the realiser's, shared)
        self._warnings_turned: dict[tuple[str, str], str] = {}

    def decisive_flags(self, plan: Plan, persona: PersonaDraw, words: Optional[Mapping[str, str]] = None) -> list[str]:
        """The reported red flags that decided the level, as the speaker should hear them. A warning that
        lists alternatives ('a painful red eye with halos around lights or blurred vision') is said in the
        person's own words for it (``words``: 'halos round the street lamps') when they said some: a 'yes' to
        it affirmed one part, maybe only 'feeling really unwell', and the reason must be true of what was said."""
        say = self.warning_voice(persona)
        out = []
        for r in plan.decision.decisive:
            if r.kind != "red_flag":
                continue
            f = self.kb.findings[r.id]
            flag = f.red_flag
            young = flag.warning_young is not None and f.young_max_age_months is not None \
                and 0 <= persona.age_months <= f.young_max_age_months  # type: ignore[union-attr]
            warning = (flag.warning_young if young else flag.warning) or f.name.lower()  # type: ignore[union-attr]
            # thoughts of self-harm or a pregnancy are not said back in the person's words (as in _heard)
            own = (words or {}).get(f.id, "") \
                if f.answer_kind not in (AnswerKind.pregnancy, AnswerKind.mental_health) else ""
            out.append(own if own and ALTERNATIVES.search(warning) else say(warning))
        return out

    def decisive_modifiers(self, plan: Plan, local: Localiser) -> list[str]:
        """The rules (modifiers) that decided the level, each as a sentence in the locale's words; a rule whose
        point another decisive rule already makes (its ``said_by``) is not said twice."""
        ids = {r.id for r in plan.decision.decisive if r.kind == "modifier"}
        return [local(as_sentence(m.reason)) for m in self.kb.modifiers if m.id in ids and not ids & set(m.said_by)]

    def reported(self, plan: Plan, local: Localiser, most: int = 3) -> list[str]:
        """What the person reported, in their order, named plainly: the reason an emergency message can give
        when no red flag or rule decided it and no condition may be named ('the tummy pain and the
        vomiting'), so it never sends someone to A&E without saying why. Each is the finding's topic, the
        assistant's own plain name for it, not one of the lay phrasings (which the person may never have used:
        'a sudden, terrible pain out of nowhere' to a carer who said 'a pain that hit like a knife'); the first
        lay phrasing only for a finding with no topic. When no symptom or sign was reported (a call about
        tablets swallowed, with nothing felt yet), the complaint itself is the reason, by its topic."""
        out, complaint = [], ""
        # said in so many words: not what the library infers from it (a fit is a blackout, but 'fainting' was
        # not what the person reported, read 16's fit called a faint)
        said = {m.finding for m in plan.messages if m.role == "user" and m.act in ("opening", "answer_yes")}
        said |= {v for m in plan.messages if m.role == "user" for v in m.volunteered}
        for fid, answer in plan.observations.items():
            f = self.kb.findings[fid]
            if answer is not True or fid not in said or f.red_flag is not None or not f.lay or not said_topic(f):
                continue  # a finding without a topic (a sensitive one) is not given as a reason
            if f.kind in (FindingKind.symptom, FindingKind.sign):
                out.append(local(said_topic(f)))
            elif not complaint:  # 'the substance swallowed needs...', not 'the overdose or harmful substance' (D13)
                topic = next((t for t in [said_topic(f), *f.topics] if not ALTERNATIVES.search(t)), said_topic(f))
                complaint = local(topic if topic.split()[0] in ("a", "an", "the") else "the " + topic)
        return out[:most] or ([complaint] if complaint else [])

    def pregnancy_service(self, plan: Plan, persona: PersonaDraw) -> str:
        """The pregnancy service to name beside A&E or same-day care: the early pregnancy one when the person said
        the pregnancy is early or not yet confirmed (model.early_gestation_values), else the maternity unit."""
        vocab = self.pl.locale(persona.locale).vocab
        s = self.kb.settings
        said = plan.observations.get(s.gestation_finding) if s.gestation_finding else None
        values = {said} if isinstance(said, str) else set(said or ())
        if values and values <= set(s.early_gestation_values) and "early_pregnancy_unit" in vocab:
            return vocab["early_pregnancy_unit"]
        return vocab["maternity_unit"]

    def warning_voice(self, persona: PersonaDraw) -> Callable[[str], str]:
        """A warning sign as the speaker should hear it: in the locale's words and, when speaking for someone
        else, about them ('pain so bad he cannot move'), except the warnings written to a parent ('your baby')."""
        local = self.localiser(persona.locale)
        if not persona.proxy:
            return local
        sex = persona.sex.value
        turned = self._warnings_turned  # the library's warnings are few: each is turned once per pronoun set

        def say(text: str) -> str:
            out = turned.get((text, sex))
            if out is None:
                out = turned[(text, sex)] = text if TO_A_PARENT.search(text) else third_person(text, PRONOUNS[sex])
            return local(out)
        return say

    def safety_net_groups(self, plan: Plan, persona: PersonaDraw) -> list[dict[str, Any]]:
        """The safety net grouped by the level of care each warning calls for, most urgent first, each group
        with the locale's words for what to do: an ambulance for one sign, a same-day appointment for another."""
        vocab = self.pl.locale(persona.locale).vocab
        say = self.warning_voice(persona)
        groups: dict[str, list[str]] = {}
        for text, level in zip(plan.safety_net, plan.safety_net_levels):
            groups.setdefault(level.value, []).append(say(text))
        actions = [vocab[f"act_{level}"] for level in groups]
        return [{"warnings": warnings, "action": action, "Action": action[:1].upper() + action[1:]}
                for warnings, action in zip(groups.values(), actions)]
