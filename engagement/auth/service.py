"""Staff account use cases: log in (rate-limited), reset links, users, roles, API tokens.

Each function owns its transaction and takes the clock (and password hasher)
as arguments.
"""

from __future__ import annotations

import hashlib
import math
import re
import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from argon2 import PasswordHasher
from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from engagement.adapters.clock import Clock
from engagement.audit import record
from engagement.i18n import SUPPORTED_LANGUAGES
from engagement.models import (
    ApiToken,
    LoginAttempt,
    PasswordReset,
    ResultArea,
    Role,
    School,
    User,
    UserRole,
)

from .passwords import hash_password, verify_password

EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
API_TOKEN_PREFIX = "eng_"
MAX_PASSWORD_LENGTH = 1024


class AccountError(Exception):
    """A refusal the views show to the person; `code` picks the translated message."""

    def __init__(self, code: str, **params: object):
        super().__init__(code)
        self.code = code
        self.params = params


class LoginRefused(AccountError):
    pass


@dataclass(frozen=True)
class LoginLimits:
    window: timedelta
    per_account: int
    per_ip: int


def normalise_email(email: str) -> str:
    return email.strip().lower()


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def find_user(session: Session, email: str) -> User | None:
    return session.scalars(select(User).where(User.email == normalise_email(email))).first()


def load_user(session: Session, user_id: str) -> User | None:
    """The user a login session names, if still active and the session not revoked."""
    number, _, version = user_id.partition(".")
    if not number.isdigit() or not version.isdigit():
        return None
    user = session.get(User, int(number))
    if user is None or not user.active or user.session_version != int(version):
        return None
    return user


# --- logging in ------------------------------------------------------------------------


def _failures_since(session: Session, condition, since: datetime) -> list[datetime]:
    return list(
        session.scalars(
            select(LoginAttempt.at)
            .where(condition, LoginAttempt.succeeded.is_(False), LoginAttempt.at > since)
            .order_by(LoginAttempt.at)
        )
    )


def _lockout_ends(
    session: Session, email: str, ip: str, now: datetime, limits: LoginLimits
) -> datetime | None:
    """When this account or address may try again, if it has failed too often."""
    since = now - limits.window
    last_success = session.scalar(
        select(func.max(LoginAttempt.at)).where(
            LoginAttempt.email == email, LoginAttempt.succeeded.is_(True)
        )
    )
    # A success forgives the account's earlier failures, never the address's.
    account_since = max(since, last_success) if last_success else since
    ends = []
    for failures, limit in (
        (_failures_since(session, LoginAttempt.email == email, account_since), limits.per_account),
        (_failures_since(session, LoginAttempt.ip == ip, since), limits.per_ip),
    ):
        if len(failures) >= limit:
            ends.append(failures[-limit] + limits.window)
    return max(ends) if ends else None


def authenticate(
    session: Session,
    email: str,
    password: str,
    ip: str,
    clock: Clock,
    hasher: PasswordHasher,
    limits: LoginLimits,
) -> User:
    """The user whose email and password these are. Commits the attempt either way.

    Raises LoginRefused("locked", minutes=...) while the account or the address
    has too many recent failures, and LoginRefused("invalid") otherwise; the
    message never tells whether the email exists.
    """
    now = clock()
    email = normalise_email(email)[:254]
    ip = (ip or "unknown")[:45]
    ends = _lockout_ends(session, email, ip, now, limits)
    if ends is not None:
        session.rollback()
        minutes = max(1, math.ceil((ends - now).total_seconds() / 60))
        raise LoginRefused("locked", minutes=minutes)

    user = find_user(session, email)
    password = password[:MAX_PASSWORD_LENGTH]
    stored = user.password_hash if user is not None and user.active else None
    ok = verify_password(hasher, stored, password)
    session.add(LoginAttempt(email=email, ip=ip, at=now, succeeded=ok))
    session.execute(
        LoginAttempt.__table__.delete().where(LoginAttempt.at < now - timedelta(days=1))
    )
    if not ok:
        session.commit()
        raise LoginRefused("invalid")
    if hasher.check_needs_rehash(user.password_hash):
        user.password_hash = hash_password(hasher, password)
    user.last_login_at = now
    session.commit()
    return user


# --- passwords and one-time links ------------------------------------------------------


def check_password_rules(password: str, email: str, min_length: int) -> None:
    if len(password) < min_length:
        raise AccountError("password_short", minimum=min_length)
    if len(password) > MAX_PASSWORD_LENGTH:
        raise AccountError("password_long", maximum=MAX_PASSWORD_LENGTH)
    if password.strip().lower() == normalise_email(email):
        raise AccountError("password_is_email")


