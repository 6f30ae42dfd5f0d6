"""The ``socta`` command: validate the data, run the notebooks, build the book.

    socta validate [--data DIR] [--dry-run]
    socta run      [--data DIR] [--audience A] [--country ISO3 ...] [--area ID ...] [--jobs N]
    socta build    [--data DIR] [--audience A]
    socta report   [--data DIR] [--audience A]       # all three
    socta import   --mapping MAPPING.yaml --out DIR/statistics.csv | --workbook FILE.xlsx ... --out DIR
    socta collect  [--data DIR] [--country ISO3 ...] [--lang L ...] [--years FROM-TO] [--unit NAME] [--out DIR]

Exit status: 0 done, 1 the data have problems (or a notebook failed), 2 a configuration or usage
error, 70 an internal error (a bug: the message says where the traceback was saved), 130 interrupted.
"""
from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

from socta.core.config import BUILD_DIR, DEFAULT_DATA_DIR, REGION, ConfigError, Project, confined
from socta.core.edition import AUDIENCES as EDITION_AUDIENCES
from socta.core.edition import PUBLIC, TRAINING, Edition
from socta.core.text import MAX_LISTED


def escape(text: str) -> str:
    from rich.markup import escape as rich_escape

    return rich_escape(text)


def _console():
    from rich.console import Console

    return Console(stderr=False, highlight=False, soft_wrap=True)


# exit codes (README.md, "Exit codes"): a crash must never look like bad data, nor bad data like a crash
EXIT_OK = 0          # done; the data are valid

EXIT_DATA = 1        # the data have problems (or a notebook failed): fix the input

EXIT_CONFIG = 2      # a configuration or usage error: a wrong option, dataset.yaml, settings.yaml, reference file

EXIT_INTERNAL = 70   # an unexpected exception, a bug in socta (EX_SOFTWARE in sysexits.h): please report it

SHOWN_PER_KIND = MAX_LISTED  # problems of one kind printed before "… and N more like this"


def print_problems(console, problems) -> None:
    """Every problem, grouped: per file, per kind, the first 20 and then how many more there are."""
    groups: dict[tuple, list] = {}
    for problem in problems:  # sorted by file and row: each kind keeps that order
        groups.setdefault((problem.file, problem.group), []).append(problem)
    for (_, _), members in sorted(groups.items(), key=lambda kv: (kv[0][0], kv[1][0].row or 0)):
        for problem in members[:SHOWN_PER_KIND]:
            console.print(f"  • {problem}", markup=False)
        more = len(members) - SHOWN_PER_KIND
        if more > 0:
            console.print(f"    … and {more:,} more like this ({members[0].file}, "
                          f"{'column ' + repr(members[0].column) + ', ' if members[0].column else ''}"
                          f"rows {members[SHOWN_PER_KIND].row}–{members[-1].row})", markup=False)


def _print_warnings(console, warnings) -> None:
    for warning in warnings:  # grouped findings; an indented line details the one before
        detail = warning.startswith("  ")
        console.print(("        " if detail else "[yellow]warning[/] ") + escape(warning.strip()))


class _ProcessingProgress:
    """What processing is doing, while it runs: a live spinner and bar on a terminal (trend fits are
    the long step), a plain line every few seconds otherwise; nothing for a quick run."""

    def __init__(self, console, quiet: bool):
        self.console, self.quiet = console, quiet
        self.start = self.last = time.perf_counter()
        self.bar = None

    def __enter__(self):
        if not self.quiet and self.console.is_terminal:
            from rich.progress import BarColumn, MofNCompleteColumn, SpinnerColumn, TextColumn, TimeElapsedColumn
            from rich.progress import Progress as Bar

            self.bar = Bar(SpinnerColumn(), TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                           TimeElapsedColumn(), console=self.console, transient=True)
            self.task = self.bar.add_task("processing: tables", total=None)
            self.bar.start()
        return self

    def __call__(self, step: str, done: int, total: int) -> None:
        if self.bar is not None:
            self.bar.update(self.task, description=f"processing: {step}", completed=done, total=total)
        elif not self.quiet and time.perf_counter() - self.last > 10:
            self.last = time.perf_counter()
            self.console.print(f"  processing: {step} {done}/{total} ({self.last - self.start:.0f} s)", markup=False)

    def __exit__(self, *exc):
        if self.bar is not None:
            self.bar.stop()
        return False


