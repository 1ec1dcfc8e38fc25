"""Hand-computed expectations for every metric and indicator on four respondents."""

import pytest
from sqlalchemy import select

from engagement.models import ReportBuild, ResponseOutcome, Survey
from engagement.reporting import cube
from engagement.reporting.metrics import Filters
from engagement.reporting.outcomes import rescore_version
from engagement.reporting.service import CellSizes, summary, survey_report
from engagement.surveys.store import latest_version
from tests.support import FIXTURES, open_survey, respond

EVERYONE = CellSizes(default=1, staff=1)

# Four families at Jackson; the comments below each are the hand computation.
ANSWERS = [
    # engaged (activities), A, connected (5 and reverse 1 -> 5), not bullied, needs met,
    # insured, preschool, hears by text and email
    {
        "band": 1,
        "fe_school_activities": 1,
        "fe_committees": 0,
        "fe_conferences": 0,
        "school_grade": 4,
        "sc_belong": 5,
        "sc_left_out": 1,
        "bullied_in_person": 1,
        "bullied_online": 1,
        "went_without_food": 0,
        "insured": 1,
        "preschool": 1,
        "hear_from": [1, 2],
        "kids": 2,
    },
    # not engaged, B, not connected (4 and reverse 4 -> 2: mean 3), bullied (2),
    # went without food, uninsured, no preschool, hears by none
    {
        "band": 2,
        "fe_school_activities": 0,
        "fe_committees": 0,
        "fe_conferences": 0,
        "school_grade": 3,
        "sc_belong": 4,
        "sc_left_out": 4,
        "bullied_in_person": 2,
        "went_without_food": 1,
        "insured": 0,
        "preschool": 0,
        "hear_from": [3],
        "kids": 4,
    },
    # engaged (committee only), "don't know" grade, connected on one of two items (4),
    # bullied online weekly, insured
    {
        "band": 1,
        "fe_committees": 1,
        "school_grade": 9,
        "sc_belong": 4,
        "bullied_online": 5,
        "insured": 1,
        "kids": 0,
    },
    # engaged (conference only), D, connected (reverse 2 -> 4), not bullied, needs met, preschool
    {
        "band": 2,
        "fe_conferences": 1,
        "school_grade": 1,
        "sc_left_out": 2,
        "bullied_in_person": 1,
        "went_without_food": 0,
        "preschool": 1,
    },
]


@pytest.fixture
def four(seeded, clock):
    definition = open_survey(seeded, clock, FIXTURES / "report.yaml")
    for answers in ANSWERS:
        respond(seeded, clock, definition.slug, "jackson", answers)
    return definition


def rows(frame, column):
    return {row[column]: row for row in frame.to_dict("records")}


def test_indicators_are_decided_per_respondent_then_counted(app, seeded, clock, four):
    report = survey_report(seeded, four.slug, clock, EVERYONE)
    got = rows(summary(report, ["indicator"], Filters()), "indicator")
    expected = {
        "family_engagement": (4, 75.0),
        "school_rating": (3, 200 / 3),
        "school_connectedness": (4, 75.0),
        "bullying": (4, 50.0),
        "family_basic_needs": (3, 200 / 3),
        "health_insurance": (3, 200 / 3),
        "early_childhood_program_attendance": (3, 200 / 3),
    }
    assert set(got) == set(expected)
    for key, (n, pct) in expected.items():
        assert got[key]["n"] == n, key
        assert got[key]["pct_favourable"] == pytest.approx(pct), key
        assert got[key]["suppressed"] is False


