"""The one figure style: sizes, fonts, a colour-blind-safe palette that prints in grey, a source line.

Notebooks never set rcParams; they call :func:`apply_style` once (``Page`` does) and draw on the
figures :func:`new_figure` returns.
"""
from __future__ import annotations

import os
import textwrap

import matplotlib as mpl
import matplotlib.pyplot as plt
import pandas as pd
from cycler import cycler

from socta.core.markup import plain
from socta.i18n.translate import fmt_number, t

# After Okabe & Ito (2008), distinguishable with the common colour-vision deficiencies, keeping only
# colours of at least 3:1 against white (WCAG 2.1, 1.4.11; their orange, sky blue and yellow were 2.3:1
# and less) and adding darker ones. Colour is never the only code: series also differ by marker and
# line style (MARKERS, DASHES, same order; stacked bars by HATCHES), so a chart printed in grey still tells them apart.
PALETTE = ["#0072B2", "#D55E00", "#009E73", "#882255", "#000000", "#CC79A7", "#B8860B", "#5E3C99"]
MARKERS = ["o", "s", "^", "D", "v", "P", "X", "*"]
# the fill patterns of stacked bars, same order: parts of a stack differ in grey too (white lines on the colour)
HATCHES = ["", "///", "...", "xxx", "\\\\\\", "++", "oo", "--"]
# dash patterns (on, off, …) as seaborn's ``dashes`` takes them; "" is a solid line
DASHES = ["", (4, 1.5), (6, 1.5, 1.5, 1.5), (1.5, 1.5), (8, 2), (3, 1, 1, 1, 1, 1), (2, 3), (6, 3)]

# threat bands from dark to light, so that they differ in grey too (luminance 0.07, 0.22, 0.46); bars of
# the light one get a dark edge, which carries the 3:1 against white
BAND_COLOURS = {"high": "#882255", "medium": "#D55E00", "low": "#F4A259", "unscored": "#BBBBBB"}


def series_style(colour: str) -> dict:
    """The marker and line style that go with a palette colour (a circle and a solid line otherwise)."""
    i = PALETTE.index(colour) if colour in PALETTE else 0
    return {"marker": MARKERS[i], "ls": (0, DASHES[i]) if DASHES[i] else "-"}

SIZES = {"wide": (8.0, 3.4), "panel": (8.0, 5.0), "square": (5.5, 4.5), "tall": (8.0, 6.5)}

INK = "#222222"

MUTED = "#666666"


def apply_style() -> None:
    # seaborn's whitegrid look through matplotlib's copy of it: importing seaborn itself costs about
    # 1.5 s of every notebook's start, for no figure that needs it
    plt.style.use("seaborn-v0_8-whitegrid")
    mpl.rcParams.update({
        "axes.prop_cycle": cycler(color=PALETTE),
        "figure.dpi": 110,
        "savefig.dpi": 200,
        "font.family": "DejaVu Sans",  # has Cyrillic, for the language editions
        "font.size": 9.5,
        "axes.titlesize": 10.5,
        "axes.titleweight": "bold",
        "axes.titlelocation": "left",
        "axes.labelsize": 9.5,
        "axes.edgecolor": MUTED,
        "axes.labelcolor": INK,
        "text.color": INK,
        "xtick.color": MUTED,
        "ytick.color": MUTED,
        "legend.frameon": False,
        "legend.fontsize": 8.5,
        "grid.color": "#E5E5E5",
        "axes.spines.top": False,
        "axes.spines.right": False,
        "svg.hashsalt": "socta",  # deterministic SVG ids
        "text.parse_math": False,  # a "$" in a name from data is a dollar sign, not mathematics
        # TrueType (Type 42) fonts in the vector figures of the PDF, not Type 3 glyph procedures: a reader
        # can search and copy a chart's words, and a screen reader gets them whole ("Drug offences", not
        # "Drug o ences", which the ligature ff became)
        "pdf.fonttype": 42,
    })
    # Each figure is stored twice: a PNG at twice the resolution, which the HTML shows, and a vector
    # PDF, which the LaTeX build embeds as it is (MyST-NB prefers application/pdf there). Re-encoding
    # retina PNGs was most of the PDF's build time and size. The PDF's creation date is fixed, so an
    # unchanged figure is the same bytes in every run. A run for the HTML alone draws the PNG alone
    # (SOCTA_FIGURE_FORMATS=png, set by `socta report --formats html`): drawing is most of a page's time.
    os.environ.setdefault("SOURCE_DATE_EPOCH", "0")
    drawn = [f for f in os.environ.get("SOCTA_FIGURE_FORMATS", "png,pdf").split(",") if f in ("png", "pdf")]
    try:
        from matplotlib_inline.backend_inline import set_matplotlib_formats

        set_matplotlib_formats(*("retina" if f == "png" else f for f in drawn or ["png", "pdf"]))
    except Exception:  # noqa: BLE001 - outside a kernel there is no inline backend, which is fine
        pass


