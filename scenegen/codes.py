"""ICD-10-CM code checks against the code set bundled by the `simple-icd-10-cm` package (CDC release)."""

from __future__ import annotations

from functools import lru_cache


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


def describe_icd10cm(code: str) -> str:
    return _codeset().get_description(code)
