"""The survey definition as plain immutable data: what web and SMS both walk through."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from enum import StrEnum
from functools import cached_property
from typing import Any

# A survey's keyword is English (or a code); these languages may have one of their own.
TRANSLATED_KEYWORD_LANGUAGES = ("es", "zh")
# A survey's settings that are neither text to translate nor questions: the designer's
# settings form and XLSForm's settings sheet carry the same ones.
SETTINGS = (
    "audience",
    "school_year",
    "sms_keyword",
    *(f"sms_keyword_{language}" for language in TRANSLATED_KEYWORD_LANGUAGES),
    "min_cell_size",
)


class QuestionType(StrEnum):
    SINGLE_CHOICE = "single_choice"
    MULTIPLE_CHOICE = "multiple_choice"
    LIKERT = "likert"
    GRADE = "grade"
    YES_NO = "yes_no"
    NUMBER = "number"
    TEXT = "text"

    @property
    def has_choices(self) -> bool:
        return self not in (QuestionType.NUMBER, QuestionType.TEXT)


class OutcomeRule(StrEnum):
    # The respondent counts when any listed question has one of `values`.
    ANY_OF = "any_of"
    # The respondent counts when every listed question they answered has one of `values`.
    ALL_OF = "all_of"
    # The respondent counts when the mean of the (reverse-coded) item scores >= threshold.
    SCALE_MEAN = "scale_mean"


# Answer values: an int choice value, a tuple of them (multiple choice),
# a number, or text.
AnswerValue = int | float | str | tuple[int, ...]


@dataclass(frozen=True)
class Choice:
    value: int
    code: str
    label: dict[str, str]
    not_applicable: bool = False
    # "None of these": chosen alone in a multiple-choice question.
    exclusive: bool = False


@dataclass(frozen=True)
class ShowIf:
    question: str
    values: tuple[int, ...]


@dataclass(frozen=True)
class Question:
    key: str
    type: QuestionType
    text: dict[str, str]
    required: bool = False
    choices: tuple[Choice, ...] = ()
    favourable: frozenset[int] = frozenset()
    reverse_coded: bool = False
    indicator: str | None = None
    show_if: ShowIf | None = None
    help: dict[str, str] | None = None
    minimum: float | None = None
    maximum: float | None = None
    max_length: int | None = None
    # Copies the chosen choice's code onto the response (e.g. "grade_band").
    sets: str | None = None
    # A protected topic (e.g. PPRA: drugs, sexual behaviour, family income): student
    # surveys with one default to active parental consent.
    protected: bool = False

    def choice_by_value(self, value: int) -> Choice | None:
        return next((c for c in self.choices if c.value == value), None)

    @property
    def answerable_values(self) -> tuple[int, ...]:
        """Values that count in a denominator: every choice but "not applicable"."""
        return tuple(c.value for c in self.choices if not c.not_applicable)

    @property
    def scale_bounds(self) -> tuple[int, int] | None:
        values = self.answerable_values
        return (min(values), max(values)) if values else None

    def score(self, value: int) -> float:
        """The value on the scale's common direction: reverse-coded items flipped."""
        if not self.reverse_coded:
            return float(value)
        low, high = self.scale_bounds  # type: ignore[misc]
        return float(low + high - value)


@dataclass(frozen=True)
class Section:
    key: str
    title: dict[str, str]
    questions: tuple[Question, ...]


@dataclass(frozen=True)
class Outcome:
    """How one indicator is decided per respondent from this survey's answers."""

    indicator: str
    rule: OutcomeRule
    questions: tuple[str, ...]
    values: frozenset[int] = frozenset()
    threshold: float | None = None


