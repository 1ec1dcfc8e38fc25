"""Which schools a parent means when they text a school's name the way people write it.

"Jackson", "Jackson Elementary School", "Escuela Jackson", "escuela primaria jackson",
"Pasadena High School", "PHS", "Jakson", "杰克逊" and "杰克森小学" all name one school;
"Washington" and "华盛顿" name two (the reply lists them). The roster stores each
school's English name ("Jackson Elementary") and may store its Spanish and Chinese ones.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from typing import Protocol, TypeVar

from engagement.surveys import normalise

# Words that say "a school" but not which: dropped from the reply.
_FILLER = frozenset(
    {"school", "schools", "the", "of", "my", "our", "in", "at"}
    | {"escuela", "colegio", "de", "del", "la", "el", "mi", "nuestra", "en"}
)
# Spanish and short forms of the levels in the roster's names.
_LEVEL_SYNONYMS = {
    "primaria": "elementary",
    "elemental": "elementary",
    "elem": "elementary",
    "es": "elementary",
    "intermedia": "middle",
    "secundaria": "middle",
    "ms": "middle",
    "preparatoria": "high",
    "prepa": "high",
    "hs": "high",
    "y": "and",
}
_CJK_SCHOOL_WORDS = ("学校", "小学", "中学", "高中", "初中")  # Traditional: normalise()d
# The levels those words name, as the roster's English names say them: "华盛顿中学" is the
# middle school, "初中" picks it from a list of the two Washingtons.
_CJK_LEVELS = {"小学": "elementary", "初中": "middle", "中学": "middle", "高中": "high"}
_CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")


class NamedSchool(Protocol):
    code: str
    name: str  # English: its initials are what people abbreviate ("PHS")
    names: list[str]  # every name it goes by

    def name_in(self, language: str | None) -> str: ...


S = TypeVar("S", bound=NamedSchool)


def _words(text: str) -> list[str]:
    return [word for word in re.split(r"[^\w]+", normalise(text)) if word]


def _near(typed: str, known: str) -> bool:
    """The word, its start ("Pasa"), or one letter wrong, missing or extra in a long word."""
    if typed == known or (len(typed) >= 3 and known.startswith(typed)):
        return True
    if min(len(typed), len(known)) < 5 or abs(len(typed) - len(known)) > 1:
        return False
    if len(typed) == len(known):
        return sum(a != b for a, b in zip(typed, known, strict=True)) == 1
    shorter, longer = sorted((typed, known), key=len)
    return any(longer[:i] + longer[i + 1 :] == shorter for i in range(len(longer)))


def _initials(school: NamedSchool) -> set[str]:
    letters = "".join(word[0] for word in _words(school.name))
    return {letters, letters + "s"} if len(letters) >= 2 else set()


def _names(school: NamedSchool, typed: Sequence[str]) -> bool:
    known = {word for name in school.names for word in _words(name)}
    known |= set(_words(school.code.replace("-", " ")))
    return all(any(_near(word, name) for name in known) for word in typed)


def _chinese_names(school: NamedSchool) -> list[str]:
    return ["".join(_words(name)) for name in school.names if _CJK.search(name)]


def _one_character_off(typed: str, known: str) -> bool:
    """Three characters or more, one written otherwise: names are transliterated, and a
    sound has several spellings (杰克森 for 杰克逊)."""
    if len(typed) < 3:
        return False
    windows = (known[i : i + len(typed)] for i in range(len(known) - len(typed) + 1))
    return any(sum(a != b for a, b in zip(typed, w, strict=True)) == 1 for w in windows)


def _by_chinese_name(typed: str, pool: list[S]) -> list[S]:
    """Schools whose Chinese name holds what was typed; else those one character off."""
    found = [s for s in pool if any(typed in name for name in _chinese_names(s))]
    if found:
        return found
    return [s for s in pool if any(_one_character_off(typed, n) for n in _chinese_names(s))]


def matching_schools(text: str, schools: Iterable[S]) -> list[S]:
    """The schools a reply names: by code, by every word of its name given, or by initials."""
    pool = list(schools)
    whole = normalise(text)
    exact = [s for s in pool if whole in {normalise(s.code), *map(normalise, s.names)}]
    if exact:
        return exact
    levels = [level for word, level in _CJK_LEVELS.items() if word in whole]
    for word in _CJK_SCHOOL_WORDS:
        whole = whole.replace(word, " ")
    if _CJK.search(whole) or (levels and not whole.strip()):
        typed_chinese = "".join(_words(whole))
        if typed_chinese and len(typed_chinese) < 2:  # two characters name a school: 缪尔
            return []
        if not typed_chinese:  # a level alone picks from a list sent, not from the roster
            return [s for s in pool if _names(s, levels[:1])] if len(pool) <= 9 else []
        found = _by_chinese_name(typed_chinese, pool)
        return [s for s in found if levels and _names(s, levels[:1])] or found
    typed = [_LEVEL_SYNONYMS.get(w, w) for w in _words(whole) if w not in _FILLER]
    if not typed or sum(map(len, typed)) < 3:
        return []
    if len(typed) == 1:
        by_initials = [s for s in pool if typed[0] in _initials(s)]
        if by_initials:
            return by_initials
    return [s for s in pool if _names(s, typed)]


def name_to_text(school: S, language: str, roster: Iterable[S]) -> str:
    """What a flyer's line in `language` prints after the keyword so that a text names
    `school` alone: its Chinese name on the Chinese line (no keyboard to switch), else its
    code where that is one plain word (JACKSON), else its name in the line's language."""
    pool = list(roster)
    candidates = []
    if language == "zh":
        candidates += ["".join(_CJK.findall(name)) for name in school.names if _CJK.search(name)]
    if re.fullmatch(r"[a-z0-9]+", school.code):
        candidates.append(school.code.upper())
    for name in (school.name_in(language), school.name):
        words = name.split()
        candidates.append(" ".join(w for w in words if normalise(w) not in _FILLER) or name)
    for candidate in candidates:
        if matching_schools(candidate, pool) == [school]:
            return candidate
    return school.code.upper()
