"""Survey versions and the response lifecycle against a real database."""

import threading

import pytest
from sqlalchemy import func, select

from engagement.delivery.service import (
    AlreadyCompleted,
    DraftChanged,
    IncompleteResponse,
    SurveyClosed,
    SurveyNotOpenYet,
    UnknownSchool,
    UnknownSurvey,
    complete_response,
    load_draft,
    open_draft,
    save_answers,
    start_response,
    submit_page,
)
from engagement.models import (
    Answer,
    Channel,
    Choice,
    Contact,
    Conversation,
    ConversationStatus,
    ConversationStep,
    Question,
    RespondentGroup,
    Response,
    ResponseDraft,
    Survey,
    SurveyStatus,
    SurveyVersion,
)
from engagement.surveys.store import save_definition, set_status
from tests.support import mini


@pytest.fixture
def survey(seeded, clock):
    save_definition(seeded, mini(), clock)
    set_status(seeded, "mini-2026", SurveyStatus.OPEN)
    return "mini-2026"


def count(session, model):
    return session.scalar(select(func.count()).select_from(model))


def test_saving_an_unchanged_definition_creates_nothing(seeded, clock):
    first = save_definition(seeded, mini(), clock)
    again = save_definition(seeded, mini(), clock)
    assert (first.version_number, first.created) == (1, True)
    assert (again.version_number, again.created) == (1, False)
    assert count(seeded, SurveyVersion) == 1
    assert count(seeded, Question) == len(mini().questions)


def test_question_rows_carry_indicator_choices_and_favourable_values(seeded, clock):
    save_definition(seeded, mini(), clock)
    grade = seeded.scalars(select(Question).where(Question.key == "grade")).one()
    assert grade.indicator.key == "school_rating"
    indicator_key = (
        seeded.execute(
            select(Question.key)
            .where(Question.indicator_id.is_not(None))
            .order_by(Question.position)
        )
        .scalars()
        .all()
    )
    assert indicator_key == ["attended", "grade"]
    choices = seeded.scalars(
        select(Choice).where(Choice.question_id == grade.id).order_by(Choice.position)
    ).all()
    assert [(c.code, c.value, c.favourable, c.not_applicable) for c in choices] == [
        ("A", 4, True, False),
        ("B", 3, True, False),
        ("C", 2, False, False),
        ("D", 1, False, False),
        ("F", 0, False, False),
        ("na", 9, False, True),
    ]
    assert choices[0].label == {"en": "A – Excellent", "es": "A – Excelente", "zh": "A – 优秀"}


def test_an_edited_survey_gets_a_new_version_and_old_responses_keep_theirs(survey, seeded, clock):
    draft = start_response(seeded, survey, "jackson", "es", Channel.WEB, clock)
    save_answers(seeded, draft.token, {"attended": 1, "grade": 4}, clock)
    old_response = complete_response(seeded, draft.token, clock)

    edited = mini().to_dict()
    edited["sections"][0]["questions"][0]["text"]["en"] = "Did you go to a school event?"
    from engagement.surveys import definition_from_dict

    result = save_definition(seeded, definition_from_dict(edited), clock)
    assert (result.version_number, result.created) == (2, True)
    new_draft = start_response(seeded, survey, "jackson", "en", Channel.WEB, clock)
    versions = seeded.execute(select(SurveyVersion.number).order_by(SurveyVersion.number)).scalars()
    assert list(versions) == [1, 2]
    assert seeded.get(Response, old_response.id).version.number == 1
    assert seeded.get(ResponseDraft, new_draft.id).version.number == 2


