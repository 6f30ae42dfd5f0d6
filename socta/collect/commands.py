"""The two verbs of the collection workbooks, called by socta.cli: ``socta collect`` and ``socta import
--workbook``. Exit codes as every verb's: 0 done, 1 the workbooks have problems, 2 a usage error."""
from __future__ import annotations

from rich.markup import escape

from socta.collect.layout import build_layout
from socta.collect.read import WorkbookImportFailed, import_workbooks
from socta.collect.write import workbook_name, write_workbook
from socta.core.config import ConfigError, Project, confined
from socta.core.tableio import TableError, read_csv_table
from socta.i18n import translate as i18n
from socta.ingest.reference import Reference
from socta.ingest.schema import INPUT_FILES


def collect_command(args, console) -> int:
    """Collection workbooks for the units: one per country, unit and language."""
    project = Project(data_dir=args.data) if args.data else Project()
    ref = Reference(project)
    countries = args.country or list(ref.countries.index)
    unknown = [c for c in countries if c not in ref.countries.index]
    if unknown:
        console.print("[bold red]Usage error[/]: " + escape(f"--country {', '.join(unknown)}: not in countries.csv "
                                                            f"({', '.join(ref.countries.index)})"))
        return 2
    years = project.years
    if args.years:
        parts = [p for p in args.years.replace("–", "-").split("-") if p.strip()]
        lo, hi = project.settings.assessment.valid_years
        if len(parts) != 2 or not all(p.strip().isdigit() for p in parts) or \
                not lo <= int(parts[0]) < int(parts[1]) <= hi:
            console.print("[bold red]Usage error[/]: " + escape(
                f"--years {args.years}: write the first and last year, e.g. --years {years[0]}-{years[1] + 1}, "
                f"within {lo}-{hi} (settings.yaml assessment.valid_years)"))
            return 2
        years = (int(parts[0]), int(parts[1]))
    previous = {}
    if args.data:  # last cycle's values, as written, pre-filled so units revise rather than retype
        for name in INPUT_FILES:
            path = project.input_path(name)
            if not path.is_file():
                continue
            try:
                previous[name] = read_csv_table(path).frame
            except TableError as exc:  # its message names the file, the line and the fix
                console.print("[bold red]Data error[/]: the values to pre-fill cannot be read:")
                console.print(f"  {exc}", markup=False)
                return 1
    written = []
    for country in countries:
        wanted = args.lang or [ref.countries.at[country, "language"], "en"]
        langs = [code.strip() for item in wanted for code in item.split(",") if code.strip()]
        for lang in dict.fromkeys(langs):
            if lang not in i18n.languages():
                console.print("[bold red]Usage error[/]: " + escape(f"--lang {lang}: socta knows "
                                                                    f"{', '.join(i18n.languages())}"))
                return 2
            unit = (args.unit or "").strip()
            layout = build_layout(project, country, lang, years, unit, previous)
            path = confined(args.out.resolve(), workbook_name(country, years, lang, unit), what="a workbook")
            written.append(write_workbook(layout, path))
            console.print(f"  {path}", markup=False)
    what = "pre-filled from " + str(project.data_dir) if previous else "empty"
    console.print(f"[green]✓ {len(written)} workbook(s)[/] for {years[0]}-{years[1]}, {escape(what)}. "
                  "Send each to its unit; read them back with: socta import --workbook FILE.xlsx ... --out DIR")
    return 0


def import_command(args, console) -> int:
    """Filled collection workbooks → a data folder (statistics, register, answers, expert assessments, places, links)."""
    try:
        project = Project(data_dir=args.data) if args.data else None
        written, collected, notes = import_workbooks(args.workbook, args.out, project, args.country,
                                                     write=not args.dry_run)
    except ConfigError as exc:  # --data, the folder's dataset.yaml or its configuration: the message says the fix
        console.print("[bold red]Configuration error[/]:")
        console.print(str(exc), markup=False)
        return 2
    except WorkbookImportFailed as exc:
        console.print(f"[bold red]{len(exc.problems)} problem(s)[/]; nothing was written:")
        for problem in exc.problems[:200]:
            console.print(f"  • {problem}", markup=False)
        if len(exc.problems) > 200:
            console.print(f"  … and {len(exc.problems) - 200} more", markup=False)
        return 1
    for note in collected.notes:
        console.print(f"[yellow]note[/] {escape(note)}")
    for warning in notes:
        console.print(("        " if warning.startswith("  ") else "[yellow]warning[/] ") + escape(warning.strip()))
    rows = {name: len(records) for name, records in collected.rows.items() if records}
    summary = ", ".join(f"{name} {n}" for name, n in rows.items())
    if written:
        console.print(f"[green]✓ {len(collected.manifest)} workbook(s) imported[/] ({escape(summary)} rows) into "
                      f"{escape(str(args.out))}; provenance.csv names the cell of every value, workbooks.csv their "
                      "checksums.")
        console.print(f"Next: socta validate --data {args.out}", markup=False)
    else:
        console.print(f"[green]✓ {len(collected.manifest)} workbook(s) would be imported[/] ({escape(summary)} rows; "
                      "--dry-run: nothing written)")
    return 0
