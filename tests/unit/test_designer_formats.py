"""Work in progress keeps missing translations; YAML and XLSForm give back the same survey."""

import copy
from io import BytesIO

import pytest
import yaml
from openpyxl import Workbook

from engagement.designer import editing
from engagement.surveys.loader import definition_to_yaml, parse_yaml
from engagement.surveys.validation import validate_template
from engagement.surveys.xlsform import XlsFormError, read_xlsform, write_xlsform
from tests.support import FIXTURES, catalogue, mini, template, template_files

SURVEYS = [FIXTURES / "mini.yaml", FIXTURES / "protected.yaml", *template_files()]


def raw_mini():
    return yaml.safe_load((FIXTURES / "mini.yaml").read_text(encoding="utf-8"))


def test_missing_translations_block_the_definition_unless_work_in_progress():
    raw = raw_mini()
    del raw["title"]["zh"]
    del raw["sections"][0]["questions"][0]["text"]["es"]
    definition, problems = validate_template(raw, "x", catalogue())
    assert definition is None and len(problems) == 2
    definition, problems = validate_template(raw, "x", catalogue(), allow_missing_translations=True)
    assert definition is not None and definition.title == {
        "en": "Mini survey",
        "es": "Encuesta mini",
    }
    assert [p.translation for p in problems] == [True, True]


def test_work_in_progress_still_refuses_other_problems():
    raw = raw_mini()
    del raw["title"]["zh"]
    raw["sections"][0]["questions"][0]["indicator"] = "happiness"
    definition, problems = validate_template(raw, "x", catalogue(), allow_missing_translations=True)
    assert definition is None
    assert any(not p.translation for p in problems)


def test_protected_is_a_question_attribute():
    raw = raw_mini()
    raw["sections"][1]["questions"][0]["protected"] = True
    definition, problems = validate_template(raw, "x", catalogue())
    assert problems == [] and definition.has_protected_topics
    assert definition.question("how_often").protected
    assert definition.to_dict()["sections"][1]["questions"][0]["protected"] is True
    assert not mini().has_protected_topics and "protected" not in str(mini().to_dict())
    raw["sections"][1]["questions"][0]["protected"] = "yes"
    _, problems = validate_template(raw, "x", catalogue())
    assert [p.message for p in problems] == ["protected: true or false"]


@pytest.mark.parametrize("path", SURVEYS, ids=lambda p: p.name)
def test_yaml_export_then_import_gives_the_same_survey(path):
    original = template(path)
    data, problems = parse_yaml(definition_to_yaml(original), "back.yaml")
    again, problems = validate_template(data, "back.yaml", catalogue())
    assert problems == []
    assert again.to_dict() == original.to_dict()


@pytest.mark.parametrize("path", SURVEYS, ids=lambda p: p.name)
def test_xlsform_export_then_import_gives_the_same_survey(path):
    original = template(path)
    data, left_out = read_xlsform(write_xlsform(original), "back.xlsx")
    assert left_out == []
    again, problems = validate_template(data, "back.xlsx", catalogue())
    assert problems == []
    assert again.to_dict() == original.to_dict()


def test_xlsform_uses_the_standard_sheets_and_language_columns():
    from openpyxl import load_workbook

    book = load_workbook(BytesIO(write_xlsform(mini())))
    assert book.sheetnames[:3] == ["survey", "choices", "settings"]
    header = [c.value for c in book["survey"][1]]
    assert {
        "type",
        "name",
        "label::English (en)",
        "label::Español (es)",
        "label::中文 (zh)",
    } <= set(header)
    rows = {r[1]: r for r in book["survey"].iter_rows(min_row=2, values_only=True)}
    column = {name: i for i, name in enumerate(header)}
    assert rows["how_often"][column["relevant"]] == "${attended} = 'yes'"
    assert rows["kids"][column["type"]] == "integer"
    assert rows["kids"][column["constraint"]] == ". >= 0 and . <= 12"
    assert rows["channels"][column["type"]].startswith("select_multiple ")
    assert rows["attended"][column["required"]] == "yes"


def test_a_label_starting_with_equals_is_text_not_a_formula():
    definition = copy.deepcopy(raw_mini())
    definition["sections"][0]["questions"][0]["text"]["en"] = "=1+1 is two?"
    parsed, _ = validate_template(definition, "x", catalogue())
    data, _ = read_xlsform(write_xlsform(parsed), "x.xlsx")
    assert data["sections"][0]["questions"][0]["text"]["en"] == "=1+1 is two?"


