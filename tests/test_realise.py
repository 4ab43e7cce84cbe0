"""Wording: questions turned to a carer's third person, and the template library's rules."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from scenegen.errors import ContentError
from scenegen.realise import proxy_question
from scenegen.templates import ACT_VARIABLES, load_templates

HE = {"subj": "he", "obj": "him", "poss": "his"}
SHE = {"subj": "she", "obj": "her", "poss": "her"}


@pytest.mark.parametrize("question,expected", [
    ("Do you feel sick (nauseous)?", "Does your son feel sick (nauseous)?"),
    ("Have you coughed up any blood?", "Has your son coughed up any blood?"),
    ("Are you short of breath?", "Is your son short of breath?"),
    ("Is your tongue or throat swelling?", "Is his tongue or throat swelling?"),
    ("Is the cough worse at night, or does it wake you from sleep?", "Is the cough worse at night, or does it wake him from sleep?"),
    ("In the past month, have you wished you were dead?", "In the past month, has he wished he was dead?"),
    ("Does the tummy pain ease after you open your bowels?", "Does the tummy pain ease after he opens his bowels?"),
    ("Before this, did you get cramp in your calves?", "Before this, did he get cramp in his calves?"),
    ("Does the pain come in waves?", "Does the pain come in waves?"),
])
def test_proxy_question(question, expected):
    assert proxy_question(question, "your son", HE) == expected


def test_every_bundled_question_turns_to_third_person_without_a_stray_you(bundled_kb):
    for fid, f in bundled_kb.findings.items():
        for pronouns, ref in ((HE, "your son"), (SHE, "your mum")):
            out = proxy_question(f.question, ref, pronouns)
            assert out is not None, fid
            assert not re.search(r"\byou(r|rs|rself|'ve|'re|'d)?\b", out.replace(ref, ""), re.IGNORECASE), (fid, out)


def _library_with(tmp_path: Path, act: str, body: str) -> Path:
    import shutil

    from scenegen.load import bundled_library

    root = tmp_path / "lib"
    shutil.copytree(bundled_library() / "templates", root / "templates")
    (root / "templates" / act / "zz_test.j2").write_text(body)
    return root


def test_bundled_templates_load_and_use_only_declared_variables():
    from scenegen.load import bundled_library

    lib = load_templates(bundled_library(), sandboxed=False)
    assert set(lib.variants) == set(ACT_VARIABLES)
    assert all(len(v) >= 3 for v in lib.variants.values())


def test_a_template_using_an_undeclared_variable_is_rejected_at_load(tmp_path):
    root = _library_with(tmp_path, "close", "Bye {{ diagnosis }}.")
    with pytest.raises(ContentError, match=r"templates/close/zz_test.j2.*diagnosis"):
        load_templates(root, sandboxed=True)


def test_the_random_filter_does_not_exist(tmp_path):
    root = _library_with(tmp_path, "close", "{{ ['a', 'b'] | random }}")
    with pytest.raises(ContentError, match="random"):
        load_templates(root, sandboxed=True)


def test_a_users_template_renders_in_the_sandbox(tmp_path):
    from jinja2.exceptions import SecurityError

    root = _library_with(tmp_path, "close", "{{ speaker.__class__.__mro__ }}")
    lib = load_templates(root, sandboxed=True)
    variant = next(v for v in lib.variants["close"] if v.id == "close/zz_test")
    with pytest.raises(SecurityError):
        lib.render(variant, {"speaker": "self", "who": {}, "p": {}, "v": {}, "tone": "neutral", "name": "A"})


def test_a_persona_phrase_with_an_unknown_placeholder_is_rejected_at_load(tmp_path):
    import shutil

    from scenegen.load import bundled_library
    from scenegen.personas import load_personas

    root = tmp_path / "lib"
    shutil.copytree(bundled_library() / "personas", root / "personas")
    path = root / "personas" / "personas.yaml"
    path.write_text(path.read_text().replace('age_years: "{subj}\'s {years}."', 'age_years: "{subj}\'s {age} years."'))
    with pytest.raises(ContentError, match="age_years"):
        load_personas(root)
