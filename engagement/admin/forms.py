"""Form helpers for the staff pages: the CSRF-only form, labels, and request parsing."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from flask import abort, current_app
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm

from engagement.i18n import SUPPORTED_LANGUAGES
from engagement.models import Role
from engagement.surveys import QuestionType
from engagement.surveys.scales import DEFAULT_FAVOURABLE, NOT_APPLICABLE_VALUE

ROLE_LABELS = {
    Role.ADMIN: _l("Engagement office (administrator)"),
    Role.DESIGNER: _l("Survey designer"),
    Role.WORKING_GROUP: _l("Working Group member"),
    Role.SCHOOL_STAFF: _l("School staff"),
    Role.LEADERSHIP: _l("Leadership Council"),
}
TYPE_LABELS = {
    QuestionType.SINGLE_CHOICE: _l("One choice"),
    QuestionType.MULTIPLE_CHOICE: _l("Several choices"),
    QuestionType.LIKERT: _l("Agree scale (1-5)"),
    QuestionType.GRADE: _l("Grade A-F"),
    QuestionType.YES_NO: _l("Yes / no"),
    QuestionType.NUMBER: _l("Number"),
    QuestionType.TEXT: _l("Free text"),
}
AUDIENCE_LABELS = {
    "parent": _l("Parents and guardians"),
    "student": _l("Students"),
    "staff": _l("Staff"),
}


class CsrfForm(FlaskForm):
    """Only the CSRF token: pages whose fields are parsed by hand (rows of choices, roles)."""


def require_csrf() -> None:
    """400 unless the posted form carries this session's CSRF token."""
    if not CsrfForm().validate_on_submit():
        abort(400)


def role_labels() -> dict[Role, Any]:
    return ROLE_LABELS


class FormError(ValueError):
    """A field the person must fix; `field` names it, `code` picks the message."""

    def __init__(self, field: str, code: str, **params: object):
        super().__init__(code)
        self.field = field
        self.code = code
        self.params = params


def translated_field(form, prefix: str) -> dict[str, str]:
    """{lang: text} from inputs named PREFIX_en, PREFIX_es, PREFIX_zh; blanks left out."""
    return {
        lang: form.get(f"{prefix}_{lang}", "").strip()
        for lang in SUPPORTED_LANGUAGES
        if form.get(f"{prefix}_{lang}", "").strip()
    }


def _number(text: str, field: str) -> int | float | None:
    text = text.strip()
    if not text:
        return None
    try:
        value = float(text)
    except ValueError:
        raise FormError(field, "not_a_number") from None
    return int(value) if value.is_integer() and "." not in text else value


def _whole(text: str, field: str) -> int | None:
    value = _number(text, field)
    if value is not None and not isinstance(value, int):
        raise FormError(field, "not_a_whole_number")
    return value


def question_from_form(form, built_in: dict[QuestionType, tuple]) -> dict[str, Any]:
    """The question template a question form describes (the validator judges the rest)."""
    try:
        qtype = QuestionType(form.get("type", ""))
    except ValueError:
        raise FormError("type", "unknown_type") from None
    question: dict[str, Any] = {
        "key": form.get("key", "").strip(),
        "type": qtype.value,
        "text": translated_field(form, "text"),
    }
    help_text = translated_field(form, "help")
    if help_text:
        question["help"] = help_text
    for flag in ("required", "reverse_coded", "protected"):
        if form.get(flag):
            question[flag] = True
    for name in ("indicator", "sets"):
        if form.get(name):
            question[name] = form[name]

    # The page has no script: a type picked in the list arrives with the answers table of the
    # type the page was drawn for. Its ticks mean nothing for the new type.
    retyped = form.get("shown_type", qtype.value) != qtype.value
    favourable: set[int] = set()
    if retyped and qtype in DEFAULT_FAVOURABLE:
        favourable = set(DEFAULT_FAVOURABLE[qtype])
    elif not retyped:
        for value in form.getlist("favourable"):
            favourable.add(_whole(value, "favourable"))
    custom = qtype in (QuestionType.SINGLE_CHOICE, QuestionType.MULTIPLE_CHOICE) or (
        qtype is QuestionType.LIKERT and form.get("custom_choices")
    )
    if custom and retyped and form.get("shown_type") not in _CUSTOM_TYPES:
        raise FormError("choices", "type_the_choices")  # drawn again with rows to type them in
    if custom:
        choices = []
        ticked: list[dict[str, Any]] = []
        for index in range(_row_count(form)):
            row = f"choice_{index}"
            label = translated_field(form, f"{row}_label")
            value_text = form.get(f"{row}_value", "").strip()
            if form.get(f"{row}_remove") or not (value_text or label):
                continue
            choice: dict[str, Any] = {"value": _whole(value_text, f"{row}_value"), "label": label}
            if form.get(f"{row}_code", "").strip():
                choice["code"] = form[f"{row}_code"].strip()
            for flag in ("not_applicable", "exclusive"):
                if form.get(f"{row}_{flag}"):
                    choice[flag] = True
            if form.get(f"{row}_favourable"):
                ticked.append(choice)
            choices.append(choice)
        _number_the_unnumbered(choices)
        favourable.update(choice["value"] for choice in ticked)
        question["choices"] = choices
    elif qtype in built_in:
        not_applicable = translated_field(form, "not_applicable")
        if not_applicable:
            question["not_applicable"] = not_applicable
    if qtype.has_choices:
        question["favourable"] = sorted(favourable)

    if qtype is QuestionType.NUMBER:
        question["min"] = _number(form.get("min", ""), "min")
        question["max"] = _number(form.get("max", ""), "max")
    if qtype is QuestionType.TEXT and form.get("max_length", "").strip():
        question["max_length"] = _whole(form["max_length"], "max_length")

    conditions: dict[str, list[int]] = {}
    for pair in form.getlist("show_if"):
        key, _, value = pair.partition(":")
        conditions.setdefault(key, []).append(_whole(value, "show_if"))
    if len(conditions) > 1:
        raise FormError("show_if", "one_condition_question")
    if conditions:
        key, values = next(iter(conditions.items()))
        question["show_if"] = {"question": key, "in": sorted(values)}
    return question


