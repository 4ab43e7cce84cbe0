"""ICD-10-CM code checks against the code set bundled by the `simple-icd-10-cm` package (CDC release)."""

from __future__ import annotations

from functools import lru_cache
from typing import Iterable

from .usercache import read_cache, write_cache


@lru_cache(maxsize=1)
def _codeset():
    # imported on first use: parsing the tabular file takes a second or two. The package reads its data
    # with importlib.resources.read_text, deprecated since Python 3.11; the warning is theirs, not ours.
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        import simple_icd_10_cm

    return simple_icd_10_cm


def code_set_release() -> str:
    """Name of the bundled release, for manifests and reports."""
    from importlib import metadata

    return f"ICD-10-CM via simple-icd-10-cm {metadata.version('simple-icd-10-cm')}"


@lru_cache(maxsize=4096)
def check_icd10cm(code: str) -> str | None:
    """None if ``code`` is a billable ICD-10-CM code; otherwise what is wrong and what would be valid."""
    cm = _codeset()
    if not cm.is_valid_item(code):
        return f"'{code}' is not an ICD-10-CM code in the {code_set_release()} code set"
    if "." not in code and len(code) > 3:
        return f"write '{code}' with its dot, as '{cm.add_dot(code)}'"
    if not cm.is_leaf(code):
        children = cm.get_children(code)[:6]
        more = ", ..." if len(cm.get_children(code)) > 6 else ""
        return (f"'{code}' is a category, not a billable code; use one of its subcodes: "
                f"{', '.join(children)}{more}")
    return None


def check_codes(codes: Iterable[str]) -> dict[str, str | None]:
    """``check_icd10cm`` of each code, remembered in the user cache across runs.

    Importing the code set costs several seconds, more than the rest of a library load. A code's check depends
    only on the code, the code-set package's release and this module's messages, so the cache file is named
    for both (the module by its content's digest, which changes with any edit even within one version) and the
    code set is imported only when a code has not been checked before.
    """
    import hashlib
    from importlib import metadata
    from pathlib import Path

    ours = hashlib.sha256(Path(__file__).read_bytes()).hexdigest()[:16]
    name = f"icd10cm-checks-{metadata.version('simple-icd-10-cm')}-{ours}.json"
    known = read_cache(name)
    wanted = sorted(set(codes))
    missing = [code for code in wanted if code not in known]
    if missing:
        known.update((code, check_icd10cm(code)) for code in missing)
        write_cache(name, known)
    return {code: known[code] for code in wanted}


def describe_icd10cm(code: str) -> str:
    return _codeset().get_description(code)
