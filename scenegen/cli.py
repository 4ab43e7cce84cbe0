"""The `scenegen` command: a thin layer over the library API. Data to stdout, messages to stderr."""

from __future__ import annotations

import os
import re
import sys
from contextlib import suppress
from pathlib import Path
from typing import Callable

import click
import orjson

from .content import FindingType, Sex
from .errors import ContentError, ScenegenError, UsageError
from .knowledge import Demographics, KnowledgeBase, format_age
from .load import ENV_LIBRARY, load_knowledge_base
from .progress import Progress

#: the most processes `generate` starts unasked: each holds its own caches (levelling off at about 400 MiB with the library)
MAX_DEFAULT_WORKERS = 8
MAX_SEED = 2**64 - 1  # a record's seed is written as a JSON number, which readers hold in 64 bits


def default_workers() -> int:
    """The cores this process may use (its CPU affinity where the platform says), at most MAX_DEFAULT_WORKERS."""
    import os

    try:
        cores = len(os.sched_getaffinity(0))
    except AttributeError:  # macOS and Windows have no affinity call
        cores = os.cpu_count() or 1
    return max(1, min(cores, MAX_DEFAULT_WORKERS))


def library_option(f: Callable) -> Callable:
    return click.option(
        "--library", "library", type=click.Path(file_okay=False, path_type=Path), default=None,
        help=f"Library folder holding conditions/, personas/, templates/ (default: ${ENV_LIBRARY}, else the bundled one).",
    )(f)


def _load(library: Path | None) -> KnowledgeBase:
    try:
        return load_knowledge_base(library)
    except ContentError as exc:
        click.echo(str(exc), err=True)
        raise SystemExit(1) from None


class _Group(click.Group):
    """Turns scenegen's own errors into a clean message and exit status 2, without a traceback."""

    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except UsageError as exc:
            raise click.UsageError(str(exc), ctx) from None
        except ScenegenError as exc:
            click.echo(f"Error: {exc}", err=True)
            raise SystemExit(1) from None
        except BrokenPipeError:  # the reader went away (`scenegen show ... | head`): stop without a word
            _quiet_stdout()
            raise SystemExit(1) from None
        except OSError as exc:  # a folder that cannot be made, a full or read-only disk, a file that went away
            where = f" {exc.filename}" if exc.filename else ""
            click.echo(f"Error: cannot read or write{where}: {exc.strerror or exc}", err=True)
            raise SystemExit(1) from None


def _quiet_stdout() -> None:
    """Point stdout at /dev/null so that Python's flush at exit does not fail on the closed pipe again."""
    with suppress(OSError, ValueError):
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())


@click.group(cls=_Group)
@click.version_option(package_name="scenegen")
def cli() -> None:
    """scenegen: synthetic patient triage dialogues with gold reasoning and escalation labels."""


# ---------------------------------------------------------------------------------------------------------
# kb


@cli.group(cls=_Group)
def kb() -> None:
    """Inspect and validate the knowledge base (conditions/)."""


@kb.command("check")
@library_option
@click.option("--coverage", is_flag=True, help="Also print counts by age band, confusable pairs and unused findings.")
def kb_check(library: Path | None, coverage: bool) -> None:
    """Validate the library and print a summary. Exit status 0 only when it is valid."""
    from .report import summary

    from .generate import Library
    from .load import resolve_library

    root = resolve_library(library)
    personas = None
    if (root / "personas").exists() or (root / "templates").exists():
        try:  # exactly what generate loads: the three parts and their cross-checks, every problem at once
            whole = Library.load(root)
        except ContentError as exc:
            click.echo(str(exc), err=True)
            raise SystemExit(1) from None
        knowledge, personas = whole.kb, whole.personas
    else:
        knowledge = _load(library)
    click.echo(summary(knowledge, coverage=coverage, personas=personas if coverage else None))
    if personas is not None and (whole.overlay.templates or whole.overlay.conditions or whole.overlay.phrasings):
        click.echo(f"Held back by reviewers (review/quarantine.yaml): {len(whole.overlay.templates)} template "
                   f"variant(s) and {len(whole.overlay.phrasings)} lay phrasing(s) never used; conditions marked for clinical re-review: "
                   f"{', '.join(whole.overlay.conditions) or 'none'}")
    if personas is None:
        click.echo("(a knowledge base only: triage can use it; generate needs personas/ and templates/ too)")


@kb.command("export")
@library_option
def kb_export(library: Path | None) -> None:
    """Print the whole knowledge base as one JSON document."""
    from .report import export

    knowledge = _load(library)
    sys.stdout.buffer.write(orjson.dumps(export(knowledge), option=orjson.OPT_INDENT_2) + b"\n")


# ---------------------------------------------------------------------------------------------------------
# triage

_AGE = re.compile(r"^\s*(\d+)\s*(m|mo|months?|y|yr|years?)?\s*$", re.IGNORECASE)


def parse_age(text: str) -> int:
    """Age in months from '60' or '60y' (years) or '4m' (months)."""
    m = _AGE.match(text)
    if not m:
        raise UsageError(f"age '{text}' is not understood; give years ('60', '60y') or months for infants ('4m')")
    n, unit = int(m.group(1)), (m.group(2) or "y").lower()
    return n if unit.startswith("m") else n * 12