def test_complete_writes_one_response_with_its_answers(survey, seeded, clock):
    draft = start_response(seeded, survey, "field", "zh", Channel.WEB, clock)
    clock.advance(minutes=5)
    answers = {
        "attended": 1,
        "grade": 3,
        "band": 2,
        "how_often": 2,
        "kids": 2,
        "channels": (1, 2),
        "comment": "老师很好 =SUM(A1)",
    }
    save_answers(seeded, draft.token, answers, clock)
    response = complete_response(seeded, draft.token, clock)

    stored = seeded.get(Response, response.id)
    assert (stored.language, stored.channel, stored.role, stored.grade_band) == (
        "zh",
        Channel.WEB,
        "parent",
        "6-8",
    )
    # Days only (five minutes apart here): no exact time to match against a log or a phone.
    assert stored.started_at == stored.completed_at
    assert stored.completed_at.time().isoformat() == "00:00:00"
    rows = seeded.execute(
        select(Question.key, Answer.ordinal, Answer.value_number, Answer.value_text)
        .join(Question, Question.id == Answer.question_id)
        .where(Answer.response_id == stored.id)
        .order_by(Question.position, Answer.ordinal)
    ).all()
    assert rows == [
        ("attended", 0, 1.0, None),
        ("grade", 0, 3.0, None),
        ("band", 0, 2.0, None),
        ("how_often", 0, 2.0, None),
        ("kids", 0, 2.0, None),
        ("channels", 0, 1.0, None),
        ("channels", 1, 2.0, None),
        ("comment", 0, None, "老师很好 =SUM(A1)"),
    ]


@pytest.mark.parametrize(
    "comment",
    ["NULL", '{"a", b}', "back\\slash, comma", "line\nbreak 😀", '=HYPERLINK("x")'],
)
def test_a_text_answer_that_looks_like_array_syntax_is_stored_as_typed(
    survey, seeded, clock, comment
):
    draft = start_response(seeded, survey, "field", "es", Channel.WEB, clock)
    save_answers(seeded, draft.token, {"attended": 1, "grade": 3, "comment": comment}, clock)
    response = complete_response(seeded, draft.token, clock)
    stored = seeded.execute(
        select(Question.key, Answer.value_number, Answer.value_text)
        .join(Question, Question.id == Answer.question_id)
        .where(Answer.response_id == response.id)
        .order_by(Question.position)
    ).all()
    assert stored == [("attended", 1.0, None), ("grade", 3.0, None), ("comment", None, comment)]


def test_a_new_respondent_group_is_added_before_the_draft_is_claimed(survey, seeded, clock):
    draft = start_response(seeded, survey, "field", "zh", Channel.WEB, clock)
    save_answers(seeded, draft.token, {"attended": 1, "grade": 3, "band": 2}, clock)
    assert count(seeded, RespondentGroup) == 0
    response = complete_response(seeded, draft.token, clock)
    group = seeded.get(RespondentGroup, response.group_id)
    assert (group.language, group.grade_band) == ("zh", "6-8")
    assert seeded.get(ResponseDraft, draft.id).completed
    assert count(seeded, Answer) == 3


def test_responses_with_the_same_school_language_channel_role_and_band_share_a_group(
    survey, seeded, clock
):
    def complete(school, language, channel, answers):
        draft = start_response(seeded, survey, school, language, channel, clock)
        save_answers(seeded, draft.token, {"attended": 0, "grade": 2, **answers}, clock)
        return complete_response(seeded, draft.token, clock).id

    first = complete("field", "es", Channel.WEB, {"band": 2})
    same = complete("field", "es", Channel.WEB, {"band": 2})
    no_band = complete("field", "es", Channel.WEB, {})
    by_sms = complete("field", "es", Channel.SMS, {"band": 2})
    other_school = complete("blair", "es", Channel.WEB, {"band": 2})
    group_of = dict(seeded.execute(select(Response.id, Response.group_id)).all())
    assert group_of[first] == group_of[same]
    assert len({group_of[r] for r in (first, no_band, by_sms, other_school)}) == 4
    assert count(seeded, RespondentGroup) == 4
    # A group's columns are its responses' own ("" standing for no grade band).
    mismatched = seeded.scalar(
        select(func.count())
        .select_from(Response)
        .join(RespondentGroup, RespondentGroup.id == Response.group_id)
        .where(
            (RespondentGroup.school_id != Response.school_id)
            | (RespondentGroup.language != Response.language)
            | (RespondentGroup.channel != Response.channel)
            | (RespondentGroup.role != Response.role)
            | (RespondentGroup.grade_band != func.coalesce(Response.grade_band, ""))
        )
    )
    assert mismatched == 0
    assert seeded.get(RespondentGroup, group_of[no_band]).grade_band == ""
    answers = seeded.execute(select(Answer.response_id, Answer.group_id)).all()
    assert len(answers) >= 10 and all(group_of[r] == g for r, g in answers)


