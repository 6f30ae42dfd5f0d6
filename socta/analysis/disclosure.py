"""Statistical disclosure control for the public edition, with a proof that it holds.

Every count of groups an edition publishes is a *cell* of one model, together with what a reader
knows ties the cells together: a total is the sum of its parts (bands of a country and area, the
countries of the region, structures, reach), and some cells cannot exceed others (groups active
abroad within one country's groups). A published mean score adds what it implies about the bands.

*Primary* suppression hides every count from 1 to ``threshold − 1``. The model is then *audited*
as an attacker would: for each hidden small count, a linear program (scipy's HiGHS) finds the
least and the greatest value it can take, given every published cell and relation. The count is
protected when that interval still spans ``threshold − 1`` whole values (``high − low ≥ threshold −
2``): the tables narrow it no further than the rule "fewer than the threshold" itself does. Where
the audit finds a
count exposed, *secondary* suppression hides the smallest published cell of a relation through it,
and the audit runs again, until nothing is exposed. A cell hidden to protect another that the published cells
still fix exactly (a total less its parts) is published after all: it hides nothing. Every hidden cell is printed ``c``
(confidential), so a reader cannot tell the small ones from those hidden to protect them; in the
model a hidden cell is only known to be at least 1 (zeros are never hidden).
"""
from __future__ import annotations

from collections.abc import Hashable, Iterable
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

MARK = "c"  # Eurostat's flag for a confidential value


@dataclass(frozen=True)
class Exposure:
    """A hidden small count that the published cells narrow to [low, high]."""
    cell: Hashable
    value: int
    low: float
    high: float

    def __str__(self) -> str:
        high = "∞" if np.isinf(self.high) else f"{self.high:g}"
        return f"{self.cell}: {self.value} can be narrowed to [{self.low:g}, {high}]"


