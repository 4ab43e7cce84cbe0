"""The kb and triage commands, through click's CliRunner."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from scenegen.cli import cli

from .conftest import TINY


def run(*args: str):
    return CliRunner().invoke(cli, list(args))


def test_kb_check_valid_library_exits_zero_with_summary():
    r = run("kb", "check", "--library", str(TINY))
    assert r.exit_code == 0, r.output
    assert "3 conditions, 6 findings (1 red flags)" in r.stdout
    assert "cough" in r.stdout and "AMB 1 URG 1 SELF 1" in r.stdout


def test_kb_check_broken_library_exits_nonzero_and_lists_problems(tiny_copy: Path):
    lib = tiny_copy / "conditions" / "library.yaml"
    lib.write_text(lib.read_text().replace("icd10: J18.9", "icd10: J18.7").replace("p: 0.2}", "p: 1.7}"))
    r = run("kb", "check", "--library", str(tiny_copy))
    assert r.exit_code == 1
    assert "conditions/library.yaml:" in r.stderr and "J18.7" in r.stderr and "1.7" in r.stderr
    assert r.stdout == ""


def test_library_from_environment_variable(monkeypatch):
    monkeypatch.setenv("SCENEGEN_LIBRARY", str(TINY))
    r = run("kb", "check")
    assert r.exit_code == 0 and "3 conditions" in r.stdout


def test_kb_export_is_json_with_the_documented_keys():
    r = run("kb", "export", "--library", str(TINY))
    assert r.exit_code == 0
    doc = json.loads(r.stdout)
    pe = next(c for c in doc["conditions"] if c["id"] == "pe")
    assert {"id", "name", "icd10", "specialty", "complaints", "disposition", "prior", "findings"} <= set(pe)
    assert pe["icd10"] == "I26.99" and pe["disposition"] == "emergency_ambulance" and pe["complaints"] == ["cough"]
    assert {"id": "blood_in_sputum", "p": 0.3} in pe["findings"]
    flag = next(f for f in doc["findings"] if f["id"] == "blood_in_sputum")
    assert flag["red_flag"] == "emergency_ambulance" and flag["type"] == "binary"
    assert next(f for f in doc["findings"] if f["id"] == "fever")["red_flag"] is None


def test_triage_json_keys_and_red_flag_reason():
    r = run("triage", "--library", str(TINY), "--age", "40", "--sex", "male", "--present", "cough,blood_in_sputum", "--json")
    assert r.exit_code == 0, r.output
    out = json.loads(r.stdout)
    assert {"differential", "disposition", "reasons", "red_flags_unasked", "next_questions"} <= set(out)
    assert out["disposition"] == "emergency_ambulance"
    assert any(x["kind"] == "red_flag" and x["id"] == "blood_in_sputum" for x in out["reasons"])
    assert abs(sum(d["p"] for d in out["differential"]) - 1) < 0.05
    assert all({"finding", "expected_gain"} <= set(q) for q in out["next_questions"])


def test_triage_infant_in_months_applies_modifier():
    r = run("triage", "--library", str(TINY), "--age", "2m", "--sex", "female", "--present", "cough,fever", "--json")
    out = json.loads(r.stdout)
    assert out["disposition"] == "emergency_department"
    assert any(x["kind"] == "modifier" and x["id"] == "infant_fever" for x in out["reasons"])


def test_triage_red_flags_unasked_come_first_in_questions():
    r = run("triage", "--library", str(TINY), "--age", "40", "--sex", "female", "--present", "cough", "--json")
    out = json.loads(r.stdout)
    assert out["red_flags_unasked"] == ["blood_in_sputum"]
    assert out["next_questions"][0]["finding"] == "blood_in_sputum"


def test_triage_categorical_value():
    def triage(onset: str) -> dict:
        r = run("triage", "--library", str(TINY), "--age", "40", "--sex", "female", "--present", f"cough,onset={onset}",
                "--json")
        assert r.exit_code == 0, r.output
        return json.loads(r.stdout)

    # P(c) P(cough | c) P(onset | c): onset is cold {gradual 0.9, sudden 0.1}, pe {sudden 0.8, gradual 0.2},
    # and uniform (0.5 each) for pneumonia, which has no edge to it
    for onset, expected in {
        "sudden": {"cold": 0.6 * 0.8 * 0.1, "pneumonia": 0.3 * 0.9 * 0.5, "pe": 0.1 * 0.3 * 0.8},
        "gradual": {"cold": 0.6 * 0.8 * 0.9, "pneumonia": 0.3 * 0.9 * 0.5, "pe": 0.1 * 0.3 * 0.2},
    }.items():
        total = sum(expected.values())
        got = {d["condition"]: d["p"] for d in triage(onset)["differential"]}
        assert got == pytest.approx({c: p / total for c, p in expected.items()}, abs=1e-6), onset
    # a sudden onset makes the pulmonary embolism plausible (p 0.116 >= 0.1): ambulance; a gradual one does not
    sudden, gradual = triage("sudden"), triage("gradual")
    assert [d["condition"] for d in sudden["differential"]][0] == "pneumonia"
    assert [d["condition"] for d in gradual["differential"]][0] == "cold"
    assert sudden["disposition"] == "emergency_ambulance"
    assert any(x["kind"] == "plausible_condition" and x["id"] == "pe" for x in sudden["reasons"])
    assert gradual["disposition"] == "urgent"


def test_triage_unknown_finding_names_close_choices():
    r = run("triage", "--library", str(TINY), "--age", "40", "--sex", "male", "--present", "feverr")
    assert r.exit_code == 2 and "unknown finding 'feverr'" in r.stderr and "fever" in r.stderr


def test_triage_impossible_demographic_is_a_clear_error():
    r = run("triage", "--library", str(TINY), "--age", "40", "--sex", "male", "--pregnant", "--present", "cough")
    assert r.exit_code == 2 and "pregnant applies only to sex 'female'" in r.stderr
    r = run("triage", "--library", str(TINY), "--age", "forty", "--sex", "male")
    assert r.exit_code == 2 and "age 'forty' is not understood" in r.stderr


def test_triage_text_output_names_the_disposition():
    r = run("triage", "--library", str(TINY), "--age", "40", "--sex", "male", "--present", "cough,fever")
    assert r.exit_code == 0 and "Disposition:" in r.stdout and "Next questions" in r.stdout
