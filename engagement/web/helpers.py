"""Template helpers: pick the respondent's language out of translated content."""

from flask import Flask, request, url_for
from flask_babel import get_locale

from engagement.i18n import HTML_LANG, LANGUAGE_NAMES, SUPPORTED_LANGUAGES


def current_language() -> str:
    return str(get_locale() or "en").split("_")[0]


def translated(text: dict[str, str] | None, language: str | None = None) -> str:
    """Content in the current language; English if a translation is missing (drafts only)."""
    if not text:
        return ""
    language = language or current_language()
    return text.get(language) or text.get("en") or next(iter(text.values()), "")


def language_links() -> list[dict[str, str]]:
    """This page in each language, for the switch at the top of non-form pages."""
    args = dict(request.view_args or {})
    query = request.args.to_dict()
    links = []
    for language in SUPPORTED_LANGUAGES:
        query["lang"] = language
        links.append(
            {
                "code": language,
                "name": LANGUAGE_NAMES[language],
                "html_lang": HTML_LANG[language],
                # The route's own values (survey, page, school) win over a same-named query key.
                "url": url_for(request.endpoint, **{**query, **args}) if request.endpoint else "?",
            }
        )
    return links


def register(app: Flask) -> None:
    app.jinja_env.globals.update(
        translated=translated,
        current_language=current_language,
        language_links=language_links,
        LANGUAGE_NAMES=LANGUAGE_NAMES,
        HTML_LANG=HTML_LANG,
        SUPPORTED_LANGUAGES=SUPPORTED_LANGUAGES,
    )
    app.jinja_env.filters["t"] = translated