def test_question_metrics_by_hand(app, seeded, clock, four):
    report = survey_report(seeded, four.slug, clock, EVERYONE)
    from engagement.reporting.metrics import question_metrics

    got = rows(question_metrics(report.cells, four, []), "question")
    # Family engagement by kind.
    assert (got["fe_school_activities"]["n"], got["fe_school_activities"]["favourable"]) == (2, 1)
    assert got["fe_committees"]["pct_favourable"] == pytest.approx(100 / 3)
    assert got["fe_conferences"]["pct_favourable"] == pytest.approx(100 / 3)
    # Grade: "don't know" out of n and the mean, kept in the distribution.
    grade = got["school_grade"]
    assert (grade["n"], grade["favourable"], grade["na"]) == (3, 2, 1)
    assert grade["mean"] == pytest.approx(8 / 3)
    assert grade["distribution"] == {1: 1, 3: 1, 4: 1, 9: 1}
    # Reverse-coded: favourable is 1-2, the mean is of flipped scores (5, 2, 4).
    left_out = got["sc_left_out"]
    assert (left_out["n"], left_out["favourable"]) == (3, 2)
    assert left_out["mean"] == pytest.approx(11 / 3)
    # Multiple choice counts respondents: 2 answered, 1 chose text or email.
    hear = got["hear_from"]
    assert (hear["n"], hear["favourable"], hear["pct_favourable"]) == (2, 1, 50.0)
    assert hear["distribution"] == {1: 1, 2: 1, 3: 1}
    # A number: mean only.
    assert got["kids"]["mean"] == pytest.approx(2.0)
    assert (
        got["kids"]["pct_favourable"] is None
        or got["kids"]["pct_favourable"] != got["kids"]["pct_favourable"]
    )


def test_response_rate_uses_enrolment_when_known(app, seeded, clock, four):
    from engagement.models import School
    from engagement.reporting.service import response_rates

    jackson = seeded.scalars(select(School).where(School.code == "jackson")).one()
    jackson.enrollment = 40
    seeded.commit()
    report = survey_report(seeded, four.slug, clock, EVERYONE)
    rates = rows(response_rates(seeded, report), "school")
    assert rates["jackson"]["responses"] == 4
    assert rates["jackson"]["rate"] == pytest.approx(10.0)
    assert rates["field"]["rate"] is None  # enrolment unknown


def test_filters_and_groups(app, seeded, clock, four):
    respond(seeded, clock, four.slug, "field", {"fe_committees": 1}, language="es", channel="sms")
    report = survey_report(seeded, four.slug, clock, EVERYONE)
    by_school = rows(summary(report, ["school", "indicator"], Filters()), "school")
    assert set(by_school) == {"jackson", "field"}
    spanish = summary(report, ["indicator"], Filters(language="es"))
    assert spanish.to_dict("records") == [
        {
            "result_area": "D",
            "indicator": "family_engagement",
            "n": 1,
            "pct_favourable": 100.0,
            "mean": None,
            "suppression": None,
            "suppressed": False,
        }
    ]
    k5 = rows(summary(report, ["indicator"], Filters(grade_band="k-5")), "indicator")
    assert k5["family_engagement"]["n"] == 2  # respondents 1 and 3
    focus = rows(summary(report, ["indicator"], Filters(tier="focus")), "indicator")
    assert focus["family_engagement"]["n"] == 4  # Jackson is a focus school, Field is not
    area = rows(summary(report, ["result_area"], Filters()), "result_area")
    assert set(area) == {"A", "B", "C", "D"}


def test_web_and_sms_answers_count_the_same(app, seeded, clock):
    definition = open_survey(seeded, clock, FIXTURES / "report.yaml")
    for channel in ("web", "sms"):
        for answers in ANSWERS:
            respond(seeded, clock, definition.slug, "jackson", answers, channel=channel)
    report = survey_report(seeded, definition.slug, clock, EVERYONE)
    by_channel = summary(report, ["channel", "question"], Filters())
    web = by_channel[by_channel["channel"] == "web"].drop(columns="channel")
    sms = by_channel[by_channel["channel"] == "sms"].drop(columns="channel")
    assert web.reset_index(drop=True).equals(sms.reset_index(drop=True))
    both = rows(summary(report, ["indicator"], Filters()), "indicator")
    assert both["family_engagement"]["n"] == 8 and both["family_engagement"]["pct_favourable"] == 75


