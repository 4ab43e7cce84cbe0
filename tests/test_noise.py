"""Typing noise (personas/noise.yaml, scenegen/noise.py): how patients' messages look, never what they say.

Noise is the last step and has its own random stream, so with it off every byte is what it was; with it on the
records validate, carry the same labels, and every user message names the same findings and the same yes / no
/ unsure words as without it. Low literacy slips more than high. Bad noise data is reported at load.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import orjson
import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

from scenegen.cli import cli
from scenegen.errors import ContentError
from scenegen.generate import GenerateConfig, Generator, Library
from scenegen.load import bundled_library
from scenegen.noise import NOISE_KINDS, Markers, Noise, Noiser, marker_problems, read_markers
from scenegen.personas import load_personas
from scenegen.realise import mentions
from scenegen.rng import stream
from scenegen.validate import Lexicon, validate_record
from scenegen.write import write_dataset

SEEDS = (4242, 7, 90210)
PER_SEED = 60
_DIGITS = re.compile(r"\d+")


@pytest.fixture(scope="module")
def lexicon() -> Lexicon:
    return Lexicon.load(bundled_library())


@pytest.fixture(scope="module")
def pairs(library) -> list[tuple[dict, dict]]:
    """(noise on, noise off) record data for a few hundred records of several seeds."""
    out = []
    for seed in SEEDS:
        on = Generator(library, GenerateConfig(seed=seed))
        off = Generator(library, GenerateConfig(seed=seed, noise="off"))
        out += [(on.record_data(i), off.record_data(i)) for i in range(PER_SEED)]
    return out


def _user_messages(pairs):
    for noisy, clean in pairs:
        for m, t, m0 in zip(noisy["messages"], noisy["turns"], clean["messages"]):
            if m["role"] == "user":
                yield noisy, m["content"], t["noise"], m0["content"]


def _markers(lexicon: Lexicon, text: str) -> tuple[frozenset[str], ...]:
    """The yes / no / unsure words validate finds in a text, per list, apostrophes left out."""
    words = " " + re.sub(r"[^a-z0-9' ]+", " ", text.lower()) + " "
    return tuple(frozenset(m.replace("'", "") for m in lst if f" {m} " in words)
                 for lst in (lexicon.affirmative, lexicon.negative, lexicon.unsure))


# --- on: valid, same labels, same facts -------------------------------------------------------------------


def test_noisy_records_pass_validate(pairs, library, lexicon):
    for noisy, _ in pairs:
        assert validate_record(orjson.loads(orjson.dumps(noisy)), library.kb, lexicon) == [], noisy["id"]


def test_noise_changes_only_the_text_of_user_messages(pairs):
    for noisy, clean in pairs:
        assert {k: v for k, v in noisy.items() if k not in ("messages", "turns")} == \
               {k: v for k, v in clean.items() if k not in ("messages", "turns")}
        assert [m["role"] for m in noisy["messages"]] == [m["role"] for m in clean["messages"]]
        for m, m0, t, t0 in zip(noisy["messages"], clean["messages"], noisy["turns"], clean["turns"]):
            assert {k: v for k, v in t.items() if k != "noise"} == {k: v for k, v in t0.items() if k != "noise"}
            assert t0["noise"] == []
            if m["role"] != "user":
                assert m == m0 and t["noise"] == []


def test_every_user_message_names_the_same_findings_markers_and_numbers(pairs, library, lexicon):
    changed = 0
    for _, text, _, clean in _user_messages(pairs):
        assert mentions(library.kb, text) == mentions(library.kb, clean), (clean, text)
        assert _markers(lexicon, text) == _markers(lexicon, clean), (clean, text)
        assert _DIGITS.findall(text) == _DIGITS.findall(clean), (clean, text)
        changed += text != clean
    assert changed > 100  # the invariants were tested on noisy text, not on untouched text


def test_a_turn_lists_exactly_the_slips_that_changed_its_message(pairs):
    for _, text, kinds, clean in _user_messages(pairs):
        assert kinds == [k for k in NOISE_KINDS if k in kinds]  # known kinds, in their order, once each
        assert (text != clean) == bool(kinds), (clean, text, kinds)
        if "lower_case" in kinds:
            assert text == text.lower()
        if "no_final_stop" in kinds:
            assert clean.endswith(".") and not text.endswith(".")
        if kinds == ["no_apostrophes"]:
            assert text.replace("'", "") == clean.replace("'", "")


def test_low_literacy_slips_more_than_high(pairs):
    seen = {"low": [0, 0], "medium": [0, 0], "high": [0, 0]}
    slips = {"low": 0, "high": 0}
    for record, _, kinds, _ in _user_messages(pairs):
        level = record["persona"]["literacy"]
        seen[level][0] += 1
        seen[level][1] += bool(kinds)
        if level in slips:
            slips[level] += bool({"typo", "misspelling"} & set(kinds))
    share = {k: noisy / n for k, (n, noisy) in seen.items()}
    assert min(n for n, _ in seen.values()) >= 100, seen
    assert share["low"] > share["medium"] > share["high"], share
    assert share["low"] >= 0.5 and share["high"] <= 0.35, share
    assert slips["high"] / seen["high"][0] <= 0.1 < slips["low"] / seen["low"][0], (slips, seen)


# --- off: nothing changes ---------------------------------------------------------------------------------


def test_noise_off_gives_the_bytes_of_a_library_whose_rates_are_all_zero(library):
    noise = library.personas.noise
    silent = noise.model_copy(update={"literacy": {level: {k: 0.0 for k in rates} for level, rates in noise.literacy.items()}})
    quiet = Library(library.root, library.kb, library.personas.model_copy(update={"noise": silent}), library.templates)
    on = Generator(quiet, GenerateConfig(seed=5))
    off = Generator(library, GenerateConfig(seed=5, noise="off"))
    for i in range(12):
        assert orjson.dumps(on.record_data(i)) == orjson.dumps(off.record_data(i)), i


def test_noise_on_is_deterministic(library):
    """Same bytes from another generator, made in the opposite order (so no cache or draw order leaks in)."""
    a = Generator(library, GenerateConfig(seed=31))
    b = Generator(library, GenerateConfig(seed=31))
    forward = [orjson.dumps(a.record_data(i)) for i in range(12)]
    backward = [orjson.dumps(b.record_data(i)) for i in reversed(range(12))]
    assert forward == backward[::-1]


def test_the_manifest_and_the_command_line_name_the_setting(library, tmp_path):
    manifest = write_dataset(Generator(library, GenerateConfig(seed=1, noise="off")), 3, tmp_path / "d")
    assert manifest["config"]["noise"] == "off"
    runner = CliRunner()
    assert "--noise [on|off]" in runner.invoke(cli, ["generate", "--help"]).output
    assert runner.invoke(cli, ["generate", "--n", "1", "--out", str(tmp_path / "x"), "--noise", "loud"]).exit_code == 2


# --- the slips themselves, on any text --------------------------------------------------------------------


@pytest.fixture(scope="module")
def loud(library) -> Noiser:
    """The bundled tables with every slip at every message: the invariants must hold however often they fire."""
    noise = library.personas.noise
    every = {level: {k: 1.0 for k in NOISE_KINDS} for level in noise.literacy}
    personas = library.personas.model_copy(update={"noise": noise.model_copy(update={
        "literacy": every, "habit_consistency": 1.0})})
    return Noiser(library.kb, personas, read_markers(library.root))


@pytest.fixture(scope="module")
def clean_texts(pairs) -> list[str]:
    return sorted({clean for _, _, _, clean in _user_messages(pairs)})


@settings(max_examples=60, deadline=None)
@given(data=st.data(), seed=st.integers(0, 2**32), level=st.sampled_from(["low", "medium", "high"]),
       style=st.sampled_from(["terse", "verbose", "anxious", "stoic"]))
def test_a_slip_never_changes_a_phrase_a_yes_no_word_or_a_number(library, lexicon, loud, clean_texts, data, seed,
                                                                  level, style):
    junk = st.text(st.sampled_from(list("abcdefghijklmnopqrstuvwxyz ABCDEFI.,'?!-0123456789İß")), max_size=60)
    text = data.draw(st.one_of(st.sampled_from(clean_texts), junk,
                               st.tuples(st.sampled_from(clean_texts), junk).map(" ".join)))
    typist = loud.typist(level, style, stream(seed, "typist"))
    out, kinds = loud.apply(text, typist, stream(seed, "message"), "Joan")
    assert (out, kinds) == loud.apply(text, typist, stream(seed, "message"), "Joan")  # a function of its inputs
    assert mentions(library.kb, out) == mentions(library.kb, text)
    assert _markers(lexicon, out) == _markers(lexicon, text)
    assert _DIGITS.findall(out) == _DIGITS.findall(text)
    assert (out != text) == bool(kinds) and set(kinds) <= set(NOISE_KINDS)


def test_typos_never_touch_names_units_or_medicines(loud):
    text = "I took two paracetamol about 4 hours ago and Joan says the headache started yesterday afternoon."
    for seed in range(200):
        out, _ = loud.apply(text, loud.typist("low", "anxious", stream(seed, "t")), stream(seed, "m"), "Joan")
        words = set(re.findall(r"[a-z]+", out.lower()))
        assert {"paracetamol", "joan", "two"} <= words and ("hours" in words or "hrs" in words), out


# --- bad data ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("old, new, expected", [
    ("misspelling: 0.2, typo: 0.2}", "misspelling: 0.2, typo: 1.5}", ["literacy.low.typo", "less than or equal to 1"]),
    ("  high:   {", "  very_high:   {", ["literacy.very_high", "unknown literacy level 'very_high'", "valid: high, low, medium",
                                         "literacy level 'high' of personas/personas.yaml has no rates"]),
    ("  terse:           {", "  chatty:           {", ["styles.chatty", "unknown style 'chatty'", "valid: anxious,"]),
    ("run_on: 0.3, misspelling: 0.2", "run_ons: 0.3, misspelling: 0.2", ["literacy.low.run_ons", "'run_on'", "'typo'"]),
    ("habits: [lower_case,", "habits: [shouting,", ["habits[0]", "'lower_case'", "'shouting'"]),
    ("{word: you, forms: [u], literacy: [low]}", "{word: you, forms: [u], literacy: [lowest]}",
     ["abbreviations.forms[", "unknown literacy level 'lowest'", "valid: high, low, medium"]),
    ("  boundary_rate: 0.6", "  boundary_rate: -0.1", ["run_on.boundary_rate", "greater than or equal to 0"]),
])
def test_bad_noise_data_names_the_file_the_field_and_what_is_valid(tmp_path, old, new, expected):
    root = tmp_path / "lib"
    shutil.copytree(bundled_library() / "personas", root / "personas")
    path = root / "personas" / "noise.yaml"
    text = path.read_text()
    assert old in text
    path.write_text(text.replace(old, new, 1))
    with pytest.raises(ContentError) as err:
        load_personas(root)
    message = str(err.value)
    for part in ["personas/noise.yaml:", *expected]:
        assert part in message, message


def test_a_slip_that_would_spell_a_yes_or_no_word_is_rejected():
    noise = Noise.model_validate({"abbreviations": {"forms": [{"word": "know", "forms": ["no"]}]},
                                  "misspellings": {"nothing": ["none"]}})
    problems = marker_problems(noise, Markers(negative=("no", "none")))
    assert [p.field for p in problems] == ["abbreviations.forms[0]", "misspellings.nothing"]
    assert all("templates/_lexicon.yaml" in p.message for p in problems)


def test_every_lexicon_word_with_an_apostrophe_is_also_listed_without_it(lexicon):
    """Noise drops an apostrophe from a yes / no / unsure word only when its bare form is listed, so that
    validate (and a model) reads 'dont' as it reads "don't"; the bundled lexicon lists them all."""
    for lst in (lexicon.affirmative, lexicon.negative, lexicon.unsure):
        assert [m for m in lst if "'" in m and m.replace("'", "") not in lst] == []


def test_a_library_without_noise_data_makes_no_noise(tmp_path):
    root = tmp_path / "lib"
    shutil.copytree(bundled_library() / "personas", root / "personas")
    (root / "personas" / "noise.yaml").unlink()
    assert load_personas(root).noise == Noise()
    assert Path(bundled_library() / "personas" / "noise.yaml").is_file()