def new_figure(size: str = "wide", nrows: int = 1, ncols: int = 1, **kwargs):
    """A figure of one of the named sizes, with axes; ``squeeze`` as in matplotlib."""
    return plt.subplots(nrows, ncols, figsize=SIZES[size], layout="constrained", **kwargs)


def source_line(fig, text: str) -> None:
    """Put the source under the figure, so it travels with the image when it is copied.

    Long sources wrap to the figure's width instead of widening the image.
    """
    width_chars = int(fig.get_figwidth() * 17)  # about 17 characters of 7.5 pt text per inch
    fig.get_layout_engine().set(h_pad=0.08)
    fig.supxlabel(textwrap.fill(text, width_chars), x=0.0, ha="left", fontsize=7.5, color=MUTED,
                  fontweight="normal", linespacing=1.3)


def spread_labels(positions: list[float], min_gap: float) -> list[float]:
    """Move label positions apart (keeping their order) so no two are closer than ``min_gap``."""
    order = sorted(range(len(positions)), key=lambda i: positions[i])
    placed = list(positions)
    for previous, current in zip(order, order[1:]):
        if placed[current] - placed[previous] < min_gap:
            placed[current] = placed[previous] + min_gap
    return placed


def thousands(ax, axis: str = "y") -> None:
    """Thousands separators on large values; small ranges keep the decimals their ticks need
    (a 0-2.5 kg axis must not read 0, 0, 1, 1, 2)."""
    target = ax.yaxis if axis == "y" else ax.xaxis
    low, high = ax.get_ylim() if axis == "y" else ax.get_xlim()
    if max(abs(low), abs(high)) >= 1000:  # in the edition's language: 14,000 in English, 14.000 in Serbian
        target.set_major_formatter(mpl.ticker.FuncFormatter(lambda v, _: fmt_number(v)))
    else:  # matplotlib's choice of decimals, with the language's decimal sign (0,5 in Serbian)
        target.set_major_formatter(_DecimalSign(fmt_number(0.5, 1)[1]))


class _DecimalSign(mpl.ticker.ScalarFormatter):
    """matplotlib's tick labels with another decimal sign."""

    def __init__(self, sign: str):
        super().__init__()
        self.sign = sign

    def __call__(self, x, pos=None):
        return super().__call__(x, pos).replace(".", self.sign)


def observed_line(ax, series, colour: str, label: str | None = None) -> None:
    """One yearly series as the data support it (a frame from :func:`socta.analysis.series.yearly`).

    Whole-year values are joined by a line that breaks at every gap (a missing year is NaN, never
    0); a part-year value is an open circle not joined to the line; a value published only as
    below N is an open downward triangle at N (the value lies under it), a lower bound (more
    than N) an open upward triangle. The caller sets the axis limits once everything is drawn
    (an early ``set_ylim`` would freeze the top and clip a fitted line drawn later).
    """
    whole = series["value"].where(series["months"].isna())
    years = series["year"].astype(float)
    breaks = sorted(series.loc[series["breaks"].astype(bool), "year"]) if "breaks" in series else []
    if breaks:  # the line stops before a break in series: the years either side are not comparable
        cut = pd.DataFrame({"year": [b - 0.5 for b in breaks], "value": float("nan")})
        joined = pd.concat([pd.DataFrame({"year": years, "value": whole}), cut]).sort_values("year")
        years, whole = joined["year"], joined["value"]
        for b in breaks:
            ax.axvline(b - 0.5, color=MUTED, lw=0.8, ls=":")
    style = series_style(colour)
    ax.plot(years, whole, marker=style["marker"], ms=4, lw=1.8, ls=style["ls"], color=colour, label=label)
    part = series[series["value"].notna() & series["months"].notna()]
    if len(part):
        ax.plot(part["year"], part["value"], ls="", marker="o", ms=6, mfc="white", mec=colour)
    for censor, marker in (("below", "v"), ("above", "^")):
        hit = series[series["censor"].eq(censor) & series["bound"].notna()]
        if len(hit):
            ax.plot(hit["year"], hit["bound"], ls="", marker=marker, ms=6, mfc="white", mec=colour)
            places = hit["decimals"] if "decimals" in hit else pd.Series(0, index=hit.index)
            for year, bound, decimals in zip(hit["year"], hit["bound"], places):  # the published text beside the marker
                ax.annotate(("<" if censor == "below" else ">") + fmt_number(bound, int(decimals)), (year, bound), xytext=(5, 0),
                            textcoords="offset points", va="center", fontsize=7.5, color=MUTED)


