"""A library someone else wrote cannot use up the machine or read files outside itself (issue 14).

Each case is one of the hostile or careless inputs of the December review, made small: it must end in a
problem that names the file and says what would be valid, quickly, without reading anything outside the
library."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest

from scenegen import ContentError, load_knowledge_base
from scenegen.personas import load_personas
from scenegen.templates import load_templates

BOMB = "".join(f"l{i}: &l{i} [{', '.join([f'*l{i - 1}'] * 9) if i else ', '.join(['lol'] * 9)}]\n" for i in range(9))


def template_problems(root: Path, name: str, text: str | bytes) -> list[str]:
    """The problems reported for templates/opening/NAME of a library holding just that template."""
    folder = root / "templates" / "opening"
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_bytes(text) if isinstance(text, bytes) else path.write_text(text)
    return messages(lambda: load_templates(root, sandboxed=True), f"templates/opening/{name}")


def messages(load, label: str) -> list[str]:
    started = time.monotonic()
    with pytest.raises(ContentError) as info:
        load()
    assert time.monotonic() - started < 20, "a hostile file must be refused quickly, not worked through"
    return [p.message for p in info.value.problems if p.file == label]


@pytest.mark.parametrize("text, says", [
    ("{{ question * 30000000 }}", "'*'"),
    ("{% for i in range(100000) %}{% for j in range(100000) %}{% endfor %}{% endfor %}", "calls range()"),
    ("{{ (10 ** (10 ** 10)) % 7 }}", "'**'"),
    ("{{ '%0999999999d' % 1 }}", "'%'"),
    ("{{ name|center(1000000000) }}", "filter 'center'"),
    ("{{ name.ljust(1000000000) }}", "calls ljust()"),
    ("{% set x %}{{ name }}{{ name }}{% endset %}{% set y %}{{ x }}{{ x }}{% endset %}{{ y }}", "reads x"),
    ("{% include 'other.j2' %}", "'include'"),
    ("{% extends 'base.j2' %}", "'extends'"),
    ("{% macro f() %}{{ f() }}{% endmacro %}{{ f() }}", "macros"),
    ("{% for a in [1, 2, 3] %}{{ a }}{% endfor %}", "goes over something the template makes"),
    ("{% for a in v %}{% for b in v %}{% for c in v %}.{% endfor %}{% endfor %}{% endfor %}", "more than 2 deep"),
    ("{{ lipsum(1000000) }}", "calls lipsum()"),
])
def test_a_template_that_could_use_up_the_machine_is_refused_when_it_loads(tmp_path, text, says):
    found = template_problems(tmp_path, "x.j2", text)
    assert any(says in m for m in found), found


def test_the_bundled_templates_keep_the_template_rules():
    from scenegen.load import bundled_library

    load_templates(bundled_library(), sandboxed=True)  # raises with every broken rule


def test_a_template_linked_to_a_file_outside_the_library_is_not_read(tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_text("root:x:0:0:root:/root:/bin/bash\n")
    lib = tmp_path / "lib"
    folder = lib / "templates" / "opening"
    folder.mkdir(parents=True)
    (folder / "x.j2").symlink_to(secret)
    found = messages(lambda: load_templates(lib, sandboxed=True), "templates/opening/x.j2")
    assert any("outside the library" in m for m in found), found


def test_a_link_inside_the_library_is_read(tmp_path):
    lib = tmp_path / "lib"
    folder = lib / "templates" / "opening"
    folder.mkdir(parents=True)
    (folder / "real.j2").write_text("Hello.")
    (folder / "x.j2").symlink_to(folder / "real.j2")
    with pytest.raises(ContentError) as info:
        load_templates(lib, sandboxed=True)  # other acts have no templates; these two are fine
    assert not [p for p in info.value.problems if p.file.startswith("templates/opening/")]


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs on this platform")
def test_a_fifo_or_a_device_named_like_a_template_is_refused_not_waited_on(tmp_path):
    folder = tmp_path / "templates" / "opening"
    folder.mkdir(parents=True)
    os.mkfifo(folder / "fifo.j2")
    found = messages(lambda: load_templates(tmp_path, sandboxed=True), "templates/opening/fifo.j2")
    assert any("FIFO" in m for m in found), found
    if Path("/dev/zero").exists():
        (folder / "zero.j2").symlink_to("/dev/zero")
        found = messages(lambda: load_templates(tmp_path, sandboxed=True), "templates/opening/zero.j2")
        assert found, "a link to /dev/zero must be refused"


def test_a_template_that_is_not_utf8_or_holds_control_characters_names_its_line(tmp_path):
    found = template_problems(tmp_path, "latin.j2", "Hello.\nCaf\xe9.".encode("latin-1"))
    assert any("not UTF-8" in m for m in found), found
    found = template_problems(tmp_path, "ctrl.j2", "Hello.\nThere\x07.")
    assert any("U+0007" in m for m in found), found


def test_an_alias_bomb_is_refused_in_conditions_personas_and_a_templates_when_comment(tiny_copy, tmp_path):
    (tiny_copy / "conditions" / "bomb.yaml").write_text(BOMB)
    found = messages(lambda: load_knowledge_base(tiny_copy), "conditions/bomb.yaml")
    assert any("aliases" in m for m in found), found

    (tmp_path / "personas").mkdir()
    (tmp_path / "personas" / "personas.yaml").write_text(BOMB)
    found = messages(lambda: load_personas(tmp_path), "personas/personas.yaml")
    assert any("aliases" in m for m in found), found

    when = "{# when: " + BOMB.replace("\n", ", ").rstrip(", ").join("{}") + " #}Hello."
    found = template_problems(tmp_path, "x.j2", when)
    assert any("aliases" in m for m in found), found


def test_a_file_over_the_size_limit_is_refused_and_the_limit_can_be_raised(tiny_copy, monkeypatch):
    big = tiny_copy / "conditions" / "big.yaml"
    big.write_text("# " + "x" * 20_000 + "\nfindings: []\n")
    monkeypatch.setenv("SCENEGEN_NO_CACHE", "1")
    monkeypatch.setenv("SCENEGEN_MAX_FILE_MB", "0.01")
    found = messages(lambda: load_knowledge_base(tiny_copy), "conditions/big.yaml")
    assert any("SCENEGEN_MAX_FILE_MB" in m for m in found), found
    monkeypatch.setenv("SCENEGEN_MAX_FILE_MB", "1")
    load_knowledge_base(tiny_copy)


def test_a_conditions_file_linked_outside_the_library_is_not_read(tiny_copy, tmp_path, monkeypatch):
    monkeypatch.setenv("SCENEGEN_NO_CACHE", "1")
    outside = tmp_path / "elsewhere.yaml"
    outside.write_text("findings: []\n")
    (tiny_copy / "conditions" / "linked.yaml").symlink_to(outside)
    found = messages(lambda: load_knowledge_base(tiny_copy), "conditions/linked.yaml")
    assert any("outside the library" in m for m in found), found


def test_a_template_that_fails_while_rendering_names_its_file_instead_of_a_traceback(tmp_path):
    from scenegen.templates import ACT_VARIABLES, INITIATIVE_TEMPLATE_ACTS, TemplateLibrary, Variant

    lib = tmp_path
    for act in set(ACT_VARIABLES) - set(INITIATIVE_TEMPLATE_ACTS):
        (lib / "templates" / act).mkdir(parents=True)
        (lib / "templates" / act / "a.j2").write_text("Hello.")
    (lib / "templates" / "opening" / "a.j2").write_text("Hello {{ v.no_such_word }}.")
    templates = load_templates(lib, sandboxed=True)
    assert isinstance(templates, TemplateLibrary)
    [variant] = [v for v in templates.variants["opening"] if isinstance(v, Variant)]
    with pytest.raises(ContentError) as info:
        TemplateLibrary._render(variant, {"v": {}})
    [problem] = info.value.problems
    assert problem.file == "templates/opening/a.j2" and "cannot be rendered" in problem.message


@pytest.mark.parametrize("old, new, says", [
    ("faker: en_US", "faker: xx_NOPE", "faker locale 'xx_NOPE' does not exist"),
    ("  - {id: infant, name", "  - {id: young_infant, name", "['young_infant'] appear more than once"),
])
def test_a_persona_library_generate_would_trip_over_is_refused_when_it_loads(tmp_path, old, new, says):
    """A Faker locale that does not exist raised an AttributeError mid-run, and a duplicate age-group id was
    accepted; both are load problems now."""
    from scenegen.load import bundled_library

    (tmp_path / "personas").mkdir()
    for name in ("personas.yaml", "initiative.yaml", "noise.yaml"):
        text = (bundled_library() / "personas" / name).read_text()
        if name == "personas.yaml":
            assert old in text
            text = text.replace(old, new, 1)
        (tmp_path / "personas" / name).write_text(text)
    found = messages(lambda: load_personas(tmp_path), "personas/personas.yaml")
    assert any(says in m for m in found), found


def test_weights_that_are_all_zero_are_refused_when_they_load(tmp_path):
    import re

    from scenegen.load import bundled_library

    (tmp_path / "personas").mkdir()
    for name in ("personas.yaml", "initiative.yaml", "noise.yaml"):
        text = (bundled_library() / "personas" / name).read_text()
        if name == "personas.yaml":
            head, _, rest = text.partition("speakers:\n")
            text = re.sub(r"weight: \d+", "weight: 0", head) + "speakers:\n" + rest
        (tmp_path / "personas" / name).write_text(text)
    found = messages(lambda: load_personas(tmp_path), "personas/personas.yaml")
    assert any("every weight is 0" in m for m in found), found


_CORPUS = Path(__file__).parent / "cases" / "hostile_library_inputs.yaml"


@pytest.fixture(scope="module")
def library_copy(tmp_path_factory):
    import shutil

    from scenegen.load import bundled_library

    root = tmp_path_factory.mktemp("hostile") / "lib"
    for part in ("conditions", "personas", "templates"):
        shutil.copytree(bundled_library() / part, root / part)
    return root


def _corpus() -> list[dict]:
    import yaml

    return yaml.safe_load(_CORPUS.read_text(encoding="utf-8"))


@pytest.mark.parametrize("case", _corpus(), ids=lambda c: c["name"])
def test_every_hostile_library_input_ends_in_a_clean_error_from_kb_check(library_copy, case, monkeypatch):
    from click.testing import CliRunner

    from scenegen.cli import cli

    monkeypatch.setenv("SCENEGEN_NO_CACHE", "1")
    path = library_copy / case["file"]
    before = path.read_bytes() if path.exists() else None
    path.write_bytes(bytes.fromhex(case["bytes_hex"]) if "bytes_hex" in case else case["text"].encode("utf-8"))
    try:
        started = time.monotonic()
        r = CliRunner().invoke(cli, ["kb", "check", "--library", str(library_copy)])
        assert time.monotonic() - started < 60
    finally:
        path.unlink()
        if before is not None:
            path.write_bytes(before)
    assert r.exit_code == 1 and isinstance(r.exception, SystemExit), (r.exit_code, r.output, r.exception)
    assert case["file"] in r.output and case["says"] in r.output, r.output
