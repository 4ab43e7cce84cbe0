"""A question impossible for the person's sex, from a blind clinician's read: a 48-year-old man with a sore
bottom was asked about 'itching or soreness around the vagina' (threadworm, a condition of both sexes, links
to vulval itch, and its red-flag screen reached him). Findings of one sex carry `sexes` in the library and
are never asked, volunteered, held present or warned of for anyone else."""

from __future__ import annotations

import re
from functools import lru_cache

from hypothesis import given
from hypothesis import strategies as st

from scenegen.content import Sex
from scenegen.generate import GenerateConfig, Generator, Library
from scenegen.plan import warning_texts
from scenegen.validate import findings_fit_the_sex

#: words that name one sex's anatomy or physiology in a finding's name or question
FEMALE_WORDS = re.compile(r"\b(vagina\w*|vulva\w*|periods?|menstrua\w*|tampon|uterus|womb|ovar\w*|pregnan\w*)\b", re.I)
MALE_WORDS = re.compile(r"\b(penis|testic\w*|scrot\w*)\b", re.I)
#: findings that name such a word but can be had by either sex: a risk factor or a list that only mentions it
EITHER = {"oestrogen_use", "takes_bp_lowering_medicine", "headache_started_with_exertion", "hepatitis_exposure_risk",
          "hiv_exposure_risk", "new_sexual_partner", "pain_spreads_to_groin", "one_sided_lower_abdominal_pain"}
#: findings whose conditions are of both sexes but which a person of one of them cannot have
BOTH_SEX_CONDITIONS = ("threadworms", "acute_cystitis", "inguinal_hernia")


@lru_cache(maxsize=None)
def _gen(seed: int) -> Generator:
    return Generator(Library.load(), GenerateConfig(seed=seed, conditions=BOTH_SEX_CONDITIONS))


def test_every_finding_that_names_one_sexs_anatomy_is_held_to_that_sex(bundled_kb):
    for fid, f in bundled_kb.findings.items():
        if fid in EITHER:
            continue
        text = f"{f.name} {f.question or ''}"
        if FEMALE_WORDS.search(text):
            assert f.sexes == [Sex.female], (fid, text)
        if MALE_WORDS.search(text):
            assert f.sexes == [Sex.male], (fid, text)


def test_a_finding_held_to_one_sex_is_not_reportable_by_the_other(bundled_kb):
    for fid, f in bundled_kb.findings.items():
        for sex in Sex:
            band = bundled_kb.settings.age_bands[-1].id
            if f.sexes and sex not in f.sexes:
                assert not bundled_kb.reportable(fid, band, sex), fid
    assert not bundled_kb.reportable("vulval_itch", "middle_aged", Sex.male)
    assert not bundled_kb.reportable("pelvic_pain_or_fever_with_discharge", "middle_aged", Sex.male)  # by its parent
    assert bundled_kb.reportable("vulval_itch", "middle_aged", Sex.female)


@given(seed=st.integers(0, 3), index=st.integers(0, 100_000))
def test_nobody_is_asked_about_or_holds_a_finding_of_the_other_sex(seed, index):
    gen = _gen(seed)
    r = gen.record(index)
    assert list(findings_fit_the_sex(r, gen.lib.kb, None)) == []
    kb = gen.lib.kb
    held = {t for x in kb.findings.values()
            if x.sexes and r.persona.sex not in {s.value for s in x.sexes} and x.red_flag is not None
            for t in warning_texts(x)}
    assert not held & set(r.gold.safety_net), r.gold.safety_net
