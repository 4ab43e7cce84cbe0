"""A locale's words for the library's British English (one converter per locale, shared by every stage that
shows library text to a reader: realise, validate, the reading checks)."""

from __future__ import annotations

import re
from typing import Mapping


class Localiser:
    """A locale's words for the library's British English: whole words and phrases swapped by the locale's
    ``terms`` (a capitalised first letter is kept), so an American reader is told to call 911 and take
    acetaminophen. Texts repeat, so each is converted once (a bounded cache)."""

    CACHE_SIZE = 30_000

    def __init__(self, terms: Mapping[str, str]):
        swap: dict[str, str] = {}
        for src, dst in terms.items():
            swap[src] = dst
            swap.setdefault(src[:1].upper() + src[1:], dst[:1].upper() + dst[1:])
        self._swap = swap
        keys = sorted(swap, key=lambda k: (-len(k), k))  # longest first: '999 or 911' before '999'
        self._pattern = re.compile(r"(?<!\w)(?:" + "|".join(map(re.escape, keys)) + r")(?!\w)") if keys else None
        self._done: dict[str, str] = {}

    def __call__(self, text: str) -> str:
        if self._pattern is None:
            return text
        out = self._done.get(text)
        if out is None:
            if len(self._done) >= self.CACHE_SIZE:
                self._done.clear()
            out = self._done[text] = self._pattern.sub(self._replace, text)
        return out

    def _replace(self, match: re.Match) -> str:
        return self._swap[match.group(0)]

