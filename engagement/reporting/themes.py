"""Common themes of a question's comments: the words and two-word phrases most comments use.

English and Spanish: lower-cased words without stop words (lexicons.STOP_WORDS),
plus adjacent pairs of such words; a negated word counts with its negation ("not
safe"). Chinese has no spaces and no segmenter is downloaded, so a comment's
character bigrams are counted instead, leaving out pairs with a particle or
pronoun character ("的", "我", ...). A term counts once per comment; only terms
in at least two comments are themes.
"""

from __future__ import annotations

import re
from collections import Counter

from .lexicons import STOP_WORDS
from .masking import EMAIL_MARK, NAME_MARK, PHONE_MARK

_WORD = re.compile(r"[^\W\d_]+(?:['’][^\W\d_]+)?", re.UNICODE)
_HAN_RUN = re.compile(r"[\u4e00-\u9fff]+")
# Words that turn the next one round: "not safe", "no seguro", "never enough".
_NEGATIONS = {"not", "no", "never", "isn't", "isnt", "aren't", "don't", "doesn't", "nunca", "nada"}
_MARKS = re.compile("|".join(re.escape(m) for m in (NAME_MARK, PHONE_MARK, EMAIL_MARK)))


def terms(text: str, language: str) -> set[str]:
    """The distinct words, phrases (or Chinese bigrams) of one comment."""
    text = _MARKS.sub(" ", text)
    if language == "zh":
        stop = STOP_WORDS["zh"]
        found = set()
        for run in _HAN_RUN.findall(text):
            for i in range(len(run) - 1):
                pair = run[i : i + 2]
                if pair[0] not in stop and pair[1] not in stop:
                    found.add(pair)
        return found
    stop = STOP_WORDS.get(language, STOP_WORDS["en"])
    found: set[str] = set()
    # Phrases only join words that stood next to each other in the comment.
    for chunk in re.split(r"[.,;:!?¡¿()\"\n]", text.lower()):
        previous = negation = None
        for word in _WORD.findall(chunk):
            if word in _NEGATIONS:  # "not safe" is its own theme, never "safe"
                previous, negation = None, word
                continue
            if word in stop or len(word) < 3:
                previous = None
                continue
            if negation:
                found.add(f"{negation} {word}")
                previous = negation = None
                continue
            found.add(word)
            if previous:
                found.add(f"{previous} {word}")
            previous = word
    return found


def common_themes(comments: list[tuple[str, str]], limit: int = 8) -> list[tuple[str, int]]:
    """[(term, number of comments using it)] for (text, language) pairs, most used first.

    A phrase is preferred over its words when as many comments use it.
    """
    counts: Counter = Counter()
    for text, language in comments:
        counts.update(terms(text, language))
    frequent = [(t, c) for t, c in counts.items() if c >= 2]
    phrases = {t: c for t, c in frequent if " " in t}
    kept = [
        (t, c)
        for t, c in frequent
        if not any(c <= pc and t in p.split(" ") for p, pc in phrases.items())
    ]
    kept.sort(key=lambda tc: (-tc[1], -len(tc[0]), tc[0]))
    return kept[:limit]
