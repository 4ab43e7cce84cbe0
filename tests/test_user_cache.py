"""The user cache makes commands start fast without ever changing what a library check finds."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from scenegen import ContentError, load_knowledge_base
from scenegen.codes import check_codes

ROOT = Path(__file__).resolve().parent.parent


def _problems(lib: Path) -> list:
    try:
        load_knowledge_base(lib)
    except ContentError as exc:
        return exc.problems
    return []


def _cache_files(folder: Path) -> list[Path]:
    return sorted(folder.glob("icd10cm-checks-*.json"))


def test_a_warm_cache_loads_the_bundled_library_without_importing_the_code_set(tmp_path):
    env = {**os.environ, "SCENEGEN_CACHE_DIR": str(tmp_path), "SCENEGEN_NO_CACHE": ""}
    program = ("import sys; from scenegen import load_knowledge_base; load_knowledge_base(); "
               "print('simple_icd_10_cm' in sys.modules)")
    cold = subprocess.run([sys.executable, "-c", program], env=env, cwd=ROOT, capture_output=True, text=True)
    warm = subprocess.run([sys.executable, "-c", program], env=env, cwd=ROOT, capture_output=True, text=True)
    assert cold.stdout.strip() == "True", cold.stderr
    assert warm.stdout.strip() == "False", warm.stderr


def test_a_cached_check_reports_a_wrong_code_as_the_code_set_does(tiny_copy, tmp_path, monkeypatch):
    monkeypatch.setenv("SCENEGEN_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.delenv("SCENEGEN_NO_CACHE", raising=False)
    lib = tiny_copy / "conditions" / "library.yaml"
    lib.write_text(lib.read_text(encoding="utf-8").replace("icd10: J18.9", "icd10: J18.7"), encoding="utf-8")
    first = [p.message for p in _problems(tiny_copy)]
    assert _cache_files(tmp_path / "cache")
    second = [p.message for p in _problems(tiny_copy)]
    assert first == second and any("'J18.7' is not an ICD-10-CM code" in m for m in second)


def test_a_damaged_or_foreign_cache_file_is_ignored(tmp_path, monkeypatch):
    monkeypatch.setenv("SCENEGEN_CACHE_DIR", str(tmp_path))
    monkeypatch.delenv("SCENEGEN_NO_CACHE", raising=False)
    check_codes(["J18.9"])
    [path] = _cache_files(tmp_path)
    for bad in (b"{not json", b'["J18.7"]', b'{"J18.7": 3}'):
        path.write_bytes(bad)
        assert check_codes(["J18.7"])["J18.7"] is not None


def test_the_cache_can_be_turned_off(tmp_path, monkeypatch):
    monkeypatch.setenv("SCENEGEN_CACHE_DIR", str(tmp_path))
    monkeypatch.setenv("SCENEGEN_NO_CACHE", "1")
    assert check_codes(["J18.9", "J18"]) == {"J18.9": None, "J18": check_codes(["J18"])["J18"]}
    assert not _cache_files(tmp_path)


def test_an_unwritable_cache_folder_does_not_stop_a_check(tmp_path, monkeypatch):
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    monkeypatch.setenv("SCENEGEN_CACHE_DIR", str(blocker / "cache"))
    monkeypatch.delenv("SCENEGEN_NO_CACHE", raising=False)
    assert check_codes(["J18.9"]) == {"J18.9": None}


def _load_in_process(lib: Path, cache: Path, extra: str = "") -> str:
    env = {**os.environ, "SCENEGEN_CACHE_DIR": str(cache), "SCENEGEN_NO_CACHE": ""}
    program = ("import sys; import scenegen.load as L; from scenegen import ContentError\n"
               f"{extra}\n"
               f"try:\n    kb = L.load_knowledge_base({str(lib)!r})\n    print('ok', kb.content_hash)\n"
               "except ContentError as e:\n    print('problems', len(e.problems))\n")
    run = subprocess.run([sys.executable, "-c", program], env=env, cwd=ROOT, capture_output=True, text=True)
    assert run.returncode == 0, run.stderr
    return run.stdout.strip()


def test_a_compiled_library_is_used_only_for_the_same_files(tiny_copy, tmp_path):
    cache = tmp_path / "cache"
    built = _load_in_process(tiny_copy, cache)
    assert built.startswith("ok") and list(cache.glob("knowledge-*.pickle"))
    # a warm load must not validate again: make validation fail loudly if it runs
    refuse = "L._build_knowledge_base = lambda root: (_ for _ in ()).throw(SystemExit('validated again'))"
    assert _load_in_process(tiny_copy, cache, refuse) == built
    lib = tiny_copy / "conditions" / "library.yaml"
    lib.write_text(lib.read_text(encoding="utf-8").replace("icd10: J18.9", "icd10: J18.7"), encoding="utf-8")
    assert _load_in_process(tiny_copy, cache) == "problems 1"


def test_a_damaged_compiled_library_is_rebuilt(tiny_copy, tmp_path):
    cache = tmp_path / "cache"
    built = _load_in_process(tiny_copy, cache)
    [pickled] = cache.glob("knowledge-*.pickle")
    pickled.write_bytes(pickled.read_bytes()[:100])
    assert _load_in_process(tiny_copy, cache) == built


def test_records_are_the_same_bytes_from_a_warm_cache_and_with_no_cache(tmp_path):
    outs = []
    for name, env_cache in (("cold", {"SCENEGEN_NO_CACHE": "1"}), ("warm1", {}), ("warm2", {})):
        env = {**os.environ, "SCENEGEN_CACHE_DIR": str(tmp_path / "cache"), "SCENEGEN_NO_CACHE": "", **env_cache}
        out = tmp_path / name
        run = subprocess.run([sys.executable, "-m", "scenegen", "generate", "--n", "40", "--seed", "3", "--out",
                              str(out)], env=env, cwd=ROOT, capture_output=True, text=True)
        assert run.returncode == 0, run.stderr
        outs.append([(out / f).read_bytes() for f in ("train.jsonl", "test.jsonl", "manifest.json")])
    assert outs[0] == outs[1] == outs[2]


def test_a_compiled_library_others_could_write_is_not_loaded(tiny_copy, tmp_path):
    """A pickle runs code when loaded: one in a folder or file that another user could have written is
    rebuilt from the library instead of trusted."""
    cache = tmp_path / "cache"
    built = _load_in_process(tiny_copy, cache)
    [pickled] = cache.glob("knowledge-*.pickle")
    pickled.chmod(0o666)
    # if the world-writable file were loaded, this replacement would make the load fail
    refuse_build = "import pickle; pickle.load = lambda fh: (_ for _ in ()).throw(SystemExit('loaded'))"
    assert _load_in_process(tiny_copy, cache, refuse_build) == built


def test_compiled_templates_are_reused_only_for_the_same_source(tmp_path, monkeypatch):
    """The template cache saves Jinja2's parsing and code generation, keyed by each template's source: a warm
    load words exactly as a cold one, an edited template says its new words, and a template broken after it
    was cached is still reported with its file and line."""
    import shutil

    from scenegen.templates import load_templates

    monkeypatch.setenv("SCENEGEN_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setenv("SCENEGEN_NO_CACHE", "")
    lib = tmp_path / "lib"
    shutil.copytree(ROOT / "templates", lib / "templates")

    def shape(templates) -> list:
        return [(v.id, v.when, v.reads, v.groups) for vs in templates.variants.values() for v in vs]

    def said(templates, act: str, stem: str) -> str:
        [variant] = [v for v in templates.variants[act] if v.id == f"{act}/{stem}"]
        return variant.template.render()

    target = sorted((lib / "templates" / "system").glob("*.j2"))[0]
    cold = load_templates(lib, sandboxed=True)
    assert list((tmp_path / "cache").glob("templates-*.pickle"))
    warm = load_templates(lib, sandboxed=True)
    assert shape(warm) == shape(cold)
    target.write_text("An edited system message, said as written.", encoding="utf-8")
    assert said(load_templates(lib, sandboxed=True), "system", target.stem) == \
        "An edited system message, said as written."
    target.write_text("Broken {% if %} template", encoding="utf-8")
    try:
        load_templates(lib, sandboxed=True)
    except ContentError as exc:
        assert any(p.file == f"templates/system/{target.name}" and "syntax" in p.message for p in exc.problems)
    else:
        raise AssertionError("a broken template loaded from the cache")
