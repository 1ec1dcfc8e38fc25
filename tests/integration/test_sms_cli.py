"""`flask sms import-contacts`, `segments` and `simulate` through the CLI runner."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from engagement.models import Contact, Response, ResponseDraft
from tests.sms import GOOD_AND_BAD, SMS_CONFIG, open_mini

pytestmark = pytest.mark.app_config(**SMS_CONFIG)


def test_a_file_with_bad_rows_imports_nothing_and_names_each_line(runner, seeded, tmp_path):
    path = tmp_path / "contacts.csv"
    path.write_text(GOOD_AND_BAD, encoding="utf-8")
    result = runner.invoke(args=["sms", "import-contacts", str(path)])
    assert result.exit_code == 1
    assert "line 5: not a valid phone number" in result.output
    assert "line 6: unknown language 'klingon'" in result.output
    assert "line 7: unknown school code 'hogwarts'" in result.output
    assert "line 8: unknown role 'pirate'" in result.output
    assert "line 9: missing phone number" in result.output
    assert "nothing was imported" in result.output
    assert "555" not in result.output  # phone numbers never appear in reports
    assert seeded.scalars(select(Contact)).all() == []

    result = runner.invoke(args=["sms", "import-contacts", str(path), "--import-valid"])
    assert result.exit_code == 0, result.output
    assert "2 contact(s) added, 0 updated, 1 duplicate row(s) merged, 5 bad row(s)" in result.output
    contacts = {c.phone: c for c in seeded.scalars(select(Contact))}
    assert set(contacts) == {"+16265550201", "+16265550102"}
    merged = contacts["+16265550201"]
    assert merged.language == "es" and merged.role == "parent"
    assert sorted(s.code for s in merged.schools) == ["blair", "field", "jackson"]
    assert contacts["+16265550102"].role == "guardian"

    # Importing again updates, adding schools, never duplicating.
    path.write_text("phone,schools\n6265550102,jackson\n", encoding="utf-8")
    result = runner.invoke(args=["sms", "import-contacts", str(path)])
    assert "0 contact(s) added, 1 updated" in result.output
    seeded.expire_all()
    again = seeded.scalars(select(Contact).where(Contact.phone == "+16265550102")).one()
    assert sorted(s.code for s in again.schools) == ["field", "jackson"]
    assert again.language == "zh"


def test_a_file_without_a_phone_column_is_refused(runner, seeded, tmp_path):
    path = tmp_path / "contacts.csv"
    path.write_text("name,school\nAna,field\n", encoding="utf-8")
    result = runner.invoke(args=["sms", "import-contacts", str(path)])
    assert result.exit_code == 1 and "phone" in result.output


def test_segments_command_reports_each_question_per_language(runner, seeded, clock):
    open_mini(seeded, clock)
    result = runner.invoke(args=["sms", "segments", "mini-2026"])
    assert result.exit_code == 0, result.output
    assert "[en] total" in result.output and "[zh] total" in result.output
    assert "  attended: 1" in result.output


def test_simulate_plays_a_phone_through_the_engine(runner, seeded, clock):
    open_mini(seeded, clock)
    from tests.sms import add_contact

    add_contact(seeded, clock, "+16265550111", None, ("field",))
    add_contact(seeded, clock, "+16265550234", None, ("field",))
    script = "\n".join(["MINI", "3", "是", "A", *["跳过"] * 6]) + "\n"
    # 555-0111 is a practice number: the whole conversation, thanked, nothing recorded.
    result = runner.invoke(args=["sms", "simulate", "--phone", "626-555-0111"], input=script)
    assert result.exit_code == 0, result.output
    assert "Reply 1 for English." in result.output
    assert "您今年参加过学校活动吗？" in result.output
    assert "谢谢！" in result.output
    assert seeded.scalar(select(func.count()).select_from(Response)) == 0
    assert seeded.scalar(select(func.count()).select_from(ResponseDraft)) == 0
    # Any other number's answers are a response like any text's.
    result = runner.invoke(args=["sms", "simulate", "--phone", "626-555-0234"], input=script)
    assert result.exit_code == 0 and "谢谢！" in result.output
    response = seeded.scalars(select(Response)).one()
    assert response.language == "zh"


def test_the_send_worker_runs_once_and_says_what_it_did(runner, seeded):
    result = runner.invoke(args=["sms", "send-worker", "--once"])
    assert result.exit_code == 0, result.output
    assert "sent 0, retrying 0, failed 0, cancelled 0, unknown 0" in result.output
