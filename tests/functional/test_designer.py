"""The designer through its pages: create, translate, edit, publish, export, import, preview."""

import dataclasses
import html
import io
import re

import pytest
from sqlalchemy import func, select

from engagement.designer.service import load_draft
from engagement.models import (
    AuditEvent,
    Response,
    ResponseDraft,
    Role,
    Survey,
    SurveyStatus,
    SurveyVersion,
)
from engagement.surveys.store import KeywordTaken, save_definition, set_status
from engagement.surveys.xlsform import write_xlsform
from tests.staff import form_token, login, make_user
from tests.support import FIXTURES, complete_via_web, csrf_token, mini, template


@pytest.fixture
def designer(client, seeded, clock):
    make_user(seeded, clock, "designer@example.org", Role.DESIGNER)
    login(client, "designer@example.org")
    return client


def count(session, model, *where):
    session.expire_all()
    return session.scalar(select(func.count()).select_from(model).where(*where))


def versions(session, slug):
    session.expire_all()
    return session.scalar(
        select(func.count(SurveyVersion.id)).join(Survey).where(Survey.slug == slug)
    )


def load_draft_number(session) -> int:
    from engagement.designer.service import load_draft

    session.expire_all()
    return load_draft(session, "mini-2026").version.number


def post(client, url, data, page=None):
    return client.post(url, data={"csrf_token": form_token(client, page or url), **data})


NEW = {
    "slug": "walk-2026",
    "title_en": "Walking to school",
    "audience": "parent",
    "school_year": "2026-27",
    "section_key": "trip",
    "section_title_en": "The trip",
    "question_key": "walks",
    "question_type": "yes_no",
    "question_text_en": "Does your child walk to school?",
}


def test_publishing_is_refused_until_every_translation_is_there(designer, seeded):
    created = post(designer, "/admin/surveys/new", NEW)
    assert created.status_code == 302
    page = designer.get("/admin/surveys/walk-2026/translations")
    assert page.text.count('class="missing"') == 6  # title, section, question x es, zh
    # The survey page counts texts (each missing in Spanish, Chinese or both), not cells.
    assert "(3 texts to translate)" in designer.get("/admin/surveys/walk-2026?lang=en").text
    refused = post(designer, "/admin/surveys/walk-2026/publish", {}, "/admin/surveys/walk-2026")
    assert refused.status_code == 422
    assert "title: missing translation for Spanish" in refused.text
    assert seeded.scalars(select(Survey)).one().status.value == "draft"
    # Said in the reader's language, as the rest of the page.
    spanish = designer.get("/admin/surveys/walk-2026?lang=es").text
    assert "title: falta la traducción al español" in spanish
    assert "title：缺少西班牙语翻译" in designer.get("/admin/surveys/walk-2026?lang=zh").text

    texts = {
        "t:title": ("Caminar a la escuela", "走路上学"),
        "t:sections.0.title": ("El trayecto", "路上"),
        "t:sections.0.questions.0.text": ("¿Su hijo camina a la escuela?", "您的孩子走路上学吗？"),
    }
    data = {"version": "1"}
    for name, (es, zh) in texts.items():
        data |= {f"{name}:es": es, f"{name}:zh": zh}
    data |= {"t:title:en": "Walking to school", "t:sections.0.title:en": "The trip"}
    data |= {"t:sections.0.questions.0.text:en": "Does your child walk to school?"}
    saved = post(designer, "/admin/surveys/walk-2026/translations", data)
    assert saved.status_code == 302
    assert (
        "missing"
        not in designer.get("/admin/surveys/walk-2026/translations").text.split("<table")[1]
    )
    published = post(
        designer,
        "/admin/surveys/walk-2026/publish",
        {"opens_at": "2026-11-24T08:00", "closes_at": "2027-01-31"},
        "/admin/surveys/walk-2026",
    )
    assert published.status_code == 302
    survey = seeded.scalars(select(Survey)).one()
    assert survey.status.value == "open"
    assert survey.opens_at.isoformat() == "2026-11-24T16:00:00+00:00"  # 08:00 in Pasadena
    assert survey.closes_at.isoformat() == "2027-01-31T08:00:00+00:00"
    actions = [e.action for e in seeded.scalars(select(AuditEvent).order_by(AuditEvent.id))]
    assert actions[-3:] == ["survey.created", "survey.edited", "survey.published"]
    closed = post(designer, "/admin/surveys/walk-2026/close", {}, "/admin/surveys/walk-2026")
    assert closed.status_code == 302
    assert count(seeded, AuditEvent, AuditEvent.action == "survey.closed") == 1


