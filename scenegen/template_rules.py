"""What a template may do, checked on its syntax tree before it is compiled.

A library's templates are text other people write, and Jinja2's sandbox stops code from running but not a
template from using the whole machine: ``{{ question * 30000000 }}`` grows to gigabytes, nested loops over
``range(100000)`` never end, ``{{ 10 ** (10 ** 10) }}`` hangs while the template compiles (constant folding),
``{% set x %}{{ x }}{{ x }}{% endset %}`` forty times doubles a string forty times. Wordings need none of that,
so a template is held to the small language the bundled library uses:

- text, ``{{ }}`` output, ``if`` / ``elif`` / ``else``, ``set`` and ``for``, comparisons, ``and`` / ``or`` /
  ``not``, ``~`` and ``+``, attribute and item look-ups, list literals;
- no ``*``, ``**``, ``%``, ``/`` or ``//``; no macros, ``call``, ``include``, ``import``, ``extends`` or blocks;
- filters and methods from short lists (none that pads or repeats text: no ``center``, ``indent``, ``format``,
  ``replace``, ``wordwrap``);
- a ``set`` reads only the act's variables and loop variables, never another ``set``'s name (so nothing
  grows from itself), and a ``for`` goes over a list the act provides, at most two loops deep;
- calls only to those methods: no ``range``, ``dict``, ``namespace``, ``lipsum``, ``cycler`` or ``joiner``;
- no name starting with ``_`` (``name.__class__``): the sandbox would refuse it while rendering, too late for
  ``kb check`` to say so.

With these, what a template renders is bounded by its own length and its act's data, and the renderer also
stops reading output past a few times the longest message allowed.
"""

from __future__ import annotations

from jinja2 import nodes

#: filters a template may use: the project's own and Jinja's that cannot make text longer than their input
FILTERS = frozenset({"cap", "the", "join_and", "join_or", "lower_first", "join", "length", "count", "lower",
                     "upper", "capitalize", "title", "trim", "default", "d", "first", "last", "string", "list"})
#: string methods a template may call
METHODS = frozenset({"split", "strip", "lower", "upper", "capitalize", "title", "startswith", "endswith"})
MAX_LOOP_DEPTH = 2

_ALLOWED = (nodes.Template, nodes.Output, nodes.TemplateData, nodes.Const, nodes.Name, nodes.If, nodes.For,
            nodes.CondExpr, nodes.And, nodes.Or, nodes.Not, nodes.Compare, nodes.Operand, nodes.Getitem,
            nodes.Getattr, nodes.Filter, nodes.Test, nodes.AssignBlock, nodes.Assign, nodes.List, nodes.Tuple,
            nodes.Concat, nodes.Add, nodes.Sub, nodes.Neg, nodes.Pos, nodes.Call, nodes.Keyword, nodes.Slice)
_WHY = {nodes.Mul: "'*' (it can repeat text without bound)", nodes.Pow: "'**' (it can make numbers without bound)",
        nodes.Mod: "'%' (string formatting can pad without bound)", nodes.Div: "'/'", nodes.FloorDiv: "'//'",
        nodes.Macro: "macros", nodes.CallBlock: "'call' blocks", nodes.Include: "'include'",
        nodes.Import: "'import'", nodes.FromImport: "'from ... import'", nodes.Extends: "'extends'",
        nodes.Block: "blocks", nodes.FilterBlock: "filter blocks", nodes.With: "'with'",
        nodes.Scope: "scopes", nodes.Dict: "dict literals"}


def _names_read(node: nodes.Node) -> set[str]:
    found = [node, *node.find_all(nodes.Name)]
    return {n.name for n in found if isinstance(n, nodes.Name) and n.ctx == "load"}


def _assigned(node: nodes.Node) -> set[str]:
    """The names a set or a loop binds."""
    found = [node, *node.find_all(nodes.Name)]  # find_all looks below the node only
    return {n.name for n in found if isinstance(n, nodes.Name) and n.ctx == "store"}


def rule_problems(tree: nodes.Template) -> list[str]:
    """Why the template breaks the rules above (empty when it keeps them). Names it reads that its act does
    not provide are reported by the loader."""
    out: list[str] = []
    set_names: set[str] = set()
    for node in tree.find_all((nodes.Assign, nodes.AssignBlock)):
        set_names |= _assigned(node.target)
    for node in tree.find_all(nodes.Node):
        kind = type(node)
        if not isinstance(node, _ALLOWED):
            out.append(f"uses {_WHY.get(kind, kind.__name__)}, which templates may not use")
        elif (isinstance(node, nodes.Getattr) and node.attr.startswith("_")) or (
                isinstance(node, nodes.Getitem) and isinstance(node.arg, nodes.Const)
                and isinstance(node.arg.value, str) and node.arg.value.startswith("_")):
            name = node.attr if isinstance(node, nodes.Getattr) else node.arg.value
            out.append(f"reads '{name}'; names starting with _ are Python's insides, which templates may not read")
        elif isinstance(node, nodes.Filter) and node.name not in FILTERS:
            out.append(f"uses the filter '{node.name}', which templates may not use; valid: {', '.join(sorted(FILTERS))}")
        elif isinstance(node, nodes.Call):
            target = node.node
            if not (isinstance(target, nodes.Getattr) and target.attr in METHODS):
                what = target.name if isinstance(target, nodes.Name) else getattr(target, "attr", "an expression")
                out.append(f"calls {what}(), which templates may not call; only the methods "
                           f"{', '.join(sorted(METHODS))} of a piece of text")
            elif node.dyn_args is not None or node.dyn_kwargs is not None:
                out.append("passes *args or **kwargs in a call, which templates may not do")
        elif isinstance(node, (nodes.Assign, nodes.AssignBlock)):
            value = node.node if isinstance(node, nodes.Assign) else node
            body = [value] if isinstance(node, nodes.Assign) else node.body
            read = set().union(*(_names_read(b) for b in body)) if body else set()
            grows = sorted(read & set_names)
            if grows:
                out.append(f"a 'set' reads {', '.join(grows)}, which a 'set' makes; a 'set' may read only the "
                           "act's variables and loop variables (so nothing grows from itself)")
    out += _loop_problems(tree, set_names, 0)
    return list(dict.fromkeys(out))


def _loop_problems(node: nodes.Node, set_names: set[str], depth: int) -> list[str]:
    """Loops too deep, or over something the template made (``depth``: loops around ``node``)."""
    out: list[str] = []
    if isinstance(node, nodes.For):
        depth += 1
        if depth > MAX_LOOP_DEPTH:
            out.append(f"nests loops more than {MAX_LOOP_DEPTH} deep")
        root = node.iter
        while isinstance(root, (nodes.Getattr, nodes.Getitem, nodes.Filter)):
            root = root.node
        if not isinstance(root, nodes.Name) or root.name in set_names:
            out.append("a 'for' loop goes over something the template makes; it may go only over a list the act "
                       "provides (such as nets or flags)")
    for child in node.iter_child_nodes():
        out += _loop_problems(child, set_names, depth)
    return out
