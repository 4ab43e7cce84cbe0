"""Load the bundled sample, check every line against the schema, and print what a trainer and an evaluator use.

    python examples/load_sample.py [folder]
"""

from __future__ import annotations

import sys
from collections import Counter
from pathlib import Path

import orjson

from scenegen.records import Record

folder = Path(sys.argv[1]) if len(sys.argv) > 1 else Path(__file__).parent / "sample"
records = [Record.model_validate_json(line)
           for split in ("train", "test")
           for line in (folder / f"{split}.jsonl").read_bytes().splitlines() if line.strip()]

print(f"{len(records)} records: {Counter(r.split for r in records)}")
print("dispositions:", dict(Counter(r.gold.disposition for r in records)))
print("questions asked per dialogue:", dict(sorted(Counter(len(r.gold.questions) for r in records).items())))

first = records[0]
# What an SFT trainer feeds to TRL / Axolotl / OpenAI fine-tuning: the messages alone.
print("\nchat format (first record):")
print(orjson.dumps({"messages": [m.model_dump() for m in first.messages]}, option=orjson.OPT_INDENT_2).decode()[:1200])
# What an evaluator scores against: the gold disposition and the turn it was given.
print("\ngold:", first.gold.disposition, "at message", first.gold.disposition_turn,
      "| hidden condition:", first.case.condition, "| red flags checked:",
      [q.finding for q in first.gold.questions if q.red_flag])
