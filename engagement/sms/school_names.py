"""Which schools a parent means when they text a school's name the way people write it.

"Jackson", "Jackson Elementary School", "Escuela Jackson", "escuela primaria jackson",
"Pasadena High School", "PHS" and "Jakson" all name one school; "Washington" names two
(the reply lists them). The roster stores names such as "Jackson Elementary".
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
_CJK_SCHOOL_WORDS = ("学校", "小学", "中学", "高中", "初中")


class NamedSchool(Protocol):
    code: str
    name: str


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
    known = set(_words(school.name)) | set(_words(school.code.replace("-", " ")))
    return all(any(_near(word, name) for name in known) for word in typed)


def matching_schools(text: str, schools: Iterable[S]) -> list[S]:
    """The schools a reply names: by code, by every word of its name given, or by initials."""
    pool = list(schools)
    whole = normalise(text)
    exact = [s for s in pool if whole in (normalise(s.code), normalise(s.name))]
    if exact:
        return exact
    for word in _CJK_SCHOOL_WORDS:
        whole = whole.replace(word, " ")
    typed = [_LEVEL_SYNONYMS.get(w, w) for w in _words(whole) if w not in _FILLER]
    if not typed or sum(map(len, typed)) < 3:
        return []
    if len(typed) == 1:
        by_initials = [s for s in pool if typed[0] in _initials(s)]
        if by_initials:
            return by_initials
    return [s for s in pool if _names(s, typed)]
