"""The writer is all-or-nothing: a failure at any filesystem step leaves the output folder as it was.

Each test first counts the filesystem steps of a successful run (creating the folder, temporary files,
opening and writing them, chmod, the backup folder, every rename), then reruns once per step k with
step k made to fail, and compares the whole tree under the test folder, hidden files included, with what
it held before. Clean-up steps (unlink, rmdir, rmtree) are not made to fail: they only run after a failure
or after every file is in place.
"""

from __future__ import annotations

import os
import stat
import tempfile
from pathlib import Path

import pytest

from scenegen.generate import GenerateConfig, Generator, Library
from scenegen.write import write_dataset

N = 6
DATASET = ("train.jsonl", "test.jsonl", "README.md", "manifest.json")


class InjectedFailure(OSError):
    pass


@pytest.fixture(scope="module")
def library() -> Library:
    return Library.load()


@pytest.fixture(scope="module")
def generator(library) -> Generator:
    # test_fraction 0.5 so that both splits get records from a handful
    return Generator(library, GenerateConfig(seed=4, test_fraction=0.5))


def snapshot(root: Path) -> dict[str, object]:
    """Every file and folder under root, hidden ones too: {relative path: (bytes, permission bits)} for files,
    {relative path + '/': permission bits} for folders."""
    tree: dict[str, object] = {}
    for folder, dirs, files in os.walk(root):
        rel = Path(folder).relative_to(root)
        for d in dirs:
            tree[f"{rel / d}/"] = stat.S_IMODE(os.lstat(Path(folder, d)).st_mode)
        for f in files:
            path = Path(folder, f)
            tree[str(rel / f)] = (path.read_bytes(), stat.S_IMODE(os.lstat(path).st_mode))
    return tree


class _CountingFile:
    """A file object whose writes are steps that can be made to fail."""

    def __init__(self, fh, step):
        self._fh, self._step = fh, step

    def write(self, data):
        self._step("write")
        return self._fh.write(data)

    def close(self):
        self._fh.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self._fh.close()


