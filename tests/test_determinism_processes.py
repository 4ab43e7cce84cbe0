"""Determinism across processes: the same command makes the same bytes in another interpreter, whatever
its string-hash salt, and the committed sample in examples/sample/ is what the current code makes.

The in-process determinism tests cannot see a seed derived with Python's salted ``hash()`` or output that
follows the iteration order of a set of strings: both are fixed within one process. These tests run
``python -m scenegen generate`` in fresh interpreters with different PYTHONHASHSEED values.
"""

from __future__ import annotations

import os
import shlex
import subprocess
import sys
from dataclasses import fields
from pathlib import Path

import orjson

import scenegen
from scenegen.generate import GenerateConfig
from scenegen.load import ENV_LIBRARY

REPO = Path(__file__).resolve().parent.parent
SAMPLE = REPO / "examples" / "sample"
FILES = ("train.jsonl", "test.jsonl", "manifest.json")
# Manifest fields that describe the machine that ran the command, not what it made
MACHINE_FIELDS = ("python", "versions", "icd10cm")


def _env(hash_seed: str) -> dict[str, str]:
    """This interpreter's environment with the given hash salt, the bundled library, and this scenegen."""
    env = {k: v for k, v in os.environ.items() if k != ENV_LIBRARY}
    env["PYTHONHASHSEED"] = hash_seed
    package_root = str(Path(scenegen.__file__).resolve().parent.parent)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (package_root, env.get("PYTHONPATH")) if p)
    return env


def _generate(args: list[str], out: Path, hash_seed: str, cwd: Path) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "scenegen", "generate", *args, "--out", str(out), "--quiet"],
                            env=_env(hash_seed), cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.PIPE)


def _wait(proc: subprocess.Popen) -> None:
    out, err = proc.communicate(timeout=120)
    assert proc.returncode == 0, f"{shlex.join(proc.args)} exited {proc.returncode}:\n{err.decode()}"


def test_same_bytes_whatever_the_hash_salt(tmp_path):
    """Three interpreters with different string-hash salts (one of them random) write identical files.
    Template holdout and disposition balance are on, to go through the paths that group and order things."""
    args = ["--n", "12", "--seed", "7", "--holdout-by", "template", "--balance", "disposition", "--test-fraction", "0.3"]
    salts = ("1", "2", "random")
    procs = {salt: _generate(args, tmp_path / f"hash-{salt}", salt, tmp_path) for salt in salts}
    for proc in procs.values():
        _wait(proc)
    for name in FILES:
        first = (tmp_path / "hash-1" / name).read_bytes()
        assert first
        for salt in salts[1:]:
            assert (tmp_path / f"hash-{salt}" / name).read_bytes() == first, (
                f"{name} differs between PYTHONHASHSEED=1 and PYTHONHASHSEED={salt}: something depends on "
                "the salted hash() of a string (a seed derived with hash(), or the order of a set of strings)")


def _sample_args(config: dict) -> list[str]:
    """The `scenegen generate` flags that reproduce a manifest's config (defaults left out)."""
    default = GenerateConfig()
    assert set(config) == {f.name for f in fields(GenerateConfig)} | {"n"}, (
        f"the manifest's config keys {sorted(config)} no longer match GenerateConfig: update _sample_args")
    assert config["min_gain"] == default.min_gain, "the CLI has no --min-gain flag; the sample cannot be remade"
    args = ["--n", str(config["n"]), "--seed", str(config["seed"])]
    if config["test_fraction"] != default.test_fraction:
        args += ["--test-fraction", repr(config["test_fraction"])]
    for key in ("holdout_by", "balance", "ambiguity", "max_questions"):
        if config[key] != getattr(default, key):
            args += [f"--{key.replace('_', '-')}", str(config[key])]
    for key in ("conditions", "complaints"):
        for value in config[key]:
            args += [f"--{key[:-1]}", value]
    if not config["system_prompt"]:
        args.append("--no-system-prompt")
    if config["noise"] != default.noise:
        args += ["--noise", config["noise"]]
    if config["twins"]:
        args += ["--twins", ",".join(config["twins"])]
    return args


def _first_difference(a: bytes, b: bytes) -> str:
    for lineno, (x, y) in enumerate(zip(a.splitlines(), b.splitlines()), start=1):
        if x != y:
            record_id = orjson.loads(x).get("id") if x.startswith(b"{") else None
            return f"first at line {lineno} (record {record_id})"
    return f"{len(a.splitlines())} vs {len(b.splitlines())} lines"


def test_the_committed_sample_is_what_the_code_makes(tmp_path):
    """Regenerate examples/sample/ with the command its manifest records and compare byte for byte; the
    manifest too, apart from the fields that describe the machine (Python and package versions): those
    cannot be made to match here, so they only appear in the message, to tell a changed environment from a
    changed generator."""
    committed = {name: (SAMPLE / name).read_bytes() for name in FILES}
    committed_manifest = orjson.loads(committed["manifest.json"])
    args = _sample_args(committed_manifest["config"])
    command = shlex.join(["python", "-m", "scenegen", "generate", *args, "--out", "examples/sample"])
    _wait(_generate(args, tmp_path / "sample", "3", tmp_path))
    fresh = {name: (tmp_path / "sample" / name).read_bytes() for name in FILES}
    fresh_manifest = orjson.loads(fresh["manifest.json"])

    machine = {k: (committed_manifest.pop(k, None), fresh_manifest.pop(k, None)) for k in MACHINE_FIELDS}
    other_machine = {k: v for k, v in machine.items() if v[0] != v[1]}  # (sample's, this machine's)
    library = (committed_manifest["library"]["content_sha256"], fresh_manifest["library"]["content_sha256"])
    differ = [f"{name} ({_first_difference(committed[name], fresh[name])})"
              for name in ("train.jsonl", "test.jsonl") if committed[name] != fresh[name]]
    if committed_manifest != fresh_manifest:
        keys = sorted(k for k in committed_manifest.keys() | fresh_manifest.keys()
                      if committed_manifest.get(k) != fresh_manifest.get(k))
        differ.append(f"manifest.json (keys {', '.join(keys)})")
    assert not differ, (
        f"examples/sample/ is not what the code makes now: {'; '.join(differ)}.\n"
        + (f"The library content changed ({library[0][:12]} -> {library[1][:12]}).\n" if library[0] != library[1]
           else "The library content is unchanged, so the generator's output changed.\n")
        + (f"This machine differs from the one that made the sample: {other_machine}.\n" if other_machine else "")
        + "If the library or the generator changed on purpose, regenerate the sample from the repository root with\n"
        f"    {command}\n"
        "and commit the three files. Otherwise the same command no longer gives the same bytes: find out why.")
