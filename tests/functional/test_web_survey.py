"""A respondent's whole path through the web survey, with the Flask test client."""

import re
from datetime import UTC, datetime

import pytest
from sqlalchemy import func, select

from engagement.models import Answer, Response, ResponseDraft, SurveyStatus
from engagement.surveys.store import save_definition, set_status
from tests.support import FIXTURES, ODD_VALUES, complete_via_web, csrf_token, mini, template

HOST = "survey.test"  # the tests' SERVER_NAME: the domain the test client keeps cookies for


@pytest.fixture
def survey(seeded, clock):
    save_definition(seeded, mini(), clock)
    set_status(seeded, "mini-2026", SurveyStatus.OPEN)
    return mini()


def count(session, model):
    session.expire_all()
    return session.scalar(select(func.count()).select_from(model))


def start(client, lang="es", school="jackson"):
    page = client.get(f"/s/mini-2026?school={school}&lang={lang}")
    started = client.post(
        "/s/mini-2026/start", data={"csrf_token": csrf_token(page.text), "school": school}
    )
    assert started.status_code == 302
    return started.headers["Location"]


@pytest.mark.parametrize(
    ("lang", "words"),
    [
        ("en", ["Mini survey", "Start the survey", "School: <strong>Jackson Elementary<"]),
        ("es", ["Encuesta mini", "Empezar la encuesta", "<strong>Escuela Primaria Jackson<"]),
        # Chinese punctuation is full-width: 学校：, not 学校: .
        ("zh", ["小调查", "开始填写问卷", "学校：<strong>杰克逊小学</strong>"]),
    ],
)
def test_landing_page_speaks_the_language_of_the_link(client, survey, lang, words):
    """The school too, by the name its families' language gives it."""
    page = client.get(f"/s/mini-2026?school=jackson&lang={lang}")
    assert page.status_code == 200
    for word in words:
        assert word in page.text


def test_the_district_is_named_in_the_pages_language(client, survey):
    assert ">Distrito Escolar Unificado de Pasadena</a>" in client.get("/s/mini-2026?lang=es").text
    assert ">帕萨迪纳联合学区</a>" in client.get("/s/mini-2026?lang=zh").text
    assert ">Pasadena Unified School District</a>" in client.get("/s/mini-2026?lang=en").text


def test_another_districts_name_is_not_sent_under_ours_in_other_languages():
    from engagement.config import load_config, name_in

    theirs = load_config(environ={"DISTRICT_NAME": "Oak Unified School District"})
    assert name_in(theirs, "DISTRICT_NAME", "zh") == "Oak Unified School District"


def test_the_school_list_names_schools_in_the_pages_language_then_in_english(client, survey):
    chinese = client.get("/s/mini-2026?lang=zh").text
    assert '<option value="jackson">杰克逊小学（Jackson Elementary）</option>' in chinese
    spanish = client.get("/s/mini-2026?lang=es").text
    assert (
        '<option value="pasadena-hs">Escuela Preparatoria Pasadena (Pasadena High)</option>'
        in spanish
    )
    english = client.get("/s/mini-2026?lang=en").text
    assert '<option value="jackson">Jackson Elementary</option>' in english


def test_language_falls_back_to_accept_language_then_english(client, survey):
    page = client.get("/s/mini-2026", headers={"Accept-Language": "zh-CN,zh;q=0.9,en;q=0.5"})
    assert '<html lang="zh-Hans">' in page.text
    page = client.get("/s/mini-2026", headers={"Accept-Language": "fr-FR, es;q=0.5"})
    assert '<html lang="es">' in page.text
    page = client.get("/s/mini-2026", headers={"Accept-Language": "fr-FR"})
    assert '<html lang="en">' in page.text


def test_a_language_chosen_by_link_sticks_for_the_next_pages(client, survey):
    client.get("/s/mini-2026?lang=zh")
    page = client.get("/s/mini-2026", headers={"Accept-Language": "es"})
    assert '<html lang="zh-Hans">' in page.text


