"""Opting out in plain words: asked about the texts themselves, in three languages."""

import pytest

from engagement.sms.keywords import Keyword, keyword_of, language_named


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("Please stop texting me", "en"),
        ("Don't text me again!", "en"),
        ("Stop sending me messages", "en"),
        ("No more texts please", "en"),
        ("unsubscribe me", "en"),
        ("No me manden más mensajes", "es"),
        ("Dejen de enviarme mensajes", "es"),
        ("no me escriban", "es"),
        ("不要再给我发短信", "zh"),
        ("请不要再发信息了", "zh"),
        ("我不想收到短信", "zh"),
        ("ya no quiero recibir mensajes", "es"),
        ("Basta", "es"),
        ("请不要再发了", "zh"),
        ("别发了", "zh"),
        ("取消", "zh"),
        ("TD", "zh"),  # how Chinese carriers' own texts say to unsubscribe
        ("退訂", "zh"),  # Traditional characters, as many grandparents write
        ("請不要再發短信給我", "zh"),
    ],
)
def test_a_request_to_stop_the_texts_is_an_opt_out(text, language):
    assert keyword_of(text) == (Keyword.STOP, language)


@pytest.mark.parametrize(
    "text",
    [
        "stop the bullying",
        "Teachers don't text parents enough",
        "students should stop texting in class",
        "Dejen de enviar tanta tarea",
        "quiero que paren el acoso",
        "no",
        "more evening events, " * 10,  # long comments are answers
        "希望学校不要再发生欺凌",  # that bullying stop (发生), not the texts
        "no quiero que haya acoso",
    ],
)
def test_answers_that_mention_stopping_are_answers(text):
    assert keyword_of(text) is None


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("Español por favor", "es"),
        ("en español", "es"),
        ("Chino", "zh"),
        ("in English please", "en"),
        ("用中文", "zh"),
        ("ENGLISH", "en"),
    ],
)
def test_a_language_asked_for_by_name(text, language):
    assert language_named(text) == language


@pytest.mark.parametrize("text", ["2", "en", "enero", "spanish class is hard", "中文老师很好"])
def test_answers_are_not_language_requests(text):
    assert language_named(text) is None


@pytest.mark.parametrize(
    ("text", "keyword"),
    [("幫助", Keyword.HELP), ("跳過", Keyword.SKIP), ("退訂", Keyword.STOP)],
)
def test_keywords_in_traditional_characters(text, keyword):
    assert keyword_of(text)[0] is keyword


def test_a_language_asked_for_in_traditional_characters():
    assert language_named("請用中文") == "zh" and language_named("國語") == "zh"
