"""SQLAlchemy 2.0 typed models; importing this module registers every table."""

from .accounts import ApiToken, LoginAttempt, PasswordReset, Role, User, UserRole
from .audit import AuditEvent
from .base import Base, utcnow
from .distribution import AccessCode, ConsentDecision, ConsentMode, ConsentRecord, ConsentSetting
from .framework import Indicator, ResultArea
from .reporting import (
    AdministrativeValue,
    IndicatorTarget,
    ReportBuild,
    ReportCell,
    ResponseOutcome,
)
from .response import Answer, Response, ResponseDraft
from .school import School
from .survey import Choice, Question, Survey, SurveyVersion
from .types import Audience, Channel, Direction, IndicatorSource, SurveyStatus, Translated

__all__ = [
    "AccessCode",
    "AdministrativeValue",
    "Answer",
    "ApiToken",
    "Audience",
    "AuditEvent",
    "Base",
    "Channel",
    "Choice",
    "ConsentDecision",
    "ConsentMode",
    "ConsentRecord",
    "ConsentSetting",
    "Direction",
    "Indicator",
    "IndicatorSource",
    "IndicatorTarget",
    "LoginAttempt",
    "PasswordReset",
    "Question",
    "ReportBuild",
    "ReportCell",
    "Response",
    "ResponseDraft",
    "ResponseOutcome",
    "ResultArea",
    "Role",
    "School",
    "Survey",
    "SurveyStatus",
    "SurveyVersion",
    "Translated",
    "User",
    "UserRole",
    "utcnow",
]
