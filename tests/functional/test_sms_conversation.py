"""Whole SMS conversations through the signed Twilio webhook, in English, Spanish and Mandarin."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from engagement.models import (
    Answer,
    Channel,
    Contact,
    Conversation,
    ConversationStatus,
    InboundMessage,
    OptEvent,
    Question,
    Response,
    ResponseDraft,
    School,
    SurveyStatus,
)
from engagement.sms.segments import segments, smart_encode
from engagement.surveys.store import set_status
from tests.sms import SMS_CONFIG, add_contact, open_mini, post_signed, replies, text

PHONE = "+16265550201"


pytestmark = pytest.mark.app_config(**SMS_CONFIG)


@pytest.fixture
def mini_open(seeded, clock):
    open_mini(seeded, clock)
    return seeded


def stored_answers(session) -> dict[str, list]:
    rows = session.execute(
        select(Question.key, Answer.value_number, Answer.value_text)
        .join(Answer, Answer.question_id == Question.id)
        .order_by(Answer.id)
    ).all()
    found: dict[str, list] = {}
    for key, number, text_value in rows:
        found.setdefault(key, []).append(text_value if number is None else number)
    return found


def test_full_conversation_in_english_with_language_and_school_choice(client, mini_open, clock):
    add_contact(mini_open, clock, PHONE, schools=("jackson", "field"))
    first = text(client, "(626) 555-0201", "mini")
    assert first == ["Reply 1 for English.\nResponda 2 para español.\n回复 3 选择中文。"]
    school = text(client, PHONE, "1")
    assert "Which school are your answers about?" in school[0]
    assert "Mini survey. Reply STOP to opt out, HELP for help." in school[0]
    # The school list is numbered in name order: Field, then Jackson.
    assert "1 Field Elementary" in school[0] and "2 Jackson Elementary" in school[0]
    question = text(client, PHONE, "2")
    # Which school was understood, so that a wrong one can be seen; then the first question.
    assert question[0].startswith(
        "Your answers are about Jackson Elementary.\nDid you attend a school event this year?"
        "\n1 Yes\n2 No"
    )
    assert "SKIP" not in question[0]  # required
    assert text(client, PHONE, "yes")[0].startswith("What grade would you give the school?")
    # Re-prompt after a first failed try; the label's dash is sent as GSM-7 "-".
    assert "1 A - Excellent" in text(client, PHONE, "xyz")[0]
    band = text(client, PHONE, "B")
    assert band[0].startswith("Child's grade") and "Text SKIP to skip." in band[0]
    assert text(client, PHONE, "skip")[0].startswith("How often?")  # skip rule: attended=yes
    assert text(client, PHONE, "３")[0].startswith("I feel safe at school.")  # full-width 3
    assert "from 0 to 12" in text(client, PHONE, "agree")[0]
    assert "Please enter 12 or less." in text(client, PHONE, "40")[0]
    assert text(client, PHONE, "2")[0].startswith("How do you hear from school?")
    assert text(client, PHONE, "1, 2")[0].startswith("Anything else?")
    done = text(client, PHONE, "More evening events 🙂")
    assert done == ["Thanks!"]

    response = mini_open.scalars(select(Response)).one()
    assert response.channel == Channel.SMS and response.language == "en"
    assert response.school.code == "jackson"
    assert stored_answers(mini_open) == {
        "attended": [1.0],
        "grade": [3.0],
        "how_often": [3.0],
        "safe": [4.0],
        "kids": [2.0],
        "channels": [1.0, 2.0],
        "comment": ["More evening events 🙂"],
    }
    conversation = mini_open.scalars(select(Conversation)).one()
    assert conversation.status == ConversationStatus.COMPLETED
    assert conversation.draft_token is None
    assert conversation.updated_at.time().hour == 0  # cut to the day: not joinable by time
    assert "contact" not in {c.name.split("_")[0] for c in Response.__table__.columns}


def test_spanish_conversation_with_accents_and_skip_rule(client, mini_open, clock):
    add_contact(mini_open, clock, PHONE, schools=("jackson",))
    assert "Responda 2" in text(client, PHONE, "MINI")[0]
    first = text(client, PHONE, "Español")[0]
    assert first.startswith("Encuesta mini.")
    # Once the language is known, the opening says where the answers go.
    assert "Sus respuestas no se guardan con su número de teléfono" in first
    assert "¿Asistió a un evento escolar este año?\n1 Sí\n2 No" in first
    assert text(client, PHONE, "no")[0].startswith("¿Qué calificación")
    assert text(client, PHONE, "no sé")[0].startswith("Grado de su hijo")
    # attended = no hides "how often": straight to the next question
    assert text(client, PHONE, "6-8")[0].startswith("Me siento seguro")
    assert text(client, PHONE, "omitir")[0].startswith("¿Cuántos niños")
    assert text(client, PHONE, "tres")[0].startswith("Lo sentimos. Por favor, escriba un número")
    assert text(client, PHONE, "3")[0].startswith("¿Cómo recibe")
    assert text(client, PHONE, "saltar")[0].startswith("¿Algo más?")
    assert text(client, PHONE, "SKIP") == ["¡Gracias!"]
    response = mini_open.scalars(select(Response)).one()
    assert (response.language, response.grade_band) == ("es", "6-8")
    assert stored_answers(mini_open) == {
        "attended": [0.0],
        "grade": [9.0],
        "band": [2.0],
        "kids": [3.0],
    }


def test_a_phone_from_a_flyer_names_its_school_as_people_write_it(client, mini_open):
    # Not in the contacts file: it is asked for its school by name, in its language.
    text(client, PHONE, "MINI")
    assert text(client, PHONE, "2")[0].endswith(
        "\n¿Sobre qué escuela son sus respuestas? Responda con el nombre de la escuela"
        " (en español o en inglés)."
    )
    # Two schools share the name: both are offered, numbered, by their Spanish names.
    (both,) = text(client, PHONE, "Washington")
    assert "1 Escuela Primaria Washington\n2 Escuela Secundaria Washington" in both
    assert text(client, PHONE, "escuela primaria Washington")[0].startswith(
        "Sus respuestas se refieren a: Escuela Primaria Washington.\n¿Asistió"
    )
    conversation = mini_open.scalars(select(Conversation)).one()
    assert mini_open.get(School, conversation.school_id).code == "washington-es"


def test_a_grandparent_names_the_school_in_chinese(client, mini_open):
    """As the school's name is written in Chinese, however its sounds are spelt."""
    text(client, PHONE, "MINI")
    assert text(client, PHONE, "3")[0].endswith(
        "\n您的回答是关于哪所学校的？请回复学校名称（中文或英文均可）。"
    )
    (both,) = text(client, PHONE, "华盛顿")  # two schools: listed by their Chinese names
    assert both == "您的回答是关于哪所学校的？请回复学校前面的数字。\n1 华盛顿小学\n2 华盛顿初中"
    assert text(client, PHONE, "杰克森学校")[0].startswith(
        "抱歉，您的回答是关于哪所学校的？"
    )  # not one of these
    assert text(client, PHONE, "2")[0].startswith("您的回答是关于华盛顿初中的。\n您今年参加过")
    conversation = mini_open.scalars(select(Conversation)).one()
    assert mini_open.get(School, conversation.school_id).code == "washington-ms"


