"""Careless command lines end in one clear line and an exit status, never a traceback (issue 14)."""

from __future__ import annotations

import subprocess
import sys

import pytest
from click.testing import CliRunner

from scenegen.cli import cli

from .conftest import TINY


def run(*args: str):
    return CliRunner().invoke(cli, list(args))


def test_a_seed_beyond_64_bits_is_refused_with_the_valid_range(tmp_path):
    r = run("generate", "--n", "1", "--seed", str(2**64), "--out", str(tmp_path / "x"), "--quiet")
    assert r.exit_code == 2 and "0<=x<=18446744073709551615" in r.output


def test_an_out_folder_that_cannot_be_made_is_named_in_the_error(tmp_path):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    r = run("generate", "--n", "2", "--seed", "1", "--out", str(blocker / "out"), "--quiet", "--workers", "1")
    assert r.exit_code == 1 and "Error: cannot read or write" in r.output and str(blocker) in r.output
    assert not isinstance(r.exception, OSError)


def test_show_on_a_record_that_is_not_a_scenegen_record_names_the_line(tmp_path):
    path = tmp_path / "bad.jsonl"
    path.write_text('{"id": "scn-1-00000000"}\n')
    r = run("show", str(path))
    assert r.exit_code == 2 and f"{path}:1: not a scenegen record" in r.output and "scenegen validate" in r.output


@pytest.mark.parametrize("args, says", [
    (["--age", "40", "--sex", "male"], "give at least one finding"),
    (["--age", "40", "--sex", "male", "--absent", "fever"], "give at least one finding"),
    (["--age", "40", "--sex", "male", "--present", "vaginal_bleeding"], "cannot be reported of a male person"),
    (["--age", "1m", "--sex", "female", "--present", "chest_pain"], "cannot be reported at 1 month"),
])
def test_triage_of_nothing_or_of_a_finding_the_person_cannot_have_is_an_error(args, says):
    r = run("triage", *args)
    assert r.exit_code == 2 and says in r.output, r.output


def test_a_command_writing_into_a_closed_pipe_ends_quietly():
    """`scenegen kb export | head -c 100` (several megabytes into a reader that stops) must not print a
    BrokenPipeError traceback."""
    export = subprocess.Popen([sys.executable, "-m", "scenegen", "kb", "export"], stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE)
    assert export.stdout.read(100)
    export.stdout.close()
    _, err = export.communicate(timeout=300)
    assert b"Traceback" not in err and b"BrokenPipeError" not in err, err.decode()


def test_a_run_whose_test_split_comes_out_empty_says_so(tmp_path):
    """--condition X with the split held out by condition yields no test records: said, not left silent."""
    r = run("generate", "--n", "4", "--seed", "2", "--condition", "common_cold", "--out", str(tmp_path / "x"),
            "--quiet", "--workers", "1")
    assert r.exit_code == 0 and "warning: the test split is empty" in r.output
