"""The persona library (`personas/`): who is talking and how. Validated on load like the conditions."""

from __future__ import annotations

from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from .content import Sex
from .errors import ContentError, Problem
from .yamlfile import read_yaml


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class AgeGroup(_Strict):
    id: str
    name: str
    min_months: int = Field(ge=0)
    max_months: int = Field(ge=0)
    weight: float = Field(ge=0)
    speakers: list[str] = Field(min_length=1)


class Speaker(_Strict):
    id: str
    name: str
    relations: dict[Sex, str] = Field(default_factory=dict, description="what the speaker calls the patient")


class Literacy(_Strict):
    id: str
    name: str
    weight: float = Field(ge=0)
    wording: str = Field(description="template register: plain or standard")


class Style(_Strict):
    id: str
    name: str
    weight: float = Field(ge=0)
    unsure_rate: float = Field(ge=0, le=1)
    volunteer_rate: float = Field(ge=0, le=1)
    aside_rate: float = Field(0.0, ge=0, le=1, description="how often an answer adds an aside with no clinical "
                                                           "content ('Sorry, I know I go on a bit')")
    tone: str


class Locale(_Strict):
    id: str
    name: str
    faker: str
    weight: float = Field(ge=0)
    vocab: dict[str, str]
    crisis: dict[str, str]
    sources: list[str] = Field(min_length=1)
    terms: dict[str, str] = Field(default_factory=dict, description=(
        "the library is written in British English: each whole word or phrase here is said this way in this "
        "locale (GP -> primary-care doctor, 999 -> 911)"))

    @model_validator(mode="after")
    def _terms(self) -> "Locale":
        for src, dst in self.terms.items():
            if not src.strip() or not dst.strip():
                raise ValueError(f"locale '{self.id}': terms need a non-empty word and replacement (got {src!r}: {dst!r})")
            if "{" in src + dst:
                raise ValueError(f"locale '{self.id}': terms are plain words, not template syntax ({src!r}: {dst!r})")
        return self


REQUIRED_VOCAB = {"emergency_number", "ed", "ed_long", "primary_care", "urgent_care", "pharmacist", "mum", "vomit",
                  # what to do when a safety-net warning sign appears, by the level of care its red flag calls for
                  "act_emergency_ambulance", "act_emergency_department", "act_urgent", "act_routine", "act_self_care"}


_PLACEHOLDERS = {
    "age_newborn": {"subj"}, "age_one_month": {"subj"}, "age_months": {"subj", "months"},
    "age_years": {"subj", "years"}, "no_option_applies": set(),
    "carer_yes_no_question": {"do", "ref", "ask"}, "carer_other_question": {"ref", "question"},
}


class Phrases(_Strict):
    """Wordings the realiser fills in; each may use only its own placeholders."""

    age_newborn: str
    age_one_month: str
    age_months: str
    age_years: str
    no_option_applies: str
    carer_yes_no_question: str
    carer_other_question: str

    @model_validator(mode="after")
    def _placeholders(self) -> "Phrases":
        import string

        for name, allowed in _PLACEHOLDERS.items():
            used = {f for _, f, _, _ in string.Formatter().parse(getattr(self, name)) if f}
            if used - allowed:
                raise ValueError(f"phrase '{name}' uses {sorted(used - allowed)}; it may use only {sorted(allowed)}")
        return self


class PersonaLibrary(_Strict):
    age_groups: list[AgeGroup] = Field(min_length=1)
    pregnancy_rate: float = Field(ge=0, le=1)
    pregnancy_ages_months: tuple[int, int]
    speakers: list[Speaker] = Field(min_length=1)
    literacy: list[Literacy] = Field(min_length=1)
    styles: list[Style] = Field(min_length=1)
    locales: list[Locale] = Field(min_length=1)
    irrelevant_details: list[str] = Field(default_factory=list)
    irrelevant_detail_rate: float = Field(0.0, ge=0, le=1, description="share of openings that add an irrelevant detail")
    phrases: Phrases

    @model_validator(mode="after")
    def _consistent(self) -> "PersonaLibrary":
        speakers = {s.id for s in self.speakers}
        for g in self.age_groups:
            if g.min_months > g.max_months:
                raise ValueError(f"age group '{g.id}': min_months > max_months")
            missing = set(g.speakers) - speakers
            if missing:
                raise ValueError(f"age group '{g.id}' names unknown speakers {sorted(missing)}; valid: {sorted(speakers)}")
        for loc in self.locales:
            missing = REQUIRED_VOCAB - set(loc.vocab)
            if missing:
                raise ValueError(f"locale '{loc.id}' lacks vocab {sorted(missing)}")
        for d in self.irrelevant_details:
            if "{" in d:
                raise ValueError(f"irrelevant detail may not hold template syntax: {d!r}")
        return self

    def speaker(self, sid: str) -> Speaker:
        return next(s for s in self.speakers if s.id == sid)

    def locale(self, lid: str) -> Locale:
        return next(loc for loc in self.locales if loc.id == lid)

    def style(self, sid: str) -> Style:
        return next(s for s in self.styles if s.id == sid)


def load_personas(root: Path) -> PersonaLibrary:
    from .load import _pydantic_problems

    path = root / "personas" / "personas.yaml"
    label = "personas/personas.yaml"
    problems: list[Problem] = []
    if not path.is_file():
        raise ContentError([Problem(label, 0, "", "persona library not found; a library holds personas/personas.yaml")])
    data = read_yaml(path, label, problems)
    if problems:
        raise ContentError(problems)
    try:
        return PersonaLibrary.model_validate(data)
    except ValidationError as exc:
        raise ContentError(_pydantic_problems(label, data, exc)) from None
