"""The dataset card written beside every export: a README.md with Hugging Face YAML metadata, made from the
dataset's manifest (what was made, how, from which library) and the library's own citations."""

from __future__ import annotations

from collections import Counter
from functools import lru_cache
from importlib import resources
from typing import Optional

import jinja2
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
    """The card's text, from the template beside this module (its prose is data, not code). ``kb`` lists the
    library's sources when it is the library the data was made from."""
    meta = card_metadata(manifest, files, pretty_name, ROW_MODELS.get(fmt))
    cfg, lib = manifest["config"], manifest["library"]
    seen = {d for s in manifest["disposition_by_split"].values() for d in s}
    levels = [d for d in _LEVELS if d in seen] + sorted(seen - set(_LEVELS))
    return _template().render(
        header=yaml.safe_dump(meta, sort_keys=False, allow_unicode=True).rstrip(), pretty_name=pretty_name,
        manifest=manifest, fmt=fmt, lib=lib, seed=cfg["seed"], levels=levels,
        records=", ".join(f"{k} {v}" for k, v in sorted(manifest["records"].items())),
        options=", ".join(f"{k}={cfg[k]}" for k in sorted(cfg) if k != "seed"),
        versions=", ".join(f"{k} {v}" for k, v in sorted(manifest["versions"].items())),
        by_split=[(split, [counts.get(d, 0) for d in levels])
                  for split, counts in sorted(manifest["disposition_by_split"].items())],
        publishers=publishers(kb)[:20] if kb is not None and kb.content_hash == lib["content_sha256"] else [],
    )


@lru_cache(maxsize=1)
def _template() -> jinja2.Template:
    text = resources.files(__package__).joinpath("card.md.j2").read_text(encoding="utf-8")
    return jinja2.Environment(keep_trailing_newline=True, autoescape=False, undefined=jinja2.StrictUndefined).from_string(text)
