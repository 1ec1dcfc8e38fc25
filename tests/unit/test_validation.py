"""The template validator reports every problem with its file, place and reason."""

import copy

import pytest
import yaml

from engagement.surveys.loader import definition_to_yaml, parse_yaml, read_template
from engagement.surveys.validation import validate_template
from tests.support import FIXTURES, catalogue, mini, template, template_files


def raw_mini():
    return yaml.safe_load((FIXTURES / "mini.yaml").read_text(encoding="utf-8"))


def problems_of(raw):
    definition, problems = validate_template(raw, "x.yaml", catalogue())
    assert (definition is None) == bool(problems)
    return [str(p) for p in problems]


def test_fixture_is_valid():
    assert problems_of(raw_mini()) == []


def test_every_problem_is_reported_at_once_with_file_and_question_key():
    raw = raw_mini()
    first, second = raw["sections"][0]["questions"][:2]
    del first["text"]["zh"]
    second["indicator"] = "happiness"
    raw["sections"][1]["questions"][0]["key"] = "attended"  # duplicate
    raw["sections"][0]["questions"][2]["choices"][1]["value"] = 1  # duplicate value
    problems = problems_of(raw)
    assert "x.yaml: question attended: text: missing translation for zh (中文)" in problems
    assert "x.yaml: question grade: indicator: unknown indicator 'happiness'" in problems
    assert "x.yaml: question attended: duplicate question key" in problems
    assert "x.yaml: question band: choice 2: duplicate value 1" in problems
    assert len(problems) >= 4


def test_translation_problems_are_marked_as_such():
    raw = raw_mini()
    raw["sections"][0]["title"]["es"] = "   "
    _definition, problems = validate_template(raw, "x.yaml", catalogue())
    assert [(p.location, p.translation) for p in problems] == [("section about", True)]


def test_bad_choice_values_and_types():
    raw = raw_mini()
    questions = raw["sections"][1]["questions"]
    questions[0]["show_if"] = {"question": "attended", "in": [7]}
    questions[1]["choices"] = [
        {"value": v, "label": {"en": "x", "es": "x", "zh": "x"}} for v in (1, 2, 3)
    ]
    questions[2]["min"] = 20
    questions[3]["choices"][0]["value"] = "one"
    questions[4]["favourable"] = [1]
    problems = problems_of(raw)
    assert (
        "x.yaml: question how_often: show_if: values must be among [0, 1] of 'attended'" in problems
    )
    assert (
        "x.yaml: question safe: choices: a likert scale has values 1-5, got [1, 2, 3]" in problems
    )
    assert "x.yaml: question kids: min and max: numbers with min below max" in problems
    assert (
        "x.yaml: question channels: choice 1: value must be a whole number, got 'one'" in problems
    )
    assert (
        "x.yaml: question comment: favourable: a text question has no favourable values" in problems
    )


def test_values_too_large_to_store_are_problems_not_crashes():
    raw = raw_mini()
    questions = raw["sections"][1]["questions"]
    questions[3]["choices"][0]["value"] = -99999999999999999999
    questions[2]["max"] = 99999999999999999999999
    problems = problems_of(raw)
    assert (
        "x.yaml: question channels: choice 1: value must be between -1000000 and 1000000, "
        "got -99999999999999999999" in problems
    )
    assert (
        "x.yaml: question kids: min and max: numbers between -1,000,000,000 and 1,000,000,000"
        in problems
    )


def test_a_text_too_long_for_any_page_is_a_problem():
    raw = raw_mini()
    raw["sections"][0]["questions"][0]["text"]["es"] = "x" * 2_000_000
    assert (
        "x.yaml: question attended: text: the es text has 2,000,000 characters; at most 2,000"
        in problems_of(raw)
    )


def test_a_text_keyword_the_sms_service_answers_itself_is_a_problem():
    """A survey named HELP or ESPAÑOL by text could never be started: that word is taken."""
    for word, ok in [
        ("FAMILY", True),
        ("CLIMA26", True),
        ("HELP", False),
        ("ayuda", False),
        ("Stop", False),
        ("OMITIR", False),
        ("ESPANOL", False),
        ("english", False),
        ("2026", False),  # digits alone are answers to a question
    ]:
        raw = raw_mini()
        raw["sms_keyword"] = word
        problems = problems_of(raw)
        assert (problems == []) is ok, (word, problems)
        if word == "HELP":
            assert problems == [
                "x.yaml: survey: sms_keyword: HELP is a word text messages keep for themselves"
                " (STOP, START, HELP, SKIP and language names, in English, Spanish and Chinese)"
            ]