def test_a_second_open_survey_cannot_take_an_open_surveys_text_keyword(designer, seeded, clock):
    save_definition(seeded, mini(), clock)
    set_status(seeded, "mini-2026", SurveyStatus.OPEN)
    save_definition(seeded, dataclasses.replace(mini(), slug="mini-2027"), clock)  # a copy
    refused = post(designer, "/admin/surveys/mini-2027/publish", {}, "/admin/surveys/mini-2027")
    assert refused.status_code == 422
    assert "The survey cannot be published until the problems listed are fixed." in refused.text
    assert "The open survey “mini-2026” answers to the text keyword MINI" in html.unescape(
        refused.text
    )
    assert seeded.scalars(select(Survey).where(Survey.slug == "mini-2027")).one().status.value == (
        "draft"
    )
    with pytest.raises(KeywordTaken):  # the command line's way in
        set_status(seeded, "mini-2027", SurveyStatus.OPEN)
    set_status(seeded, "mini-2026", SurveyStatus.CLOSED)
    opened = post(designer, "/admin/surveys/mini-2027/publish", {}, "/admin/surveys/mini-2027")
    assert opened.status_code == 302


def test_a_draft_using_an_open_surveys_keyword_is_told_before_publishing(designer, seeded, clock):
    """A copy for next year keeps this year's keywords: said on the draft, not on launch day."""
    from dataclasses import replace

    save_definition(seeded, mini(), clock)
    set_status(seeded, "mini-2026", SurveyStatus.OPEN)
    # Its Spanish and Chinese keywords are both the open survey's: both are listed at once.
    open_one = replace(mini(), sms_keyword_in={"zh": "小调查"})
    save_definition(seeded, open_one, clock)
    copy = replace(mini(), slug="mini-2027", sms_keyword="MINI27")
    copy = replace(copy, sms_keyword_in={"es": "mini", "zh": "小调查"})
    save_definition(seeded, copy, clock)
    page = designer.get("/admin/surveys/mini-2027?lang=en").text
    assert "Before publishing" in page
    assert (
        "The open survey “mini-2026” answers to the text keyword MINI: change it here, or close"
        " “mini-2026” before publishing."
    ) in html.unescape(page)
    assert "answers to the text keyword 小调查" in html.unescape(page)
    assert "<code>survey</code>: The open survey" not in page  # said in words, no field
    # The open survey itself lists no such problem.
    assert "The open survey" not in designer.get("/admin/surveys/mini-2026?lang=en").text


def test_a_survey_published_to_open_later_is_scheduled_not_open(designer, seeded, clock):
    save_definition(seeded, mini(), clock)
    window = {"opens_at": "2027-09-01T08:00", "closes_at": "2027-10-01"}
    published = post(
        designer, "/admin/surveys/mini-2026/publish", window, "/admin/surveys/mini-2026"
    )
    assert published.status_code == 302
    page = designer.get("/admin/surveys/mini-2026").text
    assert "The survey will open on September 1, 2027." in page
    assert '<span class="status scheduled">Scheduled</span>' in page
    assert '<span class="status scheduled">Scheduled</span>' in designer.get("/admin/").text


def test_editing_a_survey_with_responses_makes_a_new_version(designer, client, seeded, clock):
    save_definition(seeded, mini(), clock)
    set_status(seeded, "mini-2026", "open")
    complete_via_web(client, mini(), "jackson", "en")
    form = {
        "version": "1",
        "type": "likert",
        "text_en": "I feel safe at my child's school.",
        "text_es": "Me siento seguro en la escuela de mi hijo.",
        "text_zh": "我在孩子的学校感到安全。",
        "favourable": ["4", "5"],
        "indicator": "school_connectedness",
        "show_if": ["attended:1"],
    }
    edited = post(designer, "/admin/surveys/mini-2026/questions/safe", form)
    assert edited.status_code == 302, edited.text
    assert versions(seeded, "mini-2026") == 2
    response = seeded.scalars(select(Response)).one()
    assert response.version.number == 1  # answers keep the version they answered
    again = post(designer, "/admin/surveys/mini-2026/questions/safe", form | {"version": "2"})
    assert again.status_code == 302 and versions(seeded, "mini-2026") == 2  # unchanged: nothing
    stale = post(designer, "/admin/surveys/mini-2026/questions/safe", form | {"text_en": "x"})
    assert stale.status_code == 422 and "after you opened this page" in stale.text
    from engagement.surveys.store import definition_of, latest_version

    safe = definition_of(latest_version(seeded, seeded.scalars(select(Survey)).one().id)).question(
        "safe"
    )
    assert safe.show_if.question == "attended" and safe.indicator == "school_connectedness"


def test_an_open_survey_cannot_lose_a_translation(designer, seeded, clock):
    save_definition(seeded, mini(), clock)
    set_status(seeded, "mini-2026", "open")
    form = {"version": "1", "type": "likert", "text_en": "Safe?", "favourable": ["4", "5"]}
    refused = post(designer, "/admin/surveys/mini-2026/questions/safe", form)
    assert refused.status_code == 422 and "This survey is open" in refused.text
    assert versions(seeded, "mini-2026") == 1


