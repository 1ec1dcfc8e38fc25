"""Template helpers: pick the respondent's language out of translated content."""

from flask import Flask, current_app, request, url_for
from flask_babel import get_locale

from engagement.config import name_in
from engagement.i18n import (
    HTML_LANG,
    LANGUAGE_NAMES,
    SUPPORTED_LANGUAGES,
    language_label,
    respondent_text,
    sentence_gap,
)
from engagement.models import School
from engagement.web.csrf import form_token


def current_language() -> str:
    return str(get_locale() or "en").split("_")[0]


def district_name() -> str:
    """The district as this page's language names it."""
    return name_in(current_app.config, "DISTRICT_NAME", current_language())


def between_sentences() -> str:
    return sentence_gap(current_language())


def translated(text: dict[str, str] | None, language: str | None = None) -> str:
    """Content in the current language; English if a translation is missing (drafts only)."""
    if not text:
        return ""
    language = language or current_language()
    return text.get(language) or text.get("en") or next(iter(text.values()), "")


def school_name(school: School, language: str | None = None) -> str:
    """The school as a respondent reading this page's language knows it."""
    return school.name_in(language or current_language())


def school_choice(school: School, language: str) -> str:
    """A school in a list to pick from: its name in `language`, then the English one its
    signs and letters carry ("杰克逊小学（Jackson Elementary）")."""
    name = school.name_in(language)
    if name == school.name:
        return name
    return f"{name}（{school.name}）" if language == "zh" else f"{name} ({school.name})"


def url_keeping_query(endpoint: str, **values) -> str:
    """A link that keeps this page's query (filters, year); `values` win over same-named keys.

    So the route's own values (survey, page, school) are never overridden by the query.
    """
    return url_for(endpoint, **{**request.args.to_dict(), **values})


# A page shown in answer to a form that only takes POST (the form again with its errors,
# an error page) switches language on the page the form came from: a link cannot post.
_PAGE_OF_FORM = {"web.start": "web.landing"}


def language_links() -> list[dict[str, str]]:
    """This page in each language, for the switch at the top of non-form pages."""
    endpoint, args = request.endpoint, dict(request.view_args or {})
    if endpoint and request.url_rule and "GET" not in request.url_rule.methods:
        endpoint = _PAGE_OF_FORM.get(endpoint)
        if endpoint is None:
            endpoint, args = "web.home", {}
    return [
        {
            "code": language,
            "name": LANGUAGE_NAMES[language],
            "html_lang": HTML_LANG[language],
            "url": url_keeping_query(endpoint, **args, lang=language) if endpoint else "?",
        }
        for language in SUPPORTED_LANGUAGES
    ]


def register(app: Flask) -> None:
    app.jinja_env.globals.update(
        translated=translated,
        current_language=current_language,
        between_sentences=between_sentences,
        district_name=district_name,
        language_label=language_label,
        language_links=language_links,
        respondent_csrf_token=form_token,
        _r=respondent_text,
        LANGUAGE_NAMES=LANGUAGE_NAMES,
        HTML_LANG=HTML_LANG,
        SUPPORTED_LANGUAGES=SUPPORTED_LANGUAGES,
    )
    app.jinja_env.filters["t"] = translated
    app.jinja_env.filters["school_name"] = school_name