def cmd_validate(project: Project, console, write: bool = True, quiet: bool = False, reuse: bool = False,
                 timings: dict | None = None, on_valid=None) -> int:
    """Validate; if the data are valid, write the processed tables; then say so. Exit code: 0 valid
    (and written), 1 data problems (nothing written), 2 configuration error. ``on_valid()`` is
    called when the data are valid and the processed tables are about to be computed."""
    # loaded when the command runs, so `socta --help` starts without pandas
    from socta.analysis.trends import reporting
    from socta.ingest.validation import validate
    from socta.process.fingerprints import (
        inputs_fingerprint,
        processed_fingerprint,
    )

    # loaded when the command runs, so `socta --help` starts without pandas
    from socta.process.tables import write_processed

    timings = {} if timings is None else timings
    if reuse:
        try:
            unchanged = processed_fingerprint(project) == inputs_fingerprint(project)
        except OSError:  # an unreadable input: validation says which and why
            unchanged = False
        if unchanged:
            if not quiet:
                console.print(f"[green]✓ data unchanged[/] since the last validation ({project.data_dir}); "
                              "processed tables reused")
            return EXIT_OK

    start = time.perf_counter()
    try:
        result = validate(project)
    except ConfigError as exc:
        console.print("[bold red]Configuration error[/]:")
        console.print(str(exc), markup=False)
        return EXIT_CONFIG
    timings["validation"] = time.perf_counter() - start
    for note in result.notes:
        console.print(f"[yellow]note[/] {escape(note)}")
    if not result.ok:
        files = sorted({p.file for p in result.problems})
        console.print(f"[bold red]{len(result.problems):,} problem(s) in {escape(', '.join(files))}[/] "
                      f"({escape(str(project.data_dir))}) — nothing was written:")
        print_problems(console, result.problems)
        if result.warnings and not quiet:
            console.print("Also:")
            _print_warnings(console, result.warnings)
        return EXIT_DATA
    written = None
    if write:
        if on_valid:
            on_valid()
        start = time.perf_counter()
        # loaded when the command runs, so `socta --help` starts without pandas
        from socta.process.disclosure_policy import DisclosureError

        try:
            with _ProcessingProgress(console, quiet) as progress, reporting(progress):
                written = write_processed(project, result)
        except DisclosureError as exc:  # the data are valid, but the public edition cannot be made safe
            console.print("[bold red]Not published[/] — nothing was written:")
            console.print(str(exc), markup=False)
            return EXIT_DATA
        timings["processing"] = time.perf_counter() - start
    if not quiet:
        rows = ", ".join(f"{name} {len(frame):,} rows" if project.input_path(name).is_file() else f"{name} absent"
                         for name, frame in result.tables.items())
        console.print(f"[green]✓ data valid[/] ({escape(str(project.data_dir))}): {rows}"
                      + ("" if write else " (--dry-run: nothing written)"))
        if written:
            console.print(f"  processed tables: {', '.join(str(p) for p in written.values())}", markup=False)
        _print_warnings(console, result.warnings)
    return EXIT_OK


class Progress:
    """What runs, what is done, what failed and the time left: a live bar on a terminal, plain lines
    otherwise (CI logs), nothing but the summary with --quiet."""

    def __init__(self, console, total_to_run: int, quiet: bool = False):
        self.console, self.quiet = console, quiet
        self.live = None
        if not quiet and console.is_terminal and total_to_run:
            from rich.progress import BarColumn, MofNCompleteColumn, TextColumn, TimeElapsedColumn, TimeRemainingColumn
            from rich.progress import Progress as Bar

            self.live = Bar(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                            TextColumn("left"), TimeRemainingColumn(), console=console, transient=True)
            self.task = self.live.add_task("executing", total=total_to_run)
            self.live.start()

    def __call__(self, outcome, done, total):
        if outcome.skipped:
            return
        if self.live is not None:
            self.live.advance(self.task)
            self.live.update(self.task, description=f"last: {outcome.job.output}")
        if not self.quiet and not outcome.ok:
            self.console.print(f"  [bold red]✗[/] {outcome.job.output} failed ({outcome.seconds:.1f} s)")
        elif not self.quiet and self.live is None:
            self.console.print(f"  ✓ {outcome.job.output} ({outcome.seconds:.1f} s)", markup=False)

    def stop(self):
        if self.live is not None:
            self.live.stop()


