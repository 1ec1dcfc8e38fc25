"""Logging in (rate-limited in the database), one-time password links, API tokens, CSRF."""

import pytest
from sqlalchemy import select

from engagement.auth.service import issue_password_link
from engagement.models import ApiToken, AuditEvent, LoginAttempt, Role, User
from tests.staff import PASSWORD, form_token, login, make_user
from tests.support import csrf_token


@pytest.fixture
def admin(seeded, clock):
    return make_user(seeded, clock, "Office@Example.org", Role.ADMIN)


def test_login_with_email_any_case_and_logout(client, admin):
    assert client.get("/admin/").status_code == 302  # to the login page
    response = login(client, "  office@EXAMPLE.org ")
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/admin/")
    assert client.get("/admin/").status_code == 200
    client.post("/auth/logout", data={"csrf_token": form_token(client, "/admin/")})
    assert client.get("/admin/").status_code == 302


def test_a_language_picked_on_the_login_page_stays_after_logging_in(client, admin):
    client.get("/auth/login?lang=es")  # the account itself asks for no language
    login(client, "office@example.org")
    assert '<html lang="es">' in client.get("/admin/").text


def test_wrong_password_is_refused_without_saying_whether_the_email_exists(client, admin):
    wrong = login(client, "office@example.org", "not the password")
    unknown = login(client, "nobody@example.org", "not the password")
    assert wrong.status_code == unknown.status_code == 401
    assert "do not match an active account" in wrong.text
    assert "do not match an active account" in unknown.text


def test_session_cookie_is_httponly_and_samesite(app, client, admin):
    response = login(client, "office@example.org")
    cookie = next(v for v in response.headers.getlist("Set-Cookie") if v.startswith("session="))
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie
    secure_app = type(app)  # the setting is configuration: on in production
    assert app.config["SESSION_COOKIE_SECURE"] is False and secure_app


def test_secure_cookie_when_configured(database_url, clock, seeded):
    from tests.conftest import make_app

    app = make_app(database_url, clock, SESSION_COOKIE_SECURE=True)
    make_user(seeded, clock, "s@example.org", Role.ADMIN)
    client = app.test_client()
    response = login(client, "s@example.org")
    cookie = next(v for v in response.headers.getlist("Set-Cookie") if v.startswith("session="))
    assert "Secure" in cookie


def test_five_failures_lock_the_account_for_the_window_even_with_the_right_password(
    client, admin, clock, seeded
):
    for _ in range(5):
        assert login(client, "office@example.org", "wrong password!!").status_code == 401
    locked = login(client, "office@example.org")
    assert locked.status_code == 429
    assert "wait 15 minutes" in locked.text
    clock.advance(minutes=14)
    assert login(client, "office@example.org").status_code == 429
    clock.advance(minutes=1, seconds=1)
    assert login(client, "office@example.org").status_code == 302
    # The attempts are rows in the database: every worker counts the same ones.
    assert len(seeded.scalars(select(LoginAttempt)).all()) == 6


def test_one_address_trying_many_accounts_is_locked(app, client, admin):
    app.config["LOGIN_MAX_FAILURES_PER_IP"] = 3
    for n in range(3):
        login(client, f"guess{n}@example.org", "whatever password", ip="203.0.113.9")
    assert login(client, "office@example.org", ip="203.0.113.9").status_code == 429
    assert login(client, "office@example.org", ip="198.51.100.1").status_code == 302


def test_a_success_forgives_earlier_failures_of_the_account(client, admin):
    for _ in range(4):
        login(client, "office@example.org", "wrong password!!")
    assert login(client, "office@example.org").status_code == 302
    client.post("/auth/logout", data={"csrf_token": form_token(client, "/admin/")})
    for _ in range(4):
        assert login(client, "office@example.org", "wrong password!!").status_code == 401
    assert login(client, "office@example.org").status_code == 302


def test_reset_link_from_the_cli_works_once(runner, client, admin, seeded):
    result = runner.invoke(args=["users", "reset-link", "office@example.org"])
    assert result.exit_code == 0, result.output
    link = result.output.strip().splitlines()[0]
    path = link[link.index("/auth/reset/") :]
    page = client.get(path)
    assert page.status_code == 200 and "office@example.org" in page.text
    short = client.post(
        path, data={"csrf_token": csrf_token(page.text), "password": "short", "confirm": "short"}
    )
    assert short.status_code == 422 and "at least 12 characters" in short.text
    new = "a new and long password"
    done = client.post(
        path, data={"csrf_token": csrf_token(page.text), "password": new, "confirm": new}
    )
    assert done.status_code == 302
    assert client.get(path).status_code == 410  # single use
    assert login(client, "office@example.org", PASSWORD).status_code == 401
    assert login(client, "office@example.org", new).status_code == 302


def test_reset_link_expires_and_a_newer_link_replaces_it(client, admin, clock, seeded):
    first = issue_password_link(seeded, admin, clock, hours=2)
    second = issue_password_link(seeded, admin, clock, hours=2)
    assert client.get(f"/auth/reset/{first}").status_code == 410
    assert client.get(f"/auth/reset/{second}").status_code == 200
    clock.advance(hours=2)
    page = client.get(f"/auth/reset/{second}")
    assert page.status_code == 410 and "expired" in page.text
    assert client.get("/auth/reset/made-up").status_code == 410


