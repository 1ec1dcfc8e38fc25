"""Test helpers for staff accounts: make users with roles and scopes, log in through the form."""

from __future__ import annotations

from engagement.auth.passwords import hasher_for
from engagement.auth.service import Assignment, create_user
from engagement.models import Role
from tests.support import csrf_token

PASSWORD = "correct horse battery staple"


def make_user(session, clock, email: str, *roles: Role, areas=(), schools=(), password=PASSWORD):
    return create_user(
        session,
        email,
        Assignment(
            name=email.split("@")[0],
            roles=frozenset(roles),
            result_areas=frozenset(areas),
            schools=frozenset(schools),
        ),
        clock,
        actor=None,
        password=password,
        hasher=hasher_for("CHEAPEST"),
    )


def login(client, email: str, password: str = PASSWORD, ip: str = "127.0.0.1"):
    page = client.get("/auth/login")
    return client.post(
        "/auth/login",
        data={"csrf_token": csrf_token(page.text), "email": email, "password": password},
        environ_base={"REMOTE_ADDR": ip},
    )


def form_token(client, url: str) -> str:
    """The CSRF token of a page the logged-in client can see."""
    page = client.get(url)
    assert page.status_code == 200, (url, page.status_code)
    return csrf_token(page.text)


def form_fields(html: str, form_class: str) -> list[tuple[str, str]]:
    """What a browser would post from the form with this class, left as the page shows it."""
    from html.parser import HTMLParser

    class Fields(HTMLParser):
        def __init__(self):
            super().__init__()
            self.inside = False
            self.fields: list[tuple[str, str]] = []
            self.textarea: str | None = None
            self.select: str | None = None

        def handle_starttag(self, tag, attrs):
            a = dict(attrs)
            if tag == "form" and form_class in (a.get("class") or "").split():
                self.inside = True
            if not self.inside or "disabled" in a:
                return
            if tag == "input" and a.get("name"):
                kind = a.get("type", "text")
                if kind in ("checkbox", "radio") and "checked" not in a:
                    return
                self.fields.append((a["name"], a.get("value", "on" if kind == "checkbox" else "")))
            elif tag == "textarea":
                self.textarea = a.get("name")
                self.fields.append((self.textarea, ""))
            elif tag == "select":
                self.select = a.get("name")
            elif tag == "option" and self.select and "selected" in a:
                self.fields.append((self.select, a.get("value", "")))

        def handle_data(self, data):
            if self.textarea is not None:
                name, value = self.fields[-1]
                self.fields[-1] = (name, value + data)

        def handle_endtag(self, tag):
            if tag == "form":
                self.inside = False
            elif tag == "textarea":
                self.textarea = None
            elif tag == "select":
                self.select = None

    parser = Fields()
    parser.feed(html)
    return parser.fields