def marks_used(series) -> list[str]:
    """The caption sentences that explain the open markers :func:`observed_line` drew."""
    marks = []
    if "breaks" in series and series["breaks"].astype(bool).any():
        marks.append(t("A dotted vertical line marks a break in series: the years either side are not comparable."))
    if (series["value"].notna() & series["months"].notna()).any():
        marks.append(t("An open circle is a figure for part of the year only, not joined to the line."))
    if (series["censor"].eq("below") & series["bound"].notna()).any():
        marks.append(t("An open downward triangle marks a value published only as below that level."))
    if (series["censor"].eq("above") & series["bound"].notna()).any():
        marks.append(t("An open upward triangle marks a lower bound: the value is more than that."))
    return marks


def year_axis(ax, first_year: int, last_year: int, forecast_year: int | None = None) -> None:
    """Years as ticks (every other one over a long period), with room for the markers at the ends and
    for a forecast year after the period."""
    ax.set_xticks(range(first_year, last_year + 1, 2 if last_year - first_year > 8 else 1))
    ax.set_xlim(first_year - 0.6, max(ax.get_xlim()[1], last_year + 0.6, (forecast_year or 0) + 0.6))
    ax.set_xlabel("")


def needs_panels(yearly: pd.DataFrame, by: str, factor: float = 8) -> bool:
    """Whether the parts of a series differ so much in size (the largest peak at least ``factor`` times
    the smallest) that lines on one axis would flatten the small ones: then one panel each."""
    peaks = yearly.groupby(by, sort=False)["value"].max().fillna(0)
    return len(peaks) > 1 and peaks.max() > factor * max(peaks.min(), 1e-9)


def gap_runs(frame: pd.DataFrame, value: str, by: str) -> pd.DataFrame:
    """The rows of ``frame`` that have a ``value``, with ``run`` numbering the unbroken stretches of
    years within each ``by`` group. seaborn joins every point of a line, so a missing year must start
    a new unit (``units="run"``) or it would be bridged as if the year had been measured."""
    frame = frame.sort_values([by, "year"])
    run = frame.groupby(by, sort=False)[value].transform(lambda v: v.isna().cumsum())
    return frame.assign(run=run)[frame[value].notna()]


# Text from data can be of any length; a figure has room for so much. Longer labels are shortened
# with "…" (the caption and the tables carry the full text), so the axes keep their size
LABEL_CHARACTERS = 140   # one line of the source line (wrapped to the figure's width) or other text

TITLE_CHARACTERS = 90    # a panel's title

AXIS_CHARACTERS = 50     # an axis label, a legend entry

TICK_CHARACTERS = 40     # a tick label (a category's name), a label placed in the axes

TEXT_LINES = 4           # lines of one text (the source line wraps)


def fitted(text: str, characters: int = LABEL_CHARACTERS) -> str:
    """``text`` as written (:func:`socta.core.markup.plain`), each line at most ``characters`` long and at
    most :data:`TEXT_LINES` lines."""
    lines = plain(text).split("\n")
    if len(lines) > TEXT_LINES:
        lines = lines[:TEXT_LINES - 1] + [lines[TEXT_LINES - 1].rstrip() + " …"]
    return "\n".join(textwrap.shorten(line, characters, placeholder=" …") if len(line) > characters else line
                     for line in lines)


