"""The survey designer's pages: thin views over engagement.designer.service."""

from __future__ import annotations

import unicodedata
from dataclasses import replace
from functools import partial
from pathlib import Path

from flask import Response, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import format_date
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from engagement.adapters.clock import app_clock
from engagement.auth.permissions import Permission, require_permission
from engagement.designer import editing
from engagement.designer.service import (
    DesignerError,
    clone_survey,
    close,
    closing_summary,
    create_from_file,
    create_survey,
    edit,
    export_survey,
    import_xlsform,
    import_yaml,
    list_surveys,
    load_draft,
    publish,
    response_count,
    save_translations,
    template_files,
)
from engagement.extensions import db
from engagement.i18n import SUPPORTED_LANGUAGES
from engagement.models import Indicator, IndicatorSource
from engagement.surveys import QuestionType
from engagement.surveys.loader import definition_to_yaml, parse_yaml
from engagement.surveys.scales import BUILT_IN_CHOICES, DEFAULT_FAVOURABLE
from engagement.surveys.validation import Problem
from engagement.web.guards import whole_number

from . import bp
from .forms import (
    AUDIENCE_LABELS,
    TYPE_LABELS,
    CsrfForm,
    FormError,
    district_datetime,
    question_as_typed,
    question_from_form,
    require_csrf,
    translated_field,
)
from .lookups import draft_or_404
from .messages import designer_message, form_message

design = require_permission(Permission.DESIGN_SURVEYS)
run = require_permission(Permission.RUN_SURVEYS)
MAX_UPLOAD = 5 * 1024 * 1024


def _expected_version() -> int | None:
    return whole_number(request.form.get("version"))


def _refusal(error: DesignerError | FormError, template: str, **context):
    message = designer_message(error) if isinstance(error, DesignerError) else form_message(error)
    problems = error.problems if isinstance(error, DesignerError) else []
    return render_template(
        template, form=CsrfForm(), error=message, problems=problems, values=request.form, **context
    ), 422


def _survey_url(slug: str, anchor: str | None = None) -> str:
    return url_for(".survey", slug=slug, _anchor=anchor)


def _saved(saved, slug: str):
    if saved.result.created:
        flash(_("Saved as version %(number)s.", number=saved.result.version_number), "info")
    else:
        flash(_("Nothing changed."), "info")
    return redirect(_survey_url(slug))


# --- creating ------------------------------------------------------------------------------


@bp.route("/surveys/new", methods=["GET", "POST"])
@design
def new_survey():
    context = {"types": TYPE_LABELS, "audiences": AUDIENCE_LABELS}
    if request.method == "GET":
        return render_template("admin/survey_new.html", form=CsrfForm(), values={}, **context)
    require_csrf()
    form = request.form
    try:
        question = _first_question(form)
        template = {
            "slug": form.get("slug", "").strip().lower(),
            "title": translated_field(form, "title"),
            "audience": form.get("audience", ""),
            "school_year": _school_year(form.get("school_year")),
            "sections": [
                {
                    "key": form.get("section_key", "").strip(),
                    "title": translated_field(form, "section_title"),
                    "questions": [question],
                }
            ],
        }
        saved = create_survey(db.session, template, actor=current_user, clock=app_clock())
    except (DesignerError, FormError) as error:
        return _refusal(error, "admin/survey_new.html", **context)
    return _saved(saved, saved.result.slug)


def _first_question(form) -> dict:
    """The question a new survey or section starts with; the question page does the rest."""
    question = {
        "key": form.get("question_key", "").strip(),
        "type": form.get("question_type", ""),
        "text": translated_field(form, "question_text"),
    }
    if question["type"] in ("single_choice", "multiple_choice"):
        question["choices"] = _starter_choices(form)
    return question


def _starter_choices(form) -> list[dict]:
    labels = [line.strip() for line in form.get("choices_en", "").splitlines() if line.strip()]
    return [{"value": i, "label": {"en": label}} for i, label in enumerate(labels, start=1)]


