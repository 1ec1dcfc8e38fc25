"""Surveys as XLSForm workbooks (the ODK / KoboToolbox spreadsheet standard), both ways.

Export writes `survey`, `choices` and `settings` sheets with
`label::English (en)` style columns, plus `engagement::...` columns (and an
`outcomes` sheet) for what XLSForm has no word for, so an exported workbook
imports back as the same survey. Import reads forms made elsewhere too: rows
and columns it cannot represent are returned as a list with row numbers,
never silently dropped.
"""

from __future__ import annotations

import re
import zipfile
from collections.abc import Iterable
from io import BytesIO
from typing import Any

from openpyxl import Workbook, load_workbook
from openpyxl.utils.exceptions import InvalidFileException

from engagement.i18n import LANGUAGE_NAMES, SUPPORTED_LANGUAGES

from .definition import (
    SETTINGS,
    TRANSLATED_KEYWORD_LANGUAGES,
    Question,
    QuestionType,
    SurveyDefinition,
)
from .scales import NOT_APPLICABLE_VALUE
from .validation import Problem

LANGUAGE_COLUMN = {lang: f"{LANGUAGE_NAMES[lang]} ({lang})" for lang in SUPPORTED_LANGUAGES}
EXTRA = "engagement::"
SELECT_TYPES = {"select_one": False, "select_multiple": True}
NUMBER_TYPES = ("integer", "decimal")
BUILT_IN_TYPES = (QuestionType.LIKERT, QuestionType.GRADE, QuestionType.YES_NO)
TRUE_WORDS = {"yes", "true", "true()", "1"}
FALSE_WORDS = {"", "no", "false", "false()", "0"}
LANGUAGE_WORDS = {
    "english": "en",
    "spanish": "es",
    "español": "es",
    "espanol": "es",
    "chinese": "zh",
    "mandarin": "zh",
    "中文": "zh",
}
SURVEY_EXTRAS = ("type", "indicator", "favourable", "reverse_coded", "protected", "sets")
CHOICE_EXTRAS = ("value", "not_applicable", "exclusive")
TRANSLATED_SETTINGS = ("title", "intro", "thanks")

NUMBER = r"(-?\d+(?:\.\d+)?)"
RANGE = [
    re.compile(rf"^\.\s*>=\s*{NUMBER}\s+and\s+\.\s*<=\s*{NUMBER}$"),
    re.compile(rf"^\.\s*<=\s*{NUMBER}\s+and\s+\.\s*>=\s*{NUMBER}$"),
]
TEXT_LENGTH = re.compile(r"^string-length\(\s*\.\s*\)\s*<=\s*(\d+)$")
EQUALS = re.compile(r"^\$\{(\w+)\}\s*=\s*'([^']*)'$")
SELECTED = re.compile(r"^selected\(\s*\$\{(\w+)\}\s*,\s*'([^']*)'\s*\)$")


class XlsFormError(ValueError):
    """The file cannot be read as an XLSForm at all."""

    def __init__(self, message: str, where: str = "workbook"):
        super().__init__(message)
        self.where = where


# --- export --------------------------------------------------------------------------------


def _number_text(value: float) -> str:
    return (
        str(int(value))
        if float(value).is_integer() and not isinstance(value, float)
        else str(value)
    )


def _yes(flag: bool) -> str:
    return "yes" if flag else ""


def _labels(prefix: str, text: dict[str, str] | None) -> dict[str, str]:
    return {
        f"{prefix}::{LANGUAGE_COLUMN[lang]}": (text or {}).get(lang, "")
        for lang in SUPPORTED_LANGUAGES
    }


def _relevant(definition: SurveyDefinition, question: Question) -> str:
    if question.show_if is None:
        return ""
    target = definition.question(question.show_if.question)
    codes = [target.choice_by_value(v).code for v in question.show_if.values]
    if target.type is QuestionType.MULTIPLE_CHOICE:
        terms = [f"selected(${{{target.key}}}, '{code}')" for code in codes]
    else:
        terms = [f"${{{target.key}}} = '{code}'" for code in codes]
    return " or ".join(terms)