def test_the_thank_you_page_says_thanks_once_in_the_surveys_own_words(client, survey):
    complete_via_web(client, survey, "jackson", "zh")
    page = client.get("/s/mini-2026/thanks").text
    assert "<h1>您的回答已提交</h1>" in page
    assert page.count("谢谢") == 1  # the survey's "谢谢！", not the page's generic thanks too
    assert "任何人都不会被单独识别出来" in page  # results only for groups large enough
    assert '<p class="survey-title">小调查 · 杰克逊小学</p>' in page  # which child's school


def test_a_survey_set_to_open_later_says_when(client, seeded, survey):
    opens = datetime(2027, 9, 1, 15, 0, tzinfo=UTC)  # 08:00 in Pasadena
    set_status(seeded, "mini-2026", SurveyStatus.OPEN, opens_at=opens)
    page = client.get("/s/mini-2026?school=jackson&lang=es")
    assert page.status_code == 403  # not "closed": the flyer went home early
    assert "Esta encuesta todavía no está abierta" in page.text
    assert "Se abre el 1 de septiembre de 2027." in page.text


def test_no_thanks_for_a_survey_that_does_not_exist(client, survey):
    assert client.get("/s/no-such-survey/thanks").status_code == 404


def test_no_thanks_for_answers_this_browser_never_sent(client, survey):
    """Typed or bookmarked, the thank-you address leads to the survey's first page instead."""
    reply = client.get("/s/mini-2026/thanks")
    assert reply.status_code == 302 and reply.headers["Location"].endswith("/s/mini-2026")


def test_a_finished_resume_link_on_another_device_thanks_in_the_survey_s_words(
    app, client, survey, seeded
):
    complete_via_web(client, survey, "jackson", "zh")
    token = seeded.scalars(select(ResponseDraft)).one().token
    other = app.test_client()
    done = other.get(f"/s/mini-2026/resume/{token}")
    assert done.headers["Location"].endswith("/s/mini-2026/thanks")
    assert "谢谢！" in other.get("/s/mini-2026/thanks").text


def test_finish_later_says_how_long_unfinished_answers_are_kept(client, survey):
    page = client.get(start(client, "es")).text
    assert "Las respuestas sin terminar se eliminan tras 30 días sin cambios." in page


def test_completing_in_spanish_stores_one_response_tied_to_school(client, survey, seeded):
    sent = complete_via_web(client, survey, "jackson", "es")
    thanks = client.get("/s/mini-2026/thanks")
    assert "¡Gracias!" in thanks.text
    response = seeded.scalars(select(Response)).one()
    assert (response.school.code, response.language, response.channel.value) == (
        "jackson",
        "es",
        "web",
    )
    assert count(seeded, Answer) == sum(len(v) for v in sent.values())


def test_school_can_be_chosen_on_the_first_page(client, survey, seeded):
    page = client.get("/s/mini-2026?lang=zh")
    assert "这是关于哪所学校的？" in page.text and "Field Elementary" in page.text
    missing = client.post(
        "/s/mini-2026/start", data={"csrf_token": csrf_token(page.text), "school": ""}
    )
    assert missing.status_code == 422 and "请选择一所学校。" in missing.text
    # Its language switch opens the survey's first page, not the form's POST-only address.
    switch = re.findall(r'href="([^"]+)"[^>]*lang="es"', missing.text)
    assert switch == ["/s/mini-2026?lang=es"]
    assert "Empezar la encuesta" in client.get(switch[0]).text
    chosen = client.post(
        "/s/mini-2026/start", data={"csrf_token": csrf_token(page.text), "school": "field"}
    )
    assert chosen.status_code == 302
    assert seeded.scalars(select(ResponseDraft)).one().school.code == "field"