_CUSTOM_TYPES = (QuestionType.SINGLE_CHOICE.value, QuestionType.MULTIPLE_CHOICE.value)


def _number_the_unnumbered(choices: list[dict[str, Any]]) -> None:
    """Answers typed with no value get the next free one, in order (1, 2, 3...), and a
    "don't know" the usual 9: the value is a code for reports, not something to think up."""
    used = {choice["value"] for choice in choices if choice["value"] is not None}
    following = 1
    for choice in choices:
        if choice["value"] is not None:
            continue
        if choice.get("not_applicable") and NOT_APPLICABLE_VALUE not in used:
            choice["value"] = NOT_APPLICABLE_VALUE
        else:
            while following in used:
                following += 1
            choice["value"] = following
        used.add(choice["value"])


def _row_count(form) -> int:
    text = form.get("choice_rows", "0").strip()
    return min(int(text), 200) if text.isascii() and text.isdigit() else 0


def _as_typed(text: str) -> int | str:
    """A whole number as the page compares choice values; anything else as typed."""
    text = text.strip()
    try:
        return int(text)
    except ValueError:
        return text


def question_as_typed(form) -> dict[str, Any]:
    """What the question form holds, unchecked: drawn again beside a refusal, so that nothing
    typed is lost (values stay text)."""
    question: dict[str, Any] = {
        "key": form.get("key", "").strip(),
        "type": form.get("type", ""),
        "text": translated_field(form, "text"),
        "help": translated_field(form, "help"),
        "not_applicable": translated_field(form, "not_applicable"),
        **{flag: True for flag in ("required", "reverse_coded", "protected") if form.get(flag)},
        **{name: form[name] for name in ("indicator", "sets") if form.get(name)},
        **{name: form.get(name, "").strip() for name in ("min", "max", "max_length")},
    }
    favourable = [_as_typed(value) for value in form.getlist("favourable")]
    choices = []
    for index in range(_row_count(form)):
        row = f"choice_{index}"
        value = _as_typed(form.get(f"{row}_value", ""))
        label = translated_field(form, f"{row}_label")
        if not (value or label) or form.get(f"{row}_remove"):
            continue
        choice = {"value": value, "label": label, "code": form.get(f"{row}_code", "").strip()}
        choice |= {
            flag: True for flag in ("not_applicable", "exclusive") if form.get(f"{row}_{flag}")
        }
        if form.get(f"{row}_favourable"):
            favourable.append(value)
        choices.append(choice)
    if choices:
        question["choices"] = choices
    question["favourable"] = favourable
    return question


def district_datetime(text: str, field: str) -> datetime | None:
    """A date and time typed by staff ('2026-09-01T08:00' or a date), in the district's zone."""
    text = (text or "").strip()
    if not text:
        return None
    zone = ZoneInfo(current_app.config["DISTRICT_TIMEZONE"])
    for pattern in ("%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%d"):
        try:
            return datetime.strptime(text, pattern).replace(tzinfo=zone)
        except ValueError:
            continue
    raise FormError(field, "not_a_date")