def parse_findings(kb_: KnowledgeBase, present: str, absent: str) -> dict:
    """--present a,b,onset=sudden --absent c  ->  observations."""
    obs: dict = {}
    for item in [s.strip() for s in present.split(",") if s.strip()]:
        fid, _, value = item.partition("=")
        f = kb_.finding(fid.strip())
        if f.type is FindingType.binary:
            if value:
                raise UsageError(f"'{fid}' is a yes/no finding; write it without '={value}'")
            obs[fid] = True
            continue
        valid = [v.id for v in f.values]
        if not value:
            raise UsageError(f"'{fid}' is {f.type.value}; write {fid}=VALUE with VALUE one of: {', '.join(valid)}")
        if value not in valid:
            raise UsageError(f"'{value}' is not a value of '{fid}'; valid: {', '.join(valid)}")
        if f.type is FindingType.categorical:
            if fid in obs:
                raise UsageError(f"'{fid}' takes one value; it was given twice")
            obs[fid] = value
        else:
            obs[fid] = frozenset(obs.get(fid, frozenset()) | {value})
    for fid in [s.strip() for s in absent.split(",") if s.strip()]:
        if "=" in fid:
            raise UsageError(f"--absent takes finding ids only ('{fid}'); for a multi-valued finding, list the "
                             "values present with --present and the rest count as absent")
        f = kb_.finding(fid)
        if fid in obs:
            raise UsageError(f"'{fid}' is given as both present and absent")
        if f.type is FindingType.categorical:
            raise UsageError(f"'{fid}' is categorical: report its value with --present {fid}=VALUE")
        obs[fid] = False if f.type is FindingType.binary else frozenset()
    return obs


@cli.command("triage")
@library_option
@click.option("--age", required=True, help="Age in years ('60'), or in months for infants ('4m').")
@click.option("--sex", required=True, type=click.Choice([s.value for s in Sex]))
@click.option("--pregnant", is_flag=True, help="The person is pregnant.")
@click.option("--present", default="", help="Findings present, comma-separated; categorical as id=value.")
@click.option("--absent", default="", help="Findings absent, comma-separated.")
@click.option("--questions", "n_questions", default=5, show_default=True, type=click.IntRange(0, 100),
              help="How many next questions to rank.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of text.")
def triage_command(library: Path | None, age: str, sex: str, pregnant: bool, present: str, absent: str,
                   n_questions: int, as_json: bool) -> None:
    """Differential, safety-first disposition with reasons, and the next best questions."""
    from .triage import assess

    knowledge = _load(library)
    who = Demographics(parse_age(age), Sex(sex), pregnant)
    obs = parse_findings(knowledge, present, absent)
    _check_possible(knowledge, who, obs)
    result = assess(knowledge, who, obs, n_questions=n_questions)
    if as_json:
        sys.stdout.buffer.write(orjson.dumps(result.as_dict(), option=orjson.OPT_INDENT_2) + b"\n")
        return
    click.echo(_triage_text(knowledge, who, result))


def _check_possible(kb_: KnowledgeBase, who: Demographics, obs: dict) -> None:
    """A triage of nothing, or of a finding this person cannot have, would read as 'nothing is wrong': refuse it."""
    if not any(v is True or isinstance(v, (str, frozenset)) for v in obs.values()):
        raise UsageError("give at least one finding the person reports with --present (the main trouble first); "
                         "with none there is nothing to triage")
    band = kb_.age_band(who.age_months)
    for fid, value in obs.items():
        if value is False:
            continue
        f = kb_.findings[fid]
        if f.sexes and who.sex not in f.sexes:
            raise UsageError(f"'{fid}' cannot be reported of a {who.sex.value} person (the library gives it only to "
                             f"{', '.join(s.value for s in f.sexes)}); check --sex or the finding")
        if f.ages and band not in f.ages:
            raise UsageError(f"'{fid}' cannot be reported at {format_age(who.age_months)} (age band {band}; the "
                             f"library gives it only in {', '.join(f.ages)}); check --age or the finding")


def _triage_text(kb_: KnowledgeBase, who: Demographics, result) -> str:
    d = result.decision
    lines = [f"{format_age(who.age_months)}, {who.sex.value}{', pregnant' if who.pregnant else ''} "
             f"(age band {kb_.age_band(who.age_months)})", "", "Differential:"]
    for cid, p in result.differential:
        c = kb_.conditions[cid]
        lines.append(f"  {p:6.1%}  {c.name} [{c.icd10}] — {c.disposition.value}")
    provisional = (" — provisional: a must-ask, a rule-out question or a red flag that could raise it is still unasked"
                   if result.info_state == "needs_more_info" else "")
    lines += ["", f"Disposition: {d.disposition.value} ({d.disposition.level4} / {d.disposition.level3}){provisional}"]
    for r in d.decisive:
        lines.append(f"  because {r.kind.replace('_', ' ')}: {r.detail}")
    if d.crisis_resource.value != "none":
        lines.append(f"  crisis resource: {d.crisis_resource.value}")
    lines += [f"  note: {n}" for n in result.notes]
    lines += ["", "Red flags not yet asked:" if result.red_flags_unasked else "Red flags not yet asked: none"]
    for fid in result.red_flags_unasked:
        rf = kb_.findings[fid].red_flag
        lines.append(f"  {fid} -> {rf.disposition.value}")
    lines += ["", "Next questions (expected gain, bits):"]
    for q in result.next_questions:
        tag = f"  [red flag -> {q.red_flag.value}]" if q.red_flag else ""
        tag += f"  [must-ask: {q.must_ask}]" if q.must_ask else ""
        tag += f"  [rules out: {q.rules_out}]" if q.rules_out else ""
        lines.append(f"  {q.expected_gain:5.3f}  {kb_.findings[q.finding].question}  ({q.finding}){tag}")
    return "\n".join(lines)


# ---------------------------------------------------------------------------------------------------------
# generate, validate, show