@dataclass(frozen=True)
class SurveyDefinition:
    slug: str
    title: dict[str, str]
    audience: str
    school_year: str
    languages: tuple[str, ...]
    sections: tuple[Section, ...]
    intro: dict[str, str] = field(default_factory=dict)
    thanks: dict[str, str] = field(default_factory=dict)
    outcomes: tuple[Outcome, ...] = ()
    sms_keyword: str | None = None
    min_cell_size: int | None = None
    # The keyword in Spanish and Chinese ("FAMILIA", "家庭"), by language: texted, it starts
    # the survey in that language, and that language's flyer line prints it.
    sms_keyword_in: dict[str, str] = field(default_factory=dict)

    def keyword_for(self, language: str | None) -> str | None:
        """The keyword that a flyer line or a text in `language` names."""
        return self.sms_keyword_in.get(language or "") or self.sms_keyword

    @property
    def sms_keywords(self) -> dict[str, str | None]:
        """Every keyword, with the language it starts the survey in (None: the phone's)."""
        found: dict[str, str | None] = {self.sms_keyword: None} if self.sms_keyword else {}
        return found | {word: language for language, word in self.sms_keyword_in.items()}

    # Definitions are immutable and cached per version: derived lookups are computed once.
    @cached_property
    def questions(self) -> tuple[Question, ...]:
        return tuple(q for s in self.sections for q in s.questions)

    @cached_property
    def questions_by_key(self) -> dict[str, Question]:
        return {q.key: q for q in self.questions}

    @cached_property
    def has_skip_rules(self) -> bool:
        return any(q.show_if is not None for q in self.questions)

    @cached_property
    def scored_outcomes(self) -> tuple[Outcome, ...]:
        """Explicit outcomes and the defaults scoring.outcome_rules adds, decided once."""
        from .scoring import outcome_rules

        return outcome_rules(self)

    @property
    def has_protected_topics(self) -> bool:
        return any(q.protected for q in self.questions)

    def question(self, key: str) -> Question:
        return self.questions_by_key[key]

    def section_of(self, key: str) -> int:
        for index, section in enumerate(self.sections):
            if any(q.key == key for q in section.questions):
                return index
        raise KeyError(key)

    def to_dict(self) -> dict[str, Any]:
        return definition_to_dict(self)

    @property
    def content_hash(self) -> str:
        return content_hash(self.to_dict())