def test_questions_and_sections_are_added_moved_and_deleted(designer, seeded, clock):
    save_definition(seeded, mini(), clock)
    added = post(
        designer,
        "/admin/surveys/mini-2026/questions/new?section=more",
        {
            "version": "1",
            "key": "clubs",
            "type": "multiple_choice",
            "text_en": "Which clubs?",
            "choice_rows": "3",
            "choice_0_value": "1",
            "choice_0_label_en": "Chess",
            "choice_0_favourable": "1",
            "choice_1_value": "2",
            "choice_1_label_en": "Music",
            "choice_2_value": "3",
            "choice_2_label_en": "None",
            "choice_2_exclusive": "1",
        },
    )
    assert added.status_code == 302, added.text
    bad = post(
        designer,
        "/admin/surveys/mini-2026/questions/new?section=more",
        {"version": "2", "key": "k2", "type": "number", "text_en": "How many?", "min": "ten"},
    )
    assert bad.status_code == 422 and "Please enter a number" in bad.text
    huge = post(  # no database integer holds it: a problem to fix, not a server error
        designer,
        "/admin/surveys/mini-2026/questions/new?section=more",
        {
            "version": "2",
            "key": "k3",
            "type": "single_choice",
            "text_en": "Which?",
            "choice_rows": "2",
            "choice_0_value": "1",
            "choice_0_label_en": "One",
            "choice_1_value": "-99999999999999999999",
            "choice_1_label_en": "Huge",
        },
    )
    assert huge.status_code == 422 and "value must be between -1000000 and 1000000" in huge.text
    moved = post(
        designer,
        "/admin/surveys/mini-2026/questions/clubs/up",
        {"version": "2"},
        "/admin/surveys/mini-2026",
    )
    assert moved.status_code == 302
    section = post(
        designer,
        "/admin/surveys/mini-2026/sections",
        {
            "version": "3",
            "key": "last",
            "title_en": "Last",
            "question_key": "ok",
            "question_type": "yes_no",
            "question_text_en": "OK?",
        },
        "/admin/surveys/mini-2026",
    )
    assert section.status_code == 302
    # The survey page only links to a page that asks; nothing there deletes.
    page = designer.get("/admin/surveys/mini-2026").text
    assert 'href="/admin/surveys/mini-2026/sections/last/delete"' in page
    assert 'action="/admin/surveys/mini-2026/sections/last/delete"' not in page
    assert 'action="/admin/surveys/mini-2026/questions/clubs/delete"' not in page
    ask = designer.get("/admin/surveys/mini-2026/sections/last/delete?lang=en")
    assert ask.status_code == 200
    assert "Delete the section “Last”?" in ask.text and "OK? <code>ok</code>" in ask.text
    assert "This survey is open" not in ask.text  # a draft: nobody answers it yet
    assert designer.get("/admin/surveys/mini-2026/sections/nope/delete").status_code == 404
    one = designer.get("/admin/surveys/mini-2026/questions/clubs/delete?lang=es").text
    assert "¿Eliminar esta pregunta?" in one
    assert load_draft_number(seeded) == 4  # asking deleted nothing
    deleted = post(
        designer,
        "/admin/surveys/mini-2026/sections/last/delete",
        {"version": "4"},
        "/admin/surveys/mini-2026/sections/last/delete",
    )
    assert deleted.status_code == 302
    from engagement.designer.service import load_draft

    draft = load_draft(seeded, "mini-2026")
    keys = [q.key for q in draft.definition.sections[1].questions]
    assert keys[-2:] == ["clubs", "comment"]
    assert draft.definition.question("clubs").favourable == {1}
    assert draft.definition.question("clubs").choices[2].exclusive
    assert draft.version.number == 5


def test_a_type_picked_on_a_new_question_needs_no_second_save_or_script(designer, seeded, clock):
    save_definition(seeded, mini(), clock)
    url = "/admin/surveys/mini-2026/questions/new?section=more"
    page = designer.get(url).text
    assert 'name="shown_type" value="likert"' in page  # drawn with the agree scale's table
    # What the browser sends: the agree scale's favourable ticks (4, 5) with the new type.
    typed = {"version": "1", "shown_type": "likert", "favourable": ["4", "5"]}
    yes_no = post(designer, url, {**typed, "key": "walks", "type": "yes_no", "text_en": "Walks?"})
    assert yes_no.status_code == 302, yes_no.text
    from engagement.designer.service import load_draft

    assert load_draft(seeded, "mini-2026").definition.question("walks").favourable == {1}
    # One choice: there was no table to type its answers in. Asked for them, nothing lost.
    one = {**typed, "version": "2", "key": "how", "type": "single_choice", "required": "1"}
    asked = post(designer, url, {**one, "text_en": "How do you get there?", "text_es": "¿Cómo?"})
    assert asked.status_code == 422
    assert "Type the answers to choose from in the table below" in asked.text
    assert 'name="choice_0_value"' in asked.text and 'name="shown_type" value="single_choice"' in (
        asked.text
    )
    # Room for a whole list of answers at once, not three rows and a second save.
    assert 'name="choice_7_value"' in asked.text and 'name="choice_8_value"' not in asked.text
    assert "How do you get there?" in asked.text and "¿Cómo?" in asked.text
    assert 'name="required" value="1" checked' in asked.text
    # Drawn for one choice, the page sends its rows (and no agree-scale ticks).
    one.pop("favourable")
    rows = {"shown_type": "single_choice", "choice_rows": "3"}
    rows |= {"choice_0_value": "1", "choice_0_label_en": "Walk", "choice_0_label_es": "A pie"}
    rows |= {"choice_1_value": "abc", "choice_1_label_en": "Bus"}
    bad = post(designer, url, {**one, **rows, "text_en": "How?"})
    assert bad.status_code == 422  # a value that is not a number: the rows stay as typed
    assert 'value="A pie"' in bad.text and 'value="abc"' in bad.text and 'value="Bus"' in bad.text
    rows["choice_1_value"] = "2"
    saved = post(designer, url, {**one, **rows, "text_en": "How?"})
    assert saved.status_code == 302, saved.text