@cli.command("generate")
@library_option
@click.option("--n", "n", required=True, type=click.IntRange(1), help="Number of dialogues.")
@click.option("--seed", default=0, show_default=True, type=click.IntRange(0, MAX_SEED), help="Master seed (0 to 2**64-1).")
@click.option("--out", "out", required=True, type=click.Path(file_okay=False, path_type=Path), help="Output folder.")
@click.option("--test-fraction", default=0.2, show_default=True, type=click.FloatRange(0, 1, max_open=True))
@click.option("--holdout-by", default="condition", show_default=True, type=click.Choice(["condition", "persona", "template"]),
              help="The axis on which train and test share nothing.")
@click.option("--condition", "conditions", multiple=True, help="Generate only this condition (repeatable).")
@click.option("--complaint", "complaints", multiple=True, help="Generate only this presenting complaint (repeatable).")
@click.option("--balance", type=click.Choice(["disposition"]), default=None,
              help="Draw each disposition equally often, so rare levels are not starved.")
@click.option("--ambiguity", default="high", show_default=True, type=click.Choice(["low", "medium", "high"]),
              help="How spread the opening differential is: high reveals only the complaint.")
@click.option("--max-questions", default=8, show_default=True, type=click.IntRange(1, 30))
@click.option("--no-system-prompt", is_flag=True, help="Leave out the leading system message.")
@click.option("--name-conditions", default="supported", show_default=True, type=click.Choice(["supported", "never"]),
              help="Name a possible condition in the closing message only when the reports support it, or never.")
@click.option("--noise", default="on", show_default=True, type=click.Choice(["on", "off"]),
              help="Typing slips in the patient's messages by literacy and style (lower case, no stops, run-ons, "
                   "dont, cos, typos; personas/noise.yaml), never changing a fact; off gives the same dialogues "
                   "without them.")
@click.option("--twins", "twins", default=None,
              help="Also write counterfactual twins of every record, identical but for one of: name, locale, sex, "
                   "age_group, speaker (comma-separated); each carries twin.group, twin.axis and twin.invariant.")
@click.option("--workers", default=None, type=click.IntRange(1, 256),
              help="Processes making records (default: the cores this process may use, at most "
                   f"{MAX_DEFAULT_WORKERS}); the output is byte-identical whatever the number. Each holds its own "
                   "caches, levelling off at about 400 MiB.")
@click.option("--quiet", is_flag=True, help="No progress bar.")
@click.option("--format", "formats", multiple=True, type=click.Choice(["messages", "sharegpt", "turns", "gold", "parquet"]),
              help="Also write this export into OUT/FORMAT/ with its dataset card (repeatable; see 'export').")
@click.option("--shard", default=None, metavar="I/K",
              help="Write only part I of K (from 0): records floor(n*I/K) to floor(n*(I+1)/K)-1, as OUT/train.jsonl, "
                   "OUT/test.jsonl and OUT/part.json; join the K parts with 'scenegen merge'.")
@click.option("--resume", is_flag=True,
              help="Write the run in parts under OUT/.parts/ and, when rerun after a stop (even kill -9), keep the "
                   "parts already complete; the result is the same bytes as a run never stopped. With --shard: "
                   "keep the part if it is already complete.")
@click.option("--part-size", default=None, type=click.IntRange(1),
              help="Records per part with --resume or --scheduler (default 1000); a rerun must give the same.")
@click.option("--scheduler", default=None, metavar="ADDRESS",
              help="Make the records on a Dask cluster (pip install 'scenegen[dask]'): the scheduler's address, "
                   "e.g. tcp://10.0.0.5:8786, or 'local' for a LocalCluster of --workers processes here. Same bytes "
                   "as a local run; resumable as with --resume. See docs/scale.md.")
