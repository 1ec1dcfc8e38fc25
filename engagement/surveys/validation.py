"""Turn a raw template (parsed YAML) into a SurveyDefinition, reporting every problem."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from engagement.i18n import LANGUAGE_NAMES, SUPPORTED_LANGUAGES

from .definition import (
    TRANSLATED_KEYWORD_LANGUAGES,
    Choice,
    Outcome,
    OutcomeRule,
    Question,
    QuestionType,
    Section,
    ShowIf,
    SurveyDefinition,
)
from .scales import (
    BUILT_IN_CHOICES,
    DEFAULT_FAVOURABLE,
    NOT_APPLICABLE_CODE,
    NOT_APPLICABLE_VALUE,
    REVERSED_LIKERT_FAVOURABLE,
)

AUDIENCES = ("parent", "student", "staff")
RESPONSE_FIELDS = ("grade_band", "role")
SLUG = re.compile(r"^[a-z0-9][a-z0-9-]{1,62}[a-z0-9]$")
KEY = re.compile(r"^[a-z][a-z0-9_]{0,63}$")
CODE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]{0,31}$")
SCHOOL_YEAR = re.compile(r"^(\d{4})-(\d{2})$")
SMS_KEYWORD = re.compile(r"^[A-Z0-9]{2,20}$")
# Spanish and Chinese keywords: any script's letters ("FAMILIA", "ENCUESTA", "家庭").
TRANSLATED_KEYWORD = re.compile(r"^[^\W_]{2,20}$")
# "en:Lunchtime" (no space) is one text, not English "Lunchtime": YAML needs the space.
_LANGUAGE_WITHOUT_SPACE = re.compile(rf"^(?:{'|'.join(SUPPORTED_LANGUAGES)}):\S")
# What a key may be, as the command line says it (staff pages: admin.messages "key_format").
KEY_FORMAT = "key: lowercase letters, digits and _, starting with a letter"
DEFAULT_TEXT_LENGTH = 1000
MAX_TEXT_LENGTH = 5000

TOP_LEVEL_FIELDS = {
    "slug",
    "title",
    "audience",
    "school_year",
    "languages",
    "intro",
    "thanks",
    "sms_keyword",
    "sms_keyword_es",
    "sms_keyword_zh",
    "min_cell_size",
    "choice_sets",
    "sections",
    "outcomes",
}
SECTION_FIELDS = {"key", "title", "questions"}
QUESTION_FIELDS = {
    "key",
    "type",
    "text",
    "required",
    "choices",
    "favourable",
    "reverse_coded",
    "indicator",
    "show_if",
    "help",
    "min",
    "max",
    "max_length",
    "sets",
    "not_applicable",
    "protected",
}
# A title, question, hint or intro longer than this is a paste gone wrong; a phone cannot show it.
SURVEY_TEXT_LIMIT = 2_000
# Choice values are codes (1-5, 9 for "don't know"); the database stores them as integers.
CHOICE_VALUE_LIMIT = 1_000_000
# A number question asks a count or an age: bounds past this are a typing slip.
NUMBER_LIMIT = 1_000_000_000
CHOICE_FIELDS = {"value", "code", "label", "not_applicable", "exclusive"}
OUTCOME_FIELDS = {"indicator", "rule", "questions", "values", "threshold"}


@dataclass(frozen=True)
class IndicatorInfo:
    """What the validator needs to know of an indicator in the catalogue."""

    source: str  # "survey" or "administrative"
    direction: str  # "higher" or "lower"


@dataclass(frozen=True)
class Problem:
    file: str
    location: str
    message: str  # English, for the command line and logs
    # Missing translations block publishing but not saving a draft in the designer.
    translation: bool = False
    # For the staff pages, which say it in the reader's language (admin.messages): the
    # kind of problem and its particulars. None: the English message is shown.
    code: str | None = None
    params: dict[str, Any] = field(default_factory=dict)

    def __str__(self) -> str:
        return f"{self.file}: {self.location}: {self.message}"


class _Collector:
    def __init__(self, file: str):
        self.file = file
        self.problems: list[Problem] = []

    def add(
        self,
        location: str,
        message: str,
        *,
        translation: bool = False,
        code: str | None = None,
        **params: Any,
    ) -> None:
        self.problems.append(Problem(self.file, location, message, translation, code, params))

    def unknown_fields(self, location: str, data: Mapping, allowed: set[str]) -> None:
        for name in sorted(set(data) - allowed, key=str):
            self.add(location, f"unknown field {name!r}")

    def translated(
        self, location: str, field: str, value: Any, *, required: bool = True
    ) -> dict[str, str]:
        """A {language: text} mapping; reports each missing or empty language."""
        if value is None:
            if required:
                message = f"{field}: missing (give it in en, es and zh)"
                self.add(location, message, code="text_missing", field=field)
            return {}
        if isinstance(value, str) and _LANGUAGE_WITHOUT_SPACE.match(value):
            self.add(location, f"{field}: “{value[:40]}” needs a space after the colon")
            return {}
        if isinstance(value, str):
            value = {"en": value}
        if not isinstance(value, Mapping):
            self.add(location, f"{field}: expected a mapping of language to text")
            return {}
        result: dict[str, str] = {}
        for language, text in value.items():
            if _is_number(text):  # "en: 10" is the text "10"
                text = str(text)
            if language not in SUPPORTED_LANGUAGES:
                self.add(location, f"{field}: unsupported language {language!r}")
            elif text is None:  # "en:" with nothing after it: said below, as missing
                continue
            elif not isinstance(text, str):
                self.add(
                    location,
                    f"{field}: the {language} text is a list or a mapping: put it in quotes",
                )
            elif len(text.strip()) > SURVEY_TEXT_LIMIT:
                self.add(
                    location,
                    f"{field}: the {language} text has {len(text.strip()):,} characters;"
                    f" at most {SURVEY_TEXT_LIMIT:,}",
                )
                result[language] = text.strip()[:SURVEY_TEXT_LIMIT]
            elif text.strip():
                result[language] = text.strip()
        for language in SUPPORTED_LANGUAGES:
            if language not in result:
                self.add(
                    location,
                    f"{field}: missing translation for {language} ({LANGUAGE_NAMES[language]})",
                    translation=True,
                    code="missing_translation",
                    field=field,
                    language=language,
                )
        return result


def _taken_by_the_sms_service(keyword: str) -> bool:
    from engagement.sms.keywords import taken_by_the_service  # the SMS engine's own words

    return taken_by_the_service(keyword)


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def validate_template(
    data: Any,
    file: str,
    indicators: Mapping[str, IndicatorInfo],
    *,
    allow_missing_translations: bool = False,
) -> tuple[SurveyDefinition | None, list[Problem]]:
    """Every problem in a template; the definition only when there are none.

    With allow_missing_translations (work in progress in the designer), the
    definition is also built when every problem is a missing translation; those
    problems are still returned, and publishing refuses them.
    """
    c = _Collector(file)
    if not isinstance(data, Mapping):
        c.add("survey", "the file must hold a mapping (slug, title, sections, ...)")
        return None, c.problems
    c.unknown_fields("survey", data, TOP_LEVEL_FIELDS)

    slug = data.get("slug")
    if not isinstance(slug, str) or not SLUG.match(slug):
        c.add("survey", "slug: 3-64 lowercase letters, digits and hyphens")
    title = c.translated("survey", "title", data.get("title"))
    audience = data.get("audience")
    if audience not in AUDIENCES:
        c.add("survey", f"audience: must be one of {', '.join(AUDIENCES)}")
    school_year = str(data.get("school_year", ""))
    match = SCHOOL_YEAR.match(school_year)
    if not match or (int(match.group(1)) + 1) % 100 != int(match.group(2)):
        c.add("survey", "school_year: like 2026-27")
    languages = data.get("languages", list(SUPPORTED_LANGUAGES))
    if not isinstance(languages, list) or set(languages) != set(SUPPORTED_LANGUAGES):
        c.add("survey", "languages: every survey is offered in en, es and zh")
        languages = list(SUPPORTED_LANGUAGES)
    intro = c.translated("survey", "intro", data.get("intro"), required=False)
    thanks = c.translated("survey", "thanks", data.get("thanks"), required=False)
    sms_keyword = data.get("sms_keyword")
    if sms_keyword is not None:
        sms_keyword = str(sms_keyword).upper()
        if not SMS_KEYWORD.match(sms_keyword) or sms_keyword.isdigit():
            c.add(
                "survey",
                "sms_keyword: 2-20 letters A-Z or digits, with at least one letter",
                code="keyword_letters",
                field="sms_keyword",
            )
        elif _taken_by_the_sms_service(sms_keyword):
            c.add(
                "survey",
                f"sms_keyword: {sms_keyword} is a word text messages keep for themselves"
                " (STOP, START, HELP, SKIP and language names, in English, Spanish and Chinese)",
                code="keyword_reserved",
                field="sms_keyword",
                word=sms_keyword,
            )
    sms_keyword_in = _translated_keywords(c, data, sms_keyword)
    min_cell_size = data.get("min_cell_size")
    if min_cell_size is not None and (not _is_int(min_cell_size) or min_cell_size < 1):
        c.add("survey", "min_cell_size: a whole number, at least 1")

    choice_sets = _choice_sets(c, data.get("choice_sets", {}))
    sections = _sections(c, data.get("sections"), choice_sets, indicators)
    questions = {q.key: q for s in sections for q in s.questions}
    outcomes = _outcomes(c, data.get("outcomes", []), questions, indicators)

    if c.problems and not (allow_missing_translations and all(p.translation for p in c.problems)):
        return None, c.problems
    return (
        SurveyDefinition(
            slug=slug,
            title=title,
            audience=audience,
            school_year=school_year,
            languages=tuple(SUPPORTED_LANGUAGES),
            sections=tuple(sections),
            intro=intro,
            thanks=thanks,
            outcomes=outcomes,
            sms_keyword=sms_keyword,
            sms_keyword_in=sms_keyword_in,
            min_cell_size=min_cell_size,
        ),
        c.problems,
    )


def _translated_keywords(c: _Collector, data: Mapping, keyword: str | None) -> dict[str, str]:
    """sms_keyword_es, sms_keyword_zh: a word of that language's letters, none a keyword twice."""
    from engagement.sms.keywords import compact

    found: dict[str, str] = {}
    seen = {compact(keyword)} if keyword else set()
    for language in TRANSLATED_KEYWORD_LANGUAGES:
        field_name = f"sms_keyword_{language}"
        raw = data.get(field_name)
        if raw is None:
            continue
        word = str(raw).strip().upper()
        said = {"field": field_name, "word": word}
        if keyword is None:
            message = f"{field_name}: needs sms_keyword, the one every flyer can print"
            c.add("survey", message, code="keyword_needs_main", **said)
        elif not TRANSLATED_KEYWORD.match(word) or word.isdigit():
            message = f"{field_name}: 2-20 letters or digits, no spaces, a letter at least"
            c.add("survey", message, code="keyword_letters", **said)
        elif _taken_by_the_sms_service(word):
            message = f"{field_name}: {word} is a word text messages keep for themselves"
            c.add("survey", message, code="keyword_reserved", **said)
        elif compact(word) in seen:
            message = f"{field_name}: {word} is already this survey's keyword"
            c.add("survey", message, code="keyword_repeated", **said)
        else:
            seen.add(compact(word))
            found[language] = word
    return found