def issue_password_link(
    session: Session, user: User, clock: Clock, hours: float, actor: User | None = None
) -> str:
    """A new one-time token to set this user's password; earlier unused ones stop working.

    Commits. Returns the raw token (only its hash is stored).
    """
    now = clock()
    for pending in session.scalars(
        select(PasswordReset).where(
            PasswordReset.user_id == user.id, PasswordReset.used_at.is_(None)
        )
    ):
        pending.used_at = now
    raw = secrets.token_urlsafe(32)
    session.add(
        PasswordReset(
            user_id=user.id,
            token_hash=_digest(raw),
            created_at=now,
            expires_at=now + timedelta(hours=hours),
        )
    )
    record(session, actor, "user.password_link", user.email, {}, at=now)
    session.commit()
    return raw


def pending_reset(session: Session, raw: str, clock: Clock) -> PasswordReset:
    """The unused, unexpired link a token names."""
    reset = session.scalars(
        select(PasswordReset).where(PasswordReset.token_hash == _digest(raw or ""))
    ).first()
    if reset is None or reset.used_at is not None or not reset.user.active:
        raise AccountError("link_invalid")
    if clock() >= reset.expires_at:
        raise AccountError("link_expired")
    return reset


def reset_password(
    session: Session,
    raw: str,
    new_password: str,
    clock: Clock,
    hasher: PasswordHasher,
    min_length: int,
) -> User:
    """Set a password through a one-time link; the link and every login session end. Commits."""
    reset = pending_reset(session, raw, clock)
    user = reset.user
    check_password_rules(new_password, user.email, min_length)
    now = clock()
    reset.used_at = now
    user.password_hash = hash_password(hasher, new_password)
    user.session_version += 1
    record(session, user, "user.password_set", user.email, {}, at=now)
    session.commit()
    return user


# --- users and their roles -------------------------------------------------------------


@dataclass(frozen=True)
class Assignment:
    """What an administrator sets on an account: who it is and what it may read."""

    name: str
    roles: frozenset[Role]
    result_areas: frozenset[str] = frozenset()
    schools: frozenset[str] = frozenset()
    language: str | None = None


def _apply(session: Session, user: User, assignment: Assignment) -> dict[str, object]:
    """Set name, language, roles and scopes; returns what changed, for the audit log."""
    name = assignment.name.strip()[:200]
    if not name:
        raise AccountError("name_missing")
    areas = list(
        session.scalars(
            select(ResultArea).where(ResultArea.code.in_(sorted(assignment.result_areas)))
        )
    )
    schools = list(
        session.scalars(select(School).where(School.code.in_(sorted(assignment.schools))))
    )
    if len(areas) != len(assignment.result_areas) or len(schools) != len(assignment.schools):
        raise AccountError("unknown_scope")
    if Role.WORKING_GROUP in assignment.roles and not areas:
        raise AccountError("working_group_needs_area")
    if Role.SCHOOL_STAFF in assignment.roles and not schools:
        raise AccountError("school_staff_needs_school")
    language = assignment.language if assignment.language in SUPPORTED_LANGUAGES else None

    before = {
        "name": user.name,
        "language": user.language,
        "roles": sorted(user.roles),
        "result_areas": sorted(a.code for a in user.result_areas),
        "schools": sorted(s.code for s in user.schools),
    }
    user.name = name
    user.language = language
    kept = [row for row in user.role_rows if row.role in assignment.roles]
    have = {row.role for row in kept}
    user.role_rows = kept + [UserRole(role=r) for r in sorted(assignment.roles - have)]
    user.result_areas = areas
    user.schools = schools
    after = {
        "name": name,
        "language": language,
        "roles": sorted(assignment.roles),
        "result_areas": sorted(a.code for a in areas),
        "schools": sorted(s.code for s in schools),
    }
    return {
        key: {"from": before[key], "to": after[key]} for key in after if before[key] != after[key]
    }


def create_user(
    session: Session,
    email: str,
    assignment: Assignment,
    clock: Clock,
    *,
    actor: User | None,
    password: str | None = None,
    hasher: PasswordHasher | None = None,
    min_length: int = 12,
) -> User:
    """A new account; without a password it waits for its invitation link. Commits."""
    email = normalise_email(email)
    if not EMAIL.match(email) or len(email) > 254:
        raise AccountError("email_invalid")
    if find_user(session, email) is not None:
        raise AccountError("email_taken")
    if not assignment.roles:
        raise AccountError("role_missing")
    user = User(email=email, name="", active=True, created_at=clock())
    if password is not None:
        check_password_rules(password, email, min_length)
        user.password_hash = hash_password(hasher, password)
    session.add(user)
    changes = _apply(session, user, assignment)
    session.flush()
    record(session, actor, "user.created", email, changes, at=clock())
    session.commit()
    return user