def generate_command(library: Path | None, n: int, seed: int, out: Path, test_fraction: float, holdout_by: str,
                     conditions: tuple[str, ...], complaints: tuple[str, ...], balance: str | None, ambiguity: str,
                     max_questions: int, no_system_prompt: bool, name_conditions: str, noise: str, workers: int,
                     quiet: bool, formats: tuple[str, ...], twins: str | None, shard: str | None, resume: bool,
                     part_size: int | None, scheduler: str | None) -> None:
    """Write OUT/train.jsonl, OUT/test.jsonl and OUT/manifest.json (with --shard, one part of them)."""
    import time

    from .shards import DEFAULT_PART_SIZE, parse_shard

    part = parse_shard(shard) if shard is not None else None
    if part is not None and formats:
        raise UsageError("--format needs the whole run: export after 'scenegen merge' joins the parts")
    if part_size is not None and (part is not None or not (resume or scheduler)):
        raise UsageError("--part-size is for a whole run with --resume or --scheduler")
    if scheduler is not None and part is not None:
        raise UsageError("--scheduler makes every part of the run itself; it cannot be given with --shard")
    if scheduler is not None:
        from .distributed import require_dask

        require_dask()

    from .generate import GenerateConfig, Generator, Library
    from .twins import parse_axes
    from .write import write_dataset

    try:
        lib = Library.load(library)
    except ContentError as exc:
        click.echo(str(exc), err=True)
        raise SystemExit(1) from None
    config = GenerateConfig(seed=seed, test_fraction=test_fraction, holdout_by=holdout_by,  # type: ignore[arg-type]
                            conditions=tuple(conditions), complaints=tuple(complaints), balance=balance,  # type: ignore[arg-type]
                            ambiguity=ambiguity, max_questions=max_questions,  # type: ignore[arg-type]
                            system_prompt=not no_system_prompt, name_conditions=name_conditions,  # type: ignore[arg-type]
                            noise=noise, twins=parse_axes(twins) if twins else ())  # type: ignore[arg-type]
    generator = Generator(lib, config)
    workers = workers or default_workers()
    started = time.perf_counter()
    if part is not None:
        _generate_part(generator, n, part, out, workers, quiet, resume)
        return
    if scheduler is not None:
        from .distributed import close, connect, write_on_dask

        def run(progress):
            client = connect(scheduler, workers)
            try:
                manifest, kept = write_on_dask(generator, n, out, client, part_size=part_size or DEFAULT_PART_SIZE,
                                               progress=progress,
                                               library=None if library is None else Path(library).resolve())
            finally:
                close(client)
            if kept:
                click.echo(f"resumed: kept {kept} complete part(s) from {out / '.parts'}", err=True)
            return manifest
    elif resume:
        from .shards import write_resumable

        def run(progress):
            manifest, kept = write_resumable(generator, n, out, part_size=part_size or DEFAULT_PART_SIZE,
                                             progress=progress, workers=workers)
            if kept:
                click.echo(f"resumed: kept {kept} complete part(s) from {out / '.parts'}", err=True)
            return manifest
    else:
        def run(progress):
            return write_dataset(generator, n, out, progress=progress, workers=workers)
    if quiet:
        manifest = run(None)
    else:
        with Progress("generating", n, unit="records") as bar:
            manifest = run(bar.update)
    elapsed = time.perf_counter() - started
    rec = manifest["records"]
    click.echo(f"wrote {rec['train']} train and {rec['test']} test dialogues to {out} in {elapsed:.1f}s "
               f"({n / max(elapsed, 1e-9):.0f}/s); dispositions: {manifest['distributions']['disposition']}", err=True)
    for split in ("train", "test"):
        if rec[split] == 0 and n > 0 and (split == "train" or test_fraction > 0):
            click.echo(f"warning: the {split} split is empty: with {n} records, --test-fraction {test_fraction}, "
                       f"--holdout-by {holdout_by} and these filters, no record fell in it; use a larger --n, "
                       "another --holdout-by or --test-fraction, or fewer --condition/--complaint filters", err=True)
    if formats:
        from .exports import export_dataset

        for fmt in dict.fromkeys(formats):
            counts = export_dataset(out, fmt, out / fmt, kb=lib.kb)
            click.echo(f"wrote {fmt}: " + ", ".join(f"{out / fmt / name} ({rows} rows)" for name, rows in counts.items()),
                       err=True)


def _count_lines(path: Path) -> int:
    """Lines of a file, for a progress total (a fast pass over its bytes; validation reads it again)."""
    n = 0
    with open(path, "rb") as fh:
        while block := fh.read(1 << 20):
            n += block.count(b"\n")
    return n


def _generate_part(generator, n: int, part: tuple[int, int], out: Path, workers: int, quiet: bool,
                   resume: bool) -> None:
    """`generate --shard I/K`: one part into OUT (kept as it is with --resume when already complete)."""
    from .shards import manifest_header, part_is_complete, shard_range, write_part

    index, of = part
    start, stop = shard_range(n, index, of)
    if resume and part_is_complete(out, manifest_header(generator, n), index, of):
        click.echo(f"part {index}/{of} (records {start}..{stop - 1}) is already complete in {out}", err=True)
        return
    if quiet:
        written = write_part(generator, n, index, of, out, workers=workers)
    else:
        with Progress(f"part {index}/{of}", stop - start, unit="records") as bar:
            written = write_part(generator, n, index, of, out, progress=bar.update, workers=workers)
    rec = written["files"]
    click.echo(f"wrote part {index}/{of} (records {start}..{stop - 1}): {rec['train.jsonl']['records']} train and "
               f"{rec['test.jsonl']['records']} test dialogues to {out}", err=True)