def test_validation_messages_are_in_the_respondents_language(client, survey, seeded):
    first = start(client, "es")
    page = client.get(first)
    posted = client.post(
        first, data={"csrf_token": csrf_token(page.text), "action": "next", "grade": "7"}
    )
    assert posted.status_code == 422
    assert "Por favor, responda esta pregunta." in posted.text
    assert "Por favor, elija una de las respuestas de la lista." in posted.text
    assert count(seeded, Response) == 0


def test_number_and_text_errors_keep_what_was_typed(client, survey):
    first = start(client, "zh")
    page = client.get(first)
    client.post(first, data={"csrf_token": csrf_token(page.text), "attended": "0", "grade": "4"})
    second = client.get("/s/mini-2026/p/2")
    # The range is said before typing, and read out with the box.
    assert '<p class="help" id="kids-help">0 至 12 之间的数字。</p>' in second.text
    assert 'aria-describedby="kids-help"' in second.text
    posted = client.post(
        "/s/mini-2026/p/2",
        data={
            "csrf_token": csrf_token(second.text),
            "kids": "２０",
            "comment": "好" * 501,
            "channels": ["1", "3"],
        },
    )
    assert posted.status_code == 422
    assert "请输入 12 或更小的数。" in posted.text
    assert "请将回答缩短到 500 个字符以内（目前有 501 个）。" in posted.text
    assert "“都没有”不能与其他答案同时选择。" in posted.text
    assert 'value="２０"' in posted.text


def test_a_number_with_a_thousands_separator_is_asked_again_not_misread(client, survey, seeded):
    first = start(client, "es")
    page = client.get(first)
    client.post(first, data={"csrf_token": csrf_token(page.text), "attended": "0", "grade": "4"})
    second = client.get("/s/mini-2026/p/2")
    posted = client.post(
        "/s/mini-2026/p/2", data={"csrf_token": csrf_token(second.text), "kids": "1.000"}
    )
    assert posted.status_code == 422  # 1000 or 1? Not guessed, and nothing saved
    assert "Escriba el número solo con cifras, por ejemplo 1600 (o 1.5 para uno y medio)." in (
        posted.text
    )
    assert "kids" not in seeded.scalars(select(ResponseDraft)).one().answers


def test_answers_survive_closing_the_tab_and_the_resume_link(client, app, survey, seeded):
    first = start(client, "en")
    page = client.get(first)
    client.post(first, data={"csrf_token": csrf_token(page.text), "attended": "1", "grade": "3"})
    # Same device, later: the survey link offers to continue where they left off.
    landing = client.get("/s/mini-2026")
    assert "Continue where I left off" in landing.text
    resume_link = seeded.scalars(select(ResponseDraft)).one().token
    # Another device: the resume link alone brings back the saved answers.
    other = app.test_client()
    moved = other.get(f"/s/mini-2026/resume/{resume_link}")
    assert moved.headers["Location"].endswith("/s/mini-2026/p/2")
    back = other.get("/s/mini-2026/p/1")
    assert 'value="1" checked' in back.text and 'value="3" checked' in back.text


