"""A phone's language: the office's file gives it, the person's own text overrules the file."""

from __future__ import annotations

import io

import pytest
from sqlalchemy import select

from engagement.models import Contact, OutboundMessage, Response, Role, Survey, SurveyStatus
from engagement.sms.campaigns import create_campaign
from engagement.sms.contacts import import_contacts
from engagement.sms.conversation import SmsSettings
from engagement.sms.segments import segments, smart_encode
from engagement.surveys.store import set_status
from tests.sms import MORNING, SMS_CONFIG, add_contact, open_mini, text
from tests.staff import form_token, login, make_user

PHONE = "+16265550201"
OFFERS = ("¿Español? Responda ESPAÑOL.", "需要中文请回复：中文")

pytestmark = pytest.mark.app_config(**SMS_CONFIG)


@pytest.fixture
def mini_open(seeded, clock):
    open_mini(seeded, clock)
    return seeded


def contact(session) -> Contact:
    session.expire_all()
    return session.scalars(select(Contact).where(Contact.phone == PHONE)).one()


def test_a_language_from_the_file_can_be_changed_mid_survey_and_the_answer_follows(
    client, mini_open, clock
):
    add_contact(mini_open, clock, PHONE, language="en", schools=("jackson",))
    (first,) = text(client, PHONE, "mini")
    # The file said English: the other two languages are offered, each in its own words.
    assert first.startswith(
        "Mini survey. Reply STOP to opt out, HELP for help. Your answers are not kept with"
        " your phone number, and we only report group results.\n"
    )
    for offer in OFFERS:
        assert offer in first
    assert "English? Reply ENGLISH." not in first
    assert first.endswith("Did you attend a school event this year?\n1 Yes\n2 No")
    assert text(client, PHONE, "yes")[0].startswith("What grade would you give the school?")

    switched = text(client, PHONE, "ESPAÑOL")
    assert switched[0] == "A partir de ahora le escribiremos en español."
    assert switched[1].startswith("¿Qué calificación le daría a la escuela?\n1 A – Excelente")
    assert len(switched) == 2
    assert (contact(mini_open).language, contact(mini_open).language_chosen) == ("es", True)
    assert text(client, PHONE, "B")[0].startswith("Grado de su hijo")
    text(client, PHONE, "omitir")  # grade band
    text(client, PHONE, "2")  # how often
    text(client, PHONE, "omitir")  # safe
    text(client, PHONE, "omitir")  # kids
    text(client, PHONE, "omitir")  # channels
    assert text(client, PHONE, "omitir") == ["¡Gracias!"]
    response = mini_open.scalars(select(Response)).one()
    assert response.language == "es"  # counted in the language they finished in

    # Their own choice: the next survey opens without the offer.
    mini_open.expire_all()
    set_status(mini_open, "mini-2026", SurveyStatus.CLOSED)
    set_status(mini_open, "mini-2026", SurveyStatus.OPEN)
    (again,) = text(client, PHONE, "mini")
    assert again.startswith("Encuesta mini.") and not any(o in again for o in OFFERS)


def test_digits_and_codes_stay_answers_and_chinese_names_switch_outside_a_survey(
    client, mini_open, clock
):
    add_contact(mini_open, clock, PHONE, language="es", schools=("jackson",))
    text(client, PHONE, "mini")
    # "2" answers the question ("No"); it does not pick Spanish as it would on the language menu.
    assert text(client, PHONE, "2")[0].startswith("¿Qué calificación")
    assert contact(mini_open).language_chosen is False
    text(client, PHONE, "STOP")
    text(client, PHONE, "START")
    assert text(client, PHONE, "中文")[0] == "今后我们将用中文给您发短信。"
    assert contact(mini_open).language == "zh"


def test_with_no_survey_going_a_language_name_is_confirmed_in_that_language(
    client, mini_open, clock
):
    add_contact(mini_open, clock, PHONE, language=None, schools=("jackson",))
    assert text(client, PHONE, "English") == ["From now on we will text you in English."]
    assert (contact(mini_open).language, contact(mini_open).language_chosen) == ("en", True)
    (opening,) = text(client, PHONE, "mini")
    assert opening.startswith("Mini survey.") and not any(o in opening for o in OFFERS)


