"""What the reviews add up to: how often clinicians agreed with the gold disposition, how often they judged it
under- or over-triaged, how often they overrode it, how far two reviewers of the same record agree (Cohen's
kappa), and which library entries (templates, findings, conditions, red flags and rules) the flags point at,
ranked so that an author knows what to fix first.

Definitions (also in the report): each reviewer's last review of a record counts once. Agreement, under- and
over-triage are shares of the reviews that judged the disposition; *under-triage* is a reviewer saying the gold
is too low. The *override rate* is the share of records with a judged disposition where at least one reviewer
gave another level than the gold: the records whose label a human changed."""

from __future__ import annotations

import html
import re
from collections import Counter, defaultdict
from itertools import combinations
from typing import Iterable, Optional

from ..content import Disposition
from .dataset import Dataset
from .store import TURN_FLAGS, Review, latest

LEVELS = [d.value for d in Disposition]
CLINICAL_FLAGS = ("wrong_clinically", "contradicts_case", "unsafe_or_diagnostic", "missing_question")


def cohen_kappa(pairs: list[tuple[str, str]]) -> Optional[float]:
    """Cohen's kappa of two raters' labels on the same items; None when chance agreement is total (both gave one
    and the same label throughout, so agreement beyond chance is not defined) or there are no items."""
    n = len(pairs)
    if n == 0:
        return None
    observed = sum(a == b for a, b in pairs) / n
    first, second = Counter(a for a, _ in pairs), Counter(b for _, b in pairs)
    expected = sum(first[k] * second[k] for k in first) / (n * n)
    if expected >= 1.0:
        return None
    return (observed - expected) / (1.0 - expected)


def _share(k: int, n: int) -> Optional[float]:
    return round(k / n, 4) if n else None


def lay_phrase_in(text: str, phrases: Iterable[str]) -> Optional[str]:
    """The longest of a finding's lay phrases that the message says (its {placeholders} standing for a few
    words), or None (typing noise can hide it)."""
    low = " ".join(text.lower().split())
    found = []
    for p in phrases:
        parts = re.split(r"\{[^}]*\}", p.lower())
        if re.search(r"[\w\s']{0,20}?".join(map(re.escape, parts)), low):
            found.append(p)
    return max(found, key=len) if found else None


def entries_behind(review: Review, record: Optional[dict], kb=None) -> list[tuple[str, str, str]]:
    """(kind, library id, flag) for each library entry a review's flags point at in this record; with the
    knowledge base, a wording flag on the patient's words names the lay phrase itself ('finding: phrase')."""
    out: list[tuple[str, str, str]] = []
    if record is None:
        return out
    turns = record.get("turns") or []
    case = record.get("case") or {}
    for flag in review.judgement.turns:
        turn = turns[flag.turn] if flag.turn < len(turns) else {}
        for kind in flag.flags:
            if kind in ("unnatural_wording", "unsafe_or_diagnostic"):
                out += [("template", t, kind) for t in turn.get("templates") or []]
            if kind == "unnatural_wording" and turn.get("finding") and turn.get("act", "").startswith(("answer", "opening")):
                fid = str(turn["finding"])
                finding = kb.findings.get(fid) if kb is not None else None
                messages = record.get("messages") or []
                phrase = lay_phrase_in(messages[flag.turn]["content"], finding.lay) \
                    if finding is not None and flag.turn < len(messages) else None
                out.append(("lay phrasing", f"{fid}: {phrase}" if phrase else fid, kind))
            if kind in CLINICAL_FLAGS:
                if turn.get("finding"):
                    out.append(("finding", str(turn["finding"]), kind))
                if case.get("condition"):
                    out.append(("condition", str(case["condition"]), kind))
    verdict = review.judgement.disposition
    if verdict in ("too_high", "too_low"):
        flag = "disposition " + verdict.replace("_", " ")
        if case.get("condition"):
            out.append(("condition", str(case["condition"]), flag))
        for reason in (record.get("gold") or {}).get("reasons") or []:
            if reason.get("id"):
                out.append((str(reason.get("kind", "rule")).replace("_", " "), str(reason["id"]), flag))
    return out