class Steps:
    """Wraps the filesystem calls the writer makes; during `run`, counts them and raises at call number k."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch):
        self.fail_at: int | None = None  # None: not counting
        self.calls: list[str] = []
        real_fdopen = os.fdopen
        for module, name in ((os, "replace"), (os, "rename"), (os, "chmod"), (os, "link"), (os, "mkdir"),
                             (tempfile, "mkstemp"), (tempfile, "mkdtemp"), (tempfile, "NamedTemporaryFile")):
            monkeypatch.setattr(module, name, self._wrap(name, getattr(module, name)))
        monkeypatch.setattr(os, "fdopen", lambda *a, **k: _CountingFile(self._wrap("fdopen", real_fdopen)(*a, **k),
                                                                         self.step))

    def step(self, name: str) -> None:
        if self.fail_at is None:
            return
        self.calls.append(name)
        if len(self.calls) == self.fail_at:
            raise InjectedFailure(f"injected failure at step {self.fail_at} ({name})")

    def _wrap(self, name, real):
        def wrapper(*args, **kwargs):
            self.step(name)
            return real(*args, **kwargs)
        return wrapper

    def run(self, generator: Generator, out: Path, fail_at: int) -> None:
        """write_dataset with its step number `fail_at` failing (0: none)."""
        self.fail_at, self.calls = fail_at, []
        try:
            write_dataset(generator, N, out)
        finally:
            self.fail_at = None


@pytest.fixture(scope="module")
def previous(library) -> Generator:
    # another seed, so that every file of the previous dataset differs from the new one
    return Generator(library, GenerateConfig(seed=99, test_fraction=0.5))


def _make_folder(root: Path, before: str, previous: Generator) -> Path:
    """The output folder as it is before the run; returns its path."""
    root.mkdir()
    if before == "missing folder":
        return root / "nested" / "out"
    out = root / "out"
    out.mkdir()
    if before == "previous dataset":
        write_dataset(previous, N, out)
        (out / "notes.txt").write_text("someone else's file\n")
        (out / ".hidden").write_text("a hidden one\n")
    return out


@pytest.mark.parametrize("before", ["empty folder", "missing folder", "previous dataset"])
def test_a_failure_at_any_step_leaves_the_folder_as_it_was(tmp_path, monkeypatch, generator, previous, before):
    """For each k, a fresh folder and a run whose k-th filesystem step fails: the run raises and the folder
    is as before, or (a failure the writer may absorb, such as mkdir of a folder that exists) the run
    succeeds and the folder holds the new dataset. Either all old or all new, never a mix."""
    write_dataset(generator, N, tmp_path / "reference")
    new = snapshot(tmp_path / "reference")
    steps = Steps(monkeypatch)
    seen: set[str] = set()
    k = 0
    while True:
        k += 1
        root = tmp_path / f"k{k}"
        out = _make_folder(root, before, previous)
        old = snapshot(root)
        old_out = snapshot(out) if out.exists() else {}
        assert all(old_out.get(name) != new[name] for name in DATASET)
        try:
            steps.run(generator, out, fail_at=k)
        except InjectedFailure:
            assert snapshot(root) == old, (
                f"{before}: a failure at step {k} ({steps.calls[-1]}) of {steps.calls} changed the folder")
        else:
            failed = f"step {k} ({steps.calls[k - 1]}) failing and absorbed" if len(steps.calls) >= k else "no failure"
            assert snapshot(out) == {**{p: v for p, v in old_out.items() if p not in DATASET},
                                     **{name: new[name] for name in DATASET}}, (
                f"{before}: after a run with {failed}, the folder is not the new dataset and nothing else")
            if len(steps.calls) < k:  # no step failed: every step has been tried
                break
        seen.add(steps.calls[k - 1])
    # the commit steps were all among those made to fail
    assert {"mkstemp", "fdopen", "write", "chmod", "replace"} <= seen, steps.calls
    assert steps.calls.count("replace") >= 3, steps.calls


def test_a_second_writer_into_the_same_folder_is_refused_while_the_first_holds_it(tmp_path, generator):
    """Two runs into one folder could leave one run's data under the other's manifest (both exited 0)."""
    import fcntl

    from scenegen.errors import UsageError

    out = tmp_path / "out"
    out.mkdir()
    fd = os.open(out, os.O_RDONLY)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)  # what a running scenegen holds
        with pytest.raises(UsageError, match="being written by another scenegen run"):
            write_dataset(generator, N, out)
        assert sorted(p.name for p in out.iterdir()) == []
    finally:
        os.close(fd)
    write_dataset(generator, N, out)  # and once it is released, the folder is free again
    assert sorted(p.name for p in out.iterdir()) == sorted(DATASET)


def test_a_commit_killed_between_two_renames_is_rolled_back_by_the_next_run(tmp_path, generator):
    """kill -9 between renames left a new train.jsonl beside the old test.jsonl and manifest; the next run
    into the folder puts the old files back from the backup folder's journal before it writes."""
    from scenegen.files import claim_output

    out = tmp_path / "out"
    write_dataset(generator, N, out)
    before = {name: (out / name).read_bytes() for name in DATASET}
    backup = out / ".backup.killed"
    backup.mkdir()
    (backup / "moves").write_text("1 train.jsonl\n1 test.jsonl\n1 README.md\n1 manifest.json\n0 extra.txt\n")
    os.replace(out / "train.jsonl", backup / "train.jsonl")
    (out / "train.jsonl").write_text("the killed run's new file\n")
    (out / "extra.txt").write_text("placed by the killed run where nothing was before\n")
    (out / ".train.x1.jsonl.part").write_text("half a record")
    with claim_output(out) as done:
        assert len(done) == 2
    assert {name: (out / name).read_bytes() for name in DATASET} == before
    assert sorted(p.name for p in out.iterdir()) == sorted(DATASET)


@pytest.mark.parametrize("failing", ["write", "chmod", "replace"])
def test_a_file_replaced_whole_is_old_or_new_never_half(tmp_path, monkeypatch, failing):
    """files.replace_whole (the quarantine file, the user cache): a failure at any step leaves the old file
    and no temporary beside it; without one, the new bytes are in place with the mode asked for."""
    from scenegen.files import replace_whole

    target = tmp_path / "quarantine.yaml"
    target.write_bytes(b"old\n")
    if failing == "write":
        real_fdopen = os.fdopen

        class Failing:
            def __init__(self, *a, **k):
                self._fh = real_fdopen(*a, **k)

            def write(self, data):
                raise InjectedFailure("disk full")

            def __enter__(self):
                return self

            def __exit__(self, *exc):
                self._fh.close()

        monkeypatch.setattr(os, "fdopen", Failing)
    else:
        monkeypatch.setattr(os, failing, lambda *a, **k: (_ for _ in ()).throw(InjectedFailure(failing)))
    with pytest.raises(InjectedFailure):
        replace_whole(target, b"new\n" * 1000, mode=0o640, durable=True)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["quarantine.yaml"]
    assert target.read_bytes() == b"old\n"
    monkeypatch.undo()
    replace_whole(target, b"new\n", mode=0o640, durable=True)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["quarantine.yaml"]
    assert target.read_bytes() == b"new\n" and stat.S_IMODE(target.stat().st_mode) == 0o640