def shortened(text: str, characters: int = TICK_CHARACTERS) -> str:
    """``text`` cut to ``characters`` on one line, still as the page holds it: :func:`plain_text` makes
    every label of a figure plain once, when the figure is shown (plain twice would eat a backslash)."""
    text = " ".join(str(text).split())
    return textwrap.shorten(text, characters, placeholder=" …") if len(text) > characters else text


class _AsWritten(mpl.ticker.Formatter):
    """A tick formatter that gives the text of another as written and fitted (:func:`fitted`)."""

    def __init__(self, base):
        self.base = base

    def __call__(self, x, pos=None):
        return fitted(self.base(x, pos), TICK_CHARACTERS)

    def format_ticks(self, values):
        return [fitted(v, TICK_CHARACTERS) for v in self.base.format_ticks(values)]

    def set_locs(self, locs):
        self.base.set_locs(locs)

    def get_offset(self):
        return self.base.get_offset()

    def format_data_short(self, value):
        return self.base.format_data_short(value)


def plain_text(fig) -> None:
    """Draw the text a page gave ``fig`` as written: names and sources from data reach a page made
    inert for Markdown (``\\<``, ``\\{``, socta.core.markup), and a figure is not Markdown. Titles,
    labels, legends and annotations are set once; tick labels (category names drawn at save time)
    through their formatter. Text too long for a figure is shortened (:func:`fitted`)."""
    from matplotlib.text import Text

    room = {}
    for ax in fig.axes:
        for title in (ax.title, ax._left_title, ax._right_title):
            room[id(title)] = TITLE_CHARACTERS
        room[id(ax.xaxis.label)] = room[id(ax.yaxis.label)] = AXIS_CHARACTERS
        for text in ax.texts:  # labels placed beside points, bars or nodes
            room[id(text)] = TICK_CHARACTERS
    for legend in [*fig.legends, *(ax.get_legend() for ax in fig.axes)]:
        for text in legend.get_texts() if legend else []:
            room[id(text)] = AXIS_CHARACTERS
    for text in fig.findobj(Text):
        raw = text.get_text()
        limit = room.get(id(text), LABEL_CHARACTERS)
        shown = fitted(raw, limit)
        if shown != raw:
            text.set_text(shown)
    for ax in fig.axes:
        for axis in (ax.xaxis, ax.yaxis):
            formatter = axis.get_major_formatter()
            if not isinstance(formatter, _AsWritten):
                axis.set_major_formatter(_AsWritten(formatter))


def tier_bands(ax, weights: tuple[float, float], tiers: dict[str, float]) -> None:
    """The priority tiers as bands of grey behind a threat × harm matrix, each named at the chart's edge:
    a point's tier is the band it lies in (priority = the weighted mean of threat and harm, 0-100)."""
    import numpy as np

    w_threat, w_harm = weights
    if w_threat + w_harm <= 0:
        return
    grid = np.linspace(0, 100, 201)
    x, y = np.meshgrid(grid, grid)
    priority = (w_threat * x + w_harm * y) / (w_threat + w_harm)
    ordered = sorted(tiers.items(), key=lambda kv: kv[1])          # lowest tier first
    edges = [low for _, low in ordered] + [100.001]
    greys = ["#FFFFFF", "#F2F2F2", "#E4E4E4", "#D6D6D6", "#C8C8C8"][:len(ordered)]
    ax.contourf(x, y, priority, levels=edges, colors=greys, zorder=0)
    total = w_threat + w_harm
    for i, (name, low) in enumerate(ordered):
        # each name just inside its band, at the chart's edge: the lowest in the corner of no threat and no
        # harm; the others where the band's lower boundary meets the right edge, or else the bottom edge
        if i == 0:
            ax.text(2, 2, name, fontsize=7.5, color=MUTED, ha="left", va="bottom", zorder=1)
            continue
        at_right = (low * total - w_threat * 98) / w_harm if w_harm else -1
        at_bottom = (low * total - w_harm * 2) / w_threat if w_threat else -1
        if 2 <= at_right <= 90:
            ax.text(98, at_right + 1.5, name, fontsize=7.5, color=MUTED, ha="right", va="bottom", zorder=1)
        elif 2 <= at_bottom <= 90:
            ax.text(at_bottom + 1.5, 2, name, fontsize=7.5, color=MUTED, ha="left", va="bottom", zorder=1)


