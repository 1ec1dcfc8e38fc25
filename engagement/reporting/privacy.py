"""Small-cell suppression, primary and complementary, for any table of groups.

Primary: a group with fewer than `min_n` respondents shows no number.
Complementary: a reader may know every total (the district, a school, a
language) from another table or API call, so along each dimension that
splits respondents (school, language, grade band, ...) a slice of cells must
never have exactly one hidden cell: if it has, the smallest shown cell of that
slice is hidden too. Repeated until nothing changes, because hiding a cell
in one slice can leave a single hidden cell in a crossing slice.

Known limit: protection is per table. When every cell of a slice is hidden and
the others are each alone in a slice whose total another table shows (one
language only, say), that total still gives them away; reports therefore group
by at most the dimensions they need.
"""

from __future__ import annotations

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
    frame: pd.DataFrame, group_columns: list[str], min_n: int, n_column: str = "n"
) -> pd.DataFrame:
    """A copy with `suppressed` (bool) and `suppression` ("small", "complementary" or None).

    In every slice along an additive dimension, the hidden cells a reader cannot
    learn otherwise (not "pinned") must be none or at least two, unless the
    slice's own total is below `min_n` (then that total is hidden too).
    """
    out = frame.copy()
    n = out[n_column].fillna(0).astype(float)
    out["suppression"] = None
    out.loc[n < min_n, "suppression"] = SMALL
    additive = [c for c in group_columns if c in ADDITIVE]
    pinned = _pinned(out, group_columns, additive, min_n, n) if additive else None
    changed = True
    while changed and len(out) and additive:
        changed = False
        for dimension in additive:
            others = [c for c in group_columns if c != dimension]
            slices = (
                [part.index for _key, part in out.groupby(others, dropna=False, sort=False)]
                if others
                else [out.index]
            )
            for index in slices:
                hidden = out.loc[index, "suppression"].notna()
                unknown = hidden & ~pinned.loc[index]
                if unknown.sum() != 1 or n.loc[index].sum() < min_n:
                    continue
                shown = n.loc[index][~hidden.values]
                if shown.empty:
                    continue
                free = shown[~pinned.loc[shown.index]]
                smallest = (free if not free.empty else shown).idxmin()
                out.loc[smallest, "suppression"] = COMPLEMENTARY
                changed = True
    out["suppressed"] = out["suppression"].notna()
    return out


def blank_suppressed(frame: pd.DataFrame, columns: list[str]) -> pd.DataFrame:
    """Every number of a suppressed row removed, so no export or response can carry it."""
    out = frame.copy()
    for column in columns:
        if column in out:
            out[column] = out[column].astype(object)
            out.loc[out["suppressed"], column] = None
    return out
