"""Counted cells to metrics: n, percent favourable, mean, distribution, indicator percentages.

Rules (hand-checked in tests/unit/test_reporting_metrics.py):
- n counts answers other than "not applicable / don't know"; those are left
  out of every denominator and reported on their own.
- percent favourable: answers with one of the question's favourable values
  (for a reverse-coded item these are already the low values), over n.
- mean: of item scores on the scale's common direction (reverse-coded items
  flipped, low + high - value), over n; only for Likert, grade, yes/no and
  number questions.
- distribution: the count of every value given, "not applicable" included.
- a multiple-choice question counts respondents: n is the number who
  answered, an option's share is over them, favourable is "chose at least one
  favourable option".
- an indicator is decided per respondent (engagement/surveys/scoring.py) and
  then counted: n respondents with an outcome, percent of them counted.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from engagement.surveys import QuestionType, SurveyDefinition

MEAN_TYPES = {QuestionType.LIKERT, QuestionType.GRADE, QuestionType.YES_NO, QuestionType.NUMBER}
FILTERS = ("role", "language", "channel", "grade_band", "tier", "school")


@dataclass(frozen=True)
class Filters:
    """Which respondents a report counts; None means all."""

    role: str | None = None
    language: str | None = None
    channel: str | None = None
    grade_band: str | None = None
    tier: str | None = None
    school: str | None = None

    def apply(self, cells: pd.DataFrame) -> pd.DataFrame:
        for name in FILTERS:
            wanted = getattr(self, name)
            if wanted is not None:
                cells = cells[cells[name] == wanted]
        return cells

    def outside(self, by: list[str]) -> list[str]:
        """Filtered dimensions a table grouped `by` does not have: counted for every value of
        them, suppressed as one table, then cut to the filter (privacy.py)."""
        return [name for name in FILTERS if getattr(self, name) is not None and name not in by]

    def as_dict(self) -> dict[str, str]:
        return {name: getattr(self, name) for name in FILTERS if getattr(self, name) is not None}


def with_schools(cells: pd.DataFrame, schools: pd.DataFrame) -> pd.DataFrame:
    """Cells with the school's code and tier beside its id (schools: id, code, tier)."""
    merged = cells.merge(schools.rename(columns={"id": "school_id"}), on="school_id", how="left")
    return merged.rename(columns={"code": "school"})


def value_table(definition: SurveyDefinition) -> pd.DataFrame:
    """(item, value) -> not applicable, favourable, score: the coding of every choice."""
    rows = []
    for question in definition.questions:
        for choice in question.choices:
            rows.append(
                {
                    "item": question.key,
                    "value": float(choice.value),
                    "na": choice.not_applicable,
                    "fav": (not choice.not_applicable) and choice.value in question.favourable,
                    "score": None if choice.not_applicable else question.score(choice.value),
                }
            )
    return pd.DataFrame(rows, columns=["item", "value", "na", "fav", "score"])


def question_metrics(
    cells: pd.DataFrame, definition: SurveyDefinition, by: list[str]
) -> pd.DataFrame:
    """One row per group and question: n, favourable, pct_favourable, mean, na, distribution."""
    columns = [*by, "question", "n", "favourable", "pct_favourable", "mean", "na", "distribution"]
    answers = cells[cells["kind"] == "q"]
    if answers.empty:
        return pd.DataFrame(columns=columns)
    coded = answers.merge(value_table(definition), on=["item", "value"], how="left")
    coded["na"] = coded["na"].fillna(False).astype(bool)
    coded["fav"] = coded["fav"].fillna(False).astype(bool)
    # Numbers (no choices) score as themselves.
    coded["score"] = coded["score"].astype("float64").fillna(coded["value"])
    counted = coded[~coded["na"]]
    keys = [*by, "item"]
    n = counted.groupby(keys, dropna=False)["count"].sum().rename("n")
    favourable = (
        counted[counted["fav"]].groupby(keys, dropna=False)["count"].sum().rename("favourable")
    )
    score_sum = (
        (counted["score"] * counted["count"]).groupby([counted[k] for k in keys]).sum()
    ).rename("score_sum")
    na = coded[coded["na"]].groupby(keys, dropna=False)["count"].sum().rename("na")
    distribution = coded.groupby([*keys, "value"], dropna=False)["count"].sum().reset_index()
    dist = (
        distribution.groupby(keys, dropna=False)[["value", "count"]]
        .apply(lambda g: {int(v): int(c) for v, c in zip(g["value"], g["count"], strict=True)})
        .rename("distribution")
    )
    out = pd.concat([n, favourable, score_sum, na, dist], axis=1).reset_index()
    out[["favourable", "na"]] = out[["favourable", "na"]].fillna(0).astype("int64")
    out["n"] = out["n"].fillna(0).astype("int64")

    # Multiple choice: respondents, not answers.
    for kind, column in (("m", "n"), ("f", "favourable")):
        extra = cells[cells["kind"] == kind]
        if not extra.empty:
            sums = extra.groupby(keys, dropna=False)["count"].sum().rename(f"{column}_mc")
            out = out.merge(sums.reset_index(), on=keys, how="left")
            has = out[f"{column}_mc"].notna()
            out.loc[has, column] = out.loc[has, f"{column}_mc"].astype("int64")
            out = out.drop(columns=f"{column}_mc")
    types = {q.key: q.type for q in definition.questions}
    favourable_defined = {q.key: bool(q.favourable) for q in definition.questions}
    out["pct_favourable"] = [
        (100.0 * f / n) if n and favourable_defined.get(item) else None
        for f, n, item in zip(out["favourable"], out["n"], out["item"], strict=True)
    ]
    out["mean"] = [
        (s / n) if n and types.get(item) in MEAN_TYPES else None
        for s, n, item in zip(out["score_sum"], out["n"], out["item"], strict=True)
    ]
    out = out.rename(columns={"item": "question"})
    order = {q.key: i for i, q in enumerate(definition.questions)}
    out["_order"] = out["question"].map(order)
    out = out.sort_values([*by, "_order"], kind="stable").drop(columns=["_order", "score_sum"])
    return out[columns].reset_index(drop=True)


def indicator_metrics(cells: pd.DataFrame, by: list[str]) -> pd.DataFrame:
    """One row per group and indicator: n respondents with an outcome, count counted, pct."""
    columns = [*by, "indicator", "n", "count", "pct"]
    outcomes = cells[cells["kind"] == "i"]
    if outcomes.empty:
        return pd.DataFrame(columns=columns)
    keys = [*by, "item"]
    n = outcomes.groupby(keys, dropna=False)["count"].sum().rename("n")
    yes = outcomes[outcomes["value"] == 1.0].groupby(keys, dropna=False)["count"].sum()
    out = pd.concat([n, yes.rename("count")], axis=1).reset_index().fillna({"count": 0})
    out["count"] = out["count"].astype("int64")
    out["pct"] = 100.0 * out["count"] / out["n"]
    return out.rename(columns={"item": "indicator"})[columns].reset_index(drop=True)


def response_counts(cells: pd.DataFrame, by: list[str]) -> pd.DataFrame:
    """Responses per group (kind n cells)."""
    responses = cells[cells["kind"] == "n"]
    if not by:
        return pd.DataFrame({"responses": [int(responses["count"].sum())]})
    return responses.groupby(by, dropna=False)["count"].sum().rename("responses").reset_index()
