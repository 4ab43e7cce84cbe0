"""The template library (`templates/`): Jinja2 wordings for every dialogue act, compiled once.

Layout: ``templates/<act>/<name>.j2``. A template may open with a metadata comment that says when it
applies, for example ``{# when: {speaker: proxy, tone: [anxious, catastrophising]} #}``; keys left out
match anything. Keys: ``speaker`` (self | proxy), ``wording`` (plain | standard), ``tone`` (a style tone),
``disposition`` (a disposition: for the disposition, first_aid and close acts), ``type`` (binary | categorical |
multi, for questions), ``turn`` (first | later | after_unsure: a question's place, so acknowledgements like
"Thanks." only follow a real answer), ``answer_kind`` (general | pregnancy | mental_health | event | function, for yes / no /
unsure answers: the finding's ``answer_kind``; an answer template that names none fits ``general`` questions only),
``danger`` (red_flag | none, for a yes: whether the finding is a red flag, so that nobody says 'a bit, but it's not
that bad' of being too breathless to speak), ``asked`` (first | again, for answers: a question asked again after 'not
sure' is answered as a second thought, 'Thinking about it properly, no'; an answer template that names none fits
``first`` only), ``raised`` (what the patient raised after the advice, for the initiative acts below: a kind in
``personas/initiative.yaml``), ``age_group`` (a persona age group, for wordings that differ for a baby),
``certain`` (yes | no, for a yes: whether the person cannot be unsure of it, as of their own diabetes or
medicines, so that a hedged 'Kind of diabetes, maybe' is never said; the same test as a 'not sure' answer),
``acuity`` (emergency | other, for asides: whether the hidden condition is an emergency, so that nobody with a
drooling child or a swelling throat mentions work or plans).

The acts after the advice (``pushback``, ``patient_question``, ``reply_after_advice`` and the assistant's
``answer_pushback``, ``answer_question``, ``acknowledge_reply``) name the kind they word (``raised``) in every
variant. An assistant answer names exactly one disposition, and its file name starts with that disposition's
prefix (``amb_``, ``ed_``, ``urgent_``, ``routine_``, ``self_care_``), so the template id of every answer says
which level of care it re-states and ``scenegen validate`` can check it against the gold.

A template may hold alternations, ``((No|Nope|Not really))``: each group is one choice among its
alternatives (an empty alternative says nothing; an alternative may hold ``{{ ... }}``, whose own ``|`` filters
are not split). The realiser draws one alternative per group from the record's random stream, so one file gives
many wordings while the holdout by template still keeps all of a file's wordings on one side.

Templates only word what the planner decided: every variable a template may use is declared per act
below and checked at load, undefined variables raise (StrictUndefined), and the ``random`` and ``shuffle``
filters are removed, since all variation comes from the record's own random stream.
"""

from __future__ import annotations

import hashlib
import marshal
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Mapping

import jinja2
from jinja2 import meta
from jinja2.sandbox import ImmutableSandboxedEnvironment

from .errors import ContentError, Problem
from .libfiles import Budget, read_text
from .template_rules import rule_problems
from .usercache import read_compiled, write_compiled
from .yamlfile import parse_yaml