def test_a_school_not_found_three_times_says_how_to_name_it_with_the_keyword(client, mini_open):
    """Starting again would ask the same question: the keyword and the school skip it."""
    text(client, PHONE, "MINI")
    text(client, PHONE, "3")
    assert text(client, PHONE, "不知道")[0].startswith("抱歉，我们没有找到这所学校。")
    text(client, PHONE, "北京小学")
    (stopped,) = text(client, PHONE, "那个学校")
    assert stopped == (
        "抱歉，我们没有找到您说的学校，因此停止了这份问卷。"
        "如需重新开始，请发送“MINI”和学校名称，或致电 (626) 555-0200 寻求帮助。"
    )
    assert mini_open.scalars(select(Conversation)).one().status == ConversationStatus.ENDED
    assert text(client, PHONE, "MINI 菲尔德")[0].startswith("小调查。")  # as it says: started


def test_a_language_not_understood_three_times_stops_with_the_keyword(client, mini_open):
    text(client, PHONE, "MINI")
    assert "Reply 1 for English." in text(client, PHONE, "hmm")[0]
    text(client, PHONE, "what")
    (stopped,) = text(client, PHONE, "??")
    # The question was asked in all three languages: so is the stop.
    assert stopped.startswith(
        "Sorry, we could not understand your answer, so we stopped this survey."
        " Text MINI to start again.\n"
    )
    assert stopped.split("\n")[1:] == [
        "Lo sentimos, no pudimos entender su respuesta, así que terminamos esta encuesta."
        " Envíe MINI para empezar de nuevo.",
        "抱歉，我们无法理解您的回答，因此本次问卷已结束。回复 MINI 可重新开始。",
    ]


