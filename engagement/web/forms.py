"""WTForms for the respondent pages, built from a section's questions."""

from __future__ import annotations

from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    Field,
    RadioField,
    SelectChoice,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import InputRequired, ValidationError

from engagement.i18n import respondent_text as _r
from engagement.surveys import AnswerError, Question, QuestionType, parse_form_values


def answer_error_message(error: AnswerError, question: Question, language: str) -> str:
    """The engine's reason, in the respondent's language."""
    params = error.params
    if error.code == "not_a_number":
        return _r("Please enter a number, like 3.")
    if error.code == "digits_only":
        return _r(
            "Please write the number with digits only, like 1600 (or 1.5 for one and a half)."
        )
    if error.code == "too_small":
        return _r("Please enter %(minimum)s or more.", minimum=_number(params["minimum"]))
    if error.code == "too_large":
        return _r("Please enter %(maximum)s or less.", maximum=_number(params["maximum"]))
    if error.code == "too_long":
        return _r(
            "Please shorten your answer to %(maximum)s characters (it has %(length)s).",
            maximum=params["maximum"],
            length=params["length"],
        )
    if error.code == "choose_one":
        return _r("Please choose only one answer.")
    if error.code == "exclusive_conflict":
        choice = question.choice_by_value(int(params["choice"]))
        label = (choice.label.get(language) or choice.label["en"]) if choice else ""
        return _("“%(choice)s” cannot be chosen together with other answers.", choice=label)
    return _r("Please choose one of the answers listed.")


def _number(value: Any) -> str:
    return str(int(value)) if float(value).is_integer() else str(value)


class EngineAnswer:
    """Parses a field with the survey engine, as the SMS door does, and keeps the value."""

    def __init__(self, question: Question, language: str):
        self.question = question
        self.language = language

    def __call__(self, form: FlaskForm, field: Field) -> None:
        try:
            field.parsed = parse_form_values(self.question, field.raw_data or [])
        except AnswerError as error:
            field.parsed = None
            message = answer_error_message(error, self.question, self.language)
            raise ValidationError(message) from error
        if field.parsed is None and self.question.required:
            raise ValidationError(_r("Please answer this question."))


def _field_for(question: Question, language: str) -> Field:
    validators = [EngineAnswer(question, language)]
    choices = [
        SelectChoice(str(c.value), c.label.get(language) or c.label["en"]) for c in question.choices
    ]
    if question.type is QuestionType.MULTIPLE_CHOICE:
        return SelectMultipleField(choices=choices, validators=validators, validate_choice=False)
    if question.type.has_choices:
        return RadioField(choices=choices, validators=validators, validate_choice=False)
    if question.type is QuestionType.NUMBER:
        return StringField(validators=validators)
    return TextAreaField(validators=validators)


class SectionForm(FlaskForm):
    """One page of questions; the subclass made per request adds a field per question.

    Respondent pages check every POST before the view runs (engagement.web.csrf) and
    render the token themselves, so the form neither makes nor checks one.
    """

    class Meta:
        csrf = False

    questions: list[Question]

    def answers(self) -> dict[str, Any]:
        """Parsed answers after validate(): None for a question left blank."""
        return {q.key: getattr(self[q.key], "parsed", None) for q in self.questions}

    def answers_so_far(self) -> dict[str, Any]:
        """What can be kept without validating (going back, switching language)."""
        kept: dict[str, Any] = {}
        for question in self.questions:
            try:
                kept[question.key] = parse_form_values(question, self[question.key].raw_data or [])
            except AnswerError:
                continue
        return kept

    def selected(self, question: Question) -> list[str]:
        """Values to show as chosen: what was just posted, else what the draft holds."""
        field = self[question.key]
        if self.is_submitted():
            return [v for v in field.raw_data or [] if v]
        data = field.data
        if data is None or data == "":
            return []
        return [str(v) for v in data] if isinstance(data, list | tuple) else [str(data)]


_FORM_CLASSES: dict[tuple, type[SectionForm]] = {}


def _form_class(version_hash: str, questions: list[Question], language: str) -> type[SectionForm]:
    """One form class per page of a frozen version and language, built once per process."""
    key = (version_hash, language, tuple(q.key for q in questions))
    form_class = _FORM_CLASSES.get(key)
    if form_class is None:
        fields = {q.key: _field_for(q, language) for q in questions}
        form_class = type("PageForm", (SectionForm,), fields)
        if len(_FORM_CLASSES) > 1024:
            _FORM_CLASSES.clear()
        _FORM_CLASSES[key] = form_class
    return form_class


def section_form(
    version_hash: str,
    questions: list[Question],
    language: str,
    draft_answers: dict[str, Any],
    formdata: Any,
) -> SectionForm:
    form_class = _form_class(version_hash, questions, language)
    data = {}
    for question in questions:
        value = draft_answers.get(question.key)
        if value is None:
            continue
        data[question.key] = [str(v) for v in value] if isinstance(value, list) else str(value)
    form = form_class(formdata=formdata, data=data)
    form.questions = questions
    return form


class StartForm(FlaskForm):
    class Meta:
        csrf = False  # checked before the view (engagement.web.csrf)

    school = SelectField(
        _l("Which school is this about?"),
        validators=[InputRequired(message=_l("Please choose a school."))],
        validate_choice=False,
    )

    def validate_school(self, field: Field) -> None:
        if field.data not in {choice.value for choice in field.choices if choice.value}:
            raise ValidationError(_("Please choose a school."))
