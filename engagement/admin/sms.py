"""Text-message pages: contacts (import, counts), campaigns and reminders, the SMS preview."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from flask import (
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user

from engagement.adapters.clock import app_clock
from engagement.auth.permissions import Permission, require_permission
from engagement.distribution.service import active_schools
from engagement.extensions import db
from engagement.i18n import SUPPORTED_LANGUAGES
from engagement.models import Campaign, School
from engagement.sms.campaigns import (
    UNKNOWN_LANGUAGE,
    CampaignError,
    campaign_summaries,
    create_campaign,
    estimate_campaign,
    remind_non_responders,
)
from engagement.sms.contacts import BadRow, ContactFileError, contact_summary, import_contacts
from engagement.sms.conversation import MAX_BODY, SmsSettings, simulate_text
from engagement.sms.phones import InvalidPhone, is_practice_phone, mask_phone, normalise_phone
from engagement.sms.preview import conversation_preview, language_question

from . import bp
from .forms import CsrfForm, FormError, require_csrf
from .lookups import draft_or_404
from .messages import campaign_message, contact_file_message, contact_row_message, form_message

run = require_permission(Permission.RUN_SURVEYS)
# A contact row is about 40 bytes: this is far more than a district's families.
MAX_CONTACT_FILE = 5 * 1024 * 1024


@bp.get("/sms/contacts")
@run
def sms_contacts():
    """How many families can be texted, per school and language; never their numbers."""
    return render_template("admin/sms_contacts.html", summary=contact_summary(db.session))


def _import_page(status: int = 200, **context):
    context.setdefault("error", None)
    context.setdefault("report", None)
    return render_template(
        "admin/sms_import.html", form=CsrfForm(), row_message=contact_row_message, **context
    ), status


def _uploaded_text() -> str:
    """The uploaded CSV as text, or FormError (no file, not .csv, too large, not UTF-8)."""
    upload = request.files.get("file")
    if upload is None or not upload.filename:
        raise FormError("file", "no_file")
    if Path(upload.filename).suffix.lower() not in (".csv", ".txt"):
        raise FormError("file", "not_csv")
    content = upload.read(MAX_CONTACT_FILE + 1)
    if len(content) > MAX_CONTACT_FILE:
        raise FormError("file", "file_too_large")
    try:
        return content.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise FormError("file", "not_utf8") from None


@bp.route("/sms/contacts/import", methods=["GET", "POST"])
@run
def sms_import():
    if request.method == "GET":
        return _import_page()
    require_csrf()
    import_valid = bool(request.form.get("import_valid"))
    try:
        text = _uploaded_text()
        report = import_contacts(
            db.session,
            text,
            app_clock(),
            import_valid=import_valid,
            region=current_app.config["SMS_DEFAULT_REGION"],
            actor=current_user,
        )
    except FormError as error:
        status = 413 if error.code == "file_too_large" else 422
        return _import_page(status, error=form_message(error))
    except ContactFileError as error:
        return _import_page(422, error=contact_file_message(error))
    return _import_page(200 if report.imported else 422, report=report, import_valid=import_valid)


# --- campaigns -----------------------------------------------------------------------------


def _settings() -> SmsSettings:
    return SmsSettings.from_config(current_app.config)


@dataclass
class CampaignChoice:
    """What the campaign form asked for: school codes and languages ("" = not known yet)."""

    schools: list[School]
    languages: list[str]

    @property
    def school_ids(self) -> list[int]:
        return [s.id for s in self.schools]

    @property
    def every_language(self) -> bool:
        return set(self.languages) == set(CAMPAIGN_LANGUAGES)

    @property
    def service_languages(self) -> list[str]:
        """Every language is [] for the service: also the contacts whose language is unknown."""
        return [] if self.every_language else self.languages


CAMPAIGN_LANGUAGES = (*SUPPORTED_LANGUAGES, UNKNOWN_LANGUAGE)


def _campaign_choice(schools: list[School]) -> CampaignChoice:
    """The schools and languages posted, or FormError."""
    by_code = {s.code: s for s in schools}
    codes = request.form.getlist("school")
    if request.form.get("all_schools"):
        codes = [*by_code, *codes]  # a district-wide campaign without 26 ticks
    if not codes:
        raise FormError("school", "no_school")
    if any(code not in by_code for code in codes):
        raise FormError("school", "unknown_school")
    languages = request.form.getlist("language")
    if not languages:
        raise FormError("language", "no_language")
    if any(language not in CAMPAIGN_LANGUAGES for language in languages):
        raise FormError("language", "unknown_language")
    chosen = [by_code[code] for code in dict.fromkeys(codes)]
    return CampaignChoice(chosen, [lang for lang in CAMPAIGN_LANGUAGES if lang in languages])


def _campaign_page(draft, status: int = 200, error: str | None = None, choice=None):
    return render_template(
        "admin/sms_campaigns.html",
        draft=draft,
        form=CsrfForm(),
        schools=active_schools(db.session),
        campaigns=campaign_summaries(db.session, draft.survey.id),
        languages=CAMPAIGN_LANGUAGES,
        choice=choice,
        error=error,
    ), status


def _refused(draft, error: FormError | CampaignError, choice=None):
    if isinstance(error, FormError):
        return _campaign_page(draft, 422, form_message(error), choice)
    status = 409 if error.code == "not_open" else 422
    return _campaign_page(draft, status, campaign_message(error), choice)


@bp.get("/surveys/<slug>/sms")
@run
def sms_campaigns(slug: str):
    """Invite families by text: choose schools and languages; the campaigns sent so far."""
    return _campaign_page(draft_or_404(slug))


@bp.post("/surveys/<slug>/sms/review")
@run
def sms_review(slug: str):
    """How many people and segments the invitations would cost; nothing is sent yet."""
    require_csrf()
    draft = draft_or_404(slug)
    choice = None
    try:
        choice = _campaign_choice(active_schools(db.session))
        estimate = estimate_campaign(
            db.session,
            draft.survey.id,
            choice.school_ids,
            choice.service_languages,
            app_clock(),
            _settings(),
        )
        if not estimate.recipients:
            raise CampaignError("nobody to invite", "no_recipients")
    except (FormError, CampaignError) as error:
        return _refused(draft, error, choice)
    return render_template(
        "admin/sms_review.html",
        draft=draft,
        form=CsrfForm(),
        choice=choice,
        estimate=estimate,
        languages_order=CAMPAIGN_LANGUAGES,
    )


@bp.post("/surveys/<slug>/sms/send")
@run
def sms_send(slug: str):
    """Create the campaign: its invitations are queued in the outbox; the worker sends them."""
    require_csrf()
    draft = draft_or_404(slug)
    choice = None
    try:
        choice = _campaign_choice(active_schools(db.session))
        campaign = create_campaign(
            db.session,
            draft.survey.id,
            choice.school_ids,
            choice.service_languages,
            app_clock(),
            _settings(),
            actor=current_user,
            require_recipients=True,
        )
    except (FormError, CampaignError) as error:
        db.session.rollback()
        return _refused(draft, error, choice)
    flash(
        ngettext(
            "Campaign %(number)s: %(num)s invitation queued. It is sent between 8:00 and 20:00.",
            "Campaign %(number)s: %(num)s invitations queued. They are sent between "
            "8:00 and 20:00.",
            len(campaign.invitations),
            number=campaign.id,
        ),
        "info",
    )
    return redirect(url_for(".sms_campaigns", slug=slug, _anchor="campaigns"))


@bp.post("/surveys/<slug>/sms/campaigns/<int:campaign_id>/remind")
@run
def sms_remind(slug: str, campaign_id: int):
    """Text a reminder to those invited by this campaign who have not answered yet."""
    require_csrf()
    draft = draft_or_404(slug)
    campaign = db.session.get(Campaign, campaign_id)
    if campaign is None or campaign.survey_id != draft.survey.id:
        abort(404)
    try:
        count = remind_non_responders(
            db.session, campaign_id, app_clock(), _settings(), actor=current_user
        )
    except CampaignError as error:
        db.session.rollback()
        return _refused(draft, error)
    if count:
        flash(ngettext("%(num)s reminder queued.", "%(num)s reminders queued.", count), "info")
    else:
        flash(
            _(
                "No reminder queued: everyone invited has answered, has had a reminder, or "
                "has not been sent the invitation yet."
            ),
            "info",
        )
    return redirect(url_for(".sms_campaigns", slug=slug, _anchor="campaigns"))


# --- the designer's SMS preview ------------------------------------------------------------


@bp.get("/surveys/<slug>/sms-preview")
@require_permission(Permission.DESIGN_SURVEYS)
def sms_preview(slug: str):
    """The draft as each language's phone shows it: every text, its segments and encoding."""
    draft = draft_or_404(slug)
    return render_template(
        "admin/sms_preview.html",
        draft=draft,
        previews=conversation_preview(draft.definition, _settings().office),
        language_question=language_question(),
    )


