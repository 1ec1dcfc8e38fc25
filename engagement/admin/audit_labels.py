"""The audit log in words: what each action is, and its details as a person reads them."""

from __future__ import annotations

from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from engagement.i18n import LANGUAGE_NAMES

from .forms import ROLE_LABELS

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
    "user.roles_changed": _l("Account changed (name, language, roles or scopes)"),
    "user.activated": _l("Account reactivated"),
    "user.deactivated": _l("Account deactivated"),
    "user.password_link": _l("Password link made"),
    "user.password_set": _l("Password set"),
    "api_token.created": _l("API token created"),
    "api_token.revoked": _l("API token revoked"),
}


# The keys of entries' details, as features record them.
DETAIL_LABELS = {
    "name": _l("name"),
    "language": _l("language"),
    "roles": _l("roles"),
    "result_areas": _l("result areas"),
    "schools": _l("schools"),
    "school": _l("school"),
    "version": _l("version"),
    "format": _l("format"),
    "year": _l("school year"),
    "years": _l("school years"),
    "rows": _l("rows"),
    "bad": _l("rows with problems"),
    "created": _l("added"),
    "updated": _l("updated"),
    "merged": _l("repeated rows merged"),
    "kept_language": _l("kept the language they chose"),
    "campaign": _l("campaign"),
    "invitations": _l("invitations"),
    "reminders": _l("reminders"),
    "languages": _l("languages"),
    "opens_at": _l("opens"),
    "closes_at": _l("closes"),
    "code": _l("class code"),
    "label": _l("class"),
    "decision": _l("decision"),
    "mode": _l("consent mode"),
    "changes": _l("changes"),
    "changed": _l("changed"),
    "indicator": _l("indicator"),
    "before": _l("before"),
    "after": _l("after"),
    "channel": _l("channel"),
    "tier": _l("school tier"),
    "role": _l("role"),
    "grade_band": _l("grade band"),
    "change": _l("change"),
    "section": _l("section"),
    "question": _l("question"),
    "from": _l("made from"),
    "file": _l("file"),
    "left_out": _l("left out"),
}
# What a designer's edit did (the "change" detail).
CHANGE_LABELS = {
    "settings": _l("settings"),
    "yaml": _l("edited as YAML"),
    "translations": _l("translations"),
    "section added": _l("section added"),
    "section up": _l("section moved up"),
    "section down": _l("section moved down"),
    "section delete": _l("section deleted"),
    "question added": _l("question added"),
    "question edited": _l("question edited"),
    "question up": _l("question moved up"),
    "question down": _l("question moved down"),
    "question delete": _l("question deleted"),
}


# What some entries are about when it is no survey, email or school: a word, in words.
TARGET_LABELS = {
    "contacts": _l("text-message contacts"),
    "schools": _l("schools"),
}


def _label(table: dict, key: str, fallback: str) -> str:
    label = table.get(key)
    return str(label) if label is not None else fallback


def target_label(target: str) -> str:
    return _label(TARGET_LABELS, target, target)


def detail_key(key: str) -> str:
    return _label(DETAIL_LABELS, key, key.replace("_", " "))


def action_label(action: str) -> str:
    return _label(ACTION_LABELS, action, action)


def detail(key: str, value: Any) -> str:
    """One detail as a person reads it: "roles: none → Survey designer"."""
    return _("%(label)s: %(value)s", label=detail_key(key), value=detail_value(value, key))


# Detail values that are codes, named by the detail they belong to.
_VALUE_LABELS: dict[str, dict] = {
    "change": CHANGE_LABELS,
    "roles": ROLE_LABELS,  # Role is a str enum: its members look up as their values
    "language": LANGUAGE_NAMES,
    "languages": LANGUAGE_NAMES,
}


def detail_value(value: Any, key: str | None = None) -> str:
    """A detail's value without Python's punctuation: lists joined, changes as from -> to, codes
    (roles, languages, designers' edits) by their names."""
    if value is None or value == "":
        return "—"
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if isinstance(value, list | tuple):
        if not value:  # a campaign's languages: none chosen means every language
            return _("all") if key == "languages" else _("none")
        return ", ".join(detail_value(v, key) for v in value)
    if isinstance(value, dict):
        if set(value) == {"from", "to"}:
            old, new = detail_value(value["from"], key), detail_value(value["to"], key)
            return _("%(old)s → %(new)s", old=old, new=new)
        return "; ".join(detail(name, item) for name, item in value.items())
    return _label(_VALUE_LABELS.get(key or "", {}), value, str(value))
