"""Survey pages: parse the request, call one delivery function, render."""

from __future__ import annotations

from flask import (
    Response,
    abort,
    current_app,
    g,
    redirect,
    render_template,
    request,
    url_for,
)
from wtforms import SelectChoice

from engagement.adapters.clock import app_clock
from engagement.delivery.service import (
    AlreadyCompleted,
    DraftChanged,
    DraftNotFound,
    DraftState,
    IncompleteResponse,
    active_schools,
    find_open_survey,
    find_published_survey,
    find_school,
    list_open_surveys,
    load_draft,
    open_draft,
    resume_section,
    save_answers,
    school_of,
    start_response,
    submit_page,
)
from engagement.extensions import db
from engagement.i18n import LANGUAGE_COOKIE, supported
from engagement.models import Audience, Channel
from engagement.surveys import SurveyDefinition
from engagement.surveys.flow import next_section, previous_section, progress, section_questions
from engagement.web import bp
from engagement.web.errors import UnknownResumeLink
from engagement.web.forms import StartForm, section_form
from engagement.web.helpers import current_language, school_choice, school_name

DRAFT_COOKIE = "draft_{slug}"
# A family with a child at each of two schools: the drafts this browser answered before the
# current one, newest first ("."-joined: tokens are URL-safe base64, without dots).
EARLIER_COOKIE = "earlier_{slug}"
KEPT_EARLIER = 3


def _draft_token(slug: str) -> str | None:
    return request.cookies.get(DRAFT_COOKIE.format(slug=slug))


def _remember_draft(
    response: Response, slug: str, definition: SurveyDefinition, token: str
) -> Response:
    """The draft this browser answers. A student survey's is forgotten when the browser closes:
    class sets share devices, and the next student must not find the last one's answers."""
    days = current_app.config["RESUME_COOKIE_DAYS"]
    student = definition.audience == Audience.STUDENT
    cookie = {
        "max_age": None if student else days * 86400,
        "path": f"/s/{slug}",
        "httponly": True,
        "samesite": "Lax",
        "secure": current_app.config["SESSION_COOKIE_SECURE"],
    }
    response.set_cookie(DRAFT_COOKIE.format(slug=slug), token, **cookie)
    current = _draft_token(slug)
    if not student and current and current != token:  # a student's is never kept: shared devices
        earlier = [current, *(t for t in _earlier_tokens(slug) if t not in (current, token))]
        response.set_cookie(
            EARLIER_COOKIE.format(slug=slug), ".".join(earlier[:KEPT_EARLIER]), **cookie
        )
    return response


def _earlier_tokens(slug: str) -> list[str]:
    raw = request.cookies.get(EARLIER_COOKIE.format(slug=slug), "")
    return [token for token in raw.split(".") if token][:KEPT_EARLIER]


def _earlier_draft_at(slug: str, school_id: int) -> DraftState | None:
    """An unfinished draft this browser answered before, for this school."""
    for token in _earlier_tokens(slug):
        try:
            state = load_draft(db.session, token)
        except DraftNotFound:
            continue
        draft = state.draft
        if state.survey.slug == slug and not draft.completed and draft.school_id == school_id:
            return state
    return None


@bp.after_app_request
def _remember_language(response: Response) -> Response:
    """A language picked with ?lang= sticks for the pages that follow."""
    chosen = supported(request.args.get("lang"))
    if chosen and request.cookies.get(LANGUAGE_COOKIE) != chosen:
        response.set_cookie(
            LANGUAGE_COOKIE,
            chosen,
            max_age=365 * 86400,
            httponly=True,
            samesite="Lax",
            secure=current_app.config["SESSION_COOKIE_SECURE"],
        )
    return response


@bp.get("/")
def home():
    surveys = list_open_surveys(db.session, app_clock()())
    return render_template("web/home.html", surveys=surveys)


@bp.get("/s/<slug>")
def landing(slug: str):
    opened = find_open_survey(db.session, slug, app_clock()())
    g.respondent_audience = opened.definition.audience
    school_code = request.args.get("school", "").strip()
    school = find_school(db.session, school_code) if school_code else None
    # ?new=1: a class code was just typed, by the next student at a shared device perhaps.
    fresh = request.args.get("new") == "1"
    in_progress = None if fresh else _resumable(slug)
    elsewhere = in_progress is None or (school and in_progress.draft.school_id != school.id)
    if not fresh and school is not None and elsewhere:
        # The flyer of the other child's school: the answers begun for it, not a fresh start.
        in_progress = _earlier_draft_at(slug, school.id) or in_progress
    started_for = None
    if in_progress is not None:
        # Shown in the language they answer in, unless they pick another here (?lang=).
        g.respondent_language = in_progress.draft.language
        started_for = school_of(db.session, in_progress)
    form = _start_form(school.code if school else None)
    return render_template(
        "web/landing.html",
        opened=opened,
        school=school,
        form=form,
        in_progress=in_progress,
        started_for=started_for,
        picked_language=supported(request.args.get("lang")),
    )


def _own_draft(slug: str) -> DraftState | None:
    """The draft this browser's cookie names for this survey, finished or not."""
    try:
        state = load_draft(db.session, _draft_token(slug))
    except DraftNotFound:
        return None
    return state if state.survey.slug == slug else None


def _resumable(slug: str) -> DraftState | None:
    state = _own_draft(slug)
    return state if state is not None and not state.draft.completed else None


def _start_form(school_code: str | None) -> StartForm:
    form = StartForm(school=school_code) if school_code else StartForm()
    form.school.choices = [SelectChoice("", "—")] + [
        SelectChoice(s.code, school_choice(s, current_language()))
        for s in active_schools(db.session)
    ]
    return form