@bp.route("/surveys/new/template", methods=["GET", "POST"])
@design
def new_from_template():
    directory = Path(current_app.config["SURVEY_TEMPLATE_DIR"])
    files = {path.name: path for path in template_files(directory)}
    if request.method == "GET":
        return render_template(
            "admin/survey_from.html", form=CsrfForm(), files=files, sources=None, values={}
        )
    require_csrf()
    path = files.get(request.form.get("file", ""))
    if path is None:
        abort(400)
    try:
        saved = create_from_file(
            db.session,
            path,
            request.form.get("slug", "").strip().lower(),
            _school_year(request.form.get("school_year")),
            actor=current_user,
            clock=app_clock(),
        )
    except DesignerError as error:
        return _refusal(error, "admin/survey_from.html", files=files, sources=None)
    return _saved(saved, saved.result.slug)


@bp.route("/surveys/new/clone", methods=["GET", "POST"])
@design
def new_from_clone():
    sources = [survey for survey, _version, _count in list_surveys(db.session)]
    if request.method == "GET":
        chosen = request.args.get("source", "")
        return render_template(
            "admin/survey_from.html",
            form=CsrfForm(),
            files=None,
            sources=sources,
            values={"source": chosen},
        )
    require_csrf()
    try:
        saved = clone_survey(
            db.session,
            request.form.get("source", ""),
            request.form.get("slug", "").strip().lower(),
            _school_year(request.form.get("school_year")),
            actor=current_user,
            clock=app_clock(),
        )
    except DesignerError as error:
        return _refusal(error, "admin/survey_from.html", files=None, sources=sources)
    return _saved(saved, saved.result.slug)


@bp.route("/surveys/import", methods=["GET", "POST"])
@design
def import_survey():
    if request.method == "GET":
        return render_template("admin/survey_import.html", form=CsrfForm(), values={})
    require_csrf()
    upload = request.files.get("file")
    try:
        if upload is None or not upload.filename:
            raise FormError("file", "no_file")
        content = upload.read(MAX_UPLOAD + 1)
        if len(content) > MAX_UPLOAD:
            raise FormError("file", "file_too_large")
        name = Path(upload.filename).name
        replacing = {"replace_existing": bool(request.form.get("replace_existing"))}
        if name.lower().endswith((".yaml", ".yml")):
            try:
                text = content.decode("utf-8")
            except UnicodeDecodeError:
                raise FormError("file", "not_utf8") from None
            imported = import_yaml(
                db.session, text, name, actor=current_user, clock=app_clock(), **replacing
            )
        elif name.lower().endswith(".xlsx"):
            imported = import_xlsform(
                db.session,
                content,
                name,
                actor=current_user,
                clock=app_clock(),
                accept_left_out=bool(request.form.get("accept_left_out")),
                **replacing,
            )
        else:
            raise FormError("file", "unknown_file_type")
    except (DesignerError, FormError) as error:
        return _refusal(error, "admin/survey_import.html")
    slug = imported.saved.result.slug
    if imported.left_out:
        return render_template(
            "admin/survey_imported.html",
            slug=slug,
            left_out=imported.left_out,
            saved=imported.saved,
        ), 201
    return _saved(imported.saved, slug)


# --- the survey page -----------------------------------------------------------------------


def _indicators():
    return list(
        db.session.scalars(
            select(Indicator)
            .where(Indicator.source == IndicatorSource.SURVEY)
            .order_by(Indicator.key)
        )
    )


@bp.get("/surveys/<slug>")
@design
def survey(slug: str):
    draft = draft_or_404(slug)
    return render_template(
        "admin/survey.html",
        draft=draft,
        form=CsrfForm(),
        types=TYPE_LABELS,
        audiences=AUDIENCE_LABELS,
        missing=editing.missing_translations(draft.template),
    )


