"""--balance disposition balances the gold disposition, not the hidden condition's own level, in each split."""

from __future__ import annotations

from collections import Counter

import orjson

from scenegen.generate import GenerateConfig, Generator, Library
from scenegen.write import BALANCE_TOLERANCE_PP, write_dataset


def test_balanced_gold_dispositions_are_within_tolerance_in_each_split(tmp_path):
    gen = Generator(Library.load(), GenerateConfig(seed=11, test_fraction=0.5, balance="disposition"))
    manifest = write_dataset(gen, 400, tmp_path)
    levels = sorted(d.value for d in gen.dispositions_available)
    for split in ("train", "test"):
        golds = Counter(orjson.loads(line)["gold"]["disposition"]
                        for line in (tmp_path / f"{split}.jsonl").read_bytes().splitlines())
        total = sum(golds.values())
        shares = {d: 100.0 * golds[d] / total for d in levels}
        # counted from the files, not taken from the manifest: the gold in each split is near equal shares
        assert max(abs(v - 100.0 / len(levels)) for v in shares.values()) <= BALANCE_TOLERANCE_PP, (split, shares)
        report = manifest["balance"][split]
        assert report["within_tolerance"] is True
        assert report["shares_pct"] == {d: round(v, 2) for d, v in shares.items()}


def test_without_balance_the_manifest_has_no_balance_report(tmp_path):
    gen = Generator(Library.load(), GenerateConfig(seed=11))
    assert "balance" not in write_dataset(gen, 5, tmp_path)
