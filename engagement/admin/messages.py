"""Designer, form and distribution refusals in the reader's language."""

from flask_babel import gettext as _
from flask_babel import ngettext

from engagement.designer.service import DesignerError
from engagement.distribution.service import DistributionError
from engagement.i18n import language_label, listed
from engagement.sms.campaigns import CampaignError
from engagement.sms.contacts import BadRow, ContactFileError
from engagement.surveys.validation import Problem

from .forms import FormError


def designer_message(error: DesignerError) -> str:
    p = error.params
    messages = {
        "unknown_survey": lambda: _("There is no such survey."),
        "invalid": lambda: _("The survey was not saved: please fix the problems listed."),
        "slug_taken": lambda: _(
            "There is already a survey with the link name “%(slug)s”.", slug=p.get("slug")
        ),
        "stale": lambda: _(
            "Someone saved this survey (version %(number)s) after you opened this page. "
            "Please reload it and make your change again.",
            number=p.get("number"),
        ),
        "translation_conflict": lambda: (
            _(
                "%(names)s saved version %(number)s while you were typing, and changed "
                "%(count)s of the texts you changed. Nothing was saved. Your text is in the "
                "boxes, theirs is shown under each one: choose, then save again.",
                names=listed(p["by"]),
                number=p.get("number"),
                count=len(p.get("conflicts", {})),
            )
            if p.get("by")
            else _(
                "Someone saved version %(number)s while you were typing, and changed %(count)s of "
                "the texts you changed. Nothing was saved. Your text is in the boxes, theirs is "
                "shown under each one: choose, then save again.",
                number=p.get("number"),
                count=len(p.get("conflicts", {})),
            )
        ),
        "open_needs_translations": lambda: _(
            "This survey is open: every text must stay translated into English, Spanish and "
            "Chinese. Complete the translations, or close the survey first."
        ),
        "not_publishable": lambda: _(
            "The survey cannot be published until the problems listed are fixed."
        ),
        "keyword_taken": lambda: _(
            "The open survey “%(slug)s” already answers to the text keyword %(keyword)s. Give "
            "this survey another keyword, or close “%(slug)s” first.",
            slug=p.get("slug"),
            keyword=p.get("keyword"),
        ),
        "would_replace": lambda: ngettext(
            "A survey with the link name “%(slug)s” already exists (%(num)s response). To "
            "make this file its next version, choose the file again and tick “Replace”.",
            "A survey with the link name “%(slug)s” already exists (%(num)s responses). To "
            "make this file its next version, choose the file again and tick “Replace”.",
            p.get("responses") or 0,
            slug=p.get("slug"),
        ),
        "window_backwards": lambda: _("The survey must close after it opens."),
        "window_past": lambda: _("The closing time has already passed."),
        "not_open": lambda: _("This survey is not open."),
        "left_out": lambda: _(
            "Some rows or columns of this form cannot be imported (listed below). Tick “Import "
            "without them” to import the rest."
        ),
        "unreadable": lambda: _("The file could not be read."),
        "unknown_format": lambda: _("Unknown format."),
        "unknown_text": lambda: _("This text is no longer in the survey. Please reload."),
        "unknown_section": lambda: _("There is no such section. Please reload."),
        "unknown_question": lambda: _("There is no such question. Please reload."),
        "duplicate_section": lambda: _(
            "Another section already has the key “%(key)s”.", key=p.get("key")
        ),
        "duplicate_question": lambda: _(
            "Another question already has the key “%(key)s”.", key=p.get("key")
        ),
        "last_section": lambda: _("A survey needs at least one section."),
        "last_question": lambda: _("A section needs at least one question."),
        "shown_after": lambda: _(
            "“%(dependent)s” is asked only depending on the answer to “%(key)s”. Remove that "
            "condition from “%(dependent)s” first, or delete both.",
            dependent=p.get("dependent"),
            key=p.get("key"),
        ),
    }
    return messages.get(error.code, lambda: _("Something went wrong"))()


