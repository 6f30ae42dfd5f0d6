"""Statistical disclosure control for the public edition: small counts are suppressed and marked.

Primary suppression hides every count from 1 to ``threshold − 1``. Secondary suppression then
hides a second cell wherever a published total would otherwise give the suppressed one away: in
each group of cells that add up to a published total (the bands of one country and area, or the
countries of one area adding up to the region), a lone suppressed cell takes the smallest other
cell with it. Groups are revisited until nothing changes, because one secondary suppression can
leave another group with a lone suppressed cell.
"""
from __future__ import annotations

import pandas as pd


def suppress(frame: pd.DataFrame, value: str, groupings: list[list[str]], threshold: int,
             cells: pd.Series | None = None) -> pd.DataFrame:
    """Return ``frame`` with ``value`` set to NA where suppressed and a boolean ``suppressed`` column.

    ``groupings``: each a list of columns; rows sharing their values form a group whose cells sum
    to a published total. ``cells`` (boolean mask) limits which rows are cells of those groups; rows
    outside it (the totals themselves) get primary suppression only.
    """
    out = frame.copy()
    counts = out[value].astype(float)
    suppressed = (counts > 0) & (counts < threshold)
    members = pd.Series(True, index=out.index) if cells is None else cells.reindex(out.index).fillna(False)
    changed = True
    while changed:
        changed = False
        for keys in groupings:
            for _, group in out[members].groupby(keys, dropna=False):
                idx = group.index
                hidden = suppressed[idx]
                if hidden.sum() == 1 and len(idx) > 1:
                    candidates = counts[idx][~hidden[idx]].sort_values(kind="stable")
                    if len(candidates):
                        suppressed[candidates.index[0]] = True
                        changed = True
    out["suppressed"] = suppressed
    out[value] = counts.where(~suppressed).astype("Float64")
    return out


def count_text(value, suppressed: bool, threshold: int, fmt=str) -> str:
    """How a count is printed in the public edition: the number, or ``<threshold`` when suppressed."""
    if suppressed:
        return f"<{threshold}"
    if value is None or pd.isna(value):
        return "–"
    return fmt(int(value))