def _write_sheet(workbook: Workbook, title: str, columns: list[str], rows: Iterable[dict]) -> None:
    sheet = workbook.create_sheet(title)
    sheet.append(columns)
    for values in rows:
        sheet.append([None] * len(columns))
        for column, name in enumerate(columns, start=1):
            value = values.get(name)
            if value in (None, ""):
                continue
            cell = sheet.cell(row=sheet.max_row, column=column, value=value)
            if isinstance(value, str) and value.startswith("="):
                cell.data_type = "s"  # text, never a formula


def write_xlsform(definition: SurveyDefinition) -> bytes:
    """The definition as an .xlsx XLSForm that `read_xlsform` reads back unchanged."""
    lists: dict[tuple, str] = {}
    choice_rows: list[dict[str, Any]] = []
    survey_rows: list[dict[str, Any]] = []

    def list_name(question: Question) -> str:
        signature = tuple(
            (c.value, c.code, tuple(sorted(c.label.items())), c.not_applicable, c.exclusive)
            for c in question.choices
        )
        if signature not in lists:
            lists[signature] = question.key
            for choice in question.choices:
                choice_rows.append(
                    {
                        "list_name": question.key,
                        "name": choice.code,
                        **_labels("label", choice.label),
                        EXTRA + "value": choice.value,
                        EXTRA + "not_applicable": _yes(choice.not_applicable),
                        EXTRA + "exclusive": _yes(choice.exclusive),
                    }
                )
        return lists[signature]

    for section in definition.sections:
        survey_rows.append(
            {"type": "begin group", "name": section.key, **_labels("label", section.title)}
        )
        for question in section.questions:
            row: dict[str, Any] = {
                "name": question.key,
                **_labels("label", question.text),
                **_labels("hint", question.help),
                "required": _yes(question.required),
                "relevant": _relevant(definition, question),
                EXTRA + "indicator": question.indicator or "",
                EXTRA + "reverse_coded": _yes(question.reverse_coded),
                EXTRA + "protected": _yes(question.protected),
                EXTRA + "sets": question.sets or "",
            }
            if question.type.has_choices:
                kind = (
                    "select_multiple"
                    if question.type is QuestionType.MULTIPLE_CHOICE
                    else "select_one"
                )
                row["type"] = f"{kind} {list_name(question)}"
                row[EXTRA + "favourable"] = " ".join(str(v) for v in sorted(question.favourable))
                if question.type in BUILT_IN_TYPES:
                    row[EXTRA + "type"] = question.type.value
            elif question.type is QuestionType.NUMBER:
                whole = all(isinstance(v, int) for v in (question.minimum, question.maximum))
                row["type"] = "integer" if whole else "decimal"
                low, high = _number_text(question.minimum), _number_text(question.maximum)
                row["constraint"] = f". >= {low} and . <= {high}"
            else:
                row["type"] = "text"
                row["constraint"] = f"string-length(.) <= {question.max_length}"
            survey_rows.append(row)
        survey_rows.append({"type": "end group", "name": section.key})

    workbook = Workbook()
    workbook.remove(workbook.active)
    label_columns = list(_labels("label", {}))
    hint_columns = list(_labels("hint", {}))
    _write_sheet(
        workbook,
        "survey",
        ["type", "name", *label_columns, *hint_columns, "required", "relevant", "constraint"]
        + [EXTRA + name for name in SURVEY_EXTRAS],
        survey_rows,
    )
    _write_sheet(
        workbook,
        "choices",
        ["list_name", "name", *label_columns] + [EXTRA + name for name in CHOICE_EXTRAS],
        choice_rows,
    )
    settings = {
        "form_title": definition.title.get("en", ""),
        "form_id": definition.slug,
        "default_language": LANGUAGE_COLUMN["en"],
        **{EXTRA + "audience": definition.audience, EXTRA + "school_year": definition.school_year},
        EXTRA + "sms_keyword": definition.sms_keyword or "",
        **{
            EXTRA + f"sms_keyword_{language}": definition.sms_keyword_in.get(language, "")
            for language in TRANSLATED_KEYWORD_LANGUAGES
        },
        EXTRA + "min_cell_size": definition.min_cell_size,
    }
    for name in TRANSLATED_SETTINGS:
        settings.update(_labels(name, getattr(definition, name)))
    _write_sheet(workbook, "settings", list(settings), [settings])
    if definition.outcomes:
        _write_sheet(
            workbook,
            "outcomes",
            ["indicator", "rule", "questions", "values", "threshold"],
            [
                {
                    "indicator": o.indicator,
                    "rule": o.rule.value,
                    "questions": " ".join(o.questions),
                    "values": " ".join(str(v) for v in sorted(o.values)),
                    "threshold": o.threshold,
                }
                for o in definition.outcomes
            ],
        )
    buffer = BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