def test_a_chinese_school_name_from_a_phone_not_in_the_contacts(client, mini_open):
    text(client, PHONE, "MINI")
    text(client, PHONE, "3")
    assert text(client, PHONE, "杰克森")[0].startswith("您的回答是关于杰克逊小学的。\n您今年")
    conversation = mini_open.scalars(select(Conversation)).one()
    assert mini_open.get(School, conversation.school_id).code == "jackson"


def stored_draft(session):
    session.expire_all()
    return session.scalars(select(ResponseDraft)).one()


def test_mandarin_conversation(client, mini_open, clock):
    add_contact(mini_open, clock, PHONE, language="zh", schools=("field",))
    first = text(client, PHONE, "mini")[0]
    # What becomes of the answers, after a full-width full stop with no space.
    assert first.startswith(
        "小调查。回复 STOP 退订，回复“帮助”获取帮助。"
        "您的回答不会与您的电话号码一起保存，我们只公布群体的汇总结果。\n"
    )
    assert "您今年参加过学校活动吗？\n1 是\n2 否" in first
    assert text(client, PHONE, "是")[0].startswith("您会给学校打几分？")
    assert text(client, PHONE, "一")[0].startswith("孩子的年级")
    assert text(client, PHONE, "跳过")[0].startswith("多久一次？")
    assert text(client, PHONE, "经常")[0].startswith("我在学校感到安全。")
    assert text(client, PHONE, "跳过")[0].startswith("有几个孩子")
    assert text(client, PHONE, "２")[0].startswith("您通过什么方式")
    assert text(client, PHONE, "短信、电子邮件")[0].startswith("还有其他意见吗？")
    assert text(client, PHONE, "谢谢") == ["谢谢！"]
    # A last thought after the thank-you is not taken for an unknown request.
    assert text(client, PHONE, "希望学校多用中文和家长沟通🙏") == [
        "谢谢！您的回答已经提交，这条短信没有加入您的回答。"
    ]
    response = mini_open.scalars(select(Response)).one()
    assert response.language == "zh" and response.channel == Channel.SMS
    assert stored_answers(mini_open)["channels"] == [1.0, 2.0]
    assert stored_answers(mini_open)["grade"] == [4.0]


def test_a_yes_no_question_with_a_third_answer_is_reprompted_with_all_three(app):
    """ "1 for Yes or 2 for No" would leave out "3 Don't know" (the family survey's preschool)."""
    from engagement.sms import prompts
    from tests.support import TEMPLATES, template

    family = template(TEMPLATES / "family-2026.yaml")
    question = family.question("early_childhood_program")
    assert len(question.choices) == 3
    with app.test_request_context():
        said = prompts.invalid_answer(question, "es", None)
    assert said.startswith("Lo sentimos. Responda con el número de su respuesta, del 1 al 3.")