def test_a_question_is_added_with_its_type_picked_first(designer, seeded, clock):
    """The survey page asks the type beside "Add a question": the new question's page then
    has that type's answers table, so "Several choices" is typed in and saved at once."""
    save_definition(seeded, mini(), clock)
    survey = designer.get("/admin/surveys/mini-2026").text
    assert 'action="/admin/surveys/mini-2026/questions/new"' in survey
    assert '<input type="hidden" name="section" value="more">' in survey
    assert '<option value="multiple_choice">Several choices</option>' in survey
    assert '<option value="likert" selected>' in survey
    url = "/admin/surveys/mini-2026/questions/new?section=more&type=multiple_choice"
    page = designer.get(url).text
    assert 'name="shown_type" value="multiple_choice"' in page
    assert '<option value="multiple_choice" selected>' in page
    assert 'name="choice_7_value"' in page and "choices-table" in page
    assert 'name="favourable" value="5"' not in page  # no agree-scale table
    # Only the labels typed: the values are numbered in order, a "don't know" gets 9.
    rows = {"choice_rows": "8", "choice_0_label_en": "Walk", "choice_1_label_en": "Bus"}
    rows |= {"choice_2_label_en": "Not sure", "choice_2_not_applicable": "1"}
    rows |= {"choice_3_label_en": "Car", "choice_3_favourable": "1"}
    sent = {"version": "1", "shown_type": "multiple_choice", "type": "multiple_choice"}
    saved = post(designer, url, {**sent, **rows, "key": "how", "text_en": "How?"}, page=url)
    assert saved.status_code == 302, saved.text
    from engagement.designer.service import load_draft

    how = load_draft(seeded, "mini-2026").definition.question("how")
    assert how.type.value == "multiple_choice" and [c.value for c in how.choices] == [1, 2, 9, 3]
    assert how.favourable == {3}
    # A type no question has: the agree scale, as before.
    page = designer.get("/admin/surveys/mini-2026/questions/new?section=more&type=nope").text
    assert 'name="shown_type" value="likert"' in page


def test_a_refused_question_is_told_in_the_readers_language(designer, seeded, clock):
    """The problems the question form can meet are said in words, not template syntax."""
    save_definition(seeded, mini(), clock)
    url = "/admin/surveys/mini-2026/questions/new?section=more"
    sent = {"version": "1", "shown_type": "yes_no", "type": "yes_no", "text_en": "Walks?"}
    nameless = post(designer, url + "&lang=es", {**sent, "key": ""}, url + "&lang=es")
    assert nameless.status_code == 422
    assert "Clave: obligatoria, en minúsculas, dígitos y _" in nameless.text
    twice = post(designer, url + "&lang=en", {**sent, "key": "attended"}, url + "&lang=en")
    assert "Another question already has the key “attended”." in html.unescape(twice.text)
    one = {**sent, "key": "how", "type": "single_choice", "shown_type": "single_choice"}
    one |= {"choice_rows": "8", "choice_0_label_en": "Walk"}
    lonely = post(designer, url + "&lang=zh", one, url + "&lang=zh")
    assert "请至少填写两个可供选择的答案。" in lonely.text


def test_clone_keeps_question_keys_and_template_files_start_surveys(designer, app, seeded, clock):
    save_definition(seeded, mini(), clock)
    cloned = post(
        designer,
        "/admin/surveys/new/clone",
        {"source": "mini-2026", "slug": "mini-2027", "school_year": "2027-28"},
    )
    assert cloned.status_code == 302
    from engagement.designer.service import load_draft

    clone = load_draft(seeded, "mini-2027").definition
    assert [q.key for q in clone.questions] == [q.key for q in mini().questions]
    assert clone.school_year == "2027-28"
    app.config["SURVEY_TEMPLATE_DIR"] = str(FIXTURES)
    made = post(
        designer,
        "/admin/surveys/new/template",
        {"file": "protected.yaml", "slug": "check-2027", "school_year": "2027-28"},
    )
    assert made.status_code == 302
    assert load_draft(seeded, "check-2027").definition.has_protected_topics
    taken = post(
        designer,
        "/admin/surveys/new/clone",
        {"source": "mini-2026", "slug": "mini-2027", "school_year": "2027-28"},
    )
    assert taken.status_code == 422 and "already a survey" in taken.text