# --- import --------------------------------------------------------------------------------


class _Sheet:
    def __init__(self, name: str, header: list[str], rows: list[tuple[int, dict[str, Any]]]):
        self.name = name
        self.header = header
        self.rows = rows


def _read_sheets(content: bytes) -> dict[str, _Sheet]:
    try:
        workbook = load_workbook(BytesIO(content), read_only=True, data_only=True)
    except (InvalidFileException, zipfile.BadZipFile, KeyError, ValueError, OSError) as error:
        raise XlsFormError("not an .xlsx workbook (XLSForm files are Excel .xlsx)") from error
    sheets = {}
    for worksheet in workbook.worksheets:
        rows = worksheet.iter_rows(values_only=True)
        header = [str(h).strip() if h is not None else "" for h in next(rows, ())]
        data = []
        for number, values in enumerate(rows, start=2):
            cells = {
                header[i]: (v.strip() if isinstance(v, str) else v)
                for i, v in enumerate(values)
                if i < len(header) and header[i] and v not in (None, "")
            }
            if cells:
                data.append((number, cells))
        sheets[worksheet.title.strip().lower()] = _Sheet(worksheet.title, header, data)
    workbook.close()
    return sheets


def _language_of(column: str, default: str) -> str | None:
    """'label::Español (es)' -> 'es'; 'label' -> the default language; unknown -> None."""
    _, _, name = column.partition("::")
    if not name:
        return default
    match = re.search(r"\(([A-Za-z]{2,3})(?:[-_][A-Za-z]+)?\)\s*$", name)
    if match:
        code = match.group(1).lower()
        return code if code in SUPPORTED_LANGUAGES else None
    return LANGUAGE_WORDS.get(name.strip().lower())


class _Reader:
    def __init__(self, file: str, default_language: str):
        self.file = file
        self.default = default_language
        self.left_out: list[Problem] = []

    def leave_out(self, sheet: str, row: int | None, message: str) -> None:
        where = f"{sheet} row {row}" if row else f"{sheet} sheet"
        self.left_out.append(Problem(self.file, where, message))

    def translated(self, cells: dict[str, Any], prefix: str) -> dict[str, str]:
        text = {}
        for column, value in cells.items():
            if column == prefix or column.startswith(prefix + "::"):
                lang = _language_of(column, self.default)
                if lang is not None:
                    text[lang] = str(value)
        return text

    def check_columns(self, sheet: _Sheet, known: set[str], prefixes: tuple[str, ...]) -> None:
        """Columns this importer does not read are listed once, with the first row using them."""
        for column in sheet.header:
            if not column or column in known:
                continue
            if column.startswith(prefixes):
                if _language_of(column, self.default) is not None:
                    continue
                message = f"column {column!r}: only en, es and zh are supported"
            else:
                message = f"column {column!r} is not supported"
            used = [number for number, cells in sheet.rows if column in cells]
            if used:
                rows = ", ".join(map(str, used[:10])) + (" ..." if len(used) > 10 else "")
                self.leave_out(sheet.name, None, f"{message}; ignored in rows {rows}")