def test_three_failed_tries_skip_an_optional_question_and_pause_on_a_required_one(
    client, mini_open, clock
):
    add_contact(mini_open, clock, PHONE, language="en", schools=("field",))
    text(client, PHONE, "mini")
    # Told how to answer: a phone's reply names a choice by its number.
    assert text(client, PHONE, "maybe")[0].startswith(
        "Sorry. Please reply 1 for Yes or 2 for No.\nDid you attend a school event this year?"
    )
    # A language's name is no failed try: the count starts again in the new language.
    assert text(client, PHONE, "ESPAÑOL")[0] == "A partir de ahora le escribiremos en español."
    assert text(client, PHONE, "quizás")[0].startswith(
        "Lo sentimos. Responda 1 para Sí o 2 para No."
    )
    assert text(client, PHONE, "ENGLISH")[0] == "From now on we will text you in English."
    assert text(client, PHONE, "1")[0].startswith("What grade would you give the school?")
    text(client, PHONE, "hmm")
    text(client, PHONE, "whatever")
    paused = text(client, PHONE, "not sure yet")
    assert paused == [
        "Sorry, we could not understand your answer, so we paused this survey. "
        "Your answers so far are saved: text MINI to carry on."
    ]
    conversation = mini_open.scalars(select(Conversation)).one()
    assert conversation.status == ConversationStatus.ENDED
    assert stored_draft(mini_open).answers == {"attended": 1}  # kept, not deleted
    # In between, a text is not taken for an answer.
    assert text(client, PHONE, "B")[0].startswith("We did not recognise that.")
    # The keyword carries on where they stopped, with what they answered.
    carried = text(client, PHONE, "MINI")
    assert carried[0] == "Welcome back! Here is where you stopped."
    assert carried[1].startswith("What grade would you give the school?")
    assert text(client, PHONE, "A")[0].startswith("Child's grade")
    assert mini_open.scalars(select(Conversation)).one().status == ConversationStatus.ACTIVE
    text(client, PHONE, "zzz")
    text(client, PHONE, "zzz")
    assert text(client, PHONE, "zzz")[0].startswith(
        "We could not understand that answer, so we left this question out.\nHow often?"
    )


def test_expiry_and_resume(client, mini_open, clock):
    add_contact(mini_open, clock, PHONE, language="en", schools=("field",))
    text(client, PHONE, "mini")
    text(client, PHONE, "1")
    clock.advance(hours=40)
    # Texting the keyword again resumes at the current question.
    assert text(client, PHONE, "MINI")[0].startswith("What grade")
    assert text(client, PHONE, "A")[0].startswith("Child's grade")
    clock.advance(hours=73)
    expired = text(client, PHONE, "1")
    assert expired == ["This survey conversation timed out. Text MINI to start again."]
    assert mini_open.scalars(select(Conversation)).one().status == ConversationStatus.EXPIRED
    assert mini_open.scalar(select(func.count()).select_from(ResponseDraft)) == 0
    assert text(client, PHONE, "mini")[0].startswith("Mini survey.")


def test_survey_closing_mid_conversation_ends_it_in_their_language(client, mini_open, clock):
    add_contact(mini_open, clock, PHONE, language="zh", schools=("field",))
    text(client, PHONE, "mini")
    assert text(client, PHONE, "1")[0].startswith("您会给学校打几分")
    set_status(mini_open, "mini-2026", SurveyStatus.CLOSED)
    assert text(client, PHONE, "A") == ["本问卷已结束。感谢您的关注。"]
    assert mini_open.scalars(select(Conversation)).one().status == ConversationStatus.ENDED
    # The unfinished answers go with it, and nothing is counted.
    assert mini_open.scalar(select(func.count()).select_from(ResponseDraft)) == 0
    assert mini_open.scalar(select(func.count()).select_from(Response)) == 0


def test_stop_mid_survey_then_start_resumes(client, mini_open, clock):
    add_contact(mini_open, clock, PHONE, language="es", schools=("field",))
    text(client, PHONE, "mini")
    text(client, PHONE, "si")
    assert text(client, PHONE, "BAJA") == [
        "No recibirá más mensajes nuestros. Responda START para volver a suscribirse."
    ]
    contact = mini_open.scalars(select(Contact)).one()
    assert contact.opted_out
    assert text(client, PHONE, "A") == []  # nothing is sent to an opted-out phone
    back = text(client, PHONE, "start")
    assert back[0].startswith("Puede volver a recibir")
    assert back[1].startswith("¿Qué calificación")
    events = mini_open.scalars(select(OptEvent).order_by(OptEvent.id)).all()
    assert [(e.kind.value, e.source, e.keyword) for e in events] == [
        ("opt_out", "keyword", "BAJA"),  # the word as texted, for a compliance review
        ("opt_in", "keyword", "start"),
    ]