def cmd_run(project: Project, args, console) -> int:
    # loaded when the command runs, so `socta --help` starts without pandas
    from socta.run.execute import prune, run_grid, write_stand_in
    from socta.run.jobs import check_outputs, grid
    from socta.run.keys import FIGURES_ENV, figures_for, keys_for, recorded_key, up_to_date

    # an HTML-only report draws no vector figure; the kernels (started below) read this when they start
    figures = figures_for(_formats(args) if getattr(args, "formats", None) else None)
    os.environ[FIGURES_ENV] = ",".join(figures)
    pool = getattr(args, "pool", None)
    # new data mean pages to run: their kernels start while the processed tables are computed
    status = cmd_validate(project, console, quiet=args.quiet, reuse=not args.force,
                          on_valid=pool.warm if pool and not args.scheduler else None)
    if status:
        return status
    audience, lang = args.audience, args.lang
    countries = [c.upper() if c.lower() != REGION else REGION for c in args.country] if args.country else None
    processed = project.processed_dir(Edition(audience).data_audience)  # training: the public tables
    jobs = grid(project, audience, lang, processed, countries=countries, areas=args.area)
    if not jobs:
        # loaded when the command runs, so `socta --help` starts without pandas
        from socta.ingest.reference import Reference

        ref = Reference(project)
        console.print("[bold red]No notebook matches --country/--area.[/]")
        console.print(f"  countries: {', '.join(ref.countries.index)}, region; "
                      f"areas: {', '.join(ref.top_areas.index)}, ocg", markup=False)
        return 2
    edition = project.edition_dir(audience, lang)
    source = edition / "source"
    try:
        check_outputs(jobs, source, edition / "failed")
    except ConfigError as exc:  # a page whose name leads out of the build folder: nothing runs
        console.print("[bold red]Configuration error[/]:")
        console.print(str(exc), markup=False)
        return EXIT_CONFIG
    keys = keys_for(project, jobs, processed, figures)
    to_run = len(jobs) if args.force else sum(not up_to_date(recorded_key(source, j), keys[j.output]) for j in jobs)
    where = f"the Dask cluster at {args.scheduler}" if args.scheduler else f"{args.jobs} processes"
    if not args.quiet:
        console.print(f"{len(jobs)} notebook{'s' if len(jobs) != 1 else ''} in the {audience}-{lang} grid; "
                      f"{to_run} to execute on {where}, {len(jobs) - to_run} up to date.")
    start = time.perf_counter()
    progress = Progress(console, to_run, args.quiet)
    try:
        outcomes = run_grid(jobs, source, edition / "failed", workers=args.jobs, timeout=args.timeout,
                            progress=progress, keys=keys, force=args.force, scheduler=args.scheduler, pool=pool)
    except KeyboardInterrupt:
        progress.stop()
        console.print("[bold yellow]Interrupted.[/] Pages that finished are in place; the others keep their "
                      "previous version. Nothing is half-written.")
        return 130
    progress.stop()
    if countries is None and args.area is None:
        prune(source, jobs)
    failed = [o for o in outcomes if not o.ok]
    for o in failed:  # the book says which pages failed and why; their last good pages go to failed/
        write_stand_in(o.job, source, edition / "failed", o.error)
    executed = sum(1 for o in outcomes if not o.skipped)
    console.print(f"{executed - len(failed)} executed, {len(outcomes) - executed} up to date, {len(failed)} failed "
                  f"in {time.perf_counter() - start:.0f} s.")
    if failed:
        console.print(f"[bold red]{len(failed)} notebook(s) failed[/]; in the book each is a page that says it could "
                      f"not be built and why (their previous pages are kept in {escape(str(edition / 'failed'))}):")
        for o in failed:
            area = o.job.parameters.get("area", o.job.template)
            console.print(f"  • {o.job.output} (country {o.job.parameters.get('scope')}, area {area}): {o.error}",
                          markup=False)
            if o.failed_copy:
                console.print(f"    executed notebook with the traceback: {o.failed_copy}", markup=False)
        return 1
    return 0


def cmd_build(project: Project, args, console) -> int:
    # loaded when the command runs, so `socta --help` starts without pandas
    from socta.book.build import build_html, build_pdf
    from socta.book.stage import BuildError

    formats = _formats(args)
    unknown = set(formats) - {"html", "pdf"}
    if unknown:
        console.print(f"[bold red]Unknown format(s) {', '.join(sorted(unknown))}[/]: use html, pdf or html,pdf")
        return 2
    # loaded when the command runs, so `socta --help` starts without pandas
    from socta.run.stale import describe_stale, stale_report

    stale = stale_report(project, args.audience, args.lang, formats)
    if stale and not args.allow_stale:
        console.print(f"[bold red]{len(stale)} page(s) are missing or out of date[/] for the data and code now in force "
                      f"({escape(str(project.data_dir))}):")
        for line in describe_stale(stale):  # grouped by why; the first 12 pages by name, then a count
            console.print("  " + line, markup=False)
        console.print("Run `socta run` (same --data) first; it executes only what changed. --allow-stale builds anyway.",
                      markup=False)
        return 1
    # loaded when the command runs, so `socta --help` starts without pandas
    from socta.book.stage import stage
    from socta.narrative.files import NarrativeError

    try:  # the book source once for every format: the narrative is rendered and checked here
        source = stage(project, args.audience, args.lang)
    except ConfigError as exc:
        console.print("[bold red]Narrative error[/]:" if isinstance(exc, NarrativeError) else "[bold red]Configuration error[/]:")
        console.print(str(exc), markup=False)
        return EXIT_CONFIG
    if report_narrative(project, args, console):
        return 1
    builders = {"html": build_html, "pdf": build_pdf}
    for fmt in formats:
        start = time.perf_counter()
        try:
            path = builders[fmt](project, args.audience, args.lang, source)
        except (BuildError, ConfigError) as exc:
            console.print(f"[bold red]{fmt.upper()} build failed[/]:")
            console.print(str(exc), markup=False)
            return 1
        console.print(f"[green]✓ {fmt.upper()} built[/] in {time.perf_counter() - start:.0f} s: {path}")
    return 0


