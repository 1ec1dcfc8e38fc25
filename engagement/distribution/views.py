"""The page where a student types their class or school code: it names a school, not them."""

from flask import abort, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_wtf import FlaskForm
from wtforms import StringField
from wtforms.validators import InputRequired, Length

from engagement.adapters.clock import app_clock
from engagement.delivery.service import find_open_survey
from engagement.extensions import db
from engagement.models import Audience

from . import bp
from .service import DistributionError, resolve_access_code


class CodeForm(FlaskForm):
    class Meta:
        csrf = False  # checked before the view (engagement.web.csrf)

    code = StringField(validators=[InputRequired(), Length(max=40)])


@bp.route("/s/<slug>/code", methods=["GET", "POST"])
def enter_code(slug: str):
    opened = find_open_survey(db.session, slug, app_clock()())
    if opened.definition.audience != Audience.STUDENT:
        abort(404)  # families and staff have school links, not class codes
    form = CodeForm(code=request.args.get("c", ""))
    status = 200
    if form.validate_on_submit():
        try:
            school = resolve_access_code(db.session, slug, form.code.data)
        except DistributionError as error:
            form.code.errors.append(
                _("This code is no longer in use. Please ask your teacher for a new one.")
                if error.code == "stopped_code"
                else _("We do not know this code. Please check it with your teacher.")
            )
            status = 422
        else:
            # A code starts afresh: a previous student's draft on this device is not offered.
            return redirect(url_for("web.landing", slug=slug, school=school.code, new=1))
    elif form.is_submitted():
        form.code.errors = [_("Please type the code your teacher gave you.")]
        status = 422
    return render_template("access/code.html", opened=opened, form=form), status
