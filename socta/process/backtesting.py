"""`socta backtest`: how well the judgements' probabilities are calibrated, printed as tables
(:mod:`socta.analysis.backtest` computes; this module shows, and writes the calibration map)."""
from __future__ import annotations

from pathlib import Path

from rich.table import Table
from rich.text import Text

from socta.analysis import backtest, calibration
from socta.core.config import Project
from socta.ingest.reference import Reference
from socta.ingest.validation import validate
from socta.process.tables import backtest_of


def backtest_command(project: Project, console, simulate: int = 0, seed: int = 2026, write: bool = False,
                     with_data: bool = True, out: Path | None = None) -> int:
    """How well the judgement's probabilities are calibrated: the data's rolling-origin backtest, and with
    ``--simulate N`` a simulation with known truth (``--write-calibration``: fit the map on it)."""
    settings, ref = project.settings, Reference(project)
    shipped = calibration.shipped_map() if settings.judgement.calibrate else None

    def show(title: str, forecasts) -> None:
        table = Table("term", "band", "forecasts", "mean forecast", "events observed", "within ±5 points",
                      title=Text(title), title_justify="left")  # a path is text, not markup
        table.columns[0].no_wrap = True
        for column in range(1, 6):
            table.columns[column].justify = "right"
        for row in backtest.band_table(forecasts, ref.yardstick).itertuples():
            table.add_row(row.term, f"{row.lower_pct:g}–{row.upper_pct:g}%", str(row.forecasts),
                          "" if row.forecasts == 0 else f"{row.mean_pct:.1f}%",
                          "" if row.forecasts == 0 else f"{row.observed_pct:.1f}%",
                          {True: "yes", False: "[bold red]no[/]"}.get(row.within_5, "" if row.forecasts == 0 else
                                                                       f"too few (< {backtest.MIN_FORECASTS})"))
        console.print(table)
        sc = backtest.scores(forecasts)
        pit = backtest.pit_histogram(forecasts)
        persistence = (f" and {sc['skill_persistence']:+.2f} against persistence ({sc['persistence_forecasts']} "
                       "forecasts with the years it needs)") if sc["persistence_forecasts"] else ""
        console.print(f"{sc['forecasts']} forecasts, {sc['events']} events; Brier score {sc['brier']:.3f}, skill "
                      f"{sc['skill_climatology']:+.2f} against climatology{persistence} (0: no better than the baseline)",
                      markup=False)
        console.print("PIT of next year's value, share in each tenth (0.10 each when calibrated): "
                      + " ".join(f"{v:.2f}" for v in pit), markup=False)

    status = 0
    if with_data:
        result = validate(project)
        if not result.ok:
            console.print("[bold red]The data have problems[/]: `socta validate` lists them; nothing was backtested.")
            return 1
        forecasts = backtest_of(project, result)
        show(f"Backtest of {project.data_dir} (horizon {settings.judgement.horizon_years} years)", forecasts)
        if out:
            forecasts.to_csv(out, index=False)
    if simulate:
        if write:
            fitted = backtest.simulate(simulate, seed, settings)
            new_map = calibration.fit_map(fitted["p_raw"], fitted["event"])
            checked = backtest.simulate(simulate, seed + 1, settings, new_map)
            show(f"Simulation of {simulate} series (seed {seed + 1}), through the map fitted on seed "
                 f"{seed}", checked)
            how = f"socta backtest --simulate {simulate} --seed {seed} --write-calibration"
            calibration.write_table(new_map, calibration.MAP_FILE, f"fitted by {how}: isotonic regression of the "
                                    f"events on the raw probabilities of {len(fitted)} forecasts")
            check = backtest.band_table(checked, ref.yardstick).round({"mean_pct": 2, "observed_pct": 2}).assign(
                fitted_on=len(fitted))
            calibration.write_table(check, calibration.CHECK_FILE, f"written by {how}: the map checked on "
                                    f"{len(checked)} forecasts of another simulation (seed {seed + 1})")
            console.print(f"Calibration map written to {calibration.MAP_FILE}, its check to {calibration.CHECK_FILE}",
                          markup=False)
        else:
            forecasts = backtest.simulate(simulate, seed, settings, shipped)
            show(f"Simulation of {simulate} series (seed {seed}), raw probabilities",
                 forecasts.assign(p=forecasts["p_raw"]))
            show(f"Simulation of {simulate} series (seed {seed}), calibrated", forecasts)
            bands = backtest.band_table(forecasts, ref.yardstick)
            if shipped is not None and (bands["within_5"] == False).any():  # noqa: E712 - None: an empty band
                status = 1
    return status
