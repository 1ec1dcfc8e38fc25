"""Supported languages and how a request's language is chosen."""

from collections.abc import Iterable
from functools import cache

from babel import Locale
from babel.lists import format_list
from flask import g, has_request_context, request
from flask_babel import get_locale, get_translations, gettext

SUPPORTED_LANGUAGES = ("en", "es", "zh")
DEFAULT_LANGUAGE = "en"
LANGUAGE_NAMES = {"en": "English", "es": "Español", "zh": "中文"}
# BCP 47 tags for <html lang>: Mandarin content is written in Simplified characters.
HTML_LANG = {"en": "en", "es": "es", "zh": "zh-Hans"}
LANGUAGE_COOKIE = "lang"


def supported(language: str | None) -> str | None:
    """The supported language code a value names, or None ("ZH", "zh-CN" -> "zh")."""
    if not language:
        return None
    primary = language.strip().lower().replace("_", "-").split("-")[0]
    return primary if primary in SUPPORTED_LANGUAGES else None


def select_locale() -> str:
    """?lang=, else this respondent's stored choice, else Accept-Language, else English.

    Outside a request (command-line messages) it is English.
    """
    if not has_request_context():
        return DEFAULT_LANGUAGE
    from_query = supported(request.args.get("lang"))
    if from_query:
        return from_query
    stored = supported(g.get("respondent_language")) or supported(
        request.cookies.get(LANGUAGE_COOKIE)
    )
    if stored:
        return stored
    for tag, _quality in request.accept_languages:
        matched = supported(tag)
        if matched:
            return matched
    return DEFAULT_LANGUAGE


@cache
def _parsed(language: str) -> Locale:
    return Locale.parse(language)


def request_locale() -> Locale:
    """Flask-Babel's locale selector: parsed once per language, not once per request."""
    return _parsed(select_locale())


# A student is addressed as tú / 你, an adult as usted / 您: the respondent pages' words that
# differ have a second translation under this context (engagement/student_wording.py).
STUDENT = "student"


def respondent_text(message: str, **variables) -> str:
    """Words on a respondent's page, in the register of who answers (g.respondent_audience)."""
    if has_request_context() and g.get("respondent_audience") == STUDENT:
        worded = get_translations().pgettext(STUDENT, message)
        if worded != message:  # else the adult wording serves students as well
            return worded % variables if variables else worded
    return gettext(message, **variables)


def sentence_gap(language: str | None) -> str:
    """What goes between two sentences: Chinese sets them side by side, after its 。"""
    return "" if language == "zh" else " "


def language_label(code: str) -> str:
    """A respondent language named in the reader's language ("Spanish", "西班牙语")."""
    return {"en": gettext("English"), "es": gettext("Spanish"), "zh": gettext("Chinese")}.get(
        code, code
    )


def listed(items: Iterable[str]) -> str:
    """Names joined as the reader's language joins them: "Ana and Li", "Ana y Li", "Ana和Li"."""
    return format_list(list(items), locale=get_locale() or DEFAULT_LANGUAGE)
