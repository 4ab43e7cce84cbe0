"""YAML reading that remembers the line of every key, so errors can point at a line."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from .errors import Problem
from .libfiles import Budget, Limits, read_text


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


def _expanded_size(root: yaml.Node, limit: int) -> int:
    """How many values the document holds with every alias expanded, counting no further than ``limit`` (an
    alias bomb of a few lines expands to billions; the loader shares one object per anchor, but anything that
    walks the data, validation or an error message, walks it expanded)."""
    sizes: dict[int, int] = {}
    order: list[yaml.Node] = []
    stack, seen = [root], set()
    while stack:  # children before parents, each node once
        node = stack.pop()
        if id(node) in seen:
            continue
        seen.add(id(node))
        order.append(node)
        if isinstance(node, yaml.SequenceNode):
            stack.extend(node.value)
        elif isinstance(node, yaml.MappingNode):
            for k, v in node.value:
                stack.extend((k, v))
    for node in reversed(order):
        if isinstance(node, yaml.SequenceNode):
            children = node.value
        elif isinstance(node, yaml.MappingNode):
            children = [x for kv in node.value for x in kv]
        else:
            children = ()
        sizes[id(node)] = min(limit + 1, 1 + sum(sizes.get(id(c), 1) for c in children))
    return sizes[id(root)]


def parse_yaml(text: str, label: str, problems: list[Problem], *, max_nodes: int | None = None) -> Any:
    """Parse YAML text; syntax errors and alias bombs become problems and the result is None."""
    max_nodes = max_nodes if max_nodes is not None else Limits.from_env().yaml_nodes
    loader = _Loader(text, problems, label)
    try:
        node = loader.get_single_node()
        if node is None:
            return None
        if _expanded_size(node, max_nodes) > max_nodes:
            problems.append(Problem(label, node.start_mark.line + 1, "",
                                    f"holds over {max_nodes:,} values once its aliases (*name) are expanded; "
                                    "write the values out, or raise SCENEGEN_MAX_YAML_NODES"))
            return None
        return loader.construct_document(node)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark is not None else 0
        problems.append(Problem(label, line, "", f"not valid YAML: {getattr(exc, 'problem', exc)}"))
        return None
    except RecursionError:
        problems.append(Problem(label, 0, "", "is nested too deeply to read; a library file is a few levels deep"))
        return None
    finally:
        loader.dispose()


def read_yaml(path: Path, label: str, problems: list[Problem], *, root: Path | None = None,
              budget: Budget | None = None) -> Any:
    """Parse one library YAML file (read within the limits of `libfiles`); problems say why when it is None."""
    budget = budget if budget is not None else Budget()
    text = read_text(path, label, problems, root=root, budget=budget)
    if text is None:
        return None
    return parse_yaml(text, label, problems, max_nodes=budget.limits.yaml_nodes)


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
