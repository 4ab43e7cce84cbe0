"""Progress lines: the rate and time left are computed from the count and the clock; a terminal gets one line
redrawn in place, a log a plain line per interval and one at the end; a short run writes nothing."""

from __future__ import annotations

import io

from scenegen.progress import Progress, describe


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_the_description_gives_the_count_the_share_the_rate_and_the_time_left():
    assert describe("generating", 1500, 3000, 10.0, "records") == \
        "generating 1,500/3,000 (50%) 150 records/s, about 10 s left"
    assert describe("validating", 3000, 3000, 125.0, "records") == \
        "validating 3,000/3,000 (100%) 24 records/s, took 2 min 05 s"
    assert describe("asking", 3, None, 2.0, "tasks") == "asking 3 1.5 tasks/s"
    assert describe("scoring", 0, 10, 0.0, "tasks") == "scoring 0/10 (0%)"


def test_a_log_gets_a_line_per_interval_and_one_at_the_end():
    clock, out = Clock(), io.StringIO()
    with Progress("generating", 100, stream=out, tty=False, every=10.0, clock=clock) as bar:
        for _ in range(100):
            clock.now += 0.25  # 25 s in all: lines at 10 s and 20 s, then the end
            bar.update(1)
    lines = out.getvalue().splitlines()
    assert lines == ["generating 40/100 (40%) 4.0 records/s, about 15 s left",
                     "generating 80/100 (80%) 4.0 records/s, about 5 s left",
                     "generating 100/100 (100%) 4.0 records/s, took 25 s"]
    assert "\r" not in out.getvalue()


def test_a_terminal_gets_one_line_redrawn_with_a_bar():
    clock, out = Clock(), io.StringIO()
    with Progress("validating", 10, stream=out, tty=True, clock=clock) as bar:
        for _ in range(10):
            clock.now += 1.0
            bar.update(1)
    text = out.getvalue()
    assert text.count("\n") == 1 and text.endswith("\n")
    frames = text.rstrip("\n").split("\r")[1:]
    assert frames[0].startswith("[" + "#" * 2 + "-" * 22 + "] validating 1/10 (10%)")
    assert frames[-1].startswith("[" + "#" * 24 + "] validating 10/10 (100%)") and "took 10 s" in frames[-1]


def test_a_run_shorter_than_the_first_interval_writes_nothing():
    clock, out = Clock(), io.StringIO()
    with Progress("generating", 5, stream=out, tty=False, every=10.0, clock=clock) as bar:
        for _ in range(5):
            clock.now += 0.1
            bar.update(1)
    assert out.getvalue() == ""
