"""The page where a student types their class or school code: it names a school, not them."""

from flask import redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_wtf import FlaskForm
from wtforms import StringField
from wtforms.validators import InputRequired, Length

from engagement.adapters.clock import app_clock
from engagement.delivery.service import find_open_survey
from engagement.extensions import db

from . import bp
from .service import DistributionError, resolve_access_code


class CodeForm(FlaskForm):
    class Meta:
        csrf = False  # checked before the view (engagement.web.csrf)

    code = StringField(validators=[InputRequired(), Length(max=40)])


@bp.route("/s/<slug>/code", methods=["GET", "POST"])
def enter_code(slug: str):
    opened = find_open_survey(db.session, slug, app_clock()())
    form = CodeForm(code=request.args.get("c", ""))
    status = 200
    if form.validate_on_submit():
        try:
            school = resolve_access_code(db.session, slug, form.code.data)
        except DistributionError:
            form.code.errors.append(
                _("We do not know this code. Please check it with your teacher.")
            )
            status = 422
        else:
            return redirect(url_for("web.landing", slug=slug, school=school.code))
    elif form.is_submitted():
        form.code.errors = [_("Please type the code your teacher gave you.")]
        status = 422
    return render_template("access/code.html", opened=opened, form=form), status
