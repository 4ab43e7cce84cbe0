"""Progress of a long command on stderr: on a terminal, one line redrawn in place with the count, the rate and
the time left; elsewhere (a log file, CI), a plain line at most every ``every`` seconds and one at the end, so
a log shows the run moving without a line per record. A run shorter than the first interval (0.2 s on a
terminal) shows nothing.

The clock is a parameter so that a test can drive it; nothing here affects what a command writes to its
output files."""

from __future__ import annotations

import sys
import time
from typing import Callable, Optional, TextIO

BAR = 24


def _duration(seconds: float) -> str:
    seconds = int(round(seconds))
    if seconds < 60:
        return f"{seconds} s"
    if seconds < 3600:
        return f"{seconds // 60} min {seconds % 60:02d} s"
    return f"{seconds // 3600} h {seconds % 3600 // 60:02d} min"


def describe(label: str, done: int, total: Optional[int], elapsed: float, unit: str) -> str:
    """'generating 1,500/3,000 (50%) 118 dialogues/s, about 13 s left' (the parts that are known)."""
    rate = done / elapsed if elapsed > 0 else 0.0
    text = f"{label} {done:,}" + (f"/{total:,} ({100 * done // total}%)" if total else "")
    if done and elapsed > 0:
        text += f" {rate:,.0f} {unit}/s" if rate >= 10 else f" {rate:,.1f} {unit}/s"
        if total and done < total:
            text += f", about {_duration((total - done) / rate)} left"
        elif total:
            text += f", took {_duration(elapsed)}"
    return text


class Progress:
    """``update(k)`` after k more items; ``close()`` (or leaving the ``with``) writes the final line."""

    def __init__(self, label: str, total: Optional[int], *, unit: str = "records", stream: Optional[TextIO] = None,
                 tty: Optional[bool] = None, every: float = 10.0, clock: Callable[[], float] = time.monotonic):
        self.label, self.total, self.unit = label, total, unit
        self.stream = stream if stream is not None else sys.stderr
        self.tty = tty if tty is not None else bool(getattr(self.stream, "isatty", lambda: False)())
        self.every, self.clock = every, clock
        self.done = 0
        self.started = clock()
        self.shown = self.started
        self.lines = 0
        self._closed = False

    def __enter__(self) -> "Progress":
        return self

    def __exit__(self, *exc) -> None:
        self.close(finished=exc[0] is None)

    def update(self, k: int = 1) -> None:
        self.done += k
        now = self.clock()
        if now - self.shown >= (0.2 if self.tty else self.every):
            self.shown = now
            self._show(now)

    def _show(self, now: float) -> None:
        self.lines += 1
        text = describe(self.label, self.done, self.total, now - self.started, self.unit)
        if self.tty:
            filled = BAR * self.done // self.total if self.total else 0
            bar = f"[{'#' * filled}{'-' * (BAR - filled)}] " if self.total else ""
            self.stream.write(f"\r{bar}{text}\x1b[K")
        else:
            self.stream.write(text + "\n")
        self.stream.flush()

    def close(self, finished: bool = True) -> None:
        """The final line (the count, and on success the time taken), if anything was shown before."""
        if self._closed:
            return
        self._closed = True
        if self.lines:  # a short run that showed nothing stays silent (a log of small runs keeps its lines)
            self._show(self.clock())
            if self.tty:
                self.stream.write("\n")
                self.stream.flush()