def _edit(slug: str, change, details: dict, template: str = "admin/survey.html", **context):
    """Apply one edit; on refusal show the survey page (or `template`) with the reasons."""
    try:
        saved = edit(
            db.session,
            slug,
            change,
            actor=current_user,
            clock=app_clock(),
            details=details,
            expected_version=_expected_version(),
        )
    except DesignerError as error:
        db.session.rollback()
        if error.code == "unknown_survey":
            abort(404)
        draft = draft_or_404(slug)
        context.setdefault("draft", draft)
        context.setdefault("types", TYPE_LABELS)
        context.setdefault("audiences", AUDIENCE_LABELS)
        context.setdefault("missing", editing.missing_translations(draft.template))
        return _refusal(error, template, **context)
    return _saved(saved, slug)


@bp.post("/surveys/<slug>/settings")
@design
def survey_settings(slug: str):
    require_csrf()
    form = request.form
    min_cell = form.get("min_cell_size", "").strip()
    min_cell_number = whole_number(min_cell)
    settings = {
        "audience": form.get("audience", ""),
        "school_year": _school_year(form.get("school_year")),
        **{
            name: form.get(name, "").strip().upper() or None
            for name in ("sms_keyword", "sms_keyword_es", "sms_keyword_zh")
        },
        # Anything but a plain number goes on as typed, for the validator to explain.
        "min_cell_size": min_cell_number if min_cell_number is not None else (min_cell or None),
    }
    return _edit(slug, partial(editing.set_settings, settings=settings), {"change": "settings"})


@bp.route("/surveys/<slug>/translations", methods=["GET", "POST"])
@design
def translations(slug: str):
    draft = draft_or_404(slug)
    texts = list(editing.translatable_texts(draft.template))
    if request.method == "GET":
        return render_template("admin/translations.html", draft=draft, texts=texts, form=CsrfForm())
    require_csrf()
    edits = {}
    for text in texts:
        posted = {
            lang: request.form.get(f"{text.field_name}:{lang}") for lang in SUPPORTED_LANGUAGES
        }
        if any(value is not None for value in posted.values()):
            edits[text.path] = {lang: value or "" for lang, value in posted.items()}
    try:
        saved = save_translations(
            db.session,
            slug,
            edits,
            typed_on=_expected_version(),
            actor=current_user,
            clock=app_clock(),
        )
    except DesignerError as error:
        db.session.rollback()
        if error.code == "unknown_survey":
            abort(404)
        draft = load_draft(db.session, slug)
        texts = list(editing.translatable_texts(draft.template))
        conflicts = error.params.get("conflicts", {})
        if error.code != "stale":  # what they typed stays in the boxes, to fix or save again
            shown = error.params.get("rebased", edits)
            texts = [replace(t, values={**t.values, **shown.get(t.path, {})}) for t in texts]
        return _refusal(
            error, "admin/translations.html", draft=draft, texts=texts, conflicts=conflicts
        )
    return _saved(saved, slug)


@bp.route("/surveys/<slug>/yaml", methods=["GET", "POST"])
@design
def edit_yaml(slug: str):
    draft = draft_or_404(slug)
    if request.method == "GET":
        return render_template(
            "admin/survey_yaml.html",
            draft=draft,
            form=CsrfForm(),
            text=definition_to_yaml(draft.definition),
        )
    require_csrf()
    text = request.form.get("text", "")
    data, problems = parse_yaml(text, f"{slug}.yaml")
    if not problems and not isinstance(data, dict):  # empty, or a list: say so, as import does
        problems = [Problem(f"{slug}.yaml", "survey", "not a survey template")]
    if problems:
        return render_template(
            "admin/survey_yaml.html",
            draft=draft,
            form=CsrfForm(),
            text=text,
            error=designer_message(DesignerError("invalid")),
            problems=problems,
        ), 422
    return _edit(
        slug,
        lambda _template: data,
        {"change": "yaml"},
        template="admin/survey_yaml.html",
        text=text,
    )


# --- sections and questions ----------------------------------------------------------------