def test_a_refused_section_keeps_what_was_typed(designer, seeded, clock):
    save_definition(seeded, mini(), clock)
    refused = post(
        designer,
        "/admin/surveys/mini-2026/sections",
        {
            "version": "1",
            "key": "transport",
            "title_en": "Getting to school",
            "title_es": "Cómo llegan",
            "question_key": "how",
            "question_type": "single_choice",
            "question_text_en": "How?",  # no choices: refused
        },
        "/admin/surveys/mini-2026",
    )
    assert refused.status_code == 422
    page = html.unescape(refused.text)
    assert '<details class="add-section" open>' in page
    assert 'value="transport"' in page and 'value="Cómo llegan"' in page
    assert 'value="how"' in page and "How?" in page


def test_a_copy_for_next_year_carries_next_years_name(designer, seeded):
    made = post(
        designer,
        "/admin/surveys/new/template",
        {"file": "family-2026.yaml", "slug": "family-2027", "school_year": "2027-28"},
    )
    assert made.status_code == 302, made.text
    from engagement.designer.service import load_draft

    title = load_draft(seeded, "family-2027").definition.title
    assert title["en"] == "Family Survey 2027-28" and title["zh"].startswith("2027-28")
    assert "2026-27" not in "".join(title.values())


def upload(client, content: bytes, name: str, **ticked):
    return client.post(
        "/admin/surveys/import",
        data={
            "csrf_token": form_token(client, "/admin/surveys/import"),
            "file": (io.BytesIO(content), name),
            **ticked,
        },
        content_type="multipart/form-data",
    )


def test_export_then_import_through_the_pages(designer, seeded, clock):
    save_definition(seeded, mini(), clock)
    for kind in ("yaml", "xlsx"):
        exported = post(
            designer, f"/admin/surveys/mini-2026/export.{kind}", {}, "/admin/surveys/mini-2026"
        )
        assert exported.status_code == 200
        assert "attachment" in exported.headers["Content-Disposition"]

        # The file's survey exists: it becomes its next version only when that is ticked.
        refused = upload(designer, exported.data, f"mini.{kind}")
        assert refused.status_code == 422
        assert "A survey with the link name “mini-2026” already exists (0 responses)." in (
            html.unescape(refused.text)
        )
        again = upload(designer, exported.data, f"mini.{kind}", replace_existing="1")
        assert again.status_code == 302, again.text
        assert versions(seeded, "mini-2026") == 1  # the same survey: nothing new
    assert count(seeded, AuditEvent, AuditEvent.action == "survey.exported") == 2


def test_xlsform_import_lists_what_it_leaves_out_and_needs_consent(designer, seeded):
    from tests.unit.test_designer_formats import foreign_form

    def upload(accept):
        data = {
            "csrf_token": form_token(designer, "/admin/surveys/import"),
            "file": (__import__("io").BytesIO(foreign_form()), "odk.xlsx"),
        }
        if accept:
            data["accept_left_out"] = "1"
        return designer.post("/admin/surveys/import", data=data, content_type="multipart/form-data")

    refused = upload(False)
    assert refused.status_code == 422
    assert "survey row 8" in refused.text and "calculate" in refused.text
    assert "audience: must be one of" in refused.text  # the form does not say who answers
    assert count(seeded, Survey) == 0
    bad = designer.post(
        "/admin/surveys/import",
        data={
            "csrf_token": form_token(designer, "/admin/surveys/import"),
            "file": (__import__("io").BytesIO(b"\xff\xfe"), "x.yaml"),
        },
        content_type="multipart/form-data",
    )
    assert bad.status_code == 422 and "UTF-8" in bad.text


def test_xlsform_with_settings_imports_when_accepted(designer, seeded):
    content = write_xlsform(template(FIXTURES / "protected.yaml"))
    data = {
        "csrf_token": form_token(designer, "/admin/surveys/import"),
        "file": (__import__("io").BytesIO(content), "p.xlsx"),
    }
    imported = designer.post("/admin/surveys/import", data=data, content_type="multipart/form-data")
    assert imported.status_code == 302
    assert count(seeded, Survey) == 1


def test_preview_walks_the_real_pages_in_each_language_and_records_nothing(designer, seeded, clock):
    save_definition(seeded, mini(), clock)
    page = designer.get("/admin/surveys/mini-2026/preview/zh", follow_redirects=True)
    assert (
        page.status_code == 200 and "关于您" in page.text and "不记录" in page.text
    ) or "关于您" in page.text
    token = form_token(designer, "/admin/surveys/mini-2026/preview/zh/1")
    missing = designer.post(
        "/admin/surveys/mini-2026/preview/zh/1", data={"csrf_token": token, "action": "next"}
    )
    assert missing.status_code == 422  # required questions, checked by the engine
    done = designer.post(
        "/admin/surveys/mini-2026/preview/zh/1",
        data={"csrf_token": token, "action": "next", "attended": "0", "grade": "4", "band": "1"},
    )
    assert done.headers["Location"].endswith("/preview/zh/2")
    second = designer.get("/admin/surveys/mini-2026/preview/zh/2")
    assert "多久一次" not in second.text  # skipped: the parent did not attend
    switched = designer.post(
        "/admin/surveys/mini-2026/preview/zh/2", data={"csrf_token": token, "action": "lang:es"}
    )
    assert switched.headers["Location"].endswith("/preview/es/2")
    finished = designer.post(
        "/admin/surveys/mini-2026/preview/es/2", data={"csrf_token": token, "action": "next"}
    )
    assert finished.headers["Location"].endswith("/preview/es/done")
    assert "¡Gracias!" in designer.get("/admin/surveys/mini-2026/preview/es/done").text
    assert count(seeded, Response) == 0 and count(seeded, ResponseDraft) == 0