def test_top_ups_and_rescoring_agree_with_a_full_rebuild(app, seeded, clock, four):
    survey = seeded.scalars(select(Survey)).one()
    cube.refresh(seeded, survey.id, clock)
    for answers in ANSWERS[:2]:
        respond(seeded, clock, four.slug, "field", answers, language="zh")
    state = cube.refresh(seeded, survey.id, clock)  # a top-up
    assert seeded.get(ReportBuild, survey.id).batches == 2
    topped = cube.read_cells(seeded, survey.id, ("n", "q", "m", "f", "i"))
    cube.rebuild(seeded, survey.id, clock)
    rebuilt = cube.read_cells(seeded, survey.id, ("n", "q", "m", "f", "i"))
    key = ["kind", "item", "value", "school_id", "language", "channel", "role", "grade_band"]
    assert (
        topped.sort_values(key)
        .reset_index(drop=True)
        .equals(rebuilt.sort_values(key).reset_index(drop=True))
    )
    assert state.responses == 6
    # A build whose counts do not add up (a late commit) is rebuilt, not topped up.
    seeded.get(ReportBuild, survey.id).responses = 3
    seeded.commit()
    cube.refresh(seeded, survey.id, clock)
    assert seeded.get(ReportBuild, survey.id).batches == 1
    # Outcomes stored at completion equal outcomes decided again from the answers.
    stored = set(
        seeded.execute(
            select(ResponseOutcome.response_id, ResponseOutcome.indicator, ResponseOutcome.value)
        ).all()
    )
    rescore_version(seeded, latest_version(seeded, survey.id), four)
    seeded.commit()
    again = set(
        seeded.execute(
            select(ResponseOutcome.response_id, ResponseOutcome.indicator, ResponseOutcome.value)
        ).all()
    )
    assert stored == again and len(stored) > 20


def test_pages_see_new_responses_at_once_and_late_commits_within_a_minute(
    app, seeded, clock, four, monkeypatch
):
    survey = seeded.scalars(select(Survey)).one()
    cube.refresh_once(seeded, survey.id, clock)
    assert seeded.get(ReportBuild, survey.id).responses == 4
    respond(seeded, clock, four.slug, "field", ANSWERS[0])
    cube.refresh_once(seeded, survey.id, clock)  # a response above the last counted id
    build = seeded.get(ReportBuild, survey.id)
    assert build.responses == 5
    # A response that committed late, below the last counted id: invisible to the probe.
    build.responses, build.last_response_id = 4, build.last_response_id + 1000
    seeded.commit()
    cube.refresh_once(seeded, survey.id, clock)
    assert seeded.get(ReportBuild, survey.id).responses == 4
    monkeypatch.setattr(cube, "FULL_CHECK_SECONDS", 0.0)  # a minute later
    seeded.commit()
    cube.refresh_once(seeded, survey.id, clock)
    assert seeded.get(ReportBuild, survey.id).responses == 5


def test_a_response_committing_between_the_counts_of_a_build_is_counted_again(
    app, seeded, clock, four, monkeypatch
):
    """Every count of one build reads the same responses, even when one commits mid-build.

    In SQLite the build holds the write lock, so the other completion cannot commit
    until it is done: the build counts the four it started with.
    """
    from sqlalchemy import text
    from sqlalchemy.exc import OperationalError
    from sqlalchemy.orm import Session

    from engagement.extensions import db

    sqlite = seeded.get_bind().dialect.name == "sqlite"
    survey = seeded.scalars(select(Survey)).one()
    upto = seeded.scalar(select(ReportBuild.last_response_id)) or 10_000
    counted = cube._Counts.add
    late = []

    def add_then_commit_one(self, kind, *args, **kwargs):
        counted(self, kind, *args, **kwargs)
        if kind == "n" and not late:
            # Another request completes a response whose id falls inside this build's range.
            with app.app_context(), Session(db.engine) as session:
                if sqlite:
                    session.execute(text("PRAGMA busy_timeout = 200"))
                try:
                    late.append(respond(session, clock, four.slug, "field", ANSWERS[0]).id)
                except OperationalError as error:
                    assert "locked" in str(error)
                    late.append(None)
                finally:
                    if sqlite:
                        session.rollback()
                        session.execute(text("PRAGMA busy_timeout = 10000"))

    monkeypatch.setattr(cube._Counts, "add", add_then_commit_one)
    monkeypatch.setattr(cube, "_survey_totals", lambda session, survey_id: (4, upto + 10_000))
    state = cube.rebuild(seeded, survey.id, clock)
    expected = 4 if sqlite else 5
    assert (late == [None]) if sqlite else (late and late[0] is not None)
    assert state.responses == expected
    cells = cube.read_cells(seeded, survey.id, ("n", "q"))
    assert cells[cells["kind"] == "n"]["count"].sum() == expected
    grades = cells[(cells["kind"] == "q") & (cells["item"] == "school_grade")]
    assert grades["count"].sum() == expected  # the answers counted and the count agree