@dataclass
class CountModel:
    """Published counts and what ties them together, as a reader of the edition knows it."""
    values: dict[Hashable, int] = field(default_factory=dict)
    equalities: list[dict[Hashable, float]] = field(default_factory=list)   # Σ coef · cell = 0
    inequalities: list[tuple[dict[Hashable, float], float]] = field(default_factory=list)  # Σ coef · cell ≤ b
    twins: list[tuple[Hashable, Hashable]] = field(default_factory=list)

    def cell(self, key: Hashable, value) -> Hashable:
        self.values[key] = int(value)
        return key

    def total(self, total: Hashable, parts: Iterable[Hashable]) -> None:
        """``total`` is the sum of ``parts`` (all cells already added; missing parts are skipped)."""
        parts = [p for p in parts if p in self.values]
        if total in self.values and parts:
            relation = {p: 1.0 for p in parts}
            relation[total] = relation.get(total, 0.0) - 1.0
            self.equalities.append(relation)

    def same(self, cell: Hashable, twin: Hashable) -> None:
        """The same count shown in two tables: equal, and hidden in both or in neither."""
        if cell in self.values and twin in self.values:
            self.equalities.append({cell: 1.0, twin: -1.0})
            self.twins.append((cell, twin))

    def at_most(self, small: Hashable, big: Hashable) -> None:
        if small in self.values and big in self.values:
            self.inequalities.append(({small: 1.0, big: -1.0}, 0.0))

    def linear_at_most(self, coefs: dict[Hashable, float], bound: float) -> None:
        coefs = {k: v for k, v in coefs.items() if k in self.values}
        if coefs:
            self.inequalities.append((coefs, float(bound)))

    # ---- the attacker's view ---------------------------------------------------------------
    def intervals(self, hidden: set, cells: Iterable[Hashable]) -> dict[Hashable, tuple[float, float]]:
        """The least and greatest value of each of ``cells`` (hidden ones) consistent with every
        published cell and relation: two linear programs per cell."""
        program = self._program(hidden)
        return {key: (program(key, 1.0), program(key, -1.0)) for key in cells}

    def _program(self, hidden: set):
        """``extreme(cell, sign)``: the least (sign 1) or, negated, the greatest (sign −1) value of a
        hidden cell that the published cells and relations allow (∞ when nothing bounds it above)."""
        from scipy.optimize import linprog

        order = sorted(hidden, key=repr)
        column = {key: i for i, key in enumerate(order)}

        def rows(relations):
            a, b = [], []
            for coefs, bound in relations:
                if not any(k in column for k in coefs):
                    continue
                row = np.zeros(len(order))
                constant = 0.0
                for key, coef in coefs.items():
                    if key in column:
                        row[column[key]] += coef
                    else:
                        constant += coef * self.values[key]
                a.append(row)
                b.append(bound - constant)
            return (np.array(a), np.array(b)) if a else (None, None)

        a_eq, b_eq = rows([(r, 0.0) for r in self.equalities])
        a_ub, b_ub = rows(self.inequalities)
        bounds = [(1, None)] * len(order)  # a hidden cell is never 0: zeros are published

        def extreme(key, sign: float) -> float:
            c = np.zeros(len(order))
            c[column[key]] = 1.0
            res = linprog(sign * c, A_ub=a_ub, b_ub=b_ub, A_eq=a_eq, b_eq=b_eq, bounds=bounds, method="highs")
            if res.status == 3:        # unbounded: only possible upwards
                return np.inf
            if res.status != 0:
                raise RuntimeError(f"disclosure audit: the published tables are inconsistent ({res.message})")
            return sign * res.fun

        return extreme

    def audit(self, hidden: set, threshold: int, cells: Iterable[Hashable] | None = None) -> list[Exposure]:
        """Every hidden small count (of ``cells``, default all) the published cells narrow to fewer
        than ``threshold − 1`` values."""
        small = [k for k in (hidden if cells is None else cells) if 0 < self.values[k] < threshold]
        if not small:
            return []
        width = protection_width(threshold)
        extreme = self._program(hidden)
        found = []
        for key in small:
            high = extreme(key, -1.0)
            # the true counts are one solution, so the least value is at most the count: a greatest
            # value this far above it protects the count whatever the least is (one program, not two)
            if high - self.values[key] >= width:
                continue
            low = extreme(key, 1.0)
            if high - low < width - 1e-6:
                found.append(Exposure(key, self.values[key], round(low, 6), round(high, 6)))
        return sorted(found, key=lambda e: repr(e.cell))

    # ---- suppression -----------------------------------------------------------------------
    def suppress(self, threshold: int) -> set:
        """Primary suppression, then secondary suppression until the audit finds nothing exposed."""
        hidden = {k for k, v in self.values.items() if 0 < v < threshold}
        if threshold <= 1:
            return hidden
        exposed = self.audit(hidden, threshold)
        while exposed:
            # hiding a cell only widens what a reader can infer, so what is protected stays protected:
            # only the exposed counts need auditing again
            changed: set = set()   # cells sharing a relation with a cell hidden in this round
            for exposure in exposed:
                if exposure.cell in changed:
                    continue          # the partner just hidden may already protect it: audit again first
                partner = self._partner(exposure.cell, hidden)
                if partner is None:
                    raise RuntimeError(f"disclosure control cannot protect {exposure}: every related cell is hidden")
                hidden.add(partner)
                changed |= {k for r in self.equalities if partner in r for k in r}
            exposed = self.audit(hidden, threshold, [e.cell for e in exposed])
        while twins := {b for a, b in self.twins if a in hidden and b not in hidden} | \
                {a for a, b in self.twins if b in hidden and a not in hidden}:
            hidden |= twins  # a count hidden in one table is hidden in every table that shows it
        return hidden - self.determined(hidden, threshold)

    def determined(self, hidden: set, threshold: int) -> set:
        """The cells hidden to protect others that the published cells fix exactly all the same (a total less
        its published parts): printing c there hides nothing, and a reader who subtracts finds the count the
        edition calls confidential. Publishing them leaves every interval as it was (each was one point)."""
        extreme = self._program(hidden)
        return {k for k in hidden if self.values[k] >= threshold and extreme(k, -1.0) - extreme(k, 1.0) < 0.5}

    def _partner(self, cell: Hashable, hidden: set) -> Hashable | None:
        """The cell to hide with an exposed one: from the sums through it first (a bound alone rarely
        gives a count away), then from every relation; breadth first from the exposed cell. Parts come
        before totals and counts shown once before those shown in several tables (hiding either
        takes more from the reader), then the smallest."""
        totals = {k for r in self.equalities if len(r) > 2 for k, coef in r.items() if coef < 0}
        totals |= {k for coefs, _ in self.inequalities if len(coefs) > 2 for k, coef in coefs.items() if coef < 0}
        shown_twice = {k for pair in self.twins for k in pair}
        for relations in (self.equalities, self.equalities + [coefs for coefs, _ in self.inequalities]):
            touching: dict = {}  # cell → the relations it is in, by position (a national table has thousands)
            for i, r in enumerate(relations):
                for k in r:
                    touching.setdefault(k, []).append(i)
            seen, frontier, level, candidates = {cell}, [cell], 0, {}
            while frontier:
                linked = [relations[i] for i in sorted({i for k in frontier for i in touching.get(k, ())})]
                for k in (k for r in linked for k in r if k not in hidden and self.values[k] > 0):
                    candidates.setdefault(k, level)
                frontier = [k for r in linked for k in r if k in hidden and k not in seen]
                seen.update(frontier)
                level += 1
            if candidates:
                return min(candidates, key=lambda k: (k in totals, k in shown_twice, candidates[k], self.values[k], repr(k)))
        return None


def protection_width(threshold: int) -> int:
    """How wide the interval a reader can infer for a suppressed small count must stay."""
    return max(threshold - 2, 1)


def count_text(value, suppressed: bool, fmt=str) -> str:
    """How a count is printed in an edition: the number, or ``c`` (confidential) when suppressed."""
    if suppressed:
        return MARK
    if value is None or pd.isna(value):
        return "–"
    return fmt(int(value))
