"""A survey as the respondent's phone shows it, per language, with what each text costs.

Built from the same prompts the conversation sends (`prompts`), after Twilio's
smart encoding, so the designer sees the real messages and segment counts.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from engagement.i18n import SUPPORTED_LANGUAGES
from engagement.surveys import SurveyDefinition
from engagement.surveys.flow import next_question

from . import prompts
from .segments import SegmentCount, count_segments, smart_encode


@dataclass(frozen=True)
class PreviewMessage:
    """One text: `kind` is opening, question, thanks, invitation or language."""

    kind: str
    text: str
    count: SegmentCount
    key: str | None = None
    # Asked only when an earlier answer calls for it (a skip rule).
    conditional: bool = False

    @property
    def characters(self) -> int:
        return len(self.text)


def _message(kind: str, text: str, key: str | None = None, conditional=False) -> PreviewMessage:
    sent = smart_encode(text)
    return PreviewMessage(kind, sent, count_segments(sent), key, conditional)


@dataclass(frozen=True)
class ConversationPreview:
    language: str
    # A parent who texts the keyword: the opening with the first question, each question, thanks.
    messages: list[PreviewMessage]
    # A parent invited by a campaign gets this first text instead of the opening.
    invitation: PreviewMessage

    @property
    def segments(self) -> int:
        """Every message of the conversation, every question asked (skip rules aside)."""
        return sum(m.count.segments for m in self.messages)


def language_question() -> PreviewMessage:
    """Asked first, in all three languages, when a phone's language is not known."""
    return _message("language", prompts.LANGUAGE_QUESTION)


def conversation_preview(
    definition: SurveyDefinition, office: Callable[[str], str]
) -> list[ConversationPreview]:
    """The whole conversation in each of the survey's languages (needs an app context)."""
    first = next_question(definition, {}, None)
    previews = []
    for language in (lang for lang in SUPPORTED_LANGUAGES if lang in definition.languages):
        first_text = prompts.question_text(first, language) if first else ""
        messages = [
            _message(
                "opening",
                prompts.opening(definition, language) + "\n" + first_text,
                first.key if first else None,
            )
        ]
        messages += [
            _message(
                "question",
                prompts.question_text(question, language),
                question.key,
                conditional=question.show_if is not None,
            )
            for question in definition.questions
            if first is None or question.key != first.key
        ]
        messages.append(_message("thanks", prompts.thanks(definition, language)))
        # As a contact whose language came from the contacts file gets it: with the way out.
        invitation = _message(
            "invitation",
            prompts.kept_apart(language, prompts.invitation(definition, language, office(language)))
            + "\n"
            + prompts.other_languages(language)
            + "\n"
            + first_text,
            first.key if first else None,
        )
        previews.append(ConversationPreview(language, messages, invitation))
    return previews
