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
from .response import Answer, RespondentGroup, Response, ResponseDraft
from .school import School
from .sms import (
    Campaign,
    Contact,
    Conversation,
    ConversationStatus,
    ConversationStep,
    InboundMessage,
    Invitation,
    OptEvent,
    OptKind,
    OutboundMessage,
    OutboundStatus,
    contact_school,
)
from .survey import Choice, Question, Survey, SurveyVersion, TakesResponses
from .types import Audience, Channel, Direction, IndicatorSource, SurveyStatus, Translated

__all__ = [
    "AccessCode",
    "AdministrativeValue",
    "Answer",
    "ApiToken",
    "Audience",
    "AuditEvent",
    "Base",
    "Campaign",
    "Channel",
    "Choice",
    "ConsentDecision",
    "ConsentMode",
    "ConsentRecord",
    "ConsentSetting",
    "Contact",
    "Conversation",
    "ConversationStatus",
    "ConversationStep",
    "Direction",
    "InboundMessage",
    "Indicator",
    "IndicatorSource",
    "IndicatorTarget",
    "Invitation",
    "LoginAttempt",
    "OptEvent",
    "OptKind",
    "OutboundMessage",
    "OutboundStatus",
    "PasswordReset",
    "Question",
    "ReportBuild",
    "ReportCell",
    "RespondentGroup",
    "Response",
    "ResponseDraft",
    "ResponseOutcome",
    "ResultArea",
    "Role",
    "School",
    "Survey",
    "SurveyStatus",
    "SurveyVersion",
    "TakesResponses",
    "Translated",
    "User",
    "UserRole",
    "contact_school",
    "utcnow",
]