def summarise(reviews: Iterable[Review], dataset: Optional[Dataset] = None, kb=None) -> dict:
    last = latest(list(reviews))
    judged = [r for r in last.values() if r.judgement.disposition is not None]
    verdicts = Counter(r.judgement.disposition for r in judged)
    by_record: dict[str, list[Review]] = defaultdict(list)
    for r in last.values():
        by_record[r.record_id].append(r)
    judged_records = {r.record_id for r in judged}
    overridden = {r.record_id for r in judged if r.level != r.gold_disposition}
    by_gold: dict[str, Counter] = defaultdict(Counter)
    for r in judged:
        by_gold[r.gold_disposition.value][r.judgement.disposition] += 1

    kappas = []
    reviewers = sorted({r.reviewer for r in last.values()})
    for a, b in combinations(reviewers, 2):
        pairs = [(last[(a, rid)].level.value, last[(b, rid)].level.value)
                 for rid in sorted(judged_records)
                 if (a, rid) in last and (b, rid) in last
                 and last[(a, rid)].judgement.disposition is not None
                 and last[(b, rid)].judgement.disposition is not None]
        if pairs:
            k = cohen_kappa(pairs)
            kappas.append({"reviewers": [a, b], "records": len(pairs),
                           "agreement": _share(sum(x == y for x, y in pairs), len(pairs)),
                           "kappa": None if k is None else round(k, 4)})

    flags = Counter(kind for r in last.values() for t in r.judgement.turns for kind in t.flags)
    entries: dict[tuple[str, str], Counter] = defaultdict(Counter)
    for r in last.values():
        record = dataset.record(r.record_id) if dataset is not None else None
        for kind, ident, flag in entries_behind(r, record, kb):
            entries[(kind, ident)][flag] += 1
    ranked = sorted(entries.items(), key=lambda kv: (-sum(kv[1].values()), kv[0]))
    missing = Counter(t.missing_question.strip() for r in last.values() for t in r.judgement.turns
                      if "missing_question" in t.flags)
    return {
        "reviews": len(last), "records_reviewed": len(by_record), "reviewers": reviewers,
        "no_issue": sum(r.judgement.no_issue for r in last.values()),
        "disposition": {
            "judged": len(judged), "agree": _share(verdicts["agree"], len(judged)),
            "under_triage": _share(verdicts["too_low"], len(judged)),
            "over_triage": _share(verdicts["too_high"], len(judged)),
            "override_rate": _share(len(overridden), len(judged_records)),
            "records_judged": len(judged_records), "records_overridden": len(overridden),
            "by_gold": {level: dict(by_gold[level]) for level in LEVELS if level in by_gold},
        },
        "inter_rater": kappas,
        "turn_flags": {kind: flags[kind] for kind in TURN_FLAGS if flags[kind]},
        "missing_questions": missing.most_common(20),
        "entries": [{"kind": kind, "id": ident, "flags": sum(c.values()), "by_flag": dict(c)}
                    for (kind, ident), c in ranked],
    }


def _pct(x: Optional[float]) -> str:
    return "n/a" if x is None else f"{100 * x:.1f} %"