LAND, REGION_LAND, BORDER, SEA = "#E6E6E6", "#D3E2F0", "#FFFFFF", "#F6F9FC"


def country_shapes(ax, shapes, highlight: list[str], frame: tuple[float, float, float, float]) -> None:
    """Draw the countries of ``shapes`` (code, rings of (lon, lat)) that reach into ``frame`` (west,
    south, east, north): those of ``highlight`` tinted, the others grey, white borders between them;
    equal distances east and north at the frame's middle latitude."""
    import numpy as np
    from matplotlib.collections import PolyCollection

    west, south, east, north = frame
    rings, colours = [], []
    for code, parts in shapes:
        for ring in parts:
            xs, ys = zip(*ring)
            if max(xs) < west or min(xs) > east or max(ys) < south or min(ys) > north:
                continue
            rings.append(ring)
            colours.append(REGION_LAND if code in highlight else LAND)
    ax.add_collection(PolyCollection(rings, facecolors=colours, edgecolors=BORDER, linewidths=0.8, zorder=1))
    ax.set(xlim=(west, east), ylim=(south, north), xticks=[], yticks=[])
    ax.set_aspect(1 / np.cos(np.radians((south + north) / 2)))
    ax.set_facecolor(SEA)
    ax.grid(False)
    for side in ax.spines.values():
        side.set_visible(True)
        side.set_color("#BBBBBB")


def shape_centre(shapes, code: str) -> tuple[float, float] | None:
    """The middle of the bounding box of a country's largest ring (where its name goes), or None."""
    rings = [ring for c, parts in shapes if c == code for ring in parts]
    if not rings:
        return None
    xs, ys = zip(*max(rings, key=len))
    return (min(xs) + max(xs)) / 2, (min(ys) + max(ys)) / 2


def place_labels(ax, xs: list[float], ys: list[float], labels: list[str]) -> None:
    """Label points on a map, each inside the map where it overlaps no label placed before it: right of its
    point, else left, below or above; where every side overlaps, the first side inside the map; never
    outside it unless no side fits at all."""
    fig = ax.figure
    fig.canvas.draw()   # the labels' sizes need a renderer
    renderer = fig.canvas.get_renderer()
    frame = ax.get_window_extent(renderer)   # a label stays inside the map
    taken = []
    sides = [((7, 4), "left", "bottom"), ((-7, 4), "right", "bottom"), ((7, -4), "left", "top"),
             ((-7, -4), "right", "top"), ((0, 9), "center", "bottom"), ((0, -9), "center", "top")]
    for x, y, label in sorted(zip(xs, ys, labels), key=lambda p: -p[1]):   # north to south
        boxes = {}
        for offset, ha, va in sides:
            # a name from data is fitted, and a label inside the map never resizes the figure's layout
            text = ax.annotate(shortened(label), (x, y), xytext=offset, textcoords="offset points",
                               ha=ha, va=va, fontsize=8, color=INK, zorder=5, annotation_clip=True,
                               bbox={"boxstyle": "round,pad=0.15", "fc": "white", "ec": "none", "alpha": 0.85})
            text.set_in_layout(False)
            box = text.get_window_extent(renderer).expanded(1.02, 1.1)
            text.remove()
            boxes[offset] = (box, ha, va)
        inside = [o for o, (b, _, _) in boxes.items()
                  if frame.x0 <= b.x0 and b.x1 <= frame.x1 and frame.y0 <= b.y0 and b.y1 <= frame.y1]
        free = [o for o in inside if not any(boxes[o][0].overlaps(other) for other in taken)]
        offset = (free or inside or [sides[0][0]])[0]
        box, ha, va = boxes[offset]
        text = ax.annotate(shortened(label), (x, y), xytext=offset, textcoords="offset points", ha=ha,
                           va=va, fontsize=8, color=INK, zorder=5, annotation_clip=True,
                           bbox={"boxstyle": "round,pad=0.15", "fc": "white", "ec": "none", "alpha": 0.85})
        text.set_in_layout(False)
        text.set_clip_on(True)   # a label wider than the map is cut at its edge, never drawn past the page
        taken.append(box)