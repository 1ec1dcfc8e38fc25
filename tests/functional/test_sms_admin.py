"""SMS from the staff pages: contact import, campaigns and reminders, the SMS preview."""

from __future__ import annotations

import html
import io

import pytest
from sqlalchemy import func, select
from werkzeug.datastructures import MultiDict

from engagement.i18n import HTML_LANG
from engagement.models import (
    AuditEvent,
    Campaign,
    Contact,
    OutboundMessage,
    OutboundStatus,
    Role,
    School,
    Survey,
    SurveyStatus,
    User,
)
from engagement.sms.campaigns import estimate_campaign
from engagement.sms.conversation import SmsSettings
from engagement.sms.outbox import run_worker
from engagement.sms.transports import TwilioTransport
from engagement.surveys.store import save_definition, set_status
from tests.fake_twilio import ACCOUNT_SID, AUTH_TOKEN, FakeTwilio
from tests.sms import GOOD_AND_BAD, MORNING, OUTBOX, add_contact, open_mini, post_signed, sms_app
from tests.staff import form_fields, form_token, login, make_user
from tests.support import mini

IMPORT = "/admin/sms/contacts/import"


@pytest.fixture
def designer(client, seeded, clock):
    make_user(seeded, clock, "designer@example.org", Role.DESIGNER)
    login(client, "designer@example.org")
    return client


def imports(session) -> list[AuditEvent]:
    query = select(AuditEvent).where(AuditEvent.action == "sms.contacts_imported")
    return list(session.scalars(query))


def upload(client, content: bytes | str, name="contacts.csv", token=None, **fields):
    if isinstance(content, str):
        content = content.encode("utf-8")
    data = {"file": (io.BytesIO(content), name), **fields}
    if token is not False:
        data["csrf_token"] = token or form_token(client, IMPORT)
    return client.post(IMPORT, data=data, content_type="multipart/form-data")


def test_a_file_with_bad_rows_imports_nothing_and_lists_each_line(designer, seeded):
    page = upload(designer, GOOD_AND_BAD)
    assert page.status_code == 422
    assert "Nothing was imported: 5 rows of 8 have problems. Fix them and" in page.text
    for line, reason in [
        (5, "This phone number is not valid."),
        (6, "Unknown language “klingon” (use en, es or zh)."),
        (7, "Unknown school code “hogwarts”."),
        (8, "Unknown role “pirate”"),
        (9, "The phone number is missing."),
    ]:
        assert f"<td>{line}</td><td>{reason}" in page.text, line
    assert "555" not in page.text.replace("(626) 555-0134", "")  # the example line only
    assert seeded.scalars(select(Contact)).all() == []
    assert imports(seeded) == []


def test_rows_that_disagree_about_one_phone_or_name_a_school_are_refused_clearly(designer, seeded):
    page = upload(
        designer,
        "phone,language,schools,role\n"
        "(626) 555-0111,es,jackson,parent\n"
        "(626) 555-0112,en,Jackson Elementary,parent\n"
        "+1 626 555 0111,en,field,parent\n",
    )
    assert page.status_code == 422
    text = html.unescape(page.text)
    # Which language is right is the office's call, not the last line's.
    assert "<td>4</td><td>The same phone as line 2, with another language or role" in text
    assert "<td>3</td><td>“Jackson Elementary” is a school's name: the column takes codes, " in (
        text
    )
    assert "here “jackson”." in text
    assert seeded.scalars(select(Contact)).all() == []