def test_a_second_childs_school_link_names_the_survey_already_started(client, survey, seeded):
    first = start(client, "es", school="blair")
    page = client.get(first)
    client.post(first, data={"csrf_token": csrf_token(page.text), "attended": "1", "grade": "3"})
    token = seeded.scalars(select(ResponseDraft)).one().token
    landing = client.get("/s/mini-2026?school=jackson").text  # the second child's flyer
    # In the language they answer in; which school the started survey is for; how to keep it.
    blair = "Escuela Secundaria y Preparatoria Blair"
    assert f"Ya empezó esta encuesta para {blair}." in landing
    assert f"http://{HOST}/s/mini-2026/resume/{token}" in landing
    assert "Empezar la encuesta para Escuela Primaria Jackson" in landing
    # Their own school's link: no second school to tell apart.
    landing = client.get("/s/mini-2026?school=blair").text
    assert f"para {blair}" in landing and "/resume/" + token in landing
    assert f"http://{HOST}/s/mini-2026/resume/" not in landing

    # They start the second child's, then open the first child's flyer again: this browser
    # still knows Blair's answers, and offers them, not a fresh start.
    landing = client.get("/s/mini-2026?school=jackson")
    second = client.post(
        "/s/mini-2026/start", data={"csrf_token": csrf_token(landing.text), "school": "jackson"}
    )
    assert second.status_code == 302
    back = client.get("/s/mini-2026?school=blair").text
    assert f"Ya empezó esta encuesta para {blair}." in back
    assert f"/s/mini-2026/resume/{token}" in back
    resumed = client.get(f"/s/mini-2026/resume/{token}")
    assert client.get(resumed.headers["Location"]).status_code == 200
    jackson = client.get("/s/mini-2026?school=jackson").text  # and Jackson's is not lost
    jackson_token = seeded.scalars(
        select(ResponseDraft.token).where(ResponseDraft.token != token)
    ).one()
    assert f"/s/mini-2026/resume/{jackson_token}" in jackson


def test_a_language_picked_before_continuing_is_the_one_they_continue_in(client, survey, seeded):
    first = start(client, "en")
    page = client.get(first)
    client.post(first, data={"csrf_token": csrf_token(page.text), "attended": "1", "grade": "3"})
    landing = client.get("/s/mini-2026?lang=zh").text
    token = seeded.scalars(select(ResponseDraft)).one().token
    assert f"/s/mini-2026/resume/{token}?lang=zh" in landing
    moved = client.get(f"/s/mini-2026/resume/{token}?lang=zh")
    page = client.get(moved.headers["Location"])
    assert '<html lang="zh-Hans">' in page.text
    seeded.expire_all()
    assert seeded.scalars(select(ResponseDraft)).one().language == "zh"


def test_switching_language_mid_page_keeps_unsaved_answers(client, survey, seeded):
    first = start(client, "en")
    page = client.get(first)
    switched = client.post(
        first, data={"csrf_token": csrf_token(page.text), "action": "lang:zh", "attended": "1"}
    )
    assert switched.status_code == 302
    page = client.get(first)
    assert '<html lang="zh-Hans">' in page.text and "您今年参加过学校活动吗？" in page.text
    assert '<p class="survey-title">小调查 · 杰克逊小学</p>' in page.text  # which child
    assert 'name="attended" value="1" checked' in page.text
    draft = seeded.scalars(select(ResponseDraft)).one()
    assert draft.language == "zh" and draft.answers == {"attended": 1}


def test_language_link_on_a_question_page_changes_the_stored_language(client, survey, seeded):
    first = start(client, "en")
    page = client.get(first + "?lang=es")
    assert "¿Asistió a un evento escolar este año?" in page.text
    assert seeded.scalars(select(ResponseDraft)).one().language == "es"


def test_back_button_saves_and_returns(client, survey, seeded):
    first = start(client, "en")
    page = client.get(first)
    client.post(first, data={"csrf_token": csrf_token(page.text), "attended": "0", "grade": "4"})
    second = client.get("/s/mini-2026/p/2")
    went_back = client.post(
        "/s/mini-2026/p/2",
        data={"csrf_token": csrf_token(second.text), "action": "back", "kids": "3"},
    )
    assert went_back.headers["Location"].endswith("/s/mini-2026/p/1")
    assert seeded.scalars(select(ResponseDraft)).one().answers["kids"] == 3


def test_submitting_the_final_page_twice_creates_one_response(client, survey, seeded):
    first = start(client, "en")
    page = client.get(first)
    client.post(first, data={"csrf_token": csrf_token(page.text), "attended": "0", "grade": "4"})
    last = client.get("/s/mini-2026/p/2")
    data = {"csrf_token": csrf_token(last.text), "action": "next", "kids": "2"}
    one = client.post("/s/mini-2026/p/2", data=data)
    two = client.post("/s/mini-2026/p/2", data=data)
    assert one.headers["Location"].endswith("/thanks")
    assert two.headers["Location"].endswith("/thanks")
    assert count(seeded, Response) == 1


