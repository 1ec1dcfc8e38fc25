"""What the SMS conversation says, in the respondent's language, kept short (cost).

Every string goes through Flask-Babel with the locale forced to the contact's
language; needs an app context (requests, CLI and the worker all have one).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager

from flask_babel import force_locale
from flask_babel import gettext as _

from engagement.i18n import DEFAULT_LANGUAGE, SUPPORTED_LANGUAGES, sentence_gap
from engagement.models import School
from engagement.surveys import AnswerError, Question, QuestionType, SurveyDefinition
from engagement.web.forms import answer_error_message

# Asked before anything else when the language is unknown, so it is in all three at once.
LANGUAGE_QUESTION = "Reply 1 for English.\nResponda 2 para español.\n回复 3 选择中文。"
# How to change language, each in the language it offers: for a phone whose language came
# from the office's file, which may be wrong, and which its reader may not read.
_SWITCH_OFFERS = {
    "en": "English? Reply ENGLISH.",
    "es": "¿Español? Responda ESPAÑOL.",
    "zh": "需要中文请回复：中文",
}


@contextmanager
def speaking(language: str | None) -> Iterator[str]:
    language = language if language in SUPPORTED_LANGUAGES else DEFAULT_LANGUAGE
    with force_locale(language):
        yield language


def localised(text: dict[str, str], language: str) -> str:
    return text.get(language) or text.get(DEFAULT_LANGUAGE) or next(iter(text.values()), "")


def question_text(question: Question, language: str) -> str:
    """One question as one message: the text, numbered choices, and how to reply."""
    with speaking(language) as language:
        lines = [localised(question.text, language)]
        for number, choice in enumerate(question.choices, start=1):
            lines.append(f"{number} {localised(choice.label, language)}")
        if question.type is QuestionType.MULTIPLE_CHOICE:
            lines.append(_("Reply with one or more numbers."))
        elif question.type is QuestionType.NUMBER:
            if question.minimum is not None and question.maximum is not None:
                lines.append(
                    _(
                        "Reply with a number from %(minimum)s to %(maximum)s.",
                        minimum=_plain(question.minimum),
                        maximum=_plain(question.maximum),
                    )
                )
            else:
                lines.append(_("Reply with a number."))
        if not question.required:
            lines.append(_("Text SKIP to skip."))
        return "\n".join(lines)


def _plain(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else str(value)


def opening(definition: SurveyDefinition, language: str) -> str:
    """The first line of a survey by text: what it is and the way out."""
    with speaking(language) as language:
        text = _(
            "%(title)s. Reply STOP to opt out, HELP for help.",
            title=localised(definition.title, language),
        )
        return kept_apart(language, text)


def kept_apart(language: str, text: str) -> str:
    """`text`, then what becomes of the answers, as a survey's web page says.

    Said in the first text that asks a question: a parent answering from their own phone
    wonders. Not in the invitation sent in all three languages to a phone whose language is
    unknown: after the language is chosen, the opening says it.
    """
    with speaking(language):
        privacy = _(
            "Your answers are not kept with your phone number, and we only report group results."
        )
        return _then(language, text, privacy)


# Engine reasons that say what to change; any other refusal of a choice question means the
# reply named no choice, and a phone is told to reply with its number.
_SPECIFIC = {
    *("not_a_number", "digits_only", "too_small", "too_large", "too_long"),
    *("choose_one", "exclusive_conflict"),
}


def invalid_answer(question: Question, language: str, error: AnswerError | None) -> str:
    """A short re-prompt: why, then the question again."""
    with speaking(language) as language:
        if error is not None and (error.code in _SPECIFIC or not question.choices):
            reason = answer_error_message(error, question, language)
        elif question.type is QuestionType.MULTIPLE_CHOICE:
            reason = _(
                "Please reply with the numbers of your answers, from 1 to %(last)s, like 1 3.",
                last=len(question.choices),
            )
        elif question.type is QuestionType.YES_NO and len(question.choices) == 2:
            yes, no = (localised(c.label, language) for c in question.choices[:2])
            reason = _("Please reply 1 for %(yes)s or 2 for %(no)s.", yes=yes, no=no)
        elif question.choices:
            reason = _(
                "Please reply with the number of your answer, from 1 to %(last)s.",
                last=len(question.choices),
            )
        else:
            reason = _("This question needs an answer.")
        return _("Sorry. %(reason)s", reason=reason) + "\n" + question_text(question, language)


def already_sent(language: str) -> str:
    """A text after the thank-you: it cannot join answers that are no longer tied to the phone."""
    with speaking(language):
        return _("Thank you! Your answers were already sent; this text was not added to them.")


def left_out(language: str) -> str:
    """After the last failed try at an optional question: said, so nobody thinks it counted."""
    with speaking(language):
        return _("We could not understand that answer, so we left this question out.")


def answer_cut(language: str, maximum: int) -> str:
    with speaking(language):
        return _(
            "Your answer was long, so we kept its first %(maximum)s characters.", maximum=maximum
        )


def school_question(language: str, schools: Sequence[School], *, again: bool = False) -> str:
    """Which of `schools`, by the names `language` gives them; `again`: after a reply that
    picked none of them."""
    with speaking(language):
        question = _("Which school are your answers about? Reply with its number.")
        lines = [_("Sorry. %(reason)s", reason=question) if again else question]
        lines += [f"{n} {school.name_in(language)}" for n, school in enumerate(schools, start=1)]
        return "\n".join(lines)


def about_school(language: str, school: str) -> str:
    with speaking(language):
        return _("Your answers are about %(school)s.", school=school)


def school_name_question(language: str) -> str:
    with speaking(language):
        return _("Which school are your answers about? Reply with the school's name.")


def school_not_found(language: str) -> str:
    with speaking(language):
        return _("Sorry, we did not find that school. Please reply with its name.")


def other_languages(language: str) -> str:
    """How to switch to each language but `language`, one line each."""
    return "\n".join(offer for each, offer in _SWITCH_OFFERS.items() if each != language)


def language_changed(language: str) -> str:
    with speaking(language):
        return _("From now on we will text you in English.")


def language_not_understood() -> str:
    return "1 English / 2 Español / 3 中文\n" + LANGUAGE_QUESTION


def thanks(definition: SurveyDefinition, language: str) -> str:
    with speaking(language) as language:
        return (
            localised(definition.thanks, language)
            if definition.thanks
            else _("Thank you! Your answers were recorded.")
        )


def _then(language: str, first: str, second: str) -> str:
    """Two sentences: Chinese sets them side by side, after a full-width full stop."""
    return first + sentence_gap(language) + second


def _start_again(language: str, text: str, keyword: str | None) -> str:
    """`text`, then how to start the survey again when it has a keyword (under `speaking`)."""
    if not keyword:
        return text
    return _then(language, text, _("Text %(keyword)s to start again.", keyword=keyword))


def paused(language: str, keyword: str | None, answered: bool) -> str:
    """A required question we could not understand: stop asking, keep what was answered."""
    with speaking(language) as language:
        text = _("Sorry, we could not understand your answer, so we paused this survey.")
        if keyword and answered:
            saved = _(
                "Your answers so far are saved: text %(keyword)s to carry on.", keyword=keyword
            )
            return _then(language, text, saved)
        return _start_again(language, text, keyword)


def carrying_on(language: str) -> str:
    with speaking(language):
        return _("Welcome back! Here is where you stopped.")


def gave_up(language: str, keyword: str | None) -> str:
    """A language or school we could not understand after the last try (there is no draft
    yet to pause): stop, politely, with a way back."""
    with speaking(language) as language:
        text = _("Sorry, we could not understand your answer, so we stopped this survey.")
        return _start_again(language, text, keyword)


def school_not_found_stop(language: str, keyword: str, phone: str) -> str:
    """The school's name not found after the last try: how to name it with the keyword."""
    with speaking(language):
        return _(
            "Sorry, we could not find your school, so we stopped this survey. To start again,"
            " text %(keyword)s followed by your school's name, or call %(phone)s for help.",
            keyword=keyword,
            phone=phone,
        )