def test_ticking_import_valid_imports_the_good_rows_and_summarises(designer, seeded):
    page = upload(designer, GOOD_AND_BAD, import_valid="1")
    assert page.status_code == 200, page.text
    for summary in (
        "8 rows read",
        "2 new contacts added",
        "0 contacts already known, updated",
        "1 repeated row merged",
        "5 rows with problems skipped",
    ):
        assert summary in page.text
    assert "<td>7</td><td>Unknown school code “hogwarts”.</td>" in page.text
    contacts = {c.phone: c for c in seeded.scalars(select(Contact))}
    assert set(contacts) == {"+16265550201", "+16265550102"}
    assert sorted(s.code for s in contacts["+16265550201"].schools) == ["blair", "field", "jackson"]
    [event] = imports(seeded)
    assert (event.action, event.actor_email) == ("sms.contacts_imported", "designer@example.org")
    assert event.details == {
        "rows": 8,
        "created": 2,
        "updated": 0,
        "merged": 1,
        "kept_language": 0,
        "bad": 5,
    }

    # The contact list: counts per school and language, never a number.
    listing = designer.get("/admin/sms/contacts")
    assert listing.status_code == 200
    assert "2 contacts, of whom 0 opted out of texts." in listing.text
    assert "0101" not in listing.text and "0102" not in listing.text
    rows = {
        name: listing.text.split(f"<td>{name}</td>")[1].split("</tr>")[0]
        for name in ("Field Elementary", "Jackson Elementary")
    }
    cells = lambda row: [c.split("<")[0] for c in row.split('<td class="num">')[1:]]  # noqa: E731
    # columns: English, Español, 中文, not known, opted out
    assert cells(rows["Field Elementary"]) == ["0", "1", "1", "0", "0"]
    assert cells(rows["Jackson Elementary"]) == ["0", "1", "0", "0", "0"]


def test_an_all_good_file_imports_and_reimporting_updates(designer, seeded):
    first = upload(designer, "phone,schools,Name\n6265550102,jackson,Ana Ruiz\n")
    assert first.status_code == 200
    # A column the import does not read is named, so nobody thinks names are kept.
    assert "Columns not read (nothing from them is stored): name" in first.text
    again = upload(designer, "\ufeffPhone,Language,School\n+16265550102,Spanish,field\n")
    assert "Columns not read" not in again.text
    assert again.status_code == 200
    assert "0 new contacts added" in again.text
    assert "1 contact already known, updated" in again.text
    contact = seeded.scalars(select(Contact)).one()
    assert contact.language == "es"
    assert sorted(s.code for s in contact.schools) == ["field", "jackson"]


@pytest.mark.parametrize(
    ("content", "name", "status", "message"),
    [
        ("phone\n6265550102\n", "contacts.xlsx", 422, "Please choose a .csv file"),
        (b"phone,language\n6265550102,espa\xf1ol\n", "contacts.csv", 422, "not UTF-8 text"),
        (b"PK\x03\x04\x00\x00binary", "contacts.csv", 422, "could not be read as CSV"),
        ("name,school\nAna,field\n", "contacts.csv", 422, "including “phone”"),
        ("phone\n" + "6265550102\n" * 600_000, "contacts.csv", 413, "The file is too large."),
        ("", "", 422, "Please choose a file."),
    ],
)
def test_files_that_cannot_be_read_are_refused_clearly(
    designer, seeded, content, name, status, message
):
    page = upload(designer, content, name=name)
    assert page.status_code == status
    assert message in page.text
    assert seeded.scalars(select(Contact)).all() == []


def test_the_import_needs_the_form_token(designer, seeded):
    assert upload(designer, "phone\n6265550102\n", token=False).status_code == 400
    assert seeded.scalars(select(Contact)).all() == []


def test_pages_are_in_the_staff_members_language(client, seeded, clock):
    make_user(seeded, clock, "es@example.org", Role.ADMIN)
    login(client, "es@example.org")
    client.set_cookie("lang", "es", domain="survey.test")
    page = upload(client, GOOD_AND_BAD)
    assert page.status_code == 422
    assert "No se importó nada" in page.text


# --- campaigns ---------------------------------------------------------------------------


@pytest.fixture
def sms_client(database_url, clock):
    """A client of an app with Twilio settings (signed status callbacks)."""
    from engagement.extensions import db

    app = sms_app(database_url, clock)
    yield app.test_client()
    with app.app_context():
        db.engine.dispose()


