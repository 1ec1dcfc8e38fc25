"""Error pages in the respondent's language, with the status code that fits."""

from __future__ import annotations

from contextlib import nullcontext

from flask import Flask, current_app, render_template, request, url_for
from flask_babel import force_locale, format_date
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

from engagement.delivery.service import (
    SurveyClosed,
    SurveyNotOpenYet,
    UnknownSchool,
    UnknownSurvey,
)
from engagement.i18n import supported
from engagement.web.csrf import CookiesBlocked

# Staff pages: their error pages lead back to the staff home, not to the public survey list.
STAFF_PATHS = ("/admin", "/reports", "/auth")


class UnknownResumeLink(LookupError):
    """A resume link whose answers are gone (sent, or deleted unfinished) or never were."""

    def __init__(self, slug: str):
        super().__init__(slug)
        self.slug = slug


def _page(status: int, title: str, message: str, **context):
    return render_template("web/error.html", title=title, message=message, **context), status


def register(app: Flask) -> None:
    @app.errorhandler(UnknownSurvey)
    def unknown_survey(error: UnknownSurvey):
        return _page(
            404,
            _("We could not find this survey"),
            _("Please check the link you were sent. Open surveys are listed on the home page."),
            home_link=True,
        )

    @app.errorhandler(SurveyClosed)
    def survey_closed(error: SurveyClosed):
        # Someone who started in Chinese is told in Chinese, whatever their browser asks for
        # (unless the link itself names a language).
        language = supported(request.args.get("lang")) or error.language
        with force_locale(language) if language else nullcontext():
            return _page(
                410,
                _("This survey is closed"),
                _("Thank you for your interest. This survey is no longer taking answers."),
                home_link=True,
            )

    @app.errorhandler(SurveyNotOpenYet)
    def survey_not_open_yet(error: SurveyNotOpenYet):
        return _page(
            403,
            _("This survey is not open yet"),
            _(
                "It opens on %(date)s. Please come back then: this link will work.",
                date=format_date(error.survey.opens_at, format="long"),
            ),
            home_link=True,
        )

    @app.errorhandler(UnknownResumeLink)
    def unknown_resume_link(error: UnknownResumeLink):
        return _page(
            404,
            _("We could not find these answers"),
            _(
                "This link may be old: answers are sent when the last page is done, and answers "
                "never finished are deleted after %(days)s days. You can start the survey again.",
                days=int(current_app.config["UNFINISHED_RETENTION_DAYS"]),
            ),
            home_link=True,
            home_url=url_for("web.landing", slug=error.slug),
            home_label=_("Start the survey again"),
        )

    @app.errorhandler(UnknownSchool)
    def unknown_school(error: UnknownSchool):
        return _page(
            404,
            _("We do not know this school"),
            _(
                "The school code “%(code)s” in this link is not one of our schools. "
                "You can choose your school on the survey’s first page.",
                code=error.code[:40],
            ),
            choose_school_url=request.base_url,
        )

    @app.errorhandler(CSRFError)
    def csrf_error(error: CSRFError):
        return _page(
            400,
            _("This page was open too long"),
            _(
                "For your security the form expired. Go back, reload the page and continue: "
                "every page you already sent is saved."
            ),
        )

    @app.errorhandler(CookiesBlocked)
    def cookies_blocked(error: CookiesBlocked):
        return _page(
            400,
            _("This survey needs cookies"),
            _(
                "Your browser did not send back our cookies. The survey keeps your place "
                "with them: please allow cookies for this site, then reload the page."
            ),
        )

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException):
        if request.path.startswith(("/api/", "/sms/")):
            return {"error": error.name, "status": error.code}, error.code
        titles = {
            400: _("What you sent could not be read"),
            403: _("You do not have access to this page"),
            404: _("Page not found"),
            405: _("This page cannot be used that way"),
            409: _("This page was sent twice at the same moment"),
            413: _("What you sent is too large"),
        }
        staff = request.path.startswith(STAFF_PATHS)
        messages = {
            403: _(
                "Your account does not include this. If you need it, ask the engagement "
                "office to change your access."
            ),
            409: _("Someone changed this at the same moment. Reload the page and try again.")
            if staff
            else _("Your earlier answers are saved. Reload the page to see where you are."),
        }
        if staff:
            titles[409] = _("This was changed at the same moment")
        return _page(
            error.code or 500,
            titles.get(error.code, _("Something went wrong")),
            messages.get(
                error.code, _("Please check the address, or start again from the home page.")
            ),
            home_link=True,
            home_url=url_for("admin.index") if staff else None,
        )