@pytest.mark.parametrize(
    ("field", "word", "problem"),
    [
        ("sms_keyword_es", "familia", None),  # stored upper case, matched as texted
        ("sms_keyword_zh", "家庭", None),
        ("sms_keyword_es", "ENCUESTAÑ", None),  # a Spanish letter
        ("sms_keyword_es", "DOS PALABRAS", "2-20 letters or digits, no spaces, a letter at least"),
        ("sms_keyword_es", "2026", "2-20 letters or digits, no spaces, a letter at least"),
        ("sms_keyword_es", "AYUDA", "AYUDA is a word text messages keep for themselves"),
        ("sms_keyword_zh", "中文", "中文 is a word text messages keep for themselves"),
        ("sms_keyword_zh", "退订", "退订 is a word text messages keep for themselves"),
        ("sms_keyword_es", "mini", "MINI is already this survey's keyword"),
    ],
)
def test_a_keyword_in_spanish_or_chinese(field, word, problem):
    raw = raw_mini()
    raw[field] = word
    definition, problems = validate_template(raw, "x.yaml", catalogue())
    if problem is None:
        assert problems == []
        assert definition.sms_keyword_in == {field[-2:]: word.upper()}
        assert definition.keyword_for(field[-2:]) == word.upper()
        assert definition.keyword_for("en") == "MINI"
    else:
        assert [str(p) for p in problems] == [f"x.yaml: survey: {field}: {problem}"]


def test_a_keyword_in_another_language_needs_the_main_one():
    raw = raw_mini()
    del raw["sms_keyword"]
    raw["sms_keyword_es"] = "CORTA"
    assert problems_of(raw) == [
        "x.yaml: survey: sms_keyword_es: needs sms_keyword, the one every flyer can print"
    ]


def test_unknown_type_field_and_administrative_indicator():
    raw = raw_mini()
    raw["sections"][0]["questions"][0]["type"] = "slider"
    raw["sections"][0]["questions"][1]["indicator"] = "employment"
    raw["sections"][0]["questions"][1]["colour"] = "red"
    raw["audience"] = "teachers"
    problems = problems_of(raw)
    assert any("question attended: type: 'slider' is not one of" in p for p in problems)
    assert "x.yaml: question grade: unknown field 'colour'" in problems
    assert (
        "x.yaml: question grade: indicator: 'employment' comes from administrative data, "
        "not surveys"
    ) in problems
    assert "x.yaml: survey: audience: must be one of parent, student, staff" in problems


def test_show_if_must_point_to_an_earlier_question():
    raw = raw_mini()
    raw["sections"][0]["questions"][0]["show_if"] = {"question": "safe", "in": [1]}
    assert "x.yaml: question attended: show_if: 'safe' is not an earlier question" in problems_of(
        raw
    )


def test_lower_is_better_indicator_needs_an_explicit_outcome():
    raw = raw_mini()
    raw["sections"][1]["questions"][0]["indicator"] = "bullying"
    problems = problems_of(raw)
    assert any(
        "question how_often: indicator: 'bullying' is lower-is-better" in p for p in problems
    )
    raw["outcomes"] = [
        {"indicator": "bullying", "rule": "any_of", "questions": ["how_often"], "values": [2, 3]}
    ]
    assert problems_of(raw) == []


def test_outcome_problems():
    raw = raw_mini()
    raw["outcomes"] = [
        {"indicator": "caring_adult", "rule": "scale_mean", "questions": ["safe"], "threshold": 9},
        {"indicator": "bullying", "rule": "any_of", "questions": ["ghost"]},
        {"indicator": "school_rating", "rule": "median", "questions": ["grade"]},
    ]
    problems = problems_of(raw)
    assert "x.yaml: outcome caring_adult: threshold: must be between 1 and 5" in problems
    assert "x.yaml: outcome bullying: questions: unknown question 'ghost'" in problems
    assert "x.yaml: outcome school_rating: rule: one of any_of, all_of, scale_mean" in problems


def test_yaml_errors_duplicate_mapping_keys_and_yaml_booleans():
    _data, problems = parse_yaml("slug: a\nslug: b\n", "d.yaml")
    assert [str(p) for p in problems] == [
        "d.yaml: line 2: not valid YAML: 'slug' appears twice at the same level"
        " (the line reads “slug: b”)"
    ]
    data, problems = parse_yaml("es: No\nzh: on\nflag: true\n", "b.yaml")
    assert problems == [] and data == {"es": "No", "zh": "on", "flag": True}