@pytest.fixture
def contacts(sms_client, seeded, clock):
    """The mini survey open, five contacts at Field/Jackson (one opted out), one elsewhere."""
    clock.now = MORNING
    open_mini(seeded, clock)
    add_contact(seeded, clock, "+16265550001", "en", ("field",))
    add_contact(seeded, clock, "+16265550002", "es", ("field", "jackson"))
    add_contact(seeded, clock, "+16265550003", "zh", ("jackson",))
    add_contact(seeded, clock, "+16265550004", None, ("field",))
    gone = add_contact(seeded, clock, "+16265550005", "en", ("field",))
    gone.opted_out = True
    add_contact(seeded, clock, "+16265550006", "en", ("madison",))
    seeded.commit()
    make_user(seeded, clock, "designer@example.org", Role.DESIGNER)
    login(sms_client, "designer@example.org")
    return sms_client


CAMPAIGNS = "/admin/surveys/mini-2026/sms"


def post_campaign(client, action: str, schools=("field", "jackson"), languages=None, **extra):
    data = {
        "csrf_token": form_token(client, CAMPAIGNS),
        "school": list(schools),
        "language": list(languages if languages is not None else ("en", "es", "zh", "")),
        **extra,
    }
    return client.post(f"{CAMPAIGNS}/{action}", data=data)


def outbox(session) -> list[OutboundMessage]:
    session.expire_all()
    return list(session.scalars(select(OutboundMessage).order_by(OutboundMessage.id)))


def test_all_schools_in_one_tick_reaches_every_school(contacts, seeded):
    page = contacts.get(CAMPAIGNS)
    active = seeded.scalar(select(func.count()).select_from(School).where(School.active))
    assert f"All schools ({active})" in page.text
    review = post_campaign(contacts, "review", schools=(), all_schools="1")
    assert review.status_code == 200, review.text
    assert "5 recipients" in review.text  # Madison's contact too; the opted-out one is not
    assert review.text.count('type="hidden" name="school"') == active


def test_review_shows_recipients_and_segments_then_send_queues_the_campaign(
    contacts, seeded, clock
):
    client = contacts
    page = client.get(CAMPAIGNS)
    assert page.status_code == 200
    assert 'value="field"' in page.text and "No campaigns yet." in page.text

    review = post_campaign(client, "review")
    assert review.status_code == 200, review.text
    with client.application.app_context():
        estimate = estimate_campaign(
            seeded,
            seeded.scalars(select(Survey)).one().id,
            [
                s.id
                for s in seeded.scalars(select(School).where(School.code.in_(["field", "jackson"])))
            ],
            [],
            clock,
            SmsSettings.from_config(client.application.config),
        )
    assert estimate.recipients == 4  # the opted-out contact and Madison's are left out
    assert f"4 recipients, {estimate.segments} message segments in all." in review.text
    for language, name in [("en", "English"), ("es", "Español"), ("zh", "中文")]:
        people, parts = estimate.by_language[language]
        assert (
            f'<td>{name}</td><td class="num">{people}</td><td class="num">{parts}</td>'
            in review.text
        )
    assert "Language not known yet" in review.text
    assert "Send 4 invitations" in review.text
    assert outbox(seeded) == []  # reviewing sends nothing

    send_form = MultiDict(form_fields(review.text, "campaign-send"))
    sent = client.post(f"{CAMPAIGNS}/send", data=send_form)
    assert sent.status_code == 302
    queued = outbox(seeded)
    assert len(queued) == 4 and {m.kind for m in queued} == {"invitation"}
    assert sum(m.segments for m in queued) == estimate.segments
    campaign = seeded.scalars(select(Campaign)).one()
    designer = seeded.scalars(select(User).where(User.email == "designer@example.org")).one()
    assert campaign.created_by_id == designer.id
    [event] = seeded.scalars(select(AuditEvent).where(AuditEvent.action == "sms.campaign_created"))
    assert event.actor_email == "designer@example.org" and event.target == "mini-2026"
    assert event.details == {
        "campaign": campaign.id,
        "schools": ["field", "jackson"],
        "languages": [],
        "invitations": 4,
    }
    listing = client.get(sent.headers["Location"])
    assert f"Campaign {campaign.id}: 4 invitations queued. They are sent between" in listing.text

    # The worker sends through (fake) Twilio; one number is unsubscribed, one is delivered.
    with FakeTwilio() as fake:
        fake.fail("+16265550003", (400, 21610))
        transport = TwilioTransport(
            ACCOUNT_SID, AUTH_TOKEN, from_number="+16265550199", base_url=fake.url
        )
        with client.application.app_context():
            run_worker(seeded, transport, clock, OUTBOX, once=True, sleep=lambda s: None)
        first = fake.messages[0]["sid"]
    status = {"MessageSid": first, "MessageStatus": "delivered"}
    assert post_signed(client, "/sms/twilio/status", status).status_code == 204
    listing = client.get(CAMPAIGNS)
    row = listing.text.split(f'id="campaign-{campaign.id}"')[1].split("</tr>")[0]
    numbers = [c.split("<")[0] for c in row.split('<td class="num">')[1:]]
    # invited, answered, waiting, sent, delivered, failed
    assert numbers == ["4", "0", "0", "3", "1", "1"]
    assert "0001" not in listing.text and "+1626" not in listing.text

    # Sending the same choice again: everyone is already invited.
    again = post_campaign(client, "send")
    assert again.status_code == 422
    assert "Nobody to invite" in again.text
    assert seeded.scalars(select(func.count()).select_from(Campaign)).one() == 1


