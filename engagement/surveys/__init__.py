"""The survey engine: definitions, validation, answer parsing, flow and scoring.

Pure functions over plain data; the web and SMS doors both go through here.
"""

from .answers import AnswerError, normalise, parse_form_values, parse_text_reply
from .definition import (
    AnswerValue,
    Choice,
    Outcome,
    OutcomeRule,
    Question,
    QuestionType,
    Section,
    ShowIf,
    SurveyDefinition,
    definition_for,
    definition_from_dict,
)
from .validation import IndicatorInfo, Problem, validate_template

__all__ = [
    "AnswerError",
    "AnswerValue",
    "Choice",
    "IndicatorInfo",
    "Outcome",
    "OutcomeRule",
    "Problem",
    "Question",
    "QuestionType",
    "Section",
    "ShowIf",
    "SurveyDefinition",
    "definition_for",
    "definition_from_dict",
    "normalise",
    "parse_form_values",
    "parse_text_reply",
    "validate_template",
]