def test_a_page_that_lost_a_race_runs_again_over_the_fresh_draft(
    client, survey, seeded, clock, monkeypatch
):
    """A write lands between the page's read and its own: it runs again, holding the lock."""
    from sqlalchemy.orm import Session

    from engagement.delivery.service import save_answers
    from engagement.web import views

    first = start(client, "en")
    page = client.get(first)
    client.post(first, data={"csrf_token": csrf_token(page.text), "attended": "0", "grade": "4"})
    last = client.get("/s/mini-2026/p/2")
    token = seeded.scalars(select(ResponseDraft.token)).one()
    reads, real_open = [], views.open_draft

    def open_then_other_tab_writes(session, draft_token, now, *, lock):
        state = real_open(session, draft_token, now, lock=lock)
        reads.append(lock)
        if len(reads) == 1:  # another tab switches to Chinese in between
            with Session(seeded.get_bind()) as other:
                save_answers(other, token, {}, clock, language="zh")
        return state

    monkeypatch.setattr(views, "open_draft", open_then_other_tab_writes)
    done = client.post("/s/mini-2026/p/2", data={"csrf_token": csrf_token(last.text), "kids": "2"})
    assert done.headers["Location"].endswith("/thanks")
    assert reads == [False, True]
    response = seeded.scalars(select(Response)).one()
    assert response.language == "zh"  # the second run read the other tab's write
    assert len(response.answers) == 3


def test_a_page_leaves_no_autocommit_behind_on_its_pooled_connection(app, client, survey):
    """Only a page commits statement by statement: the next request has its transaction."""
    from engagement.extensions import db

    first = start(client, "en")
    assert client.get(first).status_code == 200
    with app.app_context():
        driver = db.session.connection().connection.driver_connection
        if db.engine.dialect.name == "postgresql":
            assert driver.autocommit is False
        db.session.rollback()


def test_a_page_that_keeps_losing_races_says_so_with_a_409(client, survey, monkeypatch):
    from engagement.delivery.service import DraftChanged
    from engagement.web import views

    first = start(client, "es")
    page = client.get(first)
    attempts = []

    def always_changed(*args):
        attempts.append(1)
        raise DraftChanged()

    monkeypatch.setattr(views, "submit_page", always_changed)
    refused = client.post(
        first, data={"csrf_token": csrf_token(page.text), "attended": "0", "grade": "4"}
    )
    assert refused.status_code == 409
    assert len(attempts) == 3
    assert "Esta página se envió dos veces al mismo tiempo" in refused.text
    assert "Sus respuestas anteriores están guardadas" in refused.text


def test_cannot_skip_ahead_to_pages_not_reached(client, survey):
    start(client, "en")
    jumped = client.get("/s/mini-2026/p/2")
    assert jumped.headers["Location"].endswith("/s/mini-2026/p/1")
    assert client.get("/s/mini-2026/p/99").status_code == 302


def test_csrf_is_required_on_every_form(client, survey):
    page = client.get("/s/mini-2026?school=jackson&lang=es")
    refused = client.post("/s/mini-2026/start", data={"school": "jackson"})
    assert refused.status_code == 400
    assert "Esta página estuvo abierta demasiado tiempo" in refused.text
    assert csrf_token(page.text)
    # The question pages too, whatever the button (the check runs before the view).
    first = start(client, "es")
    assert csrf_token(client.get(first).text)
    for action in ("next", "back", "lang:zh"):
        unsigned = client.post(first, data={"action": action, "attended": "0", "grade": "4"})
        assert unsigned.status_code == 400
    for forged in ("forged", "é" * 64, "０" * 64, ""):
        data = {"csrf_token": forged, "action": "next", "attended": "0", "grade": "4"}
        refused = client.post(first, data=data)
        assert refused.status_code == 400
        assert "Esta página estuvo abierta demasiado tiempo" in refused.text
    assert client.get(first).status_code == 200  # nothing was saved: still on page 1


