"""Reading a library's files within bounds: people run scenegen on libraries they did not write.

Every file of a library is read through `read_text`, which takes only regular files that lie inside the library
(a symbolic link may point elsewhere in the library, never outside it; FIFOs, devices and folders are refused),
no larger than a limit, as UTF-8 without control characters. Each refusal is a `Problem` naming the file and
what would be valid, never a traceback or a hang. The limits are generous for hand-written content and can be
raised with environment variables (documented in docs/authoring.md):

- ``SCENEGEN_MAX_FILE_MB``: one file (default 8 MiB; the largest bundled file is about 0.1 MiB);
- ``SCENEGEN_MAX_LIBRARY_MB``: all the files of one library part, conditions, personas or templates (default 64);
- ``SCENEGEN_MAX_YAML_NODES``: the values of one YAML file once its aliases are expanded (default 1,000,000), so
  that an alias bomb is refused before anything walks it.
"""

from __future__ import annotations

import os
import re
import stat
from dataclasses import dataclass, field
from pathlib import Path
from typing import Optional

from .errors import Problem, UsageError

_MIB = 1 << 20


def _env_number(name: str, default: int, scale: int = 1) -> int:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        value = float(raw)
    except ValueError:
        raise UsageError(f"{name}={raw!r}: expected a positive number") from None
    if not value > 0:
        raise UsageError(f"{name}={raw!r}: expected a positive number")
    return int(value * scale)


@dataclass(frozen=True)
class Limits:
    """How much of the machine reading one library may use."""

    file_bytes: int = 8 * _MIB
    library_bytes: int = 64 * _MIB
    yaml_nodes: int = 1_000_000

    @classmethod
    def from_env(cls) -> "Limits":
        return cls(file_bytes=_env_number("SCENEGEN_MAX_FILE_MB", 8 * _MIB, _MIB),
                   library_bytes=_env_number("SCENEGEN_MAX_LIBRARY_MB", 64 * _MIB, _MIB),
                   yaml_nodes=_env_number("SCENEGEN_MAX_YAML_NODES", 1_000_000))


@dataclass
class Budget:
    """What one library part (conditions, personas or templates) has read so far, against its limits."""

    limits: Limits = field(default_factory=Limits.from_env)
    used: int = 0


def _mib(n: int) -> str:
    return f"{n / _MIB:.1f} MiB"


def file_problem(root: Optional[Path], path: Path, label: str) -> Optional[str]:
    """Why ``path`` may not be read as a library file, or None: not a regular file, or a link leaving the
    library."""
    try:
        own = os.lstat(path)
    except OSError as exc:
        return f"cannot read file: {exc.strerror or exc}"
    target = path
    if stat.S_ISLNK(own.st_mode):
        try:
            target = path.resolve(strict=True)
        except (OSError, RuntimeError):
            return "is a symbolic link that leads nowhere (or round in a loop); a library file must be a file"
        if root is not None:
            try:
                target.relative_to(Path(root).resolve())
            except ValueError:
                return ("is a symbolic link to a file outside the library; a library may only read its own files "
                        "(copy the file into the library instead)")
    try:
        mode = os.stat(target).st_mode
    except OSError as exc:
        return f"cannot read file: {exc.strerror or exc}"
    if not stat.S_ISREG(mode):
        kind = ("a FIFO" if stat.S_ISFIFO(mode) else "a device" if stat.S_ISCHR(mode) or stat.S_ISBLK(mode)
                else "a folder" if stat.S_ISDIR(mode) else "a socket" if stat.S_ISSOCK(mode) else "not a file")
        return f"is {kind}, not a regular file; a library file must be a plain text file"
    return None


_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")  # control characters but tab and newlines


def _control_character(text: str) -> Optional[tuple[int, int, str]]:
    """(line, column, character) of the first control character other than tab and newlines, or None."""
    m = _CONTROL.search(text)
    if m is None:
        return None
    i = m.start()
    return text.count("\n", 0, i) + 1, i - (text.rfind("\n", 0, i) + 1) + 1, m.group()


def read_bytes(path: Path, label: str, problems: list[Problem], *, root: Optional[Path] = None,
               budget: Optional[Budget] = None) -> Optional[bytes]:
    """The bytes of one library file, or None with a problem saying why it cannot be read."""
    budget = budget if budget is not None else Budget()
    limits = budget.limits
    why = file_problem(root, path, label)
    if why is not None:
        problems.append(Problem(label, 0, "", why))
        return None
    try:
        with open(path, "rb") as fh:
            raw = fh.read(limits.file_bytes + 1)
    except OSError as exc:
        problems.append(Problem(label, 0, "", f"cannot read file: {exc.strerror or exc}"))
        return None
    if len(raw) > limits.file_bytes:
        problems.append(Problem(label, 0, "", f"is over {_mib(limits.file_bytes)}, the limit for one library file; "
                                              "split it into several files, or raise SCENEGEN_MAX_FILE_MB"))
        return None
    budget.used += len(raw)
    if budget.used > limits.library_bytes:
        problems.append(Problem(label, 0, "", f"takes this library part over {_mib(limits.library_bytes)} in all; "
                                              "raise SCENEGEN_MAX_LIBRARY_MB if it is meant to be this large"))
        return None
    return raw


def read_text(path: Path, label: str, problems: list[Problem], *, root: Optional[Path] = None,
              budget: Optional[Budget] = None) -> Optional[str]:
    """The text of one library file, or None with a problem saying why it cannot be read."""
    raw = read_bytes(path, label, problems, root=root, budget=budget)
    if raw is None:
        return None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        problems.append(Problem(label, line, "", f"is not UTF-8 text (byte {raw[exc.start]:#04x} at offset "
                                                 f"{exc.start}); save the file as UTF-8"))
        return None
    if text.startswith("\ufeff"):
        text = text[1:]
    bad = _control_character(text)
    if bad is not None:
        line, column, ch = bad
        problems.append(Problem(label, line, "", f"holds the control character U+{ord(ch):04X} at column {column}; "
                                                 "a library file holds printable text, tabs and newlines only"))
        return None
    return text
