"""Exact SMS segment counts, so staff see what a question or a campaign costs before sending.

GSM-7 (GSM 03.38 default alphabet): 160 septets in one message, 153 per part when
split; characters of the extension table (^ { } \\ [ ] ~ | €, form feed) take two
septets and are never split across parts. Anything else (á í ó ú, Chinese,
emoji) makes the whole message UCS-2: 70 UTF-16 code units, 67 per part, an
emoji's surrogate pair never split.
"""

from __future__ import annotations

from dataclasses import dataclass

GSM7_BASIC = frozenset(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞ\x1bÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
GSM7_EXTENSION = frozenset("^{}\\[]~|€\f")


@dataclass(frozen=True)
class SegmentCount:
    encoding: str  # "GSM-7" or "UCS-2"
    units: int  # septets (GSM-7) or UTF-16 code units (UCS-2)
    segments: int


# What Twilio's smart encoding swaps for GSM-7 look-alikes; applied before sending, so the
# counts below are those of the text that really goes out.
_SMART = str.maketrans(
    {
        "\u2018": "'",
        "\u2019": "'",
        "\u201a": "'",
        "\u201b": "'",
        "\u2032": "'",
        "\u201c": '"',
        "\u201d": '"',
        "\u201e": '"',
        "\u2033": '"',
        "\u2013": "-",
        "\u2014": "-",
        "\u2010": "-",
        "\u2011": "-",
        "\u2012": "-",
        "\u2212": "-",
        "\u00a0": " ",
        "\u2002": " ",
        "\u2003": " ",
        "\u2009": " ",
        "\u200b": "",
        "\u2026": "...",
    }
)


def smart_encode(text: str) -> str:
    """Curly quotes, dashes and odd spaces as their GSM-7 equivalents (as Twilio would), when
    that makes the whole text GSM-7; a text that stays UCS-2 (Chinese) keeps its own marks."""
    plain = text.translate(_SMART)
    return plain if is_gsm7(plain) else text


def is_gsm7(text: str) -> bool:
    return all(ch in GSM7_BASIC or ch in GSM7_EXTENSION for ch in text)


def _split(unit_sizes: list[int], single: int, part: int) -> int:
    """Parts needed when no character (escape pair, surrogate pair) may straddle two parts."""
    total = sum(unit_sizes)
    if total == 0:
        return 1
    if total <= single:
        return 1
    parts, used = 1, 0
    for size in unit_sizes:
        if used + size > part:
            parts += 1
            used = 0
        used += size
    return parts


def count_segments(text: str) -> SegmentCount:
    """How many billable parts Twilio sends for this body (an empty body is one)."""
    if is_gsm7(text):
        sizes = [2 if ch in GSM7_EXTENSION else 1 for ch in text]
        return SegmentCount("GSM-7", sum(sizes), _split(sizes, 160, 153))
    sizes = [2 if ord(ch) > 0xFFFF else 1 for ch in text]
    return SegmentCount("UCS-2", sum(sizes), _split(sizes, 70, 67))


def segments(text: str) -> int:
    return count_segments(text).segments
