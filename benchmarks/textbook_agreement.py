"""Agreement of the triage engine with the textbook cases of tests/cases/textbook_triage.yaml. Run by hand:

    python benchmarks/textbook_agreement.py            # the bundled library
    python benchmarks/textbook_agreement.py --library DIR

Prints, in Markdown for the README: exact agreement, under-triage (with each case and the reason recorded in
the file's known_under_triage list), over-triage, a confusion table, and agreement by guideline level and by
presenting complaint. The same figures are asserted by tests/test_textbook_cases.py.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # for tests.textbook_cases

from scenegen import load_knowledge_base  # noqa: E402
from scenegen.load import bundled_library  # noqa: E402
from tests.textbook_cases import library_problems, load_cases, report, run  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--library", type=Path, default=None, help="library folder (default: the bundled one)")
    args = parser.parse_args()
    kb = load_knowledge_base(args.library or bundled_library())
    book = load_cases()
    problems = library_problems(kb, book)
    if problems:
        print("\n".join(problems), file=sys.stderr)
        return 1
    print(report(book, run(kb, book)))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