def content_hash(definition: dict[str, Any]) -> str:
    canonical = json.dumps(definition, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def _drop_empty(mapping: dict[str, Any]) -> dict[str, Any]:
    """Leave out unset fields so the canonical form (and its hash) stays small and stable."""

    def empty(value: Any) -> bool:
        if value is None or value is False:
            return True
        return isinstance(value, list | tuple | dict | set | frozenset) and not value

    return {k: v for k, v in mapping.items() if not empty(v)}


def definition_to_dict(definition: SurveyDefinition) -> dict[str, Any]:
    """The canonical, JSON-ready form stored in a frozen SurveyVersion."""

    def choice(c: Choice) -> dict[str, Any]:
        return _drop_empty(
            {
                "value": c.value,
                "code": c.code,
                "label": dict(c.label),
                "not_applicable": c.not_applicable,
                "exclusive": c.exclusive,
            }
        )

    def question(q: Question) -> dict[str, Any]:
        return _drop_empty(
            {
                "key": q.key,
                "type": q.type.value,
                "text": dict(q.text),
                "required": q.required,
                "choices": [choice(c) for c in q.choices],
                "favourable": sorted(q.favourable),
                "reverse_coded": q.reverse_coded,
                "indicator": q.indicator,
                "show_if": (
                    {"question": q.show_if.question, "in": list(q.show_if.values)}
                    if q.show_if
                    else None
                ),
                "help": dict(q.help) if q.help else None,
                "min": q.minimum,
                "max": q.maximum,
                "max_length": q.max_length,
                "sets": q.sets,
                "protected": q.protected,
            }
        )

    def outcome(o: Outcome) -> dict[str, Any]:
        return _drop_empty(
            {
                "indicator": o.indicator,
                "rule": o.rule.value,
                "questions": list(o.questions),
                "values": sorted(o.values),
                "threshold": o.threshold,
            }
        )

    return _drop_empty(
        {
            "slug": definition.slug,
            "title": dict(definition.title),
            "audience": definition.audience,
            "school_year": definition.school_year,
            "languages": list(definition.languages),
            "intro": dict(definition.intro),
            "thanks": dict(definition.thanks),
            "sms_keyword": definition.sms_keyword,
            **{f"sms_keyword_{lang}": word for lang, word in definition.sms_keyword_in.items()},
            "min_cell_size": definition.min_cell_size,
            "sections": [
                {
                    "key": s.key,
                    "title": dict(s.title),
                    "questions": [question(q) for q in s.questions],
                }
                for s in definition.sections
            ],
            "outcomes": [outcome(o) for o in definition.outcomes],
        }
    )


def definition_from_dict(data: dict[str, Any]) -> SurveyDefinition:
    """Rebuild a definition from its canonical dict (already validated when stored)."""

    def choice(c: dict[str, Any]) -> Choice:
        return Choice(
            value=int(c["value"]),
            code=c["code"],
            label=dict(c["label"]),
            not_applicable=bool(c.get("not_applicable", False)),
            exclusive=bool(c.get("exclusive", False)),
        )

    def question(q: dict[str, Any]) -> Question:
        show_if = q.get("show_if")
        return Question(
            key=q["key"],
            type=QuestionType(q["type"]),
            text=dict(q["text"]),
            required=bool(q.get("required", False)),
            choices=tuple(choice(c) for c in q.get("choices", ())),
            favourable=frozenset(int(v) for v in q.get("favourable", ())),
            reverse_coded=bool(q.get("reverse_coded", False)),
            indicator=q.get("indicator"),
            show_if=ShowIf(show_if["question"], tuple(show_if["in"])) if show_if else None,
            help=dict(q["help"]) if q.get("help") else None,
            minimum=q.get("min"),
            maximum=q.get("max"),
            max_length=q.get("max_length"),
            sets=q.get("sets"),
            protected=bool(q.get("protected", False)),
        )

    return SurveyDefinition(
        slug=data["slug"],
        title=dict(data["title"]),
        audience=data["audience"],
        school_year=data["school_year"],
        languages=tuple(data["languages"]),
        intro=dict(data.get("intro", {})),
        thanks=dict(data.get("thanks", {})),
        sms_keyword=data.get("sms_keyword"),
        sms_keyword_in={
            lang: data[f"sms_keyword_{lang}"]
            for lang in TRANSLATED_KEYWORD_LANGUAGES
            if data.get(f"sms_keyword_{lang}")
        },
        min_cell_size=data.get("min_cell_size"),
        sections=tuple(
            Section(
                key=s["key"],
                title=dict(s["title"]),
                questions=tuple(question(q) for q in s["questions"]),
            )
            for s in data["sections"]
        ),
        outcomes=tuple(
            Outcome(
                indicator=o["indicator"],
                rule=OutcomeRule(o["rule"]),
                questions=tuple(o["questions"]),
                values=frozenset(o.get("values", ())),
                threshold=o.get("threshold"),
            )
            for o in data.get("outcomes", ())
        ),
    )


_PARSED: dict[str, SurveyDefinition] = {}
_PARSED_LIMIT = 256


def cached_definition(stored_hash: str) -> SurveyDefinition | None:
    return _PARSED.get(stored_hash)


def definition_for(stored: dict[str, Any], stored_hash: str) -> SurveyDefinition:
    """Parse a stored version once per process; versions never change, so the hash is the key."""
    parsed = _PARSED.get(stored_hash)
    if parsed is None:
        parsed = definition_from_dict(stored)
        if len(_PARSED) >= _PARSED_LIMIT:
            _PARSED.clear()
        _PARSED[stored_hash] = parsed
    return parsed