def report_narrative(project: Project, args, console) -> bool:
    """Print what the narrative check found in the edition just staged; True when ``--final`` refuses
    to build (a finding, a draft, or a configured chapter nobody wrote)."""
    from socta.book.stage import read_narrative_report  # loaded when the command runs, as above

    report = read_narrative_report(project.edition_dir(args.audience, args.lang))
    final = getattr(args, "final", False)
    issues, drafts, missing = report.get("issues", []), report.get("drafts", []), report.get("missing_chapters", [])
    if report.get("files"):
        c = report.get("counted", {})
        console.print(f"Narrative: {report['files']} text(s), {c.get('values', 0)} live values, {c.get('numbers', 0)} "
                      f"typed numbers, {c.get('directions', 0)} direction words and {c.get('terms', 0)} yardstick "
                      f"terms checked", markup=False)
    colour = "bold red" if final else "yellow"
    for issue in issues:
        console.print(f"[{colour}]{'error' if final else 'warning'}[/] " + escape(
            f"{issue['path']}, line {issue['line']}: {issue['message']}"))
    if final and drafts:
        console.print(f"[bold red]{len(drafts)} narrative text(s) are drafts[/] (status: draft in the front matter); "
                      "a reviewer sets status: reviewed:")
        for path in drafts:
            console.print("  " + path, markup=False)
    if final and missing:
        console.print(f"[bold red]No text for the chapter(s) {', '.join(missing)}[/] "
                      f"(narrative.chapters in settings.yaml): write narrative/<lang>/<id>.md", markup=False)
    refused = final and bool(issues or drafts or missing)
    if refused:
        console.print("--final builds a publication only from reviewed narrative that the check finds nothing in; "
                      "nothing was built.", markup=False)
    return refused


def cmd_narrative(project: Project, console) -> int:
    """The narrative texts, their review state and their translations."""
    from rich.table import Table

    # loaded when the command runs, so `socta --help` starts without pandas
    from socta.narrative import status
    from socta.narrative.files import NarrativeError

    try:
        rows = status.rows(project)
        untranslated, unwritten = status.missing_translations(project), status.missing_chapters(project)
    except NarrativeError as exc:
        console.print("[bold red]Narrative error[/]:")
        console.print(str(exc), markup=False)
        return EXIT_CONFIG
    if not rows:
        console.print(f"No narrative texts in {escape(str(project.data_dir))} (data/README.md, \"Narrative\", says how "
                      "to write them).")
    else:
        table = Table("page", "language", "status", "author", "reviewer", "translation", "fingerprint")
        for column in (0, 5, 6):
            table.columns[column].no_wrap = True
        for row in rows:
            state = row.translation if row.translation in ("source", "current") else f"[bold red]{row.translation}[/]"
            table.add_row(escape(row.page), row.lang, row.status if row.status == "reviewed" else f"[yellow]{row.status}[/]",
                          escape(row.author), escape(row.reviewer), state, row.fingerprint)
        console.print(table)
        console.print("A translation records its source's fingerprint as translated_from in its front matter.",
                      markup=False)
    for page, lang in untranslated:
        console.print(f"not translated into {lang}: {page} (the {lang} editions show the source text, with a note)",
                      markup=False)
    for chapter in unwritten:
        console.print(f"no text for the chapter {chapter} (narrative.chapters): --final refuses to build without it",
                      markup=False)
    stale = sum(1 for row in rows if row.translation == "older than its source")
    return 1 if stale else 0


def cmd_backtest(project: Project, args, console) -> int:
    # loaded when the command runs, so `socta --help` starts without pandas
    from socta.process.backtesting import backtest_command

    return backtest_command(project, console, simulate=args.simulate, seed=args.seed, write=args.write_calibration,
                            with_data=not args.no_data, out=args.out)


def cmd_preview(project: Project, args, console) -> int:
    """Serve the edition; rebuild its HTML on every save of a narrative file."""
    from socta.book.preview import rebuild, serve  # loaded when the command runs, as above

    seconds, error = rebuild(project, args.audience, args.lang)
    if error:
        console.print("[bold red]The HTML could not be built[/]:")
        console.print(error, markup=False)
        return 1
    console.print(f"HTML built in {seconds:.1f} s", markup=False)
    serve(project, args.audience, args.lang, args.port, lambda line: console.print(line, markup=False))
    return 0