def _choice_sets(c: _Collector, raw: Any) -> dict[str, tuple[Choice, ...]]:
    if not isinstance(raw, Mapping):
        c.add("survey", "choice_sets: expected a mapping of name to a list of choices")
        return {}
    return {
        str(name): _choice_list(c, f"choice set {name}", choices) for name, choices in raw.items()
    }


def _choice_list(c: _Collector, location: str, raw: Any) -> tuple[Choice, ...]:
    if not isinstance(raw, list) or len(raw) < 2:
        c.add(location, "choices: a list of at least two choices", code="two_choices")
        return ()
    choices: list[Choice] = []
    seen_values: set[int] = set()
    seen_codes: set[str] = set()
    for position, item in enumerate(raw, start=1):
        where = f"{location}: choice {position}"
        if not isinstance(item, Mapping):
            c.add(location, f"choice {position}: expected value, label and optional code")
            continue
        c.unknown_fields(where, item, CHOICE_FIELDS)
        value = item.get("value")
        if not _is_int(value):
            c.add(location, f"choice {position}: value must be a whole number, got {value!r}")
            continue
        if abs(value) > CHOICE_VALUE_LIMIT:
            c.add(
                location,
                f"choice {position}: value must be between {-CHOICE_VALUE_LIMIT} and "
                f"{CHOICE_VALUE_LIMIT}, got {value}",
            )
            continue
        if value in seen_values:
            message = f"choice {position}: duplicate value {value}"
            c.add(location, message, code="choice_value_twice", position=position, value=value)
        seen_values.add(value)
        code = str(item.get("code", value))
        if not CODE.match(code):
            c.add(location, f"choice {position}: code {code!r} must be letters, digits, _ or -")
        if code in seen_codes:
            message = f"choice {position}: duplicate code {code!r}"
            c.add(location, message, code="choice_code_twice", position=position, value=code)
        seen_codes.add(code)
        label = c.translated(f"{location}: choice {position}", "label", item.get("label"))
        choices.append(
            Choice(
                value=value,
                code=code,
                label=label,
                not_applicable=bool(item.get("not_applicable", False)),
                exclusive=bool(item.get("exclusive", False)),
            )
        )
    return tuple(choices)