# --- the phone simulator ---------------------------------------------------------------------

SIMULATED_PHONE = "sms_simulator_phone"
KEPT_HISTORY = 40


def _history() -> list[tuple[str, str]]:
    """The exchange so far, carried by the page's own form (not the cookie: texts are long)."""
    who, texts = request.form.getlist("history_who"), request.form.getlist("history_text")
    if len(who) != len(texts):
        abort(400)
    pairs = list(zip(who, texts, strict=True))[-KEPT_HISTORY:]
    return [(side, text[:MAX_BODY]) for side, text in pairs if side in ("phone", "app")]


def _simulator(status: int = 200, history=(), error: str | None = None):
    phone = session.get(SIMULATED_PHONE)
    return render_template(
        "admin/sms_simulate.html",
        form=CsrfForm(),
        phone=mask_phone(phone) if phone else None,
        history=list(history)[-KEPT_HISTORY:],
        error=error,
        languages=SUPPORTED_LANGUAGES,
    ), status


@bp.route("/sms/simulate", methods=["GET", "POST"])
@require_permission(Permission.SIMULATE_SMS)
def sms_simulate():
    """Play a phone against the real conversation engine, without Twilio (like `flask sms
    simulate`): for trying surveys in development and training."""
    if request.method == "GET":
        return _simulator()
    require_csrf()
    if request.form.get("action") == "reset":
        session.pop(SIMULATED_PHONE, None)
        return redirect(url_for(".sms_simulate"))
    history = _history()
    typed = request.form.get("phone", "").strip()
    body = request.form.get("body", "")
    language = request.form.get("language") or None
    phone = typed or session.get(SIMULATED_PHONE)
    if not phone:
        return _simulator(422, history, contact_row_message(BadRow(0, "", "missing_phone")))
    if language not in (None, *SUPPORTED_LANGUAGES):
        abort(400)
    if not body.strip():
        return _simulator(422, history, _("Please type a message."))
    try:
        number = normalise_phone(phone, _settings().region)
    except InvalidPhone as error:
        return _simulator(422, history, contact_row_message(BadRow(0, error.reason, error.code)))
    if not is_practice_phone(number):
        message = _(
            "Please use a practice number, from 555-0100 to 555-0199 in any area code, "
            "for example (626) 555-0123. They belong to no one, and what they answer is "
            "never recorded."
        )
        return _simulator(422, history, message)
    replies = simulate_text(db.session, number, body, app_clock(), _settings(), language=language)
    session[SIMULATED_PHONE] = number
    history += [("phone", body[:MAX_BODY])] + [("app", reply) for reply in replies]
    return _simulator(200, history)