def test_remind_non_responders_queues_reminders_and_is_audited(contacts, seeded, clock):
    client = contacts
    review = post_campaign(client, "review", schools=("field",), languages=("en",))
    assert "1 recipient, " in review.text and "Send 1 invitation<" in review.text
    post_campaign(client, "send", schools=("field",), languages=("en",))
    campaign = seeded.scalars(select(Campaign)).one()
    assert [m.kind for m in outbox(seeded)] == ["invitation"]
    queued = f"Campaign {campaign.id}: 1 invitation queued. It is sent between 8:00 and 20:00."
    assert queued in client.get(CAMPAIGNS).text
    token = form_token(client, CAMPAIGNS)
    # Straight away, the invitation has not gone out yet: no reminder to arrive with it.
    client.post(f"{CAMPAIGNS}/campaigns/{campaign.id}/remind", data={"csrf_token": token})
    assert [m.kind for m in outbox(seeded)] == ["invitation"]
    assert "has not been sent the invitation yet" in client.get(CAMPAIGNS).text
    for message in outbox(seeded):  # the send worker's part
        message.status = OutboundStatus.SENT
    seeded.commit()
    clock.advance(days=1)
    reminded = client.post(
        f"{CAMPAIGNS}/campaigns/{campaign.id}/remind", data={"csrf_token": token}
    )
    assert reminded.status_code == 302
    assert [m.kind for m in outbox(seeded)] == ["invitation", "reminder"]
    page = client.get(CAMPAIGNS)
    assert "1 reminder queued." in page.text
    assert "Reminded " in page.text
    [event] = seeded.scalars(select(AuditEvent).where(AuditEvent.action == "sms.reminders_queued"))
    assert event.details == {"campaign": campaign.id, "reminders": 1}
    assert event.actor_email == "designer@example.org"
    # No CSRF token, no reminder; another survey's URL does not reach this campaign.
    assert client.post(f"{CAMPAIGNS}/campaigns/{campaign.id}/remind").status_code == 400
    wrong = client.post(
        f"/admin/surveys/other-2026/sms/campaigns/{campaign.id}/remind", data={"csrf_token": token}
    )
    assert wrong.status_code == 404
    assert len(outbox(seeded)) == 2


def test_languages_can_include_contacts_whose_language_is_unknown(contacts, seeded):
    review = post_campaign(contacts, "review", schools=("field",), languages=("es", ""))
    assert review.status_code == 200
    assert "2 recipients" in review.text
    assert contacts.post(
        f"{CAMPAIGNS}/send", data=MultiDict(form_fields(review.text, "campaign-send"))
    )
    invited = {i.contact.phone for i in seeded.scalars(select(Campaign)).one().invitations}
    assert invited == {"+16265550002", "+16265550004"}