@pytest.mark.parametrize(
    "word",
    ["STOP", "stop all", "Unsubscribe", "cancel", "END", "quit", "PARAR", "alto", "退订", "停止"],
)
def test_stop_words_in_three_languages(client, mini_open, clock, word):
    text(client, PHONE, word)
    assert mini_open.scalars(select(Contact)).one().opted_out
    assert mini_open.scalars(select(OptEvent)).one().keyword == word


def test_help_says_who_is_asking_in_the_words_language(client, mini_open):
    assert text(client, PHONE, "HELP") == [
        "PUSD Engagement school surveys. Questions? Call (626) 555-0200. "
        "Reply STOP to opt out. Msg&data rates may apply."
    ]
    assert "(626) 555-0200" in text(client, "+16265550202", "ayuda")[0]
    (spanish,) = text(client, "+16265550202", "ayuda")
    assert spanish.startswith("PUSD Engagement: encuestas")
    assert segments(smart_encode(spanish)) == 1  # one message, not two, for a help line
    assert "(626) 555-0200" in text(client, "+16265550203", "帮助")[0]


@pytest.mark.app_config(
    **SMS_CONFIG,
    SMS_OFFICE_NAME_ES="Participación Familiar de PUSD",
    SMS_OFFICE_NAME_ZH="PUSD 家庭参与办公室",
)
def test_help_names_the_office_as_each_languages_families_know_it(client, mini_open):
    (spanish,) = text(client, "+16265550202", "ayuda")
    assert spanish.startswith("Participación Familiar de PUSD: encuestas escolares.")
    (chinese,) = text(client, "+16265550203", "帮助")
    assert chinese.startswith("PUSD 家庭参与办公室：学校问卷。")
    assert text(client, PHONE, "HELP")[0].startswith("PUSD Engagement school surveys.")


def test_the_office_names_in_other_languages_follow_the_one_configured():
    """Another district's SMS_OFFICE_NAME is not sent to Spanish readers under our name."""
    from engagement.config import load_config

    ours = load_config(environ={})
    assert ours["SMS_OFFICE_NAME_ES"] == "Participación Familiar de PUSD"
    theirs = load_config(environ={"SMS_OFFICE_NAME": "Oak Unified Family Office"})
    assert theirs["SMS_OFFICE_NAME_ES"] is None and theirs["SMS_OFFICE_NAME_ZH"] is None
    named = load_config(
        environ={"SMS_OFFICE_NAME": "Oak Unified", "SMS_OFFICE_NAME_ZH": "橡树学区家庭办公室"}
    )
    assert named["SMS_OFFICE_NAME_ZH"] == "橡树学区家庭办公室"
    assert named["SMS_OFFICE_NAME_ES"] is None


def test_asking_in_plain_words_to_stop_mid_survey_opts_out(client, mini_open, clock):
    add_contact(mini_open, clock, PHONE, language="es", schools=("field",))
    text(client, PHONE, "mini")
    assert text(client, PHONE, "Por favor no me manden más mensajes") == [
        "No recibirá más mensajes nuestros. Responda START para volver a suscribirse."
    ]
    mini_open.expire_all()
    contact = mini_open.scalars(select(Contact).where(Contact.phone == PHONE)).one()
    assert contact.opted_out
    event = mini_open.scalars(select(OptEvent)).one()
    assert event.keyword == "Por favor no me manden más mensa"  # the words, as texted


def test_help_in_the_middle_of_a_survey_asks_the_current_question_again(client, mini_open, clock):
    add_contact(mini_open, clock, PHONE, language="es", schools=("field",))
    text(client, PHONE, "mini")
    text(client, PHONE, "sí")
    help_line, question = text(client, PHONE, "AYUDA")
    assert help_line.startswith("PUSD Engagement: encuestas")
    assert question.startswith("¿Qué calificación le daría a la escuela?")
    assert text(client, PHONE, "B")[0].startswith("Grado de su hijo")  # carries on as before
    text(client, PHONE, "PARAR")
    assert len(text(client, PHONE, "AYUDA")) == 1  # opted out: help, and no question