def _active_admins(session: Session) -> int:
    return session.scalar(
        select(func.count(User.id))
        .join(UserRole)
        .where(User.active.is_(True), UserRole.role == Role.ADMIN)
    )


def update_user(
    session: Session, user_id: int, assignment: Assignment, clock: Clock, *, actor: User
) -> User:
    """Change an account's name, language, roles and scopes; role changes are audited. Commits."""
    user = session.get(User, user_id)
    if user is None:
        raise AccountError("user_missing")
    if Role.ADMIN in user.roles and Role.ADMIN not in assignment.roles:
        if user.id == actor.id:
            raise AccountError("cannot_demote_self")
        if user.active and _active_admins(session) <= 1:  # a deactivated one is not counted
            raise AccountError("last_admin")
    if not assignment.roles:
        raise AccountError("role_missing")
    changes = _apply(session, user, assignment)
    if changes:
        record(session, actor, "user.roles_changed", user.email, changes, at=clock())
    session.commit()
    return user


def set_active(session: Session, user_id: int, active: bool, clock: Clock, *, actor: User) -> User:
    """Deactivate (ending every session and token) or reactivate an account. Commits."""
    user = session.get(User, user_id)
    if user is None:
        raise AccountError("user_missing")
    if not active and user.id == actor.id:
        raise AccountError("cannot_deactivate_self")
    if not active and Role.ADMIN in user.roles and user.active and _active_admins(session) <= 1:
        raise AccountError("last_admin")
    if user.active != active:
        user.active = active
        user.session_version += 1
        if not active:  # for good: reactivating must not bring back a token or an old link
            _end_tokens_and_links(session, user, clock())
        record(
            session,
            actor,
            "user.activated" if active else "user.deactivated",
            user.email,
            {},
            at=clock(),
        )
    session.commit()
    return user


def _end_tokens_and_links(session: Session, user: User, now: datetime) -> None:
    session.execute(
        update(ApiToken)
        .where(ApiToken.user_id == user.id, ApiToken.revoked_at.is_(None))
        .values(revoked_at=now)
    )
    session.execute(
        update(PasswordReset)
        .where(PasswordReset.user_id == user.id, PasswordReset.used_at.is_(None))
        .values(used_at=now)
    )


def list_users(session: Session) -> list[User]:
    return list(session.scalars(select(User).order_by(User.active.desc(), User.email)))


def set_language(session: Session, user: User, language: str | None) -> None:
    user.language = language if language in SUPPORTED_LANGUAGES else None
    session.commit()


# --- API tokens ------------------------------------------------------------------------


def create_api_token(session: Session, user: User, name: str, clock: Clock) -> str:
    """A new personal API token; returns the raw token, shown once. Commits."""
    name = name.strip()[:100]
    if not name:
        raise AccountError("token_name_missing")
    raw = API_TOKEN_PREFIX + secrets.token_urlsafe(32)
    now = clock()
    session.add(
        ApiToken(
            user_id=user.id,
            name=name,
            prefix=raw[:12],
            token_hash=_digest(raw),
            created_at=now,
        )
    )
    record(session, user, "api_token.created", user.email, {"name": name}, at=now)
    session.commit()
    return raw


def revoke_api_token(session: Session, user: User, token_id: int, clock: Clock) -> None:
    token = session.get(ApiToken, token_id)
    if token is None or token.user_id != user.id:
        raise AccountError("token_missing")
    if token.revoked_at is None:
        token.revoked_at = clock()
        record(session, user, "api_token.revoked", user.email, {"name": token.name}, at=clock())
    session.commit()


def api_tokens(session: Session, user: User) -> list[ApiToken]:
    return list(
        session.scalars(
            select(ApiToken).where(ApiToken.user_id == user.id).order_by(ApiToken.created_at.desc())
        )
    )


def user_for_api_token(session: Session, raw: str, clock: Clock) -> User | None:
    """The active user a bearer token belongs to; notes when it was last used. Commits."""
    if not raw.startswith(API_TOKEN_PREFIX):
        return None
    token = session.scalars(select(ApiToken).where(ApiToken.token_hash == _digest(raw))).first()
    if token is None or token.revoked_at is not None or not token.user.active:
        return None
    now = clock()
    if token.last_used_at is None or now - token.last_used_at > timedelta(minutes=5):
        token.last_used_at = now
        session.commit()
    return token.user


def role_names(roles: Iterable[Role]) -> list[str]:
    return [role.value for role in sorted(roles)]
