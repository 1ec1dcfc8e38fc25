"""Forms for logging in, setting a password and naming an API token."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import PasswordField, SelectField, StringField
from wtforms.validators import EqualTo, InputRequired, Length


class LoginForm(FlaskForm):
    email = StringField(
        _l("Email"),
        validators=[InputRequired(message=_l("Please enter your email.")), Length(max=254)],
    )
    password = PasswordField(
        _l("Password"), validators=[InputRequired(message=_l("Please enter your password."))]
    )


class SetPasswordForm(FlaskForm):
    password = PasswordField(
        _l("New password"),
        validators=[InputRequired(message=_l("Please enter a new password."))],
    )
    confirm = PasswordField(
        _l("The same password again"),
        validators=[EqualTo("password", message=_l("The two passwords are not the same."))],
    )


class TokenForm(FlaskForm):
    name = StringField(
        _l("What the token is for"),
        validators=[InputRequired(message=_l("Please name the token.")), Length(max=100)],
    )


class LanguageForm(FlaskForm):
    language = SelectField(_l("Language of these pages"), validate_choice=True)