@pytest.mark.parametrize(
    ("schools", "languages", "status", "message"),
    [
        ((), None, 422, "Please choose at least one school."),
        (("hogwarts",), None, 422, "Please choose schools from the list."),
        (("field",), (), 422, "Please choose at least one language."),
        (("field",), ("tlh",), 422, "Please choose languages from the list."),
        (("madison",), ("zh",), 422, "Nobody to invite"),
    ],
)
@pytest.mark.parametrize("action", ["review", "send"])
def test_campaign_refusals_are_clear(contacts, seeded, action, schools, languages, status, message):
    page = post_campaign(contacts, action, schools=schools, languages=languages)
    assert page.status_code == status
    assert message in page.text
    assert outbox(seeded) == [] and seeded.scalars(select(Campaign)).all() == []


def test_a_survey_that_is_not_open_invites_nobody(contacts, seeded):
    set_status(seeded, "mini-2026", SurveyStatus.CLOSED)
    for action in ("review", "send"):
        page = post_campaign(contacts, action)
        assert page.status_code == 409
        assert "This survey is not open" in page.text
    page = contacts.get(CAMPAIGNS).text
    assert "The survey is closed: no invitations can be sent." in page
    # Nothing says a text went out when none will: this server writes them to its log.
    assert "This server is not connected to Twilio" in page
    assert outbox(seeded) == [] and seeded.scalars(select(Campaign)).all() == []


def test_sending_needs_the_form_token(contacts, seeded):
    data = {"school": ["field"], "language": ["en"]}
    assert contacts.post(f"{CAMPAIGNS}/send", data=data).status_code == 400
    assert contacts.post(f"{CAMPAIGNS}/review", data=data).status_code == 400
    assert outbox(seeded) == []


# --- the designer's SMS preview ------------------------------------------------------------


def test_sms_preview_shows_each_languages_conversation_with_segment_counts(
    designer, app, seeded, clock
):
    from markupsafe import escape

    from engagement.designer.service import edit
    from engagement.sms import prompts
    from engagement.sms.segments import count_segments, smart_encode

    save_definition(seeded, mini(), clock)
    # An unpublished edit: the preview reads the draft, not what is live.
    actor = seeded.scalars(select(User)).one()
    with app.app_context():
        edit(
            seeded,
            "mini-2026",
            lambda t: {
                **t,
                "thanks": {"en": "Thank you “so” much!", "es": "¡Gracias!", "zh": "谢谢！"},
            },
            actor=actor,
            clock=clock,
            details={},
        )
    survey_page = designer.get("/admin/surveys/mini-2026")
    assert 'href="/admin/surveys/mini-2026/sms-preview"' in survey_page.text

    page = designer.get("/admin/surveys/mini-2026/sms-preview")
    assert page.status_code == 200
    definition = mini()
    section = lambda lang: page.text.split(f'id="sms-{lang}"')[1].split("</section>")[0]  # noqa: E731
    with app.test_request_context():
        for lang in ("en", "es", "zh"):
            html = section(lang)
            texts = [
                prompts.opening(definition, lang)
                + "\n"
                + prompts.question_text(definition.questions[0], lang)
            ]
            texts += [prompts.question_text(q, lang) for q in definition.questions[1:]]
            texts.append({"en": 'Thank you "so" much!', "es": "¡Gracias!", "zh": "谢谢！"}[lang])
            total = 0
            for text in texts:
                count = count_segments(smart_encode(text))
                total += count.segments
                bubble = f'<div class="sms-bubble" lang="{HTML_LANG[lang]}">'
                assert f"{bubble}{escape(smart_encode(text))}</div>" in html, (lang, text)
            assert f"{len(texts)} texts, {total} segments in all" in html
            assert html.count('class="sms-message') == len(texts) + 1  # and the invitation
            # The invitation as a contact whose language came from a file gets it.
            assert escape(prompts.other_languages(lang)) in html
            if lang == "zh":
                assert "GSM-7" not in html.split("<details")[0]
        # English questions are plain GSM-7; Spanish ¿ is GSM-7 but á is not.
        assert "1 segment · GSM-7" in section("en")
        assert "UCS-2" in section("es") and "UCS-2" in section("zh")
    assert "only if an earlier answer calls for it" in section("en")  # how_often's skip rule
    assert "Reply 1 for English." in page.text  # the language question, for unknown phones