def expired(language: str, keyword: str | None) -> str:
    with speaking(language) as language:
        return _start_again(language, _("This survey conversation timed out."), keyword)


def survey_closed(language: str | None) -> str:
    if language is None:  # a phone whose language is not known: said in all three
        return in_every_language(survey_closed)
    with speaking(language):
        return _("This survey is closed. Thank you for your interest.")


def queued(language: str) -> str:
    with speaking(language):
        return _("We will send that survey when you finish this one.")


def in_every_language(message: Callable[[str], str]) -> str:
    """For a phone whose language is not known yet: the message in all three, one per line."""
    return "\n".join(message(language) for language in SUPPORTED_LANGUAGES)


def nothing_open(language: str | None, keywords: Callable[[str], Sequence[str]]) -> str:
    """A message that is neither a keyword nor an answer: the keywords that start a survey now,
    each language's own (`keywords(language)`).

    Named, for someone who lost the flyer; and no keyword is asked for when none would work.
    """
    if language is None:
        return in_every_language(lambda each: nothing_open(each, keywords))
    words = keywords(language)
    with speaking(language):
        if not words:
            return _(
                "We did not recognise that. No survey is taking answers by text message "
                "right now. Reply HELP for help."
            )
        return _(
            "We did not recognise that. To start a survey, text %(keywords)s. Reply HELP for help.",
            keywords=" / ".join(words),
        )


def too_long(language: str | None) -> str:
    """More than Twilio delivers as one message (1,600 characters)."""
    if language is None:
        return in_every_language(too_long)
    with speaking(language):
        return _("Your message is too long. Please send a shorter reply.")


def answer_by_text(language: str, keyword: str, number: str) -> str:
    """For a flyer: how to answer the survey by text instead of on the web."""
    with speaking(language):
        return _(
            "Or answer by text message: send %(keyword)s to %(number)s.",
            keyword=keyword,
            number=number,
        )


def help_reply(language: str, office: str, phone: str) -> str:
    with speaking(language):
        return _(
            "%(office)s school surveys. Questions? Call %(phone)s. "
            "Reply STOP to opt out. Msg&data rates may apply.",
            office=office,
            phone=phone,
        )


def opted_out(language: str) -> str:
    with speaking(language):
        return _("You will not get more texts from us. Reply START to opt back in.")


def opted_in(language: str) -> str:
    with speaking(language):
        return _("You can get our survey texts again. Reply STOP to opt out.")


def invitation(definition: SurveyDefinition, language: str, office: str) -> str:
    """The first text of a campaign: who asks, what, and the way out."""
    with speaking(language) as language:
        return _(
            "%(office)s: please answer our %(title)s by text. Reply STOP to opt out.",
            office=office,
            title=localised(definition.title, language),
        )


def reminder(definition: SurveyDefinition, language: str, office: str) -> str:
    with speaking(language) as language:
        return _(
            "%(office)s: a reminder about our %(title)s. Reply STOP to opt out.",
            office=office,
            title=localised(definition.title, language),
        )