def _flag(value: Any) -> bool | None:
    text = str(value).strip().lower() if value is not None else ""
    if text in TRUE_WORDS:
        return True
    if text in FALSE_WORDS:
        return False
    return None


def _number(text: str) -> int | float:
    return float(text) if "." in text else int(text)


def _int(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str) and re.fullmatch(r"-?\d+", value.strip()):
        return int(value)
    return None


def _choice_lists(reader: _Reader, sheet: _Sheet | None) -> dict[str, list[dict[str, Any]]]:
    if sheet is None:
        return {}
    reader.check_columns(
        sheet, {"list_name", "name"} | {EXTRA + n for n in CHOICE_EXTRAS}, ("label",)
    )
    grouped: dict[str, list[tuple[int, dict[str, Any]]]] = {}
    for number, cells in sheet.rows:
        name = str(cells.get("list_name", "")).strip()
        if name:
            grouped.setdefault(name, []).append((number, cells))
    lists = {}
    for name, rows in grouped.items():
        given = [_int(cells.get(EXTRA + "value")) for _, cells in rows]
        from_names = [_int(cells.get("name")) for _, cells in rows]
        if all(v is not None for v in given):
            values = given
        elif all(v is not None for v in from_names):
            values = from_names
        else:
            values = list(range(1, len(rows) + 1))
        lists[name] = [
            {
                "value": value,
                "code": str(cells.get("name", value)),
                "label": reader.translated(cells, "label"),
                "not_applicable": bool(_flag(cells.get(EXTRA + "not_applicable"))),
                "exclusive": bool(_flag(cells.get(EXTRA + "exclusive"))),
            }
            for value, (_, cells) in zip(values, rows, strict=True)
        ]
    return lists


def _clean_choice(choice: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in choice.items() if v not in (False, None)}


def _parse_relevant(expression: str, earlier: dict[str, dict[str, Any]]) -> dict[str, Any] | None:
    """`${q} = 'code'` or `selected(${q}, 'code')` terms joined by `or`, all on one question."""
    question = None
    values = []
    for term in re.split(r"\s+or\s+", expression.strip()):
        match = EQUALS.match(term.strip()) or SELECTED.match(term.strip())
        if match is None:
            return None
        key, code = match.groups()
        if question not in (None, key) or key not in earlier:
            return None
        question = key
        choice = next((c for c in earlier[key]["_choices"] if c["code"] == code), None)
        if choice is None:
            return None
        values.append(choice["value"])
    return {"question": question, "in": values} if question else None