def _sections(
    c: _Collector,
    raw: Any,
    choice_sets: dict[str, tuple[Choice, ...]],
    indicators: Mapping[str, IndicatorInfo],
) -> list[Section]:
    if not isinstance(raw, list) or not raw:
        c.add("survey", "sections: a list of at least one section")
        return []
    sections: list[Section] = []
    section_keys: set[str] = set()
    earlier: dict[str, Question] = {}
    for number, item in enumerate(raw, start=1):
        if not isinstance(item, Mapping):
            c.add(f"section {number}", "expected key, title and questions")
            continue
        key = item.get("key")
        where = f"section {key}" if isinstance(key, str) else f"section {number}"
        c.unknown_fields(where, item, SECTION_FIELDS)
        if not isinstance(key, str) or not KEY.match(key):
            c.add(where, KEY_FORMAT, code="key_format")
        elif key in section_keys:
            c.add(where, "duplicate section key", code="key_twice", key=key)
        section_keys.add(str(key))
        title = c.translated(where, "title", item.get("title"))
        raw_questions = item.get("questions")
        if not isinstance(raw_questions, list) or not raw_questions:
            c.add(where, "questions: a list of at least one question")
            raw_questions = []
        questions = []
        for q_number, raw_question in enumerate(raw_questions, start=1):
            question = _question(
                c, raw_question, f"{where}: question {q_number}", choice_sets, indicators, earlier
            )
            if question is not None:
                questions.append(question)
                earlier[question.key] = question
        sections.append(Section(key=str(key), title=title, questions=tuple(questions)))
    return sections


