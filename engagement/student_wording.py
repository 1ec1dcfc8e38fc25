"""The respondent pages' words that a student reads in another register: tú and 你.

Families and staff are addressed as usted and 您; a student of ten or sixteen as tú and
你, as the student survey's own questions do. Each message here has the same English as
on the page (`_r` in the templates, engagement.i18n.respondent_text) and a second
translation under the "student" context. A message not listed reads the same for everyone.
"""

from flask_babel import lazy_pgettext as pgettext

# The context is engagement.i18n.STUDENT, written out: pybabel reads these calls as text.
STUDENT_WORDING = (
    pgettext("student", "Please check the questions marked below."),
    pgettext("student", "Choose all that apply."),
    pgettext("student", "Please do not write names or phone numbers."),
    pgettext(
        "student",
        "Your answers are saved each time you go to the next page. On this device, just open"
        " the survey link again. To finish on another device, keep this link private and open"
        " it there:",
    ),
    pgettext(
        "student",
        "You can stop at any time: your answers are saved page by page on this device.",
    ),
    pgettext("student", "You have already started this survey for %(school)s."),
    pgettext(
        "student",
        "Your answers for %(school)s stay saved for %(days)s days. To finish them after this"
        " survey, keep this link:",
    ),
    pgettext("student", "Your answers were sent"),
    pgettext("student", "Thank you!"),
    pgettext("student", "Please enter a number, like 3."),
    pgettext(
        "student",
        "Please write the number with digits only, like 1600 (or 1.5 for one and a half).",
    ),
    pgettext("student", "Please enter %(minimum)s or more."),
    pgettext("student", "Please enter %(maximum)s or less."),
    pgettext(
        "student", "Please shorten your answer to %(maximum)s characters (it has %(length)s)."
    ),
    pgettext("student", "Please choose only one answer."),
    pgettext("student", "Please choose one of the answers listed."),
    pgettext("student", "Please answer this question."),
)