def test_saving_each_question_page_untouched_changes_nothing(designer, seeded, clock):
    """The question form shows everything a question has: posting it back is the same survey."""
    from html import unescape

    from werkzeug.datastructures import MultiDict

    from tests.staff import form_fields

    save_definition(seeded, mini(), clock)
    for question in mini().questions:
        page = designer.get(f"/admin/surveys/mini-2026/questions/{question.key}")
        fields = MultiDict([(k, unescape(v)) for k, v in form_fields(page.text, "question-form")])
        saved = designer.post(f"/admin/surveys/mini-2026/questions/{question.key}", data=fields)
        assert saved.status_code == 302, (question.key, saved.text[-2000:])
        assert versions(seeded, "mini-2026") == 1, question.key


@pytest.mark.parametrize("typed", ["²", "99999999999999999999", "seven"])
def test_a_minimum_group_size_that_is_not_a_plain_number_is_refused_with_a_reason(
    designer, seeded, typed
):
    assert post(designer, "/admin/surveys/new", NEW).status_code == 302
    settings = {"audience": "parent", "school_year": "2026-27", "version": "²"}
    page = "/admin/surveys/walk-2026"
    refused = post(designer, page + "/settings", {**settings, "min_cell_size": typed}, page)
    assert refused.status_code == 422
    assert "min_cell_size: a whole number, at least 1" in refused.text
    saved = post(designer, page + "/settings", {**settings, "min_cell_size": "7"}, page)
    assert saved.status_code == 302
    assert "7" in designer.get(page).text.split('name="min_cell_size"')[1].split(">")[0]


def test_the_yaml_editor_saves_a_change_and_lists_problems_instead_of_failing(designer, seeded):
    created = post(designer, "/admin/surveys/new", NEW)
    assert created.status_code == 302
    url = "/admin/surveys/walk-2026/yaml"
    text = html.unescape(designer.get(url).text.split('name="text"')[1].split(">", 1)[1])
    text = text.split("</textarea>")[0]
    assert "Walking to school" in text

    renamed = post(designer, url, {"version": "1", "text": text.replace("Walking", "Biking")})
    assert renamed.status_code == 302, renamed.text
    assert seeded.scalars(select(Survey)).one().title["en"] == "Biking to school"

    # Text shaped like an impossible date is text, for the validator to place.
    dated = post(designer, url, {"version": "2", "text": text.replace("2026-27", "2026-13-45")})
    assert dated.status_code == 422
    assert "school_year: like 2026-27" in dated.text
    # Nesting deep enough to exhaust the parser is a problem on the page too.
    nested = post(designer, url, {"version": "2", "text": "title: " + "[" * 5000 + "]" * 5000})
    assert nested.status_code == 422
    assert "not valid YAML: nested too deeply" in nested.text
    # A mistake in the YAML, said in the page's language with its line.
    tabbed = post(
        designer, url + "?lang=zh", {"version": "2", "text": "slug: x\n\ttitle: y\n"}, url
    )
    assert tabbed.status_code == 422
    assert "第 2 行：有制表符（Tab）：请用空格缩进（该行内容为“title: y”）" in tabbed.text
    spaced = post(
        designer, url + "?lang=es", {"version": "2", "text": "title:\n  en:Bici\n  es: Bici\n"}, url
    )
    assert "Línea 2: falta un espacio después de los dos puntos: escriba «en: Bici»" in spaced.text
    for blank in ("", "- a list\n- of things"):  # says what is wrong, not "the problems listed"
        refused = post(designer, url, {"version": "2", "text": blank})
        assert refused.status_code == 422 and "not a survey template" in refused.text
    seeded.expire_all()
    assert seeded.scalars(select(Survey)).one().title["en"] == "Biking to school"