def _question(
    c: _Collector,
    raw: Any,
    fallback_location: str,
    choice_sets: dict[str, tuple[Choice, ...]],
    indicators: Mapping[str, IndicatorInfo],
    earlier: dict[str, Question],
) -> Question | None:
    if not isinstance(raw, Mapping):
        c.add(fallback_location, "expected a mapping with key, type and text")
        return None
    key = raw.get("key")
    if not isinstance(key, str) or not KEY.match(key):
        c.add(fallback_location, KEY_FORMAT, code="key_format")
        key = None
    where = f"question {key}" if key else fallback_location
    if key in earlier:
        c.add(where, "duplicate question key", code="key_twice", key=key)
    c.unknown_fields(where, raw, QUESTION_FIELDS)

    try:
        qtype = QuestionType(raw.get("type"))
    except ValueError:
        kinds = ", ".join(t.value for t in QuestionType)
        c.add(where, f"type: {raw.get('type')!r} is not one of {kinds}")
        return None
    text = c.translated(where, "text", raw.get("text"))
    help_text = c.translated(where, "help", raw.get("help"), required=False) or None
    required = raw.get("required", False)
    if not isinstance(required, bool):
        c.add(where, "required: true or false")
        required = False
    protected = raw.get("protected", False)
    if not isinstance(protected, bool):
        c.add(where, "protected: true or false")
        protected = False

    choices = _question_choices(c, where, qtype, raw, choice_sets)
    values = {ch.value for ch in choices if not ch.not_applicable}
    reverse = raw.get("reverse_coded", False)
    if reverse and qtype not in (QuestionType.LIKERT, QuestionType.SINGLE_CHOICE):
        c.add(where, "reverse_coded: only for likert and single_choice scales")
        reverse = False
    favourable = _favourable(c, where, qtype, raw.get("favourable"), values, bool(reverse))

    indicator = raw.get("indicator")
    if indicator is not None:
        info = indicators.get(indicator)
        if info is None:
            c.add(where, f"indicator: unknown indicator {indicator!r}")
        elif info.source != "survey":
            c.add(where, f"indicator: {indicator!r} comes from administrative data, not surveys")

    show_if = _show_if(c, where, raw.get("show_if"), earlier)

    minimum = maximum = max_length = None
    if qtype is QuestionType.NUMBER:
        minimum, maximum = raw.get("min"), raw.get("max")
        if not (_is_number(minimum) and _is_number(maximum)) or minimum >= maximum:
            c.add(where, "min and max: numbers with min below max", code="min_below_max")
        elif max(abs(minimum), abs(maximum)) > NUMBER_LIMIT:
            c.add(where, f"min and max: numbers between {-NUMBER_LIMIT:,} and {NUMBER_LIMIT:,}")
    elif "min" in raw or "max" in raw:
        c.add(where, "min and max: only for number questions")
    if qtype is QuestionType.TEXT:
        max_length = raw.get("max_length", DEFAULT_TEXT_LENGTH)
        if not _is_int(max_length) or not 1 <= max_length <= MAX_TEXT_LENGTH:
            message = f"max_length: a whole number from 1 to {MAX_TEXT_LENGTH}"
            c.add(where, message, code="max_length", most=MAX_TEXT_LENGTH)
    elif "max_length" in raw:
        c.add(where, "max_length: only for text questions")

    sets = raw.get("sets")
    if sets is not None:
        if sets not in RESPONSE_FIELDS:
            c.add(where, f"sets: one of {', '.join(RESPONSE_FIELDS)}")
        elif qtype is not QuestionType.SINGLE_CHOICE:
            c.add(where, "sets: only a single_choice question can set a response field")

    if key is None:
        return None
    return Question(
        key=key,
        type=qtype,
        text=text,
        required=required,
        choices=choices,
        favourable=favourable,
        reverse_coded=bool(reverse),
        indicator=indicator,
        show_if=show_if,
        help=help_text,
        minimum=minimum,
        maximum=maximum,
        max_length=max_length,
        sets=sets,
        protected=protected,
    )


