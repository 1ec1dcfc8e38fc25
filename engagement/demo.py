"""Demo responses for `make run`, made through the same engine and services as real ones."""

from __future__ import annotations

import random
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from engagement.delivery.service import (
    complete_response,
    list_open_surveys,
    save_answers,
    start_response,
)
from engagement.models import Channel, Response, School
from engagement.surveys import QuestionType, SurveyDefinition
from engagement.surveys.flow import visible_keys
from engagement.surveys.store import definition_of, latest_version

# What each audience might write, so the demo's comment pages read true.
DEMO_COMMENTS = {
    "parent": {
        "en": [
            "The teachers are kind and answer my messages quickly.",
            "Please send information earlier, I find out about events too late.",
            "Pick-up at the front gate is not safe, cars drive too fast.",
            "My child loves the after-school art program.",
        ],
        "es": [
            "Los maestros son amables y responden rápido a mis mensajes.",
            "Necesitamos más información en español sobre las reuniones.",
            "La salida de la escuela es peligrosa por el tráfico.",
            "A mi hijo le encanta el programa de arte después de clases.",
        ],
        "zh": [
            "老师们很耐心，回复消息也很及时。",
            "希望学校能更早通知活动时间。",
            "放学时校门口车太多，不太安全。",
            "孩子很喜欢课后的中文沉浸课程。",
        ],
    },
    "student": {
        "en": [
            "More clubs after school, like robotics or music.",
            "The bathrooms need to be cleaner.",
            "My science teacher makes class fun.",
            "Lunch lines are too long and we do not have time to eat.",
        ],
        "es": [
            "Más clubes después de clases, como robótica o música.",
            "Los baños deberían estar más limpios.",
            "Mi maestra de ciencias hace que la clase sea divertida.",
            "La fila del almuerzo es muy larga y no nos da tiempo de comer.",
        ],
        "zh": [
            "希望课后有更多社团，比如机器人或音乐。",
            "厕所需要更干净一些。",
            "科学老师的课很有意思。",
            "午饭排队太久，来不及吃完。",
        ],
    },
    "staff": {
        "en": [
            "We need more time to plan together during the week.",
            "Interpreters for parent meetings are hard to book.",
            "The new leadership team listens to staff.",
            "Class sizes are too large for the support we have.",
        ],
        "es": [
            "Necesitamos más tiempo para planificar juntos durante la semana.",
            "Es difícil conseguir intérpretes para las reuniones con padres.",
            "El nuevo equipo directivo escucha al personal.",
            "Los grupos son demasiado grandes para el apoyo que tenemos.",
        ],
        "zh": [
            "每周需要更多时间一起备课。",
            "家长会很难约到口译员。",
            "新的领导团队愿意倾听教职员工的意见。",
            "班级人数太多，现有的支持不够。",
        ],
    },
}


# The grade bands a school of each level teaches: an elementary school's demo families have no
# high-school children (a principal would distrust the whole page).
BANDS_OF_LEVEL = {
    "elementary": {"k-5"},
    "middle": {"6-8"},
    "high": {"9-12"},
    "k-8": {"k-5", "6-8"},
    "middle-high": {"6-8", "9-12"},
}


def random_answers(
    definition: SurveyDefinition,
    rng: random.Random,
    language: str,
    bands: set[str] | None = None,
) -> dict[str, Any]:
    """Plausible answers that follow the survey's skip rules, leaning favourable; a grade-band
    question answered from `bands` when given."""
    answers: dict[str, Any] = {}
    for question in definition.questions:
        if question.key not in visible_keys(definition, answers):
            continue
        if not question.required and rng.random() < 0.1:
            continue
        if question.type is QuestionType.TEXT:
            if rng.random() < 0.3:
                answers[question.key] = rng.choice(DEMO_COMMENTS[definition.audience][language])
        elif question.type is QuestionType.NUMBER:
            low, high = int(question.minimum or 0), int(question.maximum or 10)
            answers[question.key] = rng.randint(low, min(high, low + 10))
        elif question.type is QuestionType.MULTIPLE_CHOICE:
            plain = [c.value for c in question.choices if not c.exclusive]
            only = [c.value for c in question.choices if c.exclusive]
            if only and rng.random() < 0.15:  # "None of these": real answers have some
                answers[question.key] = [rng.choice(only)]
                continue
            answers[question.key] = sorted(rng.sample(plain, rng.randint(1, min(3, len(plain)))))
        else:
            choices = list(question.choices)
            if question.sets == "grade_band" and bands:
                choices = [c for c in choices if c.code in bands] or choices
            weights = [
                (3.0 if c.value in question.favourable else 1.0) * (0.2 if c.not_applicable else 1)
                for c in choices
            ]
            answers[question.key] = rng.choices(choices, weights)[0].value
    return answers


def add_demo_responses(
    session: Session,
    clock: Callable[[], datetime],
    per_school: int = 12,
    seed: int = 2026,
) -> int:
    """Responses to every open survey from every school, unless there are responses already."""
    if session.scalar(select(func.count()).select_from(Response)):
        return 0
    rng = random.Random(seed)
    schools = list(session.scalars(select(School).where(School.active.is_(True))))
    created = 0
    for survey in list_open_surveys(session, clock()):
        version = latest_version(session, survey.id)
        definition = definition_of(version)
        for school in schools:
            for _ in range(rng.randint(per_school // 2, per_school * 3 // 2)):
                language = rng.choices(["en", "es", "zh"], [0.6, 0.3, 0.1])[0]
                channel = Channel.SMS if rng.random() < 0.25 else Channel.WEB
                started = clock() - timedelta(days=rng.randint(1, 20), minutes=rng.randint(0, 600))
                draft = start_response(
                    session, survey.slug, school.code, language, channel, lambda s=started: s
                )
                bands = BANDS_OF_LEVEL.get(school.level)
                answers = random_answers(definition, rng, language, bands)
                save_answers(session, draft.token, answers, clock)
                complete_response(session, draft.token, clock)
                created += 1
    return created
