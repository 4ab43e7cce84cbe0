"""Audit a generated dataset against the clinical acceptance checks that can be counted (issue 9). Run by hand:

    scenegen generate --n 3000 --seed 4242 --balance disposition --out /tmp/ds
    python benchmarks/gold_audit.py /tmp/ds

Prints, for every record set: infants under 3 months with a fever (asked about it or said so, and sent at
least to the emergency department), records whose gold carries no time course, the largest deviation of each
split's gold dispositions from equal shares, ambulance and emergency-department dispositions without a
first-aid step, non-emergency records with three questions or fewer, and final messages naming a condition.
These are counts, not a clinical read: a clinician still reads a sample blind.
"""

from __future__ import annotations

import sys
from collections import Counter
from pathlib import Path

import orjson

EMERGENCY = {"emergency_ambulance", "emergency_department"}


def audit(out: Path) -> dict:
    recs = [orjson.loads(line) for split in ("train", "test") for line in (out / f"{split}.jsonl").open("rb")]
    infants = [r for r in recs if r["persona"]["age_months"] < 3 and "fever" in r["case"]["present"]]
    asked = [r for r in infants if any(t["finding"] == "fever" for t in r["turns"])
             or any("fever" in t["volunteered"] for t in r["turns"])]
    sent = [r for r in infants if r["gold"]["disposition"] in EMERGENCY]
    no_course = [r["id"] for r in recs if not r["gold"].get("time_course")
                 or all(v is None for v in r["gold"]["time_course"].values())]
    shares = {}
    for split in ("train", "test"):
        rows = [r for r in recs if r["split"] == split]
        c = Counter(r["gold"]["disposition"] for r in rows)
        levels = ("emergency_ambulance", "emergency_department", "urgent", "routine", "self_care")
        shares[split] = max(abs(100 * c[d] / len(rows) - 20) for d in levels) if rows else None
    amb = [r for r in recs if r["gold"]["disposition"] == "emergency_ambulance"]
    ed = [r for r in recs if r["gold"]["disposition"] == "emergency_department"]
    low = [r for r in recs if r["gold"]["disposition"] not in EMERGENCY]
    short = [r for r in low if len(r["gold"]["questions"]) <= 3]
    named = [r for r in recs if r["gold"]["named_conditions"]]
    return {
        "records": len(recs),
        "infants_under_3_months_with_fever": len(infants),
        "  asked_or_told_about_fever": len(asked),
        "  sent_to_ED_or_ambulance": len(sent),
        "records_without_time_course": len(no_course),
        "max_deviation_from_equal_shares_pp": {k: round(v, 1) if v is not None else None for k, v in shares.items()},
        "ambulance": len(amb),
        "  ambulance_without_first_aid": sum(1 for r in amb if not r["gold"]["first_aid"]),
        "emergency_department": len(ed),
        "  ED_without_first_aid": sum(1 for r in ed if not r["gold"]["first_aid"]),
        "non_emergency_with_3_questions_or_fewer": f"{len(short)}/{len(low)}",
        "final_message_names_a_condition": f"{len(named)}/{len(recs)}",
        "ambulance_without_first_aid_by_condition": Counter(r["case"]["condition"] for r in amb
                                                            if not r["gold"]["first_aid"]).most_common(12),
    }


if __name__ == "__main__":
    for arg in sys.argv[1:]:
        for k, v in audit(Path(arg)).items():
            print(f"{k}: {v}")