def _question_choices(
    c: _Collector,
    where: str,
    qtype: QuestionType,
    raw: Mapping,
    choice_sets: dict[str, tuple[Choice, ...]],
) -> tuple[Choice, ...]:
    raw_choices = raw.get("choices")
    if not qtype.has_choices:
        if raw_choices is not None or "not_applicable" in raw:
            c.add(where, f"choices: a {qtype.value} question has no choices")
        return ()
    if qtype in (QuestionType.GRADE, QuestionType.YES_NO):
        if raw_choices is not None:
            c.add(where, f"choices: {qtype.value} uses the built-in scale; remove choices")
        choices = BUILT_IN_CHOICES[qtype]
    elif raw_choices is None:
        if qtype is QuestionType.LIKERT:
            choices = BUILT_IN_CHOICES[qtype]
        else:
            c.add(where, "choices: missing", code="two_choices")
            return ()
    elif isinstance(raw_choices, str):
        if raw_choices not in choice_sets:
            c.add(where, f"choices: no choice set named {raw_choices!r}")
            return ()
        choices = choice_sets[raw_choices]
    else:
        choices = _choice_list(c, where, raw_choices)

    not_applicable = raw.get("not_applicable")
    if not_applicable is not None:
        if qtype is QuestionType.MULTIPLE_CHOICE:
            c.add(where, "not_applicable: add an exclusive choice to a multiple_choice instead")
        elif any(ch.value == NOT_APPLICABLE_VALUE for ch in choices):
            c.add(where, f"not_applicable: value {NOT_APPLICABLE_VALUE} is already a choice")
        else:
            label = c.translated(where, "not_applicable", not_applicable)
            choices = (
                *choices,
                Choice(NOT_APPLICABLE_VALUE, NOT_APPLICABLE_CODE, label, not_applicable=True),
            )

    if qtype is QuestionType.LIKERT:
        answerable = sorted(ch.value for ch in choices if not ch.not_applicable)
        if answerable != [1, 2, 3, 4, 5]:
            c.add(where, f"choices: a likert scale has values 1-5, got {answerable}")
    if qtype is not QuestionType.MULTIPLE_CHOICE and any(ch.exclusive for ch in choices):
        c.add(where, "choices: exclusive is only for multiple_choice")
    return choices