def _question(
    reader: _Reader,
    number: int,
    cells: dict[str, Any],
    kind: str,
    argument: str,
    lists: dict[str, list[dict[str, Any]]],
    earlier: dict[str, dict[str, Any]],
) -> dict[str, Any] | None:
    name = str(cells.get("name", "")).strip()
    question: dict[str, Any] = {"key": name, "text": reader.translated(cells, "label")}
    hint = reader.translated(cells, "hint")
    if hint:
        question["help"] = hint
    required = _flag(cells.get("required"))
    if required is None:
        reader.leave_out(
            "survey", number, f"{name}: required {cells['required']!r} is not yes/no; not required"
        )
    question["required"] = bool(required)

    choices: list[dict[str, Any]] = []
    if kind in SELECT_TYPES:
        if argument not in lists:
            reader.leave_out(
                "survey", number, f"{name}: no choice list {argument!r}; question left out"
            )
            return None
        choices = lists[argument]
        own_type = str(cells.get(EXTRA + "type", "")).strip()
        qtype = "multiple_choice" if SELECT_TYPES[kind] else "single_choice"
        if own_type in (t.value for t in BUILT_IN_TYPES) and not SELECT_TYPES[kind]:
            qtype = own_type
        question["type"] = qtype
        if qtype in (QuestionType.GRADE, QuestionType.YES_NO):
            na = [c for c in choices if c["not_applicable"]]
            if na:
                question["not_applicable"] = na[0]["label"]
                if na[0]["value"] != NOT_APPLICABLE_VALUE:
                    reader.leave_out(
                        "survey",
                        number,
                        f"{name}: the not-applicable value becomes {NOT_APPLICABLE_VALUE}",
                    )
        else:
            question["choices"] = [_clean_choice(c) for c in choices]
        favourable = cells.get(EXTRA + "favourable")
        if favourable is not None:
            parsed = [_int(v) for v in re.split(r"[\s,]+", str(favourable).strip()) if v]
            question["favourable"] = [v for v in parsed if v is not None]
    elif kind in NUMBER_TYPES:
        question["type"] = "number"
        constraint = str(cells.get("constraint", "")).strip()
        for pattern, order in zip(RANGE, ((0, 1), (1, 0)), strict=True):
            match = pattern.match(constraint)
            if match:
                question["min"] = _number(match.group(1 + order[0]))
                question["max"] = _number(match.group(1 + order[1]))
                break
        else:
            if constraint:
                reader.leave_out(
                    "survey",
                    number,
                    f"{name}: constraint {constraint!r} is not '. >= MIN and . <= MAX'; ignored",
                )
    else:
        question["type"] = "text"
        constraint = str(cells.get("constraint", "")).strip()
        match = TEXT_LENGTH.match(constraint)
        if match:
            question["max_length"] = int(match.group(1))
        elif constraint:
            reader.leave_out(
                "survey", number, f"{name}: constraint {constraint!r} is not supported; ignored"
            )

    if "constraint" in cells and kind in SELECT_TYPES:
        reader.leave_out(
            "survey", number, f"{name}: constraints on choices are not supported; ignored"
        )
    relevant = str(cells.get("relevant", "")).strip()
    if relevant:
        show_if = _parse_relevant(relevant, earlier)
        if show_if is None:
            reader.leave_out(
                "survey",
                number,
                f"{name}: relevant {relevant!r} is not one earlier question's choices "
                "(${q} = 'code' or selected(${q}, 'code') joined by or); "
                "the question is always shown",
            )
        else:
            question["show_if"] = show_if
    for flag in ("reverse_coded", "protected"):
        if _flag(cells.get(EXTRA + flag)):
            question[flag] = True
    for field in ("indicator", "sets"):
        if cells.get(EXTRA + field):
            question[field] = str(cells[EXTRA + field]).strip()
    question["_choices"] = choices
    return question


SURVEY_COLUMNS = {"type", "name", "required", "relevant", "constraint"} | {
    EXTRA + name for name in SURVEY_EXTRAS
}