@bp.post("/s/<slug>/start")
def start(slug: str):
    opened = find_open_survey(db.session, slug, app_clock()())
    g.respondent_audience = opened.definition.audience
    form = _start_form(None)
    if not form.validate():
        return render_template(
            "web/landing.html", opened=opened, school=None, form=form, in_progress=None
        ), 422
    draft = start_response(
        db.session, slug, form.school.data, current_language(), Channel.WEB, app_clock()
    )
    response = redirect(url_for(".page", slug=slug, number=1))
    return _remember_draft(response, slug, opened.definition, draft.token)


@bp.get("/s/<slug>/resume/<token>")
def resume(slug: str, token: str):
    """The link a respondent kept to finish on another day or another device."""
    try:
        state = load_draft(db.session, token)
    except DraftNotFound:
        raise UnknownResumeLink(slug) from None
    if state.survey.slug != slug:
        raise UnknownResumeLink(slug)
    if state.draft.completed:  # thanked in their language, as on the device they used
        thanks = redirect(url_for(".thanks", slug=slug))
        return _remember_draft(thanks, slug, state.definition, token)
    # A language picked on the survey's first page before continuing: the page switches to it.
    language = supported(request.args.get("lang"))
    target = url_for(".page", slug=slug, number=resume_section(state) + 1, lang=language)
    return _remember_draft(redirect(target), slug, state.definition, token)


# A page reads its draft without a lock; a request that lost a race for it (a double tap,
# two tabs) has written nothing and runs again holding the draft's lock, in turn.
_ATTEMPTS = (False, True, True)  # lock?


@bp.route("/s/<slug>/p/<int:number>", methods=["GET", "POST"])
def page(slug: str, number: int):
    for lock in _ATTEMPTS:
        try:
            return _page(slug, number, lock)
        except DraftChanged:
            db.session.rollback()
    abort(409)  # only SQLite, which has no row locks, can lose every time


def _page(slug: str, number: int, lock: bool):
    try:
        state = open_draft(db.session, _draft_token(slug), app_clock()(), lock=lock)
    except DraftNotFound:
        return redirect(url_for(".landing", slug=slug))
    if state.survey.slug != slug:
        return redirect(url_for(".landing", slug=slug))
    if state.draft.completed:
        return redirect(url_for(".thanks", slug=slug))
    g.respondent_language = state.draft.language
    g.respondent_audience = state.definition.audience
    chosen = supported(request.args.get("lang"))
    if chosen and chosen != state.draft.language:
        state = save_answers(
            db.session, state.draft.token, {}, app_clock(), language=chosen, read=state
        )
        g.respondent_language = chosen

    definition, draft = state.definition, state.draft
    index = number - 1
    questions = (
        section_questions(definition, index, draft.answers)
        if 0 <= index < len(definition.sections)
        else []
    )
    if not questions or index > draft.furthest_section:
        # Past the sections saved so far, or a section the answers hide: go where they are.
        return redirect(url_for(".page", slug=slug, number=resume_section(state) + 1))

    form = section_form(
        state.version_hash,
        questions,
        current_language(),
        draft.answers,
        formdata=request.form if request.method == "POST" else None,
    )
    status = 200
    if request.method == "POST":
        action = request.form.get("action", "next")
        try:
            if action.startswith("lang:") or action == "back":
                return _save_and_move(state, index, action, form.answers_so_far())
            if form.validate():
                return _submit(state, index, form.answers())
        except AlreadyCompleted:
            return redirect(url_for(".thanks", slug=slug))
        status = 422
    current, total = progress(definition, draft.answers, index)
    return render_template(
        "web/page.html",
        state=state,
        section=definition.sections[index],
        form=form,
        number=number,
        current=current,
        total=total,
        is_last=next_section(definition, draft.answers, index) is None,
        has_previous=previous_section(definition, draft.answers, index) is not None,
        resume_url=url_for(".resume", slug=slug, token=draft.token, _external=True),
        # Which child's school these answers are about, for a family with two.
        school_name=school_name(school_of(db.session, state), current_language()),
    ), status


def _save_and_move(state: DraftState, index: int, action: str, answers: dict):
    slug = state.survey.slug
    language = supported(action.removeprefix("lang:")) if action.startswith("lang:") else None
    state = save_answers(
        db.session, state.draft.token, answers, app_clock(), language=language, read=state
    )
    if language:
        return redirect(url_for(".page", slug=slug, number=index + 1))
    back = previous_section(state.definition, state.draft.answers, index)
    return redirect(url_for(".page", slug=slug, number=(back if back is not None else index) + 1))


def _submit(state: DraftState, index: int, answers: dict):
    slug = state.survey.slug
    try:
        following = submit_page(db.session, state, index, answers, app_clock())
    except IncompleteResponse as missing:
        # Only reachable by skipping pages by hand: send them to the first gap.
        gap = state.definition.section_of(missing.missing[0])
        return redirect(url_for(".page", slug=slug, number=gap + 1))
    if following is None:
        return redirect(url_for(".thanks", slug=slug))
    return redirect(url_for(".page", slug=slug, number=following + 1))


@bp.get("/s/<slug>/thanks")
def thanks(slug: str):
    state = _own_draft(slug)
    if state is None:  # nothing was sent from this browser: no thanks for it
        find_published_survey(db.session, slug)  # an address no survey has: 404
        return redirect(url_for(".landing", slug=slug))
    g.respondent_language = state.draft.language
    g.respondent_audience = state.definition.audience
    if not state.draft.completed:
        return redirect(url_for(".page", slug=slug, number=resume_section(state) + 1))
    return render_template(
        "web/thanks.html",
        text=state.definition.thanks,
        title=state.definition.title,
        school_name=school_name(school_of(db.session, state), current_language()),
    )