def _favourable(
    c: _Collector,
    where: str,
    qtype: QuestionType,
    raw: Any,
    values: set[int],
    reverse: bool,
) -> frozenset[int]:
    if raw is None:
        if qtype is QuestionType.LIKERT and reverse:
            return REVERSED_LIKERT_FAVOURABLE
        return DEFAULT_FAVOURABLE.get(qtype, frozenset())
    if not qtype.has_choices:
        c.add(where, f"favourable: a {qtype.value} question has no favourable values")
        return frozenset()
    if not isinstance(raw, list) or not all(_is_int(v) for v in raw):
        c.add(where, "favourable: a list of choice values")
        return frozenset()
    unknown = sorted(set(raw) - values)
    if unknown:
        c.add(where, f"favourable: {unknown} are not answerable choice values of this question")
    return frozenset(raw)


def _show_if(c: _Collector, where: str, raw: Any, earlier: dict[str, Question]) -> ShowIf | None:
    if raw is None:
        return None
    if not isinstance(raw, Mapping) or set(raw) != {"question", "in"}:
        c.add(where, "show_if: {question: KEY, in: [values]}")
        return None
    target = earlier.get(raw["question"])
    if target is None:
        c.add(where, f"show_if: {raw['question']!r} is not an earlier question")
        return None
    if not target.type.has_choices:
        c.add(where, f"show_if: {target.key!r} has no choices to test")
        return None
    values = raw["in"] if isinstance(raw["in"], list) else [raw["in"]]
    known = {ch.value for ch in target.choices}
    if not values or not all(_is_int(v) and v in known for v in values):
        c.add(where, f"show_if: values must be among {sorted(known)} of {target.key!r}")
        return None
    return ShowIf(question=target.key, values=tuple(values))


def _outcomes(
    c: _Collector,
    raw: Any,
    questions: dict[str, Question],
    indicators: Mapping[str, IndicatorInfo],
) -> tuple[Outcome, ...]:
    if not isinstance(raw, list):
        c.add("outcomes", "expected a list")
        return ()
    outcomes: list[Outcome] = []
    for number, item in enumerate(raw, start=1):
        where = f"outcome {number}"
        if not isinstance(item, Mapping):
            c.add(where, "expected indicator, rule and questions")
            continue
        indicator = item.get("indicator")
        where = f"outcome {indicator}" if isinstance(indicator, str) else where
        c.unknown_fields(where, item, OUTCOME_FIELDS)
        if indicator not in indicators:
            c.add(where, f"indicator: unknown indicator {indicator!r}")
        if any(o.indicator == indicator for o in outcomes):
            c.add(where, "one outcome per indicator")
        try:
            rule = OutcomeRule(item.get("rule"))
        except ValueError:
            c.add(where, f"rule: one of {', '.join(r.value for r in OutcomeRule)}")
            continue
        keys = item.get("questions")
        if not isinstance(keys, list) or not keys:
            c.add(where, "questions: a list of question keys")
            continue
        listed = [questions.get(k) for k in keys]
        for key, question in zip(keys, listed, strict=True):
            if question is None:
                c.add(where, f"questions: unknown question {key!r}")
            elif not question.type.has_choices:
                c.add(where, f"questions: {key!r} has no choices to count")
        if any(q is None or not q.type.has_choices for q in listed):
            continue
        values = item.get("values", [])
        threshold = item.get("threshold")
        if rule in (OutcomeRule.ANY_OF, OutcomeRule.ALL_OF):
            if not isinstance(values, list) or not all(_is_int(v) for v in values):
                c.add(where, "values: a list of choice values")
                values = []
            for value in values:
                if not any(value in q.answerable_values for q in listed):
                    c.add(where, f"values: {value} is not a choice of the listed questions")
        else:
            bounds = {q.scale_bounds for q in listed}
            if len(bounds) != 1:
                c.add(where, "questions: a scale's items must share one range of values")
            elif not _is_number(threshold):
                c.add(where, "threshold: the scale mean at or above which a respondent counts")
            else:
                low, high = next(iter(bounds))
                if not low <= threshold <= high:
                    c.add(where, f"threshold: must be between {low} and {high}")
        outcomes.append(
            Outcome(
                indicator=indicator,
                rule=rule,
                questions=tuple(keys),
                values=frozenset(values or ()),
                threshold=threshold,
            )
        )

    covered = {o.indicator for o in outcomes}
    for question in questions.values():
        info = indicators.get(question.indicator or "")
        if info and info.direction == "lower" and question.indicator not in covered:
            c.add(
                f"question {question.key}",
                f"indicator: {question.indicator!r} is lower-is-better; add an `outcomes` entry "
                "saying which answers count",
            )
            covered.add(question.indicator)
    return tuple(outcomes)
