"""Safety nets: each warning a red flag that sends the person further than the condition itself."""

from __future__ import annotations

from .library import Library
from .problems import Problems, unknown


def check_safety_nets(lib: Library, out: Problems) -> None:
    """Each listed warning is a red flag that calls for more urgent care than the condition's own level
    (a warning at the same level would not bring anyone back sooner)."""
    for cid, net in lib.safety_nets.items():
        c = lib.conditions.get(cid)
        if c is None:
            if cid not in lib.invalid["conditions"]:
                out.add("safety_nets", cid, ("id",), unknown("condition", cid, lib.conditions))
            continue
        level = net.not_better_disposition
        if level is not None and level.rank < c.disposition.rank:
            out.add("safety_nets", cid, ("not_better_disposition",),
                    f"not_better_disposition {level.value} is below the condition's own {c.disposition.value}; "
                    "a line about coming back sends the person at least as far")
        for i, fid in enumerate(net.warnings):
            f = lib.findings.get(fid)
            if f is None:
                if fid not in lib.invalid["findings"]:
                    out.add("safety_nets", cid, ("warnings", i), unknown("finding", fid, lib.findings))
            elif f.red_flag is None:
                out.add("safety_nets", cid, ("warnings", i), f"'{fid}' is not a red flag; a safety-net warning "
                                                             "is a red-flag finding (it says where to go)")
            elif f.red_flag.net_disposition.rank <= c.disposition.rank:
                out.add("safety_nets", cid, ("warnings", i),
                        f"red flag '{fid}' calls for {f.red_flag.net_disposition.value}, not more urgent care than "
                        f"the condition's own {c.disposition.value}; a safety net says when to come back sooner")
            elif f.ages and not set(f.ages) & set(c.ages):
                out.add("safety_nets", cid, ("warnings", i),
                        f"'{fid}' can be reported only at ages {f.ages}, none of this condition's {c.ages}")
