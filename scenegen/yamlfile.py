"""YAML reading that remembers the line of every key, so errors can point at a line."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from .errors import Problem


class LineDict(dict):
    """A mapping that knows the line of each of its keys."""

    line: int = 0
    lines: dict[Any, int]


class LineList(list):
    """A sequence that knows the line of each of its items."""

    line: int = 0
    lines: list[int]


# libyaml's parser when PyYAML was built with it (it parses the library about 15 times faster); the pure-Python
# one otherwise. Both give the same node marks, so errors point at the same lines.
_BASE = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _Loader(_BASE):  # type: ignore[misc, valid-type]
    """Safe loader whose mappings and sequences keep line numbers and whose duplicate keys are reported."""

    def __init__(self, stream: str, problems: list[Problem], file: str):
        super().__init__(stream)
        self.problems = problems
        self.file = file


def _mapping(loader: _Loader, node: yaml.MappingNode) -> LineDict:
    loader.flatten_mapping(node)
    out = LineDict()
    out.line = node.start_mark.line + 1
    out.lines = {}
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=True)
        line = key_node.start_mark.line + 1
        if key in out:
            loader.problems.append(Problem(loader.file, line, str(key),
                                           f"key '{key}' appears twice in one mapping (first at line {out.lines[key]})"))
        out[key] = loader.construct_object(value_node, deep=True)
        out.lines[key] = line
    return out


def _sequence(loader: _Loader, node: yaml.SequenceNode) -> LineList:
    out = LineList(loader.construct_object(child, deep=True) for child in node.value)
    out.line = node.start_mark.line + 1
    out.lines = [child.start_mark.line + 1 for child in node.value]
    return out


_Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _mapping)
_Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_SEQUENCE_TAG, _sequence)


def read_yaml(path: Path, label: str, problems: list[Problem]) -> Any:
    """Parse one YAML file; syntax errors become problems and the result is None."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        problems.append(Problem(label, 0, "", f"cannot read file: {exc}"))
        return None
    loader = _Loader(text, problems, label)
    try:
        return loader.get_single_data()
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark is not None else 0
        problems.append(Problem(label, line, "", f"not valid YAML: {getattr(exc, 'problem', exc)}"))
        return None
    finally:
        loader.dispose()


def line_at(data: Any, loc: tuple[Any, ...]) -> int:
    """The line of the deepest part of ``loc`` that exists in ``data`` (0 when nothing is known)."""
    line = getattr(data, "line", 0)
    node = data
    for part in loc:
        if isinstance(node, LineDict) and part in node:
            line = node.lines.get(part, line)
            node = node[part]
        elif isinstance(node, LineList) and isinstance(part, int) and 0 <= part < len(node):
            line = node.lines[part]
            node = node[part]
        else:
            break
    return line