COMMON = {"speaker", "who", "p", "v", "tone", "name", "called", "minor", "age_months", "pharmacy", "painkiller"}  # minor: a teenager speaking for themselves; age_months: for wordings that fit some ages only; pharmacy: whether home care may point to a pharmacist (the complaint's); painkiller: whether a painkiller eases the complaint; called: what the speaker calls the person after the opening
ACT_VARIABLES: dict[str, set[str]] = {
    # the system message that opens a training conversation
    "system": COMMON,
    # patient acts
    # event: the complaint happened at a moment (a fall, a fit): 'I've had a fit', not 'I've got a fit'
    "opening": COMMON | {"complaint", "relation", "age_phrase", "detail", "volunteered", "pregnant", "time_course",
                         "event"},
    # bare: the topic said back ('any headache' -> 'headache'), '' where it would not read naturally
    # also: a finding already reported in the dialogue, in the words it was said in ('the cough'), to say the
    # new one comes with it; '' when none is drawn; several: the question asks about several things ('X, Y or
    # Z?'), so a bare 'Yes.' would not say which is true
    "answer_yes": COMMON | {"phrase", "bare", "also", "several"},
    # denial: the finding's own natural denial ('I've been weeing fine'), '' when none is used: said after 'No,';
    # denial2: now and then a second one sharing no content word with it, else ''; main: the complaint in the
    # opening's words, at most once a dialogue ('it's mainly the cough'), else ''
    # after_yes: the person's last answer reported something (a yes, or a detail volunteered), so no closer calls
    # things fine ('Fine there.', 'that's fine')
    "answer_no": COMMON | {"ask", "bare", "denial", "denial2", "main", "after_yes"},
    "answer_unsure": COMMON | {"ask", "bare", "denial", "denial2", "main", "after_yes"},
    "answer_value": COMMON | {"phrases"},
    "volunteer": COMMON | {"phrase"},
    "aside": COMMON,  # a sentence with no clinical content, added to an answer by talkative or worried people
    # assistant acts
    # complaint: the patient's words for it in the opening; event: it happened at a moment (a swallow, a fall)
    "empathy": COMMON | {"complaint", "event"},
    # ack: before every question but the first, what was heard in the last message, said back. heard: {kind:
    # none|yes|no|unsure|value|sensitive, text: its topic or the patient's own words, volunteered: a detail they added,
    # named by its topic; mentioned: 'yes' when they added one, named or not}
    "ack": COMMON | {"heard"},
    "clarify": COMMON | {"question", "ask", "type"},
    "red_flag_check": COMMON | {"question", "ask", "type"},
    # pregnant: the person is pregnant (a sentence names the maternity service beside A&E or same-day care)
    "disposition": COMMON | {"disposition", "concerns", "flags", "modifiers", "reported", "pregnant", "no_drive",
                             "pregnancy_service"},
    "safety_net": COMMON | {"warnings", "nets"},  # nets: [{warnings, action}] by level of care, most urgent first
    "first_aid": COMMON | {"steps", "disposition"},  # steps: what to do while help is on the way
    "self_care": COMMON | {"advice"},
    "crisis": COMMON | {"crisis"},
    "close": COMMON,
    # after the advice: the patient takes the initiative (personas/initiative.yaml), the assistant answers
    "pushback": COMMON | {"disposition", "raised", "age_group", "relation"},
    "patient_question": COMMON | {"disposition", "raised", "age_group", "relation"},
    "reply_after_advice": COMMON | {"disposition", "raised", "age_group", "relation"},
    # flags: the red flags reported that decided the level; modifiers: the rules that did, in a sentence each; nets: the safety net by level of care (as for
    # safety_net); first_aid: the steps given with an emergency disposition; advice: the self-care items given;
    # concerns and reported: as for the disposition, what is being checked for when no flag or rule decided it
    "answer_pushback": COMMON | {"disposition", "raised", "age_group", "flags", "modifiers", "nets", "first_aid", "advice",
                        "pregnant", "concerns", "reported"},
    "answer_question": COMMON | {"disposition", "raised", "age_group", "flags", "modifiers", "nets", "first_aid", "advice",
                        "pregnant", "concerns", "reported"},
    "acknowledge_reply": COMMON | {"disposition", "raised", "age_group", "flags", "modifiers", "nets", "first_aid", "advice",
                        "pregnant", "concerns", "reported"},
}
#: the acts after the advice: every variant names the kind it words (``raised``); a library may leave them out
INITIATIVE_TEMPLATE_ACTS = frozenset({"pushback", "patient_question", "reply_after_advice",
                                      "answer_pushback", "answer_question", "acknowledge_reply"})
#: the assistant's answers to them: each re-states one disposition, named by its file's prefix
ANSWER_TEMPLATE_ACTS = frozenset({"answer_pushback", "answer_question", "acknowledge_reply"})
#: disposition -> the file-name prefix of the answers that re-state it (as the disposition templates are named)
LEVEL_PREFIX = {"emergency_ambulance": "amb", "emergency_department": "ed", "urgent": "urgent",
                "routine": "routine", "self_care": "self_care"}
WHEN_KEYS = {"speaker", "wording", "tone", "disposition", "type", "turn", "answer_kind", "danger", "asked", "raised",
             "age_group", "certain", "acuity"}
