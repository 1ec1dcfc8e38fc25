"""Preview a survey as a respondent, in each language, through the real pages and engine.

Nothing is recorded: the answers live in the staff member's signed session
cookie only, so skip rules and validation behave as they will for parents.
"""

from __future__ import annotations

from types import SimpleNamespace

from flask import abort, g, redirect, render_template, request, session, url_for

from engagement.auth.permissions import Permission, require_permission
from engagement.designer import editing
from engagement.i18n import SUPPORTED_LANGUAGES, supported
from engagement.surveys.flow import (
    next_section,
    previous_section,
    progress,
    prune_hidden,
    section_questions,
)
from engagement.web.forms import section_form

from . import bp
from .lookups import draft_or_404

design = require_permission(Permission.DESIGN_SURVEYS)
PREVIEW_KEY = "preview_answers"
# The session cookie holds the answers: keep long text short there.
MAX_KEPT_TEXT = 200


def _answers(slug: str) -> dict:
    return dict(session.get(PREVIEW_KEY, {}).get(slug, {}))


def _keep(slug: str, answers: dict) -> None:
    stored = {}
    for key, value in answers.items():
        if value is None:
            continue
        if isinstance(value, tuple | list):
            value = list(value)
        elif isinstance(value, str):
            value = value[:MAX_KEPT_TEXT]
        stored[key] = value
    session[PREVIEW_KEY] = {slug: stored}


def _untranslated(draft, lang: str) -> int:
    """Texts this language still lacks: the preview shows them in English, as parents would."""
    return sum(1 for text in editing.missing_translations(draft.template) if lang in text.missing)


def _draft(slug: str, lang: str):
    if lang not in SUPPORTED_LANGUAGES:
        abort(404)
    g.respondent_language = lang
    draft = draft_or_404(slug)
    g.respondent_audience = draft.definition.audience  # a student preview reads as students do
    return draft


@bp.get("/surveys/<slug>/preview/<language>")
@design
def preview_start(slug: str, language: str):
    lang = language
    _draft(slug, lang)
    _keep(slug, {})
    return redirect(url_for(".preview_page", slug=slug, language=lang, number=1))


@bp.route("/surveys/<slug>/preview/<language>/<int:number>", methods=["GET", "POST"])
@design
def preview_page(slug: str, language: str, number: int):
    lang = language
    draft = _draft(slug, lang)
    definition = draft.definition
    answers = prune_hidden(definition, _answers(slug))
    index = number - 1
    questions = (
        section_questions(definition, index, answers)
        if 0 <= index < len(definition.sections)
        else []
    )
    if not questions:
        return redirect(url_for(".preview_page", slug=slug, language=lang, number=1))
    form = section_form(
        definition.content_hash,
        questions,
        lang,
        answers,
        formdata=request.form if request.method == "POST" else None,
    )
    status = 200
    if request.method == "POST":
        action = request.form.get("action", "next")
        if action.startswith("lang:") or action == "back":
            answers.update(form.answers_so_far())
            _keep(slug, prune_hidden(definition, answers))
            chosen = supported(action.removeprefix("lang:")) if action != "back" else None
            if chosen:
                return redirect(url_for(".preview_page", slug=slug, language=chosen, number=number))
            back = previous_section(definition, answers, index)
            target = (back if back is not None else index) + 1
            return redirect(url_for(".preview_page", slug=slug, language=lang, number=target))
        if form.validate():
            answers.update(form.answers())
            answers = prune_hidden(definition, {k: v for k, v in answers.items() if v is not None})
            _keep(slug, answers)
            following = next_section(definition, answers, index)
            if following is None:
                return redirect(url_for(".preview_done", slug=slug, language=lang))
            return redirect(
                url_for(".preview_page", slug=slug, language=lang, number=following + 1)
            )
        status = 422
    current, total = progress(definition, answers, index)
    return render_template(
        "admin/preview_page.html",
        state=SimpleNamespace(definition=definition, survey=draft.survey),
        draft=draft,
        language=lang,
        section=definition.sections[index],
        form=form,
        number=number,
        current=current,
        total=total,
        is_last=next_section(definition, answers, index) is None,
        has_previous=previous_section(definition, answers, index) is not None,
        form_action=url_for(".preview_page", slug=slug, language=lang, number=number),
        resume_url=None,
        untranslated=_untranslated(draft, lang),
    ), status


@bp.get("/surveys/<slug>/preview/<language>/done")
@design
def preview_done(slug: str, language: str):
    lang = language
    draft = _draft(slug, lang)
    return render_template(
        "admin/preview_thanks.html",
        draft=draft,
        language=lang,
        text=draft.definition.thanks,
        answered=len(_answers(slug)),
        untranslated=_untranslated(draft, lang),
    )
