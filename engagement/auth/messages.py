"""Account refusals in the reader's language."""

from flask_babel import gettext as _

from .service import AccountError


def account_error_message(error: AccountError) -> str:
    p = error.params
    messages = {
        "invalid": lambda: _("That email and password do not match an active account."),
        "locked": lambda: _(
            "Too many failed attempts. Please wait %(minutes)s minutes and try again.",
            minutes=p.get("minutes", 15),
        ),
        "password_short": lambda: _(
            "Please use at least %(minimum)s characters.", minimum=p.get("minimum")
        ),
        "password_long": lambda: _(
            "Please use at most %(maximum)s characters.", maximum=p.get("maximum")
        ),
        "password_is_email": lambda: _("Please do not use your email as your password."),
        "link_invalid": lambda: _("This link is not valid or has already been used."),
        "link_expired": lambda: _("This link has expired. Please ask for a new one."),
        "email_invalid": lambda: _("Please enter a valid email address."),
        "email_taken": lambda: _("There is already an account with this email."),
        "name_missing": lambda: _("Please enter a name."),
        "role_missing": lambda: _("Please choose at least one role."),
        "unknown_scope": lambda: _("Please choose result areas and schools from the lists."),
        "working_group_needs_area": lambda: _(
            "A Working Group member needs at least one result area."
        ),
        "school_staff_needs_school": lambda: _("School staff need at least one school."),
        "cannot_demote_self": lambda: _("You cannot remove your own administrator role."),
        "cannot_deactivate_self": lambda: _("You cannot deactivate your own account."),
        "last_admin": lambda: _("At least one active administrator must remain."),
        "user_missing": lambda: _("There is no such account."),
        "token_name_missing": lambda: _("Please name the token."),
        "token_missing": lambda: _("There is no such token."),
    }
    return messages.get(error.code, lambda: _("Something went wrong"))()