@bp.post("/surveys/<slug>/sections")
@design
def add_section(slug: str):
    require_csrf()
    form = request.form
    return _edit(
        slug,
        partial(
            editing.add_section,
            key=form.get("key", "").strip(),
            title=translated_field(form, "title"),
            first_question=_first_question(form),
        ),
        {"change": "section added", "section": form.get("key", "")},
    )


@bp.get("/surveys/<slug>/sections/<key>/delete")
@design
def confirm_delete_section(slug: str, key: str):
    """Ask before a section and its questions go: nothing but a new version brings them back."""
    draft = draft_or_404(slug)
    section = next((s for s in draft.definition.sections if s.key == key), None)
    if section is None:
        abort(404)
    return _confirm_delete(
        draft, section.title, list(section.questions), "admin.change_section", key
    )


@bp.get("/surveys/<slug>/questions/<key>/delete")
@design
def confirm_delete_question(slug: str, key: str):
    draft = draft_or_404(slug)
    question = draft.definition.questions_by_key.get(key)
    if question is None:
        abort(404)
    return _confirm_delete(draft, None, [question], "admin.change_question", key)


def _school_year(typed: str | None) -> str:
    """ "２０２６－２７" typed on a Chinese keyboard is 2026-27."""
    return unicodedata.normalize("NFKC", typed or "").strip()


def _confirm_delete(draft, section_title, questions, endpoint: str, key: str):
    return render_template(
        "admin/confirm_delete.html",
        draft=draft,
        section_title=section_title,
        questions=questions,
        action=url_for(endpoint, slug=draft.survey.slug, key=key, action="delete"),
        responses=response_count(db.session, draft.survey.id),
        form=CsrfForm(),
    )


@bp.post("/surveys/<slug>/sections/<key>/<action>")
@design
def change_section(slug: str, key: str, action: str):
    require_csrf()
    if action == "up":
        change = partial(editing.move_section, key=key, offset=-1)
    elif action == "down":
        change = partial(editing.move_section, key=key, offset=1)
    elif action == "delete":
        change = partial(editing.delete_section, key=key)
    else:
        abort(404)
    return _edit(slug, change, {"change": f"section {action}", "section": key})


def _question_type(value: str | None) -> QuestionType:
    try:
        return QuestionType(value)
    except ValueError:
        return QuestionType.LIKERT


def _question_context(draft, key: str | None, section_key: str) -> dict:
    template = draft.template
    if key is not None:
        i, j = editing.find_question(template, key)
        question = template["sections"][i]["questions"][j]
        section_key = template["sections"][i]["key"]
    else:  # of the type picked beside "Add a question": its answers table, with no script
        qtype = _question_type(request.args.get("type"))
        question = {"type": qtype.value, "favourable": sorted(DEFAULT_FAVOURABLE.get(qtype, ()))}
    section_index = next(
        (n for n, s in enumerate(template["sections"]) if s["key"] == section_key), None
    )
    if section_index is None:
        abort(404)
    earlier = [
        q
        for s in draft.definition.sections[:section_index]
        for q in s.questions
        if q.type.has_choices
    ]
    return {
        "draft": draft,
        "question": question,
        "key": key,
        "section_key": section_key,
        "sections": template["sections"],
        "earlier": earlier,
        "types": TYPE_LABELS,
        "indicators": _indicators(),
        "built_in": {t.value: choices for t, choices in BUILT_IN_CHOICES.items()},
        "default_favourable": {t.value: sorted(v) for t, v in DEFAULT_FAVOURABLE.items()},
    }


