"""Small-cell suppression, primary and complementary, for any table of groups.

Primary: a group with fewer than `min_n` respondents shows no number.
Complementary: a reader may know every total (the district, a school, a
language) from another table or API call, so along each dimension that
splits respondents (school, language, grade band, ...) a slice of cells must
never have exactly one hidden cell: if it has, the smallest shown cell of that
slice is hidden too. Repeated until nothing changes, because hiding a cell
in one slice can leave a single hidden cell in a crossing slice.
"""

from __future__ import annotations

import pandas as pd

# Dimensions that partition respondents: their cells add up to a total someone can see.
ADDITIVE = ("school", "school_id", "language", "channel", "role", "grade_band", "tier")

SMALL = "small"
COMPLEMENTARY = "complementary"


def suppress(
    frame: pd.DataFrame, group_columns: list[str], min_n: int, n_column: str = "n"
) -> pd.DataFrame:
    """A copy with `suppressed` (bool) and `suppression` ("small", "complementary" or None)."""
    out = frame.copy()
    n = out[n_column].fillna(0)
    out["suppression"] = None
    out.loc[n < min_n, "suppression"] = SMALL
    additive = [c for c in group_columns if c in ADDITIVE]
    changed = True
    while changed and len(out):
        changed = False
        for dimension in additive:
            others = [c for c in group_columns if c != dimension]
            slices = (
                out.groupby(others, dropna=False, sort=False).groups if others else {(): out.index}
            )
            for index in slices.values():
                hidden = out.loc[index, "suppression"].notna()
                if hidden.sum() != 1:
                    continue
                shown = out.loc[index][~hidden.values]
                if shown.empty:
                    continue
                smallest = shown[n_column].fillna(0).astype(float).idxmin()
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
