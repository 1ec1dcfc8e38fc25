"""The audit log: who published, closed, edited, exported or changed a role.

Features call `record` inside their own transaction, so an action and its
audit entry are committed (or rolled back) together.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from engagement.models import AuditEvent, User, utcnow

COMMAND_LINE = "command line"


def record(
    session: Session,
    actor: User | None,
    action: str,
    target: str,
    details: dict[str, Any] | None = None,
    *,
    at: datetime | None = None,
) -> AuditEvent:
    """Add an entry to the caller's transaction; the caller commits. actor None: the CLI."""
    event = AuditEvent(
        at=at or utcnow(),
        actor_id=actor.id if actor is not None else None,
        actor_email=actor.email if actor is not None else COMMAND_LINE,
        action=action,
        target=target[:200],
        details=dict(details or {}),
    )
    session.add(event)
    return event


def recent_events(
    session: Session,
    *,
    action: str | None = None,
    actor: str | None = None,
    limit: int = 200,
    before_id: int | None = None,
) -> list[AuditEvent]:
    """Newest first; `actor` is who acted (an email, or COMMAND_LINE); `before_id` pages back
    through older entries."""
    query = select(AuditEvent).order_by(AuditEvent.id.desc()).limit(limit)
    if action:
        query = query.where(AuditEvent.action == action)
    if actor:
        query = query.where(AuditEvent.actor_email == actor)
    if before_id is not None:
        query = query.where(AuditEvent.id < before_id)
    return list(session.scalars(query))


def actions_in_log(session: Session) -> list[str]:
    return list(session.scalars(select(AuditEvent.action).distinct().order_by(AuditEvent.action)))


def actors_in_log(session: Session) -> list[str]:
    """Everyone who has an entry: an account deleted or renamed since still has theirs."""
    return list(
        session.scalars(select(AuditEvent.actor_email).distinct().order_by(AuditEvent.actor_email))
    )
