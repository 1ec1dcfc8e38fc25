"""Three languages are first-class: every catalog entry and template string exists in es and zh."""

import io
import re
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.frontend import _parse_mapping_toml
from babel.messages.pofile import read_po

from engagement.i18n import SUPPORTED_LANGUAGES
from tests.support import ROOT, template, template_files

TRANSLATED = [lang for lang in SUPPORTED_LANGUAGES if lang != "en"]
# Spanish has a singular and a plural; Chinese one form for every number.
PLURAL_FORMS = {"es": "nplurals=2; plural=(n != 1);", "zh": "nplurals=1; plural=0;"}
PLACEHOLDER = re.compile(r"%\((\w+)\)s")


def catalog(lang):
    path = ROOT / "translations" / lang / "LC_MESSAGES" / "messages.po"
    with path.open("rb") as handle:
        return read_po(handle, locale=lang)


def source_messages() -> set[str | tuple[str, str]]:
    """What `make extract` would find in the code and templates right now.

    A message with a plural (ngettext) is its (singular, plural) pair, as in the catalog.
    """
    with (ROOT / "pyproject.toml").open("rb") as handle:
        method_map, options_map = _parse_mapping_toml(handle, style="pyproject.toml")
    keywords = {"_": None, "gettext": None, "ngettext": (1, 2), "_l": None, "lazy_gettext": None}
    found = set()
    for _file, _line, message, _comments, _context in extract_from_dir(
        str(ROOT), method_map, options_map, keywords=keywords
    ):
        found.add(message if isinstance(message, str) else tuple(message[:2]))
    return found


def forms(message) -> tuple[str, ...]:
    """A catalog entry's translations: one string, or msgstr[0], msgstr[1]... for a plural."""
    return message.string if isinstance(message.string, tuple) else (message.string,)


def untranslated(messages) -> list:
    """Entries with a form left empty (a plural needs every one of its forms) or fuzzy."""
    return [m.id for m in messages if m.id and (m.fuzzy or not all(forms(m)))]


@pytest.mark.parametrize("lang", TRANSLATED)
def test_every_catalog_entry_is_translated(lang):
    assert untranslated(catalog(lang)) == []


@pytest.mark.parametrize("lang", TRANSLATED)
def test_catalogs_have_the_languages_plural_forms(lang):
    entries = catalog(lang)
    assert entries.plural_forms == PLURAL_FORMS[lang]
    plurals = [m for m in entries if m.pluralizable]
    assert plurals, "the staff pages' counts use ngettext"
    assert all(len(forms(m)) == entries.num_plurals for m in plurals)


def test_a_plural_entry_missing_a_form_counts_as_untranslated():
    po = io.BytesIO(
        "\n".join(
            [
                'msgid ""',
                'msgstr ""',
                '"Language: es\\n"',
                '"Plural-Forms: nplurals=2; plural=(n != 1);\\n"',
                "",
                'msgid "%(num)s row read"',
                'msgid_plural "%(num)s rows read"',
                'msgstr[0] "%(num)s fila leída"',
                'msgstr[1] ""',
                "",
                'msgid "%(num)s new contact added"',
                'msgid_plural "%(num)s new contacts added"',
                'msgstr[0] "%(num)s contacto nuevo añadido"',
                "",
                'msgid "%(num)s reminder queued."',
                'msgid_plural "%(num)s reminders queued."',
                'msgstr[0] "%(num)s recordatorio en cola."',
                'msgstr[1] "%(num)s recordatorios en cola."',
                "",
            ]
        ).encode()
    )
    assert untranslated(read_po(po, locale="es")) == [
        ("%(num)s row read", "%(num)s rows read"),
        ("%(num)s new contact added", "%(num)s new contacts added"),
    ]


@pytest.mark.parametrize("lang", TRANSLATED)
def test_catalogs_cover_every_string_in_the_code(lang):
    in_catalog = {m.id for m in catalog(lang) if m.id}
    missing = source_messages() - in_catalog
    assert missing == set(), "run `make update-translations` and translate"


@pytest.mark.parametrize("lang", TRANSLATED)
def test_placeholders_survive_translation(lang):
    for message in catalog(lang):
        if not message.id:
            continue
        if message.pluralizable:
            singular, plural = message.id
            wanted = sorted(PLACEHOLDER.findall(plural))
            # Every form, singular included, is chosen by number alone and gets every value.
            assert sorted(PLACEHOLDER.findall(singular)) == wanted, message.id
        else:
            wanted = sorted(PLACEHOLDER.findall(message.id))
        for form in forms(message):
            assert sorted(PLACEHOLDER.findall(form)) == wanted, message.id


def _translated_fields(definition):
    yield "title", definition.title
    yield "intro", definition.intro
    yield "thanks", definition.thanks
    for section in definition.sections:
        yield f"section {section.key}", section.title
        for question in section.questions:
            yield f"question {question.key}", question.text
            if question.help:
                yield f"question {question.key} help", question.help
            for choice in question.choices:
                yield f"question {question.key} choice {choice.code}", choice.label


def test_there_are_three_templates():
    slugs = {template(path).slug for path in template_files()}
    assert {"family-2026", "student-climate-2026", "staff-2026"} <= slugs


@pytest.mark.parametrize("path", template_files(), ids=lambda p: p.name)
def test_every_template_string_exists_in_every_language(path: Path):
    definition = template(path)
    gaps = []
    for where, text in _translated_fields(definition):
        if not text:
            continue
        for lang in SUPPORTED_LANGUAGES:
            value = text.get(lang, "")
            if not value.strip():
                gaps.append(f"{where}: {lang}")
        # Spanish or Chinese identical to English usually means it was never translated.
        if len(text.get("en", "")) > 12 and text.get("en") in (text.get("es"), text.get("zh")):
            gaps.append(f"{where}: copied from English")
    assert gaps == []


@pytest.mark.parametrize("path", template_files(), ids=lambda p: p.name)
def test_chinese_text_is_in_chinese(path: Path):
    definition = template(path)
    for where, text in _translated_fields(definition):
        if text and len(text.get("en", "")) > 12:
            value = text["zh"]
            han = sum(1 for ch in value if "\u4e00" <= ch <= "\u9fff")
            assert han >= 2, f"{where}: {value!r}"


@pytest.mark.parametrize("path", template_files(), ids=lambda p: p.stem)
def test_no_question_repeats_the_hint_the_page_adds(path):
    """A multiple-choice question on the web gets "Choose all that apply." from the page."""
    hints = {"en": "Choose all that apply."}
    hints |= {lang: catalog(lang).get("Choose all that apply.").string for lang in TRANSLATED}
    repeated = [
        (question.key, lang)
        for question in template(path).questions
        if question.type.value == "multiple_choice"
        for lang, hint in hints.items()
        if hint.rstrip("。.") in question.text[lang]
    ]
    assert repeated == []


def test_every_student_wording_is_a_message_the_pages_ask_for_in_the_students_register():
    """A student translation nobody asks for with _r would never be read."""
    from engagement.student_wording import STUDENT_WORDING

    sources = "".join(
        path.read_text(encoding="utf-8")
        for pattern in ("engagement/templates/**/*.html", "engagement/**/*.py")
        for path in ROOT.glob(pattern)
    )
    asked = set(re.findall(r'_r\(\s*"((?:[^"\\]|\\.)*)"', sources))
    for message in STUDENT_WORDING:
        assert message._args[1] in asked, message._args[1]
