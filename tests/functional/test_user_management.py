"""Administrators invite users, assign roles and scopes, and deactivate them; all audited."""

from sqlalchemy import select

from engagement.models import AuditEvent, Role, User
from tests.staff import form_token, login, make_user
from tests.support import csrf_token


def test_invite_assign_and_deactivate(app, client, seeded, clock):
    make_user(seeded, clock, "office@example.org", Role.ADMIN)
    login(client, "office@example.org")
    token = form_token(client, "/admin/users/new")
    missing_area = client.post(
        "/admin/users/new",
        data={
            "csrf_token": token,
            "email": "wg@example.org",
            "name": "Wen",
            "roles": "working_group",
        },
    )
    assert missing_area.status_code == 422 and "at least one result area" in missing_area.text
    invited = client.post(
        "/admin/users/new",
        data={
            "csrf_token": token,
            "email": "WG@example.org",
            "name": "Wen",
            "roles": "working_group",
            "result_areas": ["B", "C"],
            "language": "zh",
        },
    )
    assert invited.status_code == 201
    link = invited.text.split('id="password-link">')[1].split("<")[0]
    member = seeded.scalars(select(User).where(User.email == "wg@example.org")).one()
    assert member.password_hash is None and [a.code for a in member.result_areas] == ["B", "C"]

    newcomer = app.test_client()
    path = link[link.index("/auth/reset/") :]
    page = newcomer.get(path)
    password = "the member's own password"
    newcomer.post(
        path, data={"csrf_token": csrf_token(page.text), "password": password, "confirm": password}
    )
    welcomed = login(newcomer, "wg@example.org", password)
    assert welcomed.status_code == 302
    assert "lang=zh" in welcomed.headers.get("Set-Cookie", "").replace("lang=zh;", "lang=zh")
    assert newcomer.get("/admin/users").status_code == 403

    changed = client.post(
        f"/admin/users/{member.id}",
        data={
            "csrf_token": token,
            "name": "Wen",
            "roles": ["working_group", "leadership"],
            "result_areas": "B",
        },
    )
    assert changed.status_code == 302
    seeded.expire_all()
    assert seeded.get(User, member.id).roles == {Role.WORKING_GROUP, Role.LEADERSHIP}

    off = client.post(f"/admin/users/{member.id}/active", data={"csrf_token": token, "active": "0"})
    assert off.status_code == 302
    ended = newcomer.get("/admin/")
    assert ended.status_code == 302 and "/auth/login" in ended.headers["Location"]
    assert login(newcomer, "wg@example.org", password).status_code == 401

    me = seeded.scalars(select(User).where(User.email == "office@example.org")).one()
    self_off = client.post(
        f"/admin/users/{me.id}/active", data={"csrf_token": token, "active": "0"}
    )
    assert self_off.status_code == 303
    demote = client.post(
        f"/admin/users/{me.id}", data={"csrf_token": token, "name": "Office", "roles": "designer"}
    )
    assert demote.status_code == 422 and "your own administrator role" in demote.text

    actions = [e.action for e in seeded.scalars(select(AuditEvent).order_by(AuditEvent.id))]
    for action in (
        "user.created",
        "user.password_link",
        "user.password_set",
        "user.roles_changed",
        "user.deactivated",
    ):
        assert action in actions
    change = seeded.scalars(
        select(AuditEvent).where(AuditEvent.action == "user.roles_changed")
    ).one()
    assert change.actor_email == "office@example.org"
    assert change.details["roles"] == {
        "from": ["working_group"],
        "to": ["leadership", "working_group"],
    }
    log = client.get("/admin/audit?action=user.roles_changed&lang=en")
    assert log.status_code == 200 and "wg@example.org" in log.text
    # In words a person reads: what happened, and the change without Python's brackets.
    assert "Account changed (name, language, roles or scopes)" in log.text
    assert "When (district time)" in log.text
    assert "roles: Working Group member → Leadership Council, Working Group member" in log.text
    assert "[&#39;" not in log.text and "{&#39;" not in log.text
    spanish = client.get("/admin/audit?action=user.roles_changed&lang=es").text
    assert "Cuenta cambiada (nombre, idioma, roles o ámbitos)" in spanish
    assert "roles: Miembro de un Grupo de Trabajo → " in spanish

    # A name or language changed by an administrator is in the log too, and the log reads
    # by person.
    client.post(
        f"/admin/users/{member.id}",
        data={"csrf_token": token, "name": "Wanda G.", "language": "es", "roles": "leadership"},
    )
    renamed = client.get("/admin/audit?who=office@example.org&lang=en").text
    assert "name: Wen → Wanda G." in renamed and "language: — → Español" in renamed
    assert '<code class="muted">user.password_set</code>' not in renamed  # wg's, not the office's
    assert '<option value="wg@example.org">' in renamed
    own = client.get("/admin/audit?who=wg@example.org&lang=en").text
    assert '<code class="muted">user.password_set</code>' in own
    assert '<code class="muted">user.roles_changed</code>' not in own
    none = client.get("/admin/audit?who=wg@example.org&action=survey.closed&lang=en").text
    assert "No entries match these choices." in none and "Nothing yet." not in none


