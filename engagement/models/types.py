"""Small shared column helpers and enumerations."""

from enum import StrEnum

from sqlalchemy import Enum

# Text in several languages: {"en": "...", "es": "...", "zh": "..."}.
Translated = dict[str, str]


class Audience(StrEnum):
    PARENT = "parent"
    STUDENT = "student"
    STAFF = "staff"


class SurveyStatus(StrEnum):
    DRAFT = "draft"
    OPEN = "open"
    CLOSED = "closed"


class Channel(StrEnum):
    WEB = "web"
    SMS = "sms"
    PAPER = "paper"


class IndicatorSource(StrEnum):
    SURVEY = "survey"
    ADMINISTRATIVE = "administrative"


class Direction(StrEnum):
    HIGHER_IS_BETTER = "higher"
    LOWER_IS_BETTER = "lower"


def str_enum(enum_cls: type[StrEnum], name: str) -> Enum:
    """A portable enum column: VARCHAR plus a named CHECK constraint."""
    return Enum(
        enum_cls,
        name=name,
        native_enum=False,
        create_constraint=True,
        length=max(len(m.value) for m in enum_cls),
        values_callable=lambda members: [m.value for m in members],
        validate_strings=True,
    )