def cmd_import(args, console) -> int:
    """Source tables → statistics.csv (and provenance.csv) through a declared mapping file."""
    # loaded when the command runs, so `socta --help` starts without pandas or openpyxl
    from socta.collect.commands import import_command
    from socta.ingest.importer import ImportFailed, run_import
    from socta.ingest.mapping import MappingError

    if args.workbook:
        return import_command(args, console)
    try:
        result, written = run_import(args.mapping, args.out, data_dir=args.data, write=not args.dry_run)
    except MappingError as exc:
        console.print(f"[bold red]Mapping error[/] ({args.mapping}):")
        console.print(str(exc), markup=False)
        return 2
    except ConfigError as exc:
        console.print("[bold red]Configuration error[/]:")
        console.print(str(exc), markup=False)
        return 2
    except ImportFailed as exc:
        for line in exc.report:
            console.print(line, markup=False)
        console.print(f"[bold red]{len(exc.problems)} problem(s)[/]; nothing was written:")
        for problem in exc.problems:
            console.print(f"  • {problem}", markup=False)
        return 1
    for line in result.report:
        console.print(line, markup=False)
    if written:
        console.print(f"[green]✓ {len(result.rows)} rows imported[/]: " + escape(", ".join(str(p) for p in written)))
        console.print(f"Next: socta validate --data {Path(args.out).parent}", markup=False)
    else:
        console.print(f"[green]✓ {len(result.rows)} rows would be imported[/] (--dry-run: nothing written)")
    return 0


def cmd_notebook(project: Project, args, console) -> int:
    """Write one page's working copy: parameters filled in, this edition's processed data."""
    import nbformat

    # loaded when the command runs, so `socta --help` starts without pandas
    from socta.run.execute import working_copy
    from socta.run.jobs import find_job, grid

    status = cmd_validate(project, console, quiet=True, reuse=True)
    if status:
        return status
    jobs = grid(project, args.audience, args.lang, project.processed_dir(Edition(args.audience).data_audience))
    try:
        job = find_job(jobs, args.scope, args.page)
    except ValueError as exc:
        console.print(f"[bold red]Usage error[/]: {escape(str(exc))}")
        return EXIT_CONFIG
    try:  # the default copy stays in work/ whatever the names; --out is the analyst's own choice
        out = args.out or confined(Path("work"), f"{args.scope}-{args.page}.ipynb", what="the working copy")
    except ConfigError as exc:
        console.print(f"[bold red]Usage error[/]: {escape(str(exc))}")
        return EXIT_CONFIG
    out.parent.mkdir(parents=True, exist_ok=True)
    text = nbformat.writes(working_copy(job, with_solutions=args.solutions))
    tmp = out.with_name(f".{out.name}.tmp")
    tmp.write_text(text, encoding="utf-8")
    tmp.replace(out)  # a half-written notebook would not open
    console.print(f"[green]✓ {escape(job.title)}[/] ({args.audience} edition, {args.lang}): {escape(str(out))}")
    template = os.path.normpath(Path("notebooks") / job.template)  # a lesson's is ../training/…
    console.print(f"  Open it with: jupyter lab {out}   (template: {template})", markup=False)
    return EXIT_OK


AUDIENCES = list(EDITION_AUDIENCES)

AUDIENCE_HELP = ("public (default), restricted, or training: the classroom book of lessons on the public "
                 "processed tables, code shown, with exercises and solutions")


def _formats(args) -> list[str]:
    """The book formats asked for (``--formats``), else the edition's default."""
    return [f.strip() for f in (args.formats or default_formats(args.audience)).split(",") if f.strip()]