def report_text(s: dict, top: int = 20) -> str:
    d = s["disposition"]
    lines = [f"{s['reviews']} review(s) of {s['records_reviewed']} record(s) by {len(s['reviewers'])} reviewer(s); "
             f"{s['no_issue']} marked 'no issue'",
             f"disposition judged in {d['judged']} review(s): agree {_pct(d['agree'])}, under-triage (gold too low) "
             f"{_pct(d['under_triage'])}, over-triage (gold too high) {_pct(d['over_triage'])}",
             f"override rate: {_pct(d['override_rate'])} ({d['records_overridden']} of {d['records_judged']} records "
             "given another level by a reviewer)"]
    for k in s["inter_rater"]:
        kappa = "n/a (one label throughout)" if k["kappa"] is None else f"{k['kappa']:.3f}"
        lines.append(f"inter-rater {k['reviewers'][0]} / {k['reviewers'][1]}: {k['records']} shared record(s), "
                     f"agreement {_pct(k['agreement'])}, Cohen's kappa {kappa}")
    if s["turn_flags"]:
        lines.append("turn flags: " + ", ".join(f"{k.replace('_', ' ')} {v}" for k, v in s["turn_flags"].items()))
    if s["missing_questions"]:
        lines.append("questions reviewers missed: " + "; ".join(f"{q} ({n})" for q, n in s["missing_questions"][:10]))
    if s["entries"]:
        lines.append(f"library entries behind the flags, most flagged first (top {min(top, len(s['entries']))}):")
        for e in s["entries"][:top]:
            detail = ", ".join(f"{k.replace('_', ' ')} {v}" for k, v in sorted(e["by_flag"].items()))
            lines.append(f"  {e['flags']:>4}  {e['kind']:<13} {e['id']}  ({detail})")
    return "\n".join(lines)


def _bar_chart(title: str, rows: list[tuple[str, float]]) -> str:
    """A horizontal bar chart as inline SVG (no assets from outside)."""
    height = 22 * len(rows) + 30
    peak = max([v for _, v in rows] + [1e-9])
    bars = []
    for i, (label, value) in enumerate(rows):
        y = 26 + 22 * i
        width = 300 * value / peak
        bars.append(f'<text x="0" y="{y + 13}" font-size="12">{html.escape(label)}</text>'
                    f'<rect x="230" y="{y}" width="{width:.1f}" height="16" fill="#4a78a8"/>'
                    f'<text x="{236 + width:.1f}" y="{y + 13}" font-size="12">{value:g}</text>')
    return (f'<figure><svg role="img" aria-label="{html.escape(title)}" width="620" height="{height}">'
            f'<text x="0" y="14" font-size="14" font-weight="bold">{html.escape(title)}</text>{"".join(bars)}</svg>'
            "</figure>")


def report_html(s: dict, top: int = 30) -> str:
    d = s["disposition"]
    charts = [_bar_chart("Disposition verdicts (share of judged reviews)",
                         [("agree", d["agree"] or 0), ("gold too low (under-triage)", d["under_triage"] or 0),
                          ("gold too high (over-triage)", d["over_triage"] or 0)])]
    if s["turn_flags"]:
        charts.append(_bar_chart("Turn flags", [(k.replace("_", " "), v) for k, v in s["turn_flags"].items()]))
    if s["entries"]:
        charts.append(_bar_chart("Most flagged library entries",
                                 [(f"{e['kind']}: {e['id']}"[:34], e["flags"]) for e in s["entries"][:12]]))
    rows = "".join(f"<tr><td>{e['flags']}</td><td>{html.escape(e['kind'])}</td><td><code>{html.escape(e['id'])}</code>"
                   f"</td><td>{html.escape(', '.join(f'{k} {v}' for k, v in sorted(e['by_flag'].items())))}</td></tr>"
                   for e in s["entries"][:top])
    text = html.escape(report_text(s, top))
    return ("<!doctype html><html lang='en'><head><meta charset='utf-8'><title>scenegen review report</title>"
            "<style>body{font:14px/1.5 system-ui,sans-serif;max-width:60em;margin:2em auto}"
            "table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:2px 8px}</style></head><body>"
            f"<h1>Review report</h1><pre>{text}</pre>{''.join(charts)}"
            "<h2>Library entries behind the flags</h2><table><tr><th>flags</th><th>kind</th><th>id</th>"
            f"<th>by flag</th></tr>{rows}</table></body></html>")