#: acts whose wording depends on the kind of question answered (a finding's ``answer_kind``): a variant of
#: these that names no ``answer_kind`` fits only ``general`` questions, so a stock 'A bit, I suppose' never
#: answers 'could you be pregnant?'
ANSWER_ACTS = {"answer_yes", "answer_no", "answer_unsure"}
DEFAULT_ANSWER_KIND = "general"
MAX_RENDERED = 2000
_MAX_RAW = 10 * MAX_RENDERED  # raw output read before spaces are collapsed
#: a bound on the alternation groups of one template file (each compiles to a small if-chain)
MAX_GROUPS = 64
#: an indefinite article that becomes 'the' when the thing is mentioned again; not before a quantity ('a bit of
#: a cough', 'a lot of sneezing', 'a few spots'), which is said again as it was
_INDEFINITE = re.compile(r"^(?:a|an) (?!(?:bit|lot|few|little|couple|touch)\b)", re.IGNORECASE)


def definite(text: str) -> str:
    """A noun phrase said a second time: 'a cough' -> 'the cough', 'an itchy rash' -> 'the itchy rash'."""
    return _INDEFINITE.sub("the ", text) if text else text


_ALTERNATION = re.compile(r"\(\(([^()]*)\)\)")
_JINJA_TAG = re.compile(r"\{\{.*?\}\}|\{%.*?%\}|\|")
ALT = "_alt"  # the template variable holding the drawn alternative of each group
_MAX_WHEN_VALUES = 1000  # a when: comment is a handful of keys
_META = re.compile(r"^\s*\{#-?\s*when:\s*(.*?)\s*-?#\}", re.DOTALL)


@dataclass(frozen=True)
class Variant:
    id: str  # "<act>/<name>"
    act: str
    when: Mapping[str, frozenset[str]]
    template: jinja2.Template
    reads: tuple[str, ...] = ()  # the variables the template reads (found at load)
    groups: tuple[int, ...] = ()  # how many alternatives each alternation group has, in order

    def matches(self, facts: Mapping[str, str]) -> bool:
        return all(facts.get(k) in allowed for k, allowed in self.when.items())

    @property
    def signature(self) -> tuple:
        return tuple(sorted((k, tuple(sorted(v))) for k, v in self.when.items()))


class TemplateLibrary:
    """All variants by act; ``render`` never sees a variable the act does not declare."""

    #: rendered texts kept; the cache is emptied when full, so memory stays bounded on any run length
    RENDER_CACHE_SIZE = 30_000

    def __init__(self, variants: dict[str, list[Variant]]):
        self.variants = variants
        self._candidates: dict[tuple, list[Variant]] = {}
        self._rendered: dict[tuple, str] = {}

    def candidates(self, act: str, facts: Mapping[str, str]) -> list[Variant]:
        key = (act, tuple(sorted(facts.items())))
        hit = self._candidates.get(key)
        if hit is None:
            hit = self._candidates[key] = sorted((v for v in self.variants.get(act, []) if v.matches(facts)),
                                                 key=lambda v: v.id)
        return hit

    def render(self, variant: Variant, context: dict[str, Any], extra: dict[str, Any] | None = None,
               frozen: dict[str, Any] | None = None, alt: tuple[int, ...] = ()) -> str:
        """The variant's text for ``context`` updated with ``extra``, whitespace collapsed.

        A template is a pure function of the variables it reads (no globals, no random filter, nothing but
        the context), so a text is rendered once per distinct value of those variables and then reused.
        ``frozen`` is :func:`frozen_context` of ``context``, for a caller rendering many parts with one context.
        ``alt`` is the alternative drawn for each of the variant's alternation groups (see ``groups``).
        """
        if frozen is None:
            frozen = frozen_context(context)
        if extra:
            key = (variant.id, alt) + tuple(_frozen(extra[name]) if name in extra else frozen[name]
                                             for name in variant.reads)
        else:
            key = (variant.id, alt) + tuple(map(frozen.__getitem__, variant.reads))
        text = self._rendered.get(key)
        if text is None:
            if len(self._rendered) >= self.RENDER_CACHE_SIZE:
                self._rendered.clear()
            merged = {**context, **extra} if extra else context
            if variant.groups:
                merged = {**merged, ALT: alt}
            text = self._rendered[key] = self._render(variant, merged)
        return text

    @staticmethod
    def _render(variant: Variant, context: dict[str, Any]) -> str:
        """Render through Jinja on a shared context: the load check guarantees a template reads only its
        act's variables, never a Jinja global such as ``range``, so the context need not be merged."""
        template = variant.template
        label = f"templates/{variant.id}.j2"
        parts, size = [], 0
        try:
            for part in template.root_render_func(template.new_context(context, shared=True)):
                parts.append(part)
                size += len(part)
                if size > _MAX_RAW:  # stop reading before a runaway template fills memory
                    break
        except Exception as exc:  # a user's template that fails (a sandbox refusal, a missing key) names itself
            raise ContentError([Problem(label, _template_line(template, exc), "", f"cannot be rendered: {type(exc).__name__}: "
                                                                        f"{str(exc)[:300]}")]) from None
        text = " ".join("".join(parts).split())
        if size > _MAX_RAW or len(text) > MAX_RENDERED:
            raise ContentError([Problem(label, 0, "", f"rendered text is over {MAX_RENDERED} characters")])
        return text


