"""One error family, so callers can catch scenegen's own failures apart from bugs."""

from __future__ import annotations

from dataclasses import dataclass


class ScenegenError(Exception):
    """Base class of every error scenegen raises on purpose."""


@dataclass(frozen=True, order=True)
class Problem:
    """One thing wrong with a library: where it is, what was found, what would be valid."""

    file: str
    line: int
    field: str
    message: str

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line else self.file
        return f"{where}: {self.field}: {self.message}" if self.field else f"{where}: {self.message}"


class ContentError(ScenegenError):
    """A library failed to load; carries every problem found, not just the first."""

    def __init__(self, problems: list[Problem]):
        self.problems = sorted(problems)
        lines = "\n".join(f"  {p}" for p in self.problems)
        super().__init__(f"{len(self.problems)} problem(s) in the library:\n{lines}")


class UsageError(ScenegenError):
    """Bad arguments to an API function or command (unknown finding id, impossible demographic...)."""