def test_answering_the_language_question_is_a_choice_an_import_keeps(client, mini_open, clock, app):
    add_contact(mini_open, clock, PHONE, language=None, schools=("jackson",))
    add_contact(mini_open, clock, "+16265550202", language="en", schools=("jackson",))
    text(client, PHONE, "mini")
    text(client, PHONE, "2")  # Español, from the language menu
    roster = "phone,language,schools\n(626) 555-0201,en,jackson\n(626) 555-0202,zh,jackson\n"
    with app.app_context():
        report = import_contacts(mini_open, roster, clock)
    assert (report.updated, report.kept_language) == (2, 1)
    mini_open.expire_all()
    languages = dict(mini_open.execute(select(Contact.phone, Contact.language)).all())
    # The one who chose keeps Spanish; the other takes the file's new language.
    assert languages == {PHONE: "es", "+16265550202": "zh"}


def test_an_invitation_in_the_files_language_says_how_to_change_it(app, seeded, clock):
    clock.now = MORNING
    open_mini(seeded, clock)
    from_file = add_contact(seeded, clock, "+16265550001", "zh", ("field",))
    chose = add_contact(seeded, clock, "+16265550002", "zh", ("field",))
    chose.language_chosen = True
    seeded.commit()
    with app.app_context():
        settings = SmsSettings.from_config(app.config)
        survey = seeded.scalars(select(Survey)).one()
        create_campaign(seeded, survey.id, [from_file.schools[0].id], [], clock, settings)
    bodies = {m.contact_id: m for m in seeded.scalars(select(OutboundMessage))}
    offered, plain = bodies[from_file.id].body, bodies[chose.id].body
    assert "English? Reply ENGLISH." in offered and "¿Español? Responda ESPAÑOL." in offered
    assert "需要中文" not in offered
    assert "ENGLISH" not in plain and plain in offered.replace(
        "\nEnglish? Reply ENGLISH.\n¿Español? Responda ESPAÑOL.", ""
    )
    # The offer costs a segment more, and the queued message counts it.
    assert bodies[from_file.id].segments == segments(smart_encode(offered))
    assert segments(smart_encode(offered)) > segments(smart_encode(plain))


def test_a_reimport_command_says_how_many_kept_their_own_language(
    runner, mini_open, clock, tmp_path
):
    add_contact(mini_open, clock, PHONE, language="zh", schools=("jackson",))
    found = contact(mini_open)
    found.language_chosen = True
    mini_open.commit()
    roster = tmp_path / "roster.csv"
    roster.write_text("phone,language\n(626) 555-0201,en\n", encoding="utf-8")
    result = runner.invoke(args=["sms", "import-contacts", str(roster)])
    assert result.exit_code == 0, result.output
    assert "1 contact(s) kept the language they texted us instead of the file's." in result.output
    assert contact(mini_open).language == "zh"


def test_the_import_page_says_who_kept_their_own_language(client, mini_open, clock):
    add_contact(mini_open, clock, PHONE, language="zh", schools=("jackson",))
    contact(mini_open).language_chosen = True
    mini_open.commit()
    make_user(mini_open, clock, "designer@example.org", Role.DESIGNER)
    login(client, "designer@example.org")
    page = "/admin/sms/contacts/import"
    data = {
        "csrf_token": form_token(client, page),
        "file": (io.BytesIO(b"phone,language,role\n(626) 555-0201,es,guardian\n"), "roster.csv"),
    }
    done = client.post(page, data=data, content_type="multipart/form-data")
    assert done.status_code == 200, done.text
    assert "1 contact kept the language they chose by text, not the file's" in done.text
    found = contact(mini_open)
    assert (found.language, found.role) == ("zh", "guardian")  # the rest of the row applies