def default_formats(audience: str) -> str:
    """What ``--formats`` builds when not given: HTML and PDF; HTML only for the training edition."""
    return Edition(audience).formats


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="socta", description="Serious and Organised Crime Threat Assessment toolkit")
    sub = parser.add_subparsers(dest="command", required=True)

    def common(p):
        p.add_argument("--data", type=Path, default=Path(os.environ.get("SOCTA_DATA", DEFAULT_DATA_DIR)),
                       help="data folder laid out as in data/README.md (default: the synthetic demonstration data)")
        p.add_argument("--build-dir", type=Path, default=None, help="where build products go (default: _build)")

    def edition(p):
        p.add_argument("--audience", choices=AUDIENCES, default=PUBLIC, help=AUDIENCE_HELP)
        p.add_argument("--lang", default="en", help="language of the edition: en (default), sr, sr-Latn, mk, cnr "
                       "(socta/locale/languages.yaml); several as sr,mk, or 'all': every language of settings.yaml")
        p.add_argument("--formats", default=None, help="what to build: html, pdf or html,pdf (default; html for "
                       "the training edition)")

    def running(p):
        p.add_argument("--country", action="append", help="run only this country (ISO3, or 'region'); repeatable")
        p.add_argument("--area", action="append", help="run only this crime area (id, or 'ocg'); repeatable")
        p.add_argument("--jobs", type=int, default=os.cpu_count() or 2, help="notebooks executed at once (default: cores)")
        p.add_argument("--timeout", type=int, default=600, help="seconds a notebook cell may run (default: 600)")
        p.add_argument("--force", action="store_true", help="execute every notebook, even those up to date")
        p.add_argument("--quiet", action="store_true", help="print only the summary and problems")
        p.add_argument("--fresh-kernels", action="store_true", help="start a new kernel for every notebook instead "
                       "of reusing each worker's warm one (slower; for comparison)")
        p.add_argument("--scheduler", metavar="ADDRESS", default=None,
                       help="run on a Dask cluster (e.g. tcp://10.0.0.5:8786) instead of local processes")

    p = sub.add_parser("validate", help="check every input table; write processed tables if valid",
                       description="Check every input table against data/README.md and report every problem at "
                       "once; if the data are valid, write the processed tables. Exit status: 0 valid, 1 the data "
                       "have problems (nothing written), 2 a configuration or usage error, 70 an internal error.")
    common(p)
    p.add_argument("--dry-run", action="store_true", help="check only: do not write the processed tables")
    p = sub.add_parser("run", help="validate, then execute the notebook grid with papermill")
    common(p), edition(p), running(p)
    p = sub.add_parser("build", help="build the edition's HTML and PDF from the executed notebooks")
    common(p), edition(p)
    p.add_argument("--allow-stale", action="store_true", help="build even if some pages are out of date")
    p.add_argument("--final", action="store_true", help="publication: refuse to build while a narrative text is a "
                   "draft, a configured chapter is unwritten or the narrative check finds anything")
    p = sub.add_parser("report", help="validate, run every notebook and build the book")
    common(p), edition(p), running(p)
    p.add_argument("--keep-going", action="store_true", help="build the book even if some notebooks failed "
                   "(their previous pages are used)")
    p.add_argument("--final", action="store_true", help="publication: refuse to build while a narrative text is a "
                   "draft, a configured chapter is unwritten or the narrative check finds anything")
    p = sub.add_parser("notebook", help="write a page's notebook to open, run and change in JupyterLab",
                       description="Write the notebook of one page (e.g. `socta notebook SRB drugs`), with its "
                       "parameters filled in and pointing at this edition's processed data, to open in JupyterLab "
                       "(or any Jupyter), run cell by cell and change. Figures and tables show inline. The data are "
                       "validated first if they changed. To change the book itself, edit notebooks/<template>.md.")
    p.add_argument("scope", help="ISO3 code of a country, or 'region'")
    p.add_argument("page", help="a crime area id (e.g. drugs), 'ocg', or a regional chapter (conclusions, "
                   "methodology, factors, open_sources, annex); with --audience training, a lesson (lesson-1 …)")
    common(p)
    p.add_argument("--audience", choices=AUDIENCES, default=PUBLIC, help=AUDIENCE_HELP)
    p.add_argument("--lang", default="en", help="language of the edition (default: en)")
    p.add_argument("--out", type=Path, default=None, help="the notebook to write (default: work/<scope>-<page>.ipynb)")
    p.add_argument("--solutions", action="store_true", help="training lessons: keep the solutions (a trainer's "
                   "copy); without it each solution is an empty answer cell")
    p = sub.add_parser("narrative", help="the analysts' texts: their review state and translations",
                       description="`socta narrative status` lists every narrative text of the data folder "
                       "(narrative/<lang>/<page>.md), its author, reviewer and status, whether each translation "
                       "is current or older than its source, the translations and chapters not yet written.")
    common(p)
    p.add_argument("action", choices=["status"], help="status: the table of narrative texts")
    p = sub.add_parser("preview", help="serve the edition on localhost; rebuild the HTML when a narrative file is saved",
                       description="Serve the edition's HTML on 127.0.0.1 and rebuild it, without running any "
                       "notebook, each time a file of the narrative folder is saved. Run `socta report` (or `socta "
                       "run`) first: the pages must be executed.")
    common(p)
    p.add_argument("--audience", choices=AUDIENCES, default=PUBLIC, help=AUDIENCE_HELP)
    p.add_argument("--lang", default="en", help="language of the edition (default: en)")
    p.add_argument("--port", type=int, default=8000, help="port on 127.0.0.1 (default: 8000; 0: any free port)")
    p = sub.add_parser("backtest", help="how well the judgements' probabilities are calibrated",
                       description="Forecast every series of the data again from each earlier year (rolling origin) "
                       "and score the forecasts against what followed: per yardstick band the forecasts and the "
                       "events that happened, the Brier score and its skill against climatology and persistence, "
                       "the PIT of next year's value. --simulate N does the same on N simulated series with known "
                       "truth; exit status 1 when a band's observed frequency is more than 5 points outside it.")
    common(p)
    p.add_argument("--simulate", type=int, default=0, metavar="N", help="also forecast N simulated series")
    p.add_argument("--seed", type=int, default=2026, help="the simulation's seed (default: 2026)")
    p.add_argument("--write-calibration", action="store_true", help="fit the calibration map on the simulation "
                   "(checked on a second one, seed + 1) and write it into the package (socta/analysis/calibration.csv)")
    p.add_argument("--no-data", action="store_true", help="the simulation only")
    p.add_argument("--out", type=Path, default=None, help="write the data's forecasts to this CSV file")
    p = sub.add_parser("import", help="turn source tables (through a mapping file) or the units' filled workbooks "
                       "into a data folder's tables",
                       description="With --mapping: read the source files a mapping file declares and write "
                       "statistics.csv and, beside it, provenance.csv (source file, row and value as published of "
                       "every row); the mapping format is described in data/README.md. With --workbook: read filled "
                       "collection workbooks (socta collect) into the folder --out: statistics.csv, ocg_register.csv, "
                       "ocg_answers.csv, expert_assessments.csv, provenance.csv (the workbook, sheet and cell of "
                       "every value), workbooks.csv (their checksums) and, for a new folder, dataset.yaml. Every "
                       "problem is reported by workbook, sheet and cell; nothing is written unless there is none.")
    source = p.add_mutually_exclusive_group(required=True)
    source.add_argument("--mapping", type=Path, help="the mapping file (YAML), e.g. data/open/mapping.yaml")
    source.add_argument("--workbook", type=Path, nargs="+", help="filled collection workbooks (.xlsx), one or many")
    p.add_argument("--out", type=Path, required=True, help="with --mapping: the statistics file to write, e.g. "
                   "data/open/statistics.csv; with --workbook: the data folder to write")
    p.add_argument("--data", type=Path, default=None, help="data folder whose reference (indicators, countries) the "
                   "input is checked against (default: the folder of --out)")
    p.add_argument("--country", action="append", help="with --workbook: the country expected (ISO3; repeatable): a "
                   "workbook of another is refused")
    p.add_argument("--dry-run", action="store_true", help="check and report, write nothing")
    p = sub.add_parser("collect", help="write the collection workbooks (.xlsx) the units fill in",
                       description="Write an .xlsx workbook per country and language (and unit): instructions, a "
                       "sheet per crime area, a groups questionnaire and an expert-assessment sheet, input cells "
                       "unlocked, drop-down lists, a Check column; with --data, last cycle's values pre-filled. "
                       "Read them back with socta import --workbook (README.md, 'Collecting data from the units').")
    p.add_argument("--data", type=Path, default=None, help="data folder whose configuration and period are used and "
                   "whose values are pre-filled (default: no pre-filling, the shipped configuration)")
    p.add_argument("--country", action="append", help="ISO3 code (repeatable; default: every country of countries.csv)")
    p.add_argument("--lang", action="append", help="language of the workbook (repeatable or sr,en; default: the "
                   "country's language and en)")
    p.add_argument("--years", default=None, help="the years to collect, e.g. 2015-2025 (default: the data folder's "
                   "period)")
    p.add_argument("--unit", default=None, help="the unit the workbook is for, e.g. 'Border police' (in its name "
                   "and instructions)")
    p.add_argument("--out", type=Path, default=BUILD_DIR / "collection", help="where the workbooks go (default: "
                   "_build/collection)")
    return parser


