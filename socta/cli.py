"""The ``socta`` command: validate the data, run the notebooks, build the book.

    socta validate [--data DIR]
    socta run      [--data DIR] [--audience A] [--country ISO3 ...] [--area ID ...] [--jobs N]
    socta build    [--data DIR] [--audience A]
    socta report   [--data DIR] [--audience A]       # all three
"""
from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

from .config import DEFAULT_DATA_DIR, REGION, ConfigError, Project


def _console():
    from rich.console import Console

    return Console(stderr=False, highlight=False, soft_wrap=True)


def cmd_validate(project: Project, console, write: bool = True) -> int:
    from .processing import write_processed
    from .validation import validate

    try:
        result = validate(project)
    except ConfigError as exc:
        console.print(f"[bold red]Configuration error[/]: {exc}")
        return 2
    for note in result.notes:
        console.print(f"[yellow]note[/] {note}")
    if not result.ok:
        console.print(f"[bold red]{len(result.problems)} problem(s) in {project.data_dir}[/] — nothing was written:")
        for problem in result.problems:
            console.print(f"  • {problem}", markup=False)
        return 1
    rows = ", ".join(f"{name} {len(frame)} rows" for name, frame in result.tables.items())
    console.print(f"[green]✓ data valid[/] ({project.data_dir}): {rows}")
    if write:
        written = write_processed(project, result)
        console.print(f"  processed tables: {', '.join(str(p) for p in written.values())}")
    return 0


def _progress_printer(console):
    def show(outcome, done, total):
        mark = "[green]✓[/]" if outcome.ok else "[bold red]✗[/]"
        console.print(f"  {mark} [{done:>2}/{total}] {outcome.job.output} ({outcome.seconds:.1f} s)")
    return show


def cmd_run(project: Project, args, console) -> int:
    from .runner import grid, prune, run_grid

    status = cmd_validate(project, console)
    if status:
        return status
    audience, lang = args.audience, args.lang
    countries = [c.upper() if c.lower() != REGION else REGION for c in args.country] if args.country else None
    jobs = grid(project, audience, lang, project.processed_dir(audience), countries=countries, areas=args.area)
    if not jobs:
        from .reference import Reference

        ref = Reference(project)
        console.print("[bold red]No notebook matches --country/--area.[/]")
        console.print(f"  countries: {', '.join(ref.countries.index)}, region; "
                      f"areas: {', '.join(ref.top_areas.index)}, ocg", markup=False)
        return 2
    edition = project.edition_dir(audience, lang)
    console.print(f"Executing {len(jobs)} notebook{'s' if len(jobs) != 1 else ''} for the {audience}-{lang} edition on {args.jobs} processes …")
    start = time.perf_counter()
    outcomes = run_grid(jobs, edition / "source", edition / "failed", workers=args.jobs,
                        timeout=args.timeout, progress=_progress_printer(console))
    if countries is None and args.area is None:
        prune(edition / "source", jobs)
    failed = [o for o in outcomes if not o.ok]
    console.print(f"{len(outcomes) - len(failed)} of {len(outcomes)} notebooks executed in {time.perf_counter() - start:.0f} s.")
    if failed:
        console.print(f"[bold red]{len(failed)} notebook(s) failed[/]; their previous pages were kept:")
        for o in failed:
            console.print(f"  • {o.job.output} ({o.job.template}, scope {o.job.parameters.get('scope')}): {o.error}", markup=False)
            if o.failed_copy:
                console.print(f"    traceback in {o.failed_copy}", markup=False)
        return 1
    return 0


def cmd_build(project: Project, args, console) -> int:
    from .build import BuildError, build_html, build_pdf

    formats = [f.strip() for f in args.formats.split(",") if f.strip()]
    unknown = set(formats) - {"html", "pdf"}
    if unknown:
        console.print(f"[bold red]Unknown format(s) {', '.join(sorted(unknown))}[/]: use html, pdf or html,pdf")
        return 2
    builders = {"html": build_html, "pdf": build_pdf}
    for fmt in formats:
        start = time.perf_counter()
        try:
            path = builders[fmt](project, args.audience, args.lang)
        except (BuildError, ConfigError) as exc:
            console.print(f"[bold red]{fmt.upper()} build failed[/]:")
            console.print(str(exc), markup=False)
            return 1
        console.print(f"[green]✓ {fmt.upper()} built[/] in {time.perf_counter() - start:.0f} s: {path}")
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="socta", description="Serious and Organised Crime Threat Assessment toolkit")
    sub = parser.add_subparsers(dest="command", required=True)

    def common(p):
        p.add_argument("--data", type=Path, default=Path(os.environ.get("SOCTA_DATA", DEFAULT_DATA_DIR)),
                       help="data folder laid out as in data/README.md (default: the synthetic demonstration data)")
        p.add_argument("--build-dir", type=Path, default=None, help="where build products go (default: _build)")

    def edition(p):
        p.add_argument("--audience", choices=["public", "restricted"], default="public")
        p.add_argument("--lang", default="en", help="language of the edition (default: en)")
        p.add_argument("--formats", default="html,pdf", help="what to build: html, pdf or html,pdf (default)")

    def running(p):
        p.add_argument("--country", action="append", help="run only this country (ISO3, or 'region'); repeatable")
        p.add_argument("--area", action="append", help="run only this crime area (id, or 'ocg'); repeatable")
        p.add_argument("--jobs", type=int, default=os.cpu_count() or 2, help="notebooks executed at once (default: cores)")
        p.add_argument("--timeout", type=int, default=600, help="seconds a notebook cell may run (default: 600)")

    p = sub.add_parser("validate", help="check every input table; write processed tables if valid")
    common(p)
    p = sub.add_parser("run", help="validate, then execute the notebook grid with papermill")
    common(p), edition(p), running(p)
    p = sub.add_parser("build", help="build the edition's HTML book from the executed notebooks")
    common(p), edition(p)
    p = sub.add_parser("report", help="validate, run every notebook and build the book")
    common(p), edition(p), running(p)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    console = _console()
    languages = None
    try:
        kwargs = {"data_dir": args.data}
        if args.build_dir:
            kwargs["build_dir"] = args.build_dir
        project = Project(**kwargs)
        _ = project.dataset
        languages = project.settings.get("languages", ["en"])
    except ConfigError as exc:
        console.print("[bold red]Error[/]:")
        console.print(str(exc), markup=False)
        return 2
    if getattr(args, "lang", "en") not in languages:
        console.print(f"[bold red]Error[/]: no edition language {args.lang!r}; settings.yaml lists {', '.join(languages)}. "
                      "A language edition needs its catalogue in socta/locale/<lang>/LC_MESSAGES/socta.po first.")
        return 2
    if args.command == "validate":
        return cmd_validate(project, console)
    if args.command == "run":
        return cmd_run(project, args, console)
    if args.command == "build":
        return cmd_build(project, args, console)
    status = cmd_run(project, args, console)
    return status or cmd_build(project, args, console)


if __name__ == "__main__":
    sys.exit(main())