def _template_line(template: jinja2.Template, exc: BaseException) -> int:
    """The template line a rendering error arose at, from the compiled code's line (0 when unknown)."""
    tb, line = exc.__traceback__, 0
    while tb is not None:
        if tb.tb_frame.f_code.co_filename == "<template>":
            line = template.get_corresponding_lineno(tb.tb_lineno)
        tb = tb.tb_next
    return line


def frozen_context(context: dict[str, Any]) -> dict[str, Any]:
    """Each variable's hashable stand-in (see :meth:`TemplateLibrary.render`)."""
    return {name: _frozen(value) for name, value in context.items()}


def _frozen(value: Any) -> Any:
    """A hashable stand-in for a template variable's value (strings, booleans, lists and dicts of them)."""
    if isinstance(value, str):
        return value
    if isinstance(value, (bool, int, float)) or value is None:
        return (type(value).__name__, value)  # True and 1 are equal keys, but render differently
    # in insertion order: equal dicts built in another order only make a second cache entry, never a wrong one
    if isinstance(value, dict):
        return ("dict",) + tuple((k, v if type(v) is str else _frozen(v)) for k, v in value.items())
    if isinstance(value, (list, tuple)):
        return ("list",) + tuple(v if type(v) is str else _frozen(v) for v in value)
    raise TypeError(f"template variable of unsupported type {type(value).__name__}")


def _environment(sandboxed: bool) -> jinja2.Environment:
    cls = ImmutableSandboxedEnvironment if sandboxed else jinja2.Environment
    env = cls(undefined=jinja2.StrictUndefined, autoescape=False, trim_blocks=True, lstrip_blocks=True,
              keep_trailing_newline=False, auto_reload=False, cache_size=-1)
    env.filters.pop("random", None)
    env.filters.pop("shuffle", None)
    env.filters["cap"] = lambda s: s[:1].upper() + s[1:] if s else s
    env.filters["lower_first"] = lambda s: s[:1].lower() + s[1:] if s else s
    env.filters["join_and"] = lambda items: _join(items, "and")
    env.filters["join_or"] = lambda items: _join(items, "or")  # alternatives: 'it could be a cold or flu'
    env.filters["the"] = definite  # something said before, said again: 'a cough' -> 'the cough'
    return env


def _join(items: list[str], word: str) -> str:
    items = list(items)
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + f" {word} " + items[-1]


def split_alternatives(group: str) -> list[str]:
    """The alternatives of one group, split at each ``|`` that is not inside ``{{ }}`` or ``{% %}``."""
    out, start = [], 0
    for m in _JINJA_TAG.finditer(group):
        if m.group(0) == "|":
            out.append(group[start:m.start()])
            start = m.end()
    return out + [group[start:]]