def error_folders(args) -> list[Path]:
    """Where the traceback of an internal error is kept, in order of preference: the build folder of a
    verb that has one (``--build-dir``, default ``_build/``), then the system's temporary folder.

    ``socta import`` has no build folder, and writes into a data folder that is versioned and shared
    with its raw files: a traceback (with this machine's paths) must not land there, nor in the
    repository's ``_build/`` when ``--out`` is elsewhere. Its traceback goes to the temporary folder."""
    import tempfile

    temporary = Path(tempfile.gettempdir())
    if getattr(args, "command", None) == "import":
        return [temporary]
    return [getattr(args, "build_dir", None) or BUILD_DIR, temporary]


def _internal_error(exc: BaseException, console, folders: list[Path]) -> int:
    """An unexpected exception: a bug, not bad data. Say so, keep the traceback, exit 70."""
    import traceback

    text = "".join(traceback.format_exception(exc))
    stamp = time.strftime("%Y%m%d-%H%M%S")
    path = None
    for folder in folders:
        try:
            folder.mkdir(parents=True, exist_ok=True)
            path = folder / f"socta-internal-error-{stamp}.txt"
            path.write_text(f"socta {' '.join(sys.argv[1:])}\n\n{text}", encoding="utf-8")
            break
        except OSError:
            path = None
    frames = traceback.extract_tb(exc.__traceback__)
    where = f" (in {Path(frames[-1].filename).name}:{frames[-1].lineno}, {frames[-1].name})" if frames else ""
    console.print("[bold red]internal error, please report[/]: this is a bug in socta, not a problem of your data "
                  "(your files were not changed).")
    console.print(f"  {type(exc).__name__}: {exc}{where}", markup=False)
    if path:
        console.print(f"  The full traceback is in {path}: attach it, with the command you ran, to the report.",
                      markup=False)
    else:
        console.print(text, markup=False)
    return EXIT_INTERNAL