def form_message(error: FormError) -> str:
    messages = {
        "unknown_type": lambda: _("Please choose a question type."),
        "not_a_number": lambda: _("Please enter a number, like 3."),
        "not_a_whole_number": lambda: _("Please enter a whole number, like 3."),
        "type_the_choices": lambda: _(
            "Type the answers to choose from in the table below, then save the question again."
        ),
        "one_condition_question": lambda: _(
            "A question can depend on the answers to only one earlier question."
        ),
        "not_a_date": lambda: _("Please enter a date and time like 2026-09-01 08:00."),
        "no_file": lambda: _("Please choose a file."),
        "unknown_file_type": lambda: _("Please choose a .yaml or .xlsx file."),
        "file_too_large": lambda: _("The file is too large."),
        "not_utf8": lambda: _(
            "The file is not UTF-8 text. In Excel, choose File > Save As > “CSV UTF-8 (Comma "
            "delimited)” and upload that file."
        ),
        "not_csv": lambda: _("Please choose a .csv file (a spreadsheet saved as CSV UTF-8)."),
        "no_school": lambda: _("Please choose at least one school."),
        "unknown_school": lambda: _("Please choose schools from the list."),
        "no_language": lambda: _("Please choose at least one language."),
        "unknown_language": lambda: _("Please choose languages from the list."),
    }
    return messages.get(error.code, lambda: _("Please check this field."))()


def distribution_message(error: DistributionError) -> str:
    p = error.params
    messages = {
        "unknown_survey": lambda: _("There is no such survey."),
        "unknown_school": lambda: _("Please choose a school from the list."),
        "codes_for_students_only": lambda: _("Access codes are for student surveys."),
        "consent_for_students_only": lambda: _("Parental consent applies to student surveys."),
        "student_missing": lambda: _(
            "Please enter the student's name or ID (at most 120 characters)."
        ),
        "unknown_code": lambda: _("There is no such code."),
        "unknown_record": lambda: _("There is no such entry."),
        "no_code": lambda: _("No free code could be found. Please try again."),
        "bad_enrollment": lambda: _(
            "Enrolment for %(school)s must be a whole number from 1 to 100,000 (got “%(value)s”).",
            school=p.get("school"),
            value=p.get("value"),
        ),
    }
    return messages.get(error.code, lambda: _("Something went wrong"))()


def contact_row_message(bad: BadRow) -> str:
    """Why one row of a contact file was refused (the line number is shown beside it)."""
    value = bad.params.get("value")
    messages = {
        "missing_phone": lambda: _("The phone number is missing."),
        "phone_too_long": lambda: _("The phone number is too long."),
        "not_a_phone": lambda: _("This is not a phone number."),
        "invalid_phone": lambda: _("This phone number is not valid."),
        "unknown_language": lambda: _(
            "Unknown language “%(value)s” (use en, es or zh).", value=value
        ),
        "unknown_role": lambda: _(
            "Unknown role “%(value)s” (use parent, guardian, student, staff or community).",
            value=value,
        ),
        "unknown_school": lambda: _("Unknown school code “%(value)s”.", value=value),
        "school_name_not_code": lambda: _(
            "“%(value)s” is a school's name: the column takes codes, here “%(code)s”.",
            value=value,
            code=bad.params.get("code"),
        ),
        "conflicting_repeat": lambda: _(
            "The same phone as line %(line)s, with another language or role: keep one line.",
            line=bad.params.get("line"),
        ),
    }
    return messages.get(bad.code, lambda: bad.reason)()


def contact_file_message(error: ContactFileError) -> str:
    messages = {
        "no_phone_column": lambda: _(
            "The first line must name the columns, including “phone”: "
            "phone, language, schools, role."
        ),
        "too_many_rows": lambda: _(
            "The file has more than %(limit)s rows. Please split it.", limit=error.params["limit"]
        ),
        "not_csv": lambda: _("The file could not be read as CSV."),
    }
    return messages.get(error.code, lambda: _("The file could not be read."))()


def campaign_message(error: CampaignError) -> str:
    messages = {
        "not_open": lambda: _(
            "This survey is not open, so nobody can be invited to it. Publish it first."
        ),
        "no_schools": lambda: _("Please choose at least one school."),
        "no_recipients": lambda: _(
            "Nobody to invite: no contact of these schools and languages can be texted "
            "(opted out, or already invited to this survey)."
        ),
        "unknown_campaign": lambda: _("There is no such campaign."),
        "unknown_survey": lambda: _("There is no such survey."),
    }
    return messages.get(error.code, lambda: _("Something went wrong"))()