@pytest.mark.parametrize(
    ("lang", "words"),
    [("es", "Esta encuesta necesita cookies"), ("zh", "此问卷需要使用 Cookie")],
)
def test_a_browser_that_refuses_cookies_is_told_so(app, survey, lang, words):
    """Not "the page was open too long": reloading would not help it."""
    no_cookies = app.test_client(use_cookies=False)
    page = no_cookies.get(f"/s/mini-2026?school=jackson&lang={lang}")
    data = {"csrf_token": csrf_token(page.text), "school": "jackson"}
    # The form's address carries the page's language: no cookie can.
    (action,) = re.findall(r'<form method="post" action="([^"]+)"', page.text)
    assert action == f"/s/mini-2026/start?lang={lang}"
    refused = no_cookies.post(action, data=data)
    assert refused.status_code == 400
    assert words in refused.text


@pytest.mark.parametrize("odd", ["", "short", "🙂" * 24, "é" * 24, "x" * 4000, "a b,c" * 5])
def test_an_odd_respondent_cookie_is_refused_then_replaced(client, survey, odd):
    first = start(client, "es")
    data = {"csrf_token": csrf_token(client.get(first).text), "attended": "0", "grade": "4"}
    client.set_cookie("respondent_csrf", odd, domain=HOST, path="/s/")
    assert client.post(first, data=data).status_code == 400
    data["csrf_token"] = csrf_token(client.get(first).text)  # the page gives a new cookie
    fresh = client.get_cookie("respondent_csrf", domain=HOST, path="/s/").value
    assert fresh != odd and len(fresh) == 24
    assert client.post(first, data=data).headers["Location"].endswith("/s/mini-2026/p/2")


def test_respondents_get_no_session_and_their_token_fits_only_their_browser(app, survey):
    """Respondent forms are signed for a cookie of the browser's own, not a Flask session."""
    parent, stranger = app.test_client(), app.test_client()
    first = start(parent, "en")
    token = csrf_token(parent.get(first).text)
    assert parent.get_cookie("session", domain=HOST) is None
    cookie = parent.get_cookie("respondent_csrf", domain=HOST, path="/s/")
    assert cookie.http_only and cookie.same_site == "Lax"
    draft = parent.get_cookie("draft_mini-2026", domain=HOST, path="/s/mini-2026").value
    data = {"csrf_token": token, "action": "next", "attended": "0", "grade": "4"}
    # Another browser (with its own cookie, or with none) cannot use this page's token.
    start(stranger, "en")
    for client in (stranger, app.test_client()):
        client.set_cookie("draft_mini-2026", draft, domain=HOST, path="/s/mini-2026")
        assert client.post(first, data=data).status_code == 400
    # Cleared cookies: refused, then the reloaded page carries a new token that works.
    parent.delete_cookie("respondent_csrf", domain=HOST, path="/s/")
    assert parent.post(first, data=data).status_code == 400
    data["csrf_token"] = csrf_token(parent.get(first).text)
    assert parent.get_cookie("respondent_csrf", domain=HOST, path="/s/").value != cookie.value
    assert parent.post(first, data=data).headers["Location"].endswith("/s/mini-2026/p/2")
    assert parent.get_cookie("session", domain=HOST) is None


def test_respondent_text_is_escaped(client, survey, seeded):
    first = start(client, "en")
    page = client.get(first)
    client.post(first, data={"csrf_token": csrf_token(page.text), "attended": "0", "grade": "4"})
    last = client.get("/s/mini-2026/p/2")
    shown = client.post(
        "/s/mini-2026/p/2",
        data={
            "csrf_token": csrf_token(last.text),
            "kids": "99",
            "comment": "<script>alert('x')</script>",
        },
    )
    assert "<script>alert" not in shown.text
    assert "&lt;script&gt;alert" in shown.text


