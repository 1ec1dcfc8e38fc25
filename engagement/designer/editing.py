"""Pure edits of a survey template (the dict a YAML file holds); no database here.

The designer loads the latest version as a template, applies one of these,
and saves the result through the store as the next version.
"""

from __future__ import annotations

import copy
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from engagement.i18n import SUPPORTED_LANGUAGES
from engagement.surveys.definition import SETTINGS

Path = tuple[str | int, ...]


class EditError(ValueError):
    """An edit that cannot apply (unknown key, duplicate key); `code` picks the message."""

    def __init__(self, code: str, **params: object):
        super().__init__(code)
        self.code = code
        self.params = params


@dataclass(frozen=True)
class TranslatableText:
    """One piece of respondent-facing text and where it lives in the template."""

    path: Path
    kind: str  # title, intro, thanks, section, question, help, not_applicable, choice
    owner: str  # the section, question or choice it belongs to, for people to find it
    values: dict[str, str]
    optional: bool = False

    @property
    def field_name(self) -> str:
        return "t:" + ".".join(str(p) for p in self.path)

    @property
    def missing(self) -> list[str]:
        """Languages still to translate; an optional text left wholly empty misses nothing."""
        present = [lang for lang in SUPPORTED_LANGUAGES if (self.values.get(lang) or "").strip()]
        if self.optional and not present:
            return []
        return [lang for lang in SUPPORTED_LANGUAGES if lang not in present]


def _text(value: Any) -> dict[str, str]:
    if isinstance(value, str):
        return {"en": value}
    return dict(value) if isinstance(value, dict) else {}


def translatable_texts(template: dict[str, Any]) -> Iterator[TranslatableText]:
    """Every respondent-facing text, in the order a respondent meets it."""
    yield TranslatableText(("title",), "title", "survey", _text(template.get("title")))
    yield TranslatableText(("intro",), "intro", "survey", _text(template.get("intro")), True)
    for i, section in enumerate(template.get("sections", [])):
        yield TranslatableText(
            ("sections", i, "title"), "section", section.get("key", ""), _text(section.get("title"))
        )
        for j, question in enumerate(section.get("questions", [])):
            base: Path = ("sections", i, "questions", j)
            key = question.get("key", "")
            yield TranslatableText((*base, "text"), "question", key, _text(question.get("text")))
            yield TranslatableText((*base, "help"), "help", key, _text(question.get("help")), True)
            if "not_applicable" in question:
                yield TranslatableText(
                    (*base, "not_applicable"),
                    "not_applicable",
                    key,
                    _text(question.get("not_applicable")),
                )
            choices = question.get("choices")
            if isinstance(choices, list):
                for k, choice in enumerate(choices):
                    yield TranslatableText(
                        (*base, "choices", k, "label"),
                        "choice",
                        f"{key}: {choice.get('code', choice.get('value'))}",
                        _text(choice.get("label")),
                    )
    yield TranslatableText(("thanks",), "thanks", "survey", _text(template.get("thanks")), True)


def missing_translations(template: dict[str, Any]) -> list[TranslatableText]:
    return [text for text in translatable_texts(template) if text.missing]


def _container(template: dict[str, Any], path: Path) -> tuple[Any, str | int]:
    node: Any = template
    for step in path[:-1]:
        node = node[step]
    return node, path[-1]


def apply_translations(
    template: dict[str, Any], edits: dict[Path, dict[str, str]]
) -> dict[str, Any]:
    """A copy with these texts set; an optional text left empty in every language is removed."""
    result = copy.deepcopy(template)
    known = {text.path: text for text in translatable_texts(result)}
    for path, values in edits.items():
        text = known.get(path)
        if text is None:
            raise EditError("unknown_text", path=".".join(map(str, path)))
        cleaned = {
            lang: values[lang].strip()
            for lang in SUPPORTED_LANGUAGES
            if (values.get(lang) or "").strip()
        }
        node, name = _container(result, path)
        if cleaned or not text.optional:
            node[name] = cleaned
        else:
            node.pop(name, None)
    return result


def rebase_translations(
    base: dict[str, Any], current: dict[str, Any], edits: dict[Path, dict[str, str]]
) -> tuple[dict[Path, dict[str, str]], dict[Path, dict[str, str]]] | None:
    """Texts typed over version `base`, moved onto the newer `current`.

    Two translators (Spanish, Chinese) on one page at once: a text the typist left as it
    was takes the newer version's; a text only they changed keeps theirs. Returns (edits,
    conflicts): a text both changed, differently, keeps theirs and lists the newer one in
    conflicts ({path: {language: newer text}}). None when the texts no longer line up
    (sections or questions added, moved or deleted since).
    """
    before = {text.path: text for text in translatable_texts(base)}
    after = {text.path: text for text in translatable_texts(current)}
    if [(t.path, t.owner) for t in before.values()] != [(t.path, t.owner) for t in after.values()]:
        return None
    rebased: dict[Path, dict[str, str]] = {}
    conflicts: dict[Path, dict[str, str]] = {}
    for path, typed in edits.items():
        if path not in before:
            continue
        values = {}
        for lang in SUPPORTED_LANGUAGES:
            mine = (typed.get(lang) or "").strip()
            was = (before[path].values.get(lang) or "").strip()
            now = (after[path].values.get(lang) or "").strip()
            values[lang] = now if mine in (was, now) else mine
            if mine not in (was, now) and was != now:
                conflicts.setdefault(path, {})[lang] = now
        rebased[path] = values
    return rebased, conflicts