@pytest.mark.parametrize(
    ("text", "line", "said"),
    [
        ("title:\n  en: Note: bring ID\n", 2, "put text that holds “: ” in quotes"),
        ("sections:\n  - key: a\n    title: b\n   type: text\n", 4, "indented differently"),
        ("slug: x\n\ttitle: y\n", 2, "a tab character: indent with spaces"),
        # Where the quote opens, not where the file ends.
        ('title:\n  en: "Hello\nslug: x\n', 2, "a quotation mark that is never closed"),
        ("slug: x\ntitle\nen: y\n", 2, "a line without “name: value” (a colon is missing)"),
        ("choices: [a, b\nslug: x\n", 1, "a list in [brackets] that is not closed"),
        ("title: *foo\n", 1, "a value starting with * or &: put it in quotes"),
        ("title: @foo\n", 1, "a value starting with @ or `: put it in quotes"),
        # No space after a key: the parser trips on the next line, or says a colon is missing.
        (
            "title:\n  en:Lunch\n  es: Algo\n",
            2,
            "a space is missing after the colon: write “en: Lunch”",
        ),
        ("title:\n  en: L\n  zh:其他意见\n", 3, "write “zh: 其他意见”"),
    ],
)
def test_yaml_mistakes_are_told_in_plain_words_with_the_line_to_look_at(text, line, said):
    _data, (problem,) = parse_yaml(text, "t.yaml")
    assert problem.location == f"line {line}"
    assert said in problem.message
    assert "<block" not in problem.message and "scalar" not in problem.message
    shown = text.splitlines()[line - 1].strip()
    assert problem.message.endswith(f"(the line reads “{shown}”)")


@pytest.mark.parametrize(
    "text",
    ["title:\n  en: 'Don't know'\n", 'title:\n  en: "Evening" meetings\n', "t:\n  en: [A] b\n"],
)
def test_text_after_a_closing_quote_or_bracket_is_told_as_such(text):
    _data, (problem,) = parse_yaml(text, "q.yaml")
    assert problem.location == "line 2"
    assert problem.message.startswith(
        "not valid YAML: text goes on after its closing quotation mark or bracket: put the"
        " whole text in double quotes"
    )


def test_a_label_typed_without_a_space_after_its_language_or_left_empty():
    raw = raw_mini()
    raw["title"] = "en:Mini"
    raw["sections"][0]["questions"][0]["text"]["es"] = None  # "es:" with nothing after it
    raw["sections"][0]["questions"][0]["text"]["zh"] = 10  # a number is its text
    problems = problems_of(raw)
    assert "x.yaml: survey: title: “en:Mini” needs a space after the colon" in problems
    assert any("text: missing translation for es (Español)" in p for p in problems)
    assert not any("must be a string" in p or "zh" in p for p in problems)


def test_text_shaped_like_a_date_stays_text_and_deep_nesting_is_a_problem_not_a_crash():
    data, problems = parse_yaml("es: 2026-13-45\nzh: 2026-11-30\n", "t.yaml")
    assert problems == [] and data == {"es": "2026-13-45", "zh": "2026-11-30"}
    _data, problems = parse_yaml("a: " + "[" * 5000 + "]" * 5000, "n.yaml")
    assert [str(p) for p in problems] == ["n.yaml: YAML: not valid YAML: nested too deeply"]


def test_not_a_mapping():
    assert problems_of(["a", "b"]) == [
        "x.yaml: survey: the file must hold a mapping (slug, title, sections, ...)"
    ]


def test_definition_round_trips_through_yaml(tmp_path):
    for definition in [mini(), *(template(p) for p in template_files())]:
        path = tmp_path / f"{definition.slug}.yaml"
        path.write_text(definition_to_yaml(definition), encoding="utf-8")
        again, problems = read_template(path, catalogue())
        assert problems == []
        assert again == definition
        assert again.content_hash == definition.content_hash


def test_hash_changes_with_content_only():
    definition = mini()
    raw = copy.deepcopy(raw_mini())
    same, _ = validate_template(raw, "elsewhere.yaml", catalogue())
    assert same.content_hash == definition.content_hash
    raw["sections"][0]["questions"][0]["text"]["es"] = "¿Fue a un evento escolar este año?"
    changed, _ = validate_template(raw, "x.yaml", catalogue())
    assert changed.content_hash != definition.content_hash