@pytest.mark.parametrize(
    ("url", "status", "text"),
    [
        ("/s/no-such-survey?lang=es", 404, "No encontramos esta encuesta"),
        ("/s/mini-2026?school=hogwarts&lang=zh", 404, "无法识别这所学校"),
        ("/nowhere?lang=es", 404, "Página no encontrada"),
    ],
)
def test_unknown_survey_school_and_page(client, survey, url, status, text):
    page = client.get(url)
    assert page.status_code == status
    assert text in page.text


def test_closed_survey_says_so_with_410(client, survey, seeded):
    first = start(client, "zh")
    set_status(seeded, "mini-2026", SurveyStatus.CLOSED)
    page = client.get("/s/mini-2026?lang=es")
    assert page.status_code == 410 and "Esta encuesta está cerrada" in page.text
    # Their page, in the language they answered in, whatever the browser asks for.
    own = client.get(first, headers={"Accept-Language": "en"})
    assert own.status_code == 410 and "问卷已结束" in own.text and 'lang="zh-Hans"' in own.text


def test_draft_surveys_are_not_reachable(client, survey, seeded):
    set_status(seeded, "mini-2026", SurveyStatus.DRAFT)
    assert client.get("/s/mini-2026").status_code == 404


def test_malformed_posts_get_4xx_not_500(client, survey):
    first = start(client, "en")
    page = client.get(first)
    token = csrf_token(page.text)
    form = "csrf_token=" + token + "&grade=%FF%FE&attended=%EF%BC%91&action=next"
    weird = client.post(first, data=form.encode(), content_type="application/x-www-form-urlencoded")
    assert weird.status_code == 422  # invalid UTF-8 in grade; full-width "１" is fine for attended
    assert "Please choose one of the answers listed." in weird.text
    bytes_body = client.post(
        first, data=b"\xff\xfe=\x00", content_type="application/x-www-form-urlencoded"
    )
    assert bytes_body.status_code == 400
    assert client.get("/s/mini-2026/p/abc").status_code == 404
    assert client.put(first).status_code == 405


def test_odd_values_in_every_field_never_cause_a_server_error_nor_a_second_response(
    client, survey, seeded
):
    """On each page every field at once, and the button, given each odd value; then answered."""

    def odd_posts(location, page):
        token = csrf_token(page.text)
        names = sorted(set(re.findall(r'name="([^"]+)"', page.text)) - {"csrf_token", "action"})
        for value in ODD_VALUES:
            for action in ("next", "back", "lang:zh", value):
                data = {"csrf_token": token, "action": action, **dict.fromkeys(names, value)}
                status = client.post(location, data=data).status_code
                assert status in (302, 400, 422), (location, action[:20], value[:20], status)

    complete_via_web(client, survey, "jackson", "es", on_page=odd_posts)
    assert count(seeded, Response) == 1


def test_home_lists_open_surveys(client, survey):
    page = client.get("/?lang=es")
    assert "Encuesta mini" in page.text and "/s/mini-2026" in page.text


def _comment_page(client, lang: str) -> str:
    """The second page (with the free-text question), after answering the first."""
    first = start(client, lang)
    page = client.get(first)
    answers = {"csrf_token": csrf_token(page.text), "attended": "1", "grade": "4"}
    assert client.post(first, data={**answers, "action": "next"}).status_code == 302
    return client.get(first.replace("/p/1", "/p/2")).text