@pytest.fixture
def keywords_open(seeded, clock):
    """The mini survey with a keyword of its own in Spanish and in Chinese."""
    from dataclasses import replace

    from engagement.surveys.store import save_definition
    from tests.support import mini

    definition = replace(mini(), sms_keyword_in={"es": "CORTA", "zh": "小调查"})
    save_definition(seeded, definition, clock)
    set_status(seeded, "mini-2026", SurveyStatus.OPEN)
    return seeded


def test_a_keyword_in_spanish_or_chinese_starts_the_survey_in_that_language(
    client, keywords_open, clock
):
    """No language question first: the word already said which."""
    (first,) = text(client, PHONE, "Corta")
    assert first.startswith("Encuesta mini. Responda STOP")
    assert first.endswith(
        "¿Sobre qué escuela son sus respuestas? Responda con el nombre de la escuela"
        " (en español o en inglés)."
    )
    assert (contact(keywords_open).language, contact(keywords_open).language_chosen) == ("es", True)
    # On a flyer: the Chinese keyword, then the school.
    (chinese,) = text(client, "+16265550299", "小调查 杰克逊")
    assert chinese.startswith("小调查。回复 STOP 退订") and "您今年参加过学校活动吗？" in chinese
    assert "\n您的回答是关于杰克逊小学的。\n" in chinese  # which school was understood
    # As Chinese is written, with no space; or a name two schools share: asked which.
    assert "\n您的回答是关于菲尔德小学的。\n" in text(client, "+16265550296", "小调查菲尔德")[0]
    (which,) = text(client, "+16265550295", "小调查，华盛顿")
    assert which.endswith("请回复学校前面的数字。\n1 华盛顿小学\n2 华盛顿初中")
    assert text(client, "+16265550295", "2")[0].startswith("您的回答是关于华盛顿初中的。\n")
    # The keyword and the school in Traditional characters.
    assert "\n您的回答是关于杰克逊小学的。\n" in text(client, "+16265550292", "小調查 傑克遜")[0]
    # More words that name no school: the survey starts in Spanish and asks which school.
    (asked,) = text(client, "+16265550294", "corta por favor")
    assert asked.startswith("Encuesta mini.") and asked.endswith("(en español o en inglés).")
    # A longer word is not the keyword: "cortas" starts nothing.
    assert text(client, "+16265550293", "cortas")[0].startswith("We did not recognise that.")
    # Someone who chose English themselves stays in English whatever word they text.
    add_contact(keywords_open, clock, "+16265550298", language="en", schools=("field",))
    chosen = keywords_open.scalars(select(Contact).where(Contact.phone == "+16265550298")).one()
    chosen.language_chosen = True
    keywords_open.commit()
    assert text(client, "+16265550298", "CORTA")[0].startswith("Mini survey.")
    # The English keyword still asks the language of a phone we do not know.
    assert text(client, "+16265550297", "MINI")[0].startswith("Reply 1 for English.")


def test_texts_name_the_keyword_of_their_language(client, keywords_open, clock):
    add_contact(keywords_open, clock, PHONE, language="es", schools=("field",))
    assert "envíe CORTA" in text(client, PHONE, "hola")[0]  # nothing going: how to start
    add_contact(keywords_open, clock, "+16265550298", language="zh", schools=("field",))
    assert "请发送 小调查" in text(client, "+16265550298", "你好")[0]


def test_a_keyword_in_any_language_is_one_survey_s_only(keywords_open, clock):
    from dataclasses import replace

    from engagement.models import Survey
    from engagement.surveys.store import KeywordTaken, check_keyword_free
    from tests.support import mini

    other = Survey(slug="other-2026", title={"en": "Other"}, audience="parent")
    other.school_year, other.status, other.created_at = "2026-27", SurveyStatus.DRAFT, clock()
    keywords_open.add(other)
    keywords_open.flush()
    taking = replace(mini(), slug="other-2026", sms_keyword="OTHER", sms_keyword_in={"es": "corta"})
    with pytest.raises(KeywordTaken) as taken:
        check_keyword_free(keywords_open, other, taking)
    assert (taken.value.keyword, taken.value.slug) == ("CORTA", "mini-2026")
    check_keyword_free(keywords_open, other, replace(taking, sms_keyword_in={"es": "OTRA"}))