def foreign_form() -> bytes:
    """An XLSForm as ODK users write them, with features this project has no word for."""
    book = Workbook()
    survey = book.active
    survey.title = "survey"
    survey.append(
        [
            "type",
            "name",
            "label::English (en)",
            "label::Spanish (es)",
            "hint",
            "relevant",
            "constraint",
            "appearance",
            "media::image",
        ]
    )
    rows = [
        ["begin group", "about", "About", "Acerca", None, None, None, None, None],
        [
            "select_one yn",
            "has_kids",
            "Do you have children?",
            "¿Tiene hijos?",
            None,
            None,
            None,
            None,
            None,
        ],
        [
            "integer",
            "kids",
            "How many?",
            "¿Cuántos?",
            "Count them",
            "${has_kids} = '1'",
            ". >= 0 and . <= 10",
            None,
            None,
        ],
        ["begin group", "inner", "Inner", "Interior", None, None, None, None, None],
        [
            "text",
            "why",
            "Why?",
            "¿Por qué?",
            None,
            "${kids} > 2 and ${has_kids} = '1'",
            None,
            "multiline",
            None,
        ],
        ["end group", None, None, None, None, None, None, None, None],
        ["calculate", "double", None, None, None, None, None, None, None],
        ["note", "hello", "Hello", "Hola", None, None, None, None, "hello.png"],
        ["begin repeat", "child", "Child", "Niño", None, None, None, None, None],
        ["text", "child_name", "Name", "Nombre", None, None, None, None, None],
        ["end repeat", None, None, None, None, None, None, None, None],
        ["end group", None, None, None, None, None, None, None, None],
        ["select_one yn or_other", "other", "Other?", "¿Otro?", None, None, None, None, None],
    ]
    for row in rows:
        survey.append(row)
    choices = book.create_sheet("choices")
    choices.append(["list_name", "name", "label::English (en)", "label::Spanish (es)"])
    choices.append(["yn", "1", "Yes", "Sí"])
    choices.append(["yn", "0", "No", "No"])
    settings = book.create_sheet("settings")
    settings.append(["form_title", "form_id", "style"])
    settings.append(["Family check-in", "family_checkin", "pages"])
    book.create_sheet("entities").append(["list_name"])
    buffer = BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def test_unsupported_xlsform_features_are_listed_with_row_numbers():
    data, left_out = read_xlsform(foreign_form(), "odk.xlsx")
    where = {p.location: p.message for p in left_out}
    assert "nested" not in where  # keys are places
    assert where["survey row 5"].startswith("group 'inner' inside another group")
    assert "${kids} > 2" in where["survey row 6"]
    assert "type 'calculate' is not supported" in where["survey row 8"]
    assert "type 'note' is not supported" in where["survey row 9"]
    assert "repeats are not supported" in where["survey row 10"]
    assert "inside a repeat" in where["survey row 11"]
    assert "'select_one yn or_other' is not supported" in where["survey row 14"]
    messages = " | ".join(str(p) for p in left_out)
    assert "column 'appearance' is not supported; ignored in rows 6" in messages
    assert "column 'media::image' is not supported; ignored in rows 9" in messages
    assert "sheet 'entities' is not supported" in messages
    assert "column 'style' is not supported" in messages
    # What it could read is a survey, with the simple skip rule kept.
    assert data["slug"] == "family-checkin"
    questions = data["sections"][0]["questions"]
    assert [q["key"] for q in questions] == ["has_kids", "kids", "why"]
    assert questions[1]["show_if"] == {"question": "has_kids", "in": [1]}
    assert (questions[1]["min"], questions[1]["max"]) == (0, 10)
    assert questions[1]["help"] == {"en": "Count them"}
    assert questions[0]["choices"][0] == {
        "value": 1,
        "code": "1",
        "label": {"en": "Yes", "es": "Sí"},
    }


def test_a_file_that_is_not_a_workbook_is_refused():
    with pytest.raises(XlsFormError):
        read_xlsform(b"not a zip file", "x.xlsx")


def test_translatable_texts_highlight_what_is_missing():
    raw = raw_mini()
    del raw["sections"][0]["questions"][0]["text"]["zh"]
    raw["intro"] = {"en": "Welcome"}
    missing = {(t.path, tuple(t.missing)) for t in editing.missing_translations(raw)}
    assert (("sections", 0, "questions", 0, "text"), ("zh",)) in missing
    assert (("intro",), ("es", "zh")) in missing
    assert all(t.path != ("thanks",) for t in editing.missing_translations(raw))
    fixed = editing.apply_translations(
        raw,
        {
            ("sections", 0, "questions", 0, "text"): {"zh": "您今年参加过学校活动吗？"},
            ("intro",): {"en": "", "es": "", "zh": ""},
        },
    )
    assert fixed["sections"][0]["questions"][0]["text"] == {"zh": "您今年参加过学校活动吗？"}
    assert "intro" not in fixed