def test_a_text_box_asks_once_not_to_write_names(client, survey, seeded, clock, tmp_path):
    assert _comment_page(client, "es").count("no escriba nombres") == 1
    # A survey's own hint says it for its readers instead (and once).
    text = (FIXTURES / "mini.yaml").read_text(encoding="utf-8")
    hinted = text.replace(
        'text: {en: "Anything else?", es: "¿Algo más?", zh: "还有其他意见吗？"}',
        'text: {en: "Anything else?", es: "¿Algo más?", zh: "还有其他意见吗？"}\n'
        '        help: {en: "No names, please.", es: "Sin nombres, por favor.",'
        ' zh: "请不要写名字。"}',
    )
    (tmp_path / "mini.yaml").write_text(hinted, encoding="utf-8")
    save_definition(seeded, template(tmp_path / "mini.yaml"), clock)
    client.delete_cookie("draft_mini-2026", path="/s/mini-2026")
    page = _comment_page(client, "zh")
    assert page.count("请不要写名字。") == 1 and "请不要填写姓名或电话号码" not in page


def test_pages_tell_the_browser_to_run_nothing_foreign_and_keep_addresses_to_themselves(
    client, survey
):
    """Resume tokens travel in addresses: no Referer to other sites, no framing, strict CSP."""
    for url in ("/s/mini-2026?school=jackson&lang=zh", start(client, "zh"), "/s/nope"):
        headers = client.get(url).headers
        assert "default-src 'self'" in headers["Content-Security-Policy"]
        assert "frame-ancestors 'none'" in headers["Content-Security-Policy"]
        assert headers["Referrer-Policy"] == "same-origin"
        assert headers["X-Content-Type-Options"] == "nosniff"
        assert headers["X-Frame-Options"] == "DENY"


@pytest.mark.parametrize(
    ("lang", "adult", "student"),
    [
        ("es", "Puede detenerse cuando quiera", "Puedes detenerte cuando quieras"),
        ("zh", "您可以随时停下", "你可以随时停下"),
    ],
)
def test_students_are_addressed_as_tu_and_ni_families_as_usted_and_nin(
    client, survey, seeded, clock, lang, adult, student
):
    """The pages' own words match the register of the survey's questions."""
    save_definition(seeded, template(FIXTURES / "protected.yaml"), clock)
    set_status(seeded, "protected-2026", SurveyStatus.OPEN)
    family = client.get(f"/s/mini-2026?school=jackson&lang={lang}").text
    assert adult in family and student not in family
    pupils = client.application.test_client()
    landing = pupils.get(f"/s/protected-2026?school=field&lang={lang}").text
    assert student in landing and adult not in landing
    started = pupils.post(
        "/s/protected-2026/start", data={"csrf_token": csrf_token(landing), "school": "field"}
    )
    page = pupils.get(started.headers["Location"])
    missing = pupils.post(
        started.headers["Location"], data={"csrf_token": csrf_token(page.text), "action": "next"}
    )
    assert missing.status_code == 422
    assert {"es": "Responde esta pregunta.", "zh": "请回答这个问题。"}[lang] in missing.text
    if lang == "es":
        assert "Revisa las preguntas marcadas abajo." in missing.text
        assert "Por favor, responda" not in missing.text


def test_a_comment_boxs_hint_is_read_out_with_it(client, survey):
    pages = []
    complete_via_web(client, survey, "jackson", "en", on_page=lambda _url, page: pages.append(page))
    comment = next(p.text for p in pages if 'name="comment"' in p.text)
    assert 'aria-describedby="comment-help"' in comment
    hint = re.search(r'<p class="help" id="comment-help">([^<]+)</p>', comment)
    assert hint and hint.group(1).strip()


def test_an_old_resume_link_says_what_may_have_happened(client, survey):
    page = client.get("/s/mini-2026/resume/not-a-token?lang=es")
    assert page.status_code == 404
    assert "No encontramos estas respuestas" in page.text
    assert 'href="/s/mini-2026">Empezar la encuesta de nuevo</a>' in page.text
    assert client.get("/s/other-2026/resume/not-a-token").status_code == 404