# --- survey settings, sections and questions ---------------------------------------------


def set_settings(template: dict[str, Any], settings: dict[str, Any]) -> dict[str, Any]:
    result = copy.deepcopy(template)
    for name in SETTINGS:
        if name not in settings:
            continue
        if settings[name] in (None, ""):
            result.pop(name, None)
        else:
            result[name] = settings[name]
    return result


def _sections(template: dict[str, Any]) -> list[dict[str, Any]]:
    return template.setdefault("sections", [])


def _section_index(template: dict[str, Any], key: str) -> int:
    for index, section in enumerate(_sections(template)):
        if section.get("key") == key:
            return index
    raise EditError("unknown_section", key=key)


def find_question(template: dict[str, Any], key: str) -> tuple[int, int]:
    for i, section in enumerate(_sections(template)):
        for j, question in enumerate(section.get("questions", [])):
            if question.get("key") == key:
                return i, j
    raise EditError("unknown_question", key=key)


def question_keys(template: dict[str, Any]) -> list[str]:
    return [q.get("key") for s in _sections(template) for q in s.get("questions", [])]


def add_section(
    template: dict[str, Any], key: str, title: dict[str, str], first_question: dict[str, Any]
) -> dict[str, Any]:
    """A new last section; a section always has at least one question."""
    result = copy.deepcopy(template)
    if any(s.get("key") == key for s in _sections(result)):
        raise EditError("duplicate_section", key=key)
    if first_question.get("key") in question_keys(result):
        raise EditError("duplicate_question", key=first_question.get("key"))
    _sections(result).append({"key": key, "title": title, "questions": [first_question]})
    return result


def set_section_title(template: dict[str, Any], key: str, title: dict[str, str]) -> dict[str, Any]:
    result = copy.deepcopy(template)
    _sections(result)[_section_index(result, key)]["title"] = title
    return result


def move_section(template: dict[str, Any], key: str, offset: int) -> dict[str, Any]:
    result = copy.deepcopy(template)
    sections = _sections(result)
    index = _section_index(result, key)
    target = index + offset
    if 0 <= target < len(sections):
        sections.insert(target, sections.pop(index))
    return result


def delete_section(template: dict[str, Any], key: str) -> dict[str, Any]:
    result = copy.deepcopy(template)
    sections = _sections(result)
    if len(sections) == 1:
        raise EditError("last_section")
    index = _section_index(result, key)
    _refuse_if_shown_after(result, {q.get("key") for q in sections[index].get("questions", [])})
    sections.pop(index)
    return result


def put_question(
    template: dict[str, Any], section_key: str, question: dict[str, Any], replacing: str | None
) -> dict[str, Any]:
    """Add a question at the end of a section, or replace `replacing` (moving it if needed)."""
    result = copy.deepcopy(template)
    target = _section_index(result, section_key)
    if replacing is None:
        if question.get("key") in question_keys(result):
            raise EditError("duplicate_question", key=question.get("key"))
        _sections(result)[target]["questions"].append(question)
        return result
    i, j = find_question(result, replacing)
    if question.get("key") != replacing and question.get("key") in question_keys(result):
        raise EditError("duplicate_question", key=question.get("key"))
    if i == target:
        _sections(result)[i]["questions"][j] = question
    else:
        if len(_sections(result)[i]["questions"]) == 1:
            raise EditError("last_question")
        _sections(result)[i]["questions"].pop(j)
        _sections(result)[target]["questions"].append(question)
    return result


def move_question(template: dict[str, Any], key: str, offset: int) -> dict[str, Any]:
    result = copy.deepcopy(template)
    i, j = find_question(result, key)
    questions = _sections(result)[i]["questions"]
    if 0 <= j + offset < len(questions):
        questions.insert(j + offset, questions.pop(j))
    return result


def delete_question(template: dict[str, Any], key: str) -> dict[str, Any]:
    result = copy.deepcopy(template)
    i, j = find_question(result, key)
    questions = _sections(result)[i]["questions"]
    if len(questions) == 1:
        raise EditError("last_question")
    _refuse_if_shown_after(result, {key})
    questions.pop(j)
    return result


def _refuse_if_shown_after(template: dict[str, Any], keys: set[str]) -> None:
    """Refuse to delete `keys` while another question is asked depending on one (show_if)."""
    for section in _sections(template):
        for question in section.get("questions", []):
            condition = question.get("show_if")
            on = condition.get("question") if isinstance(condition, dict) else None
            if on in keys and question.get("key") not in keys:
                raise EditError("shown_after", key=on, dependent=question.get("key"))


def clone_template(template: dict[str, Any], slug: str, school_year: str) -> dict[str, Any]:
    """Next year's survey: the same questions and keys (so trends line up), a new slug and year.

    Last year's "2026-27" in its title, intro and thanks becomes the new year: respondents
    would otherwise read last year's survey name.
    """
    result = copy.deepcopy(template)
    result["slug"] = slug
    old_year = template.get("school_year")
    if isinstance(old_year, str) and old_year and old_year != school_year:
        for field in ("title", "intro", "thanks"):
            texts = result.get(field)
            if isinstance(texts, dict):
                result[field] = {
                    lang: text.replace(old_year, school_year) if isinstance(text, str) else text
                    for lang, text in texts.items()
                }
    result["school_year"] = school_year
    return result
