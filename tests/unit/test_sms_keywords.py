"""Opting out in plain words: asked about the texts themselves, in three languages."""

import pytest

from engagement.sms.keywords import Keyword, keyword_of


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
    ],
)
def test_answers_that_mention_stopping_are_answers(text):
    assert keyword_of(text) is None
