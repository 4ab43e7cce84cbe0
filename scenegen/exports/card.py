"""The dataset card written beside every export: a README.md with Hugging Face YAML metadata, made from the
dataset's manifest (what was made, how, from which library) and the library's own citations."""

from __future__ import annotations

from collections import Counter
from typing import Optional

import yaml
from pydantic import BaseModel

from ..knowledge import KnowledgeBase
from .hf import features
from .rows import ROW_MODELS

_SIZE_BANDS = ((1_000, "n<1K"), (10_000, "1K<n<10K"), (100_000, "10K<n<100K"), (1_000_000, "100K<n<1M"),
               (10_000_000, "1M<n<10M"))


#: what the card and croissant.json say of the generated data's terms until they are settled (#12)
DATA_LICENCE = ("Not settled: the scenegen code is MIT-licensed; terms for generated data depend on the reuse terms "
                "of the cited guideline publishers, not all checked yet (see README.md)")

#: most urgent first, as the gold orders them
_LEVELS = ("emergency_ambulance", "emergency_department", "urgent", "routine", "self_care")


def size_category(n: int) -> str:
    """Hugging Face's size_categories band for n rows."""
    return next((label for limit, label in _SIZE_BANDS if n < limit), "n>10M")


def publishers(kb: KnowledgeBase) -> list[tuple[str, int]]:
    """Who the library cites, by the first word of each condition's citations, most cited first."""
    counts: Counter[str] = Counter()
    for cond in kb.conditions.values():
        for source in cond.sources:
            counts[source.split()[0].strip(",;:")] += 1
    return sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))


def card_metadata(manifest: dict, files: dict[str, str], pretty_name: str,
                  row_model: Optional[type[BaseModel]] = None) -> dict:
    """The YAML header: one config whose data_files name each split's file, and the declared features of a row
    (so `datasets` reads every file with the same column types, whatever rows it sees first)."""
    total = sum(manifest["records"].values())
    meta = {
        "pretty_name": pretty_name,
        "license": "other",
        "license_name": "scenegen-generated-data",
        "language": sorted({"en"}),
        "task_categories": ["text-generation"],
        "tags": ["synthetic", "medical", "triage", "dialogue", "conversational"],
        "size_categories": [size_category(total)],
        "configs": [{"config_name": "default",
                     "data_files": [{"split": split, "path": path} for split, path in sorted(files.items())]}],
    }
    if row_model is not None:
        meta["dataset_info"] = {"features": features(row_model)}
    return meta


def dataset_card(manifest: dict, files: dict[str, str], fmt: str, kb: Optional[KnowledgeBase] = None,
                 pretty_name: str = "scenegen synthetic triage dialogues") -> str:
    """The card's text. ``kb`` lists the library's sources when it is the library the data was made from."""
    meta = card_metadata(manifest, files, pretty_name, ROW_MODELS.get(fmt))
    header = yaml.safe_dump(meta, sort_keys=False, allow_unicode=True)
    cfg = manifest["config"]
    lib = manifest["library"]
    lines = [
        "---", header.rstrip(), "---", "",
        f"# {pretty_name}", "",
        "Synthetic patient-assistant telephone-triage conversations with gold labels (the disposition, the "
        "clarifying questions and why each was asked, red flags, reasoning), written by "
        f"scenegen {manifest['generator_version']} "
        f"(record schema {manifest['schema_version']}). Format: `{fmt}`" + (" (every record with its gold; "
        "`scenegen export` rewrites it for training tools)" if fmt == "records" else "") + ".", "",
        "## How it was made", "",
        f"- records: {', '.join(f'{k} {v}' for k, v in sorted(manifest['records'].items()))}",
        f"- master seed {cfg['seed']}; options: " + ", ".join(f"{k}={cfg[k]}" for k in sorted(cfg) if k != "seed"),
        f"- clinical library: {lib['conditions']} conditions, {lib['findings']} findings, content sha256 "
        f"`{lib['content_sha256']}`",
        f"- Python {manifest['python']}; " + ", ".join(f"{k} {v}" for k, v in sorted(manifest['versions'].items())),
        "- the same command with the same library version and seed writes byte-identical files",
        "",
        "Gold dispositions by split:", "",
    ]
    seen = {d for s in manifest["disposition_by_split"].values() for d in s}
    levels = [d for d in _LEVELS if d in seen] + sorted(seen - set(_LEVELS))
    lines.append("| split | " + " | ".join(levels) + " |")
    lines.append("|---" * (len(levels) + 1) + "|")
    for split, counts in sorted(manifest["disposition_by_split"].items()):
        lines.append(f"| {split} | " + " | ".join(str(counts.get(d, 0)) for d in levels) + " |")
    lines += [
        "",
        "## Intended uses", "",
        "- supervised fine-tuning of chat assistants to ask before they advise, to avoid diagnosing, and to send "
        "people to the right level of care;",
        "- evaluation of such assistants against the gold disposition, the must-ask questions and the red flags, "
        "including comparisons across the persona fields (age group, sex, speaker, locale, literacy);",
        "- property tests of the labels against the hidden case and the text.", "",
        "## Out-of-scope uses", "",
        "- **Not medical advice** and not for clinical decisions about real people.",
        "- Not a measure of clinical safety on its own: the clinical content has **not yet been reviewed by a "
        "human clinician**; its checks so far are a set of textbook triage cases written from guideline text and "
        "blind reads by AI reviewers briefed as triage clinicians.",
        "- Not epidemiology: how often each condition, age or sex appears follows the generator's sampling, not "
        "real-world prevalence.", "",
        "## Known limitations and biases", "",
        "- The conversations are template-built: wordings repeat across records, and patients' language is "
        "more regular than real callers'.",
        "- English only (en_GB and en_US), UK-style triage levels and services.",
        "- The gold comes from the generator's own engine and library; where the library lacks a condition or a "
        "finding, the gold cannot know it.", "",
        "## Sources of the clinical content", "",
        "Every condition, red flag, must-ask question and advice item in the library cites the guideline, "
        "textbook or data set it comes from, by name. The generated text paraphrases them; it reproduces no "
        "guideline text.",
    ]
    if kb is not None and kb.content_hash == lib["content_sha256"]:
        lines += ["", "Citations by publisher (first word of each condition's citations):", ""]
        lines += [f"- {name}: {n}" for name, n in publishers(kb)[:20]]
    lines += [
        "", "## Licence", "",
        "The scenegen code is MIT-licensed. The terms for the generated data are not settled yet: they depend on "
        "the reuse terms of the cited guideline publishers, which have not all been checked. Until they are, use "
        "it for research and model development, attribute the sources above, and do not redistribute it as "
        "clinical guidance.", "",
    ]
    return "\n".join(lines)
