"""Small-cell suppression, primary and complementary, for any table of groups.

Primary: a group with fewer than `min_n` respondents shows no number.
Complementary: a reader may know every total (the district, a school, a
language, a filtered view's) from another table or API call. So in every
slice of the table, cells sharing all but some of the dimensions that split
respondents (school, language, grade band, ...), down to the whole table, the
hidden cells a reader cannot learn otherwise must be none, or at least two
that together count at least `min_n` respondents: one hidden cell is the
slice's total minus the shown ones, and two small ones together are a small
group too. Otherwise the smallest shown cell of the slice is hidden as well,
repeated until nothing changes, because hiding a cell in one slice can leave
too little hidden in a crossing slice.

A filtered view (only Spanish, only text messages) is a slice of a larger table:
reports suppress that whole table (reporting/service.py), then keep the rows the
filter asks for, so a filtered figure and the unfiltered one never differ by a
small group.

Known limit: protection is per table. When every cell of a slice is hidden and
the others are each alone in a slice whose total another table shows (one
language only, say), that total still gives them away; reports therefore group
by at most the dimensions they need.
"""

from __future__ import annotations

from itertools import combinations

import numpy as np
import pandas as pd

# Dimensions that partition respondents: their cells add up to a total someone can see.
ADDITIVE = ("school", "school_id", "language", "channel", "role", "grade_band", "tier")

SMALL = "small"
COMPLEMENTARY = "complementary"


def _pinned(frame: pd.DataFrame, group_columns: list[str], additive: list[str], min_n: int, n):
    """Cells a reader can learn anyway: alone in a slice whose total (>= min_n) is shown."""
    pinned = pd.Series(False, index=frame.index)
    for dimension in additive:
        others = [c for c in group_columns if c != dimension]
        size = (
            frame.groupby(others, dropna=False, sort=False)[others[0]].transform("size")
            if others
            else pd.Series(len(frame), index=frame.index)
        )
        pinned |= (size == 1) & (n >= min_n)
    return pinned


def suppress(
    frame: pd.DataFrame,
    group_columns: list[str],
    min_n: int,
    n_column: str = "n",
    additive: tuple[str, ...] = ADDITIVE,
    hide: str | None = None,
) -> pd.DataFrame:
    """A copy with `suppressed` (bool) and `suppression` ("small", "complementary" or None).

    In every slice over one or more additive dimensions, the hidden cells a reader
    cannot learn otherwise (not "pinned") must be none, or at least two counting
    `min_n` together, unless the slice's own total is below `min_n` (then that
    total is hidden too). `additive`: the columns whose cells add up to a total. `hide`: a
    boolean column of cells hidden whatever their n, because another table gives them away.
    """
    out = frame.copy()
    n = out[n_column].fillna(0).astype(float).to_numpy()
    small = n < min_n
    hidden = small | out[hide].to_numpy(dtype=bool) if hide else small.copy()
    dimensions = [c for c in group_columns if c in additive]
    if dimensions and len(out):
        pinned = _pinned(out, group_columns, dimensions, min_n, pd.Series(n, index=out.index))
        _complement(hidden, n, pinned.to_numpy(), _slicings(out, group_columns, dimensions), min_n)
    labels = [
        SMALL if s else COMPLEMENTARY if h else None for s, h in zip(small, hidden, strict=True)
    ]
    out["suppression"] = pd.Series(labels, index=out.index, dtype=object)
    out["suppressed"] = hidden
    return out


def _slicings(frame: pd.DataFrame, group_columns: list[str], dimensions: list[str]):
    """For each set of dimensions to add up over, the slice each row belongs to (0, 1, ...)."""
    for size in range(1, len(dimensions) + 1):
        for collapsed in combinations(dimensions, size):
            others = [c for c in group_columns if c not in collapsed]
            if others:
                yield frame.groupby(others, dropna=False, sort=False).ngroup().to_numpy()
            else:
                yield np.zeros(len(frame), dtype=np.int64)


def _complement(hidden, n, pinned, slicings, min_n: int) -> None:
    """Hide the smallest shown cell of every slice that hides too little, until none does.

    The slices of one slicing do not overlap, so each slicing is handled all at once.
    """
    slicings = list(slicings)
    changed = True
    while changed:
        changed = False
        for slice_of in slicings:
            count = slice_of.max() + 1
            unknown = hidden & ~pinned
            unknown_cells = np.bincount(slice_of, weights=unknown, minlength=count)
            unknown_n = np.bincount(slice_of, weights=n * unknown, minlength=count)
            total = np.bincount(slice_of, weights=n, minlength=count)
            shown = np.bincount(slice_of, weights=~hidden, minlength=count)
            too_little = (
                (unknown_cells >= 1)
                & (total >= min_n)
                & ((unknown_cells < 2) | (unknown_n < min_n))
                & (shown > 0)
            )
            if not too_little.any():
                continue
            candidates = np.flatnonzero(too_little[slice_of] & ~hidden)
            # Per slice: a cell not known anyway first, then the smallest, then the first.
            order = np.lexsort(
                (candidates, n[candidates], pinned[candidates], slice_of[candidates])
            )
            ranked = candidates[order]
            _, first = np.unique(slice_of[ranked], return_index=True)
            hidden[ranked[first]] = True
            changed = True


def blank_suppressed(frame: pd.DataFrame, columns: list[str]) -> pd.DataFrame:
    """Every number of a suppressed row removed, so no export or response can carry it."""
    out = frame.copy()
    for column in columns:
        if column in out:
            out[column] = out[column].astype(object)
            out.loc[out["suppressed"], column] = None
    return out