def test_closing_an_open_survey_first_says_what_it_stops(designer, seeded, clock):
    from engagement.delivery.service import save_answers, start_response
    from engagement.models import Channel
    from tests.support import respond

    save_definition(seeded, mini(), clock)
    set_status(seeded, "mini-2026", SurveyStatus.OPEN)
    respond(seeded, clock, "mini-2026", "jackson", {"attended": 1, "grade": 1})
    for language in ("es", "zh"):  # two families part-way through
        draft = start_response(seeded, "mini-2026", "field", language, Channel.WEB, clock)
        save_answers(seeded, draft.token, {"attended": 1}, clock)
    # Started and nothing answered yet (an unanswered text invitation): not part-way through.
    start_response(seeded, "mini-2026", "field", "en", Channel.WEB, clock)

    page = designer.get("/admin/surveys/mini-2026")
    # One click on the survey page only asks; nothing there closes the survey.
    assert 'href="/admin/surveys/mini-2026/close"' in page.text
    assert 'action="/admin/surveys/mini-2026/close"' not in page.text
    ask = designer.get("/admin/surveys/mini-2026/close")
    assert ask.status_code == 200
    assert "1 response is kept and stays in the reports." in ask.text
    assert "2 people started and have not finished: they will not be able to." in ask.text
    spanish = designer.get(
        "/admin/surveys/mini-2026/close", headers={"Accept-Language": "es"}
    ).text  # not ?lang=es, which stays chosen for the rest of the test
    assert "Se conserva 1 respuesta, que sigue en los informes." in spanish
    assert "2 personas empezaron y no han terminado: ya no podrán terminar." in spanish
    assert "answering by text message" not in ask.text  # nobody is
    assert 'href="/admin/surveys/mini-2026">Keep it open</a>' in ask.text
    assert count(seeded, AuditEvent, AuditEvent.action == "survey.closed") == 0
    assert seeded.scalars(select(Survey)).one().status is SurveyStatus.OPEN

    closed = post(designer, "/admin/surveys/mini-2026/close", {}, "/admin/surveys/mini-2026/close")
    assert closed.status_code == 302
    seeded.expire_all()
    assert seeded.scalars(select(Survey)).one().status is SurveyStatus.CLOSED
    # Asking again about a closed survey says so; an unknown one is not there.
    again = designer.get("/admin/surveys/mini-2026/close", follow_redirects=True)
    assert "This survey is not open." in again.text
    assert designer.get("/admin/surveys/nope-2026/close").status_code == 404


def test_closing_needs_the_right_to_run_surveys(client, seeded, clock):
    save_definition(seeded, mini(), clock)
    set_status(seeded, "mini-2026", SurveyStatus.OPEN)
    make_user(seeded, clock, "reader@example.org", Role.LEADERSHIP)
    login(client, "reader@example.org")
    assert client.get("/admin/surveys/mini-2026/close").status_code == 403


def _translation_form(page_html: str) -> dict[str, str]:
    """Every box of the translations page as the browser would send it back unchanged."""
    fields = dict(re.findall(r'<textarea[^>]* name="([^"]+)"[^>]*>([^<]*)</textarea>', page_html))
    fields = {name: html.unescape(value) for name, value in fields.items()}
    version = re.search(r'name="version" value="(\d+)"', page_html).group(1)
    return {**fields, "version": version, "csrf_token": csrf_token(page_html)}


def test_two_translators_at_once_keep_each_others_work(designer, seeded, clock):
    save_definition(seeded, mini(), clock)
    url = "/admin/surveys/mini-2026/translations"
    spanish = _translation_form(designer.get(url).text)
    chinese = dict(spanish)  # both opened the page on the same version
    title = "t:title"
    spanish[f"{title}:es"] = "Encuesta breve"
    chinese[f"{title}:zh"] = "简短调查"
    chinese["t:sections.0.title:zh"] = "第一部分"
    assert designer.post(url, data=spanish).status_code == 302
    # The second save comes from a page opened before the first: it keeps the Spanish.
    assert designer.post(url, data=chinese).status_code == 302
    seeded.expire_all()
    template = load_draft(seeded, "mini-2026").template
    assert template["title"]["es"] == "Encuesta breve" and template["title"]["zh"] == "简短调查"
    assert template["sections"][0]["title"]["zh"] == "第一部分"
    assert versions(seeded, "mini-2026") == 3


def test_a_text_both_translators_changed_is_shown_to_choose_and_nothing_is_lost(
    designer, app, seeded, clock
):
    save_definition(seeded, mini(), clock)
    make_user(seeded, clock, "lucia@example.org", Role.DESIGNER)
    lucia = app.test_client()
    login(lucia, "lucia@example.org")
    url = "/admin/surveys/mini-2026/translations"
    first = _translation_form(lucia.get(url).text)
    second = _translation_form(designer.get(url).text)
    first["t:title:es"] = "Encuesta corta"
    first["t:sections.0.title:es"] = "Primera parte"  # only the first translator's change
    second["t:title:es"] = "Encuesta breve"
    second["t:sections.0.title:zh"] = "第一部分"
    assert lucia.post(url, data=first).status_code == 302
    clash = designer.post(url, data=second)
    assert clash.status_code == 422
    # Who it was, from the audit log: they can be asked which wording to keep.
    assert "lucia saved version 2 while you were typing, and changed 1 of the texts" in clash.text
    assert "changed 1 of the texts you changed. Nothing was saved." in clash.text
    # Their own typing is still in the boxes; the other person's text is shown beside it.
    assert ">Encuesta breve</textarea>" in clash.text and ">第一部分</textarea>" in clash.text
    assert "Saved meanwhile by someone else: <q>Encuesta corta</q>" in clash.text
    assert versions(seeded, "mini-2026") == 2
    # Saving again from that page keeps what they chose.
    again = designer.post(url, data=_translation_form(clash.text))
    assert again.status_code == 302
    seeded.expire_all()
    template = load_draft(seeded, "mini-2026").template
    assert template["title"]["es"] == "Encuesta breve"
    assert template["sections"][0]["title"]["zh"] == "第一部分"
    # What only the first translator changed survived the second one's two saves.
    assert template["sections"][0]["title"]["es"] == "Primera parte"