@cli.command("merge")
@library_option
@click.argument("parts", nargs=-1, required=True, type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option("--out", "out", required=True, type=click.Path(file_okay=False, path_type=Path), help="Output folder.")
def merge_command(library: Path | None, parts: tuple[Path, ...], out: Path) -> None:
    """Join the parts 'generate --shard I/K' wrote (every one of the K, any order) into OUT/train.jsonl,
    OUT/test.jsonl, OUT/README.md and OUT/manifest.json: the same bytes as the whole run. The library must be
    the one the parts were made from."""
    from .shards import merge_parts

    try:
        manifest = merge_parts(list(parts), out, library=library)
    except ContentError as exc:
        click.echo(str(exc), err=True)
        raise SystemExit(1) from None
    rec = manifest["records"]
    click.echo(f"joined {len(parts)} parts: {rec['train']} train and {rec['test']} test dialogues in {out}", err=True)


@cli.command("validate")
@library_option
@click.argument("files", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--holdout-by", type=click.Choice(["condition", "persona", "template"]), default=None,
              help="With a train and a test file: also check they share nothing on this axis.")
@click.option("--max-report", default=50, show_default=True, help="How many violations to print.")
def validate_command(library: Path | None, files: tuple[Path, ...], holdout_by: str | None, max_report: int) -> None:
    """Check dataset files record by record: schema and label consistency. Exit 1 on any violation."""
    from .load import resolve_library
    from .validate import Lexicon, check_holdout, validate_files

    kb_ = _load(library)
    lexicon = Lexicon.load(resolve_library(library))
    total = 0
    counts: list[int] = []
    with Progress("validating", sum(_count_lines(f) for f in files), unit="records") as bar:
        for v in validate_files(files, kb_, lexicon, counts, progress=bar.update):
            total += 1
            if total <= max_report:
                click.echo(str(v), err=True)
    records = sum(counts)
    if holdout_by:
        if len(files) != 2:
            raise UsageError("--holdout-by needs exactly two files: train then test")
        shared = check_holdout(files[0], files[1], holdout_by)
        for key in shared[:max_report]:
            click.echo(f"[holdout] '{key}' appears in both {files[0]} and {files[1]}", err=True)
        total += len(shared)
    if total:
        click.echo(f"{total} violation(s) in {records} record(s)", err=True)
        raise SystemExit(1)
    click.echo(f"ok: {records} record(s), no violations")


@cli.command("show")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--id", "record_id", default=None, help="Record id (default: the first record).")
def show_command(file: Path, record_id: str | None) -> None:
    """Print a dialogue with its gold labels, for a person to read."""
    from .records import Record
    from .files import read_records

    from pydantic import ValidationError

    for line, obj, _ in read_records(file):
        if isinstance(obj, dict) and (record_id is None or obj.get("id") == record_id):
            try:
                record = Record.model_validate(obj)
            except ValidationError as exc:
                first = exc.errors()[0]
                where = ".".join(str(x) for x in first["loc"]) or "the record"
                raise UsageError(f"{file}:{line}: not a scenegen record ({exc.error_count()} problem(s); first: "
                                 f"{where}: {first['msg']}); 'scenegen validate {file}' lists them all") from None
            click.echo(_show(record))
            return
    raise UsageError(f"no record with id '{record_id}' in {file}")


def _show(r) -> str:
    import textwrap

    p, g = r.persona, r.gold
    who = f"{p.name}, {p.age_group} ({p.age_months // 12}y {p.age_months % 12}m), {p.sex}" + (", pregnant" if p.pregnant else "")
    lines = [f"{r.id}  [{r.split}]", f"persona: {who}; speaker {p.speaker}; {p.literacy} literacy; {p.style}; {p.locale}",
             f"hidden:  {r.case.condition_name} ({r.case.icd10}) via {r.case.complaint}", ""]
    for i, (m, t) in enumerate(zip(r.messages, r.turns)):
        tag = f"{t.act}" + (f":{t.finding}" if t.finding else "") + (f"; noise: {', '.join(t.noise)}" if t.noise else "")
        lines.append(f"[{i}] {m.role.upper()} ({tag})")
        lines += textwrap.wrap(m.content, 100, initial_indent="    ", subsequent_indent="    ")
    lines += ["", "GOLD", f"  disposition: {g.disposition} ({g.level4} / {g.level3}) at message {g.disposition_turn}"]
    for reason in g.reasons:
        lines.append(f"    because {reason.kind}: {reason.detail}")
    lines.append("  initial differential: " + ", ".join(f"{d.condition} {d.p:.2f}" for d in g.differential_initial[:6]))
    lines.append("  final differential:   " + ", ".join(f"{d.condition} {d.p:.2f}" for d in g.differential_final[:6]))
    lines.append("  questions:")
    for q in g.questions:
        lines.append(f"    [{q.turn}] {q.finding} -> {q.answer or ', '.join(q.answer_values)}  gain {q.expected_gain:.3f}{'  RED FLAG' if q.red_flag else ''}: {q.why}")
    for step in g.reasoning:
        lines.append(f"  {step.step}: {step.text}")
    lines.append(f"  red flags present: {g.red_flags_present or 'none'}; unasked: {g.red_flags_unasked or 'none'}")
    lines.append(f"  safety net: {g.safety_net or 'none'}; crisis resource: {g.crisis_resource}")
    if g.first_aid:
        lines.append(f"  first aid: {g.first_aid}")
    for a in g.patient_acts:
        lines.append(f"  patient act [{a.turn}] {a.act}: {a.raised} -> assistant must {a.assistant_must} "
                     f"(answered at [{a.answer_turn}])")
    return "\n".join(lines)


@cli.command("stats")
@click.argument("files", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of text.")
def stats_command(files: tuple[Path, ...], as_json: bool) -> None:
    """Diversity and realism figures of dataset files, taken together. Exit 1 on a record it cannot read."""
    from .stats import compute, format_text

    stats = compute(_measurable_records(files))
    if stats.records == 0:
        raise ScenegenError(f"no records in {', '.join(map(str, files))}")
    if as_json:
        sys.stdout.buffer.write(orjson.dumps(stats.as_dict(), option=orjson.OPT_INDENT_2) + b"\n")
        return
    click.echo(format_text(stats))


def _measurable_records(files: tuple[Path, ...]):
    """The records of all files in order; the first unreadable one stops the run, named by file and line."""
    from .stats import record_problem
    from .files import read_records

    for path in files:
        for lineno, obj, error in read_records(path):
            problem = error or record_problem(obj)
            if problem:
                raise ScenegenError(f"{path}:{lineno}: {problem}")
            yield obj


@cli.command("export")
@library_option
@click.argument("src", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option("--format", "fmt", required=True, type=click.Choice(["messages", "sharegpt", "turns", "gold", "parquet"]),
              help="messages: chat only (TRL, Axolotl, OpenAI); sharegpt: LLaMA-Factory, with dataset_info.json; "
                   "turns: one row per assistant turn with its labels; gold: labels by id; parquet: every column.")
@click.option("--out", "out", required=True, type=click.Path(file_okay=False, path_type=Path), help="Output folder.")
@click.option("--system", default="keep", show_default=True, type=click.Choice(["keep", "drop", "merge"]),
              help="The system message: keep it, drop it, or merge it into the first user message (for chat "
                   "templates without a system role).")
@click.option("--compress", default="none", show_default=True, type=click.Choice(["none", "gz", "zst"]),
              help="gzip or zstd the JSONL files (parquet is compressed inside; sharegpt stays plain, as "
                   "LLaMA-Factory reads it; zstd needs the parquet extra).")
def export_command(library: Path | None, src: Path, fmt: str, out: Path, system: str, compress: str) -> None:
    """Rewrite a generated dataset (SRC/train.jsonl, test.jsonl, manifest.json) for a training tool, with a
    dataset card (OUT/README.md)."""
    from .exports import export_dataset

    counts = export_dataset(src, fmt, out, system=system, compress=compress, kb=_load(library))
    click.echo("wrote " + ", ".join(f"{name} ({n} rows)" for name, n in counts.items()) + f" and README.md to {out}",
               err=True)


@cli.command("tasks")
@click.argument("files", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--out", "out", required=True, type=click.Path(dir_okay=False, path_type=Path), help="Tasks file (JSONL).")
@click.option("--at", "at", default="every", show_default=True, type=click.Choice(["every", "decision"]),
              help="One task per assistant turn up to the decision, or only the deciding turn.")
@click.option("--format", "fmt", default="scenegen", show_default=True, type=click.Choice(["scenegen", "healthbench"]),
              help="scenegen's task lines (for `scenegen eval`), or HealthBench's prompt + rubric lines.")
@library_option
def tasks_command(files: tuple[Path, ...], out: Path, at: str, fmt: str, library: Path | None) -> None:
    """Evaluation tasks from dataset files: the conversation up to an assistant turn and what the gold expects there."""
    from .evaluation import build_tasks, load_records, write_tasks

    tasks = build_tasks(load_records(files), at=at)
    if fmt == "healthbench":
        from .evaluation.healthbench import healthbench_task
        from .load import resolve_library
        from .personas import load_personas

        kb_ = _load(library)
        vocab = {loc.id: loc.vocab for loc in load_personas(resolve_library(library)).locales}
        names = {f.id: f.name for f in kb_.findings.values()}
        tasks = (healthbench_task(t, vocab.get(t["segment"]["locale"], {}), names) for t in tasks)
    n = write_tasks(tasks, out)
    click.echo(f"{n} tasks -> {out}", err=True)


@cli.command("eval")
@library_option
@click.argument("tasks_file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--responses", "responses", required=True,
              help="JSONL of {task_id, content} per line; 'gold' replays the dataset's own assistant messages; with "
                   "--endpoint, the file the server's replies are stored in (a rerun resumes from it).")
@click.option("--out", "out", required=True, type=click.Path(dir_okay=False, path_type=Path), help="Report (JSON).")
@click.option("--endpoint", default=None, help="Base URL of an OpenAI-compatible server (http://localhost:8000/v1).")
@click.option("--model", default=None, help="Model name to ask the server for (with --endpoint).")
@click.option("--api-key-env", default="OPENAI_API_KEY", show_default=True,
              help="Environment variable holding the API key (a local server needs none).")
@click.option("--concurrency", default=4, show_default=True, type=click.IntRange(1, 256))
@click.option("--timeout", default=60.0, show_default=True, type=click.FloatRange(0.1), help="Seconds per request.")
@click.option("--max-attempts", default=5, show_default=True, type=click.IntRange(1, 20),
              help="Attempts per task on timeouts, rate limits and server errors (exponential back-off).")
@click.option("--seed", default=0, show_default=True, type=click.IntRange(0), help="Seed of the bootstrap intervals.")
@click.option("--html", "html", default=None, type=click.Path(dir_okay=False, path_type=Path),
              help="Also write the report as a self-contained HTML page (disposition matrix, per-segment tables).")
@click.option("--judge", "judge_url", default=None,
              help="OpenAI-compatible server of an LLM judge that reads the replies the rules cannot (and a sample of "
                   "those they can, to report agreement).")
@click.option("--judge-model", default=None, help="Model name of the judge (with --judge).")
def eval_command(library: Path | None, tasks_file: Path, responses: str, out: Path, endpoint: str | None,
                 model: str | None, api_key_env: str, concurrency: int, timeout: float, max_attempts: int,
                 seed: int, html: Path | None, judge_url: str | None, judge_model: str | None) -> None:
    """Score replies against the gold of a tasks file and write a report with 95 % bootstrap intervals."""
    import os

    from .evaluation import ask_endpoint, evaluate, gold_replies, load_tasks, read_responses
    from .load import resolve_library

    tasks = load_tasks(tasks_file)
    errors: dict[str, str] = {}
    if endpoint:
        if not model:
            raise UsageError("--endpoint needs --model NAME")
        if responses == "gold":
            raise UsageError("with --endpoint, --responses names the file the replies are stored in, not 'gold'")
        with Progress("asking", len(tasks), unit="tasks") as bar:
            run = ask_endpoint(tasks, Path(responses), endpoint, model, api_key=os.environ.get(api_key_env),
                               concurrency=concurrency, timeout=timeout, max_attempts=max_attempts,
                               progress=bar.update)
        errors = run.errors
        click.echo(f"asked {run.asked}, answered {run.answered}, retries {run.retries}, errors {len(run.errors)}",
                   err=True)
    if responses == "gold":
        replies = gold_replies(tasks)
    else:
        if not Path(responses).exists():
            raise UsageError(f"no responses file {responses} (JSONL of {{task_id, content}}, or 'gold')")
        replies = read_responses(Path(responses))
    kb_ = _load(library)
    judge_fn = _judge(judge_url, judge_model, os.environ.get(api_key_env), timeout, max_attempts) if judge_url else None
    with Progress("scoring", len(tasks), unit="tasks") as bar:
        result = evaluate(tasks, replies, kb_, resolve_library(library), seed=seed, judge=judge_fn,
                          progress=bar.update)
    result["errors"] = errors
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_bytes(orjson.dumps(result, option=orjson.OPT_INDENT_2 | orjson.OPT_SORT_KEYS) + b"\n")
    if html is not None:
        from .evaluation.metrics import report_html

        html.write_text(report_html(result), encoding="utf-8")
    click.echo(_eval_table(result))


def _judge(url: str, model: str | None, api_key: str | None, timeout: float, max_attempts: int):
    """The chat function of an LLM judge on an OpenAI-compatible server."""
    if not model:
        raise UsageError("--judge needs --judge-model NAME")
    from .evaluation.responses import chat, openai_client

    client, classify = openai_client(url, api_key, timeout)

    def ask(messages: list[dict]) -> str | None:
        return chat(client, classify, model, messages, max_attempts=max_attempts)[0]
    return ask


def _eval_table(result: dict) -> str:
    lines = [f"{result['n']} replies scored over {result['n_records']} records ({result['missing']} tasks without a "
             f"reply, {len(result.get('errors', {}))} server errors)"]
    for name, m in result["metrics"].items():
        if m["value"] is None:
            lines.append(f"  {name:<30} n/a")
        else:
            lo, hi = m["ci95"]
            lines.append(f"  {name:<30} {m['value']:.3f}  [{lo:.3f}, {hi:.3f}]  n={m['n']}")
    flip = result.get("fairness", {}).get("flip_rate")
    if flip:
        lines.append(f"  {'twin_flip_rate':<30} {flip['value']:.3f}  [{flip['ci95'][0]:.3f}, {flip['ci95'][1]:.3f}]  "
                     f"n={flip['n']} (name and locale twins whose decision differs from the original's)")
    return "\n".join(lines)


class _ReviewGroup(click.Group):
    """`scenegen review DATA_DIR` serves the page; `scenegen review report DATA_DIR` summarises."""

    def parse_args(self, ctx, args):
        if args and args[0] not in self.commands and args[0] != "--help":
            args = ["serve", *args]
        return super().parse_args(ctx, args)


@cli.group("review", cls=_ReviewGroup)
def review_group() -> None:
    """Clinician review: read and judge dialogues in a browser (scenegen review DATA_DIR), then summarise the
    judgements (scenegen review report DATA_DIR)."""


_review_data = click.argument("data_dir", type=click.Path(exists=True, file_okay=False, path_type=Path))
_reviews_option = click.option("--reviews", "reviews_file", default=None,
                               type=click.Path(dir_okay=False, path_type=Path),
                               help="The reviews file (default DATA_DIR/reviews.jsonl).")


def _reviews_path(data_dir: Path, reviews_file: Path | None) -> Path:
    """The reviews to read: a clear error when there are none yet."""
    from .review.store import REVIEWS_FILE

    path = reviews_file or data_dir / REVIEWS_FILE
    if not path.exists():
        raise UsageError(f"no reviews at {path}: review with 'scenegen review {data_dir}' first")
    return path


@review_group.command("serve")
@click.argument("data_dir", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option("--reviewer", default=lambda: os.environ.get("USER") or "reviewer", show_default="$USER",
              help="Who is reviewing: recorded in every review.")
@click.option("--host", default="127.0.0.1", show_default=True,
              help="Address to listen on; anything but this machine needs the token printed with the address.")
@click.option("--port", default=8765, show_default=True, type=click.IntRange(0, 65535), help="0: any free port.")
@click.option("--reviews", "reviews_file", default=None, type=click.Path(dir_okay=False, path_type=Path),
              help="Where the reviews go (default DATA_DIR/reviews.jsonl).")
def review_serve_command(data_dir: Path, reviewer: str, host: str, port: int, reviews_file: Path | None) -> None:
    """Serve a page showing one dialogue at a time, its case and gold behind a toggle, for a clinician to judge;
    every judgement is appended to reviews.jsonl beside the dataset."""
    from .review.server import ReviewSession, make_server

    session = ReviewSession(data_dir, reviewer, reviews_file)
    server, address = make_server(session, host, port)
    click.echo(f"reviewing {len(session.dataset.order)} dialogues of {data_dir} as {reviewer}; reviews go to "
               f"{session.path}", err=True)
    click.echo(f"open {address}  (Ctrl-C to stop)", err=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()


@review_group.command("report")
@library_option
@_review_data
@_reviews_option
@click.option("--html", "html_out", default=None, type=click.Path(dir_okay=False, path_type=Path),
              help="Also write the report as an HTML page with charts.")
@click.option("--json", "as_json", is_flag=True, help="The figures as JSON instead of text.")
def review_report_command(library: Path | None, data_dir: Path, reviews_file: Path | None, html_out: Path | None,
                          as_json: bool) -> None:
    """Disposition agreement, under- and over-triage as reviewers judged them, override rate, Cohen's kappa
    between reviewers of the same records, and the library entries behind the flags, most flagged first."""
    from .review.dataset import Dataset
    from .review.report import report_html, report_text, summarise
    from .review.store import read_reviews

    path = _reviews_path(data_dir, reviews_file)
    summary = summarise(read_reviews(path), Dataset(data_dir), _load(library))
    if html_out is not None:
        html_out.write_text(report_html(summary), encoding="utf-8")
    click.echo(orjson.dumps(summary, option=orjson.OPT_INDENT_2).decode() if as_json else report_text(summary))


@review_group.command("apply")
@_review_data
@click.option("--library", "library", required=True, type=click.Path(exists=True, file_okay=False, path_type=Path),
              help="The library to write the quarantine into (LIBRARY/review/quarantine.yaml); not the bundled one.")
@_reviews_option
@click.option("--min-flags", default=1, show_default=True, type=click.IntRange(1),
              help="Quarantine a template variant once its wording was flagged this many times.")
def review_apply_command(data_dir: Path, library: Path, reviews_file: Path | None, min_flags: int) -> None:
    """Write the reviewers' flags into a library: template variants and lay phrasings flagged for their wording
    are never used again by 'generate --library LIBRARY'; conditions flagged clinically are marked for
    re-review."""
    from .load import bundled_library, resolve_library
    from .review.dataset import Dataset
    from .review.overlay import quarantine_from, write_overlay
    from .review.store import read_reviews

    root = resolve_library(library)
    if root.resolve() == bundled_library().resolve():
        raise UsageError("review apply writes into a library: copy the bundled one (scenegen's conditions/, personas/ "
                         "and templates/) to a folder of your own and give that")
    path = _reviews_path(data_dir, reviews_file)
    quarantine = quarantine_from(read_reviews(path), Dataset(data_dir), min_flags=min_flags, kb=_load(root))
    written = write_overlay(root, quarantine)
    click.echo(f"{written}: {len(quarantine['templates'])} template variant(s) and {len(quarantine['phrasings'])} "
               "lay phrasing(s) held back, "
               f"{len(quarantine['conditions'])} condition(s) marked for re-review from these reviews", err=True)


@review_group.command("export")
@_review_data
@click.option("--out", "out", required=True, type=click.Path(dir_okay=False, path_type=Path),
              help="JSONL of the reviewed records.")
@click.option("--reviews", "reviews_file", default=None, type=click.Path(dir_okay=False, path_type=Path),
              help="The reviews (default DATA_DIR/reviews.jsonl).")
def review_export_command(data_dir: Path, out: Path, reviews_file: Path | None) -> None:
    """The records whose disposition a reviewer judged, each with gold.reviewed_disposition (the reviewers' level;
    where they differ, the most given, ties to the more urgent) and gold.reviewed_by: human-verified labels."""
    from .review.dataset import Dataset
    from .review.export import reviewed_records
    from .review.store import read_reviews

    path = _reviews_path(data_dir, reviews_file)
    records = reviewed_records(read_reviews(path), Dataset(data_dir))
    out.parent.mkdir(parents=True, exist_ok=True)
    temp = out.with_name(f".{out.name}.part")
    with open(temp, "wb") as fh:
        for record in records:
            fh.write(orjson.dumps(record, option=orjson.OPT_APPEND_NEWLINE))
    os.replace(temp, out)
    click.echo(f"wrote {len(records)} reviewed record(s) to {out}", err=True)


@cli.command("simulate")
@library_option
@click.argument("files", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--endpoint", required=True, help="Base URL of an OpenAI-compatible server (http://localhost:8000/v1).")
@click.option("--model", required=True, help="Model name to ask the server for.")
@click.option("--n", "n", default=None, type=click.IntRange(1), help="Only the first N records.")
@click.option("--out", "out", required=True, type=click.Path(dir_okay=False, path_type=Path),
              help="Conversations (JSONL), appended as each ends; a rerun resumes from it.")
@click.option("--report", "report_path", default=None, type=click.Path(dir_okay=False, path_type=Path),
              help="Also write the summary as JSON.")
@click.option("--max-turns", default=12, show_default=True, type=click.IntRange(1, 50),
              help="Questions the model may ask before the conversation ends undecided.")
@click.option("--api-key-env", default="OPENAI_API_KEY", show_default=True)
@click.option("--concurrency", default=4, show_default=True, type=click.IntRange(1, 256))
@click.option("--timeout", default=60.0, show_default=True, type=click.FloatRange(0.1))
def simulate_command(library: Path | None, files: tuple[Path, ...], endpoint: str, model: str, n: int | None, out: Path,
                     report_path: Path | None, max_turns: int, api_key_env: str, concurrency: int, timeout: float) -> None:
    """A model holds whole conversations with scenegen's patient, which answers from each record's hidden case."""
    import itertools
    import os

    from .evaluation import build_cues, load_records
    from .evaluation.responses import chat, openai_client
    from .evaluation.simulate import matcher_self_check, simulate, summarise
    from .load import resolve_library

    records = list(itertools.islice(load_records(files), n))
    kb_ = _load(library)
    cues = build_cues(kb_, resolve_library(library))
    client, classify = openai_client(endpoint, os.environ.get(api_key_env), timeout)

    def reply_to(messages: list[dict]) -> tuple[str | None, str | None]:
        content, error, _ = chat(client, classify, model, messages)
        return content, error

    try:
        convs = simulate(records, out, reply_to, kb_, cues, max_turns=max_turns, concurrency=concurrency)
    finally:
        client.close()
    summary = summarise(convs) | {"patient_matcher": matcher_self_check(records, kb_, cues)}
    if report_path is not None:
        report_path.write_bytes(orjson.dumps(summary, option=orjson.OPT_INDENT_2 | orjson.OPT_SORT_KEYS) + b"\n")
    for k, v in summary.items():
        click.echo(f"  {k:<30} {v}")


@cli.command("schema")
def schema_command() -> None:
    """Print the JSON Schema of one dataset record."""
    from .records import record_json_schema

    sys.stdout.buffer.write(orjson.dumps(record_json_schema(), option=orjson.OPT_INDENT_2 | orjson.OPT_SORT_KEYS) + b"\n")


def main() -> None:  # pragma: no cover - console entry point
    cli()