def compile_alternations(src: str) -> tuple[str, tuple[int, ...]]:
    """A template source with each ``((a|b|c))`` group turned into a Jinja if-chain on ``_alt[k]``, and the
    number of alternatives of each group (for the realiser to draw from)."""
    groups: list[int] = []

    def chain(m: re.Match) -> str:
        alts = split_alternatives(m.group(1))
        k = len(groups)
        groups.append(len(alts))
        if len(groups) > MAX_GROUPS:
            raise ValueError(f"over {MAX_GROUPS} alternation groups; split it into several files")
        branches = "".join(("{% if " if i == 0 else "{% elif ") + f"{ALT}[{k}] == {i} %}}" + a
                           for i, a in enumerate(alts))
        return branches + "{% endif %}"
    while _ALTERNATION.search(src):  # innermost groups first: an alternative may hold a group of its own
        src = _ALTERNATION.sub(chain, src)
    return src, tuple(groups)


def _parse_when(src: str, label: str, problems: list[Problem]) -> dict[str, frozenset[str]]:
    m = _META.match(src)
    if not m:
        return {}
    found: list[Problem] = []
    raw = parse_yaml(m.group(1), label, found, max_nodes=_MAX_WHEN_VALUES)
    if found:
        problems.extend(Problem(p.file, 1, "when", f"metadata comment: {p.message}") for p in found)
        return {}
    raw = raw or {}
    if not isinstance(raw, dict):
        problems.append(Problem(label, 1, "when", "metadata must be a mapping, e.g. {speaker: self}"))
        return {}
    out = {}
    for key, value in raw.items():
        if key not in WHEN_KEYS:
            problems.append(Problem(label, 1, f"when.{key}", f"unknown key; valid: {', '.join(sorted(WHEN_KEYS))}"))
            continue
        values = value if isinstance(value, list) else [value]
        if any(isinstance(v, bool) for v in values):  # YAML reads a bare no, yes, on or off as a boolean
            problems.append(Problem(label, 1, f"when.{key}", f"{value!r} was read as true/false (YAML takes a bare "
                                    f"no, yes, on or off for one): quote the words, e.g. {key}: ['no']"))
            continue
        out[key] = frozenset(str(v) for v in values)
    return out


def answer_level(template_id: str) -> str | None:
    """The disposition an assistant answer after the advice re-states, from its id ('answer_pushback/ed_wait_1'
    -> 'emergency_department'); None for any other template."""
    act, _, name = template_id.partition("/")
    if act not in ANSWER_TEMPLATE_ACTS:
        return None
    # the longest prefix first: 'self_care_' before any shorter one
    for level, prefix in sorted(LEVEL_PREFIX.items(), key=lambda kv: -len(kv[1])):
        if name.startswith(prefix + "_"):
            return level
    return None


def _initiative_problems(label: str, act: str, name: str, when: Mapping[str, frozenset[str]]) -> list[Problem]:
    """An initiative variant names its kind; an answer names one disposition, and its file says which."""
    if act not in INITIATIVE_TEMPLATE_ACTS:
        return []
    out = []
    if "raised" not in when:
        out.append(Problem(label, 1, "when.raised", "a wording after the advice names the kind it words, e.g. "
                                                    "{raised: wait_until_later}"))
    if act in ANSWER_TEMPLATE_ACTS:
        levels = sorted(when.get("disposition", ()))
        if len(levels) != 1 or levels[0] not in LEVEL_PREFIX:
            out.append(Problem(label, 1, "when.disposition", "an answer after the advice re-states exactly one "
                                                             f"disposition; valid: {', '.join(LEVEL_PREFIX)}"))
        elif answer_level(f"{act}/{name}") != levels[0]:
            out.append(Problem(label, 0, "", f"an answer for {levels[0]} is named '{LEVEL_PREFIX[levels[0]]}_...'"))
    return out


def _cache_name(tdir: Path, sandboxed: bool) -> str:
    """The name of this folder's compiled templates in the user cache. Its entries are keyed by each template's
    own source, so an edited template is compiled again and nothing stale is ever used; the cache only saves
    Jinja2's parsing and code generation (most of the library's load) for templates that did not change. The
    code objects are Python's and Jinja2's own: the cache file is named for scenegen's code and Python's version
    (`usercache`), and this name carries Jinja2's version and the environment (sandboxed for a user's library)."""
    return hashlib.sha256(f"{tdir.resolve()}\0{sandboxed}\0{jinja2.__version__}".encode("utf-8")).hexdigest()