def test_an_answer_cannot_name_a_group_other_than_its_responses(survey, seeded, clock):
    """Reports count answers by their own group column: the database keeps it the response's."""
    from sqlalchemy import insert
    from sqlalchemy.exc import IntegrityError

    def complete(school):
        draft = start_response(seeded, survey, school, "en", Channel.WEB, clock)
        save_answers(seeded, draft.token, {"attended": 0, "grade": 2}, clock)
        return complete_response(seeded, draft.token, clock)

    one, other = complete("field"), complete("blair")
    question = seeded.scalars(select(Question.id).where(Question.key == "safe")).first()
    row = {"response_id": one.id, "question_id": question, "ordinal": 0, "value_number": 1.0}
    with pytest.raises(IntegrityError):
        seeded.execute(insert(Answer), [{**row, "group_id": other.group_id}])
    seeded.rollback()
    seeded.execute(insert(Answer), [{**row, "group_id": one.group_id}])
    seeded.delete(seeded.get(Response, one.id))  # its answers go with it, in the database
    seeded.commit()
    assert count(seeded, Answer) == 2


def test_completed_draft_keeps_nothing_that_links_it_to_the_response(survey, seeded, clock):
    draft = start_response(seeded, survey, "field", "zh", Channel.SMS, clock)
    save_answers(seeded, draft.token, {"attended": 1, "grade": 3}, clock)
    response = complete_response(seeded, draft.token, clock)
    seeded.expire_all()
    tombstone = seeded.get(ResponseDraft, draft.id)
    assert tombstone.completed and tombstone.answers == {}
    assert tombstone.created_at.time().isoformat() == "00:00:00"
    assert seeded.get(Response, response.id).started_at.time().isoformat() == "00:00:00"


def test_completing_twice_creates_one_response(survey, seeded, clock):
    draft = start_response(seeded, survey, "jackson", "en", Channel.WEB, clock)
    save_answers(seeded, draft.token, {"attended": 0, "grade": 4}, clock)
    complete_response(seeded, draft.token, clock)
    with pytest.raises(AlreadyCompleted):
        complete_response(seeded, draft.token, clock)
    with pytest.raises(AlreadyCompleted):
        save_answers(seeded, draft.token, {"grade": 1}, clock)
    assert count(seeded, Response) == 1
    assert count(seeded, Answer) == 2


