"""The command line: validate and load templates, open and close surveys, seed the roster."""

from sqlalchemy import func, select

from engagement.models import Indicator, School, Survey, SurveyStatus, SurveyVersion
from tests.support import FIXTURES


def test_seed_domain_loads_schools_and_framework_and_is_repeatable(runner, session):
    first = runner.invoke(args=["seed", "domain"])
    assert first.exit_code == 0, first.output
    assert "schools: 26 added, 0 updated; indicators: 22" in first.output
    again = runner.invoke(args=["seed", "domain"])
    assert "schools: 0 added, 0 updated" in again.output
    assert session.scalar(select(func.count()).select_from(School)) == 26
    bullying = session.scalars(select(Indicator).where(Indicator.key == "bullying")).one()
    assert bullying.direction.value == "lower" and bullying.result_area.code == "C"


def test_validate_reports_every_problem_and_exits_non_zero(runner, tmp_path):
    bad = tmp_path / "bad.yaml"
    text = (FIXTURES / "mini.yaml").read_text(encoding="utf-8")
    text = text.replace('zh: "您今年参加过学校活动吗？"', "zh: ''").replace(
        "indicator: school_rating", "indicator: school_mood"
    )
    bad.write_text(text, encoding="utf-8")
    result = runner.invoke(args=["surveys", "validate", str(bad), str(FIXTURES / "mini.yaml")])
    assert result.exit_code == 1
    assert f"{bad}: question attended: text: missing translation for zh (中文)" in result.output
    assert f"{bad}: question grade: indicator: unknown indicator 'school_mood'" in result.output
    assert "2 problem(s) in 2 file(s)." in result.output


def test_validate_passes_good_files(runner):
    result = runner.invoke(args=["surveys", "validate", str(FIXTURES / "mini.yaml")])
    assert result.exit_code == 0 and "1 file(s) valid." in result.output


def test_load_creates_a_version_once_and_open_close(runner, seeded):
    path = str(FIXTURES / "mini.yaml")
    created = runner.invoke(args=["surveys", "load", path, "--open"])
    assert created.exit_code == 0, created.output
    assert "mini-2026: version 1 created" in created.output
    unchanged = runner.invoke(args=["surveys", "load", path])
    assert "mini-2026: version 1 unchanged" in unchanged.output
    assert seeded.scalar(select(func.count()).select_from(SurveyVersion)) == 1
    assert seeded.scalars(select(Survey)).one().status is SurveyStatus.OPEN

    closed = runner.invoke(args=["surveys", "close", "mini-2026"])
    assert closed.exit_code == 0
    seeded.expire_all()
    assert seeded.scalars(select(Survey)).one().status is SurveyStatus.CLOSED
    window = runner.invoke(args=["surveys", "open", "mini-2026", "--closes", "2027-01-31"])
    assert window.exit_code == 0
    seeded.expire_all()
    survey = seeded.scalars(select(Survey)).one()
    assert survey.closes_at.isoformat() == "2027-01-31T08:00:00+00:00"  # midnight in Pasadena


def test_load_refuses_an_invalid_file_and_loads_nothing(runner, seeded, tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("slug: x\n", encoding="utf-8")
    result = runner.invoke(args=["surveys", "load", str(FIXTURES / "mini.yaml"), str(bad)])
    assert result.exit_code == 1 and "nothing was loaded" in result.output
    assert seeded.scalar(select(func.count()).select_from(Survey)) == 0


def test_export_round_trips(runner, seeded, tmp_path):
    runner.invoke(args=["surveys", "load", str(FIXTURES / "mini.yaml")])
    exported = runner.invoke(args=["surveys", "export", "mini-2026"])
    assert exported.exit_code == 0
    again = tmp_path / "again.yaml"
    again.write_text(exported.output, encoding="utf-8")
    reloaded = runner.invoke(args=["surveys", "load", str(again)])
    assert "mini-2026: version 1 unchanged" in reloaded.output


def test_unknown_survey_commands_fail_cleanly(runner, seeded):
    for args in (
        ["surveys", "close", "nope"],
        ["surveys", "open", "nope"],
        ["surveys", "export", "nope"],
    ):
        result = runner.invoke(args=args)
        assert result.exit_code != 0 and "no survey 'nope'" in result.output


def test_demo_responses_go_through_the_engine_once(runner, seeded):
    runner.invoke(args=["surveys", "load", str(FIXTURES / "mini.yaml"), "--open"])
    first = runner.invoke(args=["seed", "demo", "--per-school", "2"])
    assert first.exit_code == 0 and "added" in first.output
    from engagement.models import Response

    count = seeded.scalar(select(func.count()).select_from(Response))
    assert count >= 26
    again = runner.invoke(args=["seed", "demo"])
    assert "already present" in again.output
    assert seeded.scalar(select(func.count()).select_from(Response)) == count