# A template field as the designer's pages label it, where it has a label of its own.
_FIELD_LABELS = {
    "sms_keyword": lambda: _("SMS keyword"),
    "sms_keyword_es": lambda: _("Keyword in Spanish"),
    "sms_keyword_zh": lambda: _("Keyword in Chinese"),
}


def problem_text(problem: Problem) -> str:
    """A template problem in the reader's language where it has a code, else as written."""
    p = dict(problem.params)
    if "field" in p and p["field"] in _FIELD_LABELS:
        p["field"] = _FIELD_LABELS[p["field"]]()
    messages = {
        "missing_translation": lambda: _(
            "%(field)s: missing translation for %(language)s",
            field=p["field"],
            language=language_label(p["language"]),
        ),
        "keyword_letters": lambda: _(
            "%(field)s: 2-20 letters or digits, no spaces, with at least one letter",
            field=p["field"],
        ),
        "keyword_reserved": lambda: _(
            "%(field)s: %(word)s is a word text messages keep for themselves (STOP, START, "
            "HELP, SKIP and language names, in English, Spanish and Chinese)",
            field=p["field"],
            word=p["word"],
        ),
        "keyword_repeated": lambda: _(
            "%(field)s: %(word)s is already this survey's keyword", field=p["field"], word=p["word"]
        ),
        "keyword_needs_main": lambda: _(
            "%(field)s: set the SMS keyword too, the one every flyer can print", field=p["field"]
        ),
        "key_format": lambda: _(
            "Key: needed, in lowercase letters, digits and _, starting with a letter (such as "
            "school_safety)."
        ),
        "key_twice": lambda: _("Key: “%(key)s” is already used in this survey.", key=p["key"]),
        "two_choices": lambda: _("Type at least two answers to choose from."),
        "choice_value_twice": lambda: _(
            "Answer %(position)s: the value %(value)s is used twice.",
            position=p["position"],
            value=p["value"],
        ),
        "choice_code_twice": lambda: _(
            "Answer %(position)s: the code “%(value)s” is used twice.",
            position=p["position"],
            value=p["value"],
        ),
        "min_below_max": lambda: _(
            "A number question needs a smallest and a largest number, the smallest below the "
            "largest."
        ),
        "max_length": lambda: _("Longest text: a whole number from 1 to %(most)s.", most=p["most"]),
        "text_missing": lambda: _(
            "%(field)s: missing; give it in English, Spanish and Chinese.", field=p["field"]
        ),
        "keyword_of_open_survey": lambda: _(
            "The open survey “%(slug)s” answers to the text keyword %(word)s: change it here, "
            "or close “%(slug)s” before publishing.",
            slug=p["slug"],
            word=p["word"],
        ),
    }
    if problem.code == "yaml":
        return _yaml_mistake(p)
    said = messages.get(problem.code or "")
    return said() if said else problem.message


def _yaml_mistake(p: dict) -> str:
    """A YAML mistake (surveys.loader) in the reader's language, with its line."""
    kinds = {
        "quote_open": lambda: _("a quotation mark that is never closed"),
        "colon_in_value": lambda: _(
            "a colon and a space inside a value, or a line indented too far: put text that "
            "holds “: ” in quotes"
        ),
        "indentation": lambda: _("this line is indented differently from the lines above it"),
        "colon_missing": lambda: _("a line without “name: value” (a colon is missing)"),
        "tab": lambda: _("a tab character: indent with spaces"),
        "starts_with_sign": lambda: _("a value starting with @ or `: put it in quotes"),
        "starts_with_star": lambda: _("a value starting with * or &: put it in quotes"),
        "bracket_open": lambda: _("a list in [brackets] that is not closed"),
        "brace_open": lambda: _("a list in {braces} that is not closed"),
        "text_after_quote": lambda: _(
            "text goes on after its closing quotation mark or bracket: put the whole text in "
            'double quotes ("Don\'t know", "[Evening] meetings")'
        ),
        "no_space": lambda: _(
            "a space is missing after the colon: write “%(key)s: %(text)s”",
            key=p["key"],
            text=p["text"],
        ),
        "key_twice": lambda: _("%(key)s appears twice at the same level", key=p["key"]),
    }
    what = kinds[p["kind"]]()
    if p.get("reads"):
        return _(
            "Line %(line)s: %(what)s (the line reads “%(reads)s”)",
            line=p["line"],
            what=what,
            reads=p["reads"],
        )
    return _("Line %(line)s: %(what)s", line=p["line"], what=what)