def main(argv: list[str] | None = None) -> int:
    """The command line; returns the exit code (see EXIT_* above and README.md)."""
    args = build_parser().parse_args(argv)  # a usage error exits with 2, argparse's own code
    console = _console()
    try:
        return _main(args, console)
    except KeyboardInterrupt:
        console.print("[bold yellow]Interrupted.[/]")
        return 130
    except Exception as exc:  # noqa: BLE001 - anything unexpected is a bug to report, never a traceback dump
        return _internal_error(exc, console, error_folders(args))


def _main(args, console) -> int:
    if getattr(args, "fresh_kernels", False):  # read by the pool's workers (socta/run/kernels.py)
        os.environ["SOCTA_FRESH_KERNELS"] = "1"
    if args.command == "import":  # writes a data folder's statistics; needs no dataset.yaml yet
        return cmd_import(args, console)
    if args.command == "collect":  # writes workbooks, reads a data folder only to pre-fill them
        # loaded when the command runs, so `socta --help` starts without openpyxl
        from socta.collect.commands import collect_command

        try:
            return collect_command(args, console)
        except ConfigError as exc:
            console.print("[bold red]Configuration error[/]:")
            console.print(str(exc), markup=False)
            return EXIT_CONFIG
    languages = None
    try:
        kwargs = {"data_dir": args.data}
        if args.build_dir:
            kwargs["build_dir"] = args.build_dir
        project = Project(**kwargs)
        _ = project.dataset, project.years  # a malformed dataset.yaml or period stops here, with its fix
        languages = project.settings.languages
    except ConfigError as exc:
        console.print("[bold red]Configuration error[/]:")
        console.print(str(exc), markup=False)
        return EXIT_CONFIG
    if getattr(args, "audience", None) == TRAINING:  # the lessons (training/) are written in English only
        if args.lang == "all":
            args.lang = "en"
        elif args.lang != "en":
            console.print("[bold red]Usage error[/]: " + escape(
                f"the training edition is in English only (its lessons in training/ have no translation yet); "
                f"--lang {args.lang} builds the public or restricted edition."))
            return 2
    editions = edition_languages(getattr(args, "lang", "en"), languages)
    if isinstance(editions, str):
        console.print("[bold red]Configuration error[/]: " + escape(editions))
        return EXIT_CONFIG
    if args.command == "validate":
        return cmd_validate(project, console, write=not args.dry_run)
    if args.command == "narrative":
        return cmd_narrative(project, console)
    if args.command == "backtest":
        return cmd_backtest(project, args, console)
    if args.command == "preview":
        return cmd_preview(project, args, console)
    if args.command == "notebook":
        if len(editions) > 1:
            console.print("[bold red]Usage error[/]: a notebook is written in one language (--lang en, sr, …)")
            return 2
        return cmd_notebook(project, args, console)
    # loaded when the command runs, so `socta --help` starts without pandas
    from socta.run.execute import WorkerPool

    status = 0
    args.pool = WorkerPool(args.jobs) if args.command in ("run", "report") else None
    try:
        for lang in editions:  # the data are validated and processed once; each language has its own pages
            args.lang = lang
            if len(editions) > 1:
                console.rule(f"{args.audience}-{lang}")
            status = max(status, _edition(project, args, console))
            if status == 130:
                break
    finally:
        if args.pool:
            args.pool.close(cancel=status == 130)
    if len(editions) > 1:
        console.print(f"Editions {', '.join(f'{args.audience}-{lang}' for lang in editions)} in "
                      f"{project.build_dir}/; each HTML edition links to the others (the language menu on every page).",
                      markup=False)
    return status


def edition_languages(requested: str, configured: list[str]) -> list[str] | str:
    """The languages ``--lang`` asks for (one code, ``sr,mk`` or ``all``), or why one cannot be built."""
    # loaded when the command runs, so `socta --help` starts without pandas
    from socta.i18n import translate as i18n

    wanted = list(configured) if requested == "all" else [code.strip() for code in requested.split(",") if code.strip()]
    for lang in wanted:
        if lang not in configured:
            return (f"no edition language {lang!r}: settings.yaml lists {', '.join(configured)} (`languages`); "
                    f"socta knows {', '.join(i18n.languages())} (socta/locale/languages.yaml)")
        why = i18n.missing_catalogue(lang)
        if why:
            return f"the {lang} edition cannot be built: {why}"
    return wanted


def _edition(project: Project, args, console) -> int:
    """run, build or report one language's edition."""
    if args.command == "run":
        return cmd_run(project, args, console)
    if args.command == "build":
        return cmd_build(project, args, console)
    status = cmd_run(project, args, console)
    if status and not (status == 1 and args.keep_going):
        if status == 1:
            console.print("The book was not built from a failed run (use --keep-going to build it anyway).")
        return status
    # a complete, successful run has just brought every page up to date; otherwise check
    args.allow_stale = bool(status) or (args.country is None and args.area is None)
    return cmd_build(project, args, console) or status

if __name__ == "__main__":
    sys.exit(main())