def test_duplicate_message_sid_gets_the_same_reply_and_changes_nothing(client, mini_open, clock):
    add_contact(mini_open, clock, PHONE, language="en", schools=("field",))
    text(client, PHONE, "mini")
    first = text(client, PHONE, "1", sid="SMretried")
    again = text(client, PHONE, "1", sid="SMretried")
    assert first == again and first[0].startswith("What grade")
    draft = mini_open.scalars(select(ResponseDraft)).one()
    assert draft.answers == {"attended": 1}
    assert mini_open.scalar(select(func.count()).select_from(InboundMessage)) == 2
    # The next message continues from where the first copy left the conversation.
    assert text(client, PHONE, "A")[0].startswith("Child's grade")


def test_retried_last_answer_and_stop_change_nothing_the_second_time(client, mini_open, clock):
    add_contact(mini_open, clock, PHONE, language="en", schools=("field",))
    text(client, PHONE, "mini")
    for body in ("2", "A", "skip", "agree", "1", "skip"):
        text(client, PHONE, body)
    last = text(client, PHONE, "Thank you", sid="SMlast")
    assert last == ["Thanks!"]
    # Twilio retries the completing message: the same reply, still one response.
    assert text(client, PHONE, "Thank you", sid="SMlast") == ["Thanks!"]
    assert mini_open.scalar(select(func.count()).select_from(Response)) == 1
    assert mini_open.scalar(select(func.count()).select_from(Answer)) == 5
    stop = text(client, PHONE, "STOP", sid="SMstop")
    assert text(client, PHONE, "STOP", sid="SMstop") == stop
    assert text(client, PHONE, "START", sid="SMstart")[0].startswith("You can get")
    # The retried STOP after START is the old message: it does not opt the phone out again.
    assert text(client, PHONE, "STOP", sid="SMstop") == stop
    assert not mini_open.scalars(select(Contact)).one().opted_out
    kinds = [e.kind.value for e in mini_open.scalars(select(OptEvent).order_by(OptEvent.id))]
    assert kinds == ["opt_out", "opt_in"]


def test_unknown_keyword_and_odd_bodies_get_polite_replies(client, mini_open, clock):
    # A phone we have never heard from: its language is unknown, so the reply is in all three.
    # It names the keywords that would start a survey now (the flyer may be lost).
    (reply,) = text(client, PHONE, "FAMILY")
    assert reply.split("\n") == [
        "We did not recognise that. To start a survey, text MINI. Reply HELP for help.",
        "No reconocimos ese mensaje. Para empezar una encuesta, envíe MINI. "
        "Responda AYUDA para obtener ayuda.",
        "我们无法识别这条短信。如需填写问卷，请发送 MINI。回复“帮助”获取帮助。",  # UCS-2 as is
    ]
    assert text(client, PHONE, "") == [reply]
    assert text(client, PHONE, "🙂🙂")[0].startswith("We did not recognise that.")
    assert text(client, PHONE, "x" * 1600)[0].startswith("We did not recognise that.")
    assert text(client, PHONE, "x" * 1601) == [
        "Your message is too long. Please send a shorter reply.\n"
        "Su mensaje es demasiado largo. Envíe una respuesta más corta.\n"
        "您的短信太长了，请发送简短一些的回复。"
    ]
    # Once the language is known, only that language.
    add_contact(mini_open, clock, "+16265550202", language="es")
    assert text(client, "+16265550202", "Hola") == [
        "No reconocimos ese mensaje. Para empezar una encuesta, envíe MINI. "
        "Responda AYUDA para obtener ayuda."
    ]
    assert text(client, "+16265550202", "x" * 1601) == [
        "Su mensaje es demasiado largo. Envíe una respuesta más corta."
    ]


