"""The audit log in words: what each action is, and its details as a person reads them."""

from __future__ import annotations

from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

ACTION_LABELS = {
    "survey.created": _l("Survey created"),
    "survey.edited": _l("Survey edited"),
    "survey.imported": _l("Survey imported"),
    "survey.exported": _l("Survey exported"),
    "survey.published": _l("Survey published"),
    "survey.rescheduled": _l("Survey window changed"),
    "survey.closed": _l("Survey closed"),
    "access_code.created": _l("Class code made"),
    "access_code.deactivated": _l("Class code stopped"),
    "consent.mode_set": _l("Consent mode set"),
    "consent.recorded": _l("Consent decision noted"),
    "consent.removed": _l("Consent decision removed"),
    "schools.enrollment": _l("Enrolment figures changed"),
    "reports.targets": _l("Baselines and targets changed"),
    "reports.import_administrative": _l("Administrative figures imported"),
    "reports.export": _l("Report exported"),
    "reports.comments_export": _l("Comments exported"),
    "sms.contacts_imported": _l("Text-message contacts imported"),
    "sms.campaign_created": _l("Text-message invitations sent"),
    "sms.reminders_queued": _l("Text-message reminders sent"),
    "user.created": _l("Account created"),
    "user.roles_changed": _l("Roles or scopes changed"),
    "user.activated": _l("Account reactivated"),
    "user.deactivated": _l("Account deactivated"),
    "user.password_link": _l("Password link made"),
    "user.password_set": _l("Password set"),
    "api_token.created": _l("API token created"),
    "api_token.revoked": _l("API token revoked"),
}


def action_label(action: str) -> str:
    label = ACTION_LABELS.get(action)
    return str(label) if label is not None else action


def detail_value(value: Any) -> str:
    """A detail's value without Python's punctuation: lists joined, changes as from -> to."""
    if value is None or value == "":
        return "—"
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if isinstance(value, list | tuple):
        return ", ".join(detail_value(v) for v in value) if value else _("none")
    if isinstance(value, dict):
        if set(value) == {"from", "to"}:
            return _(
                "%(old)s → %(new)s", old=detail_value(value["from"]), new=detail_value(value["to"])
            )
        return "; ".join(f"{key}: {detail_value(item)}" for key, item in value.items())
    return str(value)