def test_sms_preview_is_in_the_staff_members_language_and_404s_unknown_surveys(
    client, seeded, clock
):
    save_definition(seeded, mini(), clock)
    make_user(seeded, clock, "zh@example.org", Role.DESIGNER)
    login(client, "zh@example.org")
    client.set_cookie("lang", "zh", domain="survey.test")
    page = client.get("/admin/surveys/mini-2026/sms-preview")
    assert page.status_code == 200
    assert "短信预览" in page.text
    assert client.get("/admin/surveys/nope/sms-preview").status_code == 404


# --- the phone simulator ---------------------------------------------------------------------

SIMULATE = "/admin/sms/simulate"


def simulate(client, body: str, history=(), **fields):
    data = MultiDict(
        [("csrf_token", form_token(client, SIMULATE)), ("body", body)]
        + [(k, v) for k, v in fields.items()]
        + [pair for who, text in history for pair in (("history_who", who), ("history_text", text))]
    )
    return client.post(SIMULATE, data=data)


def thread(html: str) -> list[tuple[str, str]]:
    from html import unescape

    fields = form_fields(html, "simulator-form")
    who = [v for k, v in fields if k == "history_who"]
    texts = [unescape(v) for k, v in fields if k == "history_text"]
    return list(zip(who, texts, strict=True))


def test_an_admin_plays_a_phone_through_a_whole_survey(client, seeded, clock):
    open_mini(seeded, clock)
    make_user(seeded, clock, "admin@example.org", Role.ADMIN)
    login(client, "admin@example.org")
    assert "Try by text" in client.get("/admin/").text

    page = simulate(client, "MINI", phone="(626) 555-0177", language="en")
    assert page.status_code == 200, page.text
    history = thread(page.text)
    assert history[0] == ("phone", "MINI")
    assert history[1][0] == "app"
    assert history[1][1].startswith("Mini survey. Reply STOP to opt out, HELP for help. Your")
    assert "Which school are your answers about?" in history[1][1]  # no school known
    assert "Texting as ••• ••• ••77." in page.text
    assert "555-0177" not in page.text and "6265550177" not in page.text

    # The phone is remembered; answers go through the engine.
    page = simulate(client, "field", history=history)
    history = thread(page.text)
    assert history[-2] == ("phone", "field")
    assert history[-1][1].startswith(
        "Your answers are about Field Elementary.\nDid you attend a school event this year?"
    )
    page = simulate(client, "yes", history=thread(page.text))
    # Part-way through, a practice phone is nobody: not "started", not stopped by closing.
    closing = client.get("/admin/surveys/mini-2026/close?lang=en").text
    assert "Nobody is part-way through." in closing and "by text message" not in closing
    rates = client.get("/admin/surveys/mini-2026/responses?lang=en").text
    assert "· 0 started</p>" in rates
    for answer in ("2", "1", "2", "SKIP", "3", "1 2", "<b>Great</b>"):
        page = simulate(client, answer, history=thread(page.text))
        assert page.status_code == 200
    replies = [text for who, text in thread(page.text) if who == "app"]
    assert replies[-1] == "Thanks!"
    # A practice phone's "thanks!" after the end is answered as anyone's would be.
    after = simulate(client, "thanks!", history=thread(page.text))
    assert thread(after.text)[-1][1].startswith("Thank you! Your answers were already sent")
    assert "&lt;b&gt;Great&lt;/b&gt;</div>" in page.text  # what was typed is escaped
    contact = seeded.scalars(select(Contact)).one()
    assert contact.phone == "+16265550177" and contact.language == "en"
    # A practice number: thanked, but nothing recorded.
    from engagement.models import Response, ResponseDraft

    assert seeded.scalar(select(func.count()).select_from(Response)) == 0
    assert seeded.scalar(select(func.count()).select_from(ResponseDraft)) == 0

    # Bad input: a clear message, nothing sent.
    assert simulate(client, "   ").status_code == 422
    bad = simulate(client, "hi", phone="12345")
    assert bad.status_code == 422 and "This phone number is not valid." in bad.text
    real = simulate(client, "MINI", phone="(626) 555-0234")  # could be someone's phone
    assert real.status_code == 422 and "Please use a practice number" in real.text
    assert seeded.scalars(select(Contact)).one().phone == "+16265550177"
    assert simulate(client, "hi", language="tlh").status_code == 400
    reset = client.post(
        SIMULATE, data={"csrf_token": form_token(client, SIMULATE), "action": "reset"}
    )
    assert reset.status_code == 302
    assert simulate(client, "HELP").status_code == 422  # no phone any more
    assert client.post(SIMULATE, data={"body": "HELP"}).status_code == 400  # CSRF