def test_malformed_requests_are_4xx(client, mini_open):
    good = {"MessageSid": "SM1", "From": PHONE, "Body": "hi"}
    for missing in ("MessageSid", "From", "Body"):
        params = {k: v for k, v in good.items() if k != missing}
        assert post_signed(client, "/sms/twilio/inbound", params).status_code == 400
    bad_phone = {**good, "From": "not a phone"}
    assert post_signed(client, "/sms/twilio/inbound", bad_phone).status_code == 400
    unsigned = client.post("/sms/twilio/inbound", data=good)
    assert unsigned.status_code == 403
    wrong = client.post(
        "/sms/twilio/inbound", data=good, headers={"X-Twilio-Signature": "bm9wZQ=="}
    )
    assert wrong.status_code == 403
    raw = client.post(
        "/sms/twilio/inbound",
        data=b"MessageSid=SM2&From=%2B16265550201&Body=%FF%FE",
        content_type="application/x-www-form-urlencoded",
        headers={"X-Twilio-Signature": "bm9wZQ=="},
    )
    assert raw.status_code == 403


def test_invalid_utf8_body_is_answered_not_a_500(client, mini_open):
    from tests.sms import sign

    body = b"MessageSid=SM9&From=%2B16265550201&Body=%FF%FE"
    # werkzeug decodes the form leniently; sign what the app will see.
    params = {"MessageSid": "SM9", "From": PHONE, "Body": "\ufffd\ufffd"}
    response = client.post(
        "/sms/twilio/inbound",
        data=body,
        content_type="application/x-www-form-urlencoded",
        headers={"X-Twilio-Signature": sign("https://sms.example.org/sms/twilio/inbound", params)},
    )
    assert response.status_code in (200, 400, 403)
    if response.status_code == 200:
        assert replies(response)


def test_a_second_survey_waits_in_the_queue_and_follows_the_first(client, mini_open, clock):
    from dataclasses import replace

    from engagement.models import SurveyStatus
    from engagement.surveys.store import save_definition, set_status
    from tests.support import mini

    other = replace(mini(), slug="other-2026", sms_keyword="OTRA", thanks={"en": "Done!"})
    save_definition(mini_open, other, clock)
    set_status(mini_open, "other-2026", SurveyStatus.OPEN)
    add_contact(mini_open, clock, PHONE, language="en", schools=("field",))
    text(client, PHONE, "mini")
    queued = text(client, PHONE, "otra")
    assert queued[0] == "We will send that survey when you finish this one."
    assert queued[1].startswith("Did you attend")  # still on the first survey
    assert text(client, PHONE, "OTRA")[1].startswith("Did you attend")  # queued only once
    for answer in ["1", "A", *["skip"] * 5]:
        text(client, PHONE, answer)
    finished = text(client, PHONE, "skip")
    assert finished[0] == "Thanks!"
    assert finished[1].startswith("Mini survey. Reply STOP")  # the waiting survey begins
    statuses = mini_open.scalars(select(Conversation.status).order_by(Conversation.id)).all()
    assert statuses == [ConversationStatus.COMPLETED, ConversationStatus.ACTIVE]
    for answer in ["2", "F", *["skip"] * 4]:  # "no" hides "how often"
        text(client, PHONE, answer)
    assert text(client, PHONE, "skip") == ["Done!"]
    assert mini_open.scalar(select(func.count()).select_from(Response)) == 2


def test_only_the_latest_version_of_an_open_survey_answers_to_its_keyword(client, mini_open, clock):
    from dataclasses import replace

    from engagement.surveys.store import save_definition
    from tests.support import mini

    save_definition(mini_open, replace(mini(), sms_keyword="CORTA"), clock)  # version 2
    add_contact(mini_open, clock, PHONE, language="en", schools=("field",))
    assert text(client, PHONE, "mini")[0].startswith("We did not recognise that.")
    assert text(client, PHONE, "corta")[0].startswith("Mini survey. Reply STOP")
    set_status(mini_open, "mini-2026", SurveyStatus.CLOSED)
    # The flyer's word after the survey closed: told so, not pointed at other surveys; in
    # all three languages to a phone whose language is not known.
    closed = text(client, "+16265550203", "CORTA")[0]
    assert closed.startswith("This survey is closed.") and "Esta encuesta está cerrada." in closed
    assert text(client, PHONE, "CORTA") == ["This survey is closed. Thank you for your interest."]
    # With nothing open, no keyword is offered that would not work.
    add_contact(mini_open, clock, "+16265550204", language="es")
    assert text(client, "+16265550204", "hola") == [
        "No reconocimos ese mensaje. Ahora no hay ninguna encuesta que se pueda contestar por "
        "mensaje de texto. Responda AYUDA para obtener ayuda."
    ]
    assert text(client, "+16265550204", "mini")[0].startswith("No reconocimos")  # an old word