@bp.route("/surveys/<slug>/questions/new", methods=["GET", "POST"])
@bp.route("/surveys/<slug>/questions/<key>", methods=["GET", "POST"])
@design
def question(slug: str, key: str | None = None):
    try:
        draft = load_draft(db.session, slug)
        section_key = request.values.get("section") or draft.template["sections"][-1]["key"]
        context = _question_context(draft, key, section_key)
    except (DesignerError, editing.EditError):
        abort(404)
    if request.method == "GET":
        return render_template("admin/question.html", form=CsrfForm(), values=None, **context)
    require_csrf()
    try:
        posted = question_from_form(request.form, BUILT_IN_CHOICES)
    except FormError as error:
        shown = question_as_typed(request.form)
        return _refusal(error, "admin/question.html", **{**context, "question": shown})
    if key is not None:
        posted["key"] = key  # keys stay stable across versions and years
    target = request.form.get("section", context["section_key"])
    context["question"] = posted
    return _edit(
        slug,
        partial(editing.put_question, section_key=target, question=posted, replacing=key),
        {"change": "question edited" if key else "question added", "question": posted["key"]},
        template="admin/question.html",
        **context,
    )


@bp.post("/surveys/<slug>/questions/<key>/<action>")
@design
def change_question(slug: str, key: str, action: str):
    require_csrf()
    if action == "up":
        change = partial(editing.move_question, key=key, offset=-1)
    elif action == "down":
        change = partial(editing.move_question, key=key, offset=1)
    elif action == "delete":
        change = partial(editing.delete_question, key=key)
    else:
        abort(404)
    return _edit(slug, change, {"change": f"question {action}", "question": key})


# --- export, publish, close ----------------------------------------------------------------

EXPORTS = {
    "yaml": ("application/x-yaml; charset=utf-8", "yaml"),
    "xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "xlsform"),
}


@bp.post("/surveys/<slug>/export.<kind>")
@design
def export(slug: str, kind: str):
    require_csrf()
    if kind not in EXPORTS:
        abort(404)
    mimetype, form = EXPORTS[kind]
    try:
        content = export_survey(db.session, slug, form, actor=current_user, clock=app_clock())
    except DesignerError:
        abort(404)
    return Response(
        content,
        mimetype=mimetype,
        headers={"Content-Disposition": f'attachment; filename="{slug}.{kind}"'},
    )


@bp.post("/surveys/<slug>/publish")
@run
def publish_survey(slug: str):
    require_csrf()
    try:
        opens_at = district_datetime(request.form.get("opens_at", ""), "opens_at")
        closes_at = district_datetime(request.form.get("closes_at", ""), "closes_at")
        survey = publish(
            db.session,
            slug,
            opens_at=opens_at,
            closes_at=closes_at,
            actor=current_user,
            clock=app_clock(),
        )
    except (DesignerError, FormError) as error:
        db.session.rollback()
        if isinstance(error, DesignerError) and error.code == "unknown_survey":
            abort(404)
        draft = load_draft(db.session, slug)
        return _refusal(
            error,
            "admin/survey.html",
            draft=draft,
            types=TYPE_LABELS,
            audiences=AUDIENCE_LABELS,
            missing=editing.missing_translations(draft.template),
        )
    if survey.not_open_yet(app_clock()()):
        opens = format_date(survey.opens_at, format="long")
        flash(_("The survey will open on %(date)s.", date=opens), "info")
    else:
        flash(_("The survey is open."), "info")
    return redirect(_survey_url(slug))


@bp.get("/surveys/<slug>/close")
@run
def confirm_close(slug: str):
    """Closing cannot be undone for those part-way through: say how many before it happens."""
    try:
        summary = closing_summary(db.session, slug)
    except DesignerError as error:
        if error.code == "unknown_survey":
            abort(404)
        flash(designer_message(error), "error")
        return redirect(_survey_url(slug))
    return render_template("admin/close_survey.html", summary=summary, form=CsrfForm())


@bp.post("/surveys/<slug>/close")
@run
def close_survey(slug: str):
    require_csrf()
    try:
        close(db.session, slug, actor=current_user, clock=app_clock())
    except DesignerError as error:
        if error.code == "unknown_survey":
            abort(404)
        flash(designer_message(error), "error")
        return redirect(_survey_url(slug)), 303
    flash(_("The survey is closed."), "info")
    return redirect(_survey_url(slug))