def test_a_refused_translation_save_keeps_what_was_typed(designer, seeded, clock):
    save_definition(seeded, mini(), clock)
    set_status(seeded, "mini-2026", SurveyStatus.OPEN)  # an open survey stays translated
    url = "/admin/surveys/mini-2026/translations"
    form = _translation_form(designer.get(url).text)
    form["t:title:zh"] = ""
    form["t:sections.0.title:es"] = "Primera parte, revisada"
    refused = designer.post(url, data=form)
    assert refused.status_code == 422 and "every text must stay translated" in refused.text
    assert ">Primera parte, revisada</textarea>" in refused.text


def test_the_preview_says_which_texts_show_in_english_for_want_of_a_translation(
    designer, seeded, clock
):
    assert post(designer, "/admin/surveys/new", NEW).status_code == 302  # English only
    page = designer.get("/admin/surveys/walk-2026/preview/es", follow_redirects=True)
    assert "Does your child walk to school?" in page.text  # what a parent would see
    assert "3 textos aún no están traducidos a este idioma" in page.text
    assert 'href="/admin/surveys/walk-2026/translations"' in page.text
    english = designer.get("/admin/surveys/walk-2026/preview/en", follow_redirects=True)
    assert "not translated" not in english.text
    save_definition(seeded, mini(), clock)  # complete in every language: no notice
    whole = designer.get("/admin/surveys/mini-2026/preview/zh", follow_redirects=True)
    assert "/translations" not in whole.text


def test_deleting_from_an_open_survey_says_what_the_reports_lose(designer, seeded, clock):
    from tests.support import respond

    save_definition(seeded, mini(), clock)
    set_status(seeded, "mini-2026", SurveyStatus.OPEN)
    respond(seeded, clock, "mini-2026", "jackson", {"attended": 1, "grade": 1})
    ask = designer.get("/admin/surveys/mini-2026/questions/grade/delete?lang=en").text
    assert "Delete this question?" in ask
    assert "This survey is open: people answering from now on will not be asked this" in ask
    zh = designer.get("/admin/surveys/mini-2026/questions/grade/delete?lang=zh").text
    assert "删除这道题？" in zh and "这份问卷正在进行中" in zh
    assert designer.get("/admin/surveys/mini-2026/questions/nope/delete").status_code == 404
    assert designer.get("/admin/surveys/nope/questions/grade/delete").status_code == 404


def test_a_school_year_typed_in_full_width_digits_is_stored_plainly(designer, seeded):
    created = post(designer, "/admin/surveys/new", {**NEW, "school_year": "２０２６－２７"})
    assert created.status_code == 302
    assert seeded.scalars(select(Survey)).one().school_year == "2026-27"


def test_the_new_survey_help_shows_the_link_shape_and_closed_surveys_send_nothing(
    designer, seeded, clock
):
    page = designer.get("/admin/surveys/new?lang=en").text
    assert "The survey's link is /s/ followed by the link name." in page
    save_definition(seeded, mini(), clock)
    set_status(seeded, "mini-2026", SurveyStatus.CLOSED)
    sms = designer.get("/admin/surveys/mini-2026/sms?lang=en").text
    assert "The survey is closed: no invitations can be sent." in sms
    assert "once it is published" not in sms


def test_a_refused_new_survey_lists_what_blocks_it_not_translations_that_may_wait(designer):
    refused = post(designer, "/admin/surveys/new", {**NEW, "question_key": "Bad key!"})
    assert refused.status_code == 422
    assert "missing translation" not in refused.text  # the page says they can wait
    assert "walk" in refused.text  # what was typed stays


def test_a_question_another_depends_on_says_so_when_deleted(designer, seeded, clock):
    save_definition(seeded, mini(), clock)
    refused = post(
        designer,
        "/admin/surveys/mini-2026/questions/attended/delete",
        {"version": "1"},
        "/admin/surveys/mini-2026/questions/attended/delete",
    )
    assert refused.status_code == 422
    assert "“how_often” is asked only depending on the answer to “attended”." in refused.text
    section = post(
        designer,
        "/admin/surveys/mini-2026/sections/about/delete",
        {"version": "1"},
        "/admin/surveys/mini-2026/sections/about/delete",
    )
    assert section.status_code == 422 and "depending on the answer to “attended”" in section.text
    assert load_draft_number(seeded) == 1