def test_an_unrecognised_text_suggests_the_surveys_for_the_contacts_role(client, mini_open, clock):
    from dataclasses import replace

    from engagement.surveys.store import save_definition
    from tests.support import mini

    climate = replace(mini(), slug="mini-climate", audience="student", sms_keyword="CLIMA")
    save_definition(mini_open, climate, clock)
    set_status(mini_open, "mini-climate", SurveyStatus.OPEN)
    for phone, role, keywords in [
        ("+16265550211", "guardian", "MINI"),
        ("+16265550212", "student", "CLIMA"),
        ("+16265550213", "community", "CLIMA / MINI"),
        ("+16265550214", "staff", None),  # no staff survey open: not pointed at the others
    ]:
        add_contact(mini_open, clock, phone, language="en", role=role)
        expected = (
            f"We did not recognise that. To start a survey, text {keywords}. Reply HELP for help."
            if keywords
            else "We did not recognise that. No survey is taking answers by text message right"
            " now. Reply HELP for help."
        )
        assert text(client, phone, "hello") == [expected]
    # A phone we have never heard from: every open survey, in the three languages.
    assert "CLIMA / MINI" in text(client, "+16265550215", "hello")[0].split("\n")[0]
    # A phone of no known role that began the family survey is a parent: not pointed at the
    # student one.
    add_contact(mini_open, clock, "+16265550216", language="en", schools=("field",))
    text(client, "+16265550216", "MINI")
    set_status(mini_open, "mini-2026", SurveyStatus.CLOSED)
    assert text(client, "+16265550216", "hello") == [
        "This survey is closed. Thank you for your interest."
    ]
    assert text(client, "+16265550216", "hello") == [
        "We did not recognise that. No survey is taking answers by text message right now. "
        "Reply HELP for help."
    ]


def test_a_comment_longer_than_its_limit_is_kept_cut_not_asked_again(client, mini_open, clock):
    add_contact(mini_open, clock, PHONE, language="es", schools=("jackson",))
    for reply in ("mini", "no", "B", "omitir", "omitir", "omitir", "omitir"):
        text(client, PHONE, reply)
    long_comment = "Más actividades por la tarde, por favor. " * 40  # 1,640 characters
    replies = text(client, PHONE, long_comment[:1590])
    assert replies[0] == "Su respuesta era larga: guardamos sus primeros 500 caracteres."
    assert replies[-1] == "¡Gracias!"
    assert stored_answers(mini_open)["comment"] == [long_comment[:500].strip()]


def test_a_pause_before_any_answer_promises_nothing_saved_and_chinese_sets_no_space(
    client, mini_open, clock
):
    add_contact(mini_open, clock, PHONE, language="zh", schools=("field",))
    text(client, PHONE, "mini")
    text(client, PHONE, "不好说")
    text(client, PHONE, "再说吧")
    paused = text(client, PHONE, "看情况")[0]
    assert paused == "抱歉，我们无法理解您的回答，因此暂停了本次问卷。回复 MINI 可重新开始。"


def test_the_flyers_keyword_and_school_start_the_survey_there(client, mini_open, clock):
    """ "MINI JACKSON", as a school's flyer prints it: no school to name in English."""
    add_contact(mini_open, clock, PHONE, language="zh")
    first = text(client, PHONE, "mini jackson")[0]
    assert first.startswith("小调查。") and "您今年参加过学校活动吗？" in first
    conversation = mini_open.scalars(select(Conversation)).one()
    assert mini_open.get(School, conversation.school_id).code == "jackson"
    # Mid-way through that survey, the same words are an answer, not a new start.
    assert text(client, PHONE, "是")[0].startswith("您会给学校打几分？")
    # Words after a keyword that name no school: the survey starts, and asks which school.
    add_contact(mini_open, clock, "+16265550221", language="en")
    started = text(client, "+16265550221", "mini nights are great")[0]
    assert started.startswith("Mini survey.")
    assert started.endswith("Which school are your answers about? Reply with the school's name.")
