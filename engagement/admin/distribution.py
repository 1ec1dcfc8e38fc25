"""Per-school links and QR codes, student access codes, and parental consent."""

from __future__ import annotations

from flask import (
    Response,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import force_locale, format_date, ngettext
from flask_babel import gettext as _
from flask_login import current_user, login_required

from engagement.adapters.clock import app_clock
from engagement.auth.permissions import Permission, can, require_permission, scope_of, view_arg
from engagement.distribution.rates import response_rate_board, set_enrollments
from engagement.distribution.service import (
    DistributionError,
    access_codes,
    active_schools,
    add_consent_record,
    consent_state,
    create_access_code,
    deactivate_access_code,
    qr_code,
    remove_consent_record,
    set_consent_mode,
    students_for_proctor,
)
from engagement.extensions import db
from engagement.i18n import SUPPORTED_LANGUAGES
from engagement.links import public_url
from engagement.models import Audience, ConsentDecision, ConsentMode, School
from engagement.sms import prompts
from engagement.sms.phones import display_phone
from engagement.sms.school_names import name_to_text
from engagement.surveys.definition import SurveyDefinition

from . import bp
from .forms import CsrfForm, require_csrf
from .lookups import draft_or_404
from .messages import distribution_message

run = require_permission(Permission.RUN_SURVEYS)
QR_TYPES = {"svg": "image/svg+xml", "png": "image/png"}


def school_link(slug: str, school_code: str) -> str:
    return public_url("web.landing", slug=slug, school=school_code)


def code_link(slug: str, code: str | None = None) -> str:
    return public_url("access.enter_code", slug=slug, **({"c": code} if code else {}))


@bp.get("/surveys/<slug>/distribute")
@run
def distribute(slug: str):
    draft = draft_or_404(slug)
    students = draft.survey.audience == Audience.STUDENT
    return render_template(
        "admin/distribute.html",
        draft=draft,
        form=CsrfForm(),
        schools=active_schools(db.session),
        codes=access_codes(db.session, slug) if students else [],
        students=students,
        school_link=school_link,
        code_link=code_link,
    )


@bp.get("/surveys/<slug>/flyer/<school>")
@run
def flyer(slug: str, school: str):
    draft = draft_or_404(slug)
    match = next((s for s in active_schools(db.session) if s.code == school), None) or abort(404)
    access = _access_code(slug, school)
    code = access.code if access else None
    link = code_link(slug, code) if code else school_link(slug, match.code)
    # A class's access-code flyer is for the web only: texting would skip the code.
    # The school after the keyword ("FAMILY JACKSON"): the text conversation need not ask it.
    texting = _code_lines(link, code) if code else _texting_lines(draft.definition, match)
    return render_template(
        "admin/flyer.html",
        draft=draft,
        school=match,
        link=link,
        code=code,
        label=access.label if access else None,
        texting=texting,
        until=_until_lines(draft.survey.closes_at),
    )


def _until_lines(closes_at) -> list[tuple[str, str]]:
    """Until when the survey takes answers, in each language: a flyer on a fridge outlives it."""
    if closes_at is None:
        return []
    lines = []
    for language in SUPPORTED_LANGUAGES:
        with force_locale(language):
            day = format_date(closes_at, format="long")
            lines.append((language, _("Open until %(date)s.", date=day)))
    return lines


def _code_lines(link: str, code: str) -> list[tuple[str, str]]:
    """What a student does with a class code, in each language, for the sheet on the wall."""
    lines = []
    for language in SUPPORTED_LANGUAGES:
        with force_locale(language):
            lines.append(
                (language, _("Go to %(link)s and type the code %(code)s.", link=link, code=code))
            )
    return lines


def _access_code(slug: str, school: str):
    """The class code in ?code=, if any: 404 unless it is a live code of this school."""
    code = request.args.get("code")
    if code is None:
        return None
    for access in access_codes(db.session, slug):
        if access.code == code and access.active and access.school.code == school:
            return access
    abort(404)


def _texting_lines(definition: SurveyDefinition, school: School) -> list[tuple[str, str]]:
    """How to answer by text, in each language with its own keyword and the school as that
    language writes it (FAMILIA JACKSON, 家庭 杰克逊小学: the survey starts in that language,
    at that school); none without a keyword or a number to text."""
    config = current_app.config
    number = config.get("SMS_PUBLIC_NUMBER") or config.get("TWILIO_FROM_NUMBER")
    if not definition.sms_keyword or not number:
        return []
    # On paper the number never breaks across lines: "(626) / 555-0100" gets mistyped.
    shown = display_phone(number, config["SMS_DEFAULT_REGION"]).replace(" ", "\u00a0")
    shown = shown.replace("-", "\u2011")
    roster = active_schools(db.session)
    lines = []
    for language in SUPPORTED_LANGUAGES:
        words = f"{definition.keyword_for(language)} {name_to_text(school, language, roster)}"
        lines.append((language, prompts.answer_by_text(language, words, shown)))
    return lines


@bp.get("/surveys/<slug>/qr/<school>.<kind>")
@run
def school_qr(slug: str, school: str, kind: str):
    if kind not in QR_TYPES:
        abort(404)
    draft_or_404(slug)
    if not any(s.code == school for s in active_schools(db.session)):
        abort(404)
    access = _access_code(slug, school)
    link = code_link(slug, access.code) if access else school_link(slug, school)
    return Response(
        qr_code(link, kind),
        mimetype=QR_TYPES[kind],
        headers={"Content-Disposition": f'inline; filename="{slug}-{school}.{kind}"'},
    )


@bp.post("/surveys/<slug>/codes")
@run
def new_code(slug: str):
    require_csrf()
    try:
        access = create_access_code(
            db.session,
            slug,
            request.form.get("school", ""),
            request.form.get("label", ""),
            actor=current_user,
            clock=app_clock(),
        )
    except DistributionError as error:
        flash(distribution_message(error), "error")
        return redirect(url_for(".distribute", slug=slug, _anchor="codes")), 303
    flash(_("New code: %(code)s", code=access.code), "info")
    return redirect(url_for(".distribute", slug=slug, _anchor="codes"))


@bp.post("/surveys/<slug>/codes/<int:code_id>/deactivate")
@run
def retire_code(slug: str, code_id: int):
    require_csrf()
    try:
        deactivate_access_code(db.session, slug, code_id, actor=current_user, clock=app_clock())
    except DistributionError:
        abort(404)
    return redirect(url_for(".distribute", slug=slug, _anchor="codes"))


# --- consent -------------------------------------------------------------------------------


def _consent_page(slug: str, status: int = 200, error: str | None = None):
    try:
        state = consent_state(db.session, slug)
    except DistributionError:
        abort(404)
    return render_template(
        "admin/consent.html",
        state=state,
        form=CsrfForm(),
        schools=active_schools(db.session),
        error=error,
        values=request.form if error else {},
    ), status


@bp.get("/surveys/<slug>/consent")
@run
def consent(slug: str):
    return _consent_page(slug)


@bp.post("/surveys/<slug>/consent/mode")
@run
def consent_mode(slug: str):
    require_csrf()
    try:
        mode = ConsentMode(request.form.get("mode", ""))
    except ValueError:
        abort(400)
    try:
        set_consent_mode(db.session, slug, mode, actor=current_user, clock=app_clock())
    except DistributionError:
        abort(404)
    flash(_("Saved."), "info")
    return redirect(url_for(".consent", slug=slug))


@bp.post("/surveys/<slug>/consent/records")
@run
def consent_record(slug: str):
    require_csrf()
    try:
        decision = ConsentDecision(request.form.get("decision", ""))
    except ValueError:
        abort(400)
    try:
        add_consent_record(
            db.session,
            slug,
            request.form.get("school", ""),
            request.form.get("student", ""),
            decision,
            request.form.get("note", ""),
            actor=current_user,
            clock=app_clock(),
        )
    except DistributionError as error:
        db.session.rollback()
        return _consent_page(slug, 422, distribution_message(error))
    flash(_("Saved."), "info")
    return redirect(url_for(".consent", slug=slug, _anchor="records"))


@bp.post("/surveys/<slug>/consent/records/<int:record_id>/delete")
@run
def consent_record_delete(slug: str, record_id: int):
    require_csrf()
    try:
        remove_consent_record(db.session, slug, record_id, actor=current_user, clock=app_clock())
    except DistributionError:
        abort(404)
    return redirect(url_for(".consent", slug=slug, _anchor="records"))


@bp.get("/surveys/<slug>/consent/proctor/<school>")
@require_permission(Permission.READ_CONSENT, school=view_arg("school"))
def proctor_list(slug: str, school: str):
    """The printable list a proctor takes into the classroom: one school's decisions."""
    try:
        students = students_for_proctor(db.session, slug, school)
    except DistributionError:
        abort(404)
    match = next((s for s in active_schools(db.session) if s.code == school), None) or abort(404)
    return render_template(
        "admin/proctor.html", state=students.state, students=students, school=match
    )


# --- the live response-rate board ----------------------------------------------------------


def _rate_board_page(slug: str, status: int = 200, error: str | None = None):
    scope = scope_of(current_user, Permission.READ_RESPONSE_RATES)
    if scope.nowhere:
        abort(403)
    can_edit = can(current_user, Permission.RUN_SURVEYS)
    try:
        board = response_rate_board(
            db.session, slug, app_clock(), None if scope.everywhere else scope.schools
        )
    except DistributionError:
        abort(404)
    return render_template(
        "admin/rates.html",
        board=board,
        form=CsrfForm(),
        editing=bool(error or request.args.get("edit")) and can_edit,
        live=request.args.get("live") == "1",
        can_edit=can_edit,
        error=error,
        values=request.form if error else {},
    ), status


@bp.get("/surveys/<slug>/responses")
@login_required
def response_rates(slug: str):
    """Responses by school x language x channel against enrolment; refreshes if asked."""
    return _rate_board_page(slug)


@bp.post("/surveys/<slug>/responses/enrollment")
@run
def set_enrollment(slug: str):
    require_csrf()
    prefix = "enrollment-"
    values = {k[len(prefix) :]: v for k, v in request.form.items() if k.startswith(prefix)}
    try:
        changed = set_enrollments(db.session, current_user, values, app_clock())
    except DistributionError as error:
        db.session.rollback()
        return _rate_board_page(slug, 422, distribution_message(error))
    flash(
        ngettext("Saved %(num)s enrolment figure.", "Saved %(num)s enrolment figures.", changed),
        "info",
    )
    return redirect(url_for(".response_rates", slug=slug))
