"""Throughput and peak memory of `scenegen generate` on one process. Run by hand, not in CI:

    python benchmarks/bench_generate.py            # 10,000 and 100,000 records
    python benchmarks/bench_generate.py 2000       # a quick look
    python benchmarks/bench_generate.py 10000 --workers=1 --workers=2   # one process, then two
    python benchmarks/bench_generate.py 3000 --seed=14142 --balance      # the balanced run of issue #9/#10

Each size runs in a fresh subprocess so that its peak resident memory is its own. Library loading is
reported separately from generation, since it happens once per run. ``cpu_s`` is the writing process's own
CPU time for generation (with workers, theirs is ``workers_cpu_s``): on a machine shared with other work, compare
them (before and after a change, run alternately) rather than the wall-clock rate; with two workers, their CPU
time against one process's tells whether the work itself grew or the machine was busy.
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile

CHILD = r"""
import json, resource, sys, time
from pathlib import Path
from scenegen.generate import GenerateConfig, Generator, Library
from scenegen.write import write_dataset

n, out, workers, seed = int(sys.argv[1]), Path(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
balance = "disposition" if sys.argv[5] == "1" else None
t0 = time.perf_counter()
lib = Library.load()
gen = Generator(lib, GenerateConfig(seed=seed, balance=balance))
t1 = time.perf_counter()
c1 = time.process_time()
marks = {}
def progress(_):
    progress.count += 1
    if progress.count in (n // 10, n // 2, n):
        marks[progress.count] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024
progress.count = 0
manifest = write_dataset(gen, n, out, progress=progress, workers=workers)
t2 = time.perf_counter()
c2 = time.process_time()
workers_cpu = resource.getrusage(resource.RUSAGE_CHILDREN)  # the pool's processes, once they have exited
print(json.dumps({"n": n, "workers": workers, "seed": seed, "balance": balance, "load_s": round(t1 - t0, 2),
                  "generate_s": round(t2 - t1, 2), "cpu_s": round(c2 - c1, 2),
                  "workers_cpu_s": round(workers_cpu.ru_utime + workers_cpu.ru_stime, 2),
                  "dialogues_per_s": round(n / (t2 - t1), 1), "peak_rss_mib": marks,
                  "bytes": sum((out / f).stat().st_size for f in ("train.jsonl", "test.jsonl"))}))
"""


def run(n: int, workers: int = 1, seed: int = 1, balance: bool = False) -> dict:
    with tempfile.TemporaryDirectory() as tmp:
        done = subprocess.run([sys.executable, "-c", CHILD, str(n), tmp, str(workers), str(seed), str(int(balance))],
                              check=True, capture_output=True, text=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


if __name__ == "__main__":
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    workers = [int(a.split("=", 1)[1]) for a in sys.argv[1:] if a.startswith("--workers=")] or [1]
    seed = next((int(a.split("=", 1)[1]) for a in sys.argv[1:] if a.startswith("--seed=")), 1)
    balance = "--balance" in sys.argv[1:]
    sizes = [int(a) for a in args] or [10_000, 100_000]
    for n in sizes:
        for w in workers:
            print(json.dumps(run(n, w, seed, balance)))