def load_templates(root: Path, *, sandboxed: bool, quarantine: frozenset[str] = frozenset()) -> TemplateLibrary:
    """Compile every template of ``root/templates`` but the variants reviewers quarantined (ids such as
    ``answer_no/plain_3``; see `review.overlay`); raise ContentError listing every problem."""
    env = _environment(sandboxed)
    problems: list[Problem] = []
    variants: dict[str, list[Variant]] = {act: [] for act in ACT_VARIABLES}
    tdir = root / "templates"
    if not tdir.is_dir():
        raise ContentError([Problem("templates", 0, "", "template library not found; a library holds templates/<act>/*.j2")])
    budget = Budget()
    cache_name = _cache_name(tdir, sandboxed)
    earlier = read_compiled("templates", cache_name)
    if not isinstance(earlier, dict):
        earlier = {}
    kept: dict[str, tuple[bytes, tuple[str, ...]]] = {}
    for path in sorted(tdir.rglob("*.j2")):
        rel = path.relative_to(tdir)
        label = f"templates/{rel.as_posix()}"
        if len(rel.parts) != 2:
            problems.append(Problem(label, 0, "", "templates must sit one folder deep: templates/<act>/<name>.j2"))
            continue
        act = rel.parts[0]
        if f"{act}/{path.stem}" in quarantine:
            continue
        if act not in ACT_VARIABLES:
            problems.append(Problem(label, 0, "", f"unknown dialogue act '{act}'; valid: {', '.join(ACT_VARIABLES)}"))
            continue
        src = read_text(path, label, problems, root=root, budget=budget)
        if src is None:
            continue
        when = _parse_when(src, label, problems)
        if act in ANSWER_ACTS and "answer_kind" not in when:
            when["answer_kind"] = frozenset({DEFAULT_ANSWER_KIND})
        if act in ANSWER_ACTS and "asked" not in when:
            when["asked"] = frozenset({"first"})
        try:
            compiled, groups = compile_alternations(src)
        except ValueError as exc:
            problems.append(Problem(label, 0, "", str(exc)))
            continue
        key = hashlib.sha256(compiled.encode("utf-8")).hexdigest()
        if key in earlier:
            code, reads = marshal.loads(earlier[key][0]), set(earlier[key][1])
        else:
            try:
                ast = env.parse(compiled)
            except jinja2.TemplateSyntaxError as exc:
                problems.append(Problem(label, exc.lineno or 0, "", f"template syntax error: {exc.message}"))
                continue
            except RecursionError:
                problems.append(Problem(label, 0, "", "template is nested too deeply to read"))
                continue
            broken = rule_problems(ast)
            if broken:  # before compiling: compiling folds constants, and 10 ** (10 ** 10) would never end
                problems.extend(Problem(label, 0, "", why) for why in broken)
                continue
            reads = meta.find_undeclared_variables(ast) - {ALT}
            code = env.compile(ast)
        kept[key] = (marshal.dumps(code), tuple(sorted(reads)))
        template = env.template_class.from_code(env, code, env.make_globals(None), None)
        extra = reads - ACT_VARIABLES[act]
        if extra:
            problems.append(Problem(label, 0, "", f"uses variables {sorted(extra)} that act '{act}' does not provide; "
                                                  f"valid: {', '.join(sorted(ACT_VARIABLES[act]))}"))
            continue
        problems.extend(_initiative_problems(label, act, path.stem, when))
        variants[act].append(Variant(f"{act}/{path.stem}", act, when, template, tuple(sorted(reads)), groups))
    if kept.keys() != earlier.keys():
        write_compiled("templates", cache_name, kept)
    present = {f"{p.parent.name}/{p.stem}" for p in tdir.rglob("*.j2")}
    for ident in sorted(quarantine - present):
        problems.append(Problem("review/quarantine.yaml", 0, "templates", f"'{ident}' is not a template of this "
                                "library (ids are <act>/<file name without .j2>)"))
    for act, vs in variants.items():
        if not vs and act not in INITIATIVE_TEMPLATE_ACTS:
            held = sorted(i for i in quarantine if i.startswith(f"{act}/"))
            problems.append(Problem(f"templates/{act}", 0, "", f"no template for dialogue act '{act}'"
                                    + (f" once review/quarantine.yaml holds back {', '.join(held)}: write another "
                                       "wording or release one" if held else "")))
    if problems:
        raise ContentError(problems)
    return TemplateLibrary(variants)
