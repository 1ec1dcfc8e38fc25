"""Read survey templates from YAML files."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from .definition import Choice, QuestionType, SurveyDefinition
from .scales import BUILT_IN_CHOICES, NOT_APPLICABLE_VALUE
from .validation import IndicatorInfo, Problem, validate_template


class _TemplateLoader(yaml.SafeLoader):
    """YAML 1.2 booleans (so Spanish "No" stays text), no dates, no silently repeated keys.

    A template holds no dates: text shaped like one ("2026-13-45") stays text, for the
    validator to place, instead of failing inside the parser.
    """


_NOT_RESOLVED = {"tag:yaml.org,2002:bool", "tag:yaml.org,2002:timestamp"}
_TemplateLoader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag not in _NOT_RESOLVED]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
_TemplateLoader.add_implicit_resolver(
    "tag:yaml.org,2002:bool", re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF")
)


def _construct_mapping(loader: _TemplateLoader, node: yaml.MappingNode) -> dict:
    loader.flatten_mapping(node)
    mapping: dict = {}
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=True)
        if key in mapping:
            raise yaml.constructor.ConstructorError(
                None, None, f"duplicate key {key!r}", key_node.start_mark
            )
        mapping[key] = loader.construct_object(value_node, deep=True)
    return mapping


_TemplateLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)


# What the parser's complaints mean for someone editing a template by hand: the parser's
# words, the kind of mistake (said in the reader's language by admin.messages), ours in
# English, and whether the mistake began where the parser started reading what it could
# not finish (a quote, a key, a bracket) rather than where it gave up.
_IN_PLAIN_WORDS = (
    ("quoted scalar", "quote_open", "a quotation mark that is never closed", True),
    (
        "mapping values are not allowed",
        "colon_in_value",
        "a colon and a space inside a value, or a line indented too far: put text that"
        " holds “: ” in quotes",
        False,
    ),
    (
        "expected <block end>",
        "indentation",
        "this line is indented differently from the lines above it",
        False,
    ),
    (
        "could not find expected ':'",
        "colon_missing",
        "a line without “name: value” (a colon is missing)",
        True,
    ),
    ("'\\t' that cannot start", "tab", "a tab character: indent with spaces", False),
    (
        "cannot start any token",
        "starts_with_sign",
        "a value starting with @ or `: put it in quotes",
        False,
    ),
    (
        "undefined alias",
        "starts_with_star",
        "a value starting with * or &: put it in quotes",
        False,
    ),
    ("expected ',' or ']'", "bracket_open", "a list in [brackets] that is not closed", True),
    ("expected ',' or '}'", "brace_open", "a list in {braces} that is not closed", True),
)
_DUPLICATE = re.compile(r"^duplicate key (.+)$")


# A value opened with a quote or a bracket that goes on after it closes: 'Don't know',
# "Evening" meetings, [Evening] meetings. The parser calls it a mapping's missing end.
_TEXT_AFTER_CLOSING = re.compile(r"""^\s*(?:-\s+)?[^\s:#'"]+:\s+(['"\[{])""")
_QUOTED_TEXT = (
    "text goes on after its closing quotation mark or bracket: put the whole text in double"
    ' quotes ("Don\'t know", "[Evening] meetings"), and write a " inside them as \\"'
)


# "en:Lunchtime": a key and its text with no space between, which the parser takes for one
# piece of text and then trips over on another line. Not "http://" nor "10:30" in a value.
_NO_SPACE_AFTER_KEY = re.compile(r"^\s*(?:-\s+)?[A-Za-z_][\w-]*:(?![\s/:])\S")


@dataclass(frozen=True)
class _Mistake:
    kind: str | None  # None: the parser's own words, untranslated
    english: str
    mark: yaml.Mark | None
    params: dict[str, str]


def _plain_words(error: yaml.YAMLError, lines: list[str]) -> _Mistake:
    """What went wrong in words a template's editor knows, and the line to look at."""
    problem = getattr(error, "problem", None) or str(error)
    context = getattr(error, "context", None) or ""
    problem_mark = getattr(error, "problem_mark", None)
    context_mark = getattr(error, "context_mark", None)
    marks = [mark for mark in (context_mark, problem_mark) if mark is not None]
    if marks:  # the parser gives up a line after such a key, or on it
        low, high = min(m.line for m in marks), max(m.line for m in marks)
        for number in range(min(high, len(lines) - 1), max(low - 1, 0) - 1, -1):
            if _NO_SPACE_AFTER_KEY.match(lines[number]):
                key, _colon, text = lines[number].strip().removeprefix("- ").partition(":")
                english = f"a space is missing after the colon: write “{key}: {text.strip()}”"
                mark = yaml.Mark("", 0, number, 0, None, None)
                return _Mistake("no_space", english, mark, {"key": key, "text": text.strip()})
    if duplicate := _DUPLICATE.match(problem):
        english = f"{duplicate.group(1)} appears twice at the same level"
        return _Mistake("key_twice", english, problem_mark, {"key": duplicate.group(1)})
    for theirs, kind, english, began_earlier in _IN_PLAIN_WORDS:
        if theirs in problem or theirs in context:
            mark = (context_mark if began_earlier else None) or problem_mark or context_mark
            line = lines[mark.line] if mark is not None and mark.line < len(lines) else ""
            if kind == "indentation" and _TEXT_AFTER_CLOSING.match(line):
                return _Mistake("text_after_quote", _QUOTED_TEXT, mark, {})
            return _Mistake(kind, english, mark, {})
    return _Mistake(None, problem, problem_mark or context_mark, {})


def parse_yaml(text: str, file: str) -> tuple[Any, list[Problem]]:
    try:
        return yaml.load(text, Loader=_TemplateLoader), []
    except yaml.YAMLError as error:
        lines = text.splitlines()
        mistake = _plain_words(error, lines)
        if mistake.mark is None:
            return None, [Problem(file, "YAML", f"not valid YAML: {mistake.english}")]
        number = mistake.mark.line + 1
        shown = lines[number - 1].strip() if number <= len(lines) else ""
        if len(shown) > 60:
            shown = shown[:59] + "…"
        reads = f" (the line reads “{shown}”)" if shown else ""
        message = f"not valid YAML: {mistake.english}{reads}"
        said = {"kind": mistake.kind, "line": number, "reads": shown, **mistake.params}
        code = "yaml" if mistake.kind else None
        return None, [Problem(file, f"line {number}", message, code=code, params=said)]
    except RecursionError:
        return None, [Problem(file, "YAML", "not valid YAML: nested too deeply")]


def read_template(
    path: Path, indicators: Mapping[str, IndicatorInfo]
) -> tuple[SurveyDefinition | None, list[Problem]]:
    """Parse and validate one template file."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        return None, [Problem(str(path), "file", f"cannot be read: {error}")]
    data, problems = parse_yaml(text, str(path))
    if problems:
        return None, problems
    return validate_template(data, str(path), indicators)


def template_paths(path: Path) -> list[Path]:
    """A file itself, or every *.yaml / *.yml in a directory."""
    if path.is_dir():
        return sorted(p for p in path.iterdir() if p.suffix in (".yaml", ".yml"))
    return [path]


def definition_to_template(definition: SurveyDefinition) -> dict[str, Any]:
    """The template form of a definition: built-in scales by reference, not spelled out."""
    data = definition.to_dict()
    for section in data["sections"]:
        for question in section["questions"]:
            qtype = QuestionType(question["type"])
            choices = question.get("choices", [])
            answerable = [ch for ch in choices if not ch.get("not_applicable")]
            not_applicable = [ch for ch in choices if ch.get("not_applicable")]
            built_in = BUILT_IN_CHOICES.get(qtype)
            if built_in is None or [_choice_dict(ch) for ch in built_in] != answerable:
                continue
            if len(not_applicable) > 1 or (
                not_applicable and not_applicable[0]["value"] != NOT_APPLICABLE_VALUE
            ):
                continue
            del question["choices"]
            if not_applicable:
                question["not_applicable"] = not_applicable[0]["label"]
    return data


def _choice_dict(choice: Choice) -> dict[str, Any]:
    return {"value": choice.value, "code": choice.code, "label": dict(choice.label)}


def definition_to_yaml(definition: SurveyDefinition) -> str:
    """A template file that reads back (read_template) as the same definition."""
    return yaml.safe_dump(
        definition_to_template(definition), allow_unicode=True, sort_keys=False, width=100
    )