def together(engine, count: int, work) -> list[str]:
    """Run work(session, wait) in `count` threads at once; what each ended in.

    `wait` is a barrier: each thread calls it once it is ready to race the others.
    """
    from sqlalchemy.orm import Session

    outcomes = []
    barrier = threading.Barrier(count)

    def run():
        with Session(engine) as own:
            try:
                work(own, barrier.wait)
                outcomes.append("created")
            except (AlreadyCompleted, DraftChanged) as refused:
                outcomes.append(type(refused).__name__)
            except Exception as error:  # SQLite may refuse a second writer outright
                outcomes.append(type(error).__name__)

    threads = [threading.Thread(target=run) for _ in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return outcomes


def test_concurrent_completions_of_one_draft_create_one_response(app, survey, seeded, clock):
    draft = start_response(seeded, survey, "jackson", "en", Channel.WEB, clock)
    save_answers(seeded, draft.token, {"attended": 1, "grade": 4}, clock)

    def complete(own, wait):
        wait()
        complete_response(own, draft.token, clock)

    outcomes = together(seeded.get_bind(), 6, complete)
    assert outcomes.count("created") == 1, outcomes
    assert count(seeded, Response) == 1
    assert count(seeded, Answer) == 2


def test_a_page_written_over_a_stale_read_writes_nothing(survey, seeded, clock):
    draft = start_response(seeded, survey, "jackson", "en", Channel.WEB, clock)
    stale = load_draft(seeded, draft.token)
    save_answers(seeded, draft.token, {"attended": 0}, clock)  # another tab, in between
    with pytest.raises(DraftChanged):
        submit_page(seeded, stale, 0, {"attended": 1, "grade": 4}, clock)
    seeded.rollback()
    fresh = load_draft(seeded, draft.token)
    assert fresh.draft.answers == {"attended": 0}
    assert fresh.draft.revision == 1
    assert submit_page(seeded, fresh, 0, {"attended": 1, "grade": 4}, clock) == 1
    assert load_draft(seeded, draft.token).draft.revision == 2


def test_a_completion_over_a_stale_read_writes_nothing(survey, seeded, clock):
    draft = start_response(seeded, survey, "jackson", "en", Channel.WEB, clock)
    save_answers(seeded, draft.token, {"attended": 0, "grade": 4}, clock)
    stale = load_draft(seeded, draft.token)
    save_answers(seeded, draft.token, {"grade": 2}, clock)
    with pytest.raises(DraftChanged):
        complete_response(seeded, draft.token, clock, read=stale)
    assert count(seeded, Response) == 0
    assert not load_draft(seeded, draft.token).draft.completed
    # Once completed, the same stale read is told so, not asked to run again.
    complete_response(seeded, draft.token, clock)
    with pytest.raises(AlreadyCompleted):
        complete_response(seeded, draft.token, clock, read=load_draft(seeded, draft.token))
    assert count(seeded, Response) == 1
    assert {a.value_number for a in seeded.scalars(select(Answer))} == {0, 2}


def test_a_second_write_in_one_request_names_the_first(survey, seeded, clock):
    """An SMS turn saves the last answer, then completes, from one read."""
    draft = start_response(seeded, survey, "field", "zh", Channel.SMS, clock)
    state = load_draft(seeded, draft.token)
    save_answers(seeded, draft.token, {"attended": 1, "grade": 3}, clock, read=state)
    complete_response(seeded, draft.token, clock, read=state)
    assert count(seeded, Response) == 1


def test_concurrent_final_pages_read_without_a_lock_create_one_response(app, survey, seeded, clock):
    draft = start_response(seeded, survey, "jackson", "en", Channel.WEB, clock)
    save_answers(seeded, draft.token, {"attended": 0, "grade": 4}, clock)

    def final_page(own, wait):
        state = open_draft(own, draft.token, clock())  # as a page reads it: no lock
        wait()
        submit_page(own, state, 1, {"safe": 4}, clock)

    outcomes = together(seeded.get_bind(), 6, final_page)
    assert outcomes.count("created") == 1, outcomes
    assert count(seeded, Response) == 1
    assert count(seeded, Answer) == 3


def test_incomplete_response_names_the_missing_required_questions(survey, seeded, clock):
    draft = start_response(seeded, survey, "jackson", "en", Channel.WEB, clock)
    save_answers(seeded, draft.token, {"attended": 1}, clock)
    with pytest.raises(IncompleteResponse) as error:
        complete_response(seeded, draft.token, clock)
    assert error.value.missing == ["grade"]
    assert count(seeded, Response) == 0


def test_submit_page_moves_on_prunes_hidden_answers_and_completes_at_the_end(survey, seeded, clock):
    draft = start_response(seeded, survey, "jackson", "en", Channel.WEB, clock)

    def submit(index, answers):
        state = load_draft(seeded, draft.token, lock=True)
        return submit_page(seeded, state, index, answers, clock)

    assert submit(0, {"attended": 1, "grade": 4, "band": None}) == 1
    save_answers(seeded, draft.token, {"how_often": 3}, clock)
    submit(0, {"attended": 0, "grade": 4})
    state = load_draft(seeded, draft.token)
    assert state.draft.answers == {"attended": 0, "grade": 4}
    assert state.draft.furthest_section == 1
    assert count(seeded, Response) == 0
    assert submit(1, {"safe": 5}) is None
    response = seeded.scalars(select(Response)).one()
    assert len(response.answers) == 3  # the last page's answer is in the same transaction


def test_unknown_or_closed_surveys_and_unknown_schools(survey, seeded, clock):
    with pytest.raises(UnknownSurvey):
        start_response(seeded, "nope", "jackson", "en", Channel.WEB, clock)
    with pytest.raises(UnknownSchool):
        start_response(seeded, survey, "hogwarts", "en", Channel.WEB, clock)
    set_status(seeded, survey, SurveyStatus.CLOSED)
    with pytest.raises(SurveyClosed):
        start_response(seeded, survey, "jackson", "en", Channel.WEB, clock)
    set_status(seeded, survey, SurveyStatus.DRAFT)
    with pytest.raises(UnknownSurvey):
        start_response(seeded, survey, "jackson", "en", Channel.WEB, clock)


def test_survey_window_is_respected(survey, seeded, clock):
    from datetime import timedelta

    set_status(seeded, survey, SurveyStatus.OPEN, opens_at=clock() + timedelta(days=1))
    with pytest.raises(SurveyNotOpenYet):  # a SurveyClosed that says when it opens
        start_response(seeded, survey, "jackson", "en", Channel.WEB, clock)
    clock.advance(days=2)
    start_response(seeded, survey, "jackson", "en", Channel.WEB, clock)
    set_status(seeded, survey, SurveyStatus.OPEN, closes_at=clock() + timedelta(hours=1))
    clock.advance(hours=2)
    with pytest.raises(SurveyClosed):
        start_response(seeded, survey, "jackson", "en", Channel.WEB, clock)
    assert seeded.scalars(select(Survey)).one().status is SurveyStatus.OPEN


def test_surveys_left_unfinished_are_forgotten_after_the_retention_period(
    survey, seeded, clock, runner
):
    """Unfinished answers are deleted once nobody has touched them for 30 days."""
    left = start_response(seeded, survey, "field", "es", Channel.WEB, clock)
    save_answers(seeded, left.token, {"attended": 1, "comment": "mi número es 555-0101"}, clock)
    done = start_response(seeded, survey, "field", "es", Channel.WEB, clock)
    save_answers(seeded, done.token, {"attended": 0, "grade": 2}, clock)
    complete_response(seeded, done.token, clock)
    texting = start_response(seeded, survey, "jackson", "zh", Channel.SMS, clock)
    contact = Contact(phone="+16265550201", created_at=clock(), opted_out=False)
    seeded.add(contact)
    seeded.flush()
    seeded.add(
        Conversation(
            contact_id=contact.id,
            survey_id=seeded.scalars(select(Survey)).one().id,
            status=ConversationStatus.ACTIVE,
            step=ConversationStep.QUESTION,
            school_options=[],
            tries=0,
            draft_token=texting.token,
            created_at=clock(),
            updated_at=clock(),
        )
    )
    seeded.commit()
    clock.advance(days=25)
    recent = start_response(seeded, survey, "blair", "en", Channel.WEB, clock)
    clock.advance(days=6)  # the first drafts are now 31 days old, the recent one 6

    result = runner.invoke(args=["surveys", "forget-unfinished"])
    assert result.exit_code == 0, result.output
    assert "1 unfinished survey(s) left for more than 30 days forgotten" in result.output
    seeded.expire_all()
    kept = {d.token for d in seeded.scalars(select(ResponseDraft))}
    assert kept == {done.token, texting.token, recent.token}
    assert count(seeded, Response) == 1  # completed responses are never touched
    assert (
        "1 unfinished" in runner.invoke(args=["surveys", "forget-unfinished", "--days", "5"]).output
    )
    seeded.expire_all()
    assert {d.token for d in seeded.scalars(select(ResponseDraft))} == {done.token, texting.token}
