"""Comment masking (en/es/zh), themes and the recorded sentiment accuracy."""

import importlib.util
from pathlib import Path

import pytest

from engagement.reporting.masking import mask
from engagement.reporting.sentiment import MEASURED_ACCURACY, MIN_ACCURACY, classify, reliable
from engagement.reporting.themes import common_themes, terms

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # English: titles, relations, phones, emails, two capitalised words mid-sentence
        (
            "Mrs. Alvarez is great and Mr Smith too.",
            "Mrs. [name] is great and Mr [name] too.",
        ),
        (
            "The teacher Ms. Lee helped my son Carlos a lot.",
            "The teacher Ms. [name] helped my son [name] a lot.",
        ),
        (
            "Call 555-201-3344 or (617) 555 0199, or write to ana.gomez@mail.com today.",
            "Call [phone] or [phone], or write to [email] today.",
        ),
        ("I talked to Ana Lucia Gomez yesterday.", "I talked to [name] yesterday."),
        ("My son is 7, in grade 3 since 2025.", "My son is 7, in grade 3 since 2025."),
        ("Thank you. Great school.", "Thank you. Great school."),
        # Spanish
        ("La maestra López es muy amable.", "La maestra [name] es muy amable."),
        (
            "Mi hija se llama Sofía y la señora Martínez la ayuda.",
            "Mi hija se llama [name] y la señora [name] la ayuda.",
        ),
        ("Hablé con el profesor Juan Pérez ayer.", "Hablé con el profesor [name] ayer."),
        ("Llame al ５５５－２０１－３３４４ por favor.", "Llame al [phone] por favor."),
        ("Mi correo: maria_r@correo.mx", "Mi correo: [email]"),
        # Chinese: surname + title, title + name, full-width phone numbers
        ("王老师很好，王小明老师也很耐心。", "[name]老师很好，[name]老师也很耐心。"),
        ("我跟老师李芳说过这件事。", "我跟老师[name]说过这件事。"),
        ("请打电话１３８１２３４５６７８或者138-1234-5678。", "请打电话[phone]或者[phone]。"),
        ("陈女士帮了很多忙。", "[name]女士帮了很多忙。"),
        # ... and no names where there are none
        (
            "数学老师和同学们都很好，全体老师辛苦了，向老师反映过，中文老师很棒。",
            "数学老师和同学们都很好，全体老师辛苦了，向老师反映过，中文老师很棒。",
        ),
        ("老师和家长要多沟通。", "老师和家长要多沟通。"),
        # A child's or one's own name, the way parents introduce themselves
        ("我是王小明的妈妈，我的女儿叫李娜。", "我是[name]的妈妈，我的女儿叫[name]。"),
        ("我叫王芳，我觉得学校的老师很好。", "我叫[name]，我觉得学校的老师很好。"),
        ("我是学生的家长，孩子的爸爸很忙。", "我是学生的家长，孩子的爸爸很忙。"),
        ("Soy la mamá y mi hija es María.", "Soy la mamá y mi hija es [name]."),
        ("Me llamo Ana y mi hijo es Juan.", "Me llamo [name] y mi hijo es [name]."),
        (
            "Hi, my name is Carlos. My daughter is Emily.",
            "Hi, my name is [name]. My daughter is [name].",
        ),
    ],
)
def test_mask(text, expected):
    assert mask(text) == expected


def test_themes_per_language():
    assert {"information", "send information", "information earlier"} <= terms(
        "Please send information earlier.", "en"
    )
    assert "the" not in terms("the information", "en")
    assert {"información", "reuniones"} <= terms("Más información sobre las reuniones", "es")
    assert "sobre" not in terms("Más información sobre las reuniones", "es")
    zh = terms("放学时校门口车太多", "zh")
    assert {"放学", "校门", "门口"} <= zh and not any("的" in t for t in terms("我的孩子", "zh"))
    themes = common_themes(
        [
            ("Pick-up traffic is dangerous.", "en"),
            ("Traffic at pick-up again.", "en"),
            ("The traffic is bad.", "en"),
            ("放学时交通很乱", "zh"),
            ("放学太乱", "zh"),
            ("Something else entirely.", "en"),
        ]
    )
    assert themes[0] == ("traffic", 3)
    assert ("放学", 2) in themes
    assert all(count >= 2 for _term, count in themes)
    # "Not safe" seven times is not a theme of "safe".
    unsafe = common_themes([("The front gate is not safe.", "en")] * 3)
    assert ("not safe", 3) in unsafe and all(term != "safe" for term, _ in unsafe)
    assert terms("El cruce no es seguro", "es") == {"cruce", "no seguro"}


def test_recorded_accuracy_matches_the_benchmark():
    spec = importlib.util.spec_from_file_location(
        "sentiment_accuracy", ROOT / "bench" / "sentiment_accuracy.py"
    )
    bench = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(bench)
    for language in ("en", "es", "zh"):
        held_out, _confusion, _errors = bench.accuracy(language, held_out=True)
        assert round(held_out, 2) == MEASURED_ACCURACY[language], language
        assert reliable(language) == (held_out >= MIN_ACCURACY)


def test_sentiment_labels():
    assert classify("The teachers are wonderful and kind.", "en") == "positive"
    assert classify("Los baños están sucios.", "es") == "negative"
    assert classify("No me gusta la comida.", "es") == "negative"
    assert classify("老师很耐心。", "zh") == "positive"
    assert classify("老师不耐心。", "zh") == "negative"
