"""Exact SMS segment counts: GSM-7 160/153 with two-septet extension characters, UCS-2 70/67."""

import pytest

from engagement.sms.segments import count_segments, segments


@pytest.mark.parametrize(
    ("text", "encoding", "units", "parts"),
    [
        ("", "GSM-7", 0, 1),
        ("a" * 160, "GSM-7", 160, 1),
        ("a" * 161, "GSM-7", 161, 2),
        ("a" * 306, "GSM-7", 306, 2),
        ("a" * 307, "GSM-7", 307, 3),
        ("{" * 80, "GSM-7", 160, 1),  # extension characters count twice
        ("a" * 159 + "€", "GSM-7", 161, 2),
        # an escape pair is never split: 152 + "^" (2) does not fit in 153
        ("a" * 152 + "^" + "a" * 10, "GSM-7", 164, 2),
        ("a" * 152 + "^" + "a" * 152, "GSM-7", 306, 3),
        ("¿Qué tal? Ñandú", "UCS-2", 15, 1),  # ú forces UCS-2
        ("Sí", "UCS-2", 2, 1),
        ("é è ñ ü à ¿ ¡", "GSM-7", 13, 1),  # these are in the GSM alphabet
        ("中" * 70, "UCS-2", 70, 1),
        ("中" * 71, "UCS-2", 71, 2),
        ("中" * 134, "UCS-2", 134, 2),
        ("中" * 135, "UCS-2", 135, 3),
        ("🙂" * 35, "UCS-2", 70, 1),  # an emoji is two UTF-16 code units
        ("a" + "🙂" * 33 + "b" * 2, "UCS-2", 69, 1),
        ("a" * 66 + "🙂" + "a" * 10, "UCS-2", 78, 2),  # surrogate pair not split
    ],
)
def test_counts(text, encoding, units, parts):
    counted = count_segments(text)
    assert (counted.encoding, counted.units, counted.segments) == (encoding, units, parts)
    assert segments(text) == parts


def test_accented_vowels_each_force_ucs2():
    for letter in "áíóúÁÍÓÚ":
        assert count_segments("a" * 100 + letter).segments == 2


def test_smart_encoding_keeps_english_prompts_in_gsm7():
    from engagement.sms.segments import smart_encode

    label = "1 A \u2013 Excellent \u201cgreat\u201d \u2026"
    assert count_segments(label).encoding == "UCS-2"
    assert smart_encode(label) == '1 A - Excellent "great" ...'
    assert count_segments(smart_encode(label)).encoding == "GSM-7"


def test_smart_encoding_leaves_a_text_that_stays_ucs2_as_written():
    from engagement.sms.segments import smart_encode

    chinese = "回复“帮助”获取帮助…"
    assert smart_encode(chinese) == chinese  # the quotes would save nothing, "..." costs two
    assert count_segments(smart_encode(chinese)).encoding == "UCS-2"
