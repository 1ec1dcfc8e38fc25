"""Words that act before any survey logic: opt-out, opt-in, help and skip, in en/es/zh.

Matched against the whole message, case-, accent- and width-insensitively, as
carriers and Twilio match them. Each word also says which language it is in,
so a contact whose language is unknown is answered in the one they used.
"""

from __future__ import annotations

import re
from enum import StrEnum

from engagement.surveys import normalise


class Keyword(StrEnum):
    STOP = "stop"
    START = "start"
    HELP = "help"
    SKIP = "skip"


_WORDS: dict[Keyword, dict[str, str]] = {
    Keyword.STOP: {
        **dict.fromkeys(
            ["stop", "stopall", "unsubscribe", "cancel", "end", "quit", "revoke", "optout"], "en"
        ),
        **dict.fromkeys(
            [
                *("parar", "alto", "baja", "cancelar", "detener", "darse de baja"),
                *("basta", "ya basta", "basta ya"),
            ],
            "es",
        ),
        # TD: how Chinese carriers' texts say to unsubscribe (退订).
        **dict.fromkeys(["退订", "停止", "取消订阅", "退出", "取消", "td", "别发了"], "zh"),
    },
    Keyword.START: {
        **dict.fromkeys(["start", "unstop"], "en"),
        **dict.fromkeys(["comenzar", "iniciar", "alta"], "es"),
        **dict.fromkeys(["开始", "订阅", "重新订阅"], "zh"),
    },
    Keyword.HELP: {
        **dict.fromkeys(["help", "info"], "en"),
        **dict.fromkeys(["ayuda", "informacion"], "es"),
        **dict.fromkeys(["帮助", "求助", "说明"], "zh"),
    },
    Keyword.SKIP: {
        **dict.fromkeys(["skip", "pass", "next"], "en"),
        **dict.fromkeys(["omitir", "saltar", "siguiente"], "es"),
        **dict.fromkeys(["跳过", "略过", "下一题"], "zh"),
    },
}
_LOOKUP: dict[str, tuple[Keyword, str]] = {
    normalise(word).replace(" ", ""): (keyword, language)
    for keyword, words in _WORDS.items()
    for word, language in words.items()
}


# The answers to "which language?"; at that question "1" and "es" pick one too.
LANGUAGE_WORDS = {
    **dict.fromkeys(["1", "en", "english", "ingles", "英文", "英语"], "en"),
    **dict.fromkeys(["2", "es", "espanol", "spanish", "castellano", "西班牙语"], "es"),
    **dict.fromkeys(
        ["3", "zh", "chinese", "mandarin", "chino", "中文", "普通话", "汉语", "华语", "国语"], "zh"
    ),
}
# Whole language names change the language at any point; digits and codes could be answers.
LANGUAGE_NAMES = {
    word: language
    for word, language in LANGUAGE_WORDS.items()
    if len(word) > 2 or not word.isascii()
}


# Around a language's name: "en español", "Español por favor", "in English please", "用中文".
_AROUND_A_NAME = re.compile(r"^(en|in|用|请用)?(.+?)(porfavor|please|plz|谢谢)?$")


def language_named(text: str) -> str | None:
    """The language a message asks for by name, with or without "in ... please" around it."""
    word = compact(text)
    if word in LANGUAGE_NAMES:
        return LANGUAGE_NAMES[word]
    if len(word) > 24:
        return None
    found = _AROUND_A_NAME.fullmatch(word)
    return LANGUAGE_NAMES.get(found.group(2)) if found else None


def taken_by_the_service(word: str) -> bool:
    """Whether texting `word` does something of its own (STOP, HELP, ESPAÑOL...): no survey's."""
    return compact(word) in _LOOKUP or language_named(word) is not None


def compact(text: str) -> str:
    """The normalised message without spaces: "Stop all." -> "stopall"."""
    return normalise(text).replace(" ", "")


# Asking in plain words to stop getting texts: "please stop texting me", "no me manden más
# mensajes", "不要再发短信". About the messages themselves, so an answer such as "stop the
# bullying" is not one. Matched on the normalised text (lower case, no accents).
_STOP_REQUESTS = [
    (
        re.compile(
            r"\b(stop|quit|cease|don'?t|do not|never)\b (sending|send) me\b"
            r"|\b(stop|quit|cease|don'?t|do not|never)\b (texting|text|messaging|message|contacting"
            r"|contact) (me|us)\b"
            r"|\bstop (the|these|your) (texts|messages)\b|\bno more (texts|messages)\b"
            r"|\bunsubscribe\b|\bremove me\b|\btake me off\b"
        ),
        "en",
    ),
    (
        re.compile(
            r"\bno (me|nos) (manden|envien|escriban|mande|envie|escriba)\b"
            r"|\bdej(en|e) de (mandar|enviar|escribir)(me|nos)\b"
            r"|\bdej(en|e) de (mandar|enviar)(me|nos)? mensajes\b|\bno mas mensajes\b"
            r"|\bno (quiero|deseo) (recibir )?(mas )?(mensajes|textos)\b"
        ),
        "es",
    ),
    # 发了 / 发短信, never 发生 ("不要再发生欺凌" asks that bullying stop, not the texts).
    (
        re.compile(r"(不要|别|停止|不想)(再)?(给我)?(发|收到?)(了|短信|信息|消息)|退订"),
        "zh",
    ),
]
_LONGEST_STOP_REQUEST = 160


def keyword_of(text: str) -> tuple[Keyword, str] | None:
    """(keyword, language of the word used) when the whole message is one, or asks to stop."""
    if len(text) > _LONGEST_STOP_REQUEST:
        return None
    if len(text) <= 40 and (found := _LOOKUP.get(compact(text))) is not None:
        return found
    plain = normalise(text)
    for pattern, language in _STOP_REQUESTS:
        if pattern.search(plain):
            return Keyword.STOP, language
    return None
