"""Report tables as rows of labelled cells: what the page, the chart, CSV and XLSX all show."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass

from flask_babel import gettext as _
from openpyxl import Workbook
from openpyxl.utils import get_column_letter

from engagement.i18n import language_label
from engagement.reporting.service import DISTRICT, IndicatorTable, on_track
from engagement.reporting.survey_results import SurveyResults
from engagement.web.helpers import translated

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


@dataclass(frozen=True)
class Cell:
    pct: float | None
    n: int | None
    suppression: str | None
    source: str = "survey"

    @property
    def shown(self) -> bool:
        return self.suppression is None and self.pct is not None


def cell_note(cell: Cell, min_cell: int) -> str:
    """What a reader sees instead of a number."""
    if cell.suppression == "small":
        return _("fewer than %(n)s", n=min_cell)
    if cell.suppression == "complementary":
        return _("hidden to protect a small group")
    if cell.pct is None:
        return _("no data")
    return ""


def grid(table: IndicatorTable, school_codes: list[str]) -> dict[tuple[str, str], Cell]:
    """{(school code or "", indicator key): Cell}, survey and administrative indicators alike."""
    cells: dict[tuple[str, str], Cell] = {}
    for row in table.table.to_dict("records"):
        cells[(row["school"], row["indicator"])] = Cell(row["pct"], row["n"], row["suppression"])
    admin = table.administrative
    admin = admin[admin["school_year"] == table.school_year]
    for row in admin.to_dict("records"):
        cells[(row["school"], row["indicator"])] = Cell(
            float(row["value"]), None, None, "administrative"
        )
    return {k: v for k, v in cells.items() if k[0] in (*school_codes, DISTRICT)}


def export_rows(table: IndicatorTable, school_codes: list[str], school_names: dict[str, str]):
    """Header and rows of the indicator table in the reader's language, suppression applied."""
    cells = grid(table, school_codes)
    header = [
        _("Result area"),
        _("Indicator"),
        _("School"),
        _("Respondents"),
        _("Percent"),
        _("Note"),
        _("Target"),
        _("Status"),
    ]
    rows = []
    for indicator in table.indicators:
        for code in [*school_codes, DISTRICT]:
            cell = cells.get((code, indicator.key))
            if cell is None:
                continue
            target, status = target_status(table, indicator, code, cell)
            rows.append(
                [
                    indicator.result_area.code,
                    translated(indicator.title),
                    school_names.get(code) or code or _("District"),
                    cell.n if cell.shown else None,
                    round(cell.pct, 1) if cell.shown else None,
                    cell_note(cell, table.min_cell),
                    target,
                    status_label(status),
                ]
            )
    return header, rows


def comment_rows(questions, school_names: dict[str, str]):
    """Header and rows of the comments export: masked text, only from eligible groups."""
    header = [_("Survey"), _("Question"), _("School"), _("Language"), _("Sentiment"), _("Comment")]
    rows = []
    for question in questions:
        for comment in question.comments:
            rows.append(
                [
                    translated(question.survey_title) or question.survey,
                    translated(question.text),
                    school_names.get(comment.school, comment.school),
                    language_label(comment.language),
                    sentiment_label(comment.sentiment),
                    comment.text,
                ]
            )
    return header, rows


def row_note(row: dict, min_cell: int) -> str:
    """What a suppressed row of a survey's page or file says instead of its numbers."""
    if not row["suppression"]:
        return ""
    return cell_note(Cell(None, None, row["suppression"]), min_cell)


def answer_counts(question, distribution: dict | None) -> str:
    """Each answer given and how often ("Disagree: 3 · Agree: 12"), in the reader's language."""
    parts = []
    for value, count in (distribution or {}).items():
        choice = question.choice_by_value(value)
        label = translated(choice.label) if choice else str(value)
        parts.append(_("%(label)s: %(value)s", label=label, value=count))
    return " · ".join(parts)


def survey_rows(results: SurveyResults, school_names: dict[str, str]):
    """Header and rows of a survey's question-by-question file: every school, then the district."""
    header = [
        _("Section"),
        _("Question"),
        _("School"),
        _("Respondents"),
        _("Percent favourable"),
        _("Answers"),
        _("Note"),
    ]
    by_key, by_section = results.by_question, results.by_section
    codes = sorted(results.schools, key=lambda code: school_names.get(code, code))
    min_cell = results.report.min_cell

    def line(section, text, code, row, answers=""):
        pct = row["pct_favourable"]
        school = school_names.get(code) or code or _("District")
        rounded = None if pct is None else round(pct, 1)
        note = row_note(row, min_cell)
        return [translated(section.title), text, school, row["n"], rounded, answers, note]

    rows = []
    for section in results.report.definition.sections:
        # The section's pooled figure first, as the page's first table shows it.
        rows += [
            line(section, _("All its rated questions"), code, by_section[(code, section.key)])
            for code in [*codes, DISTRICT]
            if (code, section.key) in by_section
        ]
        for question in section.questions:
            for code in [*codes, DISTRICT]:
                row = by_key.get((code, question.key))
                if row is None:
                    continue
                # A school's count of one or two could point to a person.
                answers = "" if code else answer_counts(question, row["distribution"])
                rows.append(line(section, translated(question.text), code, row, answers))
    return header, rows


def sentiment_label(label: str | None) -> str:
    return {
        "positive": _("positive"),
        "neutral": _("neutral"),
        "negative": _("negative"),
    }.get(label or "", "")


def baseline_and_target(table: IndicatorTable, indicator, code: str) -> tuple:
    """(baseline, target) of the page's year: the school's own, else the district's."""
    own = table.targets.get((indicator.key, code), {}).get(table.school_year)
    district = table.targets.get((indicator.key, DISTRICT), {}).get(table.school_year)
    return own or district or (None, None)


def target_status(table: IndicatorTable, indicator, code: str, cell: Cell | None):
    """(target, on-track status) of a cell: the school's own target, else the district's."""
    baseline, target = baseline_and_target(table, indicator, code)
    value = cell.pct if cell is not None and cell.shown else None
    return target, on_track(value, baseline, target, indicator.direction.value == "lower")


def status_label(status: str | None) -> str:
    return {
        "met": _("target met"),
        "on_track": _("on track"),
        "off_track": _("off track"),
    }.get(status or "", "")


def neutralise(value):
    """Text a spreadsheet would run as a formula starts with an apostrophe instead."""
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


def to_csv(header: list, rows: list[list]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow([neutralise(h) for h in header])
    for row in rows:
        writer.writerow(["" if v is None else neutralise(v) for v in row])
    return "\ufeff" + buffer.getvalue()  # BOM: spreadsheets then read UTF-8 (es, zh) correctly


def to_xlsx(header: list, rows: list[list], title: str) -> bytes:
    """A workbook whose text cells are text: "=1+1" typed by a respondent is shown as typed,
    never run (a CSV has no cell types, so it gets the apostrophe instead)."""
    book = Workbook()
    sheet = book.active
    sheet.title = title[:31]
    widths: dict[int, int] = {}
    for values in [header, *rows]:
        sheet.append(values)
        for cell in sheet[sheet.max_row]:
            if isinstance(cell.value, str):
                cell.data_type = "s"  # openpyxl reads a leading "=" as a formula otherwise
                widest = max((len(line) for line in cell.value.splitlines()), default=0)
                widths[cell.column] = max(widths.get(cell.column, 8), min(widest + 2, 60))
    for column, width in widths.items():
        sheet.column_dimensions[get_column_letter(column)].width = width
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