def test_only_admins_may_simulate(client, seeded, clock):
    make_user(seeded, clock, "designer@example.org", Role.DESIGNER)
    login(client, "designer@example.org")
    assert client.get(SIMULATE).status_code == 403
    assert "Try by text" not in client.get("/admin/").text


def test_a_family_survey_is_texted_to_families_only(contacts, seeded, clock):
    add_contact(seeded, clock, "+16265550007", "en", ("field",), role="student")
    add_contact(seeded, clock, "+16265550008", "en", ("field",), role="staff")
    add_contact(seeded, clock, "+16265550009", "en", ("field",), role=None)  # no role in the file
    review = post_campaign(contacts, "review", schools=("field",))
    # Field's three parents (a fourth opted out) and the contact of no known role; not the
    # student or the staff member, and the page says so.
    assert "4 recipients" in review.text
    assert "2 contacts at these schools are left out: this survey is not for their role" in (
        review.text
    )
    send_form = MultiDict(form_fields(review.text, "campaign-send"))
    assert contacts.post(f"{CAMPAIGNS}/send", data=send_form).status_code == 302
    texted = {m.contact.phone for m in outbox(seeded)}
    assert "+16265550007" not in texted and "+16265550008" not in texted
    assert "+16265550009" in texted


def test_import_counts_agree_with_their_number_in_each_language(designer, seeded):
    one_bad = (
        "phone,language,schools,role\n(626) 555-0201,es,jackson,parent\n12345,en,field,parent\n"
    )
    two_bad = one_bad + "(626) 555-0205,en,field,pirate\n"
    known_and_new = "phone,schools\n6265550201,field\n6265550301,field\n6265550302,jackson\n"
    page = lambda content, **fields: html.unescape(upload(designer, content, **fields).text)  # noqa: E731

    assert "Nothing was imported: 1 row of 2 has problems. Fix it and upload" in page(one_bad)
    imported = page(one_bad, import_valid="1")
    for line in ("2 rows read", "1 new contact added", "1 row with problems skipped"):
        assert line in imported, line
    assert "(s)" not in imported

    designer.set_cookie("lang", "es", domain="survey.test")
    assert "No se importó nada: 1 fila de 2 tiene problemas. Corríjala y" in page(one_bad)
    assert "No se importó nada: 2 filas de 3 tienen problemas. Corríjalas y" in page(two_bad)
    again = page(known_and_new)
    for line in (
        "3 filas leídas",
        "2 contactos nuevos añadidos",
        "1 contacto ya conocido, actualizado",
        "0 filas repetidas combinadas",
    ):
        assert line in again, line

    designer.set_cookie("lang", "zh", domain="survey.test")  # one form for every number
    assert "未导入任何内容：2 行中有 1 行有问题。" in page(one_bad)
    assert "未导入任何内容：3 行中有 2 行有问题。" in page(two_bad)


def test_excel_files_with_blank_rows_import_and_a_wrong_encoding_says_how_to_save(designer, seeded):
    excel = "\ufeffphone,language,schools,role\r\n(626) 555-0201,es,jackson,parent\r\n"
    excel += ",,,\r\n,,,\r\n"  # what Excel leaves after the last row
    page = upload(designer, excel)
    assert page.status_code == 200, page.text
    assert "1 row read" in page.text and "1 new contact added" in page.text
    legacy = upload(designer, "phone,language\n6265550102,español\n".encode("cp1252"))
    assert legacy.status_code == 422
    assert "Save As &gt; “CSV UTF-8 (Comma delimited)”" in legacy.text