def read_xlsform(content: bytes, file: str) -> tuple[dict[str, Any], list[Problem]]:
    """A survey template read from an XLSForm, and every row or column it had to leave out."""
    sheets = _read_sheets(content)
    if "survey" not in sheets:
        raise XlsFormError("no 'survey' sheet")
    settings_sheet = sheets.get("settings")
    settings = settings_sheet.rows[0][1] if settings_sheet and settings_sheet.rows else {}
    default = _language_of("x::" + str(settings.get("default_language", "")), "en") or "en"
    reader = _Reader(file, default)
    for name, sheet in sheets.items():
        if name not in ("survey", "choices", "settings", "outcomes"):
            reader.leave_out(sheet.name, None, f"sheet {sheet.name!r} is not supported; ignored")

    lists = _choice_lists(reader, sheets.get("choices"))
    survey = sheets["survey"]
    reader.check_columns(survey, SURVEY_COLUMNS, ("label", "hint"))

    title = reader.translated(settings, "title") or (
        {default: str(settings["form_title"])} if settings.get("form_title") else {}
    )
    sections: list[dict[str, Any]] = []
    earlier: dict[str, dict[str, Any]] = {}
    stack: list[tuple[str, int]] = []  # ("group" | "repeat", row)

    def current_section() -> dict[str, Any]:
        if not sections or sections[-1].get("_closed"):
            sections.append(
                {"key": f"section_{len(sections) + 1}", "title": dict(title), "questions": []}
            )
        return sections[-1]

    for number, cells in survey.rows:
        raw_type = str(cells.get("type", "")).strip()
        if not raw_type:
            if set(cells) - {"type"}:
                reader.leave_out("survey", number, "a row without a type; ignored")
            continue
        words = raw_type.replace("_group", " group").replace("_repeat", " repeat").split()
        kind = words[0].lower()
        if kind in ("begin", "end") and len(words) > 1:
            block = words[1].lower()
            if kind == "begin":
                if block == "repeat" or any(b == "repeat" for b, _ in stack):
                    reader.leave_out(
                        "survey",
                        number,
                        f"repeat {cells.get('name', '')!r}: repeats are not supported; "
                        "its questions are left out",
                    )
                elif stack:
                    reader.leave_out(
                        "survey",
                        number,
                        f"group {cells.get('name', '')!r} inside another group: "
                        "its questions stay in the outer section",
                    )
                else:
                    sections.append(
                        {
                            "key": str(cells.get("name", f"section_{len(sections) + 1}")),
                            "title": reader.translated(cells, "label"),
                            "questions": [],
                        }
                    )
                stack.append((block, number))
            else:
                if stack:
                    stack.pop()
                if not stack and sections:
                    sections[-1]["_closed"] = True
            continue
        if any(block == "repeat" for block, _ in stack):
            reader.leave_out(
                "survey", number, f"{cells.get('name', '')}: inside a repeat; left out"
            )
            continue
        argument = words[1] if len(words) > 1 else ""
        if kind not in SELECT_TYPES and kind not in NUMBER_TYPES and kind != "text":
            reader.leave_out(
                "survey",
                number,
                f"{cells.get('name', '')}: type {raw_type!r} is not supported; left out",
            )
            continue
        if kind in SELECT_TYPES and (len(words) != 2 or words[-1] == "or_other"):
            reader.leave_out(
                "survey",
                number,
                f"{cells.get('name', '')}: {raw_type!r} is not supported; left out",
            )
            continue
        question = _question(reader, number, cells, kind, argument, lists, earlier)
        if question is None:
            continue
        section = current_section() if not stack else sections[-1]
        section["questions"].append(question)
        earlier[question["key"]] = question

    for section in sections:
        section.pop("_closed", None)
        for question in section["questions"]:
            question.pop("_choices", None)
    data: dict[str, Any] = {
        "slug": str(settings.get("form_id", "")).strip().lower().replace("_", "-")
    }
    data["title"] = title
    for name in TRANSLATED_SETTINGS[1:]:
        text = reader.translated(settings, name)
        if text:
            data[name] = text
    for name in SETTINGS:
        value = settings.get(EXTRA + name)
        if value not in (None, ""):
            data[name] = value if name == "min_cell_size" else str(value)
    data["sections"] = [s for s in sections if s["questions"]]
    outcomes = sheets.get("outcomes")
    if outcomes is not None:
        data["outcomes"] = [_outcome(cells) for _, cells in outcomes.rows]
    known_settings = {"form_title", "form_id", "default_language", "version"} | {
        EXTRA + n for n in SETTINGS
    }
    if settings_sheet is not None:
        reader.check_columns(settings_sheet, known_settings, TRANSLATED_SETTINGS)
    return data, reader.left_out


def _outcome(cells: dict[str, Any]) -> dict[str, Any]:
    outcome: dict[str, Any] = {
        "indicator": str(cells.get("indicator", "")),
        "rule": str(cells.get("rule", "")),
        "questions": str(cells.get("questions", "")).split(),
    }
    if cells.get("values") not in (None, ""):
        outcome["values"] = [_int(v) for v in str(cells["values"]).split()]
    if cells.get("threshold") not in (None, ""):
        outcome["threshold"] = cells["threshold"]
    return outcome