def test_deactivating_ends_tokens_and_links_for_good_and_old_admins_can_be_demoted(
    app, client, seeded, clock
):
    from engagement.auth.service import create_api_token, user_for_api_token
    from engagement.extensions import db

    make_user(seeded, clock, "office@example.org", Role.ADMIN)
    member = make_user(seeded, clock, "wg@example.org", Role.WORKING_GROUP, areas=["B"])
    former = make_user(seeded, clock, "former@example.org", Role.ADMIN)
    with app.app_context():
        raw = create_api_token(db.session, member, "dashboard", clock)
    login(client, "office@example.org")
    token = form_token(client, "/admin/users/new")
    link = client.post(f"/admin/users/{member.id}/password-link", data={"csrf_token": token})
    path = link.text.split('id="password-link">')[1].split("<")[0]
    path = path[path.index("/auth/reset/") :]
    for active in ("0", "1"):  # deactivated, then back
        client.post(
            f"/admin/users/{member.id}/active", data={"csrf_token": token, "active": active}
        )
    with app.app_context():
        assert user_for_api_token(db.session, raw, clock) is None
    assert app.test_client().get(path).status_code in (404, 410)

    # A deactivated administrator is not the last one: their role can be taken away.
    client.post(f"/admin/users/{former.id}/active", data={"csrf_token": token, "active": "0"})
    demoted = client.post(
        f"/admin/users/{former.id}",
        data={"csrf_token": token, "name": "Former", "roles": "leadership"},
    )
    assert demoted.status_code == 302
    seeded.expire_all()
    assert seeded.get(User, former.id).roles == {Role.LEADERSHIP}


def test_a_token_name_of_spaces_is_refused_politely(client, seeded, clock):
    make_user(seeded, clock, "office@example.org", Role.ADMIN)
    login(client, "office@example.org")
    page = client.post(
        "/auth/account/tokens",
        data={"csrf_token": form_token(client, "/auth/account"), "name": "   "},
    )
    assert page.status_code == 422 and "Please name the token." in page.text


def test_a_deactivated_account_says_so_and_can_be_reactivated_from_its_page(client, seeded, clock):
    make_user(seeded, clock, "office@example.org", Role.ADMIN)
    member = make_user(seeded, clock, "wg@example.org", Role.WORKING_GROUP, areas=["B"])
    make_user(seeded, clock, "lead@example.org", Role.LEADERSHIP, areas=["B"])
    login(client, "office@example.org")
    token = form_token(client, "/admin/users/new")
    client.post(f"/admin/users/{member.id}/active", data={"csrf_token": token, "active": "0"})
    page = client.get(f"/admin/users/{member.id}?lang=en").text
    assert "This account is deactivated" in page and "New password link" not in page
    back = client.post(
        f"/admin/users/{member.id}/active", data={"csrf_token": csrf_token(page), "active": "1"}
    )
    assert back.status_code == 302
    seeded.expire_all()
    assert seeded.get(User, member.id).active
    listing = client.get("/admin/users?lang=en").text
    row = listing.split("<td>lead@example.org</td>")[1].split("</tr>")[0]
    assert "everything" in row and ">B<" not in row  # the council reads every area anyway
    own = listing.split("<td>office@example.org</td>")[1].split("</tr>")[0]
    assert "(you)" in own and "Deactivate" not in own


def test_staff_error_pages_speak_to_staff_and_lead_back_to_the_staff_home(client, seeded, clock):
    make_user(seeded, clock, "office@example.org", Role.ADMIN)
    member = make_user(seeded, clock, "wg@example.org", Role.WORKING_GROUP, areas=["B"])
    login(client, "office@example.org")
    token = form_token(client, "/admin/users/new")
    client.post(f"/admin/users/{member.id}/active", data={"csrf_token": token, "active": "0"})
    # A password link asked for in a tab opened before the account was deactivated.
    late = client.post(f"/admin/users/{member.id}/password-link", data={"csrf_token": token})
    assert late.status_code == 409
    assert "Someone changed this at the same moment" in late.text
    assert "Your earlier answers" not in late.text and 'href="/admin/"' in late.text
    reader = client.application.test_client()
    make_user(seeded, clock, "lead@example.org", Role.LEADERSHIP)
    login(reader, "lead@example.org")
    refused = reader.get("/admin/users")
    assert refused.status_code == 403 and 'href="/admin/">Back to the home page' in refused.text


def test_audit_details_read_as_words(app):
    from engagement.admin.audit_labels import detail_key, detail_value

    with app.test_request_context("/?lang=es"):
        assert detail_value([], "languages") == "todos"  # a campaign to every language
        assert detail_value([], "schools") == "ninguno"
        assert detail_key("kept_language") == "conservaron el idioma que eligieron"
        assert detail_value(["es", "zh"], "languages") == "Español, 中文"
        assert detail_key("change") + ": " + detail_value("question delete", "change") == (
            "cambio: pregunta eliminada"
        )
    with app.test_request_context("/?lang=zh"):
        from engagement.admin.audit_labels import target_label

        assert target_label("contacts") == "短信联系人" and target_label("x@y.org") == "x@y.org"