def test_a_password_change_ends_other_sessions(app, client, admin, clock, seeded):
    login(client, "office@example.org")
    assert client.get("/admin/").status_code == 200
    token = issue_password_link(seeded, admin, clock, hours=2)
    other = app.test_client()
    page = other.get(f"/auth/reset/{token}")
    new = "another long password"
    other.post(
        f"/auth/reset/{token}",
        data={"csrf_token": csrf_token(page.text), "password": new, "confirm": new},
    )
    assert client.get("/admin/").status_code == 302


def test_create_admin_and_demo_admin_commands(runner, seeded):
    created = runner.invoke(
        args=[
            "users",
            "create-admin",
            "--email",
            "First@Example.org",
            "--name",
            "First",
            "--password",
            "long enough password",
        ]
    )
    assert created.exit_code == 0, created.output
    user = seeded.scalars(select(User).where(User.email == "first@example.org")).one()
    assert user.roles == {Role.ADMIN}
    assert user.password_hash.startswith("$argon2id$")
    demo = runner.invoke(args=["users", "demo-admin"])
    assert demo.exit_code == 0 and "admin@example.org" in demo.output
    password = demo.output.split("password:")[1].split()[0]
    assert len(password) >= 12
    assert (
        runner.invoke(
            args=[
                "users",
                "create-admin",
                "--email",
                "first@example.org",
                "--name",
                "x",
                "--password",
                "long enough password",
            ]
        ).exit_code
        == 1
    )


def test_api_tokens_are_shown_once_hashed_at_rest_and_revocable(client, admin, seeded):
    login(client, "office@example.org")
    page = client.post(
        "/auth/account/tokens",
        data={"csrf_token": form_token(client, "/auth/account"), "name": "dashboard"},
    )
    assert page.status_code == 201
    raw = page.text.split('id="new-token">')[1].split("<")[0]
    assert raw.startswith("eng_")
    stored = seeded.scalars(select(ApiToken)).one()
    assert raw not in (stored.token_hash, stored.prefix) and stored.prefix == raw[:12]
    assert raw not in client.get("/auth/account").text
    from engagement.auth.service import user_for_api_token
    from engagement.extensions import db

    with client.application.app_context():
        assert (
            user_for_api_token(db.session, raw, client.application.config["CLOCK"]).email
            == "office@example.org"
        )
    client.post(
        f"/auth/account/tokens/{stored.id}/revoke",
        data={"csrf_token": form_token(client, "/auth/account")},
    )
    with client.application.app_context():
        assert user_for_api_token(db.session, raw, client.application.config["CLOCK"]) is None


def test_forms_refuse_posts_without_the_csrf_token(client, admin, seeded):
    login(client, "office@example.org")
    for path, data in [
        ("/auth/login", {"email": "office@example.org", "password": PASSWORD}),
        ("/auth/logout", {}),
        ("/auth/account/tokens", {"name": "x"}),
        ("/admin/users/new", {"email": "new@example.org", "name": "N", "roles": "admin"}),
        ("/admin/surveys/new", {"slug": "x-2026"}),
        ("/admin/surveys/import", {}),
    ]:
        assert client.post(path, data=data).status_code == 400, path
    assert seeded.scalars(select(User).where(User.email == "new@example.org")).first() is None


def test_login_audit_of_password_set(client, admin, clock, seeded):
    token = issue_password_link(seeded, admin, clock, hours=2)
    page = client.get(f"/auth/reset/{token}")
    new = "a very different password"
    client.post(
        f"/auth/reset/{token}",
        data={"csrf_token": csrf_token(page.text), "password": new, "confirm": new},
    )
    actions = [e.action for e in seeded.scalars(select(AuditEvent)).all()]
    assert "user.password_set" in actions


def test_a_staff_language_chosen_then_unchosen_goes_back_to_the_browsers(client, admin):
    login(client, "office@example.org")
    english_browser = {"Accept-Language": "en-US,en;q=0.9"}

    def choose(language):
        token = form_token(client, "/auth/account")
        return client.post(
            "/auth/account/language",
            data={"csrf_token": token, "language": language},
            headers=english_browser,
            follow_redirects=True,
        )

    chinese = choose("zh")
    assert '<html lang="zh-Hans">' in chinese.text and "已保存。" in chinese.text
    browser = choose("")  # "As my browser asks"
    assert '<html lang="en">' in browser.text and "Saved." in browser.text
    assert '<html lang="en">' in client.get("/admin/", headers=english_browser).text


def test_a_page_outside_ones_access_says_so(client, seeded, clock):
    make_user(seeded, clock, "staff@example.org", Role.SCHOOL_STAFF, schools=["jackson"])
    login(client, "staff@example.org")
    refused = client.get("/admin/users")
    assert refused.status_code == 403
    assert "You do not have access to this page" in refused.text
    assert "Something went wrong" not in refused.text
